"""The catalogue over real HTTP: Discover sections, browsing, search, detail views and the admin provider
settings, against the local fake TMDB/IGDB and the demo catalogue, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from seen.services import catalogue_sync
from tests.api.test_auth_api import assert_error, bearer, register
from tests.fakes.provider_server import FakeUrls, ProviderFake

ENVELOPE = {"items", "total", "page", "page_size"}


@pytest.fixture
def admin(client: httpx.Client) -> dict[str, str]:
    return bearer(register(client, "admin@example.com"))


@pytest.fixture
def member(client: httpx.Client, admin) -> dict[str, str]:
    return bearer(register(client, "member@example.com"))


@pytest.fixture
def with_providers(settings_env, urls: FakeUrls, fake: ProviderFake, monkeypatch: pytest.MonkeyPatch) -> ProviderFake:
    monkeypatch.setattr(catalogue_sync, "RETRY_BASE_SECONDS", 0.0)
    settings_env(**{name.removeprefix("SEEN_"): value for name, value in urls.settings_env(fake).items()})
    return fake


@pytest.fixture
def demo_synced(backend) -> None:
    for job in ("trending", "lists", "games"):
        catalogue_sync.sync_sections(job=job)


def test_catalogue_needs_a_login(client: httpx.Client):
    assert_error(client.get("/api/v1/discover", params={"section": "trending"}), 401, "not_authenticated")


@pytest.mark.parametrize(
    "section",
    list(catalogue_sync.sections_of_job("trending"))
    + list(catalogue_sync.sections_of_job("lists"))
    + list(catalogue_sync.sections_of_job("games")),
    ids=lambda s: s.name,
)
def test_every_discover_section_answers_the_envelope(client, member, demo_synced, section):
    response = client.get("/api/v1/discover", params={"section": section.name}, headers=member)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == ENVELOPE and body["page"] == 1 and body["page_size"] == 20
    assert body["items"], section.name
    assert all({"id", "type", "title"} <= set(item) and item["type"] in section.kinds for item in body["items"])


def test_discover_refuses_an_unknown_section_and_bad_paging(client, member):
    assert client.get("/api/v1/discover", params={"section": "bogus"}, headers=member).status_code == 422
    assert client.get("/api/v1/discover", params={"section": "popular", "page": 0}, headers=member).status_code == 422
    too_big = client.get("/api/v1/discover", params={"section": "popular", "page_size": 1000}, headers=member)
    assert too_big.status_code == 422


def test_discover_pages_and_genre_filter(client, member, demo_synced):
    first = client.get(
        "/api/v1/discover", params={"section": "popular", "type": "movie", "page_size": 5}, headers=member
    ).json()
    second = client.get(
        "/api/v1/discover", params={"section": "popular", "type": "movie", "page_size": 5, "page": 2}, headers=member
    ).json()
    assert first["total"] > 5 and len(first["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    genres = client.get("/api/v1/genres", params={"type": "movie"}, headers=member).json()
    drama = next(g for g in genres if g["name"] == "Drama")
    filtered = client.get(
        "/api/v1/discover", params={"section": "popular", "type": "movie", "genre": drama["id"]}, headers=member
    ).json()
    assert 0 < filtered["total"] < first["total"]
    for item in filtered["items"][:3]:
        detail = client.get(f"/api/v1/media/{item['id']}", headers=member).json()
        assert "Drama" in [g["name"] for g in detail["media"]["genres"]]


def test_browse_movies_shows_and_games(client, member, demo_synced):
    for path, kind in (("/api/v1/movies", "movie"), ("/api/v1/shows", "show"), ("/api/v1/games", "game")):
        body = client.get(path, params={"sort": "rating", "page_size": 10}, headers=member).json()
        assert set(body) == ENVELOPE and body["items"] and {i["type"] for i in body["items"]} == {kind}
    platforms = client.get("/api/v1/platforms", headers=member).json()
    switch = next(p for p in platforms if "Switch" in p["name"])
    games = client.get("/api/v1/games", params={"platform": switch["id"]}, headers=member).json()
    assert games["total"] > 0
    assert client.get("/api/v1/movies", params={"sort": "bogus"}, headers=member).status_code == 422


def test_media_detail_season_and_person(client, member, demo_synced):
    show = client.get("/api/v1/discover", params={"section": "popular", "type": "show"}, headers=member).json()
    show_id = show["items"][0]["id"]
    detail = client.get(f"/api/v1/media/{show_id}", headers=member).json()
    assert detail["media"]["title"] and detail["media"]["type"] == "show" and detail["media"]["seasons"]
    number = detail["media"]["seasons"][0]["number"]
    season = client.get(f"/api/v1/media/{show_id}/seasons/{number}", headers=member)
    assert season.status_code == 200 and season.json()["season"]["episodes"]
    person_id = (detail["media"]["cast"] or detail["media"]["crew"])[0]["person_id"]
    person = client.get(f"/api/v1/people/{person_id}", headers=member).json()
    assert any(line["media"]["id"] == show_id for line in person["person"]["credits"])
    assert_error(client.get("/api/v1/media/99999999", headers=member), 404, "not_found")
    assert client.get(f"/api/v1/media/{show_id}/seasons/9999", headers=member).status_code == 404
    assert client.get("/api/v1/media/not-a-number", headers=member).status_code == 422


@pytest.mark.parametrize(
    "query",
    ["matrix", "the matrx", "'; DROP TABLE media_items; --", "%_\\", "NEAR(a b)", "\U0001f3ac" * 300, "x" * 5000, " "],
)
def test_search_takes_any_text(client, member, demo_synced, query):
    response = client.get("/api/v1/search", params={"q": query}, headers=member)
    assert response.status_code == 200, response.text
    assert set(response.json()) == ENVELOPE
    suggest = client.get("/api/v1/search/suggest", params={"q": query}, headers=member)
    assert suggest.status_code == 200


def test_search_is_typo_tolerant_and_filters_by_type(client, member, demo_synced):
    hits = client.get("/api/v1/search", params={"q": "the matrx"}, headers=member).json()["items"]
    assert hits and hits[0]["title"] == "The Matrix" and hits[0]["href"] == f"/app/movies/{hits[0]['id']}"
    games = client.get("/api/v1/search", params={"q": "zelda", "type": "game"}, headers=member).json()["items"]
    assert games and {hit["type"] for hit in games} == {"game"}
    suggestions = client.get("/api/v1/search/suggest", params={"q": "matr"}, headers=member).json()
    assert any(item["title"] == "The Matrix" for item in suggestions)
    assert client.get("/api/v1/search", params={"q": "x", "type": "bogus"}, headers=member).status_code == 422


def test_search_merges_provider_results(client, member, with_providers: ProviderFake):
    # Given an empty catalogue and TMDB configured (the fake's recorded multi search finds The Matrix and
    # Game of Thrones)
    body = client.get("/api/v1/search", params={"q": "matrix", "type": ["movie", "show"]}, headers=member).json()
    # Then the provider's titles were stored and come back with our ids
    titles = {item["title"]: item for item in body["items"]}
    assert "The Matrix" in titles and isinstance(titles["The Matrix"]["id"], int)
    assert with_providers.requests_to("/3/search/multi")
    # And the next search finds them locally, without asking the provider
    local = client.get("/api/v1/search", params={"q": "matrix", "providers": "false"}, headers=member).json()
    assert [item["title"] for item in local["items"]][:1] == ["The Matrix"]


def test_detail_missing_locally_is_fetched_from_the_provider(client, member, with_providers):
    # Given a title stored from a provider search only (a summary)
    client.get("/api/v1/search", params={"q": "matrix", "type": "movie"}, headers=member)
    found = client.get(
        "/api/v1/search", params={"q": "the matrix", "type": "movie", "providers": "false"}, headers=member
    ).json()["items"]
    assert found and found[0]["title"] == "The Matrix"
    # When its page is read, the details are fetched at once from TMDB and stored
    detail = client.get(f"/api/v1/media/{found[0]['id']}", headers=member).json()
    assert detail["freshness"] == {"state": "fresh", "notice": None}
    assert detail["media"]["details_loaded"] and detail["media"]["runtime"] and detail["media"]["cast"]
    assert with_providers.requests_to("/3/movie/603")


def test_catalogue_sources_say_demo(client, member, demo_synced):
    body = client.get("/api/v1/catalogue/sources", headers=member).json()
    assert body == {"sources": {"movie": "demo", "show": "demo", "game": "demo"}, "demo": True, "notice": None}


def test_admin_provider_settings_are_masked_validated_and_tested(client, admin, member, with_providers):
    # Given TMDB configured by the environment (the fake's key)
    statuses = {s["name"]: s for s in client.get("/api/v1/admin/providers", headers=admin).json()}
    key_field = next(f for f in statuses["tmdb"]["fields"] if f["name"] == "tmdb_api_key")
    assert key_field["secret"] and with_providers.tmdb_api_key not in key_field["value"]
    # The connection test passes against the fake
    ok = client.post("/api/v1/admin/providers/test", json={"provider": "tmdb"}, headers=admin).json()
    assert ok["ok"] is True, ok
    # An admin overrides the key with a wrong one: the test says so, without a 500
    client.patch("/api/v1/admin/providers", json={"tmdb_api_key": "wrong"}, headers=admin).raise_for_status()
    refused = client.post("/api/v1/admin/providers/test", json={"provider": "tmdb"}, headers=admin).json()
    assert refused["ok"] is False and "rejected" in refused["message"]
    # Clearing the override goes back to the environment's key
    client.patch("/api/v1/admin/providers", json={"tmdb_api_key": ""}, headers=admin).raise_for_status()
    assert client.post("/api/v1/admin/providers/test", json={"provider": "tmdb"}, headers=admin).json()["ok"]
    # Bad values are refused with a message; members are refused altogether
    bad = client.patch("/api/v1/admin/providers", json={"tmdb_region": "usa"}, headers=admin)
    assert bad.status_code == 422 and "tmdb_region" in bad.text
    assert client.get("/api/v1/admin/providers", headers=member).status_code == 403
    assert client.get("/api/v1/admin/sync-log", headers=admin).status_code == 200
