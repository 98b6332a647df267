"""The state of /app/library: the browse grid, one file's detail, the unmatched review queue and the admin's
rescan with its live progress.

Reads and decisions go through `seen.services.library` (who may match, ignore or rescan is decided there:
the page only hides buttons a member could not use). While a scan is queued or running a background poll
(`seen.pages.live.keep_live`, one per visit) re-reads it every `POLL_SECONDS` and the grid once it ends.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.db import session_scope
from seen.models.library import ACTIVE_SCAN_STATUSES
from seen.models.users import Role, User
from seen.pages.downloads_state import human_bytes
from seen.pages.live import LivePage, keep_live
from seen.pages.personal import PersonalPage, episode_label, viewing_time
from seen.services import library as library_service
from seen.services import search
from seen.services.errors import Conflict, NotFound, ServiceError
from seen.services.player import player_href
from seen.state import AuthState

ROUTE = "/app/library"
PAGE_SIZE = 24
SEARCH_LIMIT = 8
# (tab, label, the match state it shows: None = all)
TABS: tuple[tuple[str, str, str | None], ...] = (
    ("all", "All", None),
    ("matched", "Matched", "matched"),
    ("unmatched", "Unmatched", "unmatched"),
    ("ignored", "Ignored", "ignored"),
)
TAB_STATES = {name: state for name, _label, state in TABS}
MEDIA_TYPES = {"movie": "Movies", "show": "Shows"}
MATCH_COLOURS = {"matched": "green", "unmatched": "amber", "ignored": "gray"}
SCAN_COLOURS = {"queued": "gray", "running": "blue", "completed": "green", "failed": "red"}


def human_duration(seconds: int) -> str:
    """5400 -> "1 h 30 min"; under a minute reads in seconds; empty when unknown."""
    if seconds <= 0:
        return ""
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def percent(score: float) -> str:
    """A 0..1 confidence as "87%"."""
    return f"{round(max(0.0, min(1.0, score)) * 100)}%"


def card_view(card: library_service.LibraryCard) -> dict[str, Any]:
    """A file as its card draws it: words already decided."""
    media = card.media
    episode = episode_label(card.season_number, card.episode_number) if card.episode_number is not None else ""
    state_label = card.match_state.capitalize()
    if card.match_state == "matched" and not card.matched_manually:
        state_label = f"Matched {percent(card.match_confidence)}"
    elif card.match_state == "unmatched" and card.match_confidence > 0:
        state_label = f"Unmatched · best {percent(card.match_confidence)}"
    return {
        "id": card.id,
        "title": media.title if media else card.file_name,
        "file_name": card.file_name,
        "year": str(media.year) if media and media.year else "",
        "episode": episode,
        "poster_url": (media.poster_url or "") if media else "",
        "media_href": media.href if media else "",
        "media_title": media.title if media else "",
        "resolution": card.resolution,
        "duration": human_duration(card.duration_seconds),
        "match_state": card.match_state,
        "state_label": state_label,
        "colour": MATCH_COLOURS.get(card.match_state, "gray"),
    }


def candidate_view(candidate: library_service.CandidateView) -> dict[str, Any]:
    return {
        "media_id": candidate.media_id,
        "kind": candidate.kind,
        "title": candidate.title,
        "year": str(candidate.year) if candidate.year else "",
        "score": percent(candidate.score),
        "reasons": "; ".join(candidate.reasons),
    }


def entry_view(entry: library_service.UnmatchedEntry) -> dict[str, Any]:
    """One file of the review queue with the matcher's candidates."""
    parsed = " · ".join(
        part for part in (entry.parsed_title or "", str(entry.parsed_year or ""), entry.parsed_type or "") if part
    )
    return {
        **card_view(entry.item),
        "relative_path": entry.item.relative_path,
        "parsed": parsed,
        "candidates": [candidate_view(candidate) for candidate in entry.candidates[:3]],
    }


def stream_view(stream: library_service.StreamView) -> dict[str, Any]:
    flags = [label for label, on in (("default", stream.is_default), ("forced", stream.is_forced)) if on]
    if stream.external:
        flags.append("sidecar")
    details = [stream.codec or stream.format]
    if stream.stream_type == "audio" and stream.channels:
        details.append(f"{stream.channels} ch")
    if stream.title:
        details.append(stream.title)
    return {
        "type": stream.stream_type,
        "language": stream.language or "unknown language",
        "details": " · ".join(part for part in details if part),
        "flags": ", ".join(flags),
    }


def detail_view(detail: library_service.LibraryItemDetail) -> dict[str, Any]:
    card = detail.item
    size = f"{card.width}x{card.height}" if card.width and card.height else ""
    return {
        **card_view(card),
        "relative_path": card.relative_path,
        "folder": card.root_label or "Downloads",
        "size": human_bytes(card.size_bytes),
        "container": card.container or "?",
        "codecs": " / ".join(codec for codec in (card.video_codec, card.audio_codec) if codec) or "?",
        "dimensions": size,
        "probe_error": card.probe_error,
        "missing": card.missing,
        # The player says why when a file cannot be played after all (e.g. its folder was disabled).
        "play_href": "" if card.missing or not card.video_codec else player_href(card.id),
    }


