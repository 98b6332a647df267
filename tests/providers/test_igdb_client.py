"""The IGDB client and Twitch tokens against the local fake over real HTTP: bodies, tokens, escaping, cache."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import redis

from seen import cache
from seen.config import Settings, reset_settings
from seen.providers.configured import ProviderNotConfigured
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderNotFound
from seen.providers.http import IGDB_RATE_LIMIT, TWITCH_RATE_LIMIT, RateLimiter
from seen.providers.igdb import (
    DETAIL_FIELDS,
    SUMMARY_FIELDS,
    IgdbClient,
    TwitchTokens,
    epoch,
    quote,
)
from seen.providers.models import Genre, MediaDetails, Platform, TimeToBeat
from tests.conftest import REDIS_URL, skip_or_fail
from tests.fakes.provider_server import FIXTURES, FakeUrls, ProviderFake, RecordedRequest, serve
from tests.providers.conftest import FakeClock
from tests.servers import free_port

GAMES = "/v4/games"
TOKEN = "/oauth2/token"
MARCH_1_2024 = 1_709_251_200  # 2024-03-01T00:00:00Z
JAN_1_2024 = 1_704_067_200  # 60 days earlier
SUMMARY = ",".join(SUMMARY_FIELDS)


pytestmark = pytest.mark.usefixtures("memory_cache")


@pytest.fixture
def redis_cache(monkeypatch: pytest.MonkeyPatch) -> str:
    """Redis as the cache (DB from SEEN_TEST_REDIS_URL, flushed first)."""
    if not REDIS_URL:
        skip_or_fail("SEEN_TEST_REDIS_URL is not set")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        skip_or_fail(f"Redis unreachable: {error}")
    monkeypatch.setenv("SEEN_REDIS_URL", REDIS_URL)
    reset_settings()
    cache.reset_cache()
    return REDIS_URL


def igdb_settings(fake: ProviderFake, urls: FakeUrls, **overrides: str) -> Settings:
    values = {
        "igdb_base_url": urls.igdb,
        "twitch_token_url": urls.twitch_token,
        "igdb_client_id": fake.twitch_client_id,
        "igdb_client_secret": fake.twitch_client_secret,
        **overrides,
    }
    return Settings(**values)


def make_tokens(settings: Settings, clock: FakeClock) -> TwitchTokens:
    limiter = RateLimiter("twitch", TWITCH_RATE_LIMIT, shared=False, clock=clock, wall_clock=clock)
    return TwitchTokens(settings, clock=clock, limiter=limiter, sleep=clock.sleep, jitter=lambda: 1.0, wall_clock=clock)


def make_client(settings: Settings, clock: FakeClock, tokens: TwitchTokens | None = None) -> IgdbClient:
    limiter = RateLimiter("igdb", IGDB_RATE_LIMIT, shared=False, clock=clock, wall_clock=clock)
    return IgdbClient(
        settings,
        tokens=tokens or make_tokens(settings, clock),
        clock=clock,
        limiter=limiter,
        sleep=clock.sleep,
        jitter=lambda: 1.0,
        wall_clock=clock,
    )


@pytest.fixture
def igdb(fake: ProviderFake, urls: FakeUrls, clock: FakeClock) -> Iterator[IgdbClient]:
    client = make_client(igdb_settings(fake, urls), clock)
    yield client
    client.close()
    client.tokens.close()


def bodies(fake: ProviderFake, path: str = GAMES) -> list[str]:
    return [request.body.decode() for request in fake.requests_to(path)]


def only_request(fake: ProviderFake, path: str) -> RecordedRequest:
    seen = fake.requests_to(path)
    assert len(seen) == 1, f"expected one request to {path}, got {len(seen)}"
    return seen[0]


# -- Apicalypse escaping -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("zelda", '"zelda"'),
        ('Tom Clancy\'s "Rainbow Six"', '"Tom Clancy\'s \\"Rainbow Six\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('x"; where id = 1; fields *; "', '"x\\"; where id = 1; fields *; \\""'),
        ("line\nbreak\ttab\x00nul", '"line break tab nul"'),
        ("  ファイナル  ファンタジー ", '"ファイナル ファンタジー"'),
        ("\\", '"\\\\"'),
    ],
)
def test_quote_escapes_backslashes_and_quotes(text: str, literal: str):
    # Given / When free text is quoted / Then it is one string literal that cannot be closed early
    assert quote(text) == literal


def test_quote_cuts_very_long_text():
    # Given / When a pasted wall of text / Then it is bounded
    assert quote("a" * 10_000) == '"' + "a" * 255 + '"'


def test_epoch_reads_timestamps_datetimes_and_dates():
    # Given / When / Then every way of saying 2024-03-01 midnight UTC gives the same second
    assert epoch(MARCH_1_2024) == MARCH_1_2024
    assert epoch(dt.datetime(2024, 3, 1, tzinfo=dt.UTC)) == MARCH_1_2024
    assert epoch(dt.datetime(2024, 3, 1)) == MARCH_1_2024  # naive means UTC
    assert epoch(dt.date(2024, 3, 1)) == MARCH_1_2024
    assert epoch(dt.datetime(2024, 3, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == MARCH_1_2024


# -- search and details ------------------------------------------------------------------------


def test_search_posts_an_apicalypse_body_with_the_client_id_and_token(fake: ProviderFake, igdb: IgdbClient):
    # Given / When games are searched
    page = igdb.search_games("The Witcher", limit=10)

    # Then one POST carried the query, the client id and the issued token
    request = only_request(fake, GAMES)
    assert request.method == "POST"
    assert request.body.decode() == f'search "The Witcher"; fields {SUMMARY}; limit 10;'
    assert request.headers["client-id"] == fake.twitch_client_id
    assert request.headers["authorization"] == f"Bearer {fake.issued_tokens()[0]}"
    # And the fixture's games come back as summaries
    assert [item.title for item in page.items] == [
        "The Witcher 3: Wild Hunt",
        "The Legend of Zelda: Breath of the Wild",
        "Untitled Fixture Game",
    ]
    assert page.items[0].kind == "game"
    assert page.items[0].ids.igdb == 1942
    assert page.items[0].release_date == dt.date(2015, 5, 19)
    assert page.items[0].vote_average == 9.25


def test_search_text_with_quotes_and_semicolons_is_escaped_in_the_body(fake: ProviderFake, igdb: IgdbClient):
    # Given text that tries to close the string and add clauses
    text = 'halo"; where id = 1; limit 500; \\'

    # When it is searched
    igdb.search_games(text, limit=5)

    # Then the body the fake received holds it as one escaped literal, and our clauses are untouched
    body = only_request(fake, GAMES).body.decode()
    assert body == f'search "halo\\"; where id = 1; limit 500; \\\\"; fields {SUMMARY}; limit 5;'


def test_blank_search_sends_nothing(fake: ProviderFake, igdb: IgdbClient):
    # Given / When only whitespace and control characters are searched
    page = igdb.search_games(" \n\t\x00 ")

    # Then no token or query was requested
    assert page.items == ()
    assert fake.requests == []


def test_limits_are_clamped_to_what_igdb_accepts(fake: ProviderFake, igdb: IgdbClient):
    # Given / When absurd limits are asked for
    igdb.search_games("a", limit=0)
    igdb.search_games("b", limit=10_000)

    # Then IGDB gets 1 and its maximum of 500
    assert [body.rsplit("limit ", 1)[1] for body in bodies(fake)] == ["1;", "500;"]


def test_game_details_ask_for_every_expanded_field(fake: ProviderFake, igdb: IgdbClient):
    # Given / When one game is fetched
    game = igdb.game(1942)

    # Then the body filters by id and expands the detail fields
    body = only_request(fake, GAMES).body.decode()
    assert body == f"fields {','.join(DETAIL_FIELDS)}; where id = 1942; limit 1;"
    for needed in (
        "cover.image_id",
        "platforms.abbreviation",
        "franchises.name",
        "involved_companies.company.name",
        "involved_companies.developer",
        "involved_companies.publisher",
        "screenshots.image_id",
        "release_dates.platform.name",
        "release_dates.human",
        "dlcs.name",
        "expansions.name",
        "similar_games.name",
        "total_rating_count",
        "url",
    ):
        assert needed in DETAIL_FIELDS
    # And the game with that id is normalised (the fake answers the whole fixture list)
    assert isinstance(game, MediaDetails)
    assert game.summary.title == "The Witcher 3: Wild Hunt"
    assert [platform.id for platform in game.platforms] == [6, 48]
    assert ("cover", 90001) in game.unresolved


def test_an_unknown_game_raises_not_found(igdb: IgdbClient):
    # Given / When a game the answer does not contain / Then it is not found
    with pytest.raises(ProviderNotFound):
        igdb.game(123_456)


def test_time_to_beat_comes_from_its_endpoint(fake: ProviderFake, igdb: IgdbClient):
    # Given / When a game's time to beat is asked for
    beat = igdb.time_to_beat(1942)

    # Then the game_time_to_beats endpoint was asked by game id, and the three times come back
    body = only_request(fake, "/v4/game_time_to_beats").body.decode()
    assert body == "fields game_id,hastily,normally,completely,count; where game_id = 1942; limit 1;"
    assert beat == TimeToBeat(hastily=90_000, normally=180_000, completely=360_000)


def test_time_to_beat_is_none_when_nobody_reported_it(igdb: IgdbClient):
    # Given / When a game without reported times (the fixture only has 1942) / Then there is none
    assert igdb.time_to_beat(7346) is None


def test_platforms_and_genres_are_reference_lists(fake: ProviderFake, igdb: IgdbClient):
    # Given / When platforms and genres are asked for
    platforms = igdb.platforms()
    genres = igdb.genres()

    # Then each has its endpoint and body, and the records come back
    assert only_request(fake, "/v4/platforms").body.decode() == "fields id,name,abbreviation; sort id asc; limit 500;"
    assert only_request(fake, "/v4/genres").body.decode() == "fields id,name; sort id asc; limit 500;"
    assert Platform(48, "PlayStation 4", "PS4") in platforms
    assert Genre("igdb", 12, "Role-playing (RPG)") in genres


# -- date-bounded lists ------------------------------------------------------------------------


def test_recently_released_covers_the_last_60_days_up_to_now(fake: ProviderFake, igdb: IgdbClient):
    # Given / When recent games are asked for as of 2024-03-01
    page = igdb.recently_released(limit=5, now=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))

    # Then the body bounds the first release date to the 60 days before now, newest first
    body = only_request(fake, GAMES).body.decode()
    assert body == (
        f"fields {SUMMARY}; where first_release_date >= {JAN_1_2024} & first_release_date <= {MARCH_1_2024}; "
        "sort first_release_date desc; limit 5;"
    )
    assert len(page.items) == 3


def test_the_default_now_comes_from_the_clock_rounded_for_the_cache(
    fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given a client whose clock says 1_700_000_123
    clock.now = 1_700_000_123.0
    client = make_client(igdb_settings(fake, urls), clock)

    # When recent games are asked for twice a few seconds apart
    client.recently_released()
    clock.now += 5
    client.recently_released()

    # Then `now` is the clock rounded down to ten minutes, and the second call was served from the cache
    (body,) = bodies(fake)
    assert f"first_release_date <= {1_699_999_800};" in body
    client.close()
    client.tokens.close()


def test_most_anticipated_falls_back_to_hypes_without_popularity_primitives(fake: ProviderFake, igdb: IgdbClient):
    # Given the fake has no popularity_primitives (it answers 404)
    # When the most anticipated games are asked for as of 2024-03-01
    page = igdb.most_anticipated(limit=10, now=MARCH_1_2024)

    # Then the primitives were tried first, then unreleased games were ranked by hypes
    primitives = only_request(fake, "/v4/popularity_primitives").body.decode()
    assert "where popularity_type = 2;" in primitives
    assert "sort value desc;" in primitives
    assert bodies(fake) == [
        f"fields {SUMMARY}; where first_release_date > {MARCH_1_2024} & hypes != null; sort hypes desc; limit 10;"
    ]
    assert len(page.items) == 3


def test_most_anticipated_by_hypes_only_skips_the_primitives(fake: ProviderFake, igdb: IgdbClient):
    # Given / When popularity is not wanted
    igdb.most_anticipated(limit=3, now=MARCH_1_2024, use_popularity=False)

    # Then only the hypes query was sent
    assert fake.requests_to("/v4/popularity_primitives") == []
    assert "sort hypes desc; limit 3;" in only_request(fake, GAMES).body.decode()


@pytest.fixture
def popularity_fake(tmp_path: Path) -> Iterator[tuple[ProviderFake, FakeUrls]]:
    """A fake whose IGDB also answers popularity_primitives (want-to-play ranks: Zelda, the untitled game,
    then The Witcher, the reverse of the games fixture's order)."""
    igdb_dir = tmp_path / "igdb"
    igdb_dir.mkdir()
    shutil.copy(FIXTURES / "igdb" / "games.json", igdb_dir / "games.json")
    primitives = [
        {"id": 1, "game_id": 7346, "popularity_type": 2, "value": 0.009},
        {"id": 2, "game_id": 90002, "popularity_type": 2, "value": 0.005},
        {"id": 3, "game_id": 1942, "popularity_type": 2, "value": 0.001},
        {"id": 4, "game_id": 555, "popularity_type": 2, "value": 0.0005},
    ]
    (igdb_dir / "popularity_primitives.json").write_text(json.dumps(primitives))
    own = ProviderFake(fixtures=tmp_path, corpora=False)
    with serve(own) as own_urls:
        yield own, own_urls


def test_most_anticipated_ranks_by_popularity_primitives_when_they_answer(
    popularity_fake: tuple[ProviderFake, FakeUrls], clock: FakeClock
):
    # Given IGDB answering popularity primitives
    own, own_urls = popularity_fake
    client = make_client(igdb_settings(own, own_urls), clock)

    # When the two most anticipated games are asked for
    page = client.most_anticipated(limit=2, now=dt.date(2024, 3, 1))
    client.close()
    client.tokens.close()

    # Then the unreleased games among the most wanted were fetched by id, in the primitives' order
    assert bodies(own) == [
        f"fields {SUMMARY}; where id = (7346,90002,1942,555) & first_release_date > {MARCH_1_2024}; limit 500;"
    ]
    assert [item.ids.igdb for item in page.items] == [7346, 90002]


# -- tokens ------------------------------------------------------------------------------------


def test_the_token_is_fetched_once_and_reused(fake: ProviderFake, igdb: IgdbClient):
    # Given / When three different queries
    igdb.search_games("zelda")
    igdb.platforms()
    igdb.genres()

    # Then Twitch was asked once, with the client credentials in the form body (not the URL)
    token_request = only_request(fake, TOKEN)
    form = dict(parse_qsl(token_request.body.decode()))
    assert form == {
        "client_id": fake.twitch_client_id,
        "client_secret": fake.twitch_client_secret,
        "grant_type": "client_credentials",
    }
    assert token_request.params == {}
    # And every IGDB request carried that one token
    (token,) = fake.issued_tokens()
    igdb_requests = [request for request in fake.requests if request.path.startswith("/v4/")]
    assert len(igdb_requests) == 3
    assert {request.headers["authorization"] for request in igdb_requests} == {f"Bearer {token}"}


def test_a_revoked_token_is_renewed_once_and_the_query_retried(fake: ProviderFake, igdb: IgdbClient):
    # Given a first query with a token that the fake then revokes
    igdb.search_games("zelda")
    (old,) = fake.issued_tokens()
    fake.expire_igdb_tokens()

    # When another query is sent
    page = igdb.search_games("mario")

    # Then it got one 401, a new token, and succeeded with it
    assert len(fake.requests_to(TOKEN)) == 2
    (new,) = fake.issued_tokens()
    assert new != old
    assert [request.headers["authorization"] for request in fake.requests_to(GAMES)] == [
        f"Bearer {old}",
        f"Bearer {old}",
        f"Bearer {new}",
    ]
    assert len(page.items) == 3


def test_a_token_refused_twice_raises_instead_of_looping(fake: ProviderFake, igdb: IgdbClient):
    # Given IGDB refusing the next two requests whatever the token
    fake.fail_next(GAMES, times=2, status=401)

    # When / Then the query fails with the auth error after one renewal
    with pytest.raises(ProviderAuthError):
        igdb.search_games("zelda")
    assert len(fake.requests_to(GAMES)) == 2
    assert len(fake.requests_to(TOKEN)) == 2


def test_the_token_is_renewed_shortly_before_it_expires(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a token issued now for the fake's lifetime
    tokens = make_tokens(igdb_settings(fake, urls), clock)
    first = tokens.get()

    # When time passes to just outside the renewal margin, then just inside it
    clock.now += fake.token_lifetime - 301
    same = tokens.get()
    clock.now += 2
    renewed = tokens.get()
    tokens.close()

    # Then the token is reused until five minutes before it expires, then renewed
    assert same == first
    assert renewed != first
    assert len(fake.requests_to(TOKEN)) == 2


def test_invalidate_forgets_the_token(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a cached token
    tokens = make_tokens(igdb_settings(fake, urls), clock)
    first = tokens.get()

    # When another token is invalidated nothing changes; when this one is, the next get fetches anew
    tokens.invalidate("some-other-token")
    kept = tokens.get()
    tokens.invalidate()
    fresh = tokens.get()
    tokens.close()

    # Then
    assert kept == first
    assert fresh != first
    assert len(fake.requests_to(TOKEN)) == 2


def test_with_redis_the_token_is_shared_between_processes_until_invalidated(
    redis_cache: str, fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given one process fetched a token, with Redis configured
    settings = igdb_settings(fake, urls, redis_url=redis_cache)
    first_process = make_tokens(settings, clock)
    token = first_process.get()

    # When another process (its own TwitchTokens) needs one
    second_process = make_tokens(settings, clock)
    shared = second_process.get()

    # Then it reads the stored token instead of asking Twitch, under the agreed key, expiring with it
    assert shared == token
    assert len(fake.requests_to(TOKEN)) == 1
    key = f"seen:v1:igdb:token:{fake.twitch_client_id}"
    assert first_process.cache_key == key
    connection = redis.Redis.from_url(redis_cache)
    stored: dict[str, Any] = json.loads(connection.get(key))  # type: ignore[arg-type]
    assert stored["access_token"] == token
    assert 0 < connection.ttl(key) <= fake.token_lifetime

    # And when the token is invalidated (after a 401), the stored copy goes too
    second_process.invalidate(token)
    assert connection.get(key) is None
    renewed = first_process.get()  # its memory copy was not invalidated
    assert renewed == token
    first_process.invalidate(token)
    assert first_process.get() != token
    first_process.close()
    second_process.close()


# -- configuration and connection test ---------------------------------------------------------


def test_test_connection_checks_fresh_credentials(fake: ProviderFake, igdb: IgdbClient):
    # Given a client that already holds a token
    igdb.platforms()

    # When the connection is tested
    result = igdb.test_connection()

    # Then it asked Twitch again (the credentials themselves are checked) and ran one uncached query
    assert result == (True, "Connected to IGDB")
    assert len(fake.requests_to(TOKEN)) == 2
    assert bodies(fake) == ["fields id; limit 1;"]


def test_a_wrong_client_secret_fails_the_connection_test(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given settings with a wrong secret
    client = make_client(igdb_settings(fake, urls, igdb_client_secret="wrong-secret"), clock)

    # When the connection is tested
    result = client.test_connection()

    # Then it reports the refused credentials without raising, and no IGDB request was made
    assert result == (False, "Twitch rejected the IGDB client id or secret")
    assert fake.requests_to(GAMES) == []
    # And a query raises the auth error, naming Twitch
    with pytest.raises(ProviderAuthError) as raised:
        client.search_games("zelda")
    assert raised.value.provider == "twitch"
    assert raised.value.status == 403
    client.close()
    client.tokens.close()


def test_an_unreachable_twitch_gives_a_clear_message(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a token URL where nothing listens
    client = make_client(
        igdb_settings(fake, urls, twitch_token_url=f"http://127.0.0.1:{free_port()}/oauth2/token"), clock
    )

    # When / Then the connection test says so
    assert client.test_connection() == (False, "Could not reach Twitch: check the address and the network")
    client.close()
    client.tokens.close()


@pytest.mark.parametrize(
    "missing", [{"igdb_client_id": ""}, {"igdb_client_secret": ""}, {"igdb_client_id": "", "igdb_client_secret": ""}]
)
def test_missing_credentials_raise_not_configured(missing: dict[str, str], fake: ProviderFake, urls: FakeUrls):
    # Given settings without both halves of the client credentials
    settings = igdb_settings(fake, urls, **missing)

    # When / Then neither the tokens nor the client can be built, and nothing was sent
    with pytest.raises(ProviderNotConfigured, match="SEEN_IGDB_CLIENT_ID"):
        IgdbClient(settings)
    with pytest.raises(ProviderNotConfigured) as raised:
        TwitchTokens(settings)
    assert isinstance(raised.value, ProviderError)
    assert raised.value.provider == "igdb"
    assert fake.requests == []


# -- cache -------------------------------------------------------------------------------------


def test_an_identical_query_is_served_from_the_cache_by_body(fake: ProviderFake, igdb: IgdbClient):
    # Given a search sent once
    first = igdb.search_games("zelda")

    # When it is sent again, and a different search after it
    again = igdb.search_games("zelda")
    igdb.search_games("mario")

    # Then IGDB saw the identical body once
    assert bodies(fake) == [
        f'search "zelda"; fields {SUMMARY}; limit 20;',
        f'search "mario"; fields {SUMMARY}; limit 20;',
    ]
    assert again == first


def test_with_redis_another_process_reuses_the_cached_answer(
    redis_cache: str, fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given one client cached the platform list in Redis
    settings = igdb_settings(fake, urls, redis_url=redis_cache)
    first = make_client(settings, clock)
    platforms = first.platforms()

    # When a second client (another process) asks for it
    second = make_client(settings, clock)
    again = second.platforms()

    # Then IGDB was asked once
    assert again == platforms
    assert len(fake.requests_to("/v4/platforms")) == 1
    for client in (first, second):
        client.close()
        client.tokens.close()
