"""Scrobbling webhooks over real HTTP on both engines: the caller's URLs, Plex's multipart posts (with a
thumbnail part), Jellyfin's JSON, unknown tokens, repeats, and bodies that are too big or not JSON."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from seen.db import session_scope
from seen.services import webhooks
from tests.api.test_auth_api import assert_error, bearer, register
from tests.services.test_webhooks import PLEX_TRACK, payload, seed_catalogue

# A few bytes that start like a JPEG: Plex attaches the poster as a `thumb` file part.
THUMBNAIL = b"\xff\xd8\xff\xe0" + b"\x00" * 2048


@pytest.fixture
def titles(backend) -> dict[str, int]:
    with session_scope() as session:
        return seed_catalogue(session)


@pytest.fixture
def ada(client: httpx.Client) -> dict[str, str]:
    return bearer(register(client, "ada@example.com"))


@pytest.fixture
def ada_urls(client: httpx.Client, ada) -> dict[str, str]:
    response = client.post("/api/v1/webhooks/token", headers=ada)
    assert response.status_code == 200, response.text
    return response.json()


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver.local")


def post_plex(client: httpx.Client, url: str, body: dict) -> httpx.Response:
    """The way Plex posts: multipart/form-data, the JSON in `payload`, a thumbnail beside it."""
    return client.post(
        path_of(url),
        data={"payload": json.dumps(body)},
        files={"thumb": ("thumb.jpg", THUMBNAIL, "image/jpeg")},
    )


def history(client: httpx.Client, headers: dict[str, str]) -> list[dict]:
    response = client.get("/api/v1/watched", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_the_caller_manages_their_own_webhook_urls(client: httpx.Client, ada):
    # Given Ada has not turned webhooks on, Then she has no URLs
    assert client.get("/api/v1/webhooks", headers=ada).json() is None
    # When she asks for them, Then both URLs are on the public address with one secret
    first = client.post("/api/v1/webhooks/token", headers=ada).json()
    assert set(first) == {"plex", "jellyfin"}
    assert first["plex"].startswith("http://testserver.local/api/v1/webhooks/plex/")
    assert client.get("/api/v1/webhooks", headers=ada).json() == first
    # When she regenerates them, Then the old Plex URL is not found any more
    second = client.post("/api/v1/webhooks/token", headers=ada).json()
    assert second["plex"] != first["plex"]
    assert_error(post_plex(client, first["plex"], payload("plex_movie_scrobble")), 404, "not_found")
    # When she turns them off, Then no URL works
    assert client.delete("/api/v1/webhooks/token", headers=ada).status_code == 204
    assert client.get("/api/v1/webhooks", headers=ada).json() is None
    assert_error(post_plex(client, second["plex"], payload("plex_movie_scrobble")), 404, "not_found")


def test_managing_urls_needs_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/webhooks"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/webhooks/token"), 401, "not_authenticated")


def test_plex_multipart_scrobble_lands_in_the_history_once(client: httpx.Client, ada, ada_urls, titles):
    # When Plex posts a scrobble of The Matrix with its thumbnail
    response = post_plex(client, ada_urls["plex"], payload("plex_movie_scrobble"))
    # Then it is acknowledged and the viewing is in Ada's history
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "watched" and response.json()["media_id"] == titles["matrix"]
    assert [item["media"]["title"] for item in history(client, ada)] == ["The Matrix"]
    # When Plex delivers it again, Then it is acknowledged as a duplicate and nothing is added
    again = post_plex(client, ada_urls["plex"], payload("plex_movie_scrobble"))
    assert again.status_code == 200 and again.json()["action"] == "duplicate"
    assert len(history(client, ada)) == 1


def test_plex_progress_and_the_real_music_sample(client: httpx.Client, ada, ada_urls, titles):
    paused = post_plex(client, ada_urls["plex"], payload("plex_movie_pause"))
    assert paused.status_code == 200 and paused.json()["action"] == "progress"
    [state] = client.get(f"/api/v1/progress?media_id={titles['matrix']}", headers=ada).json()
    assert (state["position_seconds"], state["duration_seconds"], state["finished"]) == (1800, 8160, False)
    # The real Plex sample is a music track: acknowledged, ignored, with the reason
    track = post_plex(client, ada_urls["plex"], json.loads(PLEX_TRACK.read_text()))
    assert track.status_code == 200
    assert track.json()["action"] == "ignored" and "track" in track.json()["ignored"]
    assert history(client, ada) == []


def test_jellyfin_json_progress_then_completion(client: httpx.Client, ada, ada_urls, titles):
    url = path_of(ada_urls["jellyfin"])
    progress = client.post(url, json=payload("jellyfin_movie_progress"))
    assert progress.status_code == 200 and progress.json()["action"] == "progress"
    # Jellyfin's plugin may send its JSON as text/plain: the body is read as JSON whatever the type says
    done = client.post(
        url, content=json.dumps(payload("jellyfin_episode_stop_completed")), headers={"Content-Type": "text/plain"}
    )
    assert done.status_code == 200 and done.json()["action"] == "watched"
    assert (done.json()["season_number"], done.json()["episode_number"]) == (1, 1)
    unknown = client.post(
        url, json={**payload("jellyfin_movie_progress"), "Provider_tmdb": "1", "Provider_imdb": "", "Name": "Nope"}
    )
    assert unknown.status_code == 200 and unknown.json()["action"] == "ignored" and unknown.json()["ignored"]
    assert [item["media"]["title"] for item in history(client, ada)] == ["Breaking Bad"]


def test_a_token_only_ever_scrobbles_for_its_owner(client: httpx.Client, ada, ada_urls, titles):
    bob = bearer(register(client, "bob@example.com"))
    bob_urls = client.post("/api/v1/webhooks/token", headers=bob).json()
    assert post_plex(client, bob_urls["plex"], payload("plex_movie_scrobble")).json()["action"] == "watched"
    assert len(history(client, bob)) == 1 and history(client, ada) == []


@pytest.mark.parametrize("token", ["not-a-token", "x" * 200])
def test_unknown_tokens_are_404_without_a_hint(client: httpx.Client, ada_urls, titles, token):
    for source in ("plex", "jellyfin"):
        error = assert_error(client.post(f"/api/v1/webhooks/{source}/{token}", content=b"{}"), 404, "not_found")
        assert error["message"] == webhooks.UNKNOWN_TOKEN
    # A known token on an unknown server kind is not found either
    token_of_ada = ada_urls["plex"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/webhooks/emby/{token_of_ada}", json={}).status_code == 404


def test_bad_bodies_are_4xx_with_a_message_and_change_nothing(client: httpx.Client, ada, ada_urls, titles):
    plex, jellyfin = path_of(ada_urls["plex"]), path_of(ada_urls["jellyfin"])
    assert_error(client.post(jellyfin, content=b"{not json"), 422, "invalid")
    assert_error(client.post(plex, data={"something": "else"}, files={"thumb": ("t.jpg", b"x")}), 422, "invalid")
    broken = client.post(plex, content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert broken.status_code in (400, 422) and broken.json()["error"]["message"]
    too_big = b"{" + b" " * (webhooks.MAX_BODY_BYTES + 10) + b"}"
    assert_error(client.post(jellyfin, content=too_big), 413, "too_large")

    def chunks():
        # No Content-Length: the cap is applied while reading
        for _ in range(3):
            yield b" " * (webhooks.MAX_BODY_BYTES // 2)

    assert_error(client.post(jellyfin, content=chunks()), 413, "too_large")
    assert history(client, ada) == []


def test_the_secret_stays_out_of_the_access_log(client: httpx.Client, ada_urls, titles, caplog):
    secret = ada_urls["plex"].rsplit("/", 1)[1]
    with caplog.at_level("INFO", logger="seen.access"):
        assert post_plex(client, ada_urls["plex"], payload("plex_movie_scrobble")).status_code == 200
        # The access line is written once the response has gone out: give the server a moment.
        deadline = time.monotonic() + 5
        while not any("/webhooks/plex/" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
            time.sleep(0.02)
    logged = [record.getMessage() for record in caplog.records if record.name == "seen.access"]
    assert any("/api/v1/webhooks/plex/***" in line for line in logged)
    assert not any(secret in line for line in logged)
