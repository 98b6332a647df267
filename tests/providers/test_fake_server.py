"""The fake TMDB + IGDB + Twitch serves recorded responses unchanged, and answers auth and faults like them.

The corpus tests read `../shared/corpora`: they skip when it is absent locally and fail under CI=true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import skip_or_fail
from tests.fakes.provider_server import (
    FIXTURES,
    IGDB_CORPUS,
    TMDB_CORPUS,
    FakeUrls,
    ProviderFake,
    igdb_file_stem,
    serve,
)

# IGDB v4's endpoint names (api-docs.igdb.com) that the recorded *_list.json files belong to.
IGDB_ENDPOINTS = [
    "age_ratings",
    "age_rating_content_descriptions",
    "alternative_names",
    "artworks",
    "characters",
    "character_mug_shots",
    "collections",
    "companies",
    "company_logos",
    "company_websites",
    "covers",
    "external_games",
    "franchises",
    "games",
    "game_engines",
    "game_engine_logos",
    "game_modes",
    "game_versions",
    "game_version_features",
    "game_version_feature_values",
    "game_videos",
    "genres",
    "involved_companies",
    "keywords",
    "multiplayer_modes",
    "platforms",
    "platform_families",
    "platform_logos",
    "platform_versions",
    "platform_version_companies",
    "platform_version_release_dates",
    "platform_websites",
    "player_perspectives",
    "release_dates",
    "screenshots",
    "themes",
    "websites",
]


def loaded(path: Path) -> object:
    return json.loads(path.read_bytes())


def token_for(http: httpx.Client, fake: ProviderFake) -> str:
    answer = http.post(
        "/oauth2/token",
        params={
            "client_id": fake.twitch_client_id,
            "client_secret": fake.twitch_client_secret,
            "grant_type": "client_credentials",
        },
    )
    assert answer.status_code == 200
    return answer.json()["access_token"]


def igdb_headers(fake: ProviderFake, token: str) -> dict[str, str]:
    return {"Client-ID": fake.twitch_client_id, "Authorization": f"Bearer {token}"}


@pytest.fixture
def http(urls: FakeUrls) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=urls.root, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def corpus_only() -> Iterator[tuple[ProviderFake, httpx.Client]]:
    """A fake serving only the recorded corpus, so our own fixtures cannot shadow a recorded path."""
    if not (TMDB_CORPUS / "_index.json").is_file() or not IGDB_CORPUS.is_dir():
        skip_or_fail(f"the recorded provider corpus is absent under {TMDB_CORPUS.parent.parent}")
    fake = ProviderFake(fixtures=None)
    with serve(fake) as urls, httpx.Client(base_url=urls.root, timeout=10) as client:
        yield fake, client


# -- the recorded corpus -----------------------------------------------------------------------


def test_every_recorded_tmdb_example_is_served_unchanged_with_its_status(
    corpus_only: tuple[ProviderFake, httpx.Client],
):
    # Given every entry of the corpus index
    fake, http = corpus_only
    entries = json.loads((TMDB_CORPUS / "_index.json").read_text())
    assert len(entries) >= 150

    # When each is requested, any value standing in for its placeholders (a wrong key for a recorded 401)
    mismatches = []
    for entry in entries:
        path = re.sub(r"\{[^}/]+\}", "1", entry["path"])
        key = fake.tmdb_api_key if entry["status"] == "200" else "wrong-key"
        answer = http.request(entry["method"], path, params={"api_key": key})
        expected = loaded(TMDB_CORPUS / entry["file"])
        if answer.status_code != int(entry["status"]) or json.loads(answer.content) != expected:
            mismatches.append((entry["file"], entry["method"], path, answer.status_code))

    # Then each answer is the recorded body with the recorded status
    assert mismatches == []


def test_a_literal_tmdb_path_beats_a_placeholder(corpus_only: tuple[ProviderFake, httpx.Client]):
    # Given /3/movie/popular and /3/movie/{movie_id} are both recorded
    fake, http = corpus_only

    # When the literal path is asked for
    answer = http.get("/3/movie/popular", params={"api_key": fake.tmdb_api_key})

    # Then the popular list is served, not a movie's details
    assert answer.json() == loaded(TMDB_CORPUS / "movie-popular-list.200.json")
    assert "results" in answer.json()


def test_every_recorded_igdb_list_is_reachable(corpus_only: tuple[ProviderFake, httpx.Client]):
    # Given a token from the fake Twitch
    fake, http = corpus_only
    headers = igdb_headers(fake, token_for(http, fake))

    # When every IGDB endpoint is queried
    served = set()
    for endpoint in IGDB_ENDPOINTS:
        answer = http.post(f"/v4/{endpoint}", content="fields *; limit 10;", headers=headers)
        file = IGDB_CORPUS / f"{igdb_file_stem(endpoint)}_list.json"
        assert answer.status_code == 200, endpoint
        assert json.loads(answer.content) == loaded(file), endpoint
        served.add(file.name)

    # Then every recorded list file was served by its endpoint
    assert served == {path.name for path in IGDB_CORPUS.glob("*_list.json")}


def test_igdb_search_and_by_id_queries_get_their_recordings(corpus_only: tuple[ProviderFake, httpx.Client]):
    # Given a token
    fake, http = corpus_only
    headers = igdb_headers(fake, token_for(http, fake))

    # When games are searched, one game is fetched by id, and the multi-search endpoint is used
    search = http.post("/v4/games", content='search "sonic"; fields *;', headers=headers)
    by_id = http.post("/v4/games", content="fields *; where id = 7346;", headers=headers)
    multi = http.post("/v4/search", content='search "sonic"; fields *;', headers=headers)

    # Then each gets its recorded file
    assert search.json() == loaded(IGDB_CORPUS / "game_search.json")
    assert by_id.json() == loaded(IGDB_CORPUS / "game_get.json")
    assert multi.json() == loaded(IGDB_CORPUS / "search.json")


# -- our own fixtures --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trending/movie/week", "movie/550", "genre/movie/list", "search/multi"])
def test_our_tmdb_fixtures_are_served_unchanged(name: str, fake: ProviderFake, http: httpx.Client):
    # Given / When a fixture path is requested with the key
    answer = http.get(f"/3/{name}", params={"api_key": fake.tmdb_api_key, "page": "1"})

    # Then its bytes are the fixture's, ours winning over any recorded example of the same path
    assert answer.status_code == 200
    assert answer.content == (FIXTURES / "tmdb" / f"{name}.json").read_bytes()


def test_tmdb_accepts_the_v4_read_token_as_a_bearer(fake: ProviderFake, http: httpx.Client):
    # Given / When a request carries the read token instead of an API key
    answer = http.get("/3/movie/550", headers={"Authorization": f"Bearer {fake.tmdb_read_token}"})

    # Then it is served
    assert answer.status_code == 200
    assert answer.json()["imdb_id"] == "tt0137523"


@pytest.mark.parametrize("params", [{"api_key": "wrong"}, {}])
def test_tmdb_answers_401_in_its_own_shape_without_a_valid_key(params: dict[str, str], http: httpx.Client):
    # Given / When a request with a wrong key, or none
    answer = http.get("/3/movie/550", params=params, headers={"Authorization": "Bearer not-the-token"})

    # Then TMDB's invalid-key error comes back
    assert answer.status_code == 401
    assert answer.json() == {
        "status_code": 7,
        "status_message": "Invalid API key: You must be granted a valid key.",
        "success": False,
    }


def test_unknown_tmdb_paths_answer_404_in_its_own_shape(fake: ProviderFake, http: httpx.Client):
    # Given / When a path nothing was recorded for
    answer = http.get("/3/movie/550/nothing-here", params={"api_key": fake.tmdb_api_key})

    # Then TMDB's resource-not-found error comes back
    assert answer.status_code == 404
    assert answer.json()["status_code"] == 34
    assert answer.json()["success"] is False


# -- Twitch and IGDB auth ----------------------------------------------------------------------


def test_the_twitch_token_opens_igdb_until_it_expires(fake: ProviderFake, http: httpx.Client):
    # Given a client-credentials token from the fake Twitch, sent as a form body this time
    issued = http.post(
        "/oauth2/token",
        data={
            "client_id": fake.twitch_client_id,
            "client_secret": fake.twitch_client_secret,
            "grant_type": "client_credentials",
        },
    )
    assert issued.status_code == 200
    body = issued.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0

    # When IGDB is queried with it, before and after the fake expires every token
    before = http.post("/v4/games", content="fields *;", headers=igdb_headers(fake, body["access_token"]))
    fake.expire_igdb_tokens()
    after = http.post("/v4/games", content="fields *;", headers=igdb_headers(fake, body["access_token"]))

    # Then the first is served from our fixture and the second is refused like IGDB does
    assert before.status_code == 200
    assert before.content == (FIXTURES / "igdb" / "games.json").read_bytes()
    assert after.status_code == 401
    assert after.json()["message"].startswith("Authorization Failure")


@pytest.mark.parametrize(
    ("client_id", "client_secret", "status", "message"),
    [
        ("fake-twitch-client-id", "wrong-secret", 403, "invalid client secret"),
        ("unknown-client", "fake-twitch-client-secret", 400, "invalid client"),
    ],
)
def test_twitch_refuses_wrong_credentials(
    client_id: str, client_secret: str, status: int, message: str, fake: ProviderFake, http: httpx.Client
):
    # Given / When a token is asked for with a wrong secret or an unknown client
    answer = http.post(
        "/oauth2/token",
        params={"client_id": client_id, "client_secret": client_secret, "grant_type": "client_credentials"},
    )

    # Then Twitch's error shape comes back and no token was issued
    assert answer.status_code == status
    assert answer.json() == {"status": status, "message": message}
    assert fake.issued_tokens() == []


def test_igdb_needs_the_client_id_header(fake: ProviderFake, http: httpx.Client):
    # Given a valid token but the wrong Client-ID
    token = token_for(http, fake)

    # When IGDB is queried
    answer = http.post("/v4/games", content="fields *;", headers={"Client-ID": "x", "Authorization": f"Bearer {token}"})

    # Then it is refused
    assert answer.status_code == 401


# -- faults and recording ----------------------------------------------------------------------


def test_injected_faults_apply_to_the_next_requests_only(fake: ProviderFake, http: httpx.Client):
    # Given two throttled requests and then one 503 queued for a path
    fake.rate_limit_next("/3/movie/550", times=2)
    fake.fail_next("/3/movie/550", times=1, status=503)

    # When the path is requested four times
    answers = [http.get("/3/movie/550", params={"api_key": fake.tmdb_api_key}) for _ in range(4)]

    # Then the faults come in order, the 429s with Retry-After: 1, and then the recording is served again
    assert [answer.status_code for answer in answers] == [429, 429, 503, 200]
    assert answers[0].headers["retry-after"] == "1"
    assert answers[0].json()["status_code"] == 25
    assert "retry-after" not in answers[2].headers


def test_every_request_is_recorded(fake: ProviderFake, http: httpx.Client):
    # Given / When one TMDB and one IGDB request
    http.get("/3/genre/movie/list", params={"api_key": fake.tmdb_api_key, "language": "en-US"})
    http.post("/v4/games", content="fields name;", headers={"Client-ID": fake.twitch_client_id})

    # Then both are recorded with method, path, params, headers and body
    tmdb, igdb = fake.requests
    assert (tmdb.method, tmdb.path, tmdb.params) == (
        "GET",
        "/3/genre/movie/list",
        {"api_key": fake.tmdb_api_key, "language": "en-US"},
    )
    assert (igdb.method, igdb.path, igdb.body) == ("POST", "/v4/games", b"fields name;")
    assert igdb.headers["client-id"] == fake.twitch_client_id
