"""Playback progress: where each user stopped in a movie or an episode, the automatic "watched" once playback
passes the user's threshold, and Continue Watching.

A progress row is one round of playback of one movie or episode. When its position reaches the threshold
(`users.watched_threshold_percent`, 90 by default) the viewing goes into the history once and the row is
finished; a later position below the threshold starts the next round, so a rewatch can finish again.

Continue Watching lists, by last activity, the titles whose latest round is unfinished (a show by its latest
episode), plus, like Plex's "On Deck", the shows whose latest activity was finishing an episode and whose
next episode has aired (at 0%). It is cached per user for two minutes under the cache contract's key and
dropped by the progress and history triggers of `user_cache`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from seen.db import upsert_insert
from seen.models.base import as_utc, utcnow
from seen.models.media import MediaItem
from seen.models.tracking import PlaybackProgress, WatchEvent
from seen.models.users import User
from seen.services import tracking, user_cache
from seen.services.catalogue_views import MediaCard, cards_for
from seen.services.errors import InvalidInput, NotFound

MAX_DURATION_SECONDS = 24 * 3600  # longer than any film or episode: a client's mistake
THRESHOLD_MIN, THRESHOLD_MAX = 50, 100
CONTINUE_WATCHING_LIMIT = 20
# How many recently active titles Continue Watching looks at: enough to fill it after dropping the titles
# with nothing left to watch.
CANDIDATE_TITLES = 3 * CONTINUE_WATCHING_LIMIT
RECENT_VIEWINGS_READ = 1000
MOVIE_NUMBER = 0  # a movie's row uses season 0 episode 0 (the natural key has no NULLs)


@dataclass(frozen=True, slots=True)
class ProgressState:
    media_id: int
    season_number: int | None  # None for a movie
    episode_number: int | None
    position_seconds: int
    duration_seconds: int
    percent: int
    finished: bool  # this round passed the threshold and is in the history
    updated_at: str


@dataclass(frozen=True, slots=True)
class ContinueItem:
    media: MediaCard
    season_number: int | None
    episode_number: int | None
    episode_title: str | None
    position_seconds: int
    duration_seconds: int
    percent: int
    updated_at: str  # the title's last activity
    href: str


def _percent(position_seconds: int, duration_seconds: int) -> int:
    return min(100, position_seconds * 100 // duration_seconds) if duration_seconds > 0 else 0


def _state(row: PlaybackProgress) -> ProgressState:
    is_movie = row.episode_number == MOVIE_NUMBER
    return ProgressState(
        media_id=row.media_id,
        season_number=None if is_movie else row.season_number,
        episode_number=None if is_movie else row.episode_number,
        position_seconds=row.position_seconds,
        duration_seconds=row.duration_seconds,
        percent=_percent(row.position_seconds, row.duration_seconds),
        finished=row.finished_at is not None,
        updated_at=as_utc(row.updated_at).isoformat(),
    )


# -- the threshold -----------------------------------------------------------------------------------------


def _user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    return user


def watched_threshold(*, session: Session, user_id: uuid.UUID) -> int:
    """How far (in percent) playback must get before it counts as a viewing."""
    return _user(session, user_id).watched_threshold_percent


def set_watched_threshold(*, session: Session, user_id: uuid.UUID, percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or not THRESHOLD_MIN <= percent <= THRESHOLD_MAX:
        raise InvalidInput(f"the watched threshold is a whole percentage from {THRESHOLD_MIN} to {THRESHOLD_MAX}")
    user = _user(session, user_id)
    user.watched_threshold_percent = percent
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return percent


# -- recording ---------------------------------------------------------------------------------------------


def _locked_row(
    session: Session, user_id: uuid.UUID, media_id: int, numbers: tuple[int, int], moment: datetime
) -> tuple[PlaybackProgress, bool]:
    """The user's row for this movie or episode, created when missing and locked until the commit, so two
    reports at once (a player and a webhook) never both record the viewing. Returns it and whether it is new."""
    season_number, episode_number = numbers
    created = session.exec(
        upsert_insert(session, PlaybackProgress)
        .values(
            user_id=user_id,
            media_id=media_id,
            season_number=season_number,
            episode_number=episode_number,
            position_seconds=0,
            duration_seconds=0,
            updated_at=moment,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "media_id", "season_number", "episode_number"])
        .returning(PlaybackProgress.id)
    ).first()
    row = session.exec(
        select(PlaybackProgress)
        .where(
            PlaybackProgress.user_id == user_id,
            PlaybackProgress.media_id == media_id,
            PlaybackProgress.season_number == season_number,
            PlaybackProgress.episode_number == episode_number,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return row, created is not None


def record_progress(
    *,
    session: Session,
    user_id: uuid.UUID,
    media_id: int,
    position_seconds: int,
    duration_seconds: int,
    season_number: int | None = None,
    episode_number: int | None = None,
    at: datetime | None = None,
) -> ProgressState:
    """Remember where playback of a movie (no numbers) or an episode is; past the user's threshold the
    viewing is recorded once. A report older than the one stored (webhooks can arrive out of order) changes
    nothing."""
    if not 0 < duration_seconds <= MAX_DURATION_SECONDS:
        raise InvalidInput(f"the duration must be between 1 second and {MAX_DURATION_SECONDS // 3600} hours")
    if position_seconds < 0:
        raise InvalidInput("the position cannot be negative")
    if position_seconds > duration_seconds:
        raise InvalidInput(f"the position ({position_seconds} s) is beyond the duration ({duration_seconds} s)")
    tracking.require_trackable(
        session=session, media_id=media_id, season_number=season_number, episode_number=episode_number
    )
    # require_trackable saw to it: an episode has both numbers, a movie neither.
    numbers = (season_number, episode_number) if season_number is not None else (MOVIE_NUMBER, MOVIE_NUMBER)
    moment = tracking.viewing_moment(at)
    threshold = watched_threshold(session=session, user_id=user_id)
    row, created = _locked_row(session, user_id, media_id, numbers, moment)
    if not created and as_utc(row.updated_at) > moment:
        return _state(row)
    reached = position_seconds * 100 >= threshold * duration_seconds
    row.position_seconds, row.duration_seconds, row.updated_at = position_seconds, duration_seconds, moment
    if reached and row.finished_at is None:
        row.finished_at = moment
        tracking.mark_watched(
            session=session,
            user_id=user_id,
            media_id=media_id,
            watched_at=moment,
            season_number=season_number,
            episode_number=episode_number,
        )
    elif not reached and row.finished_at is not None:
        row.finished_at = None  # watching it again: this round finishes (and is recorded) on its own
    session.add(row)
    session.flush()
    user_cache.after_progress_change(session, user_id)
    return _state(row)


def progress_for(*, session: Session, user_id: uuid.UUID, media_id: int) -> list[ProgressState]:
    """The user's progress in one movie, or in every episode of a show started, in episode order."""
    tracking.require_media(session=session, media_id=media_id)
    rows = session.exec(
        select(PlaybackProgress)
        .where(PlaybackProgress.user_id == user_id, PlaybackProgress.media_id == media_id)
        .order_by(col(PlaybackProgress.season_number), col(PlaybackProgress.episode_number))
    ).all()
    return [_state(row) for row in rows]


