"""Downloads over real HTTP on both backends: magnets, URLs and .torrent uploads are queued; the list filters and
pages; cancel, pause, resume and retry follow the state machine (409 otherwise); the timeline reads `after` a
time; URLs into this machine or a private network are refused until an admin allows them; someone else's job is
a 404; oversized uploads are a 413; bad input is a 422 with a message.

The API has no job worker here (its broker only queues), so jobs stay queued, except in the one test that runs
the runner's tick in this process, as the `downloads.tick` actor would, and follows a URL job to completion.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from seen.config import get_settings
from seen.db import session_scope
from seen.downloads import select
from seen.models.downloads import DownloadJob
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue
from seen.services.security import csrf_token_for
from tests.api.test_auth_api import ORIGIN, assert_error, bearer, browser_login, cookie_header, register, session_cookie
from tests.downloads.swarm import FileServer, magnet_for, make_torrent, serve_files, write_payload

ANNOUNCE = "http://127.0.0.1:9/announce"  # never contacted: no test here runs a torrent
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


def magnet(number: int = 0, name: str = "Big Buck Bunny") -> str:
    return f"magnet:?xt=urn:btih:{HASH[:-3]}{number:03x}&dn={name.replace(' ', '+')}"


@pytest.fixture
def callers(client: httpx.Client) -> dict[str, dict[str, str]]:
    """Ada registers first and is the admin; Bob and Carol are users."""
    return {name: bearer(register(client, f"{name}@example.com")) for name in ("ada", "bob", "carol")}


@pytest.fixture
def downloads_settings(backend, settings_env, tmp_path: Path) -> Iterator[Path]:
    """Downloads under tmp, nothing allow-listed by the environment; engines forgotten afterwards."""
    settings_env(DOWNLOADS_DIR=str(tmp_path / "downloads"), DOWNLOAD_ALLOWED_HOSTS="[]", DOWNLOAD_ENGINE="auto")
    select.reset_engines()
    yield tmp_path / "downloads"
    select.shutdown_engines()
    select.reset_engines()


@pytest.fixture
def files(tmp_path: Path) -> Iterator[FileServer]:
    root = tmp_path / "served"
    root.mkdir()
    with serve_files(root) as server:
        yield server


def add(client: httpx.Client, headers: dict[str, str], **body: object) -> httpx.Response:
    return client.post("/api/v1/downloads", json=body, headers=headers)


def added(client: httpx.Client, headers: dict[str, str], **body: object) -> dict:
    response = add(client, headers, **body)
    assert response.status_code == 201, response.text
    return response.json()


def upload(
    client: httpx.Client, headers: dict[str, str], data: bytes, name: str = "bunny.torrent", **fields: str
) -> httpx.Response:
    return client.post(
        "/api/v1/downloads",
        files={"file": (name, data, "application/x-bittorrent")},
        data=fields,
        headers=headers,
    )


def torrent_of(folder: Path, name: str = "Big Buck Bunny", size: int = 40_000) -> bytes:
    write_payload(folder / name / "bunny.mkv", size)
    return make_torrent(folder / name, announce=ANNOUNCE)


def store_movie(title: str) -> int:
    with session_scope() as session:
        return catalogue.store_summary(
            session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=10378), title=title)
        ).id


# -- adding ---------------------------------------------------------------------------------------------------


def test_a_magnet_is_queued_and_reads_back(client: httpx.Client, callers, downloads_settings) -> None:
    bob = callers["bob"]
    # When Bob adds a magnet with camelCase fields
    job = added(client, bob, sourceType="magnet", source=magnet(), title="  My bunny  ")
    # Then it is queued under his name, with its label trimmed and a directory of its own
    assert (job["status"], job["status_label"], job["source_type"], job["title"]) == (
        "queued",
        "Queued",
        "magnet",
        "My bunny",
    )
    assert job["source"] == magnet() and job["owner_name"] == "bob"
    assert job["directory"] == f"My bunny ({job['id'][:8]})"
    assert (job["can_pause"], job["can_cancel"], job["can_resume"], job["can_retry"]) == (True, True, False, False)
    assert job["progress_percent"] == 0 and job["files"] == []
    # And it reads back the same, and its timeline starts with "queued"
    assert client.get(f"/api/v1/downloads/{job['id']}", headers=bob).json() == job
    events = client.get(f"/api/v1/downloads/{job['id']}/events", headers=bob).json()
    assert [event["status"] for event in events] == ["queued"] and events[0]["message"]


def test_snake_case_fields_a_media_id_and_the_inferred_type(client: httpx.Client, callers, downloads_settings) -> None:
    bob = callers["bob"]
    movie_id = store_movie("Big Buck Bunny")
    # When the fields come in snake_case with a media id and no type
    job = added(client, bob, source=magnet(1), media_id=movie_id)
    # Then the type is inferred from the source and the title comes from the magnet's name
    assert (job["source_type"], job["media_id"], job["media_title"], job["title"]) == (
        "magnet",
        movie_id,
        "Big Buck Bunny",
        "Big Buck Bunny",
    )
    # And an unknown media id is refused
    unknown = add(client, bob, source=magnet(2), mediaId=999_999)
    assert "media" in assert_error(unknown, 422, "invalid")["message"].lower()


def test_a_torrent_upload_is_queued(client: httpx.Client, callers, downloads_settings, tmp_path: Path) -> None:
    bob = callers["bob"]
    movie_id = store_movie("Big Buck Bunny")
    torrent = torrent_of(tmp_path / "content")
    # When Bob uploads the .torrent with a title and a media id
    answer = upload(client, bob, torrent, title="Bunny, the torrent", mediaId=str(movie_id))
    # Then it is a queued torrent job named after the file
    assert answer.status_code == 201, answer.text
    job = answer.json()
    assert (job["source_type"], job["source"], job["title"], job["media_id"]) == (
        "torrent",
        "bunny.torrent",
        "Bunny, the torrent",
        movie_id,
    )
    # And without a title, the torrent's own name is the title (the form takes snake_case names too)
    untitled = upload(client, callers["carol"], torrent, name="other.torrent", media_id=str(movie_id))
    assert untitled.status_code == 201, untitled.text
    assert (untitled.json()["title"], untitled.json()["media_id"]) == ("Big Buck Bunny", movie_id)
    # And the same torrent again, while the first still runs, is a conflict
    assert_error(upload(client, bob, torrent), 409, "duplicate_download")
    # And the magnet of the same torrent too
    assert_error(add(client, bob, source=magnet_for(torrent, announce=ANNOUNCE)), 409, "duplicate_download")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>not a torrent</html>", "not a valid .torrent"),
        (b"d8:announce3:abce", "no info dictionary"),
        (b"", ".torrent file"),
    ],
)
def test_a_file_that_is_not_a_torrent_is_a_422(
    client: httpx.Client, callers, downloads_settings, data: bytes, message: str
) -> None:
    answer = upload(client, callers["bob"], data, name="fake.torrent")
    assert message in assert_error(answer, 422, "invalid")["message"]
    assert client.get("/api/v1/downloads", headers=callers["bob"]).json()["items"] == []


def test_a_torrent_over_the_cap_is_a_413(client: httpx.Client, callers, downloads_settings, settings_env) -> None:
    bob = callers["bob"]
    settings_env(TORRENT_MAX_BYTES="2048")
    # When the announced body is far over the cap, it is refused before it is read
    announced = upload(client, bob, b"d" + b"x" * 200_000)
    assert "larger than" in assert_error(announced, 413, "too_large")["message"]
    # When the file alone passes the cap (the body is within the form's allowance), it is refused too
    slightly = upload(client, bob, b"d" + b"x" * 2048)
    assert_error(slightly, 413, "too_large")

    # When a body streams in without a length, it is refused once it passes the cap
    def chunked() -> Iterator[bytes]:
        yield b'--edge\r\nContent-Disposition: form-data; name="file"; filename="big.torrent"\r\n\r\n'
        for _ in range(200):
            yield b"x" * 1024
        yield b"\r\n--edge--\r\n"

    streamed = client.post(
        "/api/v1/downloads",
        content=chunked(),
        headers={**bob, "Content-Type": "multipart/form-data; boundary=edge"},
    )
    assert "content-length" not in streamed.request.headers
    assert_error(streamed, 413, "too_large")
    assert client.get("/api/v1/downloads", headers=bob).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"source": ""}, "paste a magnet link"),
        ({"source": "   "}, "paste a magnet link"),
        ({"title": "no source"}, "source"),
        ({"source": "magnet:?xt=urn:btih:zzzz"}, "info hash"),
        ({"source": "magnet:?dn=nothing"}, "no BitTorrent info hash"),
        ({"source": "gopher://example.com/file"}, "magnet link or an http"),
        ({"source": magnet(), "sourceType": "gopher"}, "sourceType"),
        ({"source": magnet(), "sourceType": "torrent"}, "multipart/form-data"),
        ({"source": magnet(), "title": "t" * 501}, "title"),
        ({"source": magnet(), "mediaId": "abc"}, "mediaId"),
    ],
)
def test_bad_sources_are_a_422_with_a_message(
    client: httpx.Client, callers, downloads_settings, body: dict, message: str
) -> None:
    answer = add(client, callers["bob"], **body)
    assert message in assert_error(answer, 422, "invalid")["message"]
    assert client.get("/api/v1/downloads", headers=callers["bob"]).json()["items"] == []


def test_bad_bodies_are_refused_with_a_message(client: httpx.Client, callers, downloads_settings) -> None:
    bob = callers["bob"]
    not_json = client.post(
        "/api/v1/downloads", content=b"{source:", headers={**bob, "Content-Type": "application/json"}
    )
    assert "JSON" in assert_error(not_json, 422, "invalid")["message"]
    plain = client.post("/api/v1/downloads", content=magnet().encode(), headers={**bob, "Content-Type": "text/plain"})
    assert "multipart/form-data" in assert_error(plain, 415, "unsupported_media_type")["message"]
    no_file = client.post("/api/v1/downloads", files={"title": (None, "just a title")}, headers=bob)
    assert "field `file`" in assert_error(no_file, 422, "invalid")["message"]
    bad_media = upload(client, bob, b"d4:infoe", mediaId="abc")
    assert "mediaId" in assert_error(bad_media, 422, "invalid")["message"]
    huge = add(client, bob, source=magnet(), title="t" * 70_000)
    assert_error(huge, 413, "too_large")


# -- address checks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/secret", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[::1]/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://10.1.2.3/file.iso", "private network"),
        ("http://0.0.0.0:8080/", "unspecified"),
    ],
)
def test_urls_into_this_machine_or_a_private_network_are_refused(
    client: httpx.Client, callers, downloads_settings, url: str, reason: str
) -> None:
    answer = add(client, callers["bob"], sourceType="http", source=url)
    assert reason in assert_error(answer, 422, "source_refused")["message"]


def test_an_admin_allow_list_opens_a_local_host(
    client: httpx.Client, callers, downloads_settings, files: FileServer
) -> None:
    ada, bob = callers["ada"], callers["bob"]
    write_payload(files.root / "trailer.mp4", 1000)
    # Given a file on 127.0.0.1, refused at first
    assert_error(add(client, bob, source=files.url("trailer.mp4")), 422, "source_refused")
    # When the admin allow-lists 127.0.0.1
    allowed = client.put("/api/v1/admin/downloads/allowed-hosts", json={"entries": ["127.0.0.1"]}, headers=ada)
    assert allowed.status_code == 200, allowed.text
    # Then the URL is queued as an http download named after its file
    job = added(client, bob, source=files.url("trailer.mp4"))
    assert (job["source_type"], job["source"], job["title"]) == ("http", files.url("trailer.mp4"), "trailer.mp4")
    # And a redirect into a refused address is still refused
    files.redirect("away.mp4", "http://169.254.169.254/latest/meta-data/")
    assert "metadata" in assert_error(add(client, bob, source=files.url("away.mp4")), 422, "source_refused")["message"]
    # And a missing file is a readable 422
    missing = add(client, bob, source=files.url("missing.mp4"))
    assert "404" in assert_error(missing, 422, "invalid")["message"]


def test_a_url_job_runs_to_completion(
    client: httpx.Client, callers, downloads_settings: Path, files: FileServer, settings_env
) -> None:
    from seen.services import download_runner

    bob = callers["bob"]
    settings_env(DOWNLOAD_ALLOWED_HOSTS='["127.0.0.1"]', DOWNLOAD_ENGINE="http")
    payload = write_payload(files.root / "short film.mkv", 300_000, seed=7)
    job = added(client, bob, source=files.url("short film.mkv"), title="Short film")
    # When the runner's tick runs (as the worker would) until the job is finished
    deadline = time.monotonic() + 30
    current = job
    while current["status"] not in ("completed", "failed") and time.monotonic() < deadline:
        download_runner.tick()
        current = client.get(f"/api/v1/downloads/{job['id']}", headers=bob).json()
        time.sleep(0.1)
    # Then it completed with every byte, in its own directory
    assert current["status"] == "completed", current
    assert (current["progress_percent"], current["bytes_downloaded"], current["engine"]) == (100, 300_000, "http")
    assert current["completed_at"] and current["files"]
    [file] = current["files"]
    assert file["path"] == f"{current['directory']}/short film.mkv" and file["progress_percent"] == 100
    assert (get_settings().resolved_downloads_dir / file["path"]).read_bytes() == payload.read_bytes()
    # And its timeline went through the states in order
    statuses = [event["status"] for event in client.get(f"/api/v1/downloads/{job['id']}/events", headers=bob).json()]
    assert statuses[0] == "queued" and statuses[-1] == "completed"
    assert statuses.index("preparing") < statuses.index("downloading") < statuses.index("completed")
    # And cancelling a completed job changes nothing
    cancelled = client.delete(f"/api/v1/downloads/{job['id']}", headers=bob)
    assert cancelled.status_code == 200 and cancelled.json() == current


# -- listing --------------------------------------------------------------------------------------------------


def test_the_list_filters_pages_and_counts(client: httpx.Client, callers, downloads_settings) -> None:
    bob = callers["bob"]
    ids = [added(client, bob, source=magnet(number))["id"] for number in range(5)]
    client.post(f"/api/v1/downloads/{ids[1]}/pause", headers=bob)
    client.delete(f"/api/v1/downloads/{ids[2]}", headers=bob)
    # When Bob reads his list two at a time
    first = client.get("/api/v1/downloads", params={"limit": 2}, headers=bob).json()
    second = client.get("/api/v1/downloads", params={"limit": 2, "cursor": first["next_cursor"]}, headers=bob).json()
    third = client.get("/api/v1/downloads", params={"limit": 2, "cursor": second["next_cursor"]}, headers=bob).json()
    # Then the pages hold every job once, newest activity first, and the last page has no cursor
    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert seen[:2] == [ids[2], ids[1]] and sorted(seen) == sorted(ids)
    assert (len(third["items"]), third["next_cursor"]) == (1, None)
    assert first["counts"] == {
        "queued": 3,
        "preparing": 0,
        "downloading": 0,
        "stalled": 0,
        "retrying": 0,
        "paused": 1,
        "completed": 0,
        "failed": 0,
        "cancelled": 1,
    }
    # And the status filters take one status, a list, or a group
    for status, expected in (("paused", {ids[1]}), ("paused,cancelled", {ids[1], ids[2]}), ("finished", {ids[2]})):
        listed = client.get("/api/v1/downloads", params={"status": status}, headers=bob).json()
        assert {item["id"] for item in listed["items"]} == expected, status
    active = client.get("/api/v1/downloads", params={"status": "active"}, headers=bob).json()
    assert len(active["items"]) == 4
    # And nobody else's jobs show, except to the admin
    assert client.get("/api/v1/downloads", headers=callers["carol"]).json()["items"] == []
    assert len(client.get("/api/v1/downloads", headers=callers["ada"]).json()["items"]) == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"status": "sleeping"}, "Unknown download status"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_list_parameters_are_a_422(client: httpx.Client, callers, downloads_settings, params, field) -> None:
    assert (
        field
        in assert_error(client.get("/api/v1/downloads", params=params, headers=callers["bob"]), 422, "invalid")[
            "message"
        ]
    )


# -- steering -------------------------------------------------------------------------------------------------


def test_cancel_pause_resume_and_retry_follow_the_state_machine(
    client: httpx.Client, callers, downloads_settings
) -> None:
    bob = callers["bob"]
    job_id = added(client, bob, source=magnet())["id"]
    url = f"/api/v1/downloads/{job_id}"

    def act(action: str) -> httpx.Response:
        return client.delete(url, headers=bob) if action == "cancel" else client.post(f"{url}/{action}", headers=bob)

    # A queued job pauses; a paused one neither pauses again nor retries; it resumes back to the queue
    paused = act("pause").json()
    assert (paused["status"], paused["can_resume"], paused["can_pause"]) == ("paused", True, False)
    assert "paused download cannot become paused" in assert_error(act("pause"), 409, "invalid_transition")["message"]
    assert_error(act("retry"), 409, "invalid_transition")
    assert act("resume").json()["status"] == "queued"
    assert "Only a paused download" in assert_error(act("resume"), 409, "invalid_transition")["message"]
    assert_error(act("retry"), 409, "invalid_transition")
    # A queued job cancels; cancelling again is a 200 that changes nothing
    cancelled = act("cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"] and cancelled.json()["can_retry"]
    again = act("cancel")
    assert again.status_code == 200 and again.json() == cancelled.json()
    assert_error(act("pause"), 409, "invalid_transition")
    assert_error(act("resume"), 409, "invalid_transition")
    # A cancelled job retries from the queue
    retried = act("retry").json()
    assert (retried["status"], retried["cancelled_at"], retried["retry_count"]) == ("queued", None, 0)
    # Every move is on the timeline
    events = client.get(f"{url}/events", headers=bob).json()
    assert [event["status"] for event in events] == ["queued", "paused", "queued", "cancelled", "queued"]


def test_a_failed_job_retries_and_a_completed_one_stays(client: httpx.Client, callers, downloads_settings) -> None:
    bob = callers["bob"]
    failed_id = added(client, bob, source=magnet(1))["id"]
    done_id = added(client, bob, source=magnet(2))["id"]
    with session_scope() as session:
        set_status(session, failed_id, "failed", error_message="Not enough disk space.", retry_count=3)
        set_status(session, done_id, "completed", progress_percent=100)
    # A failed job retries with its count and error cleared
    retried = client.post(f"/api/v1/downloads/{failed_id}/retry", headers=bob).json()
    assert (retried["status"], retried["retry_count"], retried["error_message"]) == ("queued", 0, "")
    # A completed job is final: cancel returns it unchanged, the rest are conflicts
    done = client.get(f"/api/v1/downloads/{done_id}", headers=bob).json()
    assert client.delete(f"/api/v1/downloads/{done_id}", headers=bob).json() == done
    for action in ("pause", "resume", "retry"):
        assert_error(client.post(f"/api/v1/downloads/{done_id}/{action}", headers=bob), 409, "invalid_transition")


def set_status(session: Session, job_id: str, status: str, **values: object) -> None:
    """Move a job as the runner would (the runner is not part of these tests)."""
    job = session.get(DownloadJob, uuid.UUID(job_id))
    assert job is not None
    job.status = status
    for name, value in values.items():
        setattr(job, name, value)
    session.add(job)


# -- the timeline ---------------------------------------------------------------------------------------------


def test_events_after_a_time(client: httpx.Client, callers, downloads_settings) -> None:
    bob = callers["bob"]
    job_id = added(client, bob, source=magnet())["id"]
    url = f"/api/v1/downloads/{job_id}/events"
    client.post(f"/api/v1/downloads/{job_id}/pause", headers=bob)
    client.post(f"/api/v1/downloads/{job_id}/resume", headers=bob)
    events = client.get(url, headers=bob).json()
    assert [event["status"] for event in events] == ["queued", "paused", "queued"]
    # When Bob asks for what happened after the first event
    since_first = client.get(url, params={"after": events[0]["created_at"]}, headers=bob).json()
    # Then he gets the later ones, oldest first; after the last one, nothing
    assert since_first == events[1:]
    assert client.get(url, params={"after": events[-1]["created_at"]}, headers=bob).json() == []
    # And "Z", other offsets and an unencoded "+" all read as RFC3339
    first = datetime.fromisoformat(events[0]["created_at"])
    in_paris = first.astimezone(timezone(timedelta(hours=2)))
    assert client.get(url, params={"after": in_paris.isoformat()}, headers=bob).json() == events[1:]
    zulu = (first - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert client.get(url, params={"after": zulu}, headers=bob).json() == events
    raw = client.get(f"{url}?after={(first - timedelta(seconds=1)).isoformat()}", headers=bob)
    assert raw.status_code == 200 and raw.json() == events
    assert client.get(url, params={"limit": 1}, headers=bob).json() == events[:1]


@pytest.mark.parametrize("after", ["yesterday", "2026-01-01T10:00:00", "2026-13-01T00:00:00Z", "1700000000"])
def test_a_bad_after_is_a_422(client: httpx.Client, callers, downloads_settings, after: str) -> None:
    job_id = added(client, callers["bob"], source=magnet())["id"]
    answer = client.get(f"/api/v1/downloads/{job_id}/events", params={"after": after}, headers=callers["bob"])
    assert "RFC3339" in assert_error(answer, 422, "invalid")["message"]


# -- who may see what -----------------------------------------------------------------------------------------


def test_someone_elses_job_is_not_found_but_the_admin_sees_it(
    client: httpx.Client, callers, downloads_settings
) -> None:
    bob, carol, ada = callers["bob"], callers["carol"], callers["ada"]
    job = added(client, bob, source=magnet())
    url = f"/api/v1/downloads/{job['id']}"
    # Carol cannot read or steer Bob's job: it does not exist for her
    assert_error(client.get(url, headers=carol), 404, "not_found")
    assert_error(client.get(f"{url}/events", headers=carol), 404, "not_found")
    assert_error(client.delete(url, headers=carol), 404, "not_found")
    for action in ("pause", "resume", "retry"):
        assert_error(client.post(f"{url}/{action}", headers=carol), 404, "not_found")
    assert client.get(url, headers=bob).json()["status"] == "queued"
    # An id nobody has is a 404, a malformed one a 422 naming the id (as everywhere in the API)
    assert_error(client.get(f"/api/v1/downloads/{uuid.uuid4()}", headers=bob), 404, "not_found")
    malformed = assert_error(client.get("/api/v1/downloads/not-a-uuid", headers=bob), 422, "invalid")
    assert malformed["details"][0]["field"] == "job_id"
    # The admin sees and steers it, with its owner named
    seen_by_admin = client.get(url, headers=ada).json()
    assert (seen_by_admin["owner_name"], seen_by_admin["user_id"]) == ("bob", job["user_id"])
    assert client.post(f"{url}/pause", headers=ada).json()["status"] == "paused"


def test_downloads_need_a_login(client: httpx.Client, downloads_settings) -> None:
    assert_error(client.get("/api/v1/downloads"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/downloads", json={"source": magnet()}), 401, "not_authenticated")
    assert_error(client.get(f"/api/v1/downloads/{uuid.uuid4()}"), 401, "not_authenticated")
    assert_error(client.delete(f"/api/v1/downloads/{uuid.uuid4()}"), 401, "not_authenticated")
    bad = client.get("/api/v1/downloads", headers={"Authorization": "Bearer nope"})
    assert_error(bad, 401, "invalid_token")


def test_a_browser_session_needs_the_csrf_token_to_write(client: httpx.Client, callers, downloads_settings) -> None:
    cookie = cookie_header(session_cookie(browser_login(client, "bob@example.com")))
    current = next(item for item in client.get("/api/v1/auth/sessions", headers=cookie).json()["items"])
    csrf = csrf_token_for(uuid.UUID(current["id"]))
    # A write without the token, or from another site, is refused and adds nothing
    assert_error(add(client, {**cookie, "Origin": ORIGIN}, source=magnet()), 403, "csrf_failed")
    foreign = {**cookie, "Origin": "https://evil.example", "X-CSRF-Token": csrf}
    assert_error(add(client, foreign, source=magnet()), 403, "csrf_failed")
    assert client.get("/api/v1/downloads", headers=cookie).json()["items"] == []
    # With the token from the app's origin it is added, and cancelling needs the token too
    job = added(client, {**cookie, "Origin": ORIGIN, "X-CSRF-Token": csrf}, source=magnet())
    assert_error(
        client.delete(f"/api/v1/downloads/{job['id']}", headers={**cookie, "Origin": ORIGIN}), 403, "csrf_failed"
    )
    with_token = client.delete(
        f"/api/v1/downloads/{job['id']}", headers={**cookie, "Origin": ORIGIN, "X-CSRF-Token": csrf}
    )
    assert with_token.json()["status"] == "cancelled"


def test_the_openapi_document_describes_every_route(client: httpx.Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    routes = {
        (path, method): operation
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/downloads")
        for method, operation in operations.items()
    }
    assert set(routes) == {
        ("/api/v1/downloads", "post"),
        ("/api/v1/downloads", "get"),
        ("/api/v1/downloads/{job_id}", "get"),
        ("/api/v1/downloads/{job_id}", "delete"),
        ("/api/v1/downloads/{job_id}/pause", "post"),
        ("/api/v1/downloads/{job_id}/resume", "post"),
        ("/api/v1/downloads/{job_id}/retry", "post"),
        ("/api/v1/downloads/{job_id}/events", "get"),
    }
    for operation in routes.values():
        assert operation["summary"] and operation["description"]
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert operation["responses"][success]["content"]["application/json"]["schema"]
    body = routes[("/api/v1/downloads", "post")]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    assert {"sourceType", "source", "title", "mediaId"} <= set(body["application/json"]["schema"]["properties"])
