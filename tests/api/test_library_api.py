"""The library over real HTTP on both backends, populated by the real scanner (run in this process, as the
`library.scan` actor would) over media files made by ffmpeg: browse filters, paging and search, one item with
its streams, the unmatched queue with the matcher's candidates, manual match (409 without force, 404, 422 for a
game), ignore, rescans with readable progress, and the admin's library folders.

Who may do what: every signed-in user browses and reads the queue; matching, ignoring, scans and folders are
for admins (members get a 403, strangers a 401).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from seen.models.library import LibraryItem, LibraryScan
from seen.models.media import MediaItem, ShowEpisode, ShowSeason
from seen.services import library_scan
from tests.api.test_auth_api import assert_error, bearer, register
from tests.library.conftest import Media, media  # noqa: F401  (the session's ffmpeg-made files)
from tests.services.test_search import add_title

MOVIE = "Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008).mkv"
TRAILER = "Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008)-trailer.mp4"
EPISODE = "Shows/Sintel Chronicles/Season 01/Sintel Chronicles - S01E01.mp4"
# Two films share this name and the file gives no year: the matcher cannot choose and asks a person.
AMBIGUOUS = "Movies/Tears of Steel/Tears of Steel.mkv"


@pytest.fixture
def callers(client: httpx.Client) -> dict[str, dict[str, str]]:
    """Ada registers first and is the admin; Bob is a member."""
    return {name: bearer(register(client, f"{name}@example.com")) for name in ("ada", "bob")}


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Scans the service queues, recorded instead of sent: the tests run them themselves."""
    sent: list[str] = []
    monkeypatch.setattr(library_scan, "enqueue", lambda name, **kwargs: sent.append(kwargs["scan_id"]))
    return sent


@pytest.fixture
def titles(session: Session) -> dict[str, MediaItem]:
    movie = add_title(session, "Big Buck Bunny", year=2008)
    movie.source, movie.poster_path = "tmdb", "/bunny.jpg"
    show = add_title(session, "Sintel Chronicles", kind="show", year=2010)
    session.add(ShowSeason(media_id=show.id, number=1, title="Season 1", episode_count=2))
    for number in (1, 2):
        session.add(ShowEpisode(media_id=show.id, season_number=1, episode_number=number, title=f"E{number}"))
    tears_a = add_title(session, "Tears of Steel", year=2012)
    tears_b = add_title(session, "Tears of Steel", year=2013)
    game = add_title(session, "Elephants Dream", kind="game", year=2006)
    session.commit()
    return {"movie": movie, "show": show, "tears_a": tears_a, "tears_b": tears_b, "game": game}


def place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


@pytest.fixture
def folder(tmp_path: Path, media: Media) -> Path:  # noqa: F811
    root = tmp_path / "library"
    place(media.mkv, root / MOVIE)
    (root / MOVIE).with_suffix(".en.srt").write_text(media.subtitle.read_text())
    place(media.mp4, root / TRAILER)
    place(media.mp4, root / EPISODE)
    place(media.hevc, root / AMBIGUOUS)
    return root


def run_queued(session: Session) -> list[LibraryScan]:
    """Run every queued scan to its end, as the worker would."""
    queued = session.exec(select(LibraryScan.id).where(LibraryScan.status == "queued")).all()
    finished = [library_scan.run_scan(scan_id=scan_id) for scan_id in queued]
    session.expire_all()
    return [scan for scan in finished if scan is not None]


@pytest.fixture
def library(client: httpx.Client, callers, session: Session, titles, folder: Path, enqueued) -> dict[str, dict]:
    """The folder added over HTTP (which queues its first scan) and scanned; items by relative path."""
    response = client.post("/api/v1/admin/library/roots", json={"path": str(folder)}, headers=callers["ada"])
    assert response.status_code == 201, response.text
    (scan,) = run_queued(session)
    assert scan.status == "completed", scan.message
    listing = client.get("/api/v1/library", params={"page_size": 100}, headers=callers["bob"]).json()
    return {card["relative_path"]: card for card in listing["items"]}


def paths(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["relative_path"] for card in response.json()["items"]]


# -- browsing -------------------------------------------------------------------------------------------------


