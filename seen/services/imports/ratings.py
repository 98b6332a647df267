"""Ratings on other scales brought to ours: 0.5 to 5 in half stars."""

from __future__ import annotations

from typing import Any


def half_stars(value: Any, *, out_of: int = 10) -> float | None:
    """A 1..`out_of` rating as half stars (IMDb's and Trakt's 1-10 halve exactly); None when unreadable."""
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if not 0 < number <= out_of:
        return None
    return max(0.5, round(number / out_of * 10) / 2)
