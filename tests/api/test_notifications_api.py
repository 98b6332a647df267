"""Notifications over real HTTP on both engines: login required, each caller's own list with its unread count,
marking read by ids or all (another user's id is 404 and marks nothing), settings validated (422)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from seen.db import session_scope
from seen.services import notifications
from tests.api.test_auth_api import assert_error, bearer, register


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str], dict[str, uuid.UUID]]:
    ada, bob = register(client, "ada@example.com"), register(client, "bob@example.com")
    ids = {"ada": uuid.UUID(ada["user"]["id"]), "bob": uuid.UUID(bob["user"]["id"])}
    return bearer(ada), bearer(bob), ids


def give(user_id: uuid.UUID, *titles: str) -> list[int]:
    with session_scope() as session:
        return [
            notifications.notify(
                session=session,
                user_id=user_id,
                kind="download_finished",
                title=title,
                link="/app/downloads",
                dedupe_key=f"test:{title}",
            ).id
            for title in titles
        ]


def test_login_is_required(client: httpx.Client, backend):
    assert_error(client.get("/api/v1/notifications"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/notifications/read", json={"all": True}), 401, "not_authenticated")
    assert_error(client.get("/api/v1/notifications/settings"), 401, "not_authenticated")


def test_list_filter_and_mark_read(client: httpx.Client, callers):
    ada, bob, ids = callers
    # Given three notifications for Ada and one for Bob
    first, second, third = give(ids["ada"], "One", "Two", "Three")
    (bobs,) = give(ids["bob"], "Bob's")
    # When Ada lists hers
    body = client.get("/api/v1/notifications", headers=ada).json()
    # Then she sees her three, newest first, all unread
    assert set(body) == {"items", "unread_count", "next_before"}
    assert [item["title"] for item in body["items"]] == ["Three", "Two", "One"] and body["unread_count"] == 3
    item = body["items"][0]
    assert set(item) == {"id", "kind", "title", "body", "link", "media_id", "created_at", "read", "read_at"}
    assert (item["kind"], item["link"], item["read"]) == ("download_finished", "/app/downloads", False)
    # And a page of one continues with `before`
    page = client.get("/api/v1/notifications", params={"limit": 1}, headers=ada).json()
    assert [item["title"] for item in page["items"]] == ["Three"] and page["next_before"] == third
    older = client.get("/api/v1/notifications", params={"limit": 2, "before": third}, headers=ada).json()
    assert [item["title"] for item in older["items"]] == ["Two", "One"] and older["next_before"] is None
    # When she marks one read by its own route, and another by ids
    one = client.post(f"/api/v1/notifications/{first}/read", headers=ada)
    assert one.status_code == 200 and one.json() == {"marked": 1, "unread_count": 2}
    assert client.post("/api/v1/notifications/read", json={"ids": [second]}, headers=ada).json() == {
        "marked": 1,
        "unread_count": 1,
    }
    # Then the unread filter shows only the third
    unread = client.get("/api/v1/notifications", params={"unread": "true"}, headers=ada).json()
    assert [item["title"] for item in unread["items"]] == ["Three"] and unread["unread_count"] == 1
    # And Bob's id is 404 for Ada, alone or among hers, and marks nothing
    assert_error(client.post(f"/api/v1/notifications/{bobs}/read", headers=ada), 404, "not_found")
    assert_error(client.post("/api/v1/notifications/read", json={"ids": [third, bobs]}, headers=ada), 404, "not_found")
    assert client.get("/api/v1/notifications", headers=ada).json()["unread_count"] == 1
    # And an empty request is refused
    assert_error(client.post("/api/v1/notifications/read", json={}, headers=ada), 422, "invalid")
    # When she marks all read
    assert client.post("/api/v1/notifications/read", json={"all": True}, headers=ada).json() == {
        "marked": 1,
        "unread_count": 0,
    }
    # Then Bob's stays unread
    assert client.get("/api/v1/notifications", headers=bob).json()["unread_count"] == 1


def test_bad_list_parameters_are_422(client: httpx.Client, callers):
    ada, _, _ = callers
    for params in ({"limit": 0}, {"limit": 101}, {"before": 0}, {"unread": "perhaps"}):
        assert client.get("/api/v1/notifications", params=params, headers=ada).status_code == 422


def test_settings_round_trip_and_validation(client: httpx.Client, callers):
    ada, bob, _ = callers
    # Given the defaults
    defaults = client.get("/api/v1/notifications/settings", headers=ada).json()
    assert defaults == {
        "new_episode": True,
        "movie_released": True,
        "game_launched": True,
        "downloads": True,
        "unmatched_files": True,
        "daily_digest": False,
        "digest_hour_utc": 8,
        "last_digest_at": None,
    }
    # When Ada switches downloads off and the digest on at 07:00
    changed = client.put(
        "/api/v1/notifications/settings",
        json={"downloads": False, "daily_digest": True, "digest_hour_utc": 7},
        headers=ada,
    )
    assert changed.status_code == 200, changed.text
    # Then they are kept, and Bob's are untouched
    assert client.get("/api/v1/notifications/settings", headers=ada).json() | {} == defaults | {
        "downloads": False,
        "daily_digest": True,
        "digest_hour_utc": 7,
    }
    assert client.get("/api/v1/notifications/settings", headers=bob).json() == defaults
    # And bad values are 422 with the error shape
    for bad in ({"digest_hour_utc": 24}, {"digest_hour_utc": -3}, {"digest_hour_utc": "noon"}, {"downloads": "maybe"}):
        assert_error(client.put("/api/v1/notifications/settings", json=bad, headers=ada), 422, "invalid")


def test_an_admin_can_run_the_release_check_now(client: httpx.Client, callers, monkeypatch: pytest.MonkeyPatch):
    ada, bob, _ = callers  # Ada registered first: the admin
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(notifications, "enqueue", lambda name, **kwargs: sent.append((name, kwargs)))
    # When the admin asks for a check looking 30 days back
    answer = client.post("/api/v1/notifications/releases/check", json={"lookback_days": 30}, headers=ada)
    # Then the release job is queued with that window
    assert answer.status_code == 202 and answer.json() == {"queued": True}
    assert sent == [("notifications.releases", {"lookback_days": 30})]
    # And a member may not, and a silly window is refused
    assert_error(client.post("/api/v1/notifications/releases/check", json={}, headers=bob), 403, "admin_only")
    assert_error(
        client.post("/api/v1/notifications/releases/check", json={"lookback_days": 99_999}, headers=ada), 422, "invalid"
    )
    assert len(sent) == 1