def test_every_user_browses_enriched_cards_by_title(client: httpx.Client, callers, library, titles) -> None:
    # Given a scanned folder, when Bob (a member) browses the library
    response = client.get("/api/v1/library", headers=callers["bob"])
    # Then every file is there, by title (the matched one, else the file name)
    assert paths(response) == [MOVIE, TRAILER, EPISODE, AMBIGUOUS]
    assert response.json()["total"] == 4 and response.json()["page_size"] == 20
    # And the film's card carries its file, streams and matched title with a poster of our own
    movie = library[MOVIE]
    assert (movie["file_name"], movie["root_label"], movie["container"], movie["video_codec"]) == (
        "Big Buck Bunny (2008).mkv",
        "library",
        "mkv",
        "h264",
    )
    assert movie["size_bytes"] > 0 and movie["duration_seconds"] == 2 and movie["resolution"]
    assert (movie["match_state"], movie["matched_manually"], movie["missing"]) == ("matched", False, False)
    assert movie["match_confidence"] >= 0.8
    assert movie["media"]["id"] == titles["movie"].id and movie["media"]["kind"] == "movie"
    assert (movie["media"]["title"], movie["media"]["year"]) == ("Big Buck Bunny", 2008)
    assert movie["media"]["poster_url"].startswith("/api/v1/images/tmdb/poster/")
    assert movie["audio_languages"] == ["en"] and movie["subtitle_languages"] == ["en", "fr"]
    # And the episode knows its show, season and episode
    episode = library[EPISODE]
    assert (episode["media"]["id"], episode["season_number"], episode["episode_number"]) == (titles["show"].id, 1, 1)
    assert library[TRAILER]["match_state"] == "ignored" and library[TRAILER]["media"] is None
    assert library[AMBIGUOUS]["match_state"] == "unmatched" and library[AMBIGUOUS]["media"] is None


def test_filters_paging_and_search(client: httpx.Client, callers, library) -> None:
    bob = callers["bob"]

    def listed(**params: object) -> list[str]:
        return paths(client.get("/api/v1/library", params=params, headers=bob))

    # match state, in the spec's camelCase and in the house's snake_case
    assert listed(matchState="matched") == [MOVIE, EPISODE]
    assert listed(match_state="unmatched") == [AMBIGUOUS]
    assert listed(matchState="ignored") == [TRAILER]
    # media type: the matched title's kind; an unmatched file by what its name looks like
    assert listed(mediaType="show") == [EPISODE]
    assert listed(media_type="movie") == [MOVIE, TRAILER, AMBIGUOUS]
    assert listed(mediaType="movie", matchState="unmatched") == [AMBIGUOUS]
    # words of the path or the matched title, any case or accents, prefixes of words
    assert listed(query="BÚNNY") == [MOVIE, TRAILER]
    assert listed(query="sintel s01e01") == [EPISODE]
    assert listed(query="chronic") == [EPISODE]
    assert listed(query="nothing like it") == []
    # pages, with the spec's pageSize too
    first = client.get("/api/v1/library", params={"pageSize": 3}, headers=bob).json()
    assert (len(first["items"]), first["total"], first["page"], first["page_size"]) == (3, 4, 1, 3)
    assert listed(page=2, page_size=3) == [AMBIGUOUS]
    assert listed(page=3, page_size=3) == []
    searched = client.get("/api/v1/library", params={"query": "bunny", "page_size": 1, "page": 2}, headers=bob).json()
    assert [card["relative_path"] for card in searched["items"]] == [TRAILER] and searched["total"] == 2
    # bad input is a 422 with a message; no auth is a 401
    assert_error(client.get("/api/v1/library", params={"matchState": "lost"}, headers=bob), 422, "invalid")
    assert_error(client.get("/api/v1/library", params={"mediaType": "game"}, headers=bob), 422, "invalid")
    assert_error(client.get("/api/v1/library", params={"page_size": 101}, headers=bob), 422, "invalid")
    assert_error(client.get("/api/v1/library"), 401, "not_authenticated")


def test_missing_files_are_left_out_unless_asked_for(
    client: httpx.Client, callers, library, folder: Path, session: Session
) -> None:
    # Given the episode's file is deleted and the folder scanned again
    (folder / EPISODE).unlink()
    assert client.post("/api/v1/library/rescan", headers=callers["ada"]).status_code == 202
    run_queued(session)
    # Then it is no longer listed, unless asked for, and then marked missing
    assert EPISODE not in paths(client.get("/api/v1/library", headers=callers["bob"]))
    everything = client.get("/api/v1/library", params={"include_missing": True}, headers=callers["bob"]).json()
    assert [card["missing"] for card in everything["items"] if card["relative_path"] == EPISODE] == [True]