def scan_view(scan: library_service.ScanView | None) -> dict[str, Any]:
    if scan is None:
        return {}
    return {
        "id": scan.id,
        "status": scan.status,
        "colour": SCAN_COLOURS.get(scan.status, "gray"),
        "active": scan.status in ACTIVE_SCAN_STATUSES,
        "percent": scan.progress_percent,
        "files": f"{scan.files_done} of {scan.files_total} files",
        "rate": f"{scan.files_per_second:g} files/s" if scan.files_per_second else "",
        "matched": scan.matched,
        "unmatched": scan.unmatched,
        "errors": scan.errors,
        "message": scan.message,
        "finished": viewing_time(scan.finished_at) if scan.finished_at else "",
    }


def _user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Your account is gone: sign in again.")
    return user


def _read(tab: str, media_type: str, query: str, page: int) -> dict[str, Any]:
    """What the page shows for these filters: cards (or queue entries), counts per tab, the last scan."""
    with session_scope() as session:
        counts = {
            name: library_service.browse(session=session, match_state=state, page_size=1).total
            for name, _label, state in TABS
        }
        if tab == "unmatched":
            queue = library_service.unmatched_queue(
                session=session, query=query or None, page=page, page_size=PAGE_SIZE
            )
            items, total = [entry_view(entry) for entry in queue.items], queue.total
        else:
            found = library_service.browse(
                session=session,
                match_state=TAB_STATES[tab],
                media_type=media_type or None,
                query=query or None,
                page=page,
                page_size=PAGE_SIZE,
            )
            items, total = [card_view(card) for card in found.items], found.total
        scans = library_service.recent_scans(session=session, limit=1)
        return {"counts": counts, "items": items, "total": total, "scan": scan_view(scans[0] if scans else None)}


