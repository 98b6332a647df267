"""The notification centre: what happened to titles a user follows (a new episode, a movie released, a game
out on their platform), their downloads finishing or failing, and (for admins) library files no title matched.

Rules:
- A user hears only of what they follow (`tracking.followed_media_ids`), never of what they already watched
  (an episode or movie with a viewing) or finished (a game completed in the backlog).
- Each notification has a dedupe key unique per user: jobs re-run and workers retry, a user hears of an event
  once. Inserts are `INSERT ... ON CONFLICT DO NOTHING`, so two runs at once cannot both notify.
- Each kind can be switched off per user; with the daily digest on, notifications are held and summed up once
  a day in one "digest" notification at the user's hour (UTC), after which the held ones show as "digested".
- Held notifications are not shown; everything else is, newest first. Another user's notification is
  "not found", never "forbidden".
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, update
from sqlmodel import Session, col, select

from seen.db import upsert_insert
from seen.jobs import enqueue
from seen.models.base import as_utc, utcnow
from seen.models.downloads import DownloadEvent, DownloadJob
from seen.models.library import LibraryScan
from seen.models.media import MediaItem, MediaReleaseDate, Platform, ShowEpisode
from seen.models.notifications import NOTIFICATION_KINDS, Notification, NotificationSettings
from seen.models.tracking import GameBacklogEntry, WatchEvent
from seen.models.users import Role, User
from seen.services import app_settings
from seen.services.catalogue_views import media_href
from seen.services.errors import InvalidInput, NotFound
from seen.services.tracking import SPECIALS_SEASON, followed_media_ids

CENTRE_PATH = "/app/notifications"
DOWNLOADS_PATH = "/app/downloads"
REVIEW_QUEUE_PATH = "/app/library?state=unmatched"
DEFAULT_LOOKBACK_DAYS = 7  # releases this recent still notify (a job that was down for days catches up)
MAX_LOOKBACK_DAYS = 36_500  # an admin may look back as far as they like (a century)
RELEASES_ACTOR = "notifications.releases"
MAX_PER_USER_RUN = 50  # release notifications one run may give one user
LIST_LIMIT_MAX = 100
DIGEST_TITLES = 3  # the digest names this many titles, then "and N more"
TITLE_MAX = 300
BODY_MAX = 2000
MOVIE_RELEASE_TYPES = ("theatrical", "digital")

# Which setting switches each kind on or off (the digest is the setting itself).
KIND_SETTINGS = {
    "new_episode": "new_episode",
    "movie_released": "movie_released",
    "game_launched": "game_launched",
    "download_finished": "downloads",
    "download_failed": "downloads",
    "unmatched_files": "unmatched_files",
}
SETTING_FIELDS = ("new_episode", "movie_released", "game_launched", "downloads", "unmatched_files", "daily_digest")
KIND_LABELS = {
    "new_episode": ("new episode", "new episodes"),
    "movie_released": ("movie released", "movies released"),
    "game_launched": ("game out", "games out"),
    "download_finished": ("download finished", "downloads finished"),
    "download_failed": ("download failed", "downloads failed"),
    "unmatched_files": ("library notice", "library notices"),
}
VISIBLE = ("now", "digested")


@dataclass(frozen=True, slots=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    media_id: int | None
    created_at: str
    read: bool
    read_at: str | None


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[NotificationView]
    unread_count: int
    next_before: int | None  # pass as `before` for the next (older) page; None at the end


@dataclass(frozen=True, slots=True)
class SettingsView:
    new_episode: bool
    movie_released: bool
    game_launched: bool
    downloads: bool
    unmatched_files: bool
    daily_digest: bool
    digest_hour_utc: int
    last_digest_at: str | None


@dataclass(frozen=True, slots=True)
class ReleaseReport:
    users: int = 0
    new_episode: int = 0
    movie_released: int = 0
    game_launched: int = 0

    def lines(self) -> list[str]:
        return [
            f"{self.users} users",
            f"{self.new_episode} new episode, {self.movie_released} movie, {self.game_launched} game notifications",
        ]


# -- settings -------------------------------------------------------------------------------------------------


def _settings_row(session: Session, user_id: uuid.UUID) -> NotificationSettings:
    """The user's stored settings, or the defaults (not stored) for a user who never changed them."""
    return session.get(NotificationSettings, user_id) or NotificationSettings(user_id=user_id)


