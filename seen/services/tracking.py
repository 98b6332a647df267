"""A user's own records about titles: watch later (ordered), viewing history, ratings, favourites.

Every function takes the user's id and only ever reads or writes that user's rows: another user's row is
"not found", never "forbidden" (ids of other people's data are not confirmed). Titles are the catalogue's
own ids; an unknown one is invalid input.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, cast, delete, func, tuple_, union, update
from sqlmodel import Session, col, select

from seen.models import media as catalogue_tables
from seen.models.base import as_utc, utcnow
from seen.models.tracking import (
    Collection,
    CollectionItem,
    Favourite,
    GameBacklogEntry,
    PlaybackProgress,
    Rating,
    WatchEvent,
    WatchLaterItem,
)
from seen.services import user_cache
from seen.services.catalogue_views import MediaCard, cards_for, media_href
from seen.services.errors import InvalidInput, NotFound
from seen.services.search import normalise

RATING_STEPS = tuple(step / 2 for step in range(1, 11))  # 0.5 .. 5.0
# A viewing dated a little ahead is a clock out of step; further ahead is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)
HISTORY_KINDS = ("movie", "show")
EPISODE_CODE_FACTOR = 1_000_000  # above any episode number (the API caps them at 100,000)
SPECIALS_SEASON = 0  # season 0 holds a show's specials: optional extras, never "next" and never marked in bulk


def tracked_media_ids():
    """Every title some user tracks: the catalogue keeps these whatever its clean-ups decide."""
    return union(
        select(WatchLaterItem.media_id),
        select(WatchEvent.media_id),
        select(Rating.media_id),
        select(Favourite.media_id),
        select(PlaybackProgress.media_id),
        select(CollectionItem.media_id),
        select(GameBacklogEntry.media_id),
    )


def followed_media_ids(user_id: uuid.UUID):
    """The titles one user follows, as a query of media ids: what the calendar's "tracked only" filter, the
    release notifications and the recommendations' "already known" rule all mean by a user's titles.

    Watch later, anything watched or in progress, favourites, titles in their collections, and games in
    their backlog unless dropped. A rating alone does not follow a title (it comes with a viewing anyway,
    and a one-star rating is no wish to hear more)."""
    return union(
        select(WatchLaterItem.media_id).where(WatchLaterItem.user_id == user_id),
        select(WatchEvent.media_id).where(WatchEvent.user_id == user_id),
        select(Favourite.media_id).where(Favourite.user_id == user_id),
        select(PlaybackProgress.media_id).where(PlaybackProgress.user_id == user_id),
        select(CollectionItem.media_id)
        .join(Collection, col(Collection.id) == col(CollectionItem.collection_id))
        .where(Collection.user_id == user_id),
        select(GameBacklogEntry.media_id).where(
            GameBacklogEntry.user_id == user_id, col(GameBacklogEntry.status) != "dropped"
        ),
    )


def require_media(*, session: Session, media_id: int) -> catalogue_tables.MediaItem:
    """The catalogue's title with this id; an unknown id is invalid input (422), not a missing page."""
    media = session.get(catalogue_tables.MediaItem, media_id)
    if media is None:
        raise InvalidInput(f"unknown media id {media_id}")
    return media


def _media(session: Session, media_id: int) -> catalogue_tables.MediaItem:
    return require_media(session=session, media_id=media_id)


# -- watch later ----------------------------------------------------------------------------------------


def add_to_watch_later(*, session: Session, user_id: uuid.UUID, media_id: int) -> bool:
    """Append a title to the user's list; False when it was already there (nothing changes)."""
    _media(session, media_id)
    existing = session.exec(
        select(WatchLaterItem).where(WatchLaterItem.user_id == user_id, WatchLaterItem.media_id == media_id)
    ).first()
    if existing is not None:
        return False
    last = session.exec(select(func.max(WatchLaterItem.position)).where(WatchLaterItem.user_id == user_id)).one()
    session.add(WatchLaterItem(user_id=user_id, media_id=media_id, position=(last or 0) + 1))
    session.flush()
    user_cache.after_watch_later_change(session, user_id)
    return True


def remove_from_watch_later(*, session: Session, user_id: uuid.UUID, media_id: int) -> None:
    result = session.exec(
        delete(WatchLaterItem).where(col(WatchLaterItem.user_id) == user_id, col(WatchLaterItem.media_id) == media_id)
    )
    if not result.rowcount:
        raise NotFound("That title is not on your watch later list")
    user_cache.after_watch_later_change(session, user_id)