def clear_progress(
    *,
    session: Session,
    user_id: uuid.UUID,
    media_id: int,
    season_number: int | None = None,
    episode_number: int | None = None,
) -> int:
    """Forget the position in a title (all of a show, one season, or one episode); the history stays.
    Returns how many rows went; nothing to forget is "not found"."""
    if episode_number is not None and season_number is None:
        raise InvalidInput("an episode number needs its season number")
    conditions = [col(PlaybackProgress.user_id) == user_id, col(PlaybackProgress.media_id) == media_id]
    if season_number is not None:
        conditions.append(col(PlaybackProgress.season_number) == season_number)
    if episode_number is not None:
        conditions.append(col(PlaybackProgress.episode_number) == episode_number)
    removed = session.exec(delete(PlaybackProgress).where(*conditions)).rowcount
    if not removed:
        raise NotFound("There is no playback progress to clear there")
    user_cache.after_progress_change(session, user_id)
    return removed


# -- continue watching -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    media_id: int
    activity: datetime
    resume: PlaybackProgress | None  # None: a show to go on with at its next episode


def _latest_rounds(session: Session, user_id: uuid.UUID) -> dict[int, PlaybackProgress]:
    """Per recently active title, its latest round that got anywhere (started, or finished)."""
    progress = PlaybackProgress
    got_anywhere = or_(col(progress.finished_at).is_not(None), col(progress.position_seconds) > 0)
    latest = (
        select(progress.media_id, func.max(progress.updated_at).label("last"))
        .where(progress.user_id == user_id, got_anywhere)
        .group_by(col(progress.media_id))
        .order_by(func.max(progress.updated_at).desc())
        .limit(CANDIDATE_TITLES)
        .subquery()
    )
    rows = session.exec(
        select(progress)
        .join(latest, and_(col(progress.media_id) == latest.c.media_id, col(progress.updated_at) == latest.c.last))
        .where(progress.user_id == user_id, got_anywhere)
        .order_by(col(progress.id))
    ).all()
    return {row.media_id: row for row in rows}  # on a tie in time the newest row wins


def _latest_viewings(session: Session, user_id: uuid.UUID, media_ids: list[int]) -> dict[int, datetime]:
    """When each recently watched show, and each of the given titles, was last watched."""
    last = func.max(WatchEvent.watched_at)
    shows = _recent_shows(session, user_id)
    titles = (
        session.exec(
            select(WatchEvent.media_id, last)
            .where(WatchEvent.user_id == user_id, col(WatchEvent.media_id).in_(media_ids))
            .group_by(col(WatchEvent.media_id))
        ).all()
        if media_ids
        else []
    )
    return {media_id: as_utc(moment) for media_id, moment in [*shows.items(), *titles]}