def test_one_item_with_its_streams(client: httpx.Client, callers, library) -> None:
    movie = library[MOVIE]
    detail = client.get(f"/api/v1/library/{movie['id']}", headers=callers["bob"])
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["item"] == movie
    assert [(s["stream_type"], s["language"], s["is_forced"], s["external"]) for s in body["streams"]] == [
        ("video", "", False, False),
        ("audio", "en", False, False),
        ("subtitle", "en", False, False),
        ("subtitle", "fr", True, False),
        ("subtitle", "en", False, True),
    ]
    assert (body["parsed_title"], body["parsed_year"], body["parsed_type"]) == ("Big Buck Bunny", 2008, "movie")
    assert body["candidates"][0]["media_id"] == movie["media"]["id"] and body["scanned_at"]
    assert_error(client.get(f"/api/v1/library/{uuid.uuid4()}", headers=callers["bob"]), 404, "not_found")
    assert_error(client.get("/api/v1/library/not-an-id", headers=callers["bob"]), 422, "invalid")


# -- the unmatched queue and a person's decisions --------------------------------------------------------------


def test_the_unmatched_queue_shows_candidates_and_reasons(client: httpx.Client, callers, library, titles) -> None:
    queue = client.get("/api/v1/library/unmatched", headers=callers["bob"])
    assert queue.status_code == 200, queue.text
    body = queue.json()
    assert body["total"] == 1 and [entry["item"]["relative_path"] for entry in body["items"]] == [AMBIGUOUS]
    entry = body["items"][0]
    assert (entry["parsed_title"], entry["parsed_type"]) == ("Tears of Steel", "movie")
    candidates = entry["candidates"]
    assert {candidate["media_id"] for candidate in candidates[:2]} == {titles["tears_a"].id, titles["tears_b"].id}
    assert all(candidate["reasons"] and 0 < candidate["score"] <= 1 for candidate in candidates[:2])
    assert entry["item"]["match_confidence"] == candidates[0]["score"]
    # the file name searches the queue
    found = client.get("/api/v1/library/unmatched", params={"query": "steel"}, headers=callers["bob"]).json()
    assert found["total"] == 1
    assert client.get("/api/v1/library/unmatched", params={"query": "bunny"}, headers=callers["bob"]).json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
    }


def test_an_admin_matches_a_file_by_hand(client: httpx.Client, callers, library, titles) -> None:
    ada, bob = callers["ada"], callers["bob"]
    item_id = library[AMBIGUOUS]["id"]
    url = f"/api/v1/library/{item_id}/match"
    # A member may not
    assert_error(client.post(url, json={"mediaId": titles["tears_a"].id}, headers=bob), 403, "admin_only")
    # When the admin picks the 2012 film
    matched = client.post(url, json={"mediaId": titles["tears_a"].id}, headers=ada)
    assert matched.status_code == 200, matched.text
    card = matched.json()
    assert (card["match_state"], card["match_confidence"], card["matched_manually"]) == ("matched", 1.0, True)
    assert card["media"]["id"] == titles["tears_a"].id
    # Then the queue is empty
    assert client.get("/api/v1/library/unmatched", headers=bob).json()["total"] == 0
    # And matching it to another title needs force
    other = {"mediaId": titles["tears_b"].id}
    error = assert_error(client.post(url, json=other, headers=ada), 409, "conflict")
    assert "force" in error["message"]
    forced = client.post(url, json={**other, "force": True}, headers=ada)
    assert forced.status_code == 200 and forced.json()["media"]["id"] == titles["tears_b"].id
    # Unknown items and titles are 404s; a game, or an episode of a movie, a 422
    assert_error(client.post(f"/api/v1/library/{uuid.uuid4()}/match", json=other, headers=ada), 404, "not_found")
    assert_error(client.post(url, json={"mediaId": 999_999, "force": True}, headers=ada), 404, "not_found")
    game = client.post(url, json={"mediaId": titles["game"].id, "force": True}, headers=ada)
    assert "game" in assert_error(game, 422, "invalid")["message"]
    episode_of_movie = {"mediaId": titles["tears_a"].id, "force": True, "seasonNumber": 1, "episodeNumber": 2}
    assert_error(client.post(url, json=episode_of_movie, headers=ada), 422, "invalid")
    # And a show takes the season and episode given (snake_case works too)
    as_show = {"media_id": titles["show"].id, "force": True, "season_number": 1, "episode_number": 2}
    shown = client.post(url, json=as_show, headers=ada).json()
    assert (shown["media"]["kind"], shown["season_number"], shown["episode_number"]) == ("show", 1, 2)