def apply_order(*, session: Session, rows: Iterable, media_ids: Sequence[int], list_name: str) -> None:
    """Number ordered rows (anything with `media_id` and `position`) 1.. in the order of `media_ids`, which
    must name every row's title exactly once: a partial or stale order would silently lose positions."""
    by_media = {row.media_id: row for row in rows}
    if len(media_ids) != len(set(media_ids)) or set(media_ids) != set(by_media):
        raise InvalidInput(f"the new order must list every title of {list_name} exactly once")
    for position, media_id in enumerate(media_ids, start=1):
        by_media[media_id].position = position
        session.add(by_media[media_id])
    session.flush()


def reorder_watch_later(*, session: Session, user_id: uuid.UUID, media_ids: Sequence[int]) -> None:
    """The list in exactly this order: the ids must be the list's titles, each once."""
    rows = session.exec(select(WatchLaterItem).where(WatchLaterItem.user_id == user_id)).all()
    apply_order(session=session, rows=rows, media_ids=media_ids, list_name="your watch later list")
    user_cache.after_watch_later_change(session, user_id)


def watch_later(
    *, session: Session, user_id: uuid.UUID, offset: int = 0, limit: int = 50, kind: str | None = None
) -> tuple[list[MediaCard], int]:
    """The list in the user's order; `kind` (movie, show, game) keeps only titles of that kind."""
    statement = select(WatchLaterItem.media_id).where(WatchLaterItem.user_id == user_id)
    if kind is not None:
        statement = statement.join(
            catalogue_tables.MediaItem, col(catalogue_tables.MediaItem.id) == col(WatchLaterItem.media_id)
        ).where(catalogue_tables.MediaItem.kind == kind)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ids = session.exec(statement.order_by(col(WatchLaterItem.position)).offset(offset).limit(limit)).all()
    return cards_for(session=session, media_ids=ids), total


def watch_later_ids(*, session: Session, user_id: uuid.UUID) -> list[int]:
    """Just the ids on the user's list, in its order, for marking cards on any page or reordering the list."""
    return list(
        session.exec(
            select(WatchLaterItem.media_id)
            .where(WatchLaterItem.user_id == user_id)
            .order_by(col(WatchLaterItem.position))
        ).all()
    )


# -- history ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    media: MediaCard
    season_number: int | None
    episode_number: int | None
    watched_at: str
    episode_title: str | None = None


def require_trackable(
    *, session: Session, media_id: int, season_number: int | None = None, episode_number: int | None = None
) -> catalogue_tables.MediaItem:
    """The title a viewing or a playback position is about: a movie as a whole, or one existing episode."""
    media = _media(session, media_id)
    if media.kind == "game":
        raise InvalidInput("games are tracked in the backlog, not watched")
    if media.kind == "movie" and (season_number is not None or episode_number is not None):
        raise InvalidInput("a movie has no seasons or episodes")
    if media.kind == "show":
        if season_number is None or episode_number is None:
            raise InvalidInput("say which episode of the show was watched (season and episode numbers)")
        episode = session.exec(
            select(catalogue_tables.ShowEpisode.id).where(
                catalogue_tables.ShowEpisode.media_id == media_id,
                catalogue_tables.ShowEpisode.season_number == season_number,
                catalogue_tables.ShowEpisode.episode_number == episode_number,
            )
        ).first()
        if episode is None:
            raise InvalidInput(f"the show has no episode S{season_number:02d}E{episode_number:02d}")
    return media


def viewing_moment(moment: datetime | None) -> datetime:
    """When something was watched, in UTC (now when not said); the future is refused."""
    value = as_utc(moment) if moment is not None else utcnow()
    if value > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise InvalidInput("a viewing cannot be in the future")
    return value


def mark_watched(
    *,
    session: Session,
    user_id: uuid.UUID,
    media_id: int,
    watched_at: datetime | None = None,
    season_number: int | None = None,
    episode_number: int | None = None,
) -> int:
    """Record one viewing (a rewatch is another one); returns its id."""
    require_trackable(session=session, media_id=media_id, season_number=season_number, episode_number=episode_number)
    event = WatchEvent(
        user_id=user_id,
        media_id=media_id,
        season_number=season_number,
        episode_number=episode_number,
        watched_at=viewing_moment(watched_at),
    )
    session.add(event)
    session.flush()
    user_cache.after_history_change(session, user_id)
    return event.id


