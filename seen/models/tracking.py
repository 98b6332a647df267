"""What each user does with the catalogue: watch later, viewing history, ratings, favourites.

Rows point at `media_items` without cascading deletes: a title someone tracks is never removed by a
catalogue clean-up (the demo catalogue's retirement skips tracked titles). Deleting a user removes theirs.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp


def _user_fk() -> Any:
    return Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))


def _media_fk() -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("media_items.id"), nullable=False, index=True))


class WatchLaterItem(SQLModel, table=True):
    __tablename__ = "user_watch_later"
    __table_args__ = (
        UniqueConstraint("user_id", "media_id", name="uq_user_watch_later_user_media"),
        Index("ix_user_watch_later_user_position", "user_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    media_id: int = _media_fk()
    position: int = Field(default=0)
    created_at: datetime = timestamp()


class WatchEvent(SQLModel, table=True):
    """One viewing: a movie, or one episode of a show (season and episode numbers set). Rewatches are new rows."""

    __tablename__ = "user_watched"
    __table_args__ = (
        Index("ix_user_watched_user_watched_at", "user_id", "watched_at"),
        Index("ix_user_watched_user_media", "user_id", "media_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    media_id: int = _media_fk()
    season_number: int | None = Field(default=None)
    episode_number: int | None = Field(default=None)
    watched_at: datetime = timestamp()
    created_at: datetime = timestamp()


class Rating(SQLModel, table=True):
    __tablename__ = "user_ratings"
    __table_args__ = (
        UniqueConstraint("user_id", "media_id", name="uq_user_ratings_user_media"),
        Index("ix_user_ratings_user_updated_at", "user_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    media_id: int = _media_fk()
    rating: float  # 0.5 to 5, in half stars
    updated_at: datetime = timestamp()


class Favourite(SQLModel, table=True):
    __tablename__ = "user_favorites"
    __table_args__ = (
        UniqueConstraint("user_id", "media_id", name="uq_user_favorites_user_media"),
        Index("ix_user_favorites_user_created_at", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    media_id: int = _media_fk()
    created_at: datetime = timestamp()
