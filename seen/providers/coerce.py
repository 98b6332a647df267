"""Defensive readers for provider JSON: each returns a clean value or None, never raises.

Providers change shapes over the years (numbers sent as strings, empty strings for missing dates, nulls for
lists), so the normalisers read every field through these instead of trusting the payload.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def as_int(value: Any) -> int | None:
    # bool is an int subclass; a True where a number belongs is a payload error, not 1.
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    number = as_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_str(value: Any) -> str | None:
    """A non-blank string, or None (TMDB sends "" and null interchangeably for "unknown")."""
    if not isinstance(value, str):
        return None
    return value if value.strip() else None


def as_dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_date(value: Any) -> dt.date | None:
    """``YYYY-MM-DD`` or an ISO timestamp (release dates carry ``T00:00:00.000Z``); anything else is None."""
    text = as_str(value)
    if text is None or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def timestamp_date(value: Any) -> dt.date | None:
    """A unix timestamp (IGDB) as a UTC calendar date."""
    seconds = as_int(value)
    if seconds is None:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def str_tuple(values: Any) -> tuple[str, ...]:
    return tuple(text for text in map(as_str, as_list(values)) if text is not None)


def int_tuple(values: Any) -> tuple[int, ...]:
    return tuple(number for number in map(as_int, as_list(values)) if number is not None)


def collect(
    values: Any, convert: Callable[[Any], T | None], what: str, logger: logging.Logger
) -> tuple[tuple[T, ...], int]:
    """Convert each list item, skipping (and logging) the unusable ones; returns (items, skipped count).

    One bad row must never cost the whole list: a sync stores what it can and the log says what it dropped.
    """
    items: list[T] = []
    skipped = 0
    for value in as_list(values):
        item = convert(value)
        if item is None:
            skipped += 1
            logger.warning("skipped unusable %s: %.200r", what, value)
        else:
            items.append(item)
    return tuple(items), skipped
