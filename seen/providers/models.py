"""Provider-neutral catalogue records: what TMDB and IGDB payloads are normalised into.

Everything here is a frozen, slotted dataclass built from plain values, so records can be cached, compared
and handed to services without dragging provider JSON around. Image fields are provider-relative paths
(``/abc.jpg``): TMDB paths join ``ImageConfiguration.image_url``, IGDB paths join ``igdb_normalise.image_url``,
so the image pipeline picks its own sizes. The raw payload is kept on details for the database's JSON column
but never takes part in equality or hashing (a dict is unhashable and noisy to compare).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

MediaKind = Literal["movie", "show", "game", "person"]
CreditRole = Literal["cast", "crew"]
ReleaseType = Literal["premiere", "theatrical_limited", "theatrical", "digital", "physical", "tv"]
Provider = Literal["tmdb", "igdb"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ExternalIds:
    tmdb: int | None = None
    imdb: str | None = None
    tvdb: int | None = None
    igdb: int | None = None

    def merged(self, other: ExternalIds) -> ExternalIds:
        """Ids from ``other`` fill the gaps; ids already known win (the record's own id is the surest)."""
        return ExternalIds(
            tmdb=self.tmdb if self.tmdb is not None else other.tmdb,
            imdb=self.imdb if self.imdb is not None else other.imdb,
            tvdb=self.tvdb if self.tvdb is not None else other.tvdb,
            igdb=self.igdb if self.igdb is not None else other.igdb,
        )


@dataclass(frozen=True, slots=True)
class Genre:
    provider: Provider
    id: int
    # IGDB payloads may reference a genre by id only; the name then comes from the genre list.
    name: str | None


@dataclass(frozen=True, slots=True)
class Person:
    ids: ExternalIds
    name: str
    profile_path: str | None = None
    known_for_department: str | None = None
    biography: str | None = None
    birthday: dt.date | None = None
    deathday: dt.date | None = None
    place_of_birth: str | None = None
    popularity: float | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    """One person's part in one title (a cast role or a crew job)."""

    person: Person
    role: CreditRole
    character: str | None = None
    job: str | None = None
    department: str | None = None
    order: int | None = None
    credit_id: str | None = None


@dataclass(frozen=True, slots=True)
class Platform:
    id: int
    name: str | None = None
    abbreviation: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseDate:
    """A dated release: a TMDB release in a country, or an IGDB release on a platform in a region."""

    country: str | None
    date: dt.date | None
    type: ReleaseType | None = None
    platform: Platform | None = None
    note: str | None = None
    certification: str | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    season_number: int
    episode_number: int
    title: str
    overview: str | None = None
    air_date: dt.date | None = None
    runtime: int | None = None
    still_path: str | None = None
    ids: ExternalIds = field(default_factory=ExternalIds)
    vote_average: float | None = None
    credits: tuple[Credit, ...] = ()


@dataclass(frozen=True, slots=True)
class Season:
    number: int
    title: str
    overview: str | None = None
    air_date: dt.date | None = None
    episode_count: int | None = None
    poster_path: str | None = None
    episodes: tuple[Episode, ...] = ()
    ids: ExternalIds = field(default_factory=ExternalIds)
    credits: tuple[Credit, ...] = ()


@dataclass(frozen=True, slots=True)
class Company:
    provider: Provider
    id: int
    name: str | None = None
    # "developer", "publisher", "porting", "supporting" (IGDB) or "production" (TMDB).
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TimeToBeat:
    """Seconds to finish a game: rushing, playing normally, completing everything."""

    hastily: int | None = None
    normally: int | None = None
    completely: int | None = None


@dataclass(frozen=True, slots=True)
class MediaSummary:
    """What a card, a search hit or a list row needs."""

    kind: MediaKind
    ids: ExternalIds
    title: str
    original_title: str | None = None
    year: int | None = None
    release_date: dt.date | None = None
    overview: str | None = None
    poster_path: str | None = None
    backdrop_path: str | None = None
    genre_ids: tuple[int, ...] = ()
    genre_names: tuple[str, ...] = ()
    popularity: float | None = None
    vote_average: float | None = None  # 0-10 for every provider
    vote_count: int | None = None
    original_language: str | None = None


@dataclass(frozen=True, slots=True)
class MediaDetails:
    """A detail page's worth of facts. Fields that do not apply to the kind stay empty."""

    summary: MediaSummary
    runtime: int | None = None  # minutes
    status: str | None = None
    tagline: str | None = None
    genres: tuple[Genre, ...] = ()
    seasons: tuple[Season, ...] = ()
    number_of_seasons: int | None = None
    number_of_episodes: int | None = None
    networks: tuple[str, ...] = ()
    credits: tuple[Credit, ...] = ()
    release_dates: tuple[ReleaseDate, ...] = ()
    platforms: tuple[Platform, ...] = ()
    franchises: tuple[str, ...] = ()
    companies: tuple[Company, ...] = ()
    dlcs: tuple[MediaSummary, ...] = ()
    expansions: tuple[MediaSummary, ...] = ()
    time_to_beat: TimeToBeat | None = None
    screenshots: tuple[str, ...] = ()
    recommendations: tuple[MediaSummary, ...] = ()
    similar: tuple[MediaSummary, ...] = ()
    # IGDB references that came as bare ids and need another request to become records: (field, id).
    unresolved: tuple[tuple[str, int], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class PersonCredit:
    """One line of a filmography: the title and what the person did on it."""

    media: MediaSummary
    role: CreditRole
    character: str | None = None
    job: str | None = None
    department: str | None = None
    episode_count: int | None = None
    credit_id: str | None = None


@dataclass(frozen=True, slots=True)
class PersonDetails:
    person: Person
    credits: tuple[PersonCredit, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class ImageConfiguration:
    base_url: str
    secure_base_url: str | None = None
    poster_sizes: tuple[str, ...] = ()
    backdrop_sizes: tuple[str, ...] = ()
    profile_sizes: tuple[str, ...] = ()
    still_sizes: tuple[str, ...] = ()
    logo_sizes: tuple[str, ...] = ()

    def image_url(self, path: str, size: str = "original") -> str:
        base = self.secure_base_url or self.base_url
        return f"{base.rstrip('/')}/{size}/{path.lstrip('/')}"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int = 1
    total_pages: int = 1
    total_results: int = 0
    # Items the provider sent but that could not be used (no id, unknown media type...); also logged.
    skipped: int = 0
