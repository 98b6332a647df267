"""Playback progress over real HTTP on both engines: each caller reports and reads their own positions,
Continue Watching follows them, the watched threshold is a setting; bad input is a 422 with a message and
another user's progress is not found."""

from __future__ import annotations

import httpx
import pytest

from tests.api import test_tracking_api
from tests.api.test_auth_api import assert_error

# The tracking API tests' callers (Ada and Bob), films (The Matrix, Heat) and show (The Wire).
callers, films, wire = test_tracking_api.callers, test_tracking_api.films, test_tracking_api.wire


def _report(client: httpx.Client, headers: dict[str, str], **body) -> httpx.Response:
    return client.post("/api/v1/progress", json=body, headers=headers)


def test_progress_round_trip(client: httpx.Client, callers, films, wire):
    ada, bob = callers
    # When Ada reports a fifth of The Matrix and most of an episode of The Wire
    movie = _report(client, ada, media_id=films[0], position_seconds=1200, duration_seconds=6000)
    assert movie.status_code == 200
    body = movie.json()
    assert set(body) == {
        "media_id",
        "season_number",
        "episode_number",
        "position_seconds",
        "duration_seconds",
        "percent",
        "finished",
        "updated_at",
    }
    assert (body["percent"], body["finished"], body["season_number"]) == (20, False, None)
    episode = {"media_id": wire, "season_number": 1, "episode_number": 1, "duration_seconds": 3600}
    assert _report(client, ada, position_seconds=3300, **episode).json()["finished"] is True
    # Then the episode is in her history once, and her Continue Watching has the film and the next episode
    assert client.get("/api/v1/history", params={"media_id": wire}, headers=ada).json()["total"] == 1
    listed = client.get("/api/v1/progress/continue-watching", headers=ada).json()
    assert [(i["media"]["title"], i["season_number"], i["episode_number"], i["percent"]) for i in listed] == [
        ("The Wire", 1, 2, 0),
        ("The Matrix", None, None, 20),
    ]
    assert listed[0]["episode_title"] == "The Wire 1x2" and listed[1]["href"] == f"/app/movies/{films[0]}"
    limited = client.get("/api/v1/progress/continue-watching", params={"limit": 1}, headers=ada).json()
    assert len(limited) == 1
    # And reading the film's progress gives the one row; Bob has none and cannot clear hers
    rows = client.get("/api/v1/progress", params={"media_id": films[0]}, headers=ada).json()
    assert [(r["position_seconds"], r["duration_seconds"]) for r in rows] == [(1200, 6000)]
    assert client.get("/api/v1/progress", params={"media_id": films[0]}, headers=bob).json() == []
    assert client.get("/api/v1/progress/continue-watching", headers=bob).json() == []
    assert_error(client.delete(f"/api/v1/progress/{films[0]}", headers=bob), 404, "not_found")
    # When she clears it, the film leaves Continue Watching
    assert client.delete(f"/api/v1/progress/{films[0]}", headers=ada).status_code == 204
    remaining = client.get("/api/v1/progress/continue-watching", headers=ada).json()
    assert [i["media"]["title"] for i in remaining] == ["The Wire"]
    cleared = client.delete(f"/api/v1/progress/{wire}", params={"season_number": 1, "episode_number": 1}, headers=ada)
    assert cleared.status_code == 204
    assert client.get("/api/v1/progress", params={"media_id": wire}, headers=ada).json() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"position_seconds": 6001, "duration_seconds": 6000}, "beyond the duration"),
        ({"position_seconds": -5, "duration_seconds": 6000}, "negative"),
        ({"position_seconds": 0, "duration_seconds": 0}, "duration"),
        ({"position_seconds": 10, "duration_seconds": 90_000}, "duration"),
        ({"position_seconds": 10, "duration_seconds": 6000, "season_number": 1, "episode_number": 1}, "no seasons"),
        ({"position_seconds": 10, "duration_seconds": 6000, "media_id": 999999}, "unknown media id"),
        ({"position_seconds": "soon", "duration_seconds": 6000}, "position_seconds"),
        ({"duration_seconds": 6000}, "position_seconds"),
    ],
)
def test_impossible_progress_is_422_with_a_message(client: httpx.Client, callers, films, body, message):
    ada = callers[0]
    error = assert_error(_report(client, ada, **{"media_id": films[0], **body}), 422, "invalid")
    assert message in error["message"]
    assert client.get("/api/v1/progress", params={"media_id": films[0]}, headers=ada).json() == []


def test_reading_progress_needs_a_known_title(client: httpx.Client, callers):
    assert_error(client.get("/api/v1/progress", headers=callers[0]), 422, "invalid")
    missing = client.get("/api/v1/progress", params={"media_id": 999999}, headers=callers[0])
    assert "unknown media id" in assert_error(missing, 422, "invalid")["message"]
    limit = client.get("/api/v1/progress/continue-watching", params={"limit": 50}, headers=callers[0])
    assert_error(limit, 422, "invalid")


def test_the_watched_threshold_setting(client: httpx.Client, callers, films):
    ada, bob = callers
    assert client.get("/api/v1/progress/settings", headers=ada).json() == {"watched_threshold_percent": 90}
    changed = client.put("/api/v1/progress/settings", json={"watched_threshold_percent": 60}, headers=ada)
    assert changed.json() == {"watched_threshold_percent": 60}
    # Her threshold applies to her reports only
    assert _report(client, ada, media_id=films[1], position_seconds=3600, duration_seconds=6000).json()["finished"]
    assert not _report(client, bob, media_id=films[1], position_seconds=3600, duration_seconds=6000).json()["finished"]
    assert client.get("/api/v1/progress/settings", headers=bob).json() == {"watched_threshold_percent": 90}
    for wrong in (30, 101, "most", None):
        refused = client.put("/api/v1/progress/settings", json={"watched_threshold_percent": wrong}, headers=ada)
        assert_error(refused, 422, "invalid")
    assert client.get("/api/v1/progress/settings", headers=ada).json() == {"watched_threshold_percent": 60}


def test_progress_needs_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/progress/continue-watching"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/progress", json={}), 401, "not_authenticated")
