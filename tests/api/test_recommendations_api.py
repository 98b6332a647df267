"""Recommendations over real HTTP on both engines: login required, a new user's list is full, votes change
the caller's list only, bad votes and unknown titles are refused with a message, a rescoring on demand."""

from __future__ import annotations

import httpx
import pytest

from seen.db import session_scope
from seen.providers.models import ExternalIds, Genre, MediaDetails, MediaSummary
from seen.services import catalogue
from tests.api.test_auth_api import assert_error, bearer, register


@pytest.fixture
def callers(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    return bearer(register(client, "ada@example.com")), bearer(register(client, "bob@example.com"))


def _summary(kind: str, number: int, title: str, popularity: float) -> MediaSummary:
    ids = ExternalIds(igdb=number) if kind == "game" else ExternalIds(tmdb=number)
    return MediaSummary(
        kind=kind, ids=ids, title=title, year=2001, popularity=popularity, vote_average=7, vote_count=50
    )


@pytest.fixture
def titles(backend) -> dict[str, int]:
    """Dune recommends Arrival; a crime film, a show and a game fill the other genres and kinds."""
    with session_scope() as session:

        def store(kind, number, title, genre, popularity, **extra) -> int:
            provider = "igdb" if kind == "game" else "tmdb"
            details = MediaDetails(
                summary=_summary(kind, number, title, popularity), genres=(Genre(provider, *genre),), **extra
            )
            return catalogue.store_details(session=session, details=details).id

        found = {
            "arrival": store("movie", 329865, "Arrival", (878, "Science Fiction"), 30),
            "heat": store("movie", 949, "Heat", (80, "Crime"), 35),
            "wire": store("show", 1438, "The Wire", (80, "Crime"), 40),
            "hades": store("game", 113112, "Hades", (12, "Role-playing (RPG)"), 20),
        }
        found["dune"] = store(
            "movie",
            438631,
            "Dune",
            (878, "Science Fiction"),
            90,
            recommendations=(_summary("movie", 329865, "Arrival", 30),),
        )
        return found


def test_login_is_required(client: httpx.Client, titles):
    assert_error(client.get("/api/v1/recommendations"), 401, "not_authenticated")
    assert_error(
        client.post(f"/api/v1/recommendations/{titles['dune']}/vote", json={"vote": "up"}), 401, "not_authenticated"
    )
    assert_error(client.get("/api/v1/recommendations/dismissed"), 401, "not_authenticated")


def test_a_new_user_gets_a_full_list_and_history_shapes_it(client: httpx.Client, callers, titles):
    ada, _ = callers
    # Given Ada has no history: popular titles of every kind, each with its reason
    page = client.get("/api/v1/recommendations", headers=ada)
    assert page.status_code == 200, page.text
    body = page.json()
    assert set(body) == {"items", "total", "generated_at", "limit", "offset"}
    assert body["total"] == 5 and body["generated_at"]
    first = body["items"][0]
    assert set(first) == {"media", "score", "reasons", "vote"}
    assert first["reasons"][0].startswith("Popular in ") and first["media"]["href"].startswith("/app/")
    games = client.get("/api/v1/recommendations", params={"kind": "game"}, headers=ada).json()
    assert [item["media"]["title"] for item in games["items"]] == ["Hades"]
    paged = client.get("/api/v1/recommendations", params={"limit": 2, "offset": 1}, headers=ada).json()
    assert len(paged["items"]) == 2 and paged["total"] == 5
    # When she watches Dune and asks for a rescoring
    watched = client.post("/api/v1/watched", json={"media_id": titles["dune"]}, headers=ada)
    assert watched.status_code in (200, 201), watched.text
    fresh = client.post("/api/v1/recommendations/refresh", headers=ada).json()
    # Then Dune is gone and Arrival leads, saying why
    assert titles["dune"] not in [item["media"]["id"] for item in fresh["items"]]
    assert fresh["items"][0]["media"]["title"] == "Arrival"
    assert "Because you watched Dune" in fresh["items"][0]["reasons"]


def test_votes_hide_and_undo_for_the_caller_only(client: httpx.Client, callers, titles):
    ada, bob = callers
    vote_path = f"/api/v1/recommendations/{titles['heat']}/vote"
    # When Ada is not interested in Heat it leaves her list at once and is listed as dismissed
    answer = client.post(vote_path, json={"vote": "not_interested"}, headers=ada)
    assert answer.status_code == 200 and answer.json() == {"media_id": titles["heat"], "vote": "not_interested"}
    mine = client.get("/api/v1/recommendations", params={"limit": 100}, headers=ada).json()
    assert titles["heat"] not in [item["media"]["id"] for item in mine["items"]]
    dismissed = client.get("/api/v1/recommendations/dismissed", headers=ada).json()
    assert [(entry["media"]["title"], entry["vote"]) for entry in dismissed] == [("Heat", "not_interested")]
    # And Bob's list still has it, with no vote
    his = client.get("/api/v1/recommendations", params={"limit": 100}, headers=bob).json()
    assert {item["media"]["id"]: item["vote"] for item in his["items"]}[titles["heat"]] is None
    assert client.get("/api/v1/recommendations/dismissed", headers=bob).json() == []
    # When she clears the vote, Heat is back
    assert client.post(vote_path, json={"vote": None}, headers=ada).json()["vote"] is None
    again = client.get("/api/v1/recommendations", params={"limit": 100}, headers=ada).json()
    assert titles["heat"] in [item["media"]["id"] for item in again["items"]]
    # A thumbs up shows on the item
    client.post(f"/api/v1/recommendations/{titles['wire']}/vote", json={"vote": "up"}, headers=ada)
    upped = client.get("/api/v1/recommendations", params={"kind": "show"}, headers=ada).json()
    assert upped["items"][0]["vote"] == "up"


def test_bad_votes_and_unknown_titles_are_refused(client: httpx.Client, callers, titles):
    ada, _ = callers
    path = f"/api/v1/recommendations/{titles['heat']}/vote"
    assert_error(client.post(path, json={"vote": "meh"}, headers=ada), 422, "invalid")
    assert_error(client.post(path, json={}, headers=ada), 422, "invalid")
    unknown = client.post("/api/v1/recommendations/999999/vote", json={"vote": "up"}, headers=ada)
    assert "unknown media id" in assert_error(unknown, 422, "invalid")["message"]
    assert_error(client.post("/api/v1/recommendations/abc/vote", json={"vote": "up"}, headers=ada), 422, "invalid")
    assert_error(client.get("/api/v1/recommendations", params={"kind": "book"}, headers=ada), 422, "invalid")
    assert_error(client.get("/api/v1/recommendations", params={"limit": 0}, headers=ada), 422, "invalid")
