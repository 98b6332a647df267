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
import types
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

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
