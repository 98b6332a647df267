"""The one HTTP chokepoint every provider goes through.

`ProviderClient.request` adds, in this order: the response cache (GET, and POST for query APIs such as
IGDB), the client-side rate limit, timeouts, and retries with exponential backoff and full jitter on
429, 5xx and transport errors, honouring `Retry-After`. Errors come out as the `errors` module's types.

Rate limit: every client of one provider in a process draws from one `RateLimiter` (see `limiter_for`):
a sliding window of `per_second` grants plus a semaphore of `max_in_flight`. With Redis configured the
per-second budget is also counted in Redis, one key per provider and epoch second, so all app and worker
processes share it. The in-flight limit stays per process: holding a distributed semaphore across a
request would need leases that outlive crashed workers, and each process's cap already bounds the total.
A fixed one-second window lets up to twice the budget through around a second boundary across
processes; the local sliding window smooths each process, and the retry on 429 absorbs the rest.

Credentials never reach a log line: secret query parameters and bearer tokens are masked in our own
records and, through a filter, in httpx's request log.
"""

from __future__ import annotations

import email.utils
import hashlib
import json as jsonlib
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlencode, urlsplit

import httpx
import redis

from seen import cache
from seen.config import get_settings
from seen.providers.errors import ProviderAuthError, ProviderError, ProviderNotFound, ProviderUnavailable

logger = logging.getLogger(__name__)

ProviderName = Literal["tmdb", "igdb", "twitch"]
Sleep = Callable[[float], None]
Clock = Callable[[], float]
Params = Mapping[str, Any]

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

