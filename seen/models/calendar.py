"""Per-user calendar feeds: the secret in a user's iCal subscription URL."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Uuid
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp


class CalendarFeed(SQLModel, table=True):
    """A user's iCal feed token. Calendar apps cannot log in, so the token in the URL is the credential:
    one live token per user; revoking deletes the row, a new one replaces it (the old URL answers 404)."""

    __tablename__ = "calendar_feeds"

    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    token: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = timestamp()
    last_fetched_at: datetime | None = timestamp(nullable=True)