class LibraryState(LivePage, PersonalPage, rx.State):
    loading: bool = True
    is_admin: bool = False
    tab: str = "all"
    media_type: str = ""
    query: str = ""
    page: int = 1
    total: int = 0
    items: list[dict[str, Any]] = []
    counts: dict[str, int] = {name: 0 for name, _label, _state in TABS}
    scan: dict[str, Any] = {}
    # the detail dialog
    detail_open: bool = False
    detail: dict[str, Any] = {}
    streams: list[dict[str, Any]] = []
    # the "match to another title" dialog
    match_open: bool = False
    match_item_id: str = ""
    match_file: str = ""
    match_query: str = ""
    match_results: list[dict[str, Any]] = []
    match_season: str = ""
    match_episode: str = ""
    match_error: str = ""
    # a refused match that `force` would make: (item, title)
    force_item_id: str = ""
    force_media_id: int = 0

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def scan_active(self) -> bool:
        return bool(self.scan.get("active", False))

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        tab = params.get("state", "all")
        self.tab = tab if tab in TAB_STATES else "all"
        media_type = params.get("type", "")
        self.media_type = media_type if media_type in MEDIA_TYPES else ""
        self.query = params.get("q", "")[:200]
        self.page, self.error, self.notice = 1, "", ""
        self.detail_open = self.match_open = False
        self.force_item_id, self.force_media_id = "", 0
        self.is_admin = (await self.get_state(AuthState)).role == Role.ADMIN
        self._new_visit()
        self.loading = True
        yield
        await self._read()
        self.loading = False
        if self.scan_active:
            yield LibraryState.watch

    async def _read(self) -> None:
        try:
            shown = await asyncio.to_thread(_read, self.tab, self.media_type, self.query, self.page)
        except ServiceError as failure:
            self.error = failure.message
            return
        self.items, self.total, self.counts, self.scan = (
            shown["items"],
            shown["total"],
            shown["counts"],
            shown["scan"],
        )

    @rx.event
    async def set_tab(self, tab: str):
        self.tab, self.page = (tab if tab in TAB_STATES else "all"), 1
        await self._read()

    @rx.event
    async def set_media_type(self, value: str):
        self.media_type, self.page = (value if value in MEDIA_TYPES else ""), 1
        await self._read()

    @rx.event
    async def search_files(self, form_data: dict):
        self.query, self.page = str(form_data.get("query", "")).strip()[:200], 1
        await self._read()

    @rx.event
    async def go_to_page(self, page: int):
        self.page = max(1, min(int(page), self.page_count))
        await self._read()

    @rx.event(background=True)
    async def watch(self):
        """Follow the latest scan every `POLL_SECONDS` while it is queued or running; the grid once it ends."""

        async def refresh() -> bool:
            await self._read()
            return self.scan_active

        await keep_live(self, refresh)

    # -- the detail dialog -----------------------------------------------------------------------------------------

    @rx.event
    def open_detail(self, item_id: str):
        try:
            with session_scope() as session:
                detail = library_service.item_detail(session=session, item_id=uuid.UUID(item_id))
        except (ServiceError, ValueError):
            self.error = "That file is no longer in the library."
            return
        self.detail = detail_view(detail)
        self.streams = [stream_view(stream) for stream in detail.streams if stream.stream_type != "video"]
        self.detail_open = True

    @rx.event
    def set_detail_open(self, value: bool):
        self.detail_open = bool(value)

    # -- decisions (admins) ----------------------------------------------------------------------------------------

    async def _decide(self, work, done: str, *, item_id: str = "", media_id: int = 0) -> Any:
        """Run one decision; a refused match because of an existing one is offered again with `force`."""
        if self.busy:
            return None
        self.busy = True
        self.force_item_id, self.force_media_id = "", 0
        try:
            auth = await self.get_state(AuthState)
            found = auth.authenticated()
            if found is None:
                return auth.login_redirect()
            self.error = self.notice = ""
            if found.user.role != Role.ADMIN:
                self.error = "Only admins match, ignore or rescan library files."
                return None
            try:
                with session_scope() as session:
                    note = work(session, found.user)
            except Conflict as failure:
                self.error = failure.message
                self.force_item_id, self.force_media_id = item_id, media_id
                return None
            except (ServiceError, ValueError) as failure:
                self.error = getattr(failure, "message", "That file or title is no longer here.")
                return None
            self.notice = note or done
            await self._read()
        finally:
            self.busy = False
        return None

    def _match(self, item_id: str, media_id: int, *, force: bool = False, season: str = "", episode: str = ""):
        def work(session: Session, _user: User) -> str:
            card = library_service.match_item(
                session=session,
                item_id=uuid.UUID(item_id),
                media_id=int(media_id),
                force=force,
                season_number=int(season) if season.strip() else None,
                episode_number=int(episode) if episode.strip() else None,
            )
            title = card.media.title if card.media else "the title"
            return f"Matched {card.file_name} to {title}."

        return work

    @rx.event
    async def match(self, item_id: str, media_id: int):
        return await self._decide(self._match(item_id, media_id), "Matched", item_id=item_id, media_id=media_id)

    @rx.event
    async def force_match(self):
        item_id, media_id = self.force_item_id, self.force_media_id
        if not item_id:
            return None
        return await self._decide(self._match(item_id, media_id, force=True), "Matched")

    @rx.event
    async def ignore(self, item_id: str):
        def work(session: Session, _user: User) -> str:
            card = library_service.ignore_item(session=session, item_id=uuid.UUID(item_id))
            return f"Ignored {card.file_name}."

        return await self._decide(work, "Ignored")

    @rx.event
    async def unmatch(self, item_id: str):
        def work(session: Session, _user: User) -> str:
            card = library_service.unmatch(session=session, item_id=uuid.UUID(item_id))
            return f"{card.file_name} is back in the unmatched queue."

        self.detail_open = False
        return await self._decide(work, "Unmatched")

    @rx.event
    async def rescan(self):
        def work(session: Session, user: User) -> str:
            accepted = library_service.rescan(session=session, user=user)
            folders = "folder" if accepted.accepted == 1 else "folders"
            return f"Scan requested for {accepted.accepted} library {folders}."

        await self._decide(work, "Scan requested")
        return LibraryState.watch if self.scan_active else None

    # -- matching to a title found by search ---------------------------------------------------------------------

    @rx.event
    def open_match(self, item_id: str, file_name: str):
        self.match_open, self.match_item_id, self.match_file = True, item_id, file_name
        self.match_query, self.match_results, self.match_error = "", [], ""
        self.match_season = self.match_episode = ""

    @rx.event
    def set_match_open(self, value: bool):
        self.match_open = bool(value)

    @rx.event
    def set_match_season(self, value: str):
        self.match_season = str(value)[:4]

    @rx.event
    def set_match_episode(self, value: str):
        self.match_episode = str(value)[:4]

    @rx.event
    def search_titles(self, form_data: dict):
        self.match_query = str(form_data.get("query", "")).strip()[:200]
        self.match_error = ""
        with session_scope() as session:
            found = search.search_catalogue(
                session=session, query=self.match_query, kinds=("movie", "show"), limit=SEARCH_LIMIT
            )
        self.match_results = [
            {"id": hit.id, "kind": hit.kind, "title": hit.title, "year": str(hit.year) if hit.year else ""}
            for hit in found.hits
        ]
        if not self.match_results:
            self.match_error = f"No movie or show in the catalogue matches “{self.match_query}”."

    @rx.event
    async def match_to(self, media_id: int, kind: str):
        for text in (self.match_season, self.match_episode):
            if text.strip() and not text.strip().isdigit():
                self.match_error = "Season and episode are whole numbers."
                return None
        season, episode = (self.match_season, self.match_episode) if kind == "show" else ("", "")
        item_id = self.match_item_id
        await self._decide(
            self._match(item_id, media_id, season=season, episode=episode),
            "Matched",
            item_id=item_id,
            media_id=media_id,
        )
        if self.error:
            self.match_error = self.error
        else:
            self.match_open = False
        return None
