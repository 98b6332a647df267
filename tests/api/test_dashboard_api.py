"""The dashboard and the stats over real HTTP on both engines: the caller's own data, fresh after a change
made through the API, a login required, bad parameters refused with a message."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import select

from seen.db import session_scope
from seen.models.downloads import DownloadJob
from seen.models.users import User
from seen.providers.models import ExternalIds, MediaDetails, MediaSummary
from seen.services import catalogue
from tests.api.test_auth_api import assert_error, bearer, register

WIDGETS = {
    "continue_watching",
    "watch_later",
    "game_backlog",
    "recently_played",
    "recently_watched",
    "trending",
    "active_downloads",
    "continue_player_hrefs",
    "recommendations",
    "upcoming_releases",
    "generated_at",
}


@pytest.fixture
def films(backend) -> list[int]:
    with session_scope() as session:
        ids = [
            catalogue.store_details(
                session=session,
                details=MediaDetails(
                    summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=tmdb_id), title=title), runtime=120
                ),
            ).id
            for tmdb_id, title in ((603, "The Matrix"), (949, "Heat"))
        ]
        catalogue.replace_section(session=session, section="trending", kind="movie", media_ids=ids[::-1])
        return ids


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


def test_the_dashboard_shows_the_callers_data_fresh_after_a_change(client: httpx.Client, callers, films):
    ada, bob = callers
    # Given Ada reads her dashboard (now cached) with nothing tracked
    first = client.get("/api/v1/dashboard", headers=ada)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == WIDGETS
    assert body["watch_later"] == {"items": [], "total": 0}
    assert [card["title"] for card in body["trending"]] == ["Heat", "The Matrix"]
    assert body["active_downloads"] == {"items": [], "total": 0}
    assert body["continue_player_hrefs"] == {}
    # When she adds a title and records a viewing over the API
    assert client.post("/api/v1/watch-later", json={"media_id": films[0]}, headers=ada).status_code == 201
    viewing = {"media_id": films[1], "watched_at": datetime.now(UTC).isoformat()}
    assert client.post("/api/v1/watched", json=viewing, headers=ada).status_code == 201
    # Then her next dashboard shows both at once, and Bob's shows neither
    after = client.get("/api/v1/dashboard", headers=ada).json()
    assert after["watch_later"]["total"] == 1 and after["watch_later"]["items"][0]["title"] == "The Matrix"
    assert [item["media"]["title"] for item in after["recently_watched"]] == ["Heat"]
    bobs = client.get("/api/v1/dashboard", headers=bob).json()
    assert bobs["watch_later"]["total"] == 0 and bobs["recently_watched"] == []
    # When a download of Bob's is running (as the runner writes it)
    with session_scope() as session:
        bob_id = session.exec(select(User.id).where(User.email == "bob@example.com")).one()
        session.add(
            DownloadJob(
                user_id=bob_id, source_type="http", source="http://example.org/a.mkv", title="A", status="downloading"
            )
        )
    # Then his next dashboard shows it at once, while the rest still comes from the cache
    live = client.get("/api/v1/dashboard", headers=bob).json()
    assert live["generated_at"] == bobs["generated_at"]
    assert live["active_downloads"]["total"] == 1
    assert [(job["title"], job["status"]) for job in live["active_downloads"]["items"]] == [("A", "downloading")]


def test_stats_over_http(client: httpx.Client, callers, films):
    ada, _ = callers
    viewing = {"media_id": films[0], "watched_at": datetime.now(UTC).isoformat()}
    assert client.post("/api/v1/watched", json=viewing, headers=ada).status_code == 201
    found = client.get("/api/v1/stats?months=3", headers=ada)
    assert found.status_code == 200, found.text
    body = found.json()
    assert set(body) == {"months", "top_genres", "ratings", "totals"}
    assert len(body["months"]) == 3 and body["months"][-1]["viewings"] == 1 and body["months"][-1]["hours"] == 2.0
    assert len(body["ratings"]) == 10 and body["totals"]["movies"] == 1
    assert len(client.get("/api/v1/stats", headers=ada).json()["months"]) == 12


@pytest.mark.parametrize("months", ["0", "121", "many"])
def test_stats_refuse_bad_periods(client: httpx.Client, callers, months):
    ada, _ = callers
    assert (
        "months" in assert_error(client.get(f"/api/v1/stats?months={months}", headers=ada), 422, "invalid")["message"]
    )


def test_both_need_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/dashboard"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/stats"), 401, "not_authenticated")
