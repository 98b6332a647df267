"""The TMDB client against the local fake over real HTTP: paths, parameters, normalised records, auth, cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from seen import cache
from seen.config import Settings, reset_settings
from seen.providers.configured import ProviderNotConfigured, igdb_configured, tmdb_configured
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderNotFound
from seen.providers.http import TMDB_RATE_LIMIT, RateLimiter
from seen.providers.models import (
    Episode,
    ExternalIds,
    Genre,
    MediaDetails,
    MediaSummary,
    Page,
    PersonDetails,
    ReleaseDate,
    Season,
)
from seen.providers.tmdb import DETAILS_TTL, LIST_TTL, REFERENCE_TTL, SEARCH_TTL, TmdbClient
from tests.conftest import REDIS_URL, skip_or_fail
from tests.fakes.provider_server import FakeUrls, ProviderFake, RecordedRequest, serve
from tests.providers.conftest import FakeClock
from tests.servers import free_port

pytestmark = pytest.mark.usefixtures("memory_cache")


@pytest.fixture(params=["memory", "redis"])
def any_cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The in-memory cache, then Redis (DB from SEEN_TEST_REDIS_URL, flushed first)."""
    if request.param == "redis":
        if not REDIS_URL:
            skip_or_fail("SEEN_TEST_REDIS_URL is not set")
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
        except redis.RedisError as error:
            skip_or_fail(f"Redis unreachable: {error}")
        monkeypatch.setenv("SEEN_REDIS_URL", REDIS_URL)
        reset_settings()
        cache.reset_cache()
    return request.param


def make_client(settings: Settings, clock: FakeClock, **options: Any) -> TmdbClient:
    limiter = RateLimiter("tmdb", TMDB_RATE_LIMIT, shared=False, clock=clock, wall_clock=clock)
    return TmdbClient(settings, limiter=limiter, sleep=clock.sleep, jitter=lambda: 1.0, wall_clock=clock, **options)


def key_settings(urls: FakeUrls, api_key: str) -> Settings:
    return Settings(tmdb_base_url=urls.tmdb, tmdb_api_key=api_key, tmdb_read_token="")


@pytest.fixture
def tmdb(fake: ProviderFake, urls: FakeUrls, clock: FakeClock) -> Iterator[TmdbClient]:
    with make_client(key_settings(urls, fake.tmdb_api_key), clock) as client:
        yield client


def only_request(fake: ProviderFake, path: str) -> RecordedRequest:
    seen = fake.requests_to(path)
    assert len(seen) == 1, f"expected one request to {path}, got {len(seen)}"
    return seen[0]


def titles(page: Page[MediaSummary]) -> list[str]:
    return [item.title for item in page.items]


# -- lists -------------------------------------------------------------------------------------

LIST_CASES: list[tuple[str, Callable[[TmdbClient], Page[MediaSummary]], str, dict[str, str], list[str]]] = [
    (
        "trending movies this week",
        lambda c: c.trending("movie", "week"),
        "/3/trending/movie/week",
        {"page": "1"},
        ["Fight Club", "The Matrix"],
    ),
    (
        "popular movies, page 2, in the region",
        lambda c: c.popular("movie", page=2),
        "/3/movie/popular",
        {"page": "2", "region": "US"},
        ["Heat", "Alien"],
    ),
    (
        "top rated shows (our 'show' is TMDB's 'tv')",
        lambda c: c.top_rated("show"),
        "/3/tv/top_rated",
        {"page": "1"},
        ["Breaking Bad", "Game of Thrones"],
    ),
    ("upcoming movies", lambda c: c.upcoming(), "/3/movie/upcoming", {"region": "US"}, ["Fixture Upcoming Film"]),
    ("movies now playing", lambda c: c.now_playing(), "/3/movie/now_playing", {"region": "US"}, ["Dune: Part Two"]),
    ("shows airing today", lambda c: c.airing_today(), "/3/tv/airing_today", {"page": "1"}, ["Severance"]),
    (
        "shows on the air",
        lambda c: c.on_the_air(page=3),
        "/3/tv/on_the_air",
        {"page": "3"},
        ["Severance", "Game of Thrones"],
    ),
    (
        "movie recommendations",
        lambda c: c.recommendations("movie", 550),
        "/3/movie/550/recommendations",
        {"page": "1"},
        ["Heat", "Alien"],
    ),
    ("similar movies", lambda c: c.similar("movie", 550), "/3/movie/550/similar", {"page": "1"}, ["Alien"]),
    (
        "show recommendations",
        lambda c: c.recommendations("tv", 1399, page=2),
        "/3/tv/1399/recommendations",
        {"page": "2"},
        ["Breaking Bad"],
    ),
]


