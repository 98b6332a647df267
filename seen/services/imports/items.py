"""What a parser hands the runner: one `ImportItem` per input row, in a shape shared by every source.

A parser never touches the database. Rows it can already tell will not be imported (a review, a rating of a
single episode, a date that cannot be read) become items with `skip_reason` set, so the report still
accounts for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from seen.providers.models import ExternalIds

# What an item asks for. "watched" is one viewing (a rewatch is another one); "watched_once" only says the
# title (or episode) was seen at some point: it adds a viewing when the history has none.
ACTIONS = ("watched", "watched_once", "watch_later", "rating", "favourite", "collection", "progress", "backlog", "skip")
DATE_ONLY_HOUR = 12  # a day without a time is stored at noon UTC, so it shows as that day in every time zone


@dataclass(frozen=True, slots=True)
class TitleRef:
    kind: str  # movie | show | game
    title: str
    year: int | None = None
    ids: ExternalIds = field(default_factory=ExternalIds)

    def key(self) -> tuple[Any, ...]:
        return (self.kind, self.title, self.year, self.ids)


@dataclass(slots=True)
class ImportItem:
    file: str
    line: int
    action: str
    ref: TitleRef | None = None
    season_number: int | None = None
    episode_number: int | None = None
    watched_at: datetime | None = None
    date_only: bool = False  # the source knows the day only: "already there" means a viewing on that day
    rating: float | None = None
    collection: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # progress and backlog fields
    skip_reason: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:  # a parser's mistake, never the user's
            raise ValueError(f"unknown import action {self.action!r}")

    @property
    def label(self) -> str:
        if self.ref is None:
            return ""
        if self.season_number is not None and self.episode_number is not None:
            return f"{self.ref.title} S{self.season_number:02d}E{self.episode_number:02d}"
        return self.ref.title


@dataclass
class Parsed:
    items: list[ImportItem] = field(default_factory=list)
    # Collections to create or find by name, with their descriptions, in the order the source lists them.
    collections: dict[str, str] = field(default_factory=dict)


def skipped(file: str, line: int, reason: str, ref: TitleRef | None = None) -> ImportItem:
    return ImportItem(file=file, line=line, action="skip", ref=ref, skip_reason=reason)


def parse_year(value: Any) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1800 <= year <= 2200 else None


def parse_day(value: str) -> datetime | None:
    """A "YYYY-MM-DD" day as its noon, UTC; None when empty or unreadable."""
    try:
        day = date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        return None
    return datetime.combine(day, time(DATE_ONLY_HOUR), UTC)


def parse_moment(value: Any) -> datetime | None:
    """An ISO 8601 timestamp ("Z" or an offset; naive means UTC); None when empty or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def external_ids(values: Any) -> ExternalIds:
    """Ids from a {"tmdb": .., "imdb": .., "tvdb": .., "igdb": ..} mapping, ignoring empty or odd values."""
    data = values if isinstance(values, dict) else {}

    def number(name: str) -> int | None:
        value = data.get(name)
        if isinstance(value, bool):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number if number > 0 else None

    imdb = data.get("imdb")
    imdb = imdb.strip() if isinstance(imdb, str) and imdb.strip().startswith("tt") else None
    return ExternalIds(tmdb=number("tmdb"), imdb=imdb, tvdb=number("tvdb"), igdb=number("igdb"))
