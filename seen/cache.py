"""The cache: one small interface, a Redis backend and an in-memory backend, and the key scheme.

Every key is built here, versioned as ``seen:v1:...`` so a format change only needs a new version.
PostgreSQL stays the source of truth: losing the cache loses nothing.
"""

from __future__ import annotations

import json
import threading
import time
from functools import lru_cache
from typing import Any, Protocol

import redis

from seen.config import get_settings

KEY_PREFIX = "seen:v1"


# Generations: a counter per kind of shared data that cached views built from it record. A change moves it
# on, and a view recorded under an older one is stale (cheaper than finding and dropping every such view).
CATALOGUE = "catalogue"  # every committed catalogue write: titles, release dates, seasons, episodes, add-ons
DISCOVER = "discover"  # every section sync
GENERATION_TTL_SECONDS = 30 * 24 * 3600


def key(*parts: object) -> str:
    return ":".join([KEY_PREFIX, *(str(part) for part in parts)])


def generation(name: str) -> int:
    return int(get_cache().get_json(key(name, "generation")) or 0)


def next_generation(name: str) -> None:
    get_cache().set_json(key(name, "generation"), generation(name) + 1, GENERATION_TTL_SECONDS)


class Cache(Protocol):
    def get_json(self, name: str) -> Any | None: ...
    def set_json(self, name: str, value: Any, ttl_seconds: int) -> None: ...
    def delete(self, *names: str) -> None: ...
    def add_json(self, name: str, value: Any, ttl_seconds: int) -> bool:
        """Set only if absent (a lock or a "done recently" marker); True when this call set it."""
        ...

    def incr_window(self, name: str, window_seconds: int) -> tuple[int, int]:
        """Count one more event in a fixed window; returns (count, seconds until the window ends)."""
        ...

    def peek_window(self, name: str) -> tuple[int, int]: ...
    def ping(self) -> None: ...


class MemoryCache:
    """The embedded default: a dict with expiry, safe across the app's threads."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _live(self, name: str) -> tuple[float, Any] | None:
        item = self._items.get(name)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            del self._items[name]
            return None
        return item

    def get_json(self, name: str) -> Any | None:
        with self._lock:
            item = self._live(name)
            return None if item is None else json.loads(item[1])

    def set_json(self, name: str, value: Any, ttl_seconds: int) -> None:
        with self._lock:
            self._items[name] = (time.monotonic() + ttl_seconds, json.dumps(value))

    def delete(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self._items.pop(name, None)

    def add_json(self, name: str, value: Any, ttl_seconds: int) -> bool:
        with self._lock:
            if self._live(name) is not None:
                return False
            self._items[name] = (time.monotonic() + ttl_seconds, json.dumps(value))
            return True

    def incr_window(self, name: str, window_seconds: int) -> tuple[int, int]:
        with self._lock:
            now = time.monotonic()
            item = self._live(name)
            expires_at, count = item if item else (now + window_seconds, 0)
            self._items[name] = (expires_at, count + 1)
            return count + 1, max(1, round(expires_at - now))

    def peek_window(self, name: str) -> tuple[int, int]:
        with self._lock:
            item = self._live(name)
            if item is None:
                return 0, 0
            return item[1], max(1, round(item[0] - time.monotonic()))

    def ping(self) -> None:
        return None


class RedisCache:
    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)

    def get_json(self, name: str) -> Any | None:
        raw = self._redis.get(name)
        return None if raw is None else json.loads(raw)

    def set_json(self, name: str, value: Any, ttl_seconds: int) -> None:
        self._redis.set(name, json.dumps(value), ex=ttl_seconds)

    def delete(self, *names: str) -> None:
        if names:
            self._redis.delete(*names)

    def add_json(self, name: str, value: Any, ttl_seconds: int) -> bool:
        return bool(self._redis.set(name, json.dumps(value), ex=ttl_seconds, nx=True))

    def incr_window(self, name: str, window_seconds: int) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.incr(name)
        # NX: only the first event of a window sets its end, later ones do not extend it.
        pipe.expire(name, window_seconds, nx=True)
        pipe.ttl(name)
        count, _, ttl = pipe.execute()
        return int(count), max(1, int(ttl))

    def peek_window(self, name: str) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.get(name)
        pipe.ttl(name)
        raw, ttl = pipe.execute()
        return (0, 0) if raw is None else (int(raw), max(1, int(ttl)))

    def ping(self) -> None:
        self._redis.ping()


@lru_cache
def get_cache() -> Cache:
    settings = get_settings()
    return RedisCache(settings.redis_url) if settings.uses_redis else MemoryCache()


def reset_cache() -> None:
    get_cache.cache_clear()