def test_a_person_s_match_survives_a_rescan_of_the_changed_file(
    client: httpx.Client,
    callers,
    library,
    titles,
    folder: Path,
    session: Session,
    media: Media,  # noqa: F811
) -> None:
    item_id = library[AMBIGUOUS]["id"]
    client.post(f"/api/v1/library/{item_id}/match", json={"mediaId": titles["tears_b"].id}, headers=callers["ada"])
    # When the file is replaced and the folder scanned again
    place(media.mkv, folder / AMBIGUOUS)
    client.post("/api/v1/library/rescan", headers=callers["ada"])
    (scan,) = run_queued(session)
    assert scan.files_changed == 1
    # Then the person's match stands
    card = client.get(f"/api/v1/library/{item_id}", headers=callers["bob"]).json()["item"]
    assert (card["media"]["id"], card["matched_manually"]) == (titles["tears_b"].id, True)


def test_ignore_and_unmatch(client: httpx.Client, callers, library) -> None:
    ada, bob = callers["ada"], callers["bob"]
    item_id = library[AMBIGUOUS]["id"]
    assert_error(client.post(f"/api/v1/library/{item_id}/ignore", headers=bob), 403, "admin_only")
    ignored = client.post(f"/api/v1/library/{item_id}/ignore", headers=ada)
    assert ignored.status_code == 200 and ignored.json()["match_state"] == "ignored"
    assert client.get("/api/v1/library/unmatched", headers=bob).json()["total"] == 0
    assert AMBIGUOUS in paths(client.get("/api/v1/library", params={"matchState": "ignored"}, headers=bob))
    # Back to the queue, with the best candidate's score
    back = client.post(f"/api/v1/library/{item_id}/unmatch", headers=ada).json()
    assert back["match_state"] == "unmatched" and back["match_confidence"] > 0
    assert client.get("/api/v1/library/unmatched", headers=bob).json()["total"] == 1
    assert_error(client.post(f"/api/v1/library/{uuid.uuid4()}/ignore", headers=ada), 404, "not_found")


# -- scans ----------------------------------------------------------------------------------------------------


def test_a_rescan_is_accepted_and_its_progress_readable(
    client: httpx.Client, callers, library, folder: Path, session: Session, enqueued: list[str]
) -> None:
    ada, bob = callers["ada"], callers["bob"]
    assert_error(client.post("/api/v1/library/rescan", headers=bob), 403, "admin_only")
    assert_error(client.post("/api/v1/library/rescan"), 401, "not_authenticated")
    # When the admin asks for a scan of the folder by path (spelled with a trailing slash)
    accepted = client.post("/api/v1/library/rescan", json={"paths": [f"{folder}/"]}, headers=ada)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["accepted"] == 1 and len(body["scan_ids"]) == 1
    scan_id = body["scan_ids"][0]
    assert enqueued[-1] == scan_id
    # Then its progress reads as queued, and asking again returns the same scan
    progress = client.get(f"/api/v1/library/scans/{scan_id}", headers=ada).json()
    assert (progress["status"], progress["scope"], progress["files_done"], progress["progress_percent"]) == (
        "queued",
        "root",
        0,
        0,
    )
    again = client.post("/api/v1/library/rescan", json={"rootId": progress["root_id"]}, headers=ada).json()
    assert again["scan_ids"] == [scan_id]
    # And once run, it is complete with its counters
    run_queued(session)
    done = client.get(f"/api/v1/library/scans/{scan_id}", headers=ada).json()
    assert (done["status"], done["files_total"], done["files_done"], done["progress_percent"]) == (
        "completed",
        4,
        4,
        100,
    )
    assert done["files_unchanged"] == 4 and done["files_per_second"] > 0 and done["finished_at"]
    # And the recent scans list it first, the folder's first scan after it
    recent = client.get("/api/v1/library/scans", headers=ada).json()
    assert len(recent) == 2 and recent[0]["id"] == scan_id
    # A whole-library scan covers every enabled folder
    everything = client.post("/api/v1/library/rescan", headers=ada)
    assert everything.status_code == 202 and everything.json()["accepted"] == 1
    # Scans are admin-only reading too; unknown ones and unknown paths are a 404 and a 422
    assert_error(client.get(f"/api/v1/library/scans/{scan_id}", headers=bob), 403, "admin_only")
    assert_error(client.get("/api/v1/library/scans", headers=bob), 403, "admin_only")
    assert_error(client.get(f"/api/v1/library/scans/{uuid.uuid4()}", headers=ada), 404, "not_found")
    unknown = client.post("/api/v1/library/rescan", json={"paths": ["/nowhere"]}, headers=ada)
    assert "/nowhere" in assert_error(unknown, 422, "invalid")["message"]
    missing_root = client.post("/api/v1/library/rescan", json={"rootId": str(uuid.uuid4())}, headers=ada)
    assert_error(missing_root, 404, "not_found")


