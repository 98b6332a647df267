"""Column helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """The moment in UTC. SQLite returns naive datetimes for timezone-aware columns (they were stored in
    UTC), and it drops an offset when storing, so an aware value in another zone is converted first."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    """A timezone-aware timestamp column (timestamptz on PostgreSQL); required ones default to now."""
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=index)
