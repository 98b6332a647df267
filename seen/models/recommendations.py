"""Recommendations: the latest scored snapshot per user and the user's votes on what was recommended."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp

VOTES = ("up", "down", "not_interested")


class RecommendationVote(SQLModel, table=True):
    """Thumbs up or down on a recommended title, or "not interested" (never recommended again)."""

    __tablename__ = "user_recommendation_votes"
    __table_args__ = (
        UniqueConstraint("user_id", "media_id", name="uq_user_recommendation_votes_user_media"),
        Index("ix_user_recommendation_votes_user_updated_at", "user_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    media_id: int = Field(sa_column=Column(Integer, ForeignKey("media_items.id"), nullable=False, index=True))
    vote: str = Field(max_length=16)  # up | down | not_interested
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class RecommendationEntry(SQLModel, table=True):
    """One title of a user's latest recommendation snapshot, with its score and the reasons shown for it.
    The scoring job replaces a user's rows in one transaction; the cache keeps the rendered list."""

    __tablename__ = "user_recommendations"
    __table_args__ = (Index("ix_user_recommendations_user_rank", "user_id", "rank"),)

    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    media_id: int = Field(
        sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    rank: int
    score: float
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    generated_at: datetime = timestamp()
