"""The game backlog over real HTTP on both engines: a game's entry is put, read and removed; the backlog lists
by status with counts; only fields sent change; another user's entries are 404; bad input is a 422."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlmodel import select

from seen.db import session_scope
from seen.models import media as tables
from seen.providers.models import ExternalIds, MediaDetails, MediaSummary, Platform
from seen.services import catalogue
from tests.api.test_auth_api import assert_error, bearer, register

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


@pytest.fixture
def catalogue_ids(backend) -> dict[str, int]:
    """Two games (Hades on PC and Switch; Doom without platforms), a movie, and the platforms' own ids."""
    with session_scope() as session:
        hades = catalogue.store_details(
            session=session,
            details=MediaDetails(
                summary=MediaSummary(kind="game", ids=ExternalIds(igdb=113112), title="Hades"),
                platforms=(Platform(6, "PC (Microsoft Windows)"), Platform(130, "Nintendo Switch")),
            ),
        ).id
        doom = catalogue.store_summary(
            session=session, summary=MediaSummary(kind="game", ids=ExternalIds(igdb=7351), title="Doom")
        ).id
        movie = catalogue.store_summary(
            session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=603), title="The Matrix")
        ).id
        session.flush()
        platforms = dict(session.exec(select(tables.Platform.igdb_id, tables.Platform.id)).all())
        return {"hades": hades, "doom": doom, "movie": movie, "pc": platforms[6], "switch": platforms[130]}


def test_a_games_entry_round_trip(client: httpx.Client, callers, catalogue_ids):
    ada, _ = callers
    url = f"/api/v1/games/{catalogue_ids['hades']}/backlog"
    assert_error(client.get(url, headers=ada), 404, "not_found")
    # When Ada starts playing Hades on Switch
    put = client.put(
        url, json={"status": "active", "platform_id": catalogue_ids["switch"], "hours_played": 3.5}, headers=ada
    )
    assert put.status_code == 200, put.text
    entry = put.json()
    assert (entry["status"], entry["platform_name"], entry["hours_played"]) == ("active", "Nintendo Switch", 3.5)
    assert entry["started_on"] == TODAY.isoformat() and entry["media"]["title"] == "Hades"
    # When only the hours are sent, the rest stays; a null empties a field
    more = client.put(url, json={"hours_played": 20}, headers=ada).json()
    assert (more["status"], more["platform_id"], more["hours_played"]) == ("active", catalogue_ids["switch"], 20)
    cleared = client.put(url, json={"platform_id": None, "notes": "Elysium is hard"}, headers=ada).json()
    assert (cleared["platform_id"], cleared["notes"], cleared["hours_played"]) == (None, "Elysium is hard", 20)
    # When it is completed, its finish is dated and it reads back the same
    done = client.put(url, json={"status": "completed", "completion": "completionist"}, headers=ada).json()
    assert (done["finished_on"], done["completion"]) == (TODAY.isoformat(), "completionist")
    assert client.get(url, headers=ada).json() == done
    # When it is removed, it is gone
    assert client.delete(url, headers=ada).status_code == 204
    assert_error(client.get(url, headers=ada), 404, "not_found")
    assert_error(client.delete(url, headers=ada), 404, "not_found")


def test_the_backlog_lists_by_status_with_counts(client: httpx.Client, callers, catalogue_ids):
    ada, bob = callers
    client.put(f"/api/v1/games/{catalogue_ids['doom']}/backlog", json={"status": "wishlist"}, headers=ada)
    client.put(f"/api/v1/games/{catalogue_ids['hades']}/backlog", json={"status": "active"}, headers=ada)
    listed = client.get("/api/v1/backlog", headers=ada).json()
    assert set(listed) == {"items", "total", "page", "page_size", "counts"}
    assert [item["media"]["title"] for item in listed["items"]] == ["Hades", "Doom"] and listed["total"] == 2
    assert listed["counts"] == {"wishlist": 1, "active": 1, "paused": 0, "completed": 0, "dropped": 0}
    wishlist = client.get("/api/v1/backlog", params={"status": "wishlist", "page_size": 1}, headers=ada).json()
    assert [item["media"]["title"] for item in wishlist["items"]] == ["Doom"] and wishlist["total"] == 1
    unknown = client.get("/api/v1/backlog", params={"status": "finished"}, headers=ada)
    assert "unknown backlog status" in assert_error(unknown, 422, "invalid")["message"]
    assert client.get("/api/v1/backlog", headers=bob).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "beaten"}, "unknown backlog status"),
        ({"status": "active", "completion": "most"}, "unknown completion"),
        ({"status": "active", "hours_played": -2}, "between 0 and 100000"),
        ({"status": "active", "started_on": (TODAY + dt.timedelta(days=5)).isoformat()}, "future"),
        ({"status": "active", "started_on": "2024-05-02", "finished_on": "2024-05-01"}, "start date is after"),
        ({"status": "active", "started_on": "yesterday"}, "started_on"),
        ({"status": "active", "notes": "n" * 4001}, "4000"),
        ({"status": "active", "hours_played": "lots"}, "hours_played"),
    ],
)
def test_bad_input_is_a_422_with_a_message(client: httpx.Client, callers, catalogue_ids, body, message):
    ada, _ = callers
    response = client.put(f"/api/v1/games/{catalogue_ids['hades']}/backlog", json=body, headers=ada)
    assert message in assert_error(response, 422, "invalid")["message"]
    assert_error(client.get(f"/api/v1/games/{catalogue_ids['hades']}/backlog", headers=ada), 404, "not_found")


def test_only_games_known_platforms_and_known_ids(client: httpx.Client, callers, catalogue_ids):
    ada, _ = callers
    movie = client.put(f"/api/v1/games/{catalogue_ids['movie']}/backlog", json={"status": "active"}, headers=ada)
    assert "only games" in assert_error(movie, 422, "invalid")["message"]
    unknown = client.put("/api/v1/games/999999/backlog", json={"status": "active"}, headers=ada)
    assert "unknown media id" in assert_error(unknown, 422, "invalid")["message"]
    wrong_platform = client.put(
        f"/api/v1/games/{catalogue_ids['hades']}/backlog",
        json={"status": "active", "platform_id": 424242},
        headers=ada,
    )
    assert_error(wrong_platform, 422, "invalid")
    # A game without listed platforms takes any known one
    doom = client.put(
        f"/api/v1/games/{catalogue_ids['doom']}/backlog",
        json={"status": "active", "platform_id": catalogue_ids["pc"]},
        headers=ada,
    )
    assert doom.status_code == 200 and doom.json()["platform_name"] == "PC (Microsoft Windows)"


def test_another_users_entry_is_404_and_login_is_needed(client: httpx.Client, callers, catalogue_ids):
    ada, bob = callers
    url = f"/api/v1/games/{catalogue_ids['hades']}/backlog"
    client.put(url, json={"status": "paused", "notes": "Ada's run"}, headers=ada)
    assert_error(client.get(url, headers=bob), 404, "not_found")
    assert_error(client.delete(url, headers=bob), 404, "not_found")
    assert client.get(url, headers=ada).json()["notes"] == "Ada's run"
    assert_error(client.get(url), 401, "not_authenticated")
    assert_error(client.get("/api/v1/backlog"), 401, "not_authenticated")
