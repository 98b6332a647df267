"""A user's own records about titles: watch later (ordered), viewing history, ratings, favourites.

Every function takes the user's id and only ever reads or writes that user's rows: another user's row is
"not found", never "forbidden" (ids of other people's data are not confirmed). Titles are the catalogue's
own ids; an unknown one is invalid input.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, union
from sqlmodel import Session, col, select

from seen.models import media as catalogue_tables
from seen.models.base import as_utc, utcnow
from seen.models.tracking import (
    CollectionItem,
    Favourite,
    GameBacklogEntry,
    PlaybackProgress,
    Rating,
    WatchEvent,
    WatchLaterItem,
)
from seen.services import user_cache
from seen.services.catalogue_views import MediaCard, cards_for
from seen.services.errors import InvalidInput, NotFound

RATING_STEPS = tuple(step / 2 for step in range(1, 11))  # 0.5 .. 5.0
# A viewing dated a little ahead is a clock out of step; further ahead is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


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


def _media(session: Session, media_id: int) -> catalogue_tables.MediaItem:
    media = session.get(catalogue_tables.MediaItem, media_id)
    if media is None:
        raise InvalidInput(f"unknown media id {media_id}")
    return media


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


def reorder_watch_later(*, session: Session, user_id: uuid.UUID, media_ids: Sequence[int]) -> None:
    """The list in exactly this order: the ids must be the list's titles, each once."""
    rows = {row.media_id: row for row in session.exec(select(WatchLaterItem).where(WatchLaterItem.user_id == user_id))}
    if len(media_ids) != len(set(media_ids)) or set(media_ids) != set(rows):
        raise InvalidInput("the new order must list every title of your watch later list exactly once")
    for position, media_id in enumerate(media_ids, start=1):
        rows[media_id].position = position
        session.add(rows[media_id])
    session.flush()
    user_cache.after_watch_later_change(session, user_id)


def watch_later(
    *, session: Session, user_id: uuid.UUID, offset: int = 0, limit: int = 50
) -> tuple[list[MediaCard], int]:
    statement = select(WatchLaterItem.media_id).where(WatchLaterItem.user_id == user_id)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ids = session.exec(statement.order_by(col(WatchLaterItem.position)).offset(offset).limit(limit)).all()
    return cards_for(session=session, media_ids=ids), total


# -- history ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    media: MediaCard
    season_number: int | None
    episode_number: int | None
    watched_at: str


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
    moment = as_utc(watched_at) if watched_at is not None else utcnow()
    if moment > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise InvalidInput("a viewing cannot be in the future")
    event = WatchEvent(
        user_id=user_id,
        media_id=media_id,
        season_number=season_number,
        episode_number=episode_number,
        watched_at=moment,
    )
    session.add(event)
    session.flush()
    user_cache.after_history_change(session, user_id)
    return event.id


def delete_watch(*, session: Session, user_id: uuid.UUID, event_id: int) -> None:
    result = session.exec(delete(WatchEvent).where(col(WatchEvent.id) == event_id, col(WatchEvent.user_id) == user_id))
    if not result.rowcount:
        raise NotFound("No such viewing")
    user_cache.after_history_change(session, user_id)


def history(
    *, session: Session, user_id: uuid.UUID, offset: int = 0, limit: int = 50
) -> tuple[list[HistoryEntry], int]:
    statement = select(WatchEvent).where(WatchEvent.user_id == user_id)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    events = session.exec(
        statement.order_by(col(WatchEvent.watched_at).desc(), col(WatchEvent.id).desc()).offset(offset).limit(limit)
    ).all()
    cards = {card.id: card for card in cards_for(session=session, media_ids=list({e.media_id for e in events}))}
    return [
        HistoryEntry(e.id, cards[e.media_id], e.season_number, e.episode_number, as_utc(e.watched_at).isoformat())
        for e in events
        if e.media_id in cards
    ], total


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
    return TitleState(exists(WatchLaterItem), int(watched), rating, exists(Favourite))
