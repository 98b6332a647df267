"""What each user does with the catalogue: watch later, viewing history, playback progress, ratings,
favourites, collections, the game backlog, and imports of records kept elsewhere.

Rows point at `media_items` without cascading deletes: a title someone tracks is never removed by a
catalogue clean-up (the demo catalogue's retirement skips tracked titles). Deleting a user removes theirs.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint, Uuid
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


class PlaybackProgress(SQLModel, table=True):
    """Where a user stopped in a movie or one episode. Movies use season 0 episode 0 (episodes start at 1),
    so the natural key has no NULLs and stays unique on every engine."""

    __tablename__ = "user_progress"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "media_id", "season_number", "episode_number", name="uq_user_progress_user_media_episode"
        ),
        Index("ix_user_progress_user_updated_at", "user_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    media_id: int = _media_fk()
    season_number: int = Field(default=0)
    episode_number: int = Field(default=0)
    position_seconds: int = Field(default=0)
    duration_seconds: int = Field(default=0)
    # Set when the position passed the user's "watched" threshold: the viewing is in the history and the row
    # no longer counts as "continue watching" (it still remembers the position for a rewatch).
    finished_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class Collection(SQLModel, table=True):
    __tablename__ = "collections"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_collections_user_name"),
        Index("ix_collections_user_updated_at", "user_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    # Present only while the collection is shared: anyone holding the link may read it, nobody may change it.
    share_token: str | None = Field(default=None, max_length=64, unique=True, index=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CollectionItem(SQLModel, table=True):
    __tablename__ = "collection_items"
    __table_args__ = (
        UniqueConstraint("collection_id", "media_id", name="uq_collection_items_collection_media"),
        Index("ix_collection_items_collection_position", "collection_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(
        sa_column=Column(Integer, ForeignKey("collections.id", ondelete="CASCADE"), nullable=False)
    )
    media_id: int = _media_fk()
    position: int = Field(default=0)
    added_at: datetime = timestamp()


class GameBacklogEntry(SQLModel, table=True):
    __tablename__ = "user_game_backlog"
    __table_args__ = (
        UniqueConstraint("user_id", "media_id", name="uq_user_game_backlog_user_media"),
        Index("ix_user_game_backlog_user_status_updated_at", "user_id", "status", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    media_id: int = _media_fk()
    status: str = Field(max_length=16)  # wishlist | active | paused | completed | dropped
    platform_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("platforms.id", ondelete="SET NULL"), nullable=True)
    )
    hours_played: float = Field(default=0)
    completion: str | None = Field(default=None, max_length=16)  # main | main_extras | completionist
    started_on: date | None = Field(default=None)
    finished_on: date | None = Field(default=None)
    notes: str = Field(default="", max_length=4000)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ImportJob(SQLModel, table=True):
    """One uploaded file being imported (or dry-run) in the background, with its progress and report.

    The upload itself is kept in the row until the job ends, so any worker process can read it without a
    shared disk; it is cleared when the job finishes.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_user_created_at", "user_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = _user_fk()
    source: str = Field(max_length=16)  # letterboxd | trakt | imdb | seen
    dry_run: bool = Field(default=False)
    status: str = Field(default="queued", max_length=16)  # queued | running | completed | failed
    file_name: str = Field(default="", max_length=255)
    upload: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    total_rows: int = Field(default=0)
    processed_rows: int = Field(default=0)
    added: int = Field(default=0)
    already_there: int = Field(default=0)
    not_imported: int = Field(default=0)
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
    created_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True)
    finished_at: datetime | None = timestamp(nullable=True)
