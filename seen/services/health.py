"""Readiness: can the app reach its database, its cache and its job broker?"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from seen.cache import get_cache
from seen.db import get_engine
from seen.jobs import ping_broker


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    latency_ms: float
    detail: str


def _timed(name: str, probe: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as error:  # any failure of a dependency means "not ready", with the reason
        detail, ok = f"{type(error).__name__}: {error}"[:300], False
    return Check(name, ok, round((time.perf_counter() - started) * 1000, 2), detail)


def _database() -> str:
    engine = get_engine()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return engine.dialect.name


def _cache() -> str:
    cache = get_cache()
    cache.ping()
    return type(cache).__name__


def readiness() -> list[Check]:
    return [_timed("database", _database), _timed("cache", _cache), _timed("broker", ping_broker)]