# -- library folders ---------------------------------------------------------------------------------------------


def test_admins_manage_library_folders(
    client: httpx.Client, callers, backend, tmp_path: Path, settings_env, enqueued, session: Session
) -> None:
    ada, bob = callers["ada"], callers["bob"]
    url = "/api/v1/admin/library/roots"
    movies, shows, configured = tmp_path / "movies", tmp_path / "shows", tmp_path / "configured"
    for made in (movies / "Film", shows, configured):
        made.mkdir(parents=True)
    settings_env(LIBRARY_ROOTS=f'["{configured}"]')
    # Members and strangers may not
    assert_error(client.get(url, headers=bob), 403, "admin_only")
    assert_error(client.post(url, json={"path": str(movies)}, headers=bob), 403, "admin_only")
    assert_error(client.get(url), 401, "not_authenticated")
    # The configured folder is listed
    listed = client.get(url, headers=ada).json()
    assert [(root["path"], root["configured"]) for root in listed] == [(str(configured.resolve()), True)]
    # Adding one resolves it, labels it and queues its first scan
    added = client.post(url, json={"path": str(movies), "label": "Films", "kind": "movies"}, headers=ada)
    assert added.status_code == 201, added.text
    root = added.json()
    assert (root["path"], root["label"], root["kind"], root["configured"], root["item_count"]) == (
        str(movies.resolve()),
        "Films",
        "movies",
        False,
        0,
    )
    assert len(enqueued) == 1
    # Validation errors are 422s with the service's message
    refused = {
        "relative": ("movies", "absolute"),
        "missing": (str(tmp_path / "nowhere"), "does not exist"),
        "nested": (str(movies / "Film"), "inside the library folder"),
        "holding": (str(tmp_path), "data directory"),
        "data": (str(tmp_path / "data"), "data directory"),
        "same": (str(movies), "already a library folder"),
    }
    (tmp_path / "data").mkdir(exist_ok=True)
    for what, (path, message) in refused.items():
        error = assert_error(client.post(url, json={"path": path}, headers=ada), 422, "invalid")
        assert message in error["message"], what
    assert_error(client.post(url, json={"path": str(shows), "kind": "games"}, headers=ada), 422, "invalid")
    # A configured folder cannot be removed here; an added one can, then it is gone
    configured_id = next(row["id"] for row in client.get(url, headers=ada).json() if row["configured"])
    error = assert_error(client.delete(f"{url}/{configured_id}", headers=ada), 409, "conflict")
    assert "SEEN_LIBRARY_ROOTS" in error["message"]
    assert_error(client.delete(f"{url}/{root['id']}", headers=bob), 403, "admin_only")
    assert client.delete(f"{url}/{root['id']}", headers=ada).status_code == 204
    assert [row["path"] for row in client.get(url, headers=ada).json()] == [str(configured.resolve())]
    assert_error(client.delete(f"{url}/{root['id']}", headers=ada), 404, "not_found")


def test_removing_a_folder_removes_its_items(client: httpx.Client, callers, library, session: Session) -> None:
    roots = client.get("/api/v1/admin/library/roots", headers=callers["ada"]).json()
    assert [root["item_count"] for root in roots] == [4]
    client.delete(f"/api/v1/admin/library/roots/{roots[0]['id']}", headers=callers["ada"])
    assert client.get("/api/v1/library", headers=callers["bob"]).json()["total"] == 0
    assert session.exec(select(LibraryItem)).all() == []