def _recent_shows(session: Session, user_id: uuid.UUID) -> dict[int, datetime]:
    """The shows the user watched most recently, with when. The newest viewings, read along the
    (user_id, watched_at) index, almost always name enough of them; grouping the whole history (tens of
    thousands of rows) is the fallback for a history of very few shows."""
    episodes = (WatchEvent.user_id == user_id, col(WatchEvent.season_number).is_not(None))
    newest = session.exec(
        select(WatchEvent.media_id, WatchEvent.watched_at)
        .where(*episodes)
        .order_by(col(WatchEvent.watched_at).desc())
        .limit(RECENT_VIEWINGS_READ)
    ).all()
    found: dict[int, datetime] = {}
    for media_id, moment in newest:
        found.setdefault(media_id, moment)
    if len(found) >= CANDIDATE_TITLES or len(newest) < RECENT_VIEWINGS_READ:
        return dict(list(found.items())[:CANDIDATE_TITLES])
    last = func.max(WatchEvent.watched_at)
    return dict(
        session.exec(
            select(WatchEvent.media_id, last)
            .where(*episodes)
            .group_by(col(WatchEvent.media_id))
            .order_by(last.desc())
            .limit(CANDIDATE_TITLES)
        ).all()
    )


def _candidates(session: Session, user_id: uuid.UUID) -> list[_Candidate]:
    """Titles that may be listed, latest activity first: unfinished rounds, and shows to go on with."""
    rounds = _latest_rounds(session, user_id)
    viewings = _latest_viewings(session, user_id, list(rounds))
    media_ids = list({*rounds, *viewings})
    kinds = dict(
        session.exec(select(MediaItem.id, MediaItem.kind).where(col(MediaItem.id).in_(media_ids))).all()
        if media_ids
        else []
    )
    found: list[_Candidate] = []
    for media_id, kind in kinds.items():
        row, viewed = rounds.get(media_id), viewings.get(media_id)
        row_time = as_utc(row.updated_at) if row is not None else None
        if row is not None and row.finished_at is None and (viewed is None or row_time >= viewed):
            found.append(_Candidate(media_id, row_time, row))
        elif kind == "show":
            found.append(_Candidate(media_id, max(moment for moment in (row_time, viewed) if moment is not None), None))
    found.sort(key=lambda candidate: candidate.activity, reverse=True)
    return found


def build_continue_watching(
    *, session: Session, user_id: uuid.UUID, limit: int = CONTINUE_WATCHING_LIMIT
) -> list[ContinueItem]:
    """Continue Watching read from the database, bypassing the cache."""
    candidates = _candidates(session, user_id)
    # One query for every show that could be listed (at most CANDIDATE_TITLES): a round trip per batch
    # costs more than the larger window, and a show with every aired episode watched has no up next.
    following = tracking.up_next_for(
        session=session, user_id=user_id, media_ids=[c.media_id for c in candidates if c.resume is None]
    )
    chosen = [c for c in candidates if c.resume is not None or c.media_id in following]
    chosen = chosen[:limit]
    cards = {card.id: card for card in cards_for(session=session, media_ids=[c.media_id for c in chosen])}
    titles = tracking.episode_titles(
        session=session,
        episodes={(c.media_id, c.resume.season_number, c.resume.episode_number) for c in chosen if c.resume},
    )
    return [
        _item(candidate, cards[candidate.media_id], following, titles)
        for candidate in chosen
        if candidate.media_id in cards
    ]


def _item(
    candidate: _Candidate,
    card: MediaCard,
    following: dict[int, tracking.UpNext],
    titles: dict[tuple[int, int, int], str],
) -> ContinueItem:
    activity = candidate.activity.isoformat()
    if candidate.resume is not None:
        state = _state(candidate.resume)
        is_episode = state.season_number is not None
        return ContinueItem(
            media=card,
            season_number=state.season_number,
            episode_number=state.episode_number,
            episode_title=titles.get((card.id, state.season_number, state.episode_number)) if is_episode else None,
            position_seconds=state.position_seconds,
            duration_seconds=state.duration_seconds,
            percent=state.percent,
            updated_at=activity,
            href=tracking.episode_href(card.id, state.season_number) if is_episode else card.href,
        )
    upcoming = following[candidate.media_id]
    return ContinueItem(
        media=card,
        season_number=upcoming.season_number,
        episode_number=upcoming.episode_number,
        episode_title=upcoming.title,
        position_seconds=0,
        duration_seconds=(upcoming.runtime_minutes or 0) * 60,
        percent=0,
        updated_at=activity,
        href=upcoming.href,
    )


def continue_watching(
    *, session: Session, user_id: uuid.UUID, limit: int = CONTINUE_WATCHING_LIMIT
) -> list[ContinueItem]:
    """The user's Continue Watching, newest activity first (cached per user for two minutes)."""
    if not 1 <= limit <= CONTINUE_WATCHING_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {CONTINUE_WATCHING_LIMIT}")
    # One cached list, the longest; shorter widgets take its head.
    items = user_cache.cached(
        user_cache.continue_watching_key(user_id),
        user_cache.CONTINUE_WATCHING_TTL_SECONDS,
        lambda: build_continue_watching(session=session, user_id=user_id),
        list[ContinueItem],
    )
    return items[:limit]
