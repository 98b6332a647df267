"""Reading and steering the media library: browsing cards, one item, the unmatched queue, a person's match,
ignore or unmatch, rescans and their progress, and the admin's view of library folders.

Folders and scans themselves (what a scan does, which folders are allowed) live in
`seen.services.library_scan`; this module reads what they wrote and records people's decisions. Everything
returned is a plain dataclass (no ORM rows leave it); posters are our own image URLs.

A person's decision (match, ignore, unmatch) sets `matched_manually`, so no automatic scan overrides it: a
changed or moved file keeps what the person said.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from seen.models.base import as_utc, utcnow
from seen.models.library import MATCH_STATES, LibraryItem, LibraryRoot, LibraryScan, LibraryStream
from seen.models.media import MediaItem
from seen.models.users import User
from seen.services import images, library_scan, search
from seen.services.catalogue_views import media_href
from seen.services.errors import Conflict, InvalidInput, NotFound

MAX_PAGE_SIZE = 100
MAX_RECENT_SCANS = 100
MEDIA_TYPES = ("movie", "show")
MATCHABLE_KINDS = ("movie", "show")
# The name parser's types that stand for a show's file when nothing is matched yet.
_SHOW_NAME_TYPES = ("episode",)


# --- views ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LibraryTitle:
    """The catalogue title an item (or a candidate) points at."""

    id: int
    kind: str
    title: str
    year: int | None
    poster_url: str | None
    href: str


@dataclass(frozen=True, slots=True)
class LibraryCard:
    id: str
    file_name: str
    relative_path: str
    root_id: str | None
    root_label: str | None  # None for a downloaded file outside every library folder
    size_bytes: int
    duration_seconds: int
    resolution: str
    width: int
    height: int
    container: str
    video_codec: str
    audio_codec: str
    match_state: str
    match_confidence: float
    matched_manually: bool
    media: LibraryTitle | None
    season_number: int | None
    episode_number: int | None
    episode_numbers: list[int]
    audio_languages: list[str]
    subtitle_languages: list[str]
    missing: bool
    probe_error: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class StreamView:
    id: str
    stream_type: str
    index: int
    codec: str
    format: str
    language: str
    title: str
    channels: int
    bitrate_kbps: int
    is_default: bool
    is_forced: bool
    external: bool  # a sidecar file next to the video


@dataclass(frozen=True, slots=True)
class CandidateView:
    media_id: int
    kind: str
    title: str
    year: int | None
    score: float
    reasons: list[str]
    poster_url: str | None


@dataclass(frozen=True, slots=True)
class LibraryItemDetail:
    item: LibraryCard
    streams: list[StreamView]
    candidates: list[CandidateView]
    parsed_title: str | None
    parsed_year: int | None
    parsed_type: str | None
    part_number: int | None
    edition: str | None
    source_job_id: str | None
    discovered_at: str
    scanned_at: str | None
    missing_since: str | None


@dataclass(frozen=True, slots=True)
class LibraryPage:
    items: list[LibraryCard]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class UnmatchedEntry:
    item: LibraryCard
    parsed_title: str | None
    parsed_year: int | None
    parsed_type: str | None
    candidates: list[CandidateView]


@dataclass(frozen=True, slots=True)
class UnmatchedPage:
    items: list[UnmatchedEntry]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class ScanView:
    id: str
    scope: str
    status: str
    root_id: str | None
    download_job_id: str | None
    requested_by: str | None
    files_total: int
    files_done: int
    progress_percent: int
    files_per_second: float
    files_new: int
    files_changed: int
    files_unchanged: int
    files_moved: int
    files_missing: int
    files_skipped: int
    matched: int
    unmatched: int
    ignored: int
    errors: int
    error_samples: list[dict[str, Any]]
    message: str
    created_at: str
    started_at: str | None
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class RescanAccepted:
    scan_ids: list[str]
    accepted: int  # library folders the scans cover


@dataclass(frozen=True, slots=True)
class RootView:
    id: str
    path: str
    label: str
    kind: str
    enabled: bool
    configured: bool  # from SEEN_LIBRARY_ROOTS: removed by editing the setting
    item_count: int
    created_at: str
    last_scanned_at: str | None


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _poster(media: MediaItem) -> str | None:
    provider = media.source if media.source in ("tmdb", "igdb", "demo") else "tmdb"
    return images.image_url(provider, "cover" if media.kind == "game" else "poster", media.poster_path, "md")


def library_title(media: MediaItem) -> LibraryTitle:
    assert media.id is not None
    return LibraryTitle(media.id, media.kind, media.title, media.year, _poster(media), media_href(media.kind, media.id))


# --- browsing -----------------------------------------------------------------------------------------------


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise InvalidInput("page starts at 1.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page_size is between 1 and {MAX_PAGE_SIZE}.")
    return page, page_size


def _query_words(query: str | None) -> list[str]:
    return search.normalise(query).split() if query else []


def _matches_words(words: list[str], *texts: str | None) -> bool:
    """Every query word starts a word of the texts (normalised the search service's way)."""
    haystack = search.normalise(*texts).split()
    return all(any(word.startswith(wanted) for word in haystack) for wanted in words)


def browse(
    *,
    session: Session,
    match_state: str | None = None,
    media_type: str | None = None,
    query: str | None = None,
    include_missing: bool = False,
    page: int = 1,
    page_size: int = 24,
) -> LibraryPage:
    """Library cards, by title (the matched one, else the file name), then season, episode and part.

    `media_type` reads the matched title's kind; an item without a title counts as a show when its name was
    parsed as an episode, as a movie otherwise. `query` keeps items whose path or matched title has every word.
    """
    page, page_size = _page_bounds(page, page_size)
    conditions: list[Any] = []
    if match_state is not None:
        if match_state not in MATCH_STATES:
            raise InvalidInput(f"match_state is one of {', '.join(MATCH_STATES)}.")
        conditions.append(col(LibraryItem.match_state) == match_state)
    if media_type is not None:
        conditions.append(_media_type_condition(media_type))
    if not include_missing:
        conditions.append(col(LibraryItem.missing_since).is_(None))
    sort_title = func.lower(func.coalesce(MediaItem.title, LibraryItem.file_name))
    order = (
        sort_title,
        col(LibraryItem.season_number).asc().nulls_first(),
        col(LibraryItem.episode_number).asc().nulls_first(),
        col(LibraryItem.part_number).asc().nulls_first(),
        col(LibraryItem.file_name),
        col(LibraryItem.id),
    )
    joined = select(LibraryItem.id, LibraryItem.relative_path, MediaItem.title, MediaItem.original_title).outerjoin(
        MediaItem, col(MediaItem.id) == col(LibraryItem.media_id)
    )
    return _paged(session, joined.where(*conditions).order_by(*order), _query_words(query), page, page_size)


def _media_type_condition(media_type: str) -> ColumnElement[bool]:
    if media_type not in MEDIA_TYPES:
        raise InvalidInput(f"media_type is one of {', '.join(MEDIA_TYPES)}.")
    parsed_type = col(LibraryItem.parsed)["type"].as_string()
    by_name = parsed_type.in_(_SHOW_NAME_TYPES) if media_type == "show" else parsed_type.not_in(_SHOW_NAME_TYPES)
    # An item with no parsed type (never analysed) reads as a movie, like the parser's "unknown".
    if media_type == "movie":
        by_name = by_name | parsed_type.is_(None)
    untitled = col(LibraryItem.media_id).is_(None)
    # The browse query joins the matched title, so its kind is at hand.
    return (untitled & by_name) | (~untitled & (col(MediaItem.kind) == media_type))


def _paged(session: Session, statement: Any, words: list[str], page: int, page_size: int) -> LibraryPage:
    start = (page - 1) * page_size
    if words:
        # Text search in Python with the search service's normaliser: file names are not stored normalised,
        # and a household library's id/path/title columns are small enough to read whole.
        rows = session.exec(statement).all()
        ids = [row[0] for row in rows if _matches_words(words, row[1], row[2], row[3])]
        total = len(ids)
        page_ids = ids[start : start + page_size]
    else:
        total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
        page_ids = [row[0] for row in session.exec(statement.offset(start).limit(page_size)).all()]
    return LibraryPage(cards_for(session=session, item_ids=page_ids), total, page, page_size)


def cards_for(*, session: Session, item_ids: Sequence[uuid.UUID]) -> list[LibraryCard]:
    """Cards in the order of the ids given (unknown ids dropped), with their titles, roots and languages."""
    if not item_ids:
        return []
    items = {item.id: item for item in session.exec(select(LibraryItem).where(col(LibraryItem.id).in_(item_ids)))}
    media_ids = {item.media_id for item in items.values() if item.media_id is not None}
    titles = (
        {media.id: media for media in session.exec(select(MediaItem).where(col(MediaItem.id).in_(media_ids)))}
        if media_ids
        else {}
    )
    root_ids = {item.root_id for item in items.values() if item.root_id is not None}
    labels = (
        dict(session.exec(select(LibraryRoot.id, LibraryRoot.label).where(col(LibraryRoot.id).in_(root_ids))).all())
        if root_ids
        else {}
    )
    languages: dict[uuid.UUID, dict[str, list[str]]] = {item_id: {"audio": [], "subtitle": []} for item_id in items}
    streams = session.exec(
        select(LibraryStream.library_item_id, LibraryStream.stream_type, LibraryStream.language)
        .where(
            col(LibraryStream.library_item_id).in_(list(items)),
            col(LibraryStream.stream_type).in_(("audio", "subtitle")),
        )
        .order_by(col(LibraryStream.stream_index))
    )
    for item_id, stream_type, language in streams:
        known = languages[item_id][stream_type]
        if language and language not in known:
            known.append(language)
    return [
        _card(items[item_id], titles.get(items[item_id].media_id), labels, languages[item_id])
        for item_id in item_ids
        if item_id in items
    ]


def _card(
    item: LibraryItem, media: MediaItem | None, labels: dict[uuid.UUID, str], languages: dict[str, list[str]]
) -> LibraryCard:
    return LibraryCard(
        id=str(item.id),
        file_name=item.file_name,
        relative_path=item.relative_path,
        root_id=str(item.root_id) if item.root_id else None,
        root_label=labels.get(item.root_id) if item.root_id else None,
        size_bytes=item.file_size_bytes,
        duration_seconds=item.duration_seconds,
        resolution=item.resolution_label,
        width=item.width,
        height=item.height,
        container=item.container_format,
        video_codec=item.video_codec,
        audio_codec=item.audio_codec,
        match_state=item.match_state,
        match_confidence=round(item.match_confidence, 3),
        matched_manually=item.matched_manually,
        media=library_title(media) if media is not None and item.match_state == "matched" else None,
        season_number=item.season_number,
        episode_number=item.episode_number,
        episode_numbers=list(item.episode_numbers or []),
        audio_languages=languages["audio"],
        subtitle_languages=languages["subtitle"],
        missing=item.missing_since is not None,
        probe_error=item.probe_error,
        updated_at=_iso(item.updated_at) or "",
    )


def _card_of(session: Session, item: LibraryItem) -> LibraryCard:
    return cards_for(session=session, item_ids=[item.id])[0]


def _item(session: Session, item_id: uuid.UUID) -> LibraryItem:
    item = session.get(LibraryItem, item_id)
    if item is None:
        raise NotFound("No such library item.")
    return item


def _candidates(session: Session, item: LibraryItem) -> list[CandidateView]:
    stored = [candidate for candidate in item.candidates or [] if isinstance(candidate.get("media_id"), int)]
    ids = [candidate["media_id"] for candidate in stored]
    titles = {media.id: media for media in session.exec(select(MediaItem).where(col(MediaItem.id).in_(ids)))}
    return [
        CandidateView(
            media_id=candidate["media_id"],
            kind=str(candidate.get("kind", "")),
            title=str(candidate.get("title", "")),
            year=candidate.get("year"),
            score=round(float(candidate.get("score", 0.0)), 3),
            reasons=[str(reason) for reason in candidate.get("reasons", [])],
            poster_url=_poster(titles[candidate["media_id"]]) if candidate["media_id"] in titles else None,
        )
        for candidate in stored
    ]


def item_detail(*, session: Session, item_id: uuid.UUID) -> LibraryItemDetail:
    item = _item(session, item_id)
    streams = session.exec(
        select(LibraryStream)
        .where(col(LibraryStream.library_item_id) == item.id)
        .order_by(col(LibraryStream.stream_index), col(LibraryStream.id))
    )
    parsed = item.parsed or {}
    return LibraryItemDetail(
        item=_card_of(session, item),
        streams=[
            StreamView(
                id=str(stream.id),
                stream_type=stream.stream_type,
                index=stream.stream_index,
                codec=stream.codec,
                format=stream.format,
                language=stream.language,
                title=stream.title,
                channels=stream.channels,
                bitrate_kbps=stream.bitrate_kbps,
                is_default=stream.is_default,
                is_forced=stream.is_forced,
                external=stream.external_path is not None,
            )
            for stream in streams
        ],
        candidates=_candidates(session, item),
        parsed_title=parsed.get("title"),
        parsed_year=parsed.get("year"),
        parsed_type=parsed.get("type"),
        part_number=item.part_number,
        edition=item.edition,
        source_job_id=str(item.source_job_id) if item.source_job_id else None,
        discovered_at=_iso(item.discovered_at) or "",
        scanned_at=_iso(item.scanned_at),
        missing_since=_iso(item.missing_since),
    )


def unmatched_queue(*, session: Session, query: str | None = None, page: int = 1, page_size: int = 24) -> UnmatchedPage:
    """Files waiting for a person, newest first, with the matcher's best candidates and why it chose them."""
    page, page_size = _page_bounds(page, page_size)
    statement = (
        select(LibraryItem.id, LibraryItem.relative_path)
        .where(col(LibraryItem.match_state) == "unmatched", col(LibraryItem.missing_since).is_(None))
        .order_by(col(LibraryItem.discovered_at).desc(), col(LibraryItem.id))
    )
    words = _query_words(query)
    start = (page - 1) * page_size
    if words:
        ids = [row[0] for row in session.exec(statement).all() if _matches_words(words, row[1])]
        total, page_ids = len(ids), ids[start : start + page_size]
    else:
        total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
        page_ids = [row[0] for row in session.exec(statement.offset(start).limit(page_size)).all()]
    cards = cards_for(session=session, item_ids=page_ids)
    entries = []
    for card in cards:
        item = session.get(LibraryItem, uuid.UUID(card.id))
        assert item is not None
        parsed = item.parsed or {}
        entries.append(
            UnmatchedEntry(
                card, parsed.get("title"), parsed.get("year"), parsed.get("type"), _candidates(session, item)
            )
        )
    return UnmatchedPage(entries, total, page, page_size)


# --- a person's decisions ------------------------------------------------------------------------------------


def match_item(
    *,
    session: Session,
    item_id: uuid.UUID,
    media_id: int,
    force: bool = False,
    season_number: int | None = None,
    episode_number: int | None = None,
) -> LibraryCard:
    """Link a file to a movie or show by hand. An item matched to another title needs `force`; matching it
    to the title it has again only updates season and episode."""
    item = _item(session, item_id)
    media = session.get(MediaItem, media_id)
    if media is None:
        raise NotFound("No such title in the catalogue.")
    if media.kind not in MATCHABLE_KINDS:
        raise InvalidInput(f"A library file is matched to a movie or a show, not a {media.kind}.")
    if item.match_state == "matched" and item.media_id != media_id and not force:
        raise Conflict("This file is already matched to another title: send force to replace the match.")
    if media.kind == "movie":
        if season_number is not None or episode_number is not None:
            raise InvalidInput("A movie has no season or episode.")
        item.season_number = item.episode_number = None
        item.episode_numbers = []
    else:
        if season_number is not None and season_number < 0:
            raise InvalidInput("season_number is 0 (specials) or more.")
        if episode_number is not None and episode_number < 1:
            raise InvalidInput("episode_number is 1 or more.")
        if season_number is not None:
            item.season_number = season_number
        if episode_number is not None:
            item.episode_number = episode_number
            item.episode_numbers = [episode_number]
    item.media_id = media_id
    item.match_state = "matched"
    item.match_confidence = 1.0
    item.matched_manually = True
    item.updated_at = utcnow()
    session.flush()
    return _card_of(session, item)


def ignore_item(*, session: Session, item_id: uuid.UUID) -> LibraryCard:
    """Not a file for the library (a sample, a duplicate): out of the queue and the browse grid's default."""
    return _decide(session, item_id, "ignored")


def unmatch(*, session: Session, item_id: uuid.UUID) -> LibraryCard:
    """Back to the unmatched queue (also how an ignored file comes back), its title link dropped."""
    return _decide(session, item_id, "unmatched")


def _decide(session: Session, item_id: uuid.UUID, state: str) -> LibraryCard:
    item = _item(session, item_id)
    best = next(iter(item.candidates or []), None)
    item.match_state = state
    item.media_id = None
    item.match_confidence = float(best.get("score", 0.0)) if state == "unmatched" and best else 0.0
    item.matched_manually = True
    item.updated_at = utcnow()
    session.flush()
    return _card_of(session, item)


# --- scans ---------------------------------------------------------------------------------------------------


def rescan(
    *, session: Session, user: User, paths: Sequence[str] | None = None, root_id: uuid.UUID | None = None
) -> RescanAccepted:
    """Queue scans: of the folders named by path, of one folder by id, or (neither) of every enabled folder.
    A scan already waiting or running for the same folder is returned instead of a second one."""
    roots = library_scan.list_roots(session=session)
    if root_id is not None:
        if not any(root.id == root_id for root in roots):
            raise NotFound("No such library folder.")
        wanted = [root_id]
    elif paths:
        by_path = {root.path: root.id for root in roots}
        wanted = []
        for path in paths:
            text = (path or "").strip()
            resolved = str(Path(text).resolve()) if text and Path(text).is_absolute() else text
            if resolved not in by_path:
                raise InvalidInput(f"{text or '(empty)'} is not a library folder.")
            if by_path[resolved] not in wanted:
                wanted.append(by_path[resolved])
    else:
        scan = library_scan.request_scan(session, user=user, scope="all")
        return RescanAccepted([str(scan.id)], sum(1 for root in roots if root.enabled))
    scans = [library_scan.request_scan(session, user=user, scope="root", root_id=wanted_id) for wanted_id in wanted]
    return RescanAccepted(list(dict.fromkeys(str(scan.id) for scan in scans)), len(wanted))


def _scan_view(scan: LibraryScan) -> ScanView:
    total, done = scan.files_total, scan.files_done
    finished = scan.status in ("completed", "failed")
    percent = 100 if finished and scan.status == "completed" else (done * 100 // total if total else 0)
    return ScanView(
        id=str(scan.id),
        scope=scan.scope,
        status=scan.status,
        root_id=str(scan.root_id) if scan.root_id else None,
        download_job_id=str(scan.download_job_id) if scan.download_job_id else None,
        requested_by=str(scan.requested_by) if scan.requested_by else None,
        files_total=total,
        files_done=done,
        progress_percent=min(100, percent),
        files_per_second=scan.files_per_second,
        files_new=scan.files_new,
        files_changed=scan.files_changed,
        files_unchanged=scan.files_unchanged,
        files_moved=scan.files_moved,
        files_missing=scan.files_missing,
        files_skipped=scan.files_skipped,
        matched=scan.matched,
        unmatched=scan.unmatched,
        ignored=scan.ignored,
        errors=scan.errors,
        error_samples=list(scan.error_samples or []),
        message=scan.message,
        created_at=_iso(scan.created_at) or "",
        started_at=_iso(scan.started_at),
        finished_at=_iso(scan.finished_at),
    )


def scan_progress(*, session: Session, scan_id: uuid.UUID) -> ScanView:
    scan = session.get(LibraryScan, scan_id)
    if scan is None:
        raise NotFound("No such library scan.")
    return _scan_view(scan)


def recent_scans(*, session: Session, limit: int = 20) -> list[ScanView]:
    if not 1 <= limit <= MAX_RECENT_SCANS:
        raise InvalidInput(f"limit is between 1 and {MAX_RECENT_SCANS}.")
    scans = session.exec(
        select(LibraryScan).order_by(col(LibraryScan.created_at).desc(), col(LibraryScan.id)).limit(limit)
    )
    return [_scan_view(scan) for scan in scans]


# --- library folders ------------------------------------------------------------------------------------------


def _root_views(session: Session, roots: Sequence[LibraryRoot]) -> list[RootView]:
    counts = dict(
        session.exec(
            select(LibraryItem.root_id, func.count())
            .where(col(LibraryItem.root_id).in_([root.id for root in roots]))
            .group_by(col(LibraryItem.root_id))
        ).all()
    )
    return [
        RootView(
            id=str(root.id),
            path=root.path,
            label=root.label,
            kind=root.kind,
            enabled=root.enabled,
            configured=root.configured,
            item_count=counts.get(root.id, 0),
            created_at=_iso(root.created_at) or "",
            last_scanned_at=_iso(root.last_scanned_at),
        )
        for root in roots
    ]


def root_views(*, session: Session) -> list[RootView]:
    return _root_views(session, library_scan.list_roots(session=session))


def add_root(*, session: Session, user: User, path: str, label: str = "", kind: str = "mixed") -> RootView:
    """Add a folder and queue its first scan, so its files show up without another request."""
    root = library_scan.add_root(session=session, path=path, label=label, kind=kind)
    library_scan.request_scan(session, user=user, scope="root", root_id=root.id)
    return _root_views(session, [root])[0]
