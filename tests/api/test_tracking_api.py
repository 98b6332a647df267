"""Tracking over real HTTP on both engines: each caller's own watch later, history, ratings and favourites;
another user's ids are not found; bad input is a 422 with a message."""

from __future__ import annotations

import httpx
import pytest

from seen.db import session_scope
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue
from tests.api.test_auth_api import assert_error, bearer, register

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
    assert state == {"in_watch_later": False, "times_watched": 1, "rating": 4.5, "favourite": True}
    assert client.get(f"/api/v1/media/{films[0]}/state", headers=bob).json()["times_watched"] == 0
    future = client.post(
        "/api/v1/watched", json={"media_id": films[1], "watched_at": "2999-01-01T00:00:00Z"}, headers=ada
    )
    assert future.status_code == 422 and "future" in future.text


def test_tracking_needs_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/watch-later"), 401, "not_authenticated")
