"""A user's viewing statistics: titles, viewings and hours per month, top genres, how they rate, totals.

Everything is aggregated by the database (a user may have tens of thousands of viewings): Python only
fills in the months without viewings and the rating steps nobody used. Months are calendar months in UTC.
The result is cached per user (`seen:v1:stats:{user_id}`) until a change to what it counts.

Hours come from runtimes: a movie's own, an episode's from `show_episodes` when known, else the show's
typical episode runtime; a viewing with neither counts zero hours and is reported as of unknown length.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, and_, case, distinct, func
from sqlmodel import Session, col, select

from seen import cache
from seen.models import media as tables
from seen.models.tracking import Favourite, Rating, WatchEvent
from seen.services import backlog, user_cache
from seen.services.errors import InvalidInput
from seen.services.tracking import RATING_STEPS

MAX_MONTHS = 120
TOP_GENRES = 10


@dataclass(frozen=True, slots=True)
class MonthStats:
    month: str  # "2026-11"
    titles: int  # distinct titles watched that month (a show counts once however many episodes)
    viewings: int
    hours: float
    unknown_runtime: int  # viewings whose length is not known (counted as zero hours)


@dataclass(frozen=True, slots=True)
class GenreCount:
    name: str
    viewings: int


@dataclass(frozen=True, slots=True)
class RatingCount:
    rating: float
    count: int


@dataclass(frozen=True, slots=True)
class Totals:
    """All time, not only the months shown."""

    movies: int  # distinct movies watched
    movie_viewings: int
    shows: int  # distinct shows with at least one episode watched
    episodes: int  # episode viewings
    hours: float
    unknown_runtime: int
    rated: int
    favourites: int
    games: dict[str, int]  # backlog entries by status, every status present


@dataclass(frozen=True, slots=True)
class Stats:
    months: list[MonthStats]  # oldest first, the current month last, empty months included
    top_genres: list[GenreCount]  # by viewings over the months shown
    ratings: list[RatingCount]  # the ten half-star steps, 0.5 to 5, all present
    totals: Totals


def _runtime_minutes():
    """A viewing's length in minutes, NULL when unknown (the query joins media_items and show_episodes)."""
    return case(
        (col(tables.MediaItem.kind) == "show", func.coalesce(tables.ShowEpisode.runtime, tables.MediaItem.runtime)),
        else_=tables.MediaItem.runtime,
    )


def _viewings_with_runtime(user_id: uuid.UUID, *columns):
    """SELECT columns FROM the user's viewings joined to their title and (for episodes) the episode."""
    return (
        select(*columns)
        .select_from(WatchEvent)
        .join(tables.MediaItem, col(tables.MediaItem.id) == col(WatchEvent.media_id))
        .join(
            tables.ShowEpisode,
            and_(
                col(tables.ShowEpisode.media_id) == col(WatchEvent.media_id),
                col(tables.ShowEpisode.season_number) == col(WatchEvent.season_number),
                col(tables.ShowEpisode.episode_number) == col(WatchEvent.episode_number),
            ),
            isouter=True,
        )
        .where(WatchEvent.user_id == user_id)
    )


