"""How values read on the page."""

from __future__ import annotations

from datetime import datetime

from seen.models.base import as_utc


def format_time(value: datetime) -> str:
    return as_utc(value).strftime("%d %b %Y, %H:%M UTC")
