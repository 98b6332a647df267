"""Download jobs as users see and steer them: add one, list them, follow one, cancel, pause, resume, retry.

The service only changes job rows (the desired state) and asks for a runner pass once the change is
committed; `seen.services.download_runner` is the only code that talks to the download engines. Users see
and steer their own jobs; admins see and steer everyone's. Someone else's job is NotFound, never Forbidden,
so ids reveal nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from seen.config import get_settings
from seen.db import after_commit
from seen.downloads import paths, sources
from seen.downloads import select as engines
from seen.jobs import enqueue
from seen.models.base import as_utc, utcnow
from seen.models.downloads import JOB_STATUSES, SOURCE_TYPES, DownloadEvent, DownloadFile, DownloadJob
from seen.models.media import MediaItem
from seen.models.users import Role, User
from seen.services.download_states import (
    PAUSABLE,
    RETRYABLE,
    SHOWN_AS_ACTIVE,
    STATUS_LABELS,
    TERMINAL,
    WAITING,
    can_move,
    check_move,
)
from seen.services.errors import Conflict, InvalidInput, NotFound
from seen.services.tracking import require_media

log = logging.getLogger(__name__)

TICK_ACTOR = "downloads.tick"
TITLE_MAX_LENGTH = 500
SOURCE_MAX_LENGTH = 8192
MAX_PAGE = 100
MAX_EVENTS = 1000
# Status filters that name a group of statuses rather than one.
STATUS_GROUPS = {"active": SHOWN_AS_ACTIVE, "finished": TERMINAL}
URL_SOURCE_TYPES = {"http": "http", "https": "http", "ftp": "direct"}


@dataclass(frozen=True, slots=True)
class DownloadFileView:
    path: str  # relative to the downloads directory
    size_bytes: int
    bytes_completed: int
    selected: bool
    progress_percent: int


@dataclass(frozen=True, slots=True)
class DownloadView:
    id: str
    user_id: str
    owner_name: str
    media_id: int | None
    media_title: str | None
    source_type: str
    source: str
    title: str
    status: str
    status_label: str
    queue_position: int | None
    progress_percent: int
    bytes_total: int
    bytes_downloaded: int
    download_speed_mbps: float
    eta_seconds: int | None
    peers: int
    seeders: int
    engine: str
    directory: str  # relative to the downloads directory
    error_message: str
    retry_count: int
    retry_at: str | None  # ISO datetimes in UTC
    created_at: str
    updated_at: str
    started_at: str | None
    completed_at: str | None
    cancelled_at: str | None
    files: list[DownloadFileView]
    can_pause: bool
    can_resume: bool
    can_cancel: bool
    can_retry: bool


@dataclass(frozen=True, slots=True)
class DownloadEventView:
    id: int
    status: str
    message: str
    progress_percent: int
    payload: dict[str, Any]
    created_at: str


@dataclass(frozen=True, slots=True)
class DownloadPage:
    items: list[DownloadView]
    next_cursor: str | None
    counts: dict[str, int]  # every status, for the caller's visible jobs


@dataclass(frozen=True, slots=True)
class ActiveDownloads:
    items: list[DownloadView]
    total: int


# -- views --------------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _file_view(row: DownloadFile) -> DownloadFileView:
    percent = min(100, row.bytes_completed * 100 // row.size_bytes) if row.size_bytes else 0
    return DownloadFileView(row.path, row.size_bytes, row.bytes_completed, row.selected, percent)


def _views(session: Session, jobs: Sequence[DownloadJob]) -> list[DownloadView]:
    """Views of jobs, reading owners, titles and files for all of them in three queries."""
    if not jobs:
        return []
    user_ids = {job.user_id for job in jobs}
    owners = {
        user.id: user.display_name or user.email
        for user in session.exec(select(User).where(col(User.id).in_(user_ids))).all()
    }
    media_ids = {job.media_id for job in jobs if job.media_id is not None}
    titles = (
        dict(session.exec(select(MediaItem.id, MediaItem.title).where(col(MediaItem.id).in_(media_ids))).all())
        if media_ids
        else {}
    )
    files: dict[uuid.UUID, list[DownloadFileView]] = {job.id: [] for job in jobs}
    for row in session.exec(
        select(DownloadFile).where(col(DownloadFile.job_id).in_(files)).order_by(col(DownloadFile.path))
    ).all():
        files[row.job_id].append(_file_view(row))
    return [_view(job, owners.get(job.user_id, ""), titles.get(job.media_id), files[job.id]) for job in jobs]


def _view(job: DownloadJob, owner_name: str, media_title: str | None, files: list[DownloadFileView]) -> DownloadView:
    return DownloadView(
        id=str(job.id),
        user_id=str(job.user_id),
        owner_name=owner_name,
        media_id=job.media_id,
        media_title=media_title,
        source_type=job.source_type,
        # An address may carry a user name and password: the view never shows them.
        source=sources.redact_url(job.source) if job.source_type in URL_SOURCE_TYPES.values() else job.source,
        title=job.title,
        status=job.status,
        status_label=STATUS_LABELS.get(job.status, job.status),
        queue_position=job.queue_position,
        progress_percent=job.progress_percent,
        bytes_total=job.bytes_total,
        bytes_downloaded=job.bytes_downloaded,
        download_speed_mbps=job.download_speed_mbps,
        eta_seconds=job.eta_seconds,
        peers=job.peers,
        seeders=job.seeders,
        engine=job.engine,
        directory=job.directory,
        error_message=job.error_message,
        retry_count=job.retry_count,
        retry_at=_iso(job.retry_at),
        created_at=_iso(job.created_at) or "",
        updated_at=_iso(job.updated_at) or "",
        started_at=_iso(job.started_at),
        completed_at=_iso(job.completed_at),
        cancelled_at=_iso(job.cancelled_at),
        files=files,
        can_pause=job.status in PAUSABLE,
        can_resume=job.status == "paused",
        can_cancel=can_move(job.status, "cancelled"),
        can_retry=job.status in RETRYABLE,
    )


def _event_view(event: DownloadEvent) -> DownloadEventView:
    return DownloadEventView(
        id=event.id or 0,
        status=event.status,
        message=event.message,
        progress_percent=event.progress_percent,
        payload=dict(event.payload or {}),
        created_at=_iso(event.created_at) or "",
    )


# -- who sees what ------------------------------------------------------------------------------------------


def _is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def _visible(user: User) -> list[Any]:
    """Conditions limiting a query to the jobs `user` may see."""
    return [] if _is_admin(user) else [col(DownloadJob.user_id) == user.id]


def _job(session: Session, user: User, job_id: uuid.UUID, *, for_update: bool = False) -> DownloadJob:
    # Locked when it is about to change, so a runner pass writing the same row waits for this transaction.
    job = session.get(DownloadJob, job_id, with_for_update=for_update)
    if job is None or (job.user_id != user.id and not _is_admin(user)):
        raise NotFound("No such download.")
    return job


def _request_tick(session: Session) -> None:
    """Ask for a runner pass once this transaction has committed, so the pass sees the change."""
    after_commit(session, _enqueue_tick)


def _enqueue_tick() -> None:
    try:
        enqueue(TICK_ACTOR)
    except Exception:
        # The change is committed either way: the scheduled pass, a few seconds away, picks it up.
        log.warning("could not enqueue a downloads pass", exc_info=True)


def _record(session: Session, job: DownloadJob, message: str, payload: dict[str, Any] | None = None) -> None:
    session.add(
        DownloadEvent(
            job_id=job.id,
            status=job.status,
            message=message,
            progress_percent=job.progress_percent,
            payload=payload or {},
        )
    )


# -- adding -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Checked:
    """A source that passed validation: what to store and the title it suggests."""

    source_type: str
    source: str
    info_hash: str | None
    suggested_title: str
    torrent_data: bytes | None = None


def _source_type(source: str, source_type: str | None, torrent_data: bytes | None) -> str:
    if source_type is not None:
        if source_type not in SOURCE_TYPES:
            raise InvalidInput(f"Unknown source type {source_type!r}; expected one of {', '.join(SOURCE_TYPES)}.")
        return source_type
    if torrent_data is not None:
        return "torrent"
    if source.lower().startswith("magnet:"):
        return "magnet"
    scheme = urlsplit(source).scheme.lower()
    if scheme not in URL_SOURCE_TYPES:
        raise InvalidInput("The source must be a magnet link or an http, https or ftp address.")
    return URL_SOURCE_TYPES[scheme]


def _check_engine_takes(source_type: str) -> None:
    if source_type not in engines.engine_capabilities():
        if source_type in ("magnet", "torrent"):
            raise InvalidInput("Magnets and torrents need aria2: install aria2c or set SEEN_ARIA2_RPC_URL.")
        raise InvalidInput(f"The download engine cannot take {source_type} downloads.")


def _check_source(
    session: Session, source: str, source_type: str | None, torrent_data: bytes | None, torrent_file_name: str
) -> _Checked:
    if not source and torrent_data is None:
        raise InvalidInput("Give a magnet link or a download address.")
    chosen = _source_type(source, source_type, torrent_data)
    if chosen == "torrent":
        if not torrent_data:
            raise InvalidInput("A torrent download needs the .torrent file.")
        info = sources.parse_torrent(torrent_data, max_bytes=get_settings().torrent_max_bytes)
        stem = torrent_file_name.removesuffix(".torrent") if torrent_file_name else info.name
        _check_engine_takes(chosen)
        return _Checked(chosen, f"{paths.safe_name(stem)}.torrent", info.info_hash, info.name, torrent_data)
    if torrent_data is not None:
        raise InvalidInput("A .torrent file was sent with a source type other than torrent.")
    if len(source) > SOURCE_MAX_LENGTH:
        raise InvalidInput(f"The source is at most {SOURCE_MAX_LENGTH} characters.")
    if chosen == "magnet":
        magnet = sources.parse_magnet(source)
        _check_engine_takes(chosen)
        return _Checked(chosen, source, magnet.info_hash, magnet.display_name or "")
    allow = sources.allowed_hosts(session=session)
    _check_engine_takes(chosen)
    scheme = urlsplit(source.strip()).scheme.lower()
    if scheme in sources.URL_SCHEMES and scheme not in engines.engine_url_schemes():
        raise InvalidInput(f"{scheme.upper()} downloads need aria2: install aria2c or set SEEN_ARIA2_RPC_URL.")
    url = sources.check_url(source, allow=allow)
    if urlsplit(url).scheme.lower() in ("http", "https"):
        url = sources.resolve_redirects(url, allow=allow)
    return _Checked(chosen, url, None, paths.file_name_from_url(url))


def _refuse_duplicate(session: Session, user: User, info_hash: str | None) -> None:
    if info_hash is None:
        return
    duplicate = session.exec(
        select(DownloadJob.id).where(
            col(DownloadJob.user_id) == user.id,
            col(DownloadJob.info_hash) == info_hash,
            col(DownloadJob.status).in_(SHOWN_AS_ACTIVE),
        )
    ).first()
    if duplicate is not None:
        raise Conflict("You are already downloading this torrent.", code="duplicate_download")


def create_download(
    *,
    session: Session,
    user: User,
    source: str,
    source_type: str | None = None,
    title: str = "",
    media_id: int | None = None,
    torrent_data: bytes | None = None,
    torrent_file_name: str = "",
) -> DownloadView:
    """Validate a magnet, .torrent or URL and queue a job for it; the runner starts it when a slot is free."""
    title = title.strip()
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(f"The title is at most {TITLE_MAX_LENGTH} characters.")
    if media_id is not None:
        require_media(session=session, media_id=media_id)
    checked = _check_source(session, source.strip(), source_type, torrent_data, torrent_file_name)
    _refuse_duplicate(session, user, checked.info_hash)
    waiting = session.exec(
        select(func.count()).select_from(DownloadJob).where(col(DownloadJob.status).in_(WAITING))
    ).one()
    job = DownloadJob(
        user_id=user.id,
        media_id=media_id,
        source_type=checked.source_type,
        source=checked.source,
        title=(title or checked.suggested_title)[:TITLE_MAX_LENGTH],
        torrent_data=checked.torrent_data,
        info_hash=checked.info_hash,
        status="queued",
        queue_position=waiting + 1,
    )
    job.directory = paths.job_directory_name(job.id, job.title)
    session.add(job)
    session.flush()  # the job row first: events refer to it, and the models declare no relationship to order by
    _record(session, job, "Added to the queue")
    session.flush()
    _request_tick(session)
    return _views(session, [job])[0]


# -- reading ------------------------------------------------------------------------------------------------


def _statuses(status: str | None) -> frozenset[str] | None:
    if status is None or not status.strip():
        return None
    chosen: set[str] = set()
    for name in (part.strip().lower() for part in status.split(",")):
        if name in STATUS_GROUPS:
            chosen |= STATUS_GROUPS[name]
        elif name in JOB_STATUSES:
            chosen.add(name)
        elif name:
            names = ", ".join((*JOB_STATUSES, *STATUS_GROUPS))
            raise InvalidInput(f"Unknown download status {name!r}; expected one or more of {names}.")
    return frozenset(chosen) if chosen else None


def _encode_cursor(job: DownloadJob) -> str:
    raw = json.dumps([as_utc(job.updated_at).isoformat(), job.id.hex]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, job_id = json.loads(raw)
        return as_utc(datetime.fromisoformat(stamp)), uuid.UUID(hex=job_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidInput("That page cursor is not valid; start again from the first page.") from None


def status_counts(*, session: Session, user: User) -> dict[str, int]:
    """Jobs per status among those `user` sees, every status present."""
    counts = dict.fromkeys(JOB_STATUSES, 0)
    for status, count in session.exec(
        select(DownloadJob.status, func.count()).where(*_visible(user)).group_by(col(DownloadJob.status))
    ).all():
        counts[status] = count
    return counts


def list_downloads(
    *, session: Session, user: User, status: str | None = None, limit: int = 20, cursor: str | None = None
) -> DownloadPage:
    """A page of jobs, newest activity first; `next_cursor` continues after the last one (None at the end)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    conditions = _visible(user)
    chosen = _statuses(status)
    if chosen is not None:
        conditions.append(col(DownloadJob.status).in_(chosen))
    if cursor:
        stamp, last_id = _decode_cursor(cursor)
        conditions.append(
            or_(
                col(DownloadJob.updated_at) < stamp,
                (col(DownloadJob.updated_at) == stamp) & (col(DownloadJob.id) < last_id),
            )
        )
    jobs = session.exec(
        select(DownloadJob)
        .where(*conditions)
        .order_by(col(DownloadJob.updated_at).desc(), col(DownloadJob.id).desc())
        .limit(limit + 1)
    ).all()
    page = list(jobs[:limit])
    next_cursor = _encode_cursor(page[-1]) if len(jobs) > limit else None
    return DownloadPage(_views(session, page), next_cursor, status_counts(session=session, user=user))