def update_watch(*, session: Session, user_id: uuid.UUID, event_id: int, watched_at: datetime) -> None:
    """Move one of the user's viewings to another date (never into the future)."""
    result = session.exec(
        update(WatchEvent)
        .where(col(WatchEvent.id) == event_id, col(WatchEvent.user_id) == user_id)
        .values(watched_at=viewing_moment(watched_at))
    )
    if not result.rowcount:
        raise NotFound("No such viewing")
    user_cache.after_history_change(session, user_id)


def delete_watch(*, session: Session, user_id: uuid.UUID, event_id: int) -> None:
    result = session.exec(delete(WatchEvent).where(col(WatchEvent.id) == event_id, col(WatchEvent.user_id) == user_id))
    if not result.rowcount:
        raise NotFound("No such viewing")
    user_cache.after_history_change(session, user_id)


def _history_filters(
    *, kind: str | None, media_id: int | None, since: date | None, until: date | None, query: str
) -> list:
    conditions = []
    if kind is not None:
        if kind not in HISTORY_KINDS:
            raise InvalidInput(f"unknown type {kind!r}; expected one of {', '.join(HISTORY_KINDS)}")
        # Only an episode's viewing carries its numbers (mark_watched enforces it): no join with the catalogue.
        numbers = col(WatchEvent.season_number)
        conditions.append(numbers.is_(None) if kind == "movie" else numbers.is_not(None))
    if media_id is not None:
        conditions.append(col(WatchEvent.media_id) == media_id)
    if since is not None and until is not None and since > until:
        raise InvalidInput("the start date is after the end date")
    if since is not None:
        conditions.append(col(WatchEvent.watched_at) >= datetime.combine(since, time.min, UTC))
    if until is not None:  # the whole last day counts
        conditions.append(col(WatchEvent.watched_at) < datetime.combine(until + timedelta(days=1), time.min, UTC))
    text = normalise(query)[:100]
    if text:
        conditions.append(
            col(WatchEvent.media_id).in_(
                select(catalogue_tables.MediaItem.id).where(
                    col(catalogue_tables.MediaItem.search_text).contains(text, autoescape=True)
                )
            )
        )
    return conditions


