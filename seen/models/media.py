"""The catalogue: movies, shows and games with what the providers (or the demo catalogue) say about them.

Rows are written by the sync services only; pages and the API read them (database first). Provider image
fields keep provider-relative paths; the image pipeline turns them into local WebP files. `source` says who
wrote the row: "tmdb", "igdb" or "demo". `details_synced_at` is null while only a list's summary is known.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp

MEDIA_KINDS = ("movie", "show", "game")


def _media_fk(*, index: bool = True) -> Any:
    return Field(
        sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="CASCADE"), nullable=False, index=index)
    )


class MediaItem(SQLModel, table=True):
    __tablename__ = "media_items"
    __table_args__ = (
        Index("ix_media_items_kind_release_date", "kind", "release_date"),
        Index("ix_media_items_kind_popularity", "kind", "popularity"),
        Index("ix_media_items_kind_vote_average", "kind", "vote_average"),
        Index("ix_media_items_details_synced_at", "details_synced_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # movie | show | game
    source: str = Field(max_length=8)  # tmdb | igdb | demo
    title: str = Field(max_length=500)
    original_title: str | None = Field(default=None, max_length=500)
    # Lower-cased, accent-free title (+ original title) the search index works on.
    search_text: str = Field(default="", max_length=1100)
    year: int | None = Field(default=None)
    release_date: date | None = Field(default=None)
    overview: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tagline: str | None = Field(default=None, max_length=500)
    status: str | None = Field(default=None, max_length=64)
    runtime: int | None = Field(default=None)  # minutes; a typical episode for shows
    poster_path: str | None = Field(default=None, max_length=300)
    backdrop_path: str | None = Field(default=None, max_length=300)
    popularity: float | None = Field(default=None)
    vote_average: float | None = Field(default=None)
    vote_count: int | None = Field(default=None)
    original_language: str | None = Field(default=None, max_length=16)
    number_of_seasons: int | None = Field(default=None)
    number_of_episodes: int | None = Field(default=None)
    networks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    franchises: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    companies: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    screenshots: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    time_to_beat_hastily: int | None = Field(default=None)  # seconds
    time_to_beat_normally: int | None = Field(default=None)
    time_to_beat_completely: int | None = Field(default=None)
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary_synced_at: datetime = timestamp()
    details_synced_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class MediaExternalId(SQLModel, table=True):
    """One provider's id for a title. TMDB movie and TV ids overlap, so uniqueness is per kind."""

    __tablename__ = "media_external_ids"
    __table_args__ = (UniqueConstraint("kind", "provider", "external_id", name="uq_media_external_ids_kind_provider"),)

    id: int | None = Field(default=None, primary_key=True)
    media_id: int = _media_fk()
    kind: str = Field(max_length=8)
    provider: str = Field(max_length=8)  # tmdb | imdb | tvdb | igdb | demo
    external_id: str = Field(max_length=160)