def _settings_view(row: NotificationSettings) -> SettingsView:
    return SettingsView(
        new_episode=row.new_episode,
        movie_released=row.movie_released,
        game_launched=row.game_launched,
        downloads=row.downloads,
        unmatched_files=row.unmatched_files,
        daily_digest=row.daily_digest,
        digest_hour_utc=row.digest_hour_utc,
        last_digest_at=as_utc(row.last_digest_at).isoformat() if row.last_digest_at else None,
    )


def get_settings(*, session: Session, user_id: uuid.UUID) -> SettingsView:
    return _settings_view(_settings_row(session, user_id))


def update_settings(*, session: Session, user_id: uuid.UUID, changes: dict[str, Any]) -> SettingsView:
    """Change some settings (fields left out stay). Turning the digest off delivers what it held at once."""
    unknown = set(changes) - {*SETTING_FIELDS, "digest_hour_utc"}
    if unknown:
        raise InvalidInput(f"unknown notification settings: {', '.join(sorted(unknown))}")
    for name in SETTING_FIELDS:
        if name in changes and not isinstance(changes[name], bool):
            raise InvalidInput(f"{name} must be true or false")
    hour = changes.get("digest_hour_utc")
    if "digest_hour_utc" in changes and (isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23):
        raise InvalidInput("the digest hour must be a whole hour from 0 to 23 (UTC)")
    row = session.get(NotificationSettings, user_id)
    if row is None:
        if session.get(User, user_id) is None:
            raise NotFound("No such user")
        row = NotificationSettings(user_id=user_id)
    was_digest = row.daily_digest
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.add(row)
    if was_digest and not row.daily_digest:
        session.exec(
            update(Notification)
            .where(col(Notification.user_id) == user_id, col(Notification.delivery) == "held")
            .values(delivery="now")
        )
    session.flush()
    return _settings_view(row)


def _wants(settings: NotificationSettings, kind: str) -> bool:
    field = KIND_SETTINGS.get(kind)
    return True if field is None else bool(getattr(settings, field))


# -- creating -------------------------------------------------------------------------------------------------


