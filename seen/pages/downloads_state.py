"""The state of /app/downloads: the caller's download jobs, kept live while the page is open, and the add dialog.

Reads go through `seen.services.downloads` (the engines are the runner's business: a pause here only marks
the job, and the runner applies it on its next tick). While anything is in progress a background poll
re-reads the shown jobs (`seen.pages.live`, one poll per visit); it stops when nothing is left in progress.

A .torrent reaches the backend over HTTP (`rx.upload`), outside the websocket whose handshake carries the
session cookie, so (as in the imports of `settings_data`) the upload handler only keeps the bytes and the job
is created by a websocket event that validates the session first.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from seen.config import get_settings
from seen.db import session_scope
from seen.models.users import User
from seen.pages.live import LivePage, keep_live
from seen.pages.personal import PersonalPage, viewing_time
from seen.services import catalogue_views
from seen.services import downloads as downloads_service
from seen.services.download_states import ACTIVE, IN_ENGINE, MAX_RETRIES, STATUS_LABELS
from seen.services.errors import NotFound, ServiceError

ROUTE = "/app/downloads"
UPLOAD_ID = "torrent-file"
PAGE_SIZE = 20
# The poll re-reads at most this many rows (the service's largest page); rows loaded beyond stay as they were.
REFRESH_LIMIT = 100
# (tab, label, the statuses it shows: None = all)
FILTERS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("all", "All", None),
    ("active", "Active", ("preparing", "downloading", "stalled", "retrying")),
    ("queued", "Queued", ("queued",)),
    ("paused", "Paused", ("paused",)),
    ("completed", "Completed", ("completed",)),
    ("failed", "Failed", ("failed",)),
    ("cancelled", "Cancelled", ("cancelled",)),
)
FILTER_STATUSES = {name: statuses for name, _label, statuses in FILTERS}
STATUS_COLOURS = {
    "queued": "gray",
    "preparing": "blue",
    "downloading": "cyan",
    "stalled": "amber",
    "retrying": "orange",
    "paused": "amber",
    "completed": "green",
    "failed": "red",
    "cancelled": "gray",
}
SOURCE_LABELS = {"magnet": "Magnet", "torrent": "Torrent", "http": "HTTP", "direct": "FTP"}
SOURCE_ICONS = {"magnet": "magnet", "torrent": "file-down", "http": "globe", "direct": "server"}
EVENT_LIMIT = 200


def download_href(media_id: int, title: str) -> str:
    """The downloads page with its add dialog open for this title (the detail pages' "Download" button)."""
    return f"{ROUTE}?add=1&media={media_id}&title={quote(title, safe='')}"


def human_bytes(size: int | None) -> str:
    """1536 -> "1.5 KB": binary multiples with the short names everyone reads them by."""
    if size is None or size < 0:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_speed(megabits_per_second: float | None) -> str:
    """The engine's megabits per second as the bytes a person expects: "1.3 MB/s" (empty when idle)."""
    if not megabits_per_second or megabits_per_second <= 0:
        return ""
    per_second = megabits_per_second * 1_000_000 / 8
    if per_second < 1_000_000:
        return f"{per_second / 1000:.0f} kB/s"
    return f"{per_second / 1_000_000:.1f} MB/s"


def human_eta(seconds: int | None) -> str:
    """Seconds left as "45 s", "3 min 20 s", "2 h 5 min" or "3 d 4 h" (empty when unknown)."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def percent_label(percent: float) -> str:
    """ "42%", kept within 0-100."""
    return f"{max(0, min(100, int(percent)))}%"


def _status_detail(view: downloads_service.DownloadView) -> str:
    """The line under a job that says what it waits for, when its status alone does not."""
    if view.status == "retrying" and view.retry_at:
        return f"Retry {view.retry_count} of {MAX_RETRIES} at {viewing_time(view.retry_at)}"
    if view.status == "queued" and view.queue_position:
        return f"Number {view.queue_position} in the queue"
    if view.status == "completed" and view.completed_at:
        return f"Finished {viewing_time(view.completed_at)}"
    if view.status == "cancelled" and view.cancelled_at:
        return f"Cancelled {viewing_time(view.cancelled_at)}"
    return ""


def job_view(view: downloads_service.DownloadView, media_hrefs: dict[int, str]) -> dict[str, Any]:
    """A job as its row draws it: numbers already in words, buttons already decided."""
    running = view.status in IN_ENGINE
    torrent = view.source_type in ("magnet", "torrent")
    sizes = (
        f"{human_bytes(view.bytes_downloaded)} of {human_bytes(view.bytes_total)}"
        if view.bytes_total
        else (human_bytes(view.bytes_downloaded) if view.bytes_downloaded else "")
    )
    return {
        "id": view.id,
        "title": view.title or view.source,
        "source": view.source,
        "source_type": view.source_type,
        "source_label": SOURCE_LABELS.get(view.source_type, view.source_type),
        "source_icon": SOURCE_ICONS.get(view.source_type, "download"),
        "media_title": view.media_title or "",
        "media_href": media_hrefs.get(view.media_id, "") if view.media_id else "",
        "owner_name": view.owner_name or "",
        "status": view.status,
        "status_label": view.status_label or STATUS_LABELS.get(view.status, view.status),
        "colour": STATUS_COLOURS.get(view.status, "gray"),
        "percent": max(0.0, min(100.0, float(view.progress_percent))),
        "percent_label": percent_label(view.progress_percent),
        "sizes": sizes,
        "speed": human_speed(view.download_speed_mbps) if running else "",
        "eta": f"{human_eta(view.eta_seconds)} left" if running and view.eta_seconds else "",
        "peers": f"{view.peers or 0} peers · {view.seeders or 0} seeds" if torrent and running else "",
        "detail": _status_detail(view),
        "error": view.error_message or "",
        "directory": view.directory or "",
        "added": viewing_time(view.created_at),
        "files": [
            {
                "path": file.path,
                "size": human_bytes(file.size_bytes),
                "percent": max(0.0, min(100.0, float(file.progress_percent))),
                "percent_label": percent_label(file.progress_percent),
            }
            for file in view.files
        ],
        "can_pause": view.can_pause,
        "can_resume": view.can_resume,
        "can_cancel": view.can_cancel,
        "can_retry": view.can_retry,
    }


def event_view(event: downloads_service.DownloadEventView) -> dict[str, Any]:
    return {
        "id": event.id,
        "status": event.status,
        "status_label": STATUS_LABELS.get(event.status, event.status),
        "colour": STATUS_COLOURS.get(event.status, "gray"),
        "message": event.message or "",
        "when": viewing_time(event.created_at),
        "progress": percent_label(event.progress_percent) if event.progress_percent else "",
    }


def media_hrefs(session: Session, views: list[downloads_service.DownloadView]) -> dict[int, str]:
    """Where each linked title's page is (one query for the whole list)."""
    wanted = sorted({view.media_id for view in views if view.media_id})
    if not wanted:
        return {}
    return {card.id: card.href for card in catalogue_views.cards_for(session=session, media_ids=wanted)}


def views_of(session: Session, views: list[downloads_service.DownloadView]) -> list[dict[str, Any]]:
    hrefs = media_hrefs(session, views)
    return [job_view(view, hrefs) for view in views]


def _user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Your account is gone: sign in again.")
    return user


def status_query(tab: str) -> str | None:
    statuses = FILTER_STATUSES.get(tab)
    return ",".join(statuses) if statuses else None


def _read_page(user_id: uuid.UUID, tab: str, limit: int) -> tuple[list[dict[str, Any]], str | None, dict[str, int]]:
    with session_scope() as session:
        found = downloads_service.list_downloads(
            session=session, user=_user(session, user_id), status=status_query(tab), limit=limit
        )
        return views_of(session, found.items), found.next_cursor, found.counts


def _read_events(user_id: uuid.UUID, job_id: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        events = downloads_service.download_events(
            session=session, user=_user(session, user_id), job_id=uuid.UUID(job_id), limit=EVENT_LIMIT
        )
        return [event_view(event) for event in events]


def tab_counts(counts: dict[str, int]) -> dict[str, int]:
    """The count shown on each filter tab, from the service's counts per status."""
    return {
        name: sum(counts.values()) if statuses is None else sum(counts.get(status, 0) for status in statuses)
        for name, _label, statuses in FILTERS
    }


class DownloadAction(rx.State, mixin=True):
    """For the title pages (mixed into a state with `MediaDetailState`): where their "Download" button goes."""

    @rx.var
    def download_href(self) -> str:
        title = str(self.hero.get("title", "")) if self.hero else ""
        return download_href(self._shown_id, title) if self._shown_id and title else ""


class TorrentUploadState(rx.State):
    """The .torrent chosen in the add dialog, held on the backend until the websocket event takes it."""

    file_name: str = ""
    _data: bytes = b""

    @rx.event
    async def receive(self, files: list[rx.UploadFile]):
        page = await self.get_state(DownloadsState)
        limit = get_settings().torrent_max_bytes
        if not files:
            page.adding, page.add_error = False, "Choose a .torrent file first."
            return None
        upload = files[0]
        data = await upload.read(limit + 1)
        if len(data) > limit:
            page.adding, page.add_error = False, f"The .torrent file is larger than {human_bytes(limit)}."
            return None
        self._data, self.file_name = data, (upload.filename or upload.name or "download.torrent")
        return DownloadsState.add_torrent

    def take(self) -> tuple[bytes, str]:
        taken = self._data, self.file_name
        self._data, self.file_name = b"", ""
        return taken


class DownloadsState(LivePage, PersonalPage, rx.State):
    loading: bool = True
    tab: str = "all"
    items: list[dict[str, Any]] = []
    counts: dict[str, int] = {name: 0 for name, _label, _statuses in FILTERS}
    next_cursor: str = ""
    loading_more: bool = False
    expanded: str = ""  # the job whose timeline and files are open
    timeline: list[dict[str, Any]] = []
    # the add dialog
    add_open: bool = False
    add_mode: str = "link"  # link | file
    add_title: str = ""
    add_media_id: int = 0
    add_media_title: str = ""
    add_error: str = ""
    adding: bool = False

    @rx.var
    def tab_hrefs(self) -> dict[str, str]:
        return {name: ROUTE if name == "all" else f"{ROUTE}?status={name}" for name, _label, _statuses in FILTERS}

    @rx.var
    def has_more(self) -> bool:
        return self.next_cursor != ""

    @rx.var
    def in_progress(self) -> bool:
        """Something is queued or under way: the page keeps itself up to date."""
        return any(item["status"] in ACTIVE for item in self.items)

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        tab = params.get("status", "all")
        self.tab = tab if tab in FILTER_STATUSES else "all"
        self.error = self.notice = ""
        self.loading, self.expanded, self.timeline = True, "", []
        self._new_visit()
        if params.get("add") == "1":
            self._prefill(params.get("media", ""), params.get("title", ""))
        yield
        await self._read()
        self.loading = False
        if self.in_progress:
            yield DownloadsState.watch

    def _prefill(self, media: str, title: str) -> None:
        """Open the add dialog for the title the detail page named (checked against the catalogue)."""
        self.add_open, self.add_mode, self.add_error, self.add_title = True, "link", "", ""
        self.add_media_id, self.add_media_title = 0, ""
        if not media.isdigit():
            return
        with session_scope() as session:
            cards = catalogue_views.cards_for(session=session, media_ids=[int(media)])
        if cards:
            self.add_media_id, self.add_media_title = cards[0].id, cards[0].title
            self.add_title = title.strip()[:500] or cards[0].title

    async def _read(self, limit: int = PAGE_SIZE) -> None:
        user_id = await self._viewer()
        if user_id is None:
            self.items, self.next_cursor = [], ""
            return
        try:
            items, cursor, counts = await asyncio.to_thread(_read_page, user_id, self.tab, limit)
        except ServiceError as failure:
            self.error = failure.message
            return
        self.items, self.next_cursor, self.counts = items, cursor or "", tab_counts(counts)
        if self.expanded:
            self.timeline = await asyncio.to_thread(_read_events, user_id, self.expanded)

    @rx.event
    async def load_more(self):
        user_id = await self._viewer()
        if user_id is None or not self.next_cursor:
            return
        self.loading_more = True
        yield
        try:
            with session_scope() as session:
                found = downloads_service.list_downloads(
                    session=session,
                    user=_user(session, user_id),
                    status=status_query(self.tab),
                    limit=PAGE_SIZE,
                    cursor=self.next_cursor,
                )
                known = {item["id"] for item in self.items}
                self.items = self.items + [item for item in views_of(session, found.items) if item["id"] not in known]
                self.next_cursor = found.next_cursor or ""
        except ServiceError as failure:
            self.error = failure.message
        finally:
            self.loading_more = False

    @rx.event(background=True)
    async def watch(self):
        """Re-read the shown jobs every `live.POLL_SECONDS` while something is in progress and the page is open."""

        async def refresh() -> bool:
            await self._read(min(max(PAGE_SIZE, len(self.items)), REFRESH_LIMIT))
            return self.in_progress

        await keep_live(self, refresh)

    @rx.event
    async def toggle_details(self, job_id: str):
        if self.expanded == job_id:
            self.expanded, self.timeline = "", []
            return
        user_id = await self._viewer()
        if user_id is None:
            return
        self.expanded = job_id
        try:
            self.timeline = await asyncio.to_thread(_read_events, user_id, job_id)
        except (ServiceError, ValueError):
            self.expanded, self.timeline = "", []
            self.error = "That download is no longer here."

    # -- actions on a job ----------------------------------------------------------------------------------------

    async def _act(self, action, job_id: str, done: str):
        try:
            wanted = uuid.UUID(job_id)
        except ValueError:
            return None

        def work(session: Session, user_id: uuid.UUID) -> str:
            view = action(session=session, user=_user(session, user_id), job_id=wanted)
            return f"{done}: {view.title}"

        event = await self._apply(work, done)
        return event or (DownloadsState.watch if self.in_progress else None)

    @rx.event
    async def pause(self, job_id: str):
        return await self._act(downloads_service.pause_download, job_id, "Paused")

    @rx.event
    async def resume(self, job_id: str):
        return await self._act(downloads_service.resume_download, job_id, "Resumed")

    @rx.event
    async def cancel(self, job_id: str):
        return await self._act(downloads_service.cancel_download, job_id, "Cancelled")

    @rx.event
    async def retry(self, job_id: str):
        return await self._act(downloads_service.retry_download, job_id, "Queued again")

    # -- the add dialog --------------------------------------------------------------------------------------------

    @rx.event
    def open_add(self):
        self.add_open, self.add_mode, self.add_error, self.adding = True, "link", "", False

    @rx.event
    def set_add_open(self, value: bool):
        self.add_open = bool(value)
        if not self.add_open:
            self.add_error, self.adding = "", False

    @rx.event
    def set_add_mode(self, value: str):
        self.add_mode = "file" if value == "file" else "link"
        self.add_error = ""

    @rx.event
    def set_add_title(self, value: str):
        self.add_title = str(value)[:500]

    @rx.event
    def clear_target(self):
        self.add_media_id, self.add_media_title = 0, ""

    @rx.event
    async def add_link(self, form_data: dict):
        """The link form: a magnet or an http(s)/ftp URL."""
        source = str(form_data.get("source", "")).strip()
        self.add_title = str(form_data.get("title", self.add_title)).strip()
        if not source:
            self.add_error = "Paste a magnet link or a URL."
            return None
        return await self._create(source=source)

    @rx.event
    async def add_torrent(self):
        upload = await self.get_state(TorrentUploadState)
        data, file_name = upload.take()
        if not data:
            self.adding, self.add_error = False, "The file is no longer here: choose it again."
            return None
        # The dialog's button starts the poll itself (see `downloads._add_buttons`).
        return await self._create(source=file_name, torrent_data=data, torrent_file_name=file_name, follow=False)

    async def _create(
        self, *, source: str, torrent_data: bytes | None = None, torrent_file_name: str = "", follow: bool = True
    ):
        """Add the job; on success close the dialog, show the job and (`follow`) start the poll."""
        if self.busy:
            return None
        title, media_id = self.add_title.strip(), self.add_media_id or None
        self.adding = self.busy = True
        try:
            ok, created, event = await self._change(
                lambda session, user_id: downloads_service.create_download(
                    session=session,
                    user=_user(session, user_id),
                    source=source,
                    title=title,
                    media_id=media_id,
                    torrent_data=torrent_data,
                    torrent_file_name=torrent_file_name,
                )
            )
        finally:
            self.adding = self.busy = False
        if not ok:
            # The service's refusal, word for word, where the person is looking: in the dialog.
            self.add_error, self.error = self.error, ""
            return event
        self.add_open, self.add_error, self.add_title = False, "", ""
        self.add_media_id, self.add_media_title = 0, ""
        if self.tab not in ("all", "queued"):
            self.tab = "all"  # the new job is queued: show it
        await self._read(min(max(PAGE_SIZE, len(self.items) + 1), REFRESH_LIMIT))
        self.notice = f"Added: {created.title}" if created else "Added"
        return DownloadsState.watch if follow else None
