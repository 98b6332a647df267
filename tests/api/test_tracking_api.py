"""Tracking over real HTTP on both engines: each caller's own watch later, history, ratings and favourites;
another user's ids are not found; bad input is a 422 with a message."""

from __future__ import annotations

import httpx
import pytest

from seen.db import session_scope
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue
from tests.api.test_auth_api import assert_error, bearer, register
from tests.services.test_tracking import store_show

ENVELOPE = {"items", "total", "page", "page_size"}


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


@pytest.fixture
def films(backend) -> list[int]:
    with session_scope() as session:
        return [
            catalogue.store_summary(
                session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=tmdb_id), title=title)
            ).id
            for tmdb_id, title in ((603, "The Matrix"), (949, "Heat"))
        ]


def test_watch_later_round_trip(client: httpx.Client, callers, films):
    ada, bob = callers
    assert client.post("/api/v1/watch-later", json={"media_id": films[0]}, headers=ada).json() == {"added": True}
    assert client.post("/api/v1/watch-later", json={"media_id": films[1]}, headers=ada).status_code == 201
    again = client.post("/api/v1/watch-later", json={"media_id": films[0]}, headers=ada)
    assert again.json() == {"added": False}
    listed = client.get("/api/v1/watch-later", headers=ada).json()
    assert set(listed) == ENVELOPE and [i["title"] for i in listed["items"]] == ["The Matrix", "Heat"]
    order = client.put("/api/v1/watch-later/order", json={"media_ids": [films[1], films[0]]}, headers=ada)
    assert order.status_code == 204
    assert [i["id"] for i in client.get("/api/v1/watch-later", headers=ada).json()["items"]] == films[::-1]
    assert client.get("/api/v1/watch-later", headers=bob).json()["total"] == 0
    assert_error(client.delete(f"/api/v1/watch-later/{films[0]}", headers=bob), 404, "not_found")
    assert client.delete(f"/api/v1/watch-later/{films[0]}", headers=ada).status_code == 204
    assert_error(client.post("/api/v1/watch-later", json={"media_id": 999999}, headers=ada), 422, "invalid")


def test_history_ratings_and_favourites(client: httpx.Client, callers, films):
    ada, bob = callers
    viewing = client.post(
        "/api/v1/watched", json={"media_id": films[0], "watched_at": "2024-05-01T20:00:00Z"}, headers=ada
    )
    assert viewing.status_code == 201
    history = client.get("/api/v1/watched", headers=ada).json()
    assert history["total"] == 1 and history["items"][0]["media"]["title"] == "The Matrix"
    assert_error(client.delete(f"/api/v1/watched/{viewing.json()['id']}", headers=bob), 404, "not_found")
    assert client.post("/api/v1/ratings", json={"media_id": films[0], "rating": 4.5}, headers=ada).status_code == 204
    assert_error(client.post("/api/v1/ratings", json={"media_id": films[0], "rating": 7}, headers=ada), 422, "invalid")
    assert client.put(f"/api/v1/favorites/{films[0]}", headers=ada).status_code == 204
    state = client.get(f"/api/v1/media/{films[0]}/state", headers=ada).json()
    assert state == {
        "in_watch_later": False,
        "times_watched": 1,
        "rating": 4.5,
        "favourite": True,
        "watched_episodes": 0,
        "up_next": None,
    }
    assert client.get(f"/api/v1/media/{films[0]}/state", headers=bob).json()["times_watched"] == 0
    future = client.post(
        "/api/v1/watched", json={"media_id": films[1], "watched_at": "2999-01-01T00:00:00Z"}, headers=ada
    )
    assert future.status_code == 422 and "future" in future.text


def test_tracking_needs_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/watch-later"), 401, "not_authenticated")


@pytest.fixture
def wire(backend) -> int:
    with session_scope() as session:
        return store_show(session)