class Genre(SQLModel, table=True):
    __tablename__ = "genres"
    __table_args__ = (UniqueConstraint("provider", "kind", "provider_id", name="uq_genres_provider_kind_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=8)  # tmdb | igdb
    kind: str = Field(max_length=8)  # movie | show | game
    provider_id: int
    name: str = Field(max_length=120)


class MediaGenre(SQLModel, table=True):
    __tablename__ = "media_genres"

    media_id: int = Field(sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True))
    genre_id: int = Field(
        sa_column=Column(Integer, ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class ShowSeason(SQLModel, table=True):
    __tablename__ = "show_seasons"
    __table_args__ = (UniqueConstraint("media_id", "number", name="uq_show_seasons_media_number"),)

    id: int | None = Field(default=None, primary_key=True)
    media_id: int = _media_fk(index=False)
    number: int
    title: str = Field(max_length=300)
    overview: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    air_date: date | None = Field(default=None)
    episode_count: int | None = Field(default=None)
    poster_path: str | None = Field(default=None, max_length=300)
    # Null until the season's own request (with its episodes) has been stored.
    episodes_synced_at: datetime | None = timestamp(nullable=True)


class ShowEpisode(SQLModel, table=True):
    __tablename__ = "show_episodes"
    __table_args__ = (
        UniqueConstraint("media_id", "season_number", "episode_number", name="uq_show_episodes_number"),
        Index("ix_show_episodes_air_date", "air_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    media_id: int = _media_fk(index=False)
    season_number: int
    episode_number: int
    title: str = Field(max_length=500)
    overview: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    air_date: date | None = Field(default=None)
    runtime: int | None = Field(default=None)
    still_path: str | None = Field(default=None, max_length=300)
    vote_average: float | None = Field(default=None)
    tmdb_id: int | None = Field(default=None)


class Person(SQLModel, table=True):
    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=8)  # tmdb | demo
    # The provider's id (TMDB's number, or the demo catalogue's slug).
    external_id: str = Field(max_length=160, unique=True)
    name: str = Field(max_length=300)
    search_text: str = Field(default="", max_length=300)
    profile_path: str | None = Field(default=None, max_length=300)
    known_for_department: str | None = Field(default=None, max_length=64)
    biography: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    birthday: date | None = Field(default=None)
    deathday: date | None = Field(default=None)
    place_of_birth: str | None = Field(default=None, max_length=300)
    popularity: float | None = Field(default=None)
    imdb_id: str | None = Field(default=None, max_length=32)
    details_synced_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class MediaCredit(SQLModel, table=True):
    __tablename__ = "media_credits"
    __table_args__ = (Index("ix_media_credits_media_role_order", "media_id", "role", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    media_id: int = _media_fk(index=False)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: str = Field(max_length=8)  # cast | crew
    character: str | None = Field(default=None, max_length=500)
    job: str | None = Field(default=None, max_length=120)
    department: str | None = Field(default=None, max_length=120)
    position: int = Field(default=0)


class Platform(SQLModel, table=True):
    __tablename__ = "platforms"

    id: int | None = Field(default=None, primary_key=True)
    igdb_id: int = Field(unique=True)
    name: str = Field(max_length=200)
    abbreviation: str | None = Field(default=None, max_length=40)


class MediaPlatform(SQLModel, table=True):
    __tablename__ = "media_platforms"

    media_id: int = Field(sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True))
    platform_id: int = Field(
        sa_column=Column(Integer, ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class MediaReleaseDate(SQLModel, table=True):
    __tablename__ = "media_release_dates"
    __table_args__ = (Index("ix_media_release_dates_date", "release_date"),)

    id: int | None = Field(default=None, primary_key=True)
    media_id: int = _media_fk()
    platform_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("platforms.id", ondelete="SET NULL"), nullable=True)
    )
    country: str | None = Field(default=None, max_length=8)
    release_date: date | None = Field(default=None)
    release_type: str | None = Field(default=None, max_length=24)
    certification: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=300)


class MediaRelation(SQLModel, table=True):
    """A title linked to another: a game's DLC or expansion, a provider's recommendation or similar title."""

    __tablename__ = "media_relations"

    media_id: int = Field(sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True))
    relation: str = Field(sa_column=Column(Text, primary_key=True))  # dlc | expansion | recommendation | similar
    related_id: int = Field(
        sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    position: int = Field(default=0)


class DiscoverEntry(SQLModel, table=True):
    """A title's place in a Discover section as last synced (trending, popular...), per kind."""

    __tablename__ = "discover_entries"

    section: str = Field(sa_column=Column(Text, primary_key=True))
    kind: str = Field(sa_column=Column(Text, primary_key=True))  # movie | show | game | all
    position: int = Field(sa_column=Column(Integer, primary_key=True))
    media_id: int = _media_fk()
    synced_at: datetime = timestamp()


class SyncLogEntry(SQLModel, table=True):
    """One attempt to bring something from a provider: what, how it went, how long, why it failed."""

    __tablename__ = "sync_log"
    __table_args__ = (Index("ix_sync_log_target", "target", "created_at"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    )
    target: str = Field(max_length=200)  # e.g. "media:42", "section:trending:movie", "genres:movie"
    provider: str = Field(max_length=8)
    status: str = Field(max_length=8)  # ok | retry | failed | skipped
    attempt: int = Field(default=1)
    duration_ms: int = Field(default=0)
    detail: str = Field(default="", max_length=2000)
    created_at: datetime = timestamp(index=True)
