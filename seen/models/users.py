"""Accounts and their logins."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Uuid
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class Theme(StrEnum):
    DARK = "dark"
    LIGHT = "light"
    SYSTEM = "system"


class SessionKind(StrEnum):
    BROWSER = "browser"  # an HttpOnly cookie holds the token
    API = "api"  # the token is a rotating refresh token; access tokens are signed and short-lived


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(default="", max_length=80)
    password_hash: str = Field(max_length=100)
    role: str = Field(default=Role.USER, max_length=16)
    is_disabled: bool = Field(default=False)
    theme: str = Field(default=Theme.DARK, max_length=16)
    # Playback past this share of a title's length counts as a viewing.
    watched_threshold_percent: int = Field(default=90)
    # The secret in this user's scrobbling webhook URLs (Plex, Jellyfin); None until they ask for one.
    webhook_token: str | None = Field(default=None, max_length=64, unique=True, index=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    last_login_at: datetime | None = timestamp(nullable=True)


class AuthSession(SQLModel, table=True):
    """One login: a browser cookie or an API refresh-token chain. Only token hashes are stored."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user_id_created_at", "user_id", "created_at"),
        Index("ix_sessions_expires_at", "expires_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # The refresh token this one replaced: presenting it again means it was stolen.
    previous_token_hash: str | None = Field(default=None, max_length=64, index=True)
    user_agent: str = Field(default="", max_length=300)
    ip_address: str = Field(default="", max_length=64)
    created_at: datetime = timestamp()
    last_used_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    revoked_at: datetime | None = timestamp(nullable=True)