# Names whose values are credentials wherever they appear (query strings, form bodies).
SECRET_PARAMS = frozenset({"api_key", "client_secret", "access_token", "refresh_token"})
_SECRET_IN_TEXT = re.compile(
    r"(?P<name>\b(?:api_key|client_secret|access_token|refresh_token)=)[^&\s\"',]+|(?P<bearer>Bearer\s+)[^\s\"',]+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RateLimit:
    per_second: int
    max_in_flight: int | None = None


# TMDB documents roughly 50 requests/s and 20 connections per IP; we stay below both.
TMDB_RATE_LIMIT = RateLimit(per_second=40, max_in_flight=20)
# IGDB documents 4 requests/s and 8 open requests.
IGDB_RATE_LIMIT = RateLimit(per_second=4, max_in_flight=8)
# Token requests are rare (one per token lifetime); the limit only stops a renewal loop hammering Twitch.
TWITCH_RATE_LIMIT = RateLimit(per_second=2, max_in_flight=2)


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    json: Any
    headers: Mapping[str, str]
    from_cache: bool = False


def redact(text: str) -> str:
    """Mask credential values in free text (URLs, messages)."""
    return _SECRET_IN_TEXT.sub(lambda match: (match.group("name") or match.group("bearer")) + "***", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message with credentials masked; attached to the loggers of the HTTP libraries."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _install_redaction() -> None:
    # Logger filters are not inherited by child loggers, so each logger that formats URLs gets its own.
    for name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy"):
        target = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in target.filters):
            target.addFilter(RedactSecrets())


_install_redaction()


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class SlidingWindow:
    """At most `limit` grants in any `period` seconds in this process; thread-safe.

    A grant may be reserved in the future: the caller is told how long to wait, so waiting threads queue
    in order instead of spinning.
    """

    def __init__(self, limit: int, *, period: float = 1.0, clock: Clock = time.monotonic) -> None:
        self._limit = limit
        self._period = period
        self._clock = clock
        self._grants: deque[float] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next grant; returns the seconds to wait before using it (0 = now)."""
        with self._lock:
            now = self._clock()
            at = now if len(self._grants) < self._limit else max(now, self._grants[0] + self._period)
            self._grants.append(at)  # maxlen drops the oldest, which is now a full period behind
            return at - now


class SharedWindow:
    """A per-second budget counted in the cache, so with Redis every process draws from the same one."""

    def __init__(self, provider: str, limit: int, *, wall_clock: Clock = time.time) -> None:
        self._provider = provider
        self._limit = limit
        self._wall_clock = wall_clock

    def reserve(self) -> float:
        """Count one request in the current second; returns 0 when within budget, else seconds to the next."""
        now = self._wall_clock()
        second = int(now)
        # The window outlives its second a little so a process whose clock lags still finds it.
        count, _ = cache.get_cache().incr_window(cache.key("ratelimit", self._provider, second), 2)
        return 0.0 if count <= self._limit else (second + 1) - now


class RateLimiter:
    """Requests per second (local, and shared through the cache when asked) plus a per-process in-flight cap."""

    def __init__(
        self,
        provider: str,
        limit: RateLimit,
        *,
        shared: bool,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
    ) -> None:
        self.provider = provider
        self.limit = limit
        self._local = SlidingWindow(limit.per_second, clock=clock)
        self._shared = SharedWindow(provider, limit.per_second, wall_clock=wall_clock) if shared else None
        self._in_flight = threading.BoundedSemaphore(limit.max_in_flight) if limit.max_in_flight else None

    @property
    def shared(self) -> bool:
        """Whether the per-second budget is counted in the cache (across processes with Redis)."""
        return self._shared is not None

    def wait_for_turn(self, sleep: Sleep) -> float:
        """Sleep until one more request is within budget; returns the seconds waited."""
        waited = self._local.reserve()
        if waited > 0:
            sleep(waited)
        while self._shared is not None:
            try:
                delay = self._shared.reserve()
            except redis.RedisError as error:
                # The cache being down must not stop catalogue calls: the local window still holds.
                logger.warning("shared rate limit unavailable, using the local one", extra={"error": str(error)})
                break
            if delay <= 0:
                break
            sleep(delay)
            waited += delay
        return waited

    @contextmanager
    def slot(self, sleep: Sleep) -> Iterator[None]:
        """Hold an in-flight slot for one request, after waiting for its turn in the rate budget."""
        if self._in_flight is not None:
            self._in_flight.acquire()
        try:
            self.wait_for_turn(sleep)
            yield
        finally:
            if self._in_flight is not None:
                self._in_flight.release()


_limiters: dict[tuple[str, RateLimit, bool], RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(provider: str, limit: RateLimit) -> RateLimiter:
    """The process-wide limiter of a provider, so every client of it draws from one budget."""
    shared = get_settings().uses_redis
    with _limiters_lock:
        found = _limiters.get((provider, limit, shared))
        if found is None:
            found = _limiters[(provider, limit, shared)] = RateLimiter(provider, limit, shared=shared)
        return found


def cache_key(provider: str, method: str, url: str, params: Params, body: bytes) -> str:
    """`seen:v1:provider:{provider}:{sha256}` over method, path, sorted params and body.

    Credential params are left out so a rotated key keeps the cache, and the host is left out so the
    fake and the real service agree on keys for the same request.
    """
    kept = sorted((name, str(value)) for name, value in params.items() if name.lower() not in SECRET_PARAMS)
    material = jsonlib.dumps([method, urlsplit(url).path, kept, body.decode("utf-8", "replace")])
    return cache.key("provider", provider, hashlib.sha256(material.encode()).hexdigest())


def _loggable_url(url: str, params: Params) -> str:
    shown = [(name, "***" if name.lower() in SECRET_PARAMS else value) for name, value in params.items()]
    return redact(f"{url}?{urlencode(shown, doseq=True)}" if shown else url)


class Closing:
    """`with Client(...) as client:` releases the client's connections when the block ends."""

    def close(self) -> None:
        """Release what the client holds; subclasses say what."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class ProviderClient(Closing):
    """A synchronous client for one provider: cache, rate limit, timeouts, retries, error mapping."""

    def __init__(
        self,
        provider: ProviderName,
        base_url: str,
        *,
        rate_limit: RateLimit,
        headers: Mapping[str, str] | None = None,
        params: Params | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_retry_after: float = 60.0,
        cache_methods: frozenset[str] = frozenset({"GET"}),
        read_cache: bool = True,
        limiter: RateLimiter | None = None,
        sleep: Sleep = time.sleep,
        jitter: Callable[[], float] = random.random,
        wall_clock: Clock = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        # Sync jobs want the provider's answer of now: they skip cached answers but still store theirs.
        self._read_cache = read_cache
        self._params = dict(params or {})
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._cache_methods = frozenset(method.upper() for method in cache_methods)
        self._limiter = limiter or limiter_for(provider, rate_limit)
        self._sleep = sleep
        self._jitter = jitter
        self._wall_clock = wall_clock
        self._http = httpx.Client(headers=headers, timeout=timeout, follow_redirects=True, transport=transport)

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        cache_ttl: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ProviderResponse:
        """Send one request (with retries) and return its decoded JSON, or raise a `ProviderError`.

        `headers` apply to this request only (a bearer token that another thread may be renewing);
        they never enter the cache key, like every credential.
        """
        method = method.upper()
        url = f"{self.base_url}{path}" if path else self.base_url
        merged = {**self._params, **(params or {})}
        body, body_headers = _encode_body(json, content)
        headers = {**body_headers, **(headers or {})}
        name = cache_key(self.provider, method, url, merged, body) if self._caches(method, cache_ttl) else None
        if name is not None and self._read_cache:
            cached = self._cache_get(name)
            if cached is not None:
                logger.debug("provider cache hit", extra={"provider": self.provider, "url": _loggable_url(url, merged)})
                return cached
        response = self._send(method, url, merged, body, headers)
        if name is not None and cache_ttl and response.status == 200:
            self._cache_set(name, response, cache_ttl)
        return response

    def _caches(self, method: str, cache_ttl: int | None) -> bool:
        return bool(cache_ttl) and method in self._cache_methods

    def _send(self, method: str, url: str, params: Params, body: bytes, headers: dict[str, str]) -> ProviderResponse:
        shown = _loggable_url(url, params)
        for attempt in range(self._max_retries + 1):
            final = attempt == self._max_retries
            started = time.perf_counter()
            try:
                with self._limiter.slot(self._sleep):
                    response = self._http.request(method, url, params=params, content=body or None, headers=headers)
            except httpx.TransportError as error:
                self._log_attempt(method, shown, None, attempt, started, failure=type(error).__name__)
                if final:
                    raise ProviderUnavailable(
                        f"{self.provider} unreachable after {attempt + 1} attempts: {type(error).__name__}",
                        provider=self.provider,
                    ) from error
                self._sleep(self._backoff(attempt))
                continue
            status = response.status_code
            self._log_attempt(method, shown, status, attempt, started)
            if status != 429 and status < 500:
                return self._finish(response, shown)
            delay = self._retry_delay(response, attempt, final)
            self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_delay(self, response: httpx.Response, attempt: int, final: bool) -> float:
        """How long to wait before retrying a 429/5xx, or raise when we should not retry it."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
        # A provider asking for a long pause is better answered by serving cached data than by a blocked caller.
        if final or (retry_after is not None and retry_after > self._max_retry_after):
            raise ProviderUnavailable(
                f"{self.provider} answered {status} after {attempt + 1} attempts",
                provider=self.provider,
                status=status,
                retry_after=retry_after,
            )
        return retry_after if retry_after is not None else self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^attempt)), so many clients do not retry in step."""
        return min(self._backoff_cap, self._backoff_base * 2**attempt) * self._jitter()

    def _finish(self, response: httpx.Response, shown: str) -> ProviderResponse:
        status = response.status_code
        if 200 <= status < 300:
            headers = {name.lower(): value for name, value in response.headers.items()}
            return ProviderResponse(status=status, json=self._decode(response), headers=headers)
        message = f"{self.provider} answered {status} for {shown}"
        if status == 401:
            raise ProviderAuthError(message, provider=self.provider, status=status)
        if status == 404:
            raise ProviderNotFound(message, provider=self.provider, status=status)
        raise ProviderError(message, provider=self.provider, status=status)

    def _decode(self, response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ProviderError(
                f"{self.provider} answered {response.status_code} with a body that is not JSON",
                provider=self.provider,
                status=response.status_code,
            ) from error

    def _cache_get(self, name: str) -> ProviderResponse | None:
        try:
            stored = cache.get_cache().get_json(name)
        except redis.RedisError as error:
            logger.warning("provider cache unavailable", extra={"provider": self.provider, "error": str(error)})
            return None
        if not isinstance(stored, dict):
            return None
        return ProviderResponse(
            status=stored["status"], json=stored["json"], headers=stored["headers"], from_cache=True
        )

    def _cache_set(self, name: str, response: ProviderResponse, ttl: int) -> None:
        stored = {"status": response.status, "json": response.json, "headers": dict(response.headers)}
        try:
            cache.get_cache().set_json(name, stored, ttl)
        except redis.RedisError as error:
            logger.warning("provider cache unavailable", extra={"provider": self.provider, "error": str(error)})

    def _log_attempt(
        self, method: str, shown: str, status: int | None, attempt: int, started: float, failure: str = ""
    ) -> None:
        retrying = failure or (status is not None and (status == 429 or status >= 500))
        logger.log(
            logging.WARNING if retrying else logging.DEBUG,
            "provider request",
            extra={
                "provider": self.provider,
                "http_method": method,
                "url": shown,
                "status": status,
                "attempt": attempt + 1,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
                "failure": failure,
            },
        )


def _encode_body(json: Any, content: bytes | str | None) -> tuple[bytes, dict[str, str]]:
    """The exact bytes sent, so the cache key and the request can never disagree."""
    if json is not None:
        return jsonlib.dumps(json, separators=(",", ":")).encode(), {"Content-Type": "application/json"}
    if isinstance(content, str):
        return content.encode(), {}
    return content or b"", {}
