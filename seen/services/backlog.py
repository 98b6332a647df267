"""A user's game backlog: which games they want to play, play, paused, finished or gave up, and how.

One entry per game and user. `set_backlog` creates or updates it: a field left None keeps its value and
`CLEAR` empties it, so a form may send only what changed. Moving a game to "active" dates its start and
completing it dates its finish (today), when those dates are still empty.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, Final, Literal, TypeVar

from sqlalchemy import case, delete, func
from sqlmodel import Session, col, select

from seen.models import media as catalogue_tables
from seen.models.base import as_utc, utcnow
from seen.models.tracking import GameBacklogEntry
from seen.services import user_cache
from seen.services.catalogue_views import MediaCard, cards_for
from seen.services.errors import InvalidInput, NotFound
from seen.services.tracking import require_media

BACKLOG_STATUSES = ("wishlist", "active", "paused", "completed", "dropped")
COMPLETION_LEVELS = ("main", "main_extras", "completionist")
# How a backlog reads top to bottom: what is being played, then what waits, then what is over.
STATUS_ORDER = ("active", "paused", "wishlist", "completed", "dropped")
RECENTLY_PLAYED_STATUSES = ("active", "completed")
MAX_HOURS_PLAYED = 100_000
NOTES_MAX_LENGTH = 4000
# Dates are calendar days the player typed in their own time zone, up to 14 hours ahead of UTC.
DATE_TOLERANCE = timedelta(days=1)


class _Clear(Enum):
    CLEAR = "clear"


CLEAR: Final = _Clear.CLEAR  # set_backlog(..., platform_id=CLEAR) empties the field; None keeps it
T = TypeVar("T")
Change = T | None | Literal[_Clear.CLEAR]


@dataclass(frozen=True, slots=True)
class BacklogEntryView:
    media: MediaCard
    status: str
    platform_id: int | None
    platform_name: str | None
    hours_played: float
    completion: str | None
    started_on: str | None  # ISO dates
    finished_on: str | None
    notes: str
    created_at: str
    updated_at: str


def _entries_with_platform_names() -> Any:
    """A query of entries that also reads each entry's platform name, so a list needs no second query."""
    platform = catalogue_tables.Platform
    return select(GameBacklogEntry, platform.name).outerjoin(
        platform, col(platform.id) == col(GameBacklogEntry.platform_id)
    )


def _named_views(session: Session, rows: Sequence[Any]) -> list[BacklogEntryView]:
    """Views of (entry, platform name) rows read with `_entries_with_platform_names`."""
    names = {entry.platform_id: name for entry, name in rows if name is not None}
    return _views(session, [entry for entry, _name in rows], names)


def _views(
    session: Session, entries: list[GameBacklogEntry], names: dict[int, str] | None = None
) -> list[BacklogEntryView]:
    """Entries as views; `names` (platform id -> name) when the caller read them already."""
    cards = {card.id: card for card in cards_for(session=session, media_ids=[entry.media_id for entry in entries])}
    platform_ids = {entry.platform_id for entry in entries if entry.platform_id is not None}
    if names is None:
        names = (
            dict(
                session.exec(
                    select(catalogue_tables.Platform.id, catalogue_tables.Platform.name).where(
                        col(catalogue_tables.Platform.id).in_(platform_ids)
                    )
                ).all()
            )
            if platform_ids
            else {}
        )
    return [
        BacklogEntryView(
            media=cards[entry.media_id],
            status=entry.status,
            platform_id=entry.platform_id,
            platform_name=names.get(entry.platform_id) if entry.platform_id is not None else None,
            hours_played=entry.hours_played,
            completion=entry.completion,
            started_on=entry.started_on.isoformat() if entry.started_on else None,
            finished_on=entry.finished_on.isoformat() if entry.finished_on else None,
            notes=entry.notes,
            created_at=as_utc(entry.created_at).isoformat(),
            updated_at=as_utc(entry.updated_at).isoformat(),
        )
        for entry in entries
        if entry.media_id in cards
    ]


def _entry(session: Session, user_id: uuid.UUID, media_id: int) -> GameBacklogEntry | None:
    return session.exec(
        select(GameBacklogEntry).where(GameBacklogEntry.user_id == user_id, GameBacklogEntry.media_id == media_id)
    ).first()


# -- reading ------------------------------------------------------------------------------------------------


def backlog_entry(*, session: Session, user_id: uuid.UUID, media_id: int) -> BacklogEntryView | None:
    entry = _entry(session, user_id, media_id)
    return _views(session, [entry])[0] if entry is not None else None


def _status(status: str) -> str:
    if status not in BACKLOG_STATUSES:
        raise InvalidInput(f"unknown backlog status {status!r}; expected one of {', '.join(BACKLOG_STATUSES)}")
    return status


