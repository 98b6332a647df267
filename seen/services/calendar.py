"""The release calendar: what comes out when, for the whole catalogue or only the titles a user follows.

Events are built from what the catalogue stores, in five queries whatever the number of titles (the user's
titles, release rows, episodes and seasons, add-ons, cards), each built once per set of filters and run with
bound values:

- movies: TMDB release dates by type (premiere, limited, theatrical, digital, physical, TV) in the region
  (the app's TMDB region unless asked otherwise; a title with no date in that region shows all its
  countries), one event per title and type, on that type's first date; a movie with no release rows
  falls back to its release date;
- shows: an event per episode, episodes of one show and season on one day collapsed ("S01E01\u2013E08"); an
  episode 1 is a season premiere, and a season dated without its episodes stored is one too;
- games: releases per platform (the region's, or all when the game has none there), platforms sharing a
  date in one event; DLCs and expansions on the add-on's own release date.

An event never depends on the range asked for (a type's first date is the first over all the title's
rows), so a month read is the union of its days, and months can be cached and joined: the month key
`seen:v1:calendar:{user_id}:{YYYY-MM}` (6 h) holds one entry per set of filters, is dropped when the
user's followed titles change (`user_cache`) and is stale once the catalogue's generation moves (a catalogue
write committed); reads of up to three months are assembled from month keys.
Dates that are only a window (IGDB's "Q3 2027", a year) carry a `precision` label and sit on the
provider's placeholder day. "Tracked only" is the user's followed titles (`tracking.followed_media_ids`);
a DLC or expansion counts when its game is followed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import secrets
import uuid
from collections import defaultdict, namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Date, String, and_, bindparam, cast, delete, exists, literal, null, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from seen import cache, collector
from seen.db import among_bound_ids
from seen.models import media as tables
from seen.models.base import as_utc, utcnow
from seen.models.calendar import CalendarFeed
from seen.services import app_settings, user_cache
from seen.services.catalogue_views import CARD_COLUMNS, MediaCard, card
from seen.services.errors import InvalidInput, NotFound
from seen.services.tracking import followed_media_ids, tracked_media_ids

MAX_RANGE_DAYS = 366
EN_DASH = "\u2013"  # between the first and last episode of a collapsed day: "S01E01\u2013E08"
EVENT_KINDS = ("movie_release", "season_premiere", "episode", "game_release", "dlc", "expansion")
MEDIA_KINDS = ("movie", "show", "game")
DASHBOARD_DAYS = 60
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365
FEED_TOKEN_BYTES = 32  # 43 URL-safe characters
FEED_PATH = "/api/v1/calendar.ics"
CACHED_VARIANTS = 8  # filter combinations kept per cached month
CARD_CACHE_SIZE = 20_000  # cards of recently shown titles, kept in the process (a few MB)
CACHED_MONTH_SPAN = 3  # longer reads are built in one go rather than from month entries
RELEASE_LABELS = {
    "premiere": "Premiere",
    "theatrical_limited": "Limited theatrical release",
    "theatrical": "Theatrical release",
    "digital": "Digital release",
    "physical": "Physical release",
    "tv": "TV premiere",
    None: "Release",
}
RELEASE_ORDER = {name: position for position, name in enumerate(RELEASE_LABELS)}
KIND_ORDER = {name: position for position, name in enumerate(EVENT_KINDS)}
# A movie's region is a TMDB country; IGDB dates games per region: the country's region counts for games.
IGDB_REGIONS = {
    **dict.fromkeys(("US", "CA", "MX"), "north_america"),
    **dict.fromkeys(
        ("GB", "IE", "FR", "DE", "ES", "IT", "NL", "BE", "LU", "AT", "CH", "PT", "SE", "NO", "DK", "FI", "PL", "CZ"),
        "europe",
    ),
    "JP": "japan",
    "CN": "china",
    "KR": "korea",
    "AU": "australia",
    "NZ": "new_zealand",
    "BR": "brazil",
}
# The catalogue keeps 8 characters of a release's country: "north_america" is stored as "north_am".
COUNTRY_LENGTH = 8
EVERYWHERE = (None, "worldwide"[:COUNTRY_LENGTH])
RUNNING_SHOW_STATUSES = ("Returning Series", "In Production", "Planned")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# IGDB's "human" text for a date that is only a window: "Q3 2027", "2027", "Sep 2027", "TBD".
_WINDOW_NOTE = re.compile(r"^(Q[1-4] \d{4}|\d{4}|[A-Z][a-z]{2} \d{4}|TBD)$")


@dataclass(frozen=True, slots=True)
class CalendarFilters:
    """What to show. `kinds` are media kinds (movie, show, game; empty = all); a platform keeps only games
    released on it; a genre keeps titles (or an add-on's game) of that genre; `region` is a country code,
    None meaning the app's TMDB region."""

    tracked_only: bool = False
    kinds: tuple[str, ...] = ()
    platform_id: int | None = None
    genre_id: int | None = None
    region: str | None = None

    def signature(self) -> str:
        kinds = ",".join(sorted(self.kinds)) or "all"
        return f"t={int(self.tracked_only)}|k={kinds}|p={self.platform_id}|g={self.genre_id}|r={self.region}"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str  # stable across reads: the iCal UID and a list key
    date: str  # ISO day; for a window (see `precision`) the provider's placeholder day in it
    kind: str  # movie_release | episode | season_premiere | game_release | dlc | expansion
    title: str  # the title it is about (for an add-on, the add-on's)
    label: str  # "S02E03 · Title", "Theatrical release (US)", "PlayStation 5, PC (Microsoft Windows)"
    media: MediaCard
    href: str
    tracked: bool
    precision: str | None = None  # "Q3 2027", "December 2026", "2027" when the date is only a window
    platforms: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    release_type: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_end: int | None = None  # the last episode of a collapsed day
    parent_title: str | None = None  # the game a DLC or expansion belongs to
    parent_href: str | None = None


# -- validation and ranges ---------------------------------------------------------------------------------


def today_utc() -> date:
    return datetime.now(UTC).date()


def check_range(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput(f"the range ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise InvalidInput(f"the range covers {days} days; ask for at most {MAX_RANGE_DAYS} days (about a year)")


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def normalise_filters(filters: CalendarFilters) -> CalendarFilters:
    kinds = tuple(sorted(set(filters.kinds)))
    unknown = [kind for kind in kinds if kind not in MEDIA_KINDS]
    if unknown:
        raise InvalidInput(f"unknown type {unknown[0]!r}; expected movie, show or game")
    if kinds == MEDIA_KINDS:
        kinds = ()
    region = filters.region.strip().upper() if filters.region else None
    if region is not None and not re.fullmatch(r"[A-Z]{2}", region):
        raise InvalidInput(f"region must be a two-letter country code such as US, got {filters.region!r}")
    return replace(filters, kinds=kinds, region=region)


def resolve_filters(*, session: Session, filters: CalendarFilters) -> CalendarFilters:
    """The filters checked and normalised, with the app's TMDB region when none was asked for."""
    filters = normalise_filters(filters)
    if filters.region is None:
        filters = replace(filters, region=app_settings.provider_settings(session=session).tmdb_region)
    return filters


# -- reading ---------------------------------------------------------------------------------------------------


def events(
    *,
    session: Session,
    user_id: uuid.UUID,
    start: date,
    end: date,
    filters: CalendarFilters = CalendarFilters(),
) -> list[CalendarEvent]:
    """The calendar's events from `start` to `end` (both included), sorted by date. Ranges over a year or
    ending before they start are invalid input. Reads of up to three months come from the month cache."""
    check_range(start, end)
    filters = resolve_filters(session=session, filters=filters)
    months = _months(start, end)
    cacheable = set(user_cache.calendar_months())
    if len(months) > CACHED_MONTH_SPAN or any(month.strftime("%Y-%m") not in cacheable for month in months):
        return collect(session=session, user_id=user_id, start=start, end=end, filters=filters)
    found: list[CalendarEvent] = []
    for month in months:
        found += _month(session, user_id, month, filters)
    low, high = start.isoformat(), end.isoformat()
    return [event for event in found if low <= event.date <= high]


def _month(session: Session, user_id: uuid.UUID, month: date, filters: CalendarFilters) -> list[CalendarEvent]:
    """One month's events from its cache key, or built and added to it. The key holds one entry per set of
    filters, each a JSON string of compact rows, so a read parses only the entry it needs, and the catalogue's
    generation they were built under: after a catalogue change (a date moved, a title added) they are stale."""
    name = user_cache.calendar_key(user_id, month.strftime("%Y-%m"))
    store = cache.get_cache()
    generation = cache.generation(cache.CATALOGUE)
    stored = store.get_json(name)
    current = isinstance(stored, dict) and stored.get("generation") == generation
    variants: dict[str, Any] = stored.get("variants") or {} if current else {}
    signature = filters.signature()
    if isinstance(variants.get(signature), str):
        with collector.paused():
            return [unpack(row) for row in json.loads(variants[signature])]
    first, last = month_bounds(month)
    built = collect(session=session, user_id=user_id, start=first, end=last, filters=filters)
    variants = {key: value for key, value in variants.items() if key != signature}
    while len(variants) >= CACHED_VARIANTS:
        variants.pop(next(iter(variants)))
    variants[signature] = json.dumps([pack(event) for event in built], separators=(",", ":"))
    store.set_json(name, {"generation": generation, "variants": variants}, user_cache.CALENDAR_TTL_SECONDS)
    return built


_EVENT_FIELDS = tuple(one.name for one in dataclasses.fields(CalendarEvent))
_CARD_FIELDS = tuple(one.name for one in dataclasses.fields(MediaCard))
_MEDIA_AT = _EVENT_FIELDS.index("media")


def pack(event: CalendarEvent) -> list[Any]:
    """An event as a compact JSON row (its fields in order, the card as a row of its own)."""
    row = [getattr(event, name) for name in _EVENT_FIELDS]
    row[_MEDIA_AT] = [getattr(event.media, name) for name in _CARD_FIELDS]
    return row


def unpack(row: list[Any]) -> CalendarEvent:
    row = list(row)
    row[_MEDIA_AT] = MediaCard(*row[_MEDIA_AT])
    return CalendarEvent(*row)


def upcoming_for_dashboard(*, session: Session, user_id: uuid.UUID, limit: int = 12) -> list[CalendarEvent]:
    """What comes out next among the user's titles: today and the following 60 days, soonest first."""
    today = today_utc()
    found = events(
        session=session,
        user_id=user_id,
        start=today,
        end=today + timedelta(days=DASHBOARD_DAYS),
        filters=CalendarFilters(tracked_only=True),
    )
    return found[:limit]


# The calendar's statements are built once per shape (the filters set) and run with these bound values, so
# a build spends no time assembling SQL.
_START, _END = bindparam("start", type_=Date), bindparam("end", type_=Date)
_USER, _GENRE, _PLATFORM = bindparam("user_id"), bindparam("genre_id"), bindparam("platform_id")


@dataclass
class _Scope:
    """What a read may show, and the values its statements are run with."""

    session: Session
    user_id: uuid.UUID
    filters: CalendarFilters
    start: date
    end: date

    def wants(self, kind: str) -> bool:
        if self.filters.platform_id is not None and kind != "game":
            return False
        return not self.filters.kinds or kind in self.filters.kinds

    @property
    def by_genre(self) -> bool:
        return self.filters.genre_id is not None

    def rows(self, statement: Any) -> list[Any]:
        values = {"start": self.start, "end": self.end, "user_id": self.user_id}
        values.update(genre_id=self.filters.genre_id, platform_id=self.filters.platform_id)
        return _rows(self.session, statement, values)


def _of_genre(media_id: Any) -> Any:
    return col(media_id).in_(select(tables.MediaGenre.media_id).where(tables.MediaGenre.genre_id == _GENRE))


def _genre_conditions(media_id: Any, by_genre: bool) -> list[Any]:
    return [_of_genre(media_id)] if by_genre else []


@functools.cache
def _followed_statement() -> Any:
    return followed_media_ids(_USER)


def collect(
    *, session: Session, user_id: uuid.UUID, start: date, end: date, filters: CalendarFilters
) -> list[CalendarEvent]:
    """The events of a range, uncached and unchecked (the feed's range is longer than a year)."""
    with collector.paused():
        return _collect(session=session, user_id=user_id, start=start, end=end, filters=filters)


def _collect(
    *, session: Session, user_id: uuid.UUID, start: date, end: date, filters: CalendarFilters
) -> list[CalendarEvent]:
    followed = {row[0] for row in _rows(session, _followed_statement(), {"user_id": user_id})}
    if filters.tracked_only and not followed:
        return []
    scope = _Scope(session, user_id, filters, start, end)
    drafts: list[_Draft] = []
    if scope.wants("movie") or scope.wants("game"):
        drafts += _releases(scope)
    if scope.wants("show"):
        drafts += _episodes(scope)
    if scope.wants("game"):
        drafts += _add_ons(scope)
    if filters.tracked_only:  # the release query kept the user's titles already; the others' rows are few
        drafts = [draft for draft in drafts if draft.media_id in followed or draft.parent_id in followed]
    if not drafts:
        return []
    media_ids = list({draft.media_id for draft in drafts} | {d.parent_id for d in drafts if d.parent_id})
    cards = _cards(session, media_ids)
    found = [
        draft.event(cards, followed)
        for draft in drafts
        if draft.media_id in cards and (draft.parent_id is None or draft.parent_id in cards)
    ]
    found.sort(key=lambda event: (event.date, KIND_ORDER[event.kind], event.title.casefold(), event.uid))
    return found


def _iso(column: Any) -> Any:
    """A date column as its ISO text ("2026-12-18"): SQLite stores that text, PostgreSQL prints it."""
    return cast(column, String)


def _rows(session: Session, statement: Any, values: dict[str, Any] | None = None) -> list[Any]:
    """Plain rows of a statement on the session's connection: the calendar reads columns, never ORM objects,
    and skipping the ORM's result handling is a good part of a month read's time."""
    return session.connection().execute(statement, values).all()


@functools.cache
def _cards_statement(dialect: str) -> Any:
    """The cards' columns of some titles, run with their ids as `ids`."""
    media = tables.MediaItem
    statement = select(*[getattr(media, name) for name in CARD_COLUMNS])
    return statement.where(among_bound_ids(col(media.id), postgres=dialect == "postgresql"))


_CardRow = namedtuple("_CardRow", CARD_COLUMNS)  # type: ignore[misc]


@functools.lru_cache(maxsize=CARD_CACHE_SIZE)
def _card(row: tuple) -> MediaCard:
    """The catalogue's card of a row of its columns. `card` is a pure function of them (its poster URL is the
    costly part: half a month read's Python time without this), so equal rows share one card."""
    return card(_CardRow(*row))


def _cards(session: Session, media_ids: list[int]) -> dict[int, MediaCard]:
    """The titles' cards, read as plain rows (the catalogue's `card` reads them like rows of the table)."""
    statement = _cards_statement(session.get_bind().dialect.name)
    rows = _rows(session, statement, {"ids": media_ids})
    return {row[0]: _card(tuple(row)) for row in rows}


@dataclass
class _Draft:
    """An event before the titles' cards are read."""

    uid: str
    day: str  # ISO, as the database gives it (parsing thousands of dates is a read's slowest part on SQLite)
    kind: str
    media_id: int
    label: str
    precision: str | None = None
    platforms: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    release_type: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_end: int | None = None
    parent_id: int | None = None

    def event(self, cards: dict[int, MediaCard], followed: set[int]) -> CalendarEvent:
        card = cards[self.media_id]
        parent = cards[self.parent_id] if self.parent_id is not None else None
        label = self.label
        if self.kind in ("episode", "season_premiere"):
            label = f"{self.label} · {card.title}"
        return CalendarEvent(
            uid=self.uid,
            date=self.day,
            kind=self.kind,
            title=card.title,
            label=label if parent is None else f"{self.label} · {parent.title}",
            media=card,
            href=card.href,
            tracked=self.media_id in followed or (self.parent_id is not None and self.parent_id in followed),
            precision=self.precision,
            platforms=self.platforms,
            countries=self.countries,
            release_type=self.release_type,
            season=self.season,
            episode=self.episode,
            episode_end=self.episode_end,
            parent_title=parent.title if parent else None,
            parent_href=parent.href if parent else None,
        )


def precision_label(day: date | str, note: str | None) -> str | None:
    """The window a placeholder date stands for, from the catalogue's note: the demo's "date precision:
    quarter" or IGDB's human text ("Q3 2027", "2027", "Sep 2027", "TBD")."""
    if not note:
        return None
    note = note.strip()
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if note.startswith("date precision:"):
        precision = note.removeprefix("date precision:").strip()
        if precision == "quarter":
            return f"Q{(day.month - 1) // 3 + 1} {day.year}"
        if precision == "month":
            return f"{_MONTH_NAMES[day.month - 1]} {day.year}"
        if precision == "year":
            return str(day.year)
        return None
    return note if _WINDOW_NOTE.match(note) else None


def _add_on_ids():
    return select(tables.MediaRelation.related_id).where(col(tables.MediaRelation.relation).in_(("dlc", "expansion")))


@functools.cache
def _release_statement(kinds: tuple[str, ...], tracked: bool, by_genre: bool, *, with_bare: bool) -> Any:
    release, media = tables.MediaReleaseDate, tables.MediaItem
    # The titles dated in the range first, then their rows through the media id index: the planners
    # otherwise scan every release row of the catalogue to find those of a few hundred titles.
    dated = select(release.media_id.label("media_id")).where(col(release.release_date).between(_START, _END))
    dated = dated.where(*_genre_conditions(release.media_id, by_genre))
    if tracked:  # the user's titles in SQL here: a month's rows of the whole catalogue are many
        dated = dated.where(col(release.media_id).in_(followed_media_ids(_USER)))
    in_range = dated.distinct().subquery("in_range")
    statement = (
        select(
            literal("r").label("source"),
            release.media_id,
            media.kind,
            release.platform_id,
            release.country,
            release.release_type,
            _iso(release.release_date),
            release.note,
            tables.Platform.name,
        )
        .select_from(in_range)
        .join(media, col(media.id) == in_range.c.media_id)
        .join(release, col(release.media_id) == in_range.c.media_id)
        .outerjoin(tables.Platform, col(tables.Platform.id) == col(release.platform_id))
        .where(col(release.release_date).is_not(None))
        .where(col(media.kind).in_(kinds))
    )
    if "game" in kinds:
        statement = statement.where(in_range.c.media_id.not_in(_add_on_ids()))
    if not with_bare:
        return statement
    # In the same round trip, titles the providers dated without release rows (lists' summaries, games
    # without platform dates): their own release date.
    bare = (
        select(literal("b"), media.id, media.kind, null(), null(), null(), _iso(media.release_date), null(), null())
        .where(col(media.release_date).between(_START, _END))
        .where(col(media.kind).in_(kinds))
        .where(~exists().where(release.media_id == media.id))
    )
    bare = bare.where(*_genre_conditions(media.id, by_genre))
    if "game" in kinds:
        bare = bare.where(col(media.id).not_in(_add_on_ids()))
    return union_all(statement, bare)


def _releases(scope: _Scope) -> list[_Draft]:
    """Movies and games with a dated release row in the range (then every row of theirs, so a type's first
    date is the first overall), and those without rows whose own release date falls in the range."""
    kinds = tuple(kind for kind in ("movie", "game") if scope.wants(kind))
    statement = _release_statement(
        kinds, scope.filters.tracked_only, scope.by_genre, with_bare=scope.filters.platform_id is None
    )
    bare_rows: list[tuple[int, str, str]] = []
    rows_by_media: dict[int, list[tuple]] = defaultdict(list)
    kind_of: dict[int, str] = {}
    names: dict[int, str] = {}
    for source, media_id, kind, platform_id, country, release_type, day, note, name in scope.rows(statement):
        if source == "b":
            bare_rows.append((media_id, kind, day))
            continue
        rows_by_media[media_id].append((platform_id, country, release_type, day, note))
        kind_of[media_id] = kind
        if platform_id is not None:
            names[platform_id] = name
    drafts: list[_Draft] = []
    region, low, high = scope.filters.region, scope.start.isoformat(), scope.end.isoformat()
    for media_id, rows in rows_by_media.items():
        if kind_of[media_id] == "movie":
            drafts += _movie_drafts(media_id, rows, region, low, high)
        else:
            drafts += _game_drafts(media_id, rows, region, low, high, names, scope.filters.platform_id)
    for media_id, kind, day in bare_rows:
        drafts.append(
            _Draft(
                uid=f"{kind}-{media_id}-release-{day}",
                day=day,
                kind="movie_release" if kind == "movie" else "game_release",
                media_id=media_id,
                label="Release",
            )
        )
    return drafts


def _movie_drafts(media_id: int, rows: list[tuple], region: str | None, start: str, end: str) -> list[_Draft]:
    chosen = [row for row in rows if row[1] == region] or rows
    first: dict[str | None, str] = {}
    for _platform, _country, release_type, day, _note in chosen:
        if release_type not in first or day < first[release_type]:
            first[release_type] = day
    drafts = []
    for release_type, day in first.items():
        if not start <= day <= end:
            continue
        same = [row for row in chosen if row[2] == release_type and row[3] == day]
        countries = sorted({row[1] for row in same if row[1]})
        notes = [row[4] for row in same if row[4]]
        label = RELEASE_LABELS.get(release_type, "Release")
        if countries:
            label += f" ({', '.join(countries)})"
        drafts.append(
            _Draft(
                uid=f"movie-{media_id}-{release_type or 'release'}",
                day=day,
                kind="movie_release",
                media_id=media_id,
                label=label,
                precision=next((p for p in (precision_label(day, note) for note in notes) if p), None),
                countries=countries,
                release_type=release_type,
            )
        )
    return drafts


def _game_drafts(
    media_id: int,
    rows: list[tuple],
    region: str | None,
    start: str,
    end: str,
    names: dict[int, str],
    platform_filter: int | None,
) -> list[_Draft]:
    igdb_region = IGDB_REGIONS.get(region or "", "")[:COUNTRY_LENGTH]
    regional = [row for row in rows if row[1] == igdb_region] if igdb_region else []
    chosen = [row for row in rows if row[1] in EVERYWHERE] + regional if regional else rows
    first: dict[int | None, tuple[str, str | None]] = {}
    for platform_id, _country, _type, day, note in chosen:
        if platform_id not in first or day < first[platform_id][0]:
            first[platform_id] = (day, note)
    by_day: dict[str, list[tuple[int | None, str | None]]] = defaultdict(list)
    for platform_id, (day, note) in first.items():
        if platform_filter is not None and platform_id != platform_filter:
            continue
        if start <= day <= end:
            by_day[day].append((platform_id, note))
    drafts = []
    for day, entries in by_day.items():
        platforms = sorted(names.get(pid, "Unknown platform") for pid, _note in entries if pid is not None)
        precision = next((p for p in (precision_label(day, note) for _pid, note in entries) if p), None)
        drafts.append(
            _Draft(
                uid=f"game-{media_id}-{day}",
                day=day,
                kind="game_release",
                media_id=media_id,
                label=", ".join(platforms) or "Release",
                precision=precision,
                platforms=platforms,
            )
        )
    return drafts


@functools.cache
def _episode_statement(by_genre: bool) -> Any:
    episode, season, media = tables.ShowEpisode, tables.ShowSeason, tables.MediaItem
    # One round trip: the range's episodes ("e"); seasons dated before their episodes are stored ("s": TMDB
    # lists a show's seasons with its details); shows known only from a list, premiering on their first air
    # date ("b").
    episodes = (
        select(
            literal("e").label("source"),
            episode.media_id,
            episode.season_number,
            episode.episode_number,
            _iso(episode.air_date),
        )
        .where(col(episode.air_date).between(_START, _END))
        .where(*_genre_conditions(episode.media_id, by_genre))
    )
    seasons = (
        select(literal("s"), season.media_id, season.number, literal(1), _iso(season.air_date))
        .where(col(season.air_date).between(_START, _END))
        .where(season.number >= 1)
        .where(
            ~exists().where(
                episode.media_id == season.media_id,
                episode.season_number == season.number,
                episode.episode_number == 1,
                col(episode.air_date).is_not(None),
            )
        )
        .where(*_genre_conditions(season.media_id, by_genre))
    )
    bare = (
        select(literal("b"), media.id, literal(1), literal(1), _iso(media.release_date))
        .where(media.kind == "show")
        .where(col(media.release_date).between(_START, _END))
        .where(~exists().where(season.media_id == media.id))
        .where(~exists().where(episode.media_id == media.id))
        .where(*_genre_conditions(media.id, by_genre))
    )
    return union_all(episodes, seasons, bare)


def _episodes(scope: _Scope) -> list[_Draft]:
    found = scope.rows(_episode_statement(scope.by_genre))
    rows = [row[1:] for row in found if row[0] == "e"]
    days: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    for media_id, season_number, episode_number, day in rows:
        days[(media_id, day, season_number)].append(episode_number)
    drafts = []
    for (media_id, day, season_number), numbers in days.items():
        numbers.sort()
        low, high = numbers[0], numbers[-1]
        code = f"S{season_number:02d}E{low:02d}" + (f"{EN_DASH}E{high:02d}" if high != low else "")
        premiere = low == 1 and season_number >= 1
        label = code
        if premiere:
            label = f"{'Series' if season_number == 1 else 'Season'} premiere · {code}"
        drafts.append(
            _Draft(
                uid=f"show-{media_id}-s{season_number}e{low}",
                day=day,
                kind="season_premiere" if premiere else "episode",
                media_id=media_id,
                label=label,
                season=season_number,
                episode=low,
                episode_end=high if high != low else None,
            )
        )
    seasons_found = [(row[1], row[2], row[4]) for row in found if row[0] == "s"]
    for media_id, number, day in seasons_found:
        drafts.append(
            _Draft(
                uid=f"show-{media_id}-s{number}e1",
                day=day,
                kind="season_premiere",
                media_id=media_id,
                label=f"{'Series' if number == 1 else 'Season'} premiere · S{number:02d}",
                season=number,
                episode=1,
            )
        )
    bare_found = [(row[1], row[4]) for row in found if row[0] == "b"]
    for media_id, day in bare_found:
        drafts.append(
            _Draft(
                uid=f"show-{media_id}-s1e1",
                day=day,
                kind="season_premiere",
                media_id=media_id,
                label="Series premiere",
                season=1,
                episode=1,
            )
        )
    return drafts


@functools.cache
def _add_on_statement(by_genre: bool, by_platform: bool) -> Any:
    relation, media, release = tables.MediaRelation, tables.MediaItem, tables.MediaReleaseDate
    noted = aliased(release)  # the add-on's own release rows, for a window ("Q3 2027") in their notes
    statement = (
        select(relation.media_id, relation.relation, relation.related_id, _iso(media.release_date), noted.note)
        .join(media, col(media.id) == col(relation.related_id))
        .outerjoin(noted, and_(noted.media_id == relation.related_id, col(noted.note).is_not(None)))
        .where(col(relation.relation).in_(("dlc", "expansion")))
        .where(media.kind == "game")  # add-ons are stored as games: the (kind, release date) index applies
        .where(col(media.release_date).between(_START, _END))
    )
    if by_genre:
        statement = statement.where(or_(_of_genre(relation.media_id), _of_genre(relation.related_id)))
    if by_platform:
        on = select(tables.MediaPlatform.media_id).where(tables.MediaPlatform.platform_id == _PLATFORM)
        statement = statement.where(or_(col(relation.media_id).in_(on), col(relation.related_id).in_(on)))
    return statement


def _add_ons(scope: _Scope) -> list[_Draft]:
    rows = scope.rows(_add_on_statement(scope.by_genre, scope.filters.platform_id is not None))
    if not rows:
        return []
    notes: dict[int, str] = {}
    for row in rows:
        if row[4] is not None:
            notes.setdefault(row[2], row[4])
    seen_ids: set[int] = set()
    drafts = []
    for parent_id, kind, related_id, day, _note in rows:
        if related_id in seen_ids:  # an add-on of two editions of a game shows once
            continue
        seen_ids.add(related_id)
        drafts.append(
            _Draft(
                uid=f"{kind}-{related_id}",
                day=day,
                kind=kind,
                media_id=related_id,
                label="DLC for" if kind == "dlc" else "Expansion for",
                precision=precision_label(day, notes.get(related_id)),
                parent_id=parent_id,
            )
        )
    return drafts


# -- feed tokens ---------------------------------------------------------------------------------------------


def feed_token(*, session: Session, user_id: uuid.UUID) -> str:
    """The user's iCal feed token, made on first use."""
    row = session.get(CalendarFeed, user_id)
    if row is None:
        row = CalendarFeed(user_id=user_id, token=secrets.token_urlsafe(FEED_TOKEN_BYTES))
        session.add(row)
        session.flush()
    return row.token


def existing_feed_token(*, session: Session, user_id: uuid.UUID) -> str | None:
    row = session.get(CalendarFeed, user_id)
    return row.token if row is not None else None


def rotate_feed_token(*, session: Session, user_id: uuid.UUID) -> str:
    """A new token; the old URL answers 404 from now on."""
    row = session.get(CalendarFeed, user_id)
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    if row is None:
        session.add(CalendarFeed(user_id=user_id, token=token))
    else:
        row.token, row.created_at, row.last_fetched_at = token, utcnow(), None
        session.add(row)
    session.flush()
    return token


def revoke_feed_token(*, session: Session, user_id: uuid.UUID) -> None:
    """No feed any more (the URL answers 404); asking for the feed again makes a new token."""
    session.exec(delete(CalendarFeed).where(col(CalendarFeed.user_id) == user_id))
    session.flush()


def user_for_token(*, session: Session, token: str) -> uuid.UUID:
    """The user a feed token belongs to; an unknown, rotated or revoked token is NotFound. Marks the fetch
    (at most once a minute, so a calendar app polling does not write on every request)."""
    row = session.exec(select(CalendarFeed).where(CalendarFeed.token == token)).first() if token else None
    if row is None:
        raise NotFound("No calendar feed has this token; it may have been revoked or replaced")
    now = utcnow()
    last = row.last_fetched_at
    if last is None or as_utc(last) < now - timedelta(minutes=1):
        row.last_fetched_at = now
        session.add(row)
        session.flush()
    return row.user_id


def feed_path(token: str, filters: CalendarFilters | None = None) -> str:
    """The feed's path with its token and, when given, the filters a subscription should keep."""
    query: list[tuple[str, str]] = [("token", token)]
    if filters is not None:
        query += [("kind", kind) for kind in filters.kinds]
        if filters.tracked_only:
            query.append(("tracked", "true"))
        for name, value in (("platform", filters.platform_id), ("genre", filters.genre_id), ("region", filters.region)):
            if value is not None:
                query.append((name, str(value)))
    return f"{FEED_PATH}?{urlencode(query)}"


def feed_events(*, session: Session, user_id: uuid.UUID, filters: CalendarFilters) -> list[CalendarEvent]:
    """What the iCal feed holds: 30 days back to a year ahead."""
    filters = resolve_filters(session=session, filters=filters)
    today = today_utc()
    return collect(
        session=session,
        user_id=user_id,
        start=today - timedelta(days=FEED_DAYS_BACK),
        end=today + timedelta(days=FEED_DAYS_AHEAD),
        filters=filters,
    )


# -- freshness -------------------------------------------------------------------------------------------------


def titles_to_refresh(
    *, session: Session, today: date | None = None, limit: int = 50, older_than: timedelta = timedelta(days=1)
) -> list[int]:
    """Titles someone follows whose details are older than `older_than` (or never fetched) and that still
    have something to come: a release date, a release row, a season or an episode from today on, or a show
    still running. Provider titles only (the demo catalogue is all there is); stalest first."""
    today = today or today_utc()
    media, release = tables.MediaItem, tables.MediaReleaseDate
    episode, season = tables.ShowEpisode, tables.ShowSeason
    cutoff = utcnow() - older_than
    upcoming = or_(
        col(media.release_date) >= today,
        exists().where(release.media_id == media.id, col(release.release_date) >= today),
        exists().where(season.media_id == media.id, col(season.air_date) >= today),
        exists().where(episode.media_id == media.id, col(episode.air_date) >= today),
        and_(media.kind == "show", col(media.status).in_(RUNNING_SHOW_STATUSES)),
    )
    statement = (
        select(media.id)
        .where(col(media.source) != "demo")
        .where(col(media.id).in_(tracked_media_ids()))
        .where(or_(col(media.details_synced_at).is_(None), col(media.details_synced_at) < cutoff))
        .where(upcoming)
        .order_by(col(media.details_synced_at).asc().nulls_first(), col(media.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def seasons_to_refresh(*, session: Session, media_id: int, today: date | None = None) -> list[int]:
    """A show's seasons whose episodes may have moved: the latest one, and any dated from 90 days ago on or
    not dated yet (specials aside)."""
    today = today or today_utc()
    season = tables.ShowSeason
    rows = session.exec(select(season.number, season.air_date).where(season.media_id == media_id)).all()
    numbers = [number for number, _day in rows if number >= 1]
    if not numbers:
        return []
    wanted = {max(numbers)}
    wanted |= {number for number, day in rows if number >= 1 and (day is None or day >= today - timedelta(days=90))}
    return sorted(wanted)


def refresh_upcoming(*, limit: int = 50) -> list[str]:
    """The scheduled job's work: re-read from the providers the followed titles with dates to come."""
    from seen.db import session_scope
    from seen.services import catalogue_sync
    from seen.services.errors import NotFound as Missing

    with session_scope() as session:
        ids = titles_to_refresh(session=session, limit=limit)
        settings = app_settings.provider_settings(session=session)
    refreshed, failed, seasons = 0, 0, 0
    with catalogue_sync.open_sources(settings, fresh=True) as sources:
        for media_id in ids:
            try:
                catalogue_sync.refresh_media(media_id=media_id, sources=sources)
                refreshed += 1
            except (catalogue_sync.SyncFailed, Missing):
                failed += 1
                continue
            with session_scope() as session:
                kind = session.get(tables.MediaItem, media_id).kind
                numbers = seasons_to_refresh(session=session, media_id=media_id) if kind == "show" else []
            for number in numbers:
                try:
                    catalogue_sync.refresh_season(media_id=media_id, number=number, sources=sources)
                    seasons += 1
                except (catalogue_sync.SyncFailed, Missing):
                    failed += 1
    return [f"refreshed {refreshed} titles", f"{seasons} seasons", f"failed {failed}"]


def media_kinds_of(values: Sequence[str]) -> tuple[str, ...]:
    """Kinds from query values: repeated or comma-separated ("movie,game")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())
