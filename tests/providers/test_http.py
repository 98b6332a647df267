"""The provider HTTP chokepoint, against the local fake over real HTTP, with an injected clock and sleep."""

from __future__ import annotations

import email.utils
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
import redis

from seen import cache
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderNotFound, ProviderUnavailable
from seen.providers.http import (
    IGDB_RATE_LIMIT,
    TMDB_RATE_LIMIT,
    TWITCH_RATE_LIMIT,
    ProviderClient,
    RateLimit,
    RateLimiter,
    limiter_for,
)
from tests.conftest import Backend
from tests.fakes.provider_server import FakeUrls, ProviderFake
from tests.providers.conftest import FakeClock
from tests.servers import free_port

MOVIE = "/movie/550"  # relative to the TMDB base URL
SERVED = "/3/movie/550"  # the path the fake sees


def local_limiter(provider: str, limit: RateLimit, clock: FakeClock) -> RateLimiter:
    return RateLimiter(provider, limit, shared=False, clock=clock, wall_clock=clock)


def tmdb_client(
    base_url: str,
    clock: FakeClock,
    *,
    api_key: str,
    jitter: Callable[[], float] = lambda: 1.0,
    **options: object,
) -> ProviderClient:
    return ProviderClient(
        "tmdb",
        base_url,
        rate_limit=TMDB_RATE_LIMIT,
        params={"api_key": api_key, "language": "en-US"},
        limiter=local_limiter("tmdb", TMDB_RATE_LIMIT, clock),
        sleep=clock.sleep,
        jitter=jitter,
        wall_clock=clock,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def tmdb(fake: ProviderFake, urls: FakeUrls, clock: FakeClock) -> Iterator[ProviderClient]:
    with tmdb_client(urls.tmdb, clock, api_key=fake.tmdb_api_key) as client:
        yield client


def twitch_token(fake: ProviderFake, urls: FakeUrls, clock: FakeClock) -> str:
    limiter = local_limiter("twitch", TWITCH_RATE_LIMIT, clock)
    with ProviderClient(
        "twitch", urls.twitch_token, rate_limit=TWITCH_RATE_LIMIT, limiter=limiter, sleep=clock.sleep
    ) as twitch:
        answer = twitch.request(
            "POST",
            "",
            params={
                "client_id": fake.twitch_client_id,
                "client_secret": fake.twitch_client_secret,
                "grant_type": "client_credentials",
            },
        )
    return answer.json["access_token"]


def igdb_client(fake: ProviderFake, urls: FakeUrls, clock: FakeClock, token: str) -> ProviderClient:
    return ProviderClient(
        "igdb",
        urls.igdb,
        rate_limit=IGDB_RATE_LIMIT,
        headers={"Client-ID": fake.twitch_client_id, "Authorization": f"Bearer {token}"},
        cache_methods=frozenset({"POST"}),
        limiter=local_limiter("igdb", IGDB_RATE_LIMIT, clock),
        sleep=clock.sleep,
        wall_clock=clock,
    )


# -- response cache ----------------------------------------------------------------------------


def test_a_cached_get_is_served_from_the_cache_the_second_time(
    backend: Backend, fake: ProviderFake, tmdb: ProviderClient
):
    # Given a movie fetched once with a TTL
    first = tmdb.request("GET", MOVIE, cache_ttl=600)

    # When it is fetched again
    second = tmdb.request("GET", MOVIE, cache_ttl=600)

    # Then the fake saw one request, and the second answer is the same body, marked as cached
    assert len(fake.requests_to(SERVED)) == 1
    assert first.from_cache is False
    assert second.from_cache is True
    assert second.json == first.json
    assert second.json["title"] == "Fight Club"
    assert second.status == 200


def test_the_cache_key_is_versioned_hashed_and_free_of_credentials(
    backend: Backend, fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given two clients with different API keys (a rotated key) asking for the same movie
    with tmdb_client(urls.tmdb, clock, api_key=fake.tmdb_api_key) as client:
        client.request("GET", MOVIE, cache_ttl=600)
    fake.tmdb_api_key = "rotated-key"
    try:
        with tmdb_client(urls.tmdb, clock, api_key="rotated-key") as rotated:
            # When the second client asks
            answer = rotated.request("GET", MOVIE, cache_ttl=600)
    finally:
        fake.tmdb_api_key = "fake-tmdb-api-key"

    # Then it is served from the cache: the key does not depend on the credential
    assert answer.from_cache is True
    assert len(fake.requests_to(SERVED)) == 1
    if backend.redis_url:
        keys = [name.decode() for name in redis.Redis.from_url(backend.redis_url).keys("seen:v1:provider:*")]
        assert len(keys) == 1
        assert keys[0].startswith("seen:v1:provider:tmdb:")
        assert len(keys[0].rsplit(":", 1)[1]) == 64  # a sha256 hex digest
        assert "api_key" not in keys[0]


def test_only_200_answers_are_cached(backend: Backend, fake: ProviderFake, tmdb: ProviderClient):
    # Given a path the provider does not know
    missing = "/movie/does-not-exist/nothing"

    # When it is asked for twice with a TTL
    for _ in range(2):
        with pytest.raises(ProviderNotFound):
            tmdb.request("GET", missing, cache_ttl=600)

    # Then both reached the provider
    assert len(fake.requests_to("/3" + missing)) == 2


def test_without_a_ttl_nothing_is_cached(backend: Backend, fake: ProviderFake, tmdb: ProviderClient):
    # Given / When a movie fetched twice without a TTL
    tmdb.request("GET", MOVIE)
    again = tmdb.request("GET", MOVIE)

    # Then both went to the provider
    assert again.from_cache is False
    assert len(fake.requests_to(SERVED)) == 2


def test_igdb_post_queries_are_cached_keyed_on_the_body(
    backend: Backend, fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given an IGDB client with a token from the fake Twitch
    with igdb_client(fake, urls, clock, twitch_token(fake, urls, clock)) as igdb:
        # When one query is sent twice and another once
        first = igdb.request("POST", "/games", content="fields *; limit 10;", cache_ttl=3600)
        repeat = igdb.request("POST", "/games", content="fields *; limit 10;", cache_ttl=3600)
        other = igdb.request("POST", "/games", content="fields name; limit 5;", cache_ttl=3600)

    # Then the repeated body came from the cache and the different body went to IGDB
    assert [first.from_cache, repeat.from_cache, other.from_cache] == [False, True, False]
    assert [request.body for request in fake.requests_to("/v4/games")] == [
        b"fields *; limit 10;",
        b"fields name; limit 5;",
    ]
    assert repeat.json[0]["name"] == "The Witcher 3: Wild Hunt"


# -- retries -----------------------------------------------------------------------------------


def test_a_429_is_retried_after_the_seconds_in_retry_after(fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock):
    # Given the provider throttles the next request with Retry-After: 1
    fake.rate_limit_next(SERVED, times=1, retry_after="1")

    # When the movie is requested
    answer = tmdb.request("GET", MOVIE)

    # Then the client slept exactly the header's value once and then succeeded
    assert clock.sleeps == [1.0]
    assert answer.json["id"] == 550
    assert len(fake.requests_to(SERVED)) == 2


def test_retry_after_as_an_http_date_is_honoured(fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock):
    # Given a 429 whose Retry-After is a date 7 seconds after "now"
    fake.rate_limit_next(SERVED, times=1, retry_after=email.utils.formatdate(clock.now + 7, usegmt=True))

    # When the movie is requested
    tmdb.request("GET", MOVIE)

    # Then the client waited until that date
    assert clock.sleeps == [7.0]


def test_503s_are_retried_with_exponential_backoff(fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock):
    # Given three 503s in a row and jitter at its upper bound
    fake.fail_next(SERVED, times=3, status=503)

    # When the movie is requested
    answer = tmdb.request("GET", MOVIE)

    # Then the waits doubled from the 0.5 s base, and the fourth attempt succeeded
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert answer.status == 200
    assert len(fake.requests_to(SERVED)) == 4


def test_backoff_is_full_jitter_within_a_capped_bound(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a jitter source with known draws and a cap of 1.5 s
    draws = iter([0.2, 0.9, 0.5])
    fake.fail_next(SERVED, times=3, status=502)
    client = tmdb_client(urls.tmdb, clock, api_key=fake.tmdb_api_key, jitter=lambda: next(draws), backoff_cap=1.5)

    # When the movie is requested
    with client:
        client.request("GET", MOVIE)

    # Then each wait is the draw times min(cap, 0.5 * 2^attempt)
    assert clock.sleeps == pytest.approx([0.2 * 0.5, 0.9 * 1.0, 0.5 * 1.5])
    assert all(0 <= wait <= bound for wait, bound in zip(clock.sleeps, [0.5, 1.0, 1.5], strict=True))


def test_it_gives_up_after_max_retries_with_provider_unavailable(
    fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock
):
    # Given a provider that keeps answering 503
    fake.fail_next(SERVED, times=10, status=503)

    # When the movie is requested
    with pytest.raises(ProviderUnavailable) as raised:
        tmdb.request("GET", MOVIE)

    # Then it tried once plus three retries, and the error carries the last status
    assert raised.value.status == 503
    assert raised.value.provider == "tmdb"
    assert len(fake.requests_to(SERVED)) == 4
    assert len(clock.sleeps) == 3


def test_a_retry_after_longer_than_we_wait_fails_at_once(fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock):
    # Given a 429 asking for an hour's pause
    fake.rate_limit_next(SERVED, times=1, retry_after="3600")

    # When the movie is requested
    with pytest.raises(ProviderUnavailable) as raised:
        tmdb.request("GET", MOVIE)

    # Then the caller is not blocked: no sleep, and the hint is handed on for jobs to back off
    assert clock.sleeps == []
    assert raised.value.retry_after == 3600
    assert raised.value.status == 429


def test_a_401_raises_provider_auth_error_without_retrying(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given a client with a wrong key
    client = tmdb_client(urls.tmdb, clock, api_key="wrong-key")

    # When it asks for a movie
    with client, pytest.raises(ProviderAuthError) as raised:
        client.request("GET", MOVIE)

    # Then one request was made and nothing was retried
    assert raised.value.status == 401
    assert len(fake.requests_to(SERVED)) == 1
    assert clock.sleeps == []


def test_a_404_raises_provider_not_found(fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock):
    # Given / When a path the provider does not serve
    with pytest.raises(ProviderNotFound) as raised:
        tmdb.request("GET", "/no/such/thing")

    # Then it is a 404, not retried
    assert raised.value.status == 404
    assert clock.sleeps == []


def test_other_4xx_raise_provider_error_without_retrying(fake: ProviderFake, tmdb: ProviderClient, clock: FakeClock):
    # Given the provider rejects the next request as a bad request
    fake.fail_next(SERVED, times=1, status=422)

    # When the movie is requested
    with pytest.raises(ProviderError) as raised:
        tmdb.request("GET", MOVIE)

    # Then it is the base error with the status, and nothing was retried
    assert type(raised.value) is ProviderError
    assert raised.value.status == 422
    assert len(fake.requests_to(SERVED)) == 1


def test_transport_errors_are_retried_then_reported_unavailable(clock: FakeClock):
    # Given nothing listens on the port
    closed = f"http://127.0.0.1:{free_port()}/3"
    client = tmdb_client(closed, clock, api_key="secret-key-123")

    # When a movie is requested
    with client, pytest.raises(ProviderUnavailable) as raised:
        client.request("GET", MOVIE)

    # Then it retried with backoff and reports no HTTP status
    assert raised.value.status is None
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_renewing_the_bearer_token_after_a_401(fake: ProviderFake, urls: FakeUrls, clock: FakeClock):
    # Given an IGDB client whose token the fake has expired
    with igdb_client(fake, urls, clock, twitch_token(fake, urls, clock)) as igdb:
        fake.expire_igdb_tokens()
        with pytest.raises(ProviderAuthError):
            igdb.request("POST", "/platforms", content="fields *;")

        # When the caller retries once with a renewed token, for this request only
        renewed = {"Authorization": f"Bearer {twitch_token(fake, urls, clock)}"}
        answer = igdb.request("POST", "/platforms", content="fields *;", headers=renewed)

    # Then the retry succeeds
    assert [platform["abbreviation"] for platform in answer.json] == ["PC", "PS4", "Switch"]


# -- rate limit --------------------------------------------------------------------------------


@pytest.mark.parametrize(("limit", "budget"), [(TMDB_RATE_LIMIT, 40), (IGDB_RATE_LIMIT, 4)])
def test_one_request_over_the_budget_within_a_second_waits(limit: RateLimit, budget: int, clock: FakeClock):
    # Given a limiter and a burst spread over the first half second
    limiter = local_limiter("any", limit, clock)
    clock.now = start = 1000.0  # a small monotonic reading keeps the float sums exact enough
    waits = []
    for _ in range(budget):
        waits.append(limiter.wait_for_turn(clock.sleep))
        clock.now += 0.5 / budget

    # When one more request comes within the same second
    extra = limiter.wait_for_turn(clock.sleep)

    # Then the budget went through at once and the extra one waits until a second after the first
    assert waits == [0.0] * budget
    assert extra == pytest.approx(1.0 - 0.5)
    assert clock.now == pytest.approx(start + 1.0)


def test_the_budget_refills_after_a_second(clock: FakeClock):
    # Given a spent IGDB budget
    limiter = local_limiter("igdb", IGDB_RATE_LIMIT, clock)
    for _ in range(4):
        limiter.wait_for_turn(clock.sleep)

    # When a second has passed
    clock.now += 1.0

    # Then the next request goes at once
    assert limiter.wait_for_turn(clock.sleep) == 0.0
    assert clock.sleeps == []


def test_in_flight_requests_are_capped(clock: FakeClock):
    # Given all eight IGDB slots taken (the rate is generous so only the cap matters)
    limiter = local_limiter("igdb", RateLimit(per_second=100, max_in_flight=8), clock)
    entered = threading.Event()

    def ninth() -> None:
        with limiter.slot(clock.sleep):
            entered.set()

    with ExitStack() as held:
        for _ in range(8):
            held.enter_context(limiter.slot(clock.sleep))
        # When a ninth request tries to start
        worker = threading.Thread(target=ninth, daemon=True)
        worker.start()
        # Then it waits while all eight are out
        assert not entered.wait(timeout=0.2)
    # And it proceeds once one is released
    assert entered.wait(timeout=5)
    worker.join(timeout=5)


def test_limiter_for_gives_one_limiter_per_provider_shared_only_with_redis(backend: Backend):
    # Given the backend's settings (Redis or not)
    # When two clients of a provider ask for its limiter
    first = limiter_for("tmdb", TMDB_RATE_LIMIT)
    second = limiter_for("tmdb", TMDB_RATE_LIMIT)

    # Then they share one, which counts in Redis exactly when Redis is configured
    assert first is second
    assert limiter_for("igdb", IGDB_RATE_LIMIT) is not first
    assert first.shared is bool(backend.redis_url)


def test_two_processes_share_the_budget_through_redis(backend: Backend, clock: FakeClock):
    # Given one process spent the TMDB budget of this second (half-way through it)
    clock.now = 1_700_000_000.5
    one = RateLimiter("tmdb", TMDB_RATE_LIMIT, shared=True, clock=clock, wall_clock=clock)
    assert [one.wait_for_turn(clock.sleep) for _ in range(40)] == [0.0] * 40

    # When another process (its own limiter and its own cache connection) sends a request
    cache.reset_cache()
    other = RateLimiter("tmdb", TMDB_RATE_LIMIT, shared=True, clock=clock, wall_clock=clock)
    waited = other.wait_for_turn(clock.sleep)

    # Then with Redis it waits for the next second; the in-memory cache is per process, so it does not
    if backend.redis_url:
        assert waited == pytest.approx(0.5)
        window = redis.Redis.from_url(backend.redis_url).get("seen:v1:ratelimit:tmdb:1700000000")
        assert window is not None and int(window) == 41
    else:
        assert waited == 0.0


# -- logging -----------------------------------------------------------------------------------


def test_credentials_never_reach_the_logs(
    caplog: pytest.LogCaptureFixture, fake: ProviderFake, urls: FakeUrls, clock: FakeClock
):
    # Given every kind of credential in use: a TMDB key (query), a TMDB read token and an IGDB token (headers),
    # and a Twitch client secret (query)
    caplog.set_level(logging.DEBUG)
    fake.rate_limit_next(SERVED, times=1)
    with tmdb_client(urls.tmdb, clock, api_key=fake.tmdb_api_key) as tmdb:
        tmdb.request("GET", MOVIE)
    with tmdb_client(urls.tmdb, clock, api_key="wrong-key-abc123") as wrong, pytest.raises(ProviderAuthError) as error:
        wrong.request("GET", MOVIE)
    bearer = ProviderClient(
        "tmdb",
        urls.tmdb,
        rate_limit=TMDB_RATE_LIMIT,
        headers={"Authorization": f"Bearer {fake.tmdb_read_token}"},
        limiter=local_limiter("tmdb", TMDB_RATE_LIMIT, clock),
        sleep=clock.sleep,
    )
    with bearer:
        bearer.request("GET", "/genre/movie/list")
    token = twitch_token(fake, urls, clock)
    with igdb_client(fake, urls, clock, token) as igdb:
        igdb.request("POST", "/games", content="fields *;")

    # When the log records are rendered in full
    rendered = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    rendered += str(error.value)

    # Then requests were logged (by us and by httpx) but no credential appears
    assert "provider request" in rendered
    assert "HTTP Request" in rendered and "api_key=***" in rendered
    secrets = [fake.tmdb_api_key, "wrong-key-abc123", fake.tmdb_read_token, fake.twitch_client_secret, token]
    assert [secret for secret in secrets if secret in rendered] == []