def test_whole_seasons_and_shows_and_up_next(client: httpx.Client, callers, wire):
    ada, bob = callers
    # Given nothing watched: no episode is up next (200 with null)
    up_next = client.get(f"/api/v1/shows/{wire}/up-next", headers=ada)
    assert up_next.status_code == 200 and up_next.json() is None
    # When Ada marks season 1 at a date, then the whole show
    season = client.post(
        "/api/v1/watched/season",
        json={"media_id": wire, "season_number": 1, "watched_at": "2024-02-01T21:00:00Z"},
        headers=ada,
    )
    assert season.status_code == 201 and season.json() == {"added": 3}
    assert client.get(f"/api/v1/shows/{wire}/up-next", headers=ada).json() == {
        "media_id": wire,
        "season_number": 2,
        "episode_number": 1,
        "title": "The Wire 2x1",
        "air_date": "2003-06-02",
        "runtime_minutes": 60,
        "href": f"/app/shows/{wire}/season/2",
    }
    assert client.post("/api/v1/watched/show", json={"media_id": wire}, headers=ada).json() == {"added": 1}
    # Then the detail page's state counts the episodes, and nothing aired is left
    state = client.get(f"/api/v1/media/{wire}/state", headers=ada).json()
    assert (state["times_watched"], state["watched_episodes"], state["up_next"]) == (4, 4, None)
    # And Bob's view of the show is empty
    assert client.get(f"/api/v1/media/{wire}/state", headers=bob).json()["watched_episodes"] == 0
    assert client.get(f"/api/v1/shows/{wire}/up-next", headers=bob).json() is None


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/v1/watched/season", {"season_number": 9}, "no season 9"),
        ("/api/v1/watched/season", {"season_number": -1}, "season_number"),
        ("/api/v1/watched/season", {}, "season_number"),
        ("/api/v1/watched/show", {"watched_at": "2999-01-01T00:00:00Z"}, "future"),
        ("/api/v1/watched/show", {"media_id": 999999}, "unknown media id"),
        ("/api/v1/watched/show", {"media_id": "film"}, "media_id"),
    ],
)
def test_impossible_bulk_viewings_are_422_with_a_message(client: httpx.Client, callers, wire, path, body, message):
    error = assert_error(client.post(path, json={"media_id": wire, **body}, headers=callers[0]), 422, "invalid")
    assert message in error["message"]
    assert client.get("/api/v1/history", headers=callers[0]).json()["total"] == 0


def test_up_next_of_a_film_or_an_unknown_title_is_422(client: httpx.Client, callers, films):
    assert (
        "only a show"
        in assert_error(client.get(f"/api/v1/shows/{films[0]}/up-next", headers=callers[0]), 422, "invalid")["message"]
    )
    assert_error(client.get("/api/v1/shows/999999/up-next", headers=callers[0]), 422, "invalid")


def test_history_filters_and_edits(client: httpx.Client, callers, films, wire):
    ada, bob = callers
    for media_id, when in ((films[0], "2024-03-01T10:00:00Z"), (films[1], "2024-03-05T10:00:00Z")):
        assert client.post("/api/v1/watched", json={"media_id": media_id, "watched_at": when}, headers=ada).is_success
    episode = {"media_id": wire, "season_number": 1, "episode_number": 1, "watched_at": "2024-03-10T23:59:00Z"}
    assert client.post("/api/v1/watched", json=episode, headers=ada).is_success

    def titles(path: str = "/api/v1/history", **params) -> list[str]:
        page = client.get(path, params=params, headers=ada).json()
        assert set(page) == ENVELOPE and page["total"] == len(page["items"])
        return [item["media"]["title"] for item in page["items"]]

    assert titles() == ["The Wire", "Heat", "The Matrix"] == titles("/api/v1/watched")
    assert titles(kind="movie") == ["Heat", "The Matrix"] == titles("/api/v1/watched", kind="movie")
    assert titles(kind="show", q="wire") == ["The Wire"]
    assert titles(since="2024-03-05", until="2024-03-10") == ["The Wire", "Heat"]
    assert titles(media_id=films[0]) == ["The Matrix"]
    assert titles(q="nothing like it") == []
    shown = client.get("/api/v1/history", params={"kind": "show"}, headers=ada).json()["items"][0]
    assert (shown["season_number"], shown["episode_number"], shown["episode_title"]) == (1, 1, "The Wire 1x1")
    # Bad filters are 422 with a message
    for params, message in (
        ({"kind": "game"}, "kind"),
        ({"since": "2024-03-09", "until": "2024-03-01"}, "start date is after the end date"),
        ({"since": "yesterday"}, "since"),
        ({"q": "x" * 101}, "q"),
    ):
        error = assert_error(client.get("/api/v1/history", params=params, headers=ada), 422, "invalid")
        assert message in error["message"]
    # A viewing moves to another date; not into the future, and not by Bob
    matrix = client.get("/api/v1/history", params={"media_id": films[0]}, headers=ada).json()["items"][0]["id"]
    moved = client.patch(f"/api/v1/watched/{matrix}", json={"watched_at": "2024-04-01T08:00:00Z"}, headers=ada)
    assert moved.status_code == 204
    assert titles()[0] == "The Matrix"
    assert_error(
        client.patch(f"/api/v1/watched/{matrix}", json={"watched_at": "2024-04-02T08:00:00Z"}, headers=bob),
        404,
        "not_found",
    )
    future = client.patch(f"/api/v1/watched/{matrix}", json={"watched_at": "2999-01-01T00:00:00Z"}, headers=ada)
    assert "future" in assert_error(future, 422, "invalid")["message"]
    assert_error(client.patch(f"/api/v1/watched/{matrix}", json={}, headers=ada), 422, "invalid")
    assert client.get("/api/v1/history", headers=bob).json()["total"] == 0
