"""The release calendar over real HTTP on both engines: login required, bad ranges are 422 with a message,
filters narrow the events, and the iCal feed answers its token (and 404 once it is replaced or revoked)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from seen.db import session_scope
from seen.providers.models import ExternalIds, MediaDetails, MediaSummary, Platform, ReleaseDate
from seen.services import calendar, catalogue
from tests.api.test_auth_api import assert_error, bearer, browser_login, cookie_header, register, session_cookie

TODAY = dt.datetime.now(dt.UTC).date()
MONTH = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
FIRST, LAST = calendar.month_bounds(MONTH)


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


@pytest.fixture
def titles(backend) -> dict[str, int]:
    with session_scope() as session:
        movie = catalogue.store_details(
            session=session,
            details=MediaDetails(
                summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=1), title="Dune: Part Three"),
                release_dates=(
                    ReleaseDate("US", MONTH + dt.timedelta(days=17), "theatrical"),
                    ReleaseDate("GB", MONTH + dt.timedelta(days=16), "theatrical"),
                ),
            ),
        )
        game = catalogue.store_details(
            session=session,
            details=MediaDetails(
                summary=MediaSummary(kind="game", ids=ExternalIds(igdb=2), title="Grand Theft Auto VI"),
                platforms=(Platform(167, "PlayStation 5"),),
                release_dates=(ReleaseDate(None, MONTH + dt.timedelta(days=10), platform=Platform(167)),),
            ),
        )
        return {"movie": movie.id, "game": game.id}


def month(client: httpx.Client, headers: dict[str, str], **params) -> httpx.Response:
    return client.get("/api/v1/calendar", params={"from": FIRST, "to": LAST, **params}, headers=headers)


def test_the_calendar_needs_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/calendar"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/calendar/feed"), 401, "not_authenticated")


def test_a_month_with_filters(client: httpx.Client, callers, titles):
    ada, _ = callers
    response = month(client, ada)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["region"]) == (FIRST.isoformat(), LAST.isoformat(), "US")
    assert [(e["title"], e["kind"], e["label"]) for e in body["events"]] == [
        ("Grand Theft Auto VI", "game_release", "PlayStation 5"),
        ("Dune: Part Three", "movie_release", "Theatrical release (US)"),
    ]
    movie_event = body["events"][1]
    assert movie_event["media"]["id"] == titles["movie"] and movie_event["href"] == f"/app/movies/{titles['movie']}"
    assert movie_event["tracked"] is False and movie_event["date"] == (MONTH + dt.timedelta(days=17)).isoformat()
    # Filters: a kind, a region, a platform, tracked only
    assert [e["kind"] for e in month(client, ada, kind="movie").json()["events"]] == ["movie_release"]
    assert [e["kind"] for e in month(client, ada, kind="movie,game").json()["events"]] == [
        "game_release",
        "movie_release",
    ]
    assert [e["label"] for e in month(client, ada, kind="movie", region="gb").json()["events"]] == [
        "Theatrical release (GB)"
    ]
    assert month(client, ada, tracked="true").json()["events"] == []
    added = client.post("/api/v1/watch-later", json={"media_id": titles["game"]}, headers=ada)
    assert added.status_code == 201
    tracked = month(client, ada, tracked="true").json()["events"]
    assert [(e["title"], e["tracked"]) for e in tracked] == [("Grand Theft Auto VI", True)]
    # Without dates: this month
    assert client.get("/api/v1/calendar", headers=ada).json()["start"] == TODAY.replace(day=1).isoformat()


def test_bad_input_is_422_with_a_message(client: httpx.Client, callers):
    ada, _ = callers
    reversed_range = assert_error(month(client, ada, to=FIRST - dt.timedelta(days=1)), 422, "invalid")
    assert "before it starts" in reversed_range["message"]
    too_long = assert_error(month(client, ada, to=FIRST + dt.timedelta(days=400)), 422, "invalid")
    assert "at most 366 days" in too_long["message"]
    assert "unknown type" in assert_error(month(client, ada, kind="book"), 422, "invalid")["message"]
    assert "two-letter" in assert_error(month(client, ada, region="12"), 422, "invalid")["message"]
    assert assert_error(month(client, ada, **{"from": "yesterday"}), 422, "invalid")["message"]


def test_the_ical_feed_answers_its_token_until_replaced_or_revoked(client: httpx.Client, callers, titles):
    ada, bob = callers
    # Given no feed URL yet (reading it makes none), then Ada's, made on request
    assert client.get("/api/v1/calendar/feed", headers=ada).json() == {"token": None, "path": None, "url": None}
    feed = client.post("/api/v1/calendar/feed", headers=ada).json()
    assert feed["url"] == f"http://testserver.local/api/v1/calendar.ics?token={feed['token']}"
    assert client.get("/api/v1/calendar/feed", headers=ada).json() == feed
    # When a calendar app fetches it (no login)
    response = client.get(feed["path"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2 and "SUMMARY:Dune: Part Three: Theatrical release (US)" in text
    # Filters work on the feed too
    games = client.get("/api/v1/calendar.ics", params={"token": feed["token"], "kind": "game"}).text
    assert games.count("BEGIN:VEVENT") == 1 and "Grand Theft Auto VI" in games
    assert (
        client.get("/api/v1/calendar.ics", params={"token": feed["token"], "tracked": "true"}).text.count(
            "BEGIN:VEVENT"
        )
        == 0
    )
    # A new URL replaces the old one, which answers 404 in the error shape
    rotated = client.post("/api/v1/calendar/feed", headers=ada).json()
    assert rotated["token"] != feed["token"]
    assert_error(client.get(feed["path"]), 404, "not_found")
    assert client.get(rotated["path"]).status_code == 200
    # Revoked: 404, no URL shown any more, and Bob's feed is his own
    assert client.delete("/api/v1/calendar/feed", headers=ada).status_code == 204
    assert_error(client.get(rotated["path"]), 404, "not_found")
    assert client.get("/api/v1/calendar/feed", headers=ada).json()["token"] is None
    assert_error(client.get("/api/v1/calendar.ics", params={"token": "made-up"}), 404, "not_found")
    assert client.post("/api/v1/calendar/feed", headers=bob).json()["token"] not in (feed["token"], rotated["token"])


def test_changing_the_feed_from_a_browser_needs_the_csrf_token(client: httpx.Client, callers):
    cookie = session_cookie(browser_login(client, "ada@example.com"))
    headers = {**cookie_header(cookie), "Origin": "http://testserver.local"}
    assert client.get("/api/v1/calendar/feed", headers=headers).status_code == 200
    assert_error(client.post("/api/v1/calendar/feed", headers=headers), 403, "csrf_failed")
    assert_error(client.delete("/api/v1/calendar/feed", headers=headers), 403, "csrf_failed")
