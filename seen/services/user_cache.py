"""Per-user cached views (dashboard, continue watching, recommendations) and the one place that says which
change drops which of them.

Keys and lifetimes follow the cache contract: `seen:v1:dashboard:{user_id}` and
`seen:v1:continue-watching:{user_id}` live 2 minutes, `seen:v1:recommendations:{user_id}` 30 minutes.
A change drops the keys only once its transaction has committed: dropping them earlier would let a
concurrent reader cache the old rows again before the new ones are visible.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from seen import cache
from seen.db import after_commit

DASHBOARD_TTL_SECONDS = 120
CONTINUE_WATCHING_TTL_SECONDS = 120
RECOMMENDATIONS_TTL_SECONDS = 1800
STATS_TTL_SECONDS = 600

T = TypeVar("T")


def dashboard_key(user_id: uuid.UUID) -> str:
    return cache.key("dashboard", user_id)


def continue_watching_key(user_id: uuid.UUID) -> str:
    return cache.key("continue-watching", user_id)


def recommendations_key(user_id: uuid.UUID) -> str:
    return cache.key("recommendations", user_id)


def stats_key(user_id: uuid.UUID) -> str:
    """The user's stats views (one entry per period shown); not in the spec's contract, dropped like it."""
    return cache.key("stats", user_id)


def cached(
    name: str, ttl_seconds: int, build: Callable[[], T], *, dump: Callable[[T], Any], load: Callable[[Any], T]
) -> T:
    """The cached value under `name`, or `build()` stored for `ttl_seconds` (dump/load make it JSON)."""
    stored = cache.get_cache().get_json(name)
    if stored is not None:
        return load(stored)
    value = build()
    cache.get_cache().set_json(name, dump(value), ttl_seconds)
    return value


# -- invalidation triggers ------------------------------------------------------------------------------


def after_watch_later_change(session: Session, user_id: uuid.UUID) -> None:
    _drop_after_commit(session, dashboard_key(user_id), recommendations_key(user_id))


def after_progress_change(session: Session, user_id: uuid.UUID) -> None:
    _drop_after_commit(session, continue_watching_key(user_id), dashboard_key(user_id))


def after_history_change(session: Session, user_id: uuid.UUID) -> None:
    """A viewing added, edited or removed: "recently watched", up next and what to recommend change."""
    _drop_after_commit(
        session,
        continue_watching_key(user_id),
        dashboard_key(user_id),
        recommendations_key(user_id),
        stats_key(user_id),
    )


def after_taste_change(session: Session, user_id: uuid.UUID) -> None:
    """Ratings, favourites, collections and the game backlog: shown on the dashboard, read by recommendations."""
    _drop_after_commit(session, dashboard_key(user_id), recommendations_key(user_id), stats_key(user_id))


def _drop_after_commit(session: Session, *names: str) -> None:
    after_commit(session, lambda: cache.get_cache().delete(*names))