def _insert(
    session: Session,
    *,
    user_id: uuid.UUID,
    settings: NotificationSettings,
    kind: str,
    title: str,
    body: str,
    link: str | None,
    media_id: int | None,
    dedupe_key: str,
) -> int | None:
    """Insert unless the user already has this dedupe key; the new row's id, or None."""
    delivery = "held" if settings.daily_digest and kind != "digest" else "now"
    return session.exec(  # type: ignore[call-overload]
        upsert_insert(session, Notification)
        .values(
            user_id=user_id,
            kind=kind,
            title=title[:TITLE_MAX],
            body=body[:BODY_MAX],
            link=link,
            media_id=media_id,
            dedupe_key=dedupe_key[:200],
            delivery=delivery,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(Notification.id)
    ).first()


def notify(
    *,
    session: Session,
    user_id: uuid.UUID,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
    media_id: int | None = None,
    dedupe_key: str,
) -> Notification | None:
    """Tell a user something once: None when they switched this kind off or already heard of it (same key).

    With the daily digest on, the notification is stored "held" until the digest sums it up."""
    if kind not in NOTIFICATION_KINDS:
        raise InvalidInput(f"unknown notification kind {kind!r}")
    settings = _settings_row(session, user_id)
    if not _wants(settings, kind):
        return None
    new_id = _insert(
        session,
        user_id=user_id,
        settings=settings,
        kind=kind,
        title=title,
        body=body,
        link=link,
        media_id=media_id,
        dedupe_key=dedupe_key,
    )
    return session.get(Notification, new_id) if new_id is not None else None


# -- releases -------------------------------------------------------------------------------------------------


def _episode_code(season: int, episode: int) -> str:
    return f"S{season:02d}E{episode:02d}"


def _new_episodes(session: Session, user_id: uuid.UUID, start: date, today: date) -> list[dict[str, Any]]:
    """Regular episodes of the user's shows aired in the window that they have not watched, one entry per
    show and day (several episodes of a show out the same day make one notification)."""
    watched = exists().where(
        WatchEvent.user_id == user_id,
        WatchEvent.media_id == ShowEpisode.media_id,
        WatchEvent.season_number == ShowEpisode.season_number,
        WatchEvent.episode_number == ShowEpisode.episode_number,
    )
    rows = session.exec(
        select(
            ShowEpisode.media_id,
            MediaItem.title,
            ShowEpisode.air_date,
            ShowEpisode.season_number,
            ShowEpisode.episode_number,
            ShowEpisode.title,
        )
        .join(MediaItem, col(MediaItem.id) == col(ShowEpisode.media_id))
        .where(
            MediaItem.kind == "show",
            col(ShowEpisode.media_id).in_(followed_media_ids(user_id)),
            col(ShowEpisode.season_number) != SPECIALS_SEASON,
            col(ShowEpisode.air_date) >= start,
            col(ShowEpisode.air_date) <= today,
            ~watched,
        )
        .order_by(col(ShowEpisode.media_id), col(ShowEpisode.air_date), col(ShowEpisode.season_number))
        .order_by(col(ShowEpisode.episode_number))
    ).all()
    grouped: dict[tuple[int, date], list[tuple[str, int, int, str]]] = defaultdict(list)
    for media_id, show_title, aired, season, episode, episode_title in rows:
        grouped[(media_id, aired)].append((show_title, season, episode, episode_title))
    found = []
    for (media_id, aired), episodes in grouped.items():
        show_title = episodes[0][0]
        codes = [_episode_code(season, episode) for _, season, episode, _ in episodes]
        if len(episodes) == 1:
            title = f"New episode of {show_title}"
            body = f"{codes[0]} · {episodes[0][3]}" if episodes[0][3] else codes[0]
        else:
            title = f"{len(episodes)} new episodes of {show_title}"
            body = f"{codes[0]} to {codes[-1]}"
        found.append(
            {
                "kind": "new_episode",
                "title": title,
                "body": f"{body} · aired {aired:%-d %b %Y}",
                "link": media_href("show", media_id),
                "media_id": media_id,
                "dedupe_key": f"episode:{media_id}:{aired.isoformat()}",
                "on": aired,
            }
        )
    return found


def _released_movies(
    session: Session, user_id: uuid.UUID, start: date, today: date, region: str
) -> list[dict[str, Any]]:
    """The user's unwatched movies released in the window: in cinemas or on digital in the app's region, or
    (for a movie without such dates) on its release date."""
    watched = exists().where(WatchEvent.user_id == user_id, WatchEvent.media_id == MediaItem.id)
    followed = and_(MediaItem.kind == "movie", col(MediaItem.id).in_(followed_media_ids(user_id)), ~watched)
    regional = and_(
        col(MediaReleaseDate.country) == region, col(MediaReleaseDate.release_type).in_(MOVIE_RELEASE_TYPES)
    )
    dated = session.exec(
        select(MediaItem.id, MediaItem.title, MediaReleaseDate.release_type, func.min(MediaReleaseDate.release_date))
        .join(MediaReleaseDate, col(MediaReleaseDate.media_id) == col(MediaItem.id))
        .where(
            followed,
            regional,
            col(MediaReleaseDate.release_date) >= start,
            col(MediaReleaseDate.release_date) <= today,
        )
        .group_by(col(MediaItem.id), col(MediaItem.title), col(MediaReleaseDate.release_type))
    ).all()
    has_regional = exists().where(col(MediaReleaseDate.media_id) == MediaItem.id, regional)
    undated = session.exec(
        select(MediaItem.id, MediaItem.title, MediaItem.release_date).where(
            followed,
            ~has_regional,
            col(MediaItem.release_date) >= start,
            col(MediaItem.release_date) <= today,
        )
    ).all()
    found = []
    for media_id, title, release_type, released in [*dated, *((m, t, None, d) for m, t, d in undated)]:
        if release_type == "digital":
            headline, key = f"{title} is out on digital", "digital"
        elif release_type == "theatrical":
            headline, key = f"{title} is in cinemas", "theatrical"
        else:
            headline, key = f"{title} is out", "released"
        found.append(
            {
                "kind": "movie_released",
                "title": headline,
                "body": f"Released {released:%-d %b %Y}" + (f" ({region})" if release_type else ""),
                "link": media_href("movie", media_id),
                "media_id": media_id,
                "dedupe_key": f"movie:{media_id}:{key}",
                "on": released,
            }
        )
    return found


def _launched_games(session: Session, user_id: uuid.UUID, start: date, today: date) -> list[dict[str, Any]]:
    """The user's games released in the window on the platform they play them on (any platform when they
    named none), never a game they completed."""
    entry = (
        select(GameBacklogEntry.media_id, GameBacklogEntry.platform_id, GameBacklogEntry.status)
        .where(GameBacklogEntry.user_id == user_id)
        .subquery()
    )
    platform_matches = or_(
        col(entry.c.platform_id).is_(None), col(entry.c.platform_id) == col(MediaReleaseDate.platform_id)
    )
    dated = session.exec(
        select(MediaItem.id, MediaItem.title, Platform.name, func.min(MediaReleaseDate.release_date))
        .join(MediaReleaseDate, col(MediaReleaseDate.media_id) == col(MediaItem.id))
        .join(entry, col(entry.c.media_id) == col(MediaItem.id), isouter=True)
        .join(Platform, col(Platform.id) == col(MediaReleaseDate.platform_id), isouter=True)
        .where(
            MediaItem.kind == "game",
            col(MediaItem.id).in_(followed_media_ids(user_id)),
            or_(col(entry.c.status).is_(None), col(entry.c.status) != "completed"),
            platform_matches,
            col(MediaReleaseDate.release_date) >= start,
            col(MediaReleaseDate.release_date) <= today,
        )
        .group_by(col(MediaItem.id), col(MediaItem.title), col(Platform.name))
    ).all()
    has_dates = exists().where(col(MediaReleaseDate.media_id) == MediaItem.id)
    undated = session.exec(
        select(MediaItem.id, MediaItem.title, MediaItem.release_date)
        .join(entry, col(entry.c.media_id) == col(MediaItem.id), isouter=True)
        .where(
            MediaItem.kind == "game",
            col(MediaItem.id).in_(followed_media_ids(user_id)),
            or_(col(entry.c.status).is_(None), col(entry.c.status) != "completed"),
            ~has_dates,
            col(MediaItem.release_date) >= start,
            col(MediaItem.release_date) <= today,
        )
    ).all()
    # One notification per game: the earliest matching release in the window names its platform.
    first: dict[int, tuple[str, str | None, date]] = {}
    for media_id, title, platform, released in [*dated, *((m, t, None, d) for m, t, d in undated)]:
        if media_id not in first or released < first[media_id][2]:
            first[media_id] = (title, platform, released)
    return [
        {
            "kind": "game_launched",
            "title": f"{title} is out" + (f" on {platform}" if platform else ""),
            "body": f"Released {released:%-d %b %Y}",
            "link": media_href("game", media_id),
            "media_id": media_id,
            "dedupe_key": f"game:{media_id}:launched",
            "on": released,
        }
        for media_id, (title, platform, released) in first.items()
    ]


def check_lookback(lookback_days: int) -> int:
    if (
        isinstance(lookback_days, bool)
        or not isinstance(lookback_days, int)
        or not 0 <= lookback_days <= MAX_LOOKBACK_DAYS
    ):
        raise InvalidInput(f"look back from 0 to {MAX_LOOKBACK_DAYS} days")
    return lookback_days


def request_release_check(*, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> None:
    """Queue the release job now (an admin's "check now"), optionally looking further back than the schedule."""
    enqueue(RELEASES_ACTOR, lookback_days=check_lookback(lookback_days))


def release_notifications(
    *, session: Session, today: date, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> ReleaseReport:
    """Notify every active user of releases of their titles from `lookback_days` ago up to `today`.

    Safe to run as often as wanted: each release notifies a user once (its dedupe key)."""
    check_lookback(lookback_days)
    start = today - timedelta(days=lookback_days)
    region = (app_settings.provider_settings(session=session).tmdb_region or "US").upper()
    user_ids = session.exec(select(User.id).where(col(User.is_disabled).is_(False))).all()
    stored = (
        {
            row.user_id: row
            for row in session.exec(
                select(NotificationSettings).where(col(NotificationSettings.user_id).in_(user_ids))
            ).all()
        }
        if user_ids
        else {}
    )
    counts: Counter[str] = Counter()
    for user_id in user_ids:
        settings = stored.get(user_id) or NotificationSettings(user_id=user_id)
        found: list[dict[str, Any]] = []
        if settings.new_episode:
            found += _new_episodes(session, user_id, start, today)
        if settings.movie_released:
            found += _released_movies(session, user_id, start, today, region)
        if settings.game_launched:
            found += _launched_games(session, user_id, start, today)
        # A long look-back (an admin's check) could find years of releases: the newest few are news enough.
        newest = sorted(found, key=lambda item: (item["on"], item["dedupe_key"]), reverse=True)
        for item in reversed(newest[:MAX_PER_USER_RUN]):  # oldest first: the newest gets the highest id
            fields = {name: value for name, value in item.items() if name != "on"}
            if _insert(session, user_id=user_id, settings=settings, **fields) is not None:
                counts[item["kind"]] += 1
    session.flush()
    return ReleaseReport(
        users=len(user_ids),
        new_episode=counts["new_episode"],
        movie_released=counts["movie_released"],
        game_launched=counts["game_launched"],
    )


# -- downloads and the library --------------------------------------------------------------------------------


def download_changed(*, session: Session, job: DownloadJob, previous: str) -> Notification | None:
    """The download's owner hears that it finished or failed (called in the transaction that moved it)."""
    if job.status == previous or job.status not in ("completed", "failed"):
        return None
    name = job.title or "A download"
    if job.status == "completed":
        return notify(
            session=session,
            user_id=job.user_id,
            kind="download_finished",
            title=f"{name} finished downloading",
            body="Its files are going into the library.",
            link=DOWNLOADS_PATH,
            media_id=job.media_id,
            dedupe_key=f"download:{job.id}:completed",
        )
    # A job retried by its user can fail again later: each failure event is its own notification.
    failures = session.exec(
        select(func.count()).where(DownloadEvent.job_id == job.id, DownloadEvent.status == "failed")
    ).one()
    return notify(
        session=session,
        user_id=job.user_id,
        kind="download_failed",
        title=f"{name} failed to download",
        body=job.error_message or "The download engine gave up on it.",
        link=DOWNLOADS_PATH,
        media_id=job.media_id,
        dedupe_key=f"download:{job.id}:failed:{max(failures, 1)}",
    )


def unmatched_files_found(*, session: Session, scan: LibraryScan) -> int:
    """Admins (who manage the household's library) hear that a scan left files no title matched; returns
    how many were told."""
    if scan.unmatched <= 0:
        return 0
    count = scan.unmatched
    title = "1 file could not be matched" if count == 1 else f"{count} files could not be matched"
    admins = session.exec(select(User.id).where(User.role == Role.ADMIN, col(User.is_disabled).is_(False))).all()
    told = 0
    for admin_id in admins:
        created = notify(
            session=session,
            user_id=admin_id,
            kind="unmatched_files",
            title=title,
            body="A library scan found files it could not match to a title: pick one in the review queue.",
            link=REVIEW_QUEUE_PATH,
            dedupe_key=f"scan:{scan.id}:unmatched",
        )
        told += created is not None
    return told


# -- the daily digest -----------------------------------------------------------------------------------------


def _digest_text(rows: Sequence[Notification]) -> tuple[str, str]:
    kinds = Counter(row.kind for row in rows)
    parts = []
    for kind, (one, many) in KIND_LABELS.items():
        if kinds[kind]:
            parts.append(f"{kinds[kind]} {one if kinds[kind] == 1 else many}")
    names = [row.title for row in rows[:DIGEST_TITLES]]
    more = len(rows) - len(names)
    listed = "; ".join(names) + (f"; and {more} more" if more else "")
    total = len(rows)
    title = f"Your daily digest: {total} notification" + ("" if total == 1 else "s")
    return title, f"{', '.join(parts)}. {listed}"


def send_digests(*, session: Session, now: datetime | None = None) -> int:
    """For each user with the daily digest on whose hour (UTC) has come and who had no digest today: one
    "digest" notification summing up what was held (none when nothing was); returns how many were sent."""
    now = as_utc(now or utcnow())
    due = session.exec(
        select(NotificationSettings)
        .join(User, col(User.id) == col(NotificationSettings.user_id))
        .where(
            col(NotificationSettings.daily_digest).is_(True),
            col(NotificationSettings.digest_hour_utc) <= now.hour,
            col(User.is_disabled).is_(False),
        )
    ).all()
    sent = 0
    for settings in due:
        if settings.last_digest_at is not None and as_utc(settings.last_digest_at).date() >= now.date():
            continue
        held = session.exec(
            select(Notification)
            .where(Notification.user_id == settings.user_id, Notification.delivery == "held")
            .order_by(col(Notification.id))
        ).all()
        if held:
            title, body = _digest_text(held)
            created = _insert(
                session,
                user_id=settings.user_id,
                settings=settings,
                kind="digest",
                title=title,
                body=body,
                link=CENTRE_PATH,
                media_id=None,
                dedupe_key=f"digest:{now.date().isoformat()}",
            )
            session.exec(
                update(Notification)
                .where(col(Notification.id).in_([row.id for row in held]))
                # The digest is what the user is told of: its items stay listed, read, so the bell counts one.
                .values(delivery="digested", read_at=now)
            )
            sent += created is not None
        settings.last_digest_at = now
        session.add(settings)
    session.flush()
    return sent


# -- reading and marking --------------------------------------------------------------------------------------


def _view(row: Notification) -> NotificationView:
    return NotificationView(
        id=row.id or 0,
        kind=row.kind,
        title=row.title,
        body=row.body,
        link=row.link,
        media_id=row.media_id,
        created_at=as_utc(row.created_at).isoformat(),
        read=row.read_at is not None,
        read_at=as_utc(row.read_at).isoformat() if row.read_at else None,
    )


def unread_count(*, session: Session, user_id: uuid.UUID) -> int:
    return session.exec(
        select(func.count()).where(
            Notification.user_id == user_id,
            col(Notification.delivery).in_(VISIBLE),
            col(Notification.read_at).is_(None),
        )
    ).one()


def list_notifications(
    *,
    session: Session,
    user_id: uuid.UUID,
    unread_only: bool = False,
    limit: int = 50,
    before: int | None = None,
) -> NotificationPage:
    """The user's notifications, newest first, `limit` at a time; `before` (an id) continues an older page."""
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise InvalidInput(f"limit must be from 1 to {LIST_LIMIT_MAX}")
    query = select(Notification).where(Notification.user_id == user_id, col(Notification.delivery).in_(VISIBLE))
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    if before is not None:
        query = query.where(col(Notification.id) < before)
    rows = session.exec(query.order_by(col(Notification.id).desc()).limit(limit + 1)).all()
    items = [_view(row) for row in rows[:limit]]
    return NotificationPage(
        items=items,
        unread_count=unread_count(session=session, user_id=user_id),
        next_before=items[-1].id if len(rows) > limit else None,
    )


def mark_read(*, session: Session, user_id: uuid.UUID, ids: Iterable[int] | None = None, all_: bool = False) -> int:
    """Mark some (by id) or all of the user's notifications read; returns how many changed. An id that is not
    one of the user's shown notifications is not found, and nothing is marked."""
    conditions = [
        col(Notification.user_id) == user_id,
        col(Notification.delivery).in_(VISIBLE),
        col(Notification.read_at).is_(None),
    ]
    if not all_:
        wanted = sorted(set(ids or []))
        if not wanted:
            raise InvalidInput("name the notifications to mark read, or ask for all")
        owned = set(
            session.exec(
                select(Notification.id).where(
                    col(Notification.user_id) == user_id,
                    col(Notification.delivery).in_(VISIBLE),
                    col(Notification.id).in_(wanted),
                )
            ).all()
        )
        if owned != set(wanted):
            raise NotFound("No such notification")
        conditions.append(col(Notification.id).in_(wanted))
    result = session.exec(update(Notification).where(*conditions).values(read_at=utcnow()))  # type: ignore[call-overload]
    return result.rowcount or 0


def as_dict(item: NotificationView | SettingsView) -> dict[str, Any]:
    return asdict(item)