def backlog(
    *, session: Session, user_id: uuid.UUID, status: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[BacklogEntryView], int]:
    """The user's backlog (or one status of it): playing first, then paused, wishlist, completed, dropped;
    the most recently changed first within each. Returns a page and how many entries match."""
    if offset < 0 or limit < 1:
        raise InvalidInput("offset must be 0 or more and limit 1 or more")
    conditions = [col(GameBacklogEntry.user_id) == user_id]
    if status is not None:
        conditions.append(col(GameBacklogEntry.status) == _status(status))
    total = session.exec(select(func.count()).select_from(GameBacklogEntry).where(*conditions)).one()
    rank = case({name: position for position, name in enumerate(STATUS_ORDER)}, value=col(GameBacklogEntry.status))
    rows = session.exec(
        _entries_with_platform_names()
        .where(*conditions)
        .order_by(rank, col(GameBacklogEntry.updated_at).desc(), col(GameBacklogEntry.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return _named_views(session, rows), total


def backlog_counts(*, session: Session, user_id: uuid.UUID) -> dict[str, int]:
    """Entries per status, every status present (0 when none)."""
    counts = dict.fromkeys(BACKLOG_STATUSES, 0)
    for status, count in session.exec(
        select(GameBacklogEntry.status, func.count())
        .where(GameBacklogEntry.user_id == user_id)
        .group_by(col(GameBacklogEntry.status))
    ).all():
        counts[status] = count
    return counts


def recently_played(*, session: Session, user_id: uuid.UUID, limit: int = 10) -> list[BacklogEntryView]:
    """Games being played or finished, most recently changed first: the dashboard's "recently played"."""
    rows = session.exec(
        _entries_with_platform_names()
        .where(
            GameBacklogEntry.user_id == user_id,
            col(GameBacklogEntry.status).in_(RECENTLY_PLAYED_STATUSES),
        )
        .order_by(col(GameBacklogEntry.updated_at).desc(), col(GameBacklogEntry.id).desc())
        .limit(limit)
    ).all()
    return _named_views(session, rows)


# -- changing -----------------------------------------------------------------------------------------------


def _game(session: Session, media_id: int) -> catalogue_tables.MediaItem:
    media = require_media(session=session, media_id=media_id)
    if media.kind != "game":
        raise InvalidInput("only games go in the backlog")
    return media


def _platform(session: Session, media_id: int, platform_id: int) -> int:
    """A platform the game is on; any known platform when the catalogue lists none for the game."""
    listed = set(
        session.exec(
            select(catalogue_tables.MediaPlatform.platform_id).where(
                catalogue_tables.MediaPlatform.media_id == media_id
            )
        ).all()
    )
    if listed:
        if platform_id not in listed:
            raise InvalidInput("the game is not on that platform")
    elif session.get(catalogue_tables.Platform, platform_id) is None:
        raise InvalidInput(f"unknown platform id {platform_id}")
    return platform_id


def _hours(hours: float) -> float:
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        raise InvalidInput("hours played must be a number")
    if not 0 <= hours <= MAX_HOURS_PLAYED:
        raise InvalidInput(f"hours played must be between 0 and {MAX_HOURS_PLAYED}")
    return round(float(hours), 1)


def _completion(level: str) -> str:
    if level not in COMPLETION_LEVELS:
        raise InvalidInput(f"unknown completion {level!r}; expected one of {', '.join(COMPLETION_LEVELS)}")
    return level


def _day(value: date, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{what} must be a date")
    if value > datetime.now(UTC).date() + DATE_TOLERANCE:
        raise InvalidInput(f"{what} cannot be in the future")
    return value


def _notes(notes: str) -> str:
    cleaned = notes.strip()
    if len(cleaned) > NOTES_MAX_LENGTH:
        raise InvalidInput(f"notes are at most {NOTES_MAX_LENGTH} characters")
    return cleaned


def _apply(current: T, change: Change[T], check: Callable[[T], T], empty: T) -> T:
    """The field's new value: kept for None, emptied for CLEAR, else the checked new value."""
    if change is None:
        return current
    if change is CLEAR:
        return empty
    return check(change)


def set_backlog(
    *,
    session: Session,
    user_id: uuid.UUID,
    media_id: int,
    status: str | None,
    platform_id: Change[int] = None,
    hours_played: Change[float] = None,
    completion: Change[str] = None,
    started_on: Change[date] = None,
    finished_on: Change[date] = None,
    notes: Change[str] = None,
) -> BacklogEntryView:
    """Put a game in the backlog or change its entry (a None status keeps it; a new entry starts as wishlist)."""
    _game(session, media_id)
    entry = _entry(session, user_id, media_id)
    is_new = entry is None
    if entry is None:
        entry = GameBacklogEntry(user_id=user_id, media_id=media_id, status="wishlist")
    previous_status = None if is_new else entry.status
    entry.status = _status(status) if status is not None else entry.status
    entry.platform_id = _apply(entry.platform_id, platform_id, lambda value: _platform(session, media_id, value), None)
    entry.hours_played = _apply(entry.hours_played, hours_played, _hours, 0.0)
    entry.completion = _apply(entry.completion, completion, _completion, None)
    entry.started_on = _apply(entry.started_on, started_on, lambda value: _day(value, "the start date"), None)
    entry.finished_on = _apply(entry.finished_on, finished_on, lambda value: _day(value, "the finish date"), None)
    entry.notes = _apply(entry.notes, notes, _notes, "")
    if entry.status != previous_status:
        _date_the_move(entry)
    if entry.started_on and entry.finished_on and entry.started_on > entry.finished_on:
        raise InvalidInput("the start date is after the finish date")
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    user_cache.after_taste_change(session, user_id)
    return _views(session, [entry])[0]


def _date_the_move(entry: GameBacklogEntry) -> None:
    """What a player expects when a game changes status: starting it dates the start, finishing dates the end."""
    today = datetime.now(UTC).date()
    if entry.status == "active" and entry.started_on is None:
        entry.started_on = today
    if entry.status == "completed" and entry.finished_on is None:
        # Never before its own start (which may be "today" in a time zone ahead of UTC).
        entry.finished_on = max(today, entry.started_on) if entry.started_on else today


def remove_from_backlog(*, session: Session, user_id: uuid.UUID, media_id: int) -> None:
    result = session.exec(
        delete(GameBacklogEntry).where(
            col(GameBacklogEntry.user_id) == user_id, col(GameBacklogEntry.media_id) == media_id
        )
    )
    if not result.rowcount:
        raise NotFound("That game is not in your backlog")
    user_cache.after_taste_change(session, user_id)