def get_download(*, session: Session, user: User, job_id: uuid.UUID) -> DownloadView:
    return _views(session, [_job(session, user, job_id)])[0]


def download_events(
    *, session: Session, user: User, job_id: uuid.UUID, after: datetime | None = None, limit: int = 100
) -> list[DownloadEventView]:
    """The job's timeline, oldest first; with `after`, only what happened since then."""
    if not 1 <= limit <= MAX_EVENTS:
        raise InvalidInput(f"limit must be between 1 and {MAX_EVENTS}")
    job = _job(session, user, job_id)
    conditions = [col(DownloadEvent.job_id) == job.id]
    if after is not None:
        conditions.append(col(DownloadEvent.created_at) > as_utc(after))
    events = session.exec(
        select(DownloadEvent)
        .where(*conditions)
        .order_by(col(DownloadEvent.created_at), col(DownloadEvent.id))
        .limit(limit)
    ).all()
    return [_event_view(event) for event in events]


def active_downloads(*, session: Session, user: User, limit: int = 6) -> ActiveDownloads:
    """The dashboard widget: running, waiting and paused jobs, busiest first, and how many there are."""
    conditions = [*_visible(user), col(DownloadJob.status).in_(SHOWN_AS_ACTIVE)]
    total = session.exec(select(func.count()).select_from(DownloadJob).where(*conditions)).one()
    jobs = session.exec(
        select(DownloadJob)
        .where(*conditions)
        .order_by(col(DownloadJob.updated_at).desc(), col(DownloadJob.id).desc())
        .limit(max(0, limit))
    ).all()
    return ActiveDownloads(_views(session, jobs), total)


