"""The dashboard: every widget of the user's home page in one read, cached per user for two minutes.

The whole aggregate lives under `seen:v1:dashboard:{user_id}`; the tracking services drop that key after
each change that shows here (see `user_cache`), so the cache only saves repeated reads between changes.
Active downloads are the exception: they move every second, so they are read fresh on every read and
attached to the cached rest. Recommendations and upcoming releases come from their own services (each with
its own cache and snapshot), read into the aggregate like any other widget.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from seen.models.base import as_utc, utcnow
from seen.models.tracking import WatchEvent
from seen.models.users import User
from seen.services import (
    backlog,
    calendar,
    catalogue_views,
    downloads,
    player,
    progress,
    recommendations,
    tracking,
    user_cache,
)
from seen.services.backlog import BacklogEntryView
from seen.services.calendar import CalendarEvent
from seen.services.catalogue_views import MediaCard, cards_for
from seen.services.downloads import ActiveDownloads
from seen.services.progress import ContinueItem
from seen.services.recommendations import Recommendation

WIDGET_SIZE = 12
# "Recently watched" reads this many newest viewings to find its distinct titles; a binge of one show
# longer than this falls back to a grouped query.
RECENT_SCAN = 200
BACKLOG_SHOWN = ("active", "paused")
DOWNLOADS_SHOWN = 6
# What the cached aggregate holds in place of the downloads, which `_with_downloads` fills on every read.
NO_DOWNLOADS = ActiveDownloads(items=[], total=0)


@dataclass(frozen=True, slots=True)
class WatchLaterWidget:
    items: list[MediaCard]
    total: int


@dataclass(frozen=True, slots=True)
class BacklogWidget:
    items: list[BacklogEntryView]  # active games first, then paused ones
    counts: dict[str, int]  # entries by status, every status present


@dataclass(frozen=True, slots=True)
class RecentlyWatched:
    media: MediaCard
    watched_at: str
    season_number: int | None  # the newest episode watched, for shows
    episode_number: int | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    continue_watching: list[ContinueItem]
    watch_later: WatchLaterWidget
    game_backlog: BacklogWidget
    recently_played: list[BacklogEntryView]
    recently_watched: list[RecentlyWatched]
    trending: list[MediaCard]
    active_downloads: ActiveDownloads  # read fresh on every read, never from the cache
    recommendations: list[Recommendation]
    upcoming_releases: list[CalendarEvent]  # the user's titles, today and the next weeks, soonest first
    generated_at: str
    # Read fresh too: Continue Watching entries the library has a file of → that file's player page
    # (keys from `seen.services.player.playable_key`).
    continue_player_hrefs: dict[str, str] = dataclasses.field(default_factory=dict)


def _recently_watched(session: Session, user_id: uuid.UUID) -> list[RecentlyWatched]:
    newest = session.exec(
        select(WatchEvent.media_id, WatchEvent.watched_at, WatchEvent.season_number, WatchEvent.episode_number)
        .where(WatchEvent.user_id == user_id)
        .order_by(col(WatchEvent.watched_at).desc(), col(WatchEvent.id).desc())
        .limit(RECENT_SCAN)
    ).all()
    latest: dict[int, tuple[Any, int | None, int | None]] = {}
    for media_id, watched_at, season, episode in newest:
        if media_id not in latest:
            latest[media_id] = (watched_at, season, episode)
    if len(latest) < WIDGET_SIZE and len(newest) == RECENT_SCAN:
        last = func.max(WatchEvent.watched_at)
        for media_id, watched_at in session.exec(
            select(WatchEvent.media_id, last)
            .where(WatchEvent.user_id == user_id)
            .group_by(col(WatchEvent.media_id))
            .order_by(last.desc())
            .limit(WIDGET_SIZE)
        ).all():
            latest.setdefault(media_id, (watched_at, None, None))
    chosen = sorted(latest.items(), key=lambda item: as_utc(item[1][0]), reverse=True)[:WIDGET_SIZE]
    cards = {card.id: card for card in cards_for(session=session, media_ids=[media_id for media_id, _ in chosen])}
    return [
        RecentlyWatched(cards[media_id], as_utc(watched_at).isoformat(), season, episode)
        for media_id, (watched_at, season, episode) in chosen
        if media_id in cards
    ]


def _game_backlog(session: Session, user_id: uuid.UUID) -> BacklogWidget:
    counts = backlog.backlog_counts(session=session, user_id=user_id)
    if not any(counts[status] for status in BACKLOG_SHOWN):
        return BacklogWidget([], counts)
    # The backlog comes playing first, then paused: one page of it holds the widget's games.
    page, _ = backlog.backlog(session=session, user_id=user_id, limit=WIDGET_SIZE)
    return BacklogWidget([entry for entry in page if entry.status in BACKLOG_SHOWN], counts)


def _widgets(session: Session, user_id: uuid.UUID) -> Dashboard:
    """Every widget but the downloads (left empty): what the cache keeps."""
    watch_later, watch_later_total = tracking.watch_later(session=session, user_id=user_id, limit=WIDGET_SIZE)
    return Dashboard(
        continue_watching=progress.continue_watching(session=session, user_id=user_id, limit=WIDGET_SIZE),
        watch_later=WatchLaterWidget(watch_later, watch_later_total),
        game_backlog=_game_backlog(session, user_id),
        recently_played=backlog.recently_played(session=session, user_id=user_id, limit=WIDGET_SIZE),
        recently_watched=_recently_watched(session, user_id),
        trending=catalogue_views.discover_section(session=session, section="trending", page_size=WIDGET_SIZE).items,
        active_downloads=NO_DOWNLOADS,
        recommendations=recommendations.for_dashboard(session=session, user_id=user_id, limit=WIDGET_SIZE),
        upcoming_releases=calendar.upcoming_for_dashboard(session=session, user_id=user_id, limit=WIDGET_SIZE),
        generated_at=utcnow().isoformat(),
    )


def active_downloads(*, session: Session, user_id: uuid.UUID) -> ActiveDownloads:
    """The user's downloads in progress (or paused), as the widget shows them: read now, never cached."""
    user = session.get(User, user_id)
    if user is None:
        return NO_DOWNLOADS
    return downloads.active_downloads(session=session, user=user, limit=DOWNLOADS_SHOWN)


def _with_downloads(widgets: Dashboard, session: Session, user_id: uuid.UUID) -> Dashboard:
    """The parts never cached: downloads move every second, and library files come and go with scans."""
    wanted = [(item.media.id, item.season_number, item.episode_number) for item in widgets.continue_watching]
    return dataclasses.replace(
        widgets,
        active_downloads=active_downloads(session=session, user_id=user_id),
        continue_player_hrefs=player.player_hrefs(session=session, wanted=wanted),
    )


def build_dashboard(*, session: Session, user_id: uuid.UUID) -> Dashboard:
    """The dashboard read from the database (and the per-widget caches), bypassing its own cache."""
    return _with_downloads(_widgets(session, user_id), session, user_id)


def dashboard(*, session: Session, user_id: uuid.UUID) -> Dashboard:
    widgets = user_cache.cached(
        user_cache.dashboard_key(user_id),
        user_cache.DASHBOARD_TTL_SECONDS,
        lambda: _widgets(session, user_id),
        Dashboard,
    )
    return _with_downloads(widgets, session, user_id)
