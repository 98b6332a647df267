"""Per-user cached views (dashboard, continue watching, recommendations) and the one place that says which
change drops which of them.

Keys and lifetimes follow the cache contract: `seen:v1:dashboard:{user_id}` and
`seen:v1:continue-watching:{user_id}` live 2 minutes, `seen:v1:recommendations:{user_id}` 30 minutes.
A change drops the keys only once its transaction has committed: dropping them earlier would let a
concurrent reader cache the old rows again before the new ones are visible.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import types
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from sqlmodel import Session

from seen import cache
from seen.db import after_commit
from seen.jobs import enqueue as _enqueue

DASHBOARD_TTL_SECONDS = 120
CONTINUE_WATCHING_TTL_SECONDS = 120
RECOMMENDATIONS_TTL_SECONDS = 1800
STATS_TTL_SECONDS = 600
CALENDAR_TTL_SECONDS = 6 * 3600
# Months of calendar a user's cache may hold, around today: a change drops exactly these keys.
CALENDAR_MONTHS_BACK = 12
CALENDAR_MONTHS_AHEAD = 24

T = TypeVar("T")
log = logging.getLogger(__name__)


def dashboard_key(user_id: uuid.UUID) -> str:
    return cache.key("dashboard", user_id)


def continue_watching_key(user_id: uuid.UUID) -> str:
    return cache.key("continue-watching", user_id)


def recommendations_key(user_id: uuid.UUID) -> str:
    return cache.key("recommendations", user_id)


def stats_key(user_id: uuid.UUID) -> str:
    """The user's stats views (one entry per period shown); not in the spec's contract, dropped like it."""
    return cache.key("stats", user_id)


def calendar_key(user_id: uuid.UUID, month: str) -> str:
    """One month ("2026-12") of the user's release calendar: `seen:v1:calendar:{user_id}:{month}`."""
    return cache.key("calendar", user_id, month)


def calendar_months(today: date | None = None) -> list[str]:
    """The months ("YYYY-MM") whose calendar may be cached: the ones a change of followed titles drops."""
    today = today or datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1
    return [
        f"{month // 12:04d}-{month % 12 + 1:02d}"
        for month in range(index - CALENDAR_MONTHS_BACK, index + CALENDAR_MONTHS_AHEAD + 1)
    ]


def calendar_keys(user_id: uuid.UUID) -> list[str]:
    return [calendar_key(user_id, month) for month in calendar_months()]


def cached(name: str, ttl_seconds: int, build: Callable[[], T], kind: Any) -> T:
    """The cached value under `name`, or `build()` stored for `ttl_seconds`. `kind` is the value's type
    (dataclasses nested in lists and dicts), used to rebuild it from the stored JSON."""
    stored = cache.get_cache().get_json(name)
    if stored is not None:
        return revive(kind, stored)
    value = build()
    cache.get_cache().set_json(name, as_json(value), ttl_seconds)
    return value


def as_json(value: Any) -> Any:
    """Dataclasses (nested in lists, tuples and dicts) as plain JSON values. Unlike `dataclasses.asdict`
    it copies no leaf values, which made up a tenth of an uncached dashboard read."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: as_json(getattr(value, name)) for name, _hint in _field_hints(type(value))}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {name: as_json(item) for name, item in value.items()}
    return value


@functools.cache
def _field_hints(kind: type) -> tuple[tuple[str, Any], ...]:
    # Resolving string annotations is slow next to a cache read: once per class is enough.
    hints = get_type_hints(kind)
    return tuple((one.name, hints[one.name]) for one in dataclasses.fields(kind) if one.init)


def revive(kind: Any, value: Any) -> Any:
    """Rebuild a (nested) dataclass from its `as_json` form, led by the type hints of its fields."""
    if value is None:
        return None
    origin = get_origin(kind)
    if dataclasses.is_dataclass(kind):
        return kind(**{name: revive(hint, value[name]) for name, hint in _field_hints(kind)})
    if origin in (list, tuple):
        args = get_args(kind)
        items = [revive(args[0] if args else Any, item) for item in value]
        return items if origin is list else tuple(items)
    if origin is dict:
        value_kind = get_args(kind)[1] if get_args(kind) else Any
        return {name: revive(value_kind, item) for name, item in value.items()}
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        nested = [option for option in options if dataclasses.is_dataclass(option)]
        return revive(nested[0], value) if nested and isinstance(value, dict) else value
    return value


# -- invalidation triggers ------------------------------------------------------------------------------


def after_watch_later_change(session: Session, user_id: uuid.UUID) -> None:
    _drop_after_commit(session, dashboard_key(user_id), recommendations_key(user_id), *calendar_keys(user_id))
    _refresh_recommendations_after_commit(session, user_id)


def after_progress_change(session: Session, user_id: uuid.UUID) -> None:
    _drop_after_commit(session, continue_watching_key(user_id), dashboard_key(user_id), *calendar_keys(user_id))


def after_history_change(session: Session, user_id: uuid.UUID) -> None:
    """A viewing added, edited or removed: "recently watched", up next and what to recommend change."""
    _drop_after_commit(
        session,
        continue_watching_key(user_id),
        dashboard_key(user_id),
        recommendations_key(user_id),
        stats_key(user_id),
        *calendar_keys(user_id),
    )
    _refresh_recommendations_after_commit(session, user_id)


def after_taste_change(session: Session, user_id: uuid.UUID) -> None:
    """Ratings, favourites, collections and the game backlog: shown on the dashboard, read by recommendations."""
    _drop_after_commit(
        session, dashboard_key(user_id), recommendations_key(user_id), stats_key(user_id), *calendar_keys(user_id)
    )
    _refresh_recommendations_after_commit(session, user_id)


def after_recommendation_vote(session: Session, user_id: uuid.UUID) -> None:
    """A thumbs up/down or "not interested": the list (and the dashboard's row of it) change; rescore soon."""
    _drop_after_commit(session, dashboard_key(user_id), recommendations_key(user_id))
    _refresh_recommendations_after_commit(session, user_id)


def after_recommendations_refresh(session: Session, user_id: uuid.UUID) -> None:
    """A new snapshot was scored: the cached list and the dashboard's row of it are out of date."""
    _drop_after_commit(session, dashboard_key(user_id), recommendations_key(user_id))


RECOMMENDATIONS_REFRESH_ACTOR = "recommendations.refresh_user"
# At most one queued rescoring per user: the job clears this marker when it starts, so a change made while it
# runs queues the next one. The lifetime only frees the marker of a job that was lost.
RECOMMENDATIONS_PENDING_SECONDS = 600


def recommendations_pending_key(user_id: uuid.UUID) -> str:
    return cache.key("recommendations-pending", user_id)


def _refresh_recommendations_after_commit(session: Session, user_id: uuid.UUID) -> None:
    after_commit(session, lambda: _queue_recommendations_refresh(user_id))


def _queue_recommendations_refresh(user_id: uuid.UUID) -> None:
    try:
        if cache.get_cache().add_json(recommendations_pending_key(user_id), 1, RECOMMENDATIONS_PENDING_SECONDS):
            _enqueue(RECOMMENDATIONS_REFRESH_ACTOR, user_id=str(user_id))
    except Exception:  # the change is committed; a lost rescoring only waits for the schedule
        log.warning("could not queue a recommendations refresh", exc_info=True, extra={"user_id": str(user_id)})
        try:
            cache.get_cache().delete(recommendations_pending_key(user_id))
        except Exception:
            log.debug("could not clear the pending marker", exc_info=True)


def _drop_after_commit(session: Session, *names: str) -> None:
    after_commit(session, lambda: cache.get_cache().delete(*names))
