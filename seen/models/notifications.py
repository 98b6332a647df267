"""The in-app notification centre: what happened that a user follows, and how each user wants to hear of it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp

NOTIFICATION_KINDS = (
    "new_episode",
    "movie_released",
    "game_launched",
    "download_finished",
    "download_failed",
    "unmatched_files",
    "digest",
)
# now: shown at once; held: waiting for the user's daily digest; digested: summed up in a digest.
DELIVERIES = ("now", "held", "digested")


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        # The same event never notifies a user twice (jobs re-run, workers retry).
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe_key"),
        Index("ix_notifications_user_created_at", "user_id", "created_at"),
        Index("ix_notifications_user_read_at", "user_id", "read_at"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    )
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=24)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    link: str | None = Field(default=None, max_length=500)
    media_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="SET NULL"), nullable=True)
    )
    dedupe_key: str = Field(max_length=200)
    delivery: str = Field(default="now", max_length=10)
    created_at: datetime = timestamp()
    read_at: datetime | None = timestamp(nullable=True)


class NotificationSettings(SQLModel, table=True):
    """Which notifications a user wants; a user without a row gets the defaults (all on, no digest)."""

    __tablename__ = "user_notification_settings"

    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    new_episode: bool = Field(default=True)
    movie_released: bool = Field(default=True)
    game_launched: bool = Field(default=True)
    downloads: bool = Field(default=True)
    unmatched_files: bool = Field(default=True)
    # One summary a day instead of each notification as it comes.
    daily_digest: bool = Field(default=False)
    digest_hour_utc: int = Field(default=8)
    last_digest_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()