@pytest.mark.parametrize(
    ("call", "path", "params", "expected"),
    [case[1:] for case in LIST_CASES],
    ids=[case[0] for case in LIST_CASES],
)
def test_each_list_hits_its_path_with_its_params_and_returns_summaries(
    fake: ProviderFake,
    tmdb: TmdbClient,
    call: Callable[[TmdbClient], Page[MediaSummary]],
    path: str,
    params: dict[str, str],
    expected: list[str],
):
    # Given the client with an API key / When a list is asked for
    page = call(tmdb)

    # Then the fake saw the path with the key, the language and the list's own parameters
    request = only_request(fake, path)
    assert request.method == "GET"
    assert request.params["api_key"] == fake.tmdb_api_key
    assert request.params["language"] == "en-US"
    assert params.items() <= request.params.items()
    # And the answer is the fixture's titles as summaries
    assert isinstance(page, Page)
    assert titles(page) == expected


def test_tv_lists_do_not_send_a_region(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a TV list is asked for
    tmdb.airing_today()

    # Then no region is sent (TMDB only filters movie lists by region)
    assert "region" not in only_request(fake, "/3/tv/airing_today").params


def test_trending_all_mixes_kinds_and_skips_what_is_not_a_title(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When trending across kinds for the day
    page = tmdb.trending("all", "day")

    # Then movies, shows and people come back with their kinds, the collection is skipped and counted
    only_request(fake, "/3/trending/all/day")
    assert [(item.kind, item.title) for item in page.items] == [
        ("movie", "Dune: Part Two"),
        ("show", "Severance"),
        ("person", "Brad Pitt"),
    ]
    assert page.skipped == 1
    assert page.items[0].ids == ExternalIds(tmdb=693134)
    assert page.items[0].release_date == dt.date(2024, 2, 27)


def test_popular_reports_the_pagination(tmdb: TmdbClient):
    # Given / When a page of a longer list
    page = tmdb.popular("movie", page=2)

    # Then the totals are the provider's
    assert (page.total_pages, page.total_results) == (3, 60)
    assert all(item.kind == "movie" for item in page.items)


def test_discover_movies_sends_the_filters_as_tmdb_spells_them(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When movies are discovered by genres (all of them), release year and a sort order
    page = tmdb.discover("movie", with_genres=[28, 80], year=1995, sort_by="vote_average.desc", page=2)

    # Then the query carries them under TMDB's names
    params = only_request(fake, "/3/discover/movie").params
    assert params["with_genres"] == "28,80"
    assert params["primary_release_year"] == "1995"
    assert params["sort_by"] == "vote_average.desc"
    assert params["page"] == "2"
    assert "first_air_date_year" not in params
    assert titles(page) == ["Heat"]


def test_discover_shows_uses_the_first_air_date_year_and_passes_other_filters(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When shows are discovered by one genre and year, plus an extra TMDB filter and an unset one
    page = tmdb.discover("tv", with_genres=18, year=2008, with_original_language="en", with_networks=None)

    # Then the year is the first-air-date year, the extra filter is passed and the unset one left out
    params = only_request(fake, "/3/discover/tv").params
    assert params["first_air_date_year"] == "2008"
    assert params["with_genres"] == "18"
    assert params["with_original_language"] == "en"
    assert params["sort_by"] == "popularity.desc"
    assert "with_networks" not in params
    assert "primary_release_year" not in params
    assert [(item.kind, item.title) for item in page.items] == [("show", "Breaking Bad")]


@pytest.mark.parametrize(("kind", "path"), [("movie", "/3/genre/movie/list"), ("show", "/3/genre/tv/list")])
def test_genres_come_from_their_list(fake: ProviderFake, tmdb: TmdbClient, kind: str, path: str):
    # Given / When the genres of a kind are asked for
    genres = tmdb.genres(kind)  # type: ignore[arg-type]

    # Then the list is read from the kind's path
    only_request(fake, path)
    assert Genre("tmdb", 18, "Drama") in genres
    assert all(genre.provider == "tmdb" and genre.name for genre in genres)


def test_unknown_kinds_are_refused_before_any_request(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a kind TMDB does not list
    with pytest.raises(ValueError, match="unsupported TMDB kind"):
        tmdb.popular("game")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window"):
        tmdb.trending("movie", "month")  # type: ignore[arg-type]

    # Then nothing was sent
    assert fake.requests == []


# -- search ------------------------------------------------------------------------------------


def test_multi_search_returns_every_kind(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a multi search
    page = tmdb.search("matrix")

    # Then the query and the safe defaults are sent, and movies, shows and people come back
    params = only_request(fake, "/3/search/multi").params
    assert params["query"] == "matrix"
    assert params["include_adult"] == "false"
    assert params["page"] == "1"
    assert [item.kind for item in page.items] == ["movie", "show", "person"]


def test_movie_search_narrows_by_year(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a movie search with a year
    page = tmdb.search("heat", "movie", year=1995)

    # Then the year goes with it
    params = only_request(fake, "/3/search/movie").params
    assert (params["query"], params["year"]) == ("heat", "1995")
    assert titles(page) == ["Heat"]


def test_person_search_returns_people(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a person search (a year means nothing for people)
    page = tmdb.search("brad pitt", "person", year=1999)

    # Then people come back and no year is sent
    params = only_request(fake, "/3/search/person").params
    assert "year" not in params
    assert [(item.kind, item.title, item.ids.tmdb) for item in page.items] == [("person", "Brad Pitt", 287)]


def test_search_text_of_any_charset_reaches_tmdb_unchanged_as_one_parameter(fake: ProviderFake, tmdb: TmdbClient):
    # Given text with quotes, separators, an ampersand pair and non-Latin letters
    text = 'the "matrix"; DROP & api_key=stolen ?#/ 千と千尋 \\ %20'

    # When it is searched
    tmdb.search(text)

    # Then the fake decoded exactly that text as the query, and the real key is untouched
    params = only_request(fake, "/3/search/multi").params
    assert params["query"] == text
    assert params["api_key"] == fake.tmdb_api_key


def test_blank_search_answers_an_empty_page_without_a_request(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When only whitespace is searched
    page = tmdb.search("   \n\t ")

    # Then nothing is sent and nothing found
    assert page.items == ()
    assert fake.requests == []


def test_very_long_search_text_is_cut(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a pasted wall of text is searched
    tmdb.search("x" * 5000, "movie")

    # Then a bounded query is sent
    assert len(only_request(fake, "/3/search/movie").params["query"]) == 500


# -- details -----------------------------------------------------------------------------------


def test_movie_details_append_every_default_part(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a movie is fetched with the default appended parts
    movie = tmdb.movie(603)

    # Then one request asked for them all
    params = only_request(fake, "/3/movie/603").params
    assert params["append_to_response"] == "credits,external_ids,release_dates,recommendations,similar"
    # And the details carry each part
    assert isinstance(movie, MediaDetails)
    assert movie.summary.title == "The Matrix"
    assert movie.summary.ids == ExternalIds(tmdb=603, imdb="tt0133093")
    assert (movie.runtime, movie.status, movie.tagline) == (136, "Released", "Reality is a thing of the past.")
    assert [(credit.person.name, credit.role) for credit in movie.credits] == [
        ("Keanu Reeves", "cast"),
        ("Lilly Wachowski", "crew"),
    ]
    assert movie.release_dates == (ReleaseDate("US", dt.date(1999, 3, 31), "theatrical", certification="R"),)
    assert [item.title for item in movie.recommendations] == ["Alien"]
    assert [item.title for item in movie.similar] == ["Heat"]
    assert [company.name for company in movie.companies] == ["Village Roadshow Pictures"]
    assert movie.raw["id"] == 603


def test_movie_details_without_appends_send_no_append_parameter(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a movie is fetched with nothing appended
    movie = tmdb.movie(550, append=())

    # Then the plain details are asked for
    assert "append_to_response" not in only_request(fake, "/3/movie/550").params
    assert movie.summary.ids.imdb == "tt0137523"
    assert movie.credits == ()


def test_show_details_have_seasons_creators_and_external_ids(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a show is fetched
    show = tmdb.show(1399)

    # Then its default appends were asked for and read
    params = only_request(fake, "/3/tv/1399").params
    assert params["append_to_response"] == "credits,external_ids,recommendations,similar"
    assert show.summary.kind == "show"
    assert show.summary.ids == ExternalIds(tmdb=1399, imdb="tt0944947", tvdb=121361)
    assert [(season.number, season.title) for season in show.seasons] == [(0, "Specials"), (1, "Season 1")]
    assert (show.number_of_seasons, show.number_of_episodes, show.runtime) == (8, 73, 60)
    assert show.networks == ("HBO",)
    assert [(credit.person.name, credit.job) for credit in show.credits][:1] == [("David Benioff", "Creator")]
    assert [item.title for item in show.recommendations] == ["Breaking Bad"]
    assert [item.title for item in show.similar] == ["Severance"]


def test_a_season_has_its_episodes(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a season is fetched
    season = tmdb.season(1399, 1)

    # Then it comes from its path with its episodes
    only_request(fake, "/3/tv/1399/season/1")
    assert isinstance(season, Season)
    assert (season.number, season.title, season.episode_count) == (1, "Season 1", 2)
    assert [(episode.episode_number, episode.title) for episode in season.episodes] == [
        (1, "Winter Is Coming"),
        (2, "The Kingsroad"),
    ]


def test_an_episode_has_its_guest_stars_and_crew(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When an episode is fetched
    episode = tmdb.episode(1399, 1, 1)

    # Then it comes from its path with its people
    only_request(fake, "/3/tv/1399/season/1/episode/1")
    assert isinstance(episode, Episode)
    assert (episode.season_number, episode.episode_number, episode.runtime) == (1, 1, 62)
    assert episode.still_path == "/seen-fixture-still-63056.jpg"
    assert {(credit.person.name, credit.role) for credit in episode.credits} == {
        ("Jason Momoa", "cast"),
        ("Tim Van Patten", "crew"),
    }


def test_a_person_comes_with_the_combined_filmography(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a person is fetched
    person = tmdb.person(287)

    # Then combined credits and external ids were appended and read
    params = only_request(fake, "/3/person/287").params
    assert params["append_to_response"] == "combined_credits,external_ids"
    assert isinstance(person, PersonDetails)
    assert person.person.name == "Brad Pitt"
    assert person.person.ids == ExternalIds(tmdb=287, imdb="nm0000093")
    assert person.person.birthday == dt.date(1963, 12, 18)
    assert [(credit.media.kind, credit.media.title, credit.role) for credit in person.credits] == [
        ("movie", "Fight Club", "cast"),
        ("show", "Breaking Bad", "crew"),
    ]


def test_release_dates_are_flattened_per_country(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When a movie's release dates are fetched
    dates = tmdb.release_dates(550)

    # Then each dated release stands alone with its country and type
    only_request(fake, "/3/movie/550/release_dates")
    assert [(item.country, item.date, item.type) for item in dates] == [
        ("US", dt.date(1999, 9, 10), "premiere"),
        ("US", dt.date(1999, 10, 15), "theatrical"),
        ("DE", dt.date(1999, 11, 11), "theatrical"),
    ]


def test_changes_send_the_date_window_and_return_ids(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When changed movie ids are asked for between two dates
    page = tmdb.changes("movie", start_date=dt.date(2024, 1, 1), end_date="2024-01-02")

    # Then the window is sent in ISO form and the usable ids come back
    params = only_request(fake, "/3/movie/changes").params
    assert (params["start_date"], params["end_date"], params["page"]) == ("2024-01-01", "2024-01-02", "1")
    assert page.items == (550, 603)
    assert page.skipped == 1


def test_configuration_gives_the_image_base(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When the configuration is fetched
    config = tmdb.configuration()

    # Then image URLs can be built from it
    only_request(fake, "/3/configuration")
    assert config.image_url("/p.jpg", "w500") == "https://image.tmdb.org/t/p/w500/p.jpg"


def test_an_unknown_title_raises_not_found(clock: FakeClock):
    # Given a fake with only our fixtures (the recorded corpus answers any movie id)
    own = ProviderFake(corpora=False)
    with (
        serve(own) as own_urls,
        make_client(key_settings(own_urls, own.tmdb_api_key), clock) as client,
        pytest.raises(ProviderNotFound) as raised,
    ):
        # When a movie it does not have is asked for
        client.movie(4242)
    # Then it is TMDB's 404, asked once (not retried)
    assert raised.value.status == 404
    assert len(own.requests_to("/3/movie/4242")) == 1


# -- settings: credentials, language, region ---------------------------------------------------


def test_the_read_token_is_sent_as_a_bearer_and_no_key_in_the_url(fake: ProviderFake, urls: FakeUrls, clock):
    # Given settings with only the v4 read token
    settings = Settings(tmdb_base_url=urls.tmdb, tmdb_api_key="", tmdb_read_token=fake.tmdb_read_token)

    # When a list is asked for
    with make_client(settings, clock) as client:
        page = client.trending("movie", "week")

    # Then the token travels in the header only, and the fake served it
    request = only_request(fake, "/3/trending/movie/week")
    assert request.headers["authorization"] == f"Bearer {fake.tmdb_read_token}"
    assert "api_key" not in request.params
    assert titles(page) == ["Fight Club", "The Matrix"]
    assert client.auth_mode == "read_token"


def test_the_api_key_is_a_query_parameter_without_an_authorization_header(fake: ProviderFake, tmdb: TmdbClient):
    # Given the client with an API key / When anything is asked for
    tmdb.configuration()

    # Then the key is in the query and no bearer is sent
    request = only_request(fake, "/3/configuration")
    assert request.params["api_key"] == fake.tmdb_api_key
    assert "authorization" not in request.headers


def test_language_and_region_are_configurable(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a client for German users in Germany
    with make_client(key_settings(urls, fake.tmdb_api_key), clock, language="de-DE", region="DE") as client:
        # When a movie list is asked for
        client.now_playing()

    # Then both parameters say so
    params = only_request(fake, "/3/movie/now_playing").params
    assert (params["language"], params["region"]) == ("de-DE", "DE")


def test_missing_credentials_raise_not_configured():
    # Given settings without a key or a token
    settings = Settings(tmdb_api_key="", tmdb_read_token="", igdb_client_id="", igdb_client_secret="")

    # When / Then the client refuses to be built, with a message naming the settings
    assert tmdb_configured(settings) is False
    with pytest.raises(ProviderNotConfigured, match="SEEN_TMDB_API_KEY") as raised:
        TmdbClient(settings)
    assert isinstance(raised.value, ProviderError)
    assert raised.value.provider == "tmdb"


@pytest.mark.parametrize(
    ("values", "tmdb", "igdb"),
    [
        ({"tmdb_api_key": "k"}, True, False),
        ({"tmdb_read_token": "t"}, True, False),
        ({"tmdb_api_key": "   "}, False, False),
        ({"igdb_client_id": "id"}, False, False),
        ({"igdb_client_id": "id", "igdb_client_secret": "s"}, False, True),
    ],
)
def test_configured_helpers(values: dict[str, str], tmdb: bool, igdb: bool):
    # Given settings with some credentials
    base = {"tmdb_api_key": "", "tmdb_read_token": "", "igdb_client_id": "", "igdb_client_secret": ""}
    settings = Settings(**{**base, **values})

    # When / Then each provider is configured only with complete credentials
    assert (tmdb_configured(settings), igdb_configured(settings)) == (tmdb, igdb)


# -- test connection and bad keys --------------------------------------------------------------


def test_test_connection_succeeds_with_a_good_key(fake: ProviderFake, tmdb: TmdbClient):
    # Given / When the connection is tested twice
    first = tmdb.test_connection()
    second = tmdb.test_connection()

    # Then both pass, and each really asked TMDB (never cached)
    assert first == (True, "Connected to TMDB with the API key")
    assert second == first
    assert len(fake.requests_to("/3/authentication")) == 2


def test_a_bad_key_fails_the_connection_test_and_searches(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a client with a key TMDB does not know
    with make_client(key_settings(urls, "not-a-real-key"), clock) as client:
        # When the connection is tested
        result = client.test_connection()

        # Then it reports the bad key without raising
        assert result == (False, "TMDB rejected the API key")
        # And a search raises the auth error (and is not retried)
        with pytest.raises(ProviderAuthError):
            client.search("matrix")
    assert len(fake.requests_to("/3/search/multi")) == 1


def test_a_bad_read_token_is_named_as_such(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a client with a read token TMDB does not know
    settings = Settings(tmdb_base_url=urls.tmdb, tmdb_api_key="", tmdb_read_token="wrong-token")
    with make_client(settings, clock) as client:
        # When / Then the connection test says which credential failed
        assert client.test_connection() == (False, "TMDB rejected the read access token")


def test_an_unreachable_host_gives_a_clear_message(clock: FakeClock):
    # Given a base URL where nothing listens
    port = free_port()
    settings = Settings(tmdb_base_url=f"http://127.0.0.1:{port}/3", tmdb_api_key="some-key", tmdb_read_token="")

    # When the connection is tested
    with make_client(settings, clock) as client:
        ok, message = client.test_connection()

    # Then it fails with the address in the message, after the chokepoint's retries (no real sleeping)
    assert ok is False
    assert message == f"Could not reach TMDB at 127.0.0.1:{port}: check the address and the network"
    assert len(clock.sleeps) == 3


def test_a_tmdb_outage_is_reported_as_such(fake: ProviderFake, tmdb: TmdbClient):
    # Given TMDB answering 503 to every attempt
    fake.fail_next("/3/authentication", times=4, status=503)

    # When / Then the connection test says TMDB is down
    assert tmdb.test_connection() == (False, "TMDB is unavailable right now (HTTP 503); try again later")


# -- cache -------------------------------------------------------------------------------------


def test_ttls_follow_the_call_types():
    # Given / When / Then lists 10 min, details a day, reference data a week, search an hour
    assert (LIST_TTL, DETAILS_TTL, REFERENCE_TTL, SEARCH_TTL) == (600, 86_400, 604_800, 3_600)


def test_a_second_identical_call_is_served_from_the_cache(
    any_cache: str, fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given a search and a movie fetched once
    with make_client(key_settings(urls, fake.tmdb_api_key), clock) as client:
        first = client.search("matrix")
        movie = client.movie(603)

    # When the same calls are made again, by another client (as another process would)
    with make_client(key_settings(urls, fake.tmdb_api_key), clock) as client:
        again = client.search("matrix")
        movie_again = client.movie(603)
        other_page = client.search("matrix", page=2)

    # Then TMDB saw each identical request once, and the answers are equal
    assert len(fake.requests_to("/3/search/multi")) == 2  # page 1 once, page 2 once
    assert len(fake.requests_to("/3/movie/603")) == 1
    assert again == first
    assert movie_again == movie
    assert other_page.items == first.items  # the fake serves one file for every page


def test_another_language_is_not_served_from_the_cache(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given genres fetched in English
    with make_client(key_settings(urls, fake.tmdb_api_key), clock) as client:
        client.genres("movie")

    # When the same call is made in French
    with make_client(key_settings(urls, fake.tmdb_api_key), clock, language="fr-FR") as client:
        client.genres("movie")

    # Then both reached TMDB
    assert [request.params["language"] for request in fake.requests_to("/3/genre/movie/list")] == ["en-US", "fr-FR"]