# -- steering -----------------------------------------------------------------------------------------------


def _stop_running(job: DownloadJob) -> None:
    """Clear what only a running job has; the runner takes it out of the engine."""
    job.queue_position = None
    job.download_speed_mbps = 0.0
    job.eta_seconds = None
    job.peers = 0
    job.seeders = 0


def _changed(session: Session, job: DownloadJob, message: str) -> DownloadView:
    job.updated_at = utcnow()
    session.add(job)
    _record(session, job, message)
    session.flush()
    _request_tick(session)
    return _views(session, [job])[0]


def cancel_download(*, session: Session, user: User, job_id: uuid.UUID) -> DownloadView:
    """Stop a job for good (its events stay). A finished job is left as it is."""
    job = _job(session, user, job_id, for_update=True)
    if job.status in TERMINAL:
        return _views(session, [job])[0]
    check_move(job.status, "cancelled")
    job.status, job.cancelled_at = "cancelled", utcnow()
    _stop_running(job)
    return _changed(session, job, "Cancelled")


def pause_download(*, session: Session, user: User, job_id: uuid.UUID) -> DownloadView:
    job = _job(session, user, job_id, for_update=True)
    check_move(job.status, "paused")
    job.status = "paused"
    _stop_running(job)
    return _changed(session, job, "Paused")


def resume_download(*, session: Session, user: User, job_id: uuid.UUID) -> DownloadView:
    """A paused job goes back to the queue; the runner continues it where it stopped."""
    job = _job(session, user, job_id, for_update=True)
    if job.status != "paused":
        raise Conflict(
            f"Only a paused download can be resumed; this one is {STATUS_LABELS[job.status].lower()}.",
            code="invalid_transition",
        )
    job.status = "queued"
    return _changed(session, job, "Resumed: back in the queue")


def retry_download(*, session: Session, user: User, job_id: uuid.UUID) -> DownloadView:
    """A failed or cancelled job starts again from the queue, with a fresh count of retries."""
    job = _job(session, user, job_id, for_update=True)
    if job.status not in RETRYABLE:
        raise Conflict(
            f"Only a failed or cancelled download can be retried; this one is {STATUS_LABELS[job.status].lower()}.",
            code="invalid_transition",
        )
    job.status = "queued"
    job.retry_count, job.retry_at, job.error_message = 0, None, ""
    job.cancelled_at = job.completed_at = None
    job.progress_percent, job.bytes_downloaded = 0, 0
    return _changed(session, job, "Retry requested: back in the queue")