def _month_of(session: Session, column):
    """'YYYY-MM' of a timestamp in UTC, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    # SQLite keeps timestamps as UTC text ("2026-11-22 07:53:16.000000").
    return func.strftime("%Y-%m", column)


def _last_months(count: int, now: datetime) -> list[str]:
    year, month = now.year, now.month
    names = []
    for _ in range(count):
        names.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return names[::-1]


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


def _month_start(name: str) -> datetime:
    year, month = (int(part) for part in name.split("-"))
    return datetime(year, month, 1, tzinfo=UTC)


def _aggregates(runtime):
    """Viewings, distinct titles, minutes, and viewings of unknown length."""
    return (
        func.count(),
        func.count(distinct(WatchEvent.media_id)),
        func.sum(runtime),
        func.sum(case((runtime.is_(None), 1), else_=0).cast(Integer)),
    )


def _per_month(session: Session, user_id: uuid.UUID, names: list[str]) -> list[MonthStats]:
    month = _month_of(session, WatchEvent.watched_at).label("month")
    rows = session.exec(
        _viewings_with_runtime(user_id, month, *_aggregates(_runtime_minutes()))
        .where(col(WatchEvent.watched_at) >= _month_start(names[0]))
        .group_by(month)
    ).all()
    found = {name: (viewings, titles, minutes, unknown) for name, viewings, titles, minutes, unknown in rows}
    months = []
    for name in names:
        viewings, titles, minutes, unknown = found.get(name, (0, 0, 0, 0))
        months.append(MonthStats(name, int(titles), int(viewings), _hours(minutes), int(unknown or 0)))
    return months


def _top_genres(session: Session, user_id: uuid.UUID, since: datetime) -> list[GenreCount]:
    # Count per title first (a few thousand rows), then spread over genres: far fewer rows to join.
    per_title = (
        select(WatchEvent.media_id, func.count().label("viewings"))
        .where(WatchEvent.user_id == user_id, col(WatchEvent.watched_at) >= since)
        .group_by(col(WatchEvent.media_id))
        .subquery()
    )
    viewings = func.sum(per_title.c.viewings).label("viewings")
    rows = session.exec(
        select(tables.Genre.name, viewings)
        .select_from(per_title)
        .join(tables.MediaGenre, col(tables.MediaGenre.media_id) == per_title.c.media_id)
        .join(tables.Genre, col(tables.Genre.id) == col(tables.MediaGenre.genre_id))
        # A genre known under two kinds or providers ("Drama" for movies and shows) is one genre here.
        .group_by(col(tables.Genre.name))
        .order_by(viewings.desc(), col(tables.Genre.name))
        .limit(TOP_GENRES)
    ).all()
    return [GenreCount(name, int(count)) for name, count in rows]


def _ratings(session: Session, user_id: uuid.UUID) -> list[RatingCount]:
    counts = dict(
        session.exec(
            select(Rating.rating, func.count()).where(Rating.user_id == user_id).group_by(col(Rating.rating))
        ).all()
    )
    return [RatingCount(step, int(counts.get(step, 0))) for step in RATING_STEPS]


def _totals(session: Session, user_id: uuid.UUID) -> Totals:
    by_kind = {
        kind: (int(viewings), int(titles), minutes or 0, int(unknown or 0))
        for kind, viewings, titles, minutes, unknown in session.exec(
            _viewings_with_runtime(user_id, tables.MediaItem.kind, *_aggregates(_runtime_minutes())).group_by(
                col(tables.MediaItem.kind)
            )
        ).all()
    }
    movies = by_kind.get("movie", (0, 0, 0, 0))
    shows = by_kind.get("show", (0, 0, 0, 0))
    rated = session.exec(select(func.count()).select_from(Rating).where(Rating.user_id == user_id)).one()
    favourites = session.exec(select(func.count()).select_from(Favourite).where(Favourite.user_id == user_id)).one()
    return Totals(
        movies=movies[1],
        movie_viewings=movies[0],
        shows=shows[1],
        episodes=shows[0],
        hours=_hours(sum(found[2] for found in by_kind.values())),
        unknown_runtime=sum(found[3] for found in by_kind.values()),
        rated=int(rated),
        favourites=int(favourites),
        games=backlog.backlog_counts(session=session, user_id=user_id),
    )


def build_stats(*, session: Session, user_id: uuid.UUID, months: int = 12, now: datetime | None = None) -> Stats:
    """The stats read from the database, bypassing the cache."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"months must be between 1 and {MAX_MONTHS}")
    names = _last_months(months, now or datetime.now(UTC))
    return Stats(
        months=_per_month(session, user_id, names),
        top_genres=_top_genres(session, user_id, _month_start(names[0])),
        ratings=_ratings(session, user_id),
        totals=_totals(session, user_id),
    )


def stats(*, session: Session, user_id: uuid.UUID, months: int = 12) -> Stats:
    """The stats view over the last `months` calendar months (the current one included), cached per user
    for ten minutes and dropped by every change to the history, ratings, favourites or backlog."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"months must be between 1 and {MAX_MONTHS}")
    name = user_cache.stats_key(user_id)
    # One key per user (so one drop clears every period), an entry per period and month it was built in.
    period = f"{months}:{_last_months(1, datetime.now(UTC))[0]}"
    stored = cache.get_cache().get_json(name) or {}
    if period in stored:
        return user_cache.revive(Stats, stored[period])
    found = build_stats(session=session, user_id=user_id, months=months)
    cache.get_cache().set_json(name, {**stored, period: user_cache.as_json(found)}, user_cache.STATS_TTL_SECONDS)
    return found