def history(
    *,
    session: Session,
    user_id: uuid.UUID,
    offset: int = 0,
    limit: int = 50,
    kind: str | None = None,
    media_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    query: str = "",
) -> tuple[list[HistoryEntry], int]:
    """The user's viewings, newest first, and how many match: by type (movie | show), title, dates (UTC days,
    both inclusive) and words of the title (case and accents ignored)."""
    conditions = [
        col(WatchEvent.user_id) == user_id,
        *_history_filters(kind=kind, media_id=media_id, since=since, until=until, query=query),
    ]
    # Counted straight off the (user_id, watched_at) index, without wrapping the page query in a subquery.
    total = session.exec(select(func.count()).select_from(WatchEvent).where(*conditions)).one()
    events = session.exec(
        select(WatchEvent)
        .where(*conditions)
        .order_by(col(WatchEvent.watched_at).desc(), col(WatchEvent.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    cards = {card.id: card for card in cards_for(session=session, media_ids=list({e.media_id for e in events}))}
    titles = episode_titles(session=session, episodes={(e.media_id, e.season_number, e.episode_number) for e in events})
    return [
        HistoryEntry(
            e.id,
            cards[e.media_id],
            e.season_number,
            e.episode_number,
            as_utc(e.watched_at).isoformat(),
            titles.get((e.media_id, e.season_number, e.episode_number)),
        )
        for e in events
        if e.media_id in cards
    ], total


def episode_titles(
    *, session: Session, episodes: Iterable[tuple[int, int | None, int | None]]
) -> dict[tuple[int, int, int], str]:
    """Titles of episodes given as (show id, season, episode); movies' (id, None, None) are skipped."""
    wanted = [key for key in episodes if key[1] is not None and key[2] is not None]
    if not wanted:
        return {}
    episode = catalogue_tables.ShowEpisode
    rows = session.exec(
        select(episode.media_id, episode.season_number, episode.episode_number, episode.title).where(
            tuple_(col(episode.media_id), col(episode.season_number), col(episode.episode_number)).in_(wanted)
        )
    ).all()
    return {(media_id, season, number): title for media_id, season, number, title in rows}


# -- shows: episodes watched, whole seasons, up next ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpNext:
    media_id: int
    season_number: int
    episode_number: int
    title: str
    air_date: str | None
    runtime_minutes: int | None
    href: str


def episode_href(media_id: int, season_number: int) -> str:
    """Where an episode is shown: its season's page."""
    return f"{media_href('show', media_id)}/season/{season_number}"


def _show(session: Session, media_id: int) -> catalogue_tables.MediaItem:
    media = _media(session, media_id)
    if media.kind != "show":
        raise InvalidInput("only a show has seasons and episodes")
    return media


def _aired():
    """Episodes out already. One without a date is not: providers leave the date empty until it is announced."""
    air_date = col(catalogue_tables.ShowEpisode.air_date)
    return and_(air_date.is_not(None), air_date <= utcnow().date())


def watched_episodes(*, session: Session, user_id: uuid.UUID, media_id: int) -> set[tuple[int, int]]:
    """(season, episode) of every episode of the show the user has watched at least once."""
    rows = session.exec(
        select(WatchEvent.season_number, WatchEvent.episode_number)
        .where(
            WatchEvent.user_id == user_id,
            WatchEvent.media_id == media_id,
            col(WatchEvent.season_number).is_not(None),
            col(WatchEvent.episode_number).is_not(None),
        )
        .distinct()
    ).all()
    return {(season, episode) for season, episode in rows}


def aired_episode_count(*, session: Session, media_id: int) -> int:
    """How many of the show's regular episodes (specials left out) have aired: the "of N" of a show's progress."""
    episode = catalogue_tables.ShowEpisode
    return session.exec(
        select(func.count()).where(
            episode.media_id == media_id, col(episode.season_number) != SPECIALS_SEASON, _aired()
        )
    ).one()


def mark_season_watched(
    *, session: Session, user_id: uuid.UUID, media_id: int, season_number: int, watched_at: datetime | None = None
) -> int:
    """One viewing for each aired episode of the season the user has not watched yet; returns how many."""
    _show(session, media_id)
    season = session.exec(
        select(catalogue_tables.ShowSeason.id).where(
            catalogue_tables.ShowSeason.media_id == media_id, catalogue_tables.ShowSeason.number == season_number
        )
    ).first()
    if season is None:
        raise InvalidInput(f"the show has no season {season_number}")
    return _mark_episodes(
        session, user_id, media_id, col(catalogue_tables.ShowEpisode.season_number) == season_number, watched_at
    )


def mark_show_watched(
    *, session: Session, user_id: uuid.UUID, media_id: int, watched_at: datetime | None = None
) -> int:
    """One viewing for each aired regular episode (specials left out) not watched yet; returns how many."""
    _show(session, media_id)
    return _mark_episodes(
        session, user_id, media_id, col(catalogue_tables.ShowEpisode.season_number) != SPECIALS_SEASON, watched_at
    )


def _mark_episodes(session: Session, user_id: uuid.UUID, media_id: int, which, watched_at: datetime | None) -> int:
    moment = viewing_moment(watched_at)
    episode = catalogue_tables.ShowEpisode
    aired = session.exec(
        select(episode.season_number, episode.episode_number)
        .where(episode.media_id == media_id, which, _aired())
        .order_by(col(episode.season_number), col(episode.episode_number))
    ).all()
    already = watched_episodes(session=session, user_id=user_id, media_id=media_id)
    missing = [(season, number) for season, number in aired if (season, number) not in already]
    if not missing:
        return 0
    session.add_all(
        WatchEvent(user_id=user_id, media_id=media_id, season_number=season, episode_number=number, watched_at=moment)
        for season, number in missing
    )
    session.flush()
    user_cache.after_history_change(session, user_id)
    return len(missing)


def _episode_code(season_number: Any, episode_number: Any) -> Any:
    """Season and episode as one sortable number (64-bit: seasons times the factor pass 2**31)."""
    return cast(season_number, BigInteger) * EPISODE_CODE_FACTOR + episode_number


def up_next_for(*, session: Session, user_id: uuid.UUID, media_ids: Sequence[int]) -> dict[int, UpNext]:
    """Up next for several shows in one query (shows without one are left out): per show, the furthest
    regular episode watched, then the first aired episode after it."""
    if not media_ids:
        return {}
    episode = catalogue_tables.ShowEpisode
    # Season and episode folded into one sortable number, so "furthest" is a plain MAX per show (no sort of
    # every viewing); episode numbers stay far below the factor.
    furthest_code = func.max(_episode_code(WatchEvent.season_number, WatchEvent.episode_number))
    furthest = (
        select(WatchEvent.media_id, furthest_code.label("code"))
        .where(
            WatchEvent.user_id == user_id,
            col(WatchEvent.media_id).in_(media_ids),
            col(WatchEvent.season_number) > SPECIALS_SEASON,
        )
        .group_by(col(WatchEvent.media_id))
        .subquery()
    )
    later = (
        select(
            episode.media_id,
            episode.season_number,
            episode.episode_number,
            episode.title,
            episode.air_date,
            episode.runtime,
            func.row_number()
            .over(
                partition_by=col(episode.media_id),
                order_by=(col(episode.season_number), col(episode.episode_number)),
            )
            .label("rank"),
        )
        .join(furthest, col(episode.media_id) == furthest.c.media_id)
        .where(
            _episode_code(episode.season_number, episode.episode_number) > furthest.c.code,
            _aired(),
        )
        .subquery()
    )
    rows = session.exec(select(*later.c).where(later.c.rank == 1)).all()
    return {
        row.media_id: UpNext(
            media_id=row.media_id,
            season_number=row.season_number,
            episode_number=row.episode_number,
            title=row.title,
            air_date=row.air_date.isoformat() if row.air_date else None,
            runtime_minutes=row.runtime,
            href=episode_href(row.media_id, row.season_number),
        )
        for row in rows
    }


def up_next(*, session: Session, user_id: uuid.UUID, media_id: int) -> UpNext | None:
    """The first aired episode after the furthest one watched (specials left out); None when nothing of the
    show was watched yet or everything aired was."""
    _show(session, media_id)
    return up_next_for(session=session, user_id=user_id, media_ids=[media_id]).get(media_id)


# -- ratings and favourites ---------------------------------------------------------------------------------


def set_rating(*, session: Session, user_id: uuid.UUID, media_id: int, rating: float) -> None:
    if rating not in RATING_STEPS:
        raise InvalidInput("a rating is 0.5 to 5 in half stars")
    _media(session, media_id)
    row = session.exec(select(Rating).where(Rating.user_id == user_id, Rating.media_id == media_id)).first()
    row = row or Rating(user_id=user_id, media_id=media_id, rating=rating)
    row.rating = rating
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    user_cache.after_taste_change(session, user_id)


def clear_rating(*, session: Session, user_id: uuid.UUID, media_id: int) -> None:
    result = session.exec(delete(Rating).where(col(Rating.user_id) == user_id, col(Rating.media_id) == media_id))
    if not result.rowcount:
        raise NotFound("You have not rated that title")
    user_cache.after_taste_change(session, user_id)


def set_favourite(*, session: Session, user_id: uuid.UUID, media_id: int, favourite: bool) -> None:
    _media(session, media_id)
    row = session.exec(select(Favourite).where(Favourite.user_id == user_id, Favourite.media_id == media_id)).first()
    if favourite and row is None:
        session.add(Favourite(user_id=user_id, media_id=media_id))
    elif not favourite and row is not None:
        session.delete(row)
    session.flush()
    user_cache.after_taste_change(session, user_id)


@dataclass(frozen=True, slots=True)
class TitleState:
    """What a card or detail page shows of the viewer's own records for one title."""

    in_watch_later: bool
    times_watched: int
    rating: float | None
    favourite: bool
    watched_episodes: int = 0  # shows: distinct episodes watched at least once
    up_next: UpNext | None = None  # shows: the episode to watch next, when one has aired


def title_state(*, session: Session, user_id: uuid.UUID, media_id: int) -> TitleState:
    def exists(model) -> bool:
        return (
            session.exec(select(model.id).where(model.user_id == user_id, model.media_id == media_id)).first()
            is not None
        )

    watched = session.exec(
        select(func.count()).where(WatchEvent.user_id == user_id, WatchEvent.media_id == media_id)
    ).one()
    rating = session.exec(select(Rating.rating).where(Rating.user_id == user_id, Rating.media_id == media_id)).first()
    state = TitleState(exists(WatchLaterItem), int(watched), rating, exists(Favourite))
    media = session.get(catalogue_tables.MediaItem, media_id)
    if media is None or media.kind != "show" or not watched:
        return state
    episodes = len(watched_episodes(session=session, user_id=user_id, media_id=media_id))
    following = up_next_for(session=session, user_id=user_id, media_ids=[media_id]).get(media_id)
    return replace(state, watched_episodes=episodes, up_next=following)
