"""The media library's folders and scans: which folders are read, and how a scan turns files into items.

A scan (one `library_scans` row, run by the `library.scan` job) covers every enabled root, one root, or the
files of one finished download. It walks the folders first (so the total is known for a progress bar), then
handles each video file:

- same size and modification time as stored: unchanged, not probed again (subtitle files added or removed
  beside it are taken in);
- a path not stored whose size, time (and inode, when known) equal an item no longer found: the file moved,
  and the item follows it with its id, match and watch links;
- otherwise new or changed: its name is parsed (`seen.naming`), its streams probed (`seen.library.probe`) and
  it is matched against the catalogue (`seen.services.library_match`), unless a person matched it by hand.

Items of the scope that were not found get `missing_since` (never deleted: a disk may come back); found again,
they lose it. Nothing a single file does (vanishing, unreadable, corrupt, empty, an undecodable name) stops
a scan: it is counted, and the first few are kept as error samples.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from seen.config import get_settings
from seen.db import after_commit, get_engine
from seen.downloads import paths as download_paths
from seen.jobs import enqueue
from seen.library.probe import FolderSubtitles, MediaProbe, ProbeStream, probe, sidecar_streams
from seen.models.base import as_utc, utcnow
from seen.models.downloads import DownloadFile, DownloadJob
from seen.models.library import (
    ACTIVE_SCAN_STATUSES,
    ROOT_KINDS,
    SCAN_SCOPES,
    LibraryItem,
    LibraryRoot,
    LibraryScan,
    LibraryStream,
)
from seen.models.users import Role, User
from seen.naming import ParsedName, parse_name
from seen.naming.parse import VIDEO_EXTENSIONS
from seen.services import notifications
from seen.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from seen.services.library_match import MatchResult, match_file

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SCAN_ACTOR = "library.scan"
# Files handled between two commits: each commit shows progress and keeps the transaction short.
PROGRESS_EVERY = 25
PROGRESS_SECONDS = 0.5
# A running scan that has not committed progress for this long died with its worker: it no longer holds
# its roots.
STALE_AFTER = timedelta(minutes=15)
MAX_ERROR_SAMPLES = 20
_VIDEO_EXTENSIONS = frozenset(VIDEO_EXTENSIONS.split())
# Folders NAS systems and desktops fill with thumbnails, resource forks and trash, never media. Hidden names
# (a leading dot: .AppleDouble, .Trash-1000, ._Movie.mkv) are skipped as well.
JUNK_NAMES = frozenset(
    {"@eaDir", "#recycle", "#snapshot", "@Recycle", "@Recently-Snapshot", "$RECYCLE.BIN", "lost+found"}
    | {"System Volume Information"}
)


# --- roots --------------------------------------------------------------------------------------------------


def list_roots(*, session: Session) -> list[LibraryRoot]:
    """Every library folder, the configured ones (`SEEN_LIBRARY_ROOTS`) included, by path."""
    sync_configured_roots(session=session)
    return list(session.exec(select(LibraryRoot).order_by(col(LibraryRoot.path))))


def add_root(*, session: Session, path: str, label: str = "", kind: str = "mixed") -> LibraryRoot:
    if kind not in ROOT_KINDS:
        raise InvalidInput(f"The kind of a library folder is one of {', '.join(ROOT_KINDS)}.")
    resolved = checked_root_path(path, others=[root.path for root in session.exec(select(LibraryRoot))])
    root = LibraryRoot(path=str(resolved), label=label.strip()[:200] or resolved.name, kind=kind)
    session.add(root)
    session.flush()
    return root


def remove_root(*, session: Session, root_id: uuid.UUID) -> None:
    """Forget a folder and its items (the files stay on disk)."""
    root = session.get(LibraryRoot, root_id)
    if root is None:
        raise NotFound("No such library folder.")
    if root.configured:
        raise Conflict(f"{root.path} comes from SEEN_LIBRARY_ROOTS: remove it there.")
    # Explicit rather than trusting ON DELETE CASCADE: SQLite enforces it only with foreign keys switched on.
    session.exec(delete(LibraryItem).where(col(LibraryItem.root_id) == root_id))  # type: ignore[call-overload]
    session.delete(root)
    session.flush()


def sync_configured_roots(*, session: Session) -> list[str]:
    """Add the folders of SEEN_LIBRARY_ROOTS that are not roots yet; the problems of those refused."""
    problems: list[str] = []
    known = {root.path: root for root in session.exec(select(LibraryRoot))}
    for path in get_settings().library_roots:
        resolved = str(Path(path).resolve()) if Path(path).is_absolute() else path
        if resolved in known:
            if not known[resolved].configured:
                known[resolved].configured = True
            continue
        try:
            checked = checked_root_path(path, others=list(known))
        except InvalidInput as error:
            log.warning("library folder from SEEN_LIBRARY_ROOTS refused", extra={"path": path, "reason": error.message})
            problems.append(f"{path}: {error.message}")
            continue
        root = LibraryRoot(path=str(checked), label=checked.name, configured=True)
        session.add(root)
        known[root.path] = root
    session.flush()
    return problems


def checked_root_path(path: str, *, others: Iterable[str]) -> Path:
    """`path` resolved, once it is fit to be a library folder; InvalidInput saying why it is not."""
    text = (path or "").strip()
    if not text:
        raise InvalidInput("Give the folder's path.")
    if "\x00" in text or not Path(text).is_absolute():
        raise InvalidInput(f"{text} is not an absolute path (it must start with /).")
    resolved = Path(text).resolve()
    if not resolved.exists():
        raise InvalidInput(f"{text} does not exist.")
    if not resolved.is_dir():
        raise InvalidInput(f"{text} is not a folder.")
    if not os.access(resolved, os.R_OK | os.X_OK):
        raise InvalidInput(f"{text} cannot be read by the app.")
    if resolved == Path(resolved.anchor):
        raise InvalidInput("The whole filesystem (/) cannot be a library folder.")
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    downloads_dir = settings.resolved_downloads_dir
    if resolved == data_dir or data_dir.is_relative_to(resolved):
        raise InvalidInput(f"{text} holds the app's data directory ({data_dir}).")
    # The downloads folder may live in the data directory and may be a library folder; the rest of it not.
    if resolved.is_relative_to(data_dir) and not resolved.is_relative_to(downloads_dir):
        raise InvalidInput(f"{text} is inside the app's data directory ({data_dir}).")
    for other in map(Path, others):
        if resolved == other:
            raise InvalidInput(f"{text} is already a library folder.")
        if resolved.is_relative_to(other):
            raise InvalidInput(f"{text} is inside the library folder {other}.")
        if other.is_relative_to(resolved):
            raise InvalidInput(f"{text} contains the library folder {other}.")
    return resolved


# --- asking for a scan ----------------------------------------------------------------------------------------


def request_scan(
    session: Session,
    *,
    user: User | None,
    scope: str,
    root_id: uuid.UUID | None = None,
    download_job_id: uuid.UUID | None = None,
    send_job: bool = True,
) -> LibraryScan:
    """Queue a scan (run once the caller commits). `user` None is the app itself (schedules, finished
    downloads, the `seen scan` command). A scan of the same scope already waiting or running is returned instead
    of a second one. `send_job` False sends no job for a new scan: the caller runs it with `run_scan` itself."""
    if scope not in SCAN_SCOPES:
        raise InvalidInput(f"A scan covers one of {', '.join(SCAN_SCOPES)}.")
    is_admin = user is None or user.role == Role.ADMIN
    if scope == "root":
        if root_id is None or session.get(LibraryRoot, root_id) is None:
            raise NotFound("No such library folder.")
        download_job_id = None
    elif scope == "download":
        job = session.get(DownloadJob, download_job_id) if download_job_id else None
        if job is None or not (is_admin or (user is not None and job.user_id == user.id)):
            raise NotFound("No such download.")
        if job.status != "completed":
            raise InvalidInput("Only a finished download can be scanned.")
        root_id = None
    else:
        root_id = download_job_id = None
    if scope != "download" and not is_admin:
        raise Forbidden("Only admins scan library folders.")
    waiting = session.exec(
        select(LibraryScan).where(
            col(LibraryScan.status).in_(ACTIVE_SCAN_STATUSES),
            LibraryScan.scope == scope,
            LibraryScan.root_id == root_id,
            LibraryScan.download_job_id == download_job_id,
        )
    ).first()
    if waiting is not None and waiting.status == "running" and utcnow() - as_utc(waiting.updated_at) > STALE_AFTER:
        # Its worker died mid-scan: record that, and start afresh below.
        _finish(waiting, "failed", "The scan stopped reporting progress (its worker ended).")
        waiting = None
    if waiting is not None:
        if waiting.status == "queued" and send_job:
            # Sent again in case the first message was lost; a second delivery finds the scan taken and ends.
            after_commit(session, lambda: _enqueue_scan(str(waiting.id)))
        return waiting
    scan = LibraryScan(
        requested_by=user.id if user else None, scope=scope, root_id=root_id, download_job_id=download_job_id
    )
    session.add(scan)
    session.flush()
    if send_job:
        scan_id = str(scan.id)
        after_commit(session, lambda: _enqueue_scan(scan_id))
    return scan


def abandon_scan(session: Session, *, scan_id: uuid.UUID, reason: str) -> bool:
    """Mark a queued or running scan failed with `reason` (its runner was stopped); whether it was still active.
    The caller commits."""
    scan = session.get(LibraryScan, scan_id)
    if scan is None or scan.status not in ACTIVE_SCAN_STATUSES:
        return False
    _finish(scan, "failed", reason)
    session.flush()
    return True


def scan_finished_download(*, job_id: uuid.UUID) -> uuid.UUID | None:
    """Queue the scan of a download that just completed, in a transaction of its own, on behalf of its owner;
    the scan's id, or None when it could not be asked for.

    Every finished download is scanned, inside a library folder or not: a scope "download" scan indexes its
    video files either way (with no root outside the folders), so they appear in the library. Never raises:
    the downloads runner calls this after the job's commit, and a library problem must not break its pass.
    """
    try:
        with Session(get_engine(), expire_on_commit=False) as session:
            job = session.get(DownloadJob, job_id)
            if job is None or job.status != "completed":
                return None
            owner = session.get(User, job.user_id)
            scan = request_scan(session, user=owner, scope="download", download_job_id=job.id)
            session.commit()
            return scan.id
    except Exception:
        log.warning(
            "could not ask for the library scan of a finished download", exc_info=True, extra={"job_id": str(job_id)}
        )
        return None


def _enqueue_scan(scan_id: str) -> None:
    try:
        enqueue(SCAN_ACTOR, scan_id=scan_id)
    except Exception:
        # The row stays queued; asking for the same scan again re-sends it.
        log.warning("could not enqueue a library scan", exc_info=True, extra={"scan_id": scan_id})


def in_library(session: Session, media_ids: Iterable[int] | None = None) -> set[int]:
    """Which catalogue titles (of these, or all when None) have at least one matched file present on disk:
    the one rule of a title being "in the library"."""
    conditions = [LibraryItem.match_state == "matched", col(LibraryItem.missing_since).is_(None)]
    if media_ids is not None:
        wanted = list(set(media_ids))
        if not wanted:
            return set()
        conditions.append(col(LibraryItem.media_id).in_(wanted))
    rows = session.exec(select(LibraryItem.media_id).where(*conditions).distinct())
    return {media_id for media_id in rows if media_id is not None}


# --- running a scan ------------------------------------------------------------------------------------------


def run_scan(
    *, scan_id: uuid.UUID, batch_size: int = PROGRESS_EVERY, progress: Callable[[LibraryScan], None] | None = None
) -> LibraryScan | None:
    """Run a queued scan to its end. Safe to call twice: a scan no longer queued is left alone (None).

    `progress`, when given, is called with the scan after each progress commit (a progress bar reads it)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        claimed = session.exec(  # type: ignore[call-overload]
            update(LibraryScan)
            .where(col(LibraryScan.id) == scan_id, LibraryScan.status == "queued")
            .values(status="running", started_at=utcnow(), updated_at=utcnow())
        )
        session.commit()
        if claimed.rowcount != 1:
            return None
        scan = session.get(LibraryScan, scan_id)
        assert scan is not None
        try:
            _ScanRun(session, scan, batch_size=batch_size, progress=progress).run()
        except Exception as error:
            log.exception("library scan failed", extra={"scan_id": str(scan_id)})
            session.rollback()
            scan = session.get(LibraryScan, scan_id)
            assert scan is not None
            _finish(scan, "failed", f"{type(error).__name__}: {error}"[:2000])
            session.commit()
        return scan


class ScanRefused(Exception):
    """The scan cannot start (its folder is gone, another scan holds it); the scan fails with this reason."""


@dataclass(frozen=True, slots=True)
class _Found:
    path: str  # resolved absolute path
    relative: str  # from its root (or the downloads folder), what the name parser reads
    root_id: uuid.UUID | None
    size: int
    mtime_ns: int
    inode: int | None
    subtitles: FolderSubtitles  # the subtitle files of its folder (one index per folder, shared)


@dataclass(frozen=True, slots=True)
class _Analysis:
    parsed: ParsedName | None  # None for an unchanged file whose subtitle files changed
    probe: MediaProbe | None  # None for a moved file: its content is known
    match: MatchResult | None  # None when the item keeps its match
    sidecars: list[ProbeStream] | None = None  # an unchanged file's subtitle files, when they changed


def _finish(scan: LibraryScan, status: str, message: str = "") -> None:
    scan.status = status
    scan.message = message
    scan.finished_at = scan.updated_at = utcnow()


class _ScanRun:
    def __init__(
        self,
        session: Session,
        scan: LibraryScan,
        *,
        batch_size: int,
        progress: Callable[[LibraryScan], None] | None = None,
    ) -> None:
        self.session = session
        self.progress = progress
        self.scan = scan
        self.batch_size = max(1, batch_size)
        self.started = self.last_commit = time.monotonic()
        self.source_job: DownloadJob | None = None
        self.stored_sidecars: dict[uuid.UUID, set[str]] = {}

    def run(self) -> None:
        scan = self.scan
        try:
            roots = self._roots()
            found, walked_roots = self._walk_scope(roots)
        except ScanRefused as refused:
            _finish(scan, "failed", str(refused))
            self.session.commit()
            return
        scan.files_total = len(found)
        self._commit_progress()
        scoped = self._scoped_items(walked_roots)
        known = {item.absolute_path: item for item in scoped}
        known.update(self._items_at([file.path for file in found if file.path not in known]))
        found_paths = {file.path for file in found}
        unseen = {item.id: item for item in scoped if item.absolute_path not in found_paths}
        moves = _MoveFinder(unseen.values(), self._missing_elsewhere(unseen))
        self.stored_sidecars = self._sidecars_of([item.id for item in known.values()])
        for batch in _chunks(found, self.batch_size):
            # Parsing, probing and matching first, writing after: the matcher must not run while this
            # transaction holds writes (it may store provider answers in transactions of its own).
            plans = [self._plan(file, known, moves) for file in batch]
            for file, item, kind, analysis in plans:
                self._apply(file, item, kind, analysis, known)
            scan.files_done += len(batch)
            # Batches of unchanged files write nothing: their counters wait for the next commit, at most
            # PROGRESS_SECONDS away (a commit per 25 files was a fifth of a 10,000-file rescan).
            wrote = any(kind != "unchanged" or analysis is not None for _, _, kind, analysis in plans)
            if wrote or time.monotonic() - self.last_commit >= PROGRESS_SECONDS:
                self._commit_progress()
        now = utcnow()
        for item in unseen.values():
            if item.id in moves.taken:
                continue
            scan.files_missing += 1
            if item.missing_since is None:
                item.missing_since = item.updated_at = now
        for root in walked_roots:
            root.last_scanned_at = now
        scan.files_per_second = self._rate()
        _finish(scan, "completed")
        notifications.unmatched_files_found(session=self.session, scan=scan)
        self.session.commit()
        log.info(
            "library scan completed",
            extra={"scan_id": str(scan.id), "files": scan.files_total, "files_per_second": scan.files_per_second},
        )

    # -- what the scan covers

    def _roots(self) -> list[LibraryRoot]:
        scan = self.scan
        if scan.scope == "download":
            self.source_job = self.session.get(DownloadJob, scan.download_job_id) if scan.download_job_id else None
            if self.source_job is None:
                raise ScanRefused("The download no longer exists.")
            return []
        if scan.scope == "root":
            root = self.session.get(LibraryRoot, scan.root_id) if scan.root_id else None
            if root is None:
                raise ScanRefused("The library folder no longer exists.")
            if self._busy(root):
                raise ScanRefused(f"{root.path} is being scanned by another scan.")
            return [root]
        for problem in sync_configured_roots(session=self.session):
            self._error("SEEN_LIBRARY_ROOTS", problem)
        roots = []
        for root in self.session.exec(select(LibraryRoot).where(col(LibraryRoot.enabled).is_(True))):
            if self._busy(root):
                self._error(root.path, "skipped: being scanned by another scan")
                continue
            roots.append(root)
        return roots

    def _busy(self, root: LibraryRoot) -> bool:
        """Another live scan covers this root (one scan per root at a time)."""
        fresh = utcnow() - STALE_AFTER
        other = self.session.exec(
            select(LibraryScan.id).where(
                LibraryScan.status == "running",
                LibraryScan.id != self.scan.id,
                col(LibraryScan.updated_at) > fresh,
                or_(LibraryScan.scope == "all", LibraryScan.root_id == root.id),
            )
        ).first()
        return other is not None

    def _walk_scope(self, roots: list[LibraryRoot]) -> tuple[list[_Found], list[LibraryRoot]]:
        if self.source_job is not None:
            return self._download_files(self.source_job), []
        found: dict[str, _Found] = {}
        walked = []
        for root in roots:
            base = Path(root.path)
            if not base.is_dir():
                if self.scan.scope == "root":
                    raise ScanRefused(f"{root.path} is not reachable (unmounted or removed).")
                # Its items are marked missing below, which is what they are.
                self._error(root.path, "library folder not reachable (unmounted or removed)")
            walked.append(root)
            for file in self._walk(base, root.id):
                found.setdefault(file.path, file)
        return list(found.values()), walked

    def _download_files(self, job: DownloadJob) -> list[_Found]:
        """The video files a finished download wrote: its recorded files, else whatever is in its folder."""
        downloads = get_settings().resolved_downloads_dir
        roots = [(Path(root.path), root.id) for root in self.session.exec(select(LibraryRoot))]
        recorded = self.session.exec(
            select(DownloadFile.path).where(DownloadFile.job_id == job.id, col(DownloadFile.selected).is_(True))
        ).all()
        found: dict[str, _Found] = {}
        if recorded:
            for relative in recorded:
                if _extension(relative) not in _VIDEO_EXTENSIONS:
                    continue
                try:
                    path = download_paths.inside(downloads, relative)
                    stat = path.stat()
                    subtitles = FolderSubtitles(entry.name for entry in os.scandir(path.parent))
                except (OSError, download_paths.PathEscape) as error:
                    self._skip(relative, f"download file unreadable: {error}")
                    continue
                file = self._found(path, downloads, roots, stat, subtitles)
                if file is not None:
                    found.setdefault(file.path, file)
        elif job.directory:
            try:
                folder = download_paths.inside(downloads, job.directory)
            except download_paths.PathEscape as error:
                raise ScanRefused(str(error)) from error
            for walked in self._walk(folder, None):
                stat_like = _StatLike(walked.size, walked.mtime_ns, walked.inode)
                file = self._found(Path(walked.path), downloads, roots, stat_like, walked.subtitles)
                if file is not None:
                    found.setdefault(file.path, file)
        return list(found.values())

    def _found(
        self,
        path: Path,
        downloads: Path,
        roots: list[tuple[Path, uuid.UUID]],
        stat: os.stat_result | _StatLike,
        subtitles: FolderSubtitles,
    ) -> _Found | None:
        # A downloaded file inside a library folder belongs to that root, named from it.
        base, root_id = next(
            ((base, root_id) for base, root_id in roots if path.is_relative_to(base)), (downloads, None)
        )
        if not _storable(str(path)):
            self._skip(_printable(str(path)), "name is not UTF-8")
            return None
        return _Found(
            path=str(path),
            relative=path.relative_to(base).as_posix(),
            root_id=root_id,
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            inode=_inode(stat),
            subtitles=subtitles,
        )

    def _walk(self, base: Path, root_id: uuid.UUID | None) -> Iterator[_Found]:
        """Video files below `base` (resolved), iteratively. Symlinks are followed while they stay inside it."""
        try:
            base_stat = base.stat()
        except OSError:
            return
        visited = {(base_stat.st_dev, base_stat.st_ino)}
        # (the folder's path as reached, its real path)
        pending: list[tuple[str, Path]] = [(str(base), base)]
        while pending:
            folder, real_folder = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except FileNotFoundError:
                self._skip(str(real_folder), "folder vanished during the scan")
                continue
            except OSError as error:
                self._error(str(real_folder), f"cannot list folder: {error.strerror or error}")
                continue
            subtitles = FolderSubtitles(entry.name for entry in entries)
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name in JUNK_NAMES:
                    continue
                try:
                    real_path = real_folder / name
                    if entry.is_symlink():
                        real_path = Path(entry.path).resolve(strict=True)
                        if not real_path.is_relative_to(base):
                            self._skip(str(real_folder / name), "symlink leads outside the library folder")
                            continue
                    if entry.is_dir():
                        stat = entry.stat()
                        # A folder met twice (a symlink loop, two links to one folder) is walked once.
                        if (stat.st_dev, stat.st_ino) not in visited:
                            visited.add((stat.st_dev, stat.st_ino))
                            pending.append((entry.path, real_path))
                        continue
                    if _extension(name) not in _VIDEO_EXTENSIONS or not entry.is_file():
                        continue
                    stat = entry.stat()
                except FileNotFoundError:
                    self._skip(str(real_folder / name), "vanished during the scan (or a broken symlink)")
                    continue
                except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop while resolving
                    self._error(str(real_folder / name), f"unreadable: {error}")
                    continue
                if not _storable(str(real_path)):
                    self._skip(_printable(str(real_path)), "name is not UTF-8")
                    continue
                yield _Found(
                    path=str(real_path),
                    relative=real_path.relative_to(base).as_posix(),
                    root_id=root_id,
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                    inode=_inode(stat),
                    subtitles=subtitles,
                )

    # -- the items the scope covers

    def _scoped_items(self, walked_roots: list[LibraryRoot]) -> list[LibraryItem]:
        if self.source_job is not None:
            condition = LibraryItem.source_job_id == self.source_job.id
        else:
            condition = col(LibraryItem.root_id).in_([root.id for root in walked_roots])
        return list(self.session.exec(_items().where(condition)))

    def _items_at(self, paths: list[str]) -> dict[str, LibraryItem]:
        items: dict[str, LibraryItem] = {}
        for chunk in _chunks(paths, 500):
            for item in self.session.exec(_items().where(col(LibraryItem.absolute_path).in_(chunk))):
                items[item.absolute_path] = item
        return items

    def _missing_elsewhere(self, unseen: dict[uuid.UUID, LibraryItem]) -> list[LibraryItem]:
        """Items already missing outside this scope: a file moved between roots finds its item there."""
        query = _items().where(col(LibraryItem.missing_since).is_not(None))
        return [item for item in self.session.exec(query) if item.id not in unseen]

    # -- one file

    def _plan(
        self, file: _Found, known: dict[str, LibraryItem], moves: _MoveFinder
    ) -> tuple[_Found, LibraryItem | None, str, _Analysis | None]:
        item = known.get(file.path)
        if item is not None and item.file_size_bytes == file.size and item.file_mtime_ns == file.mtime_ns:
            # The video is as it was; subtitle files may have been added or removed beside it (compared by
            # path first: reading their names' languages is for when they changed).
            folder, name = os.path.split(file.path)
            names = file.subtitles.of(os.path.splitext(name)[0])
            if {os.path.join(folder, sidecar) for sidecar in names} != self.stored_sidecars.get(item.id, set()):
                sidecars = sidecar_streams(Path(file.path), file.subtitles)
                return file, item, "unchanged", _Analysis(None, None, None, sidecars)
            return file, item, "unchanged", None
        if item is None and (moved := moves.take(file)) is not None:
            parsed = parse_name(file.relative)
            # A renamed file keeps its match; one that had none gets another chance under its new name.
            rematch = moved.match_state == "unmatched" and not moved.matched_manually
            return file, moved, "moved", _Analysis(parsed, None, self._match(file, parsed, None) if rematch else None)
        parsed = parse_name(file.relative)
        probed = probe(file.path, sibling_names=file.subtitles)
        if not probed.ok and not os.path.lexists(file.path):
            return file, item, "vanished", None  # deleted since the walk: the next scan sees it missing
        keep_match = item is not None and item.matched_manually
        match = None if keep_match else self._match(file, parsed, probed)
        return file, item, "changed" if item is not None else "new", _Analysis(parsed, probed, match)

    def _match(self, file: _Found, parsed: ParsedName, probed: MediaProbe | None) -> MatchResult:
        if parsed.type == "extra":
            return MatchResult()
        duration = probed.duration_seconds if probed and probed.ok and probed.duration_seconds else None
        try:
            return match_file(self.session, parsed, duration_seconds=duration)
        except Exception as error:  # the file is kept unmatched; the scan goes on
            log.warning("library match failed", exc_info=True, extra={"path": file.path})
            self.session.rollback()
            self._error(file.path, f"matching failed: {error}")
            return MatchResult()

    def _apply(
        self,
        file: _Found,
        item: LibraryItem | None,
        kind: str,
        analysis: _Analysis | None,
        known: dict[str, LibraryItem],
    ) -> None:
        scan = self.scan
        now = utcnow()
        if kind == "vanished":
            self._skip(file.path, "vanished during the scan")
            return
        if item is None:
            item = LibraryItem(absolute_path=file.path, file_name=Path(file.path).name, discovered_at=now)
            self.session.add(item)
        elif kind == "moved":
            known.pop(item.absolute_path, None)
        known[file.path] = item
        counter = f"files_{kind}"
        setattr(scan, counter, getattr(scan, counter) + 1)
        changed = self._place(item, file)
        if item.missing_since is not None:
            item.missing_since = None
            changed = True
        if analysis is not None and analysis.sidecars is not None:
            self._take_sidecars(item, analysis.sidecars)
            changed = True
        elif analysis is not None and analysis.parsed is not None:
            self._take_name(item, analysis.parsed)
            if analysis.probe is not None:
                self._take_probe(item, analysis.probe, replace_streams=kind == "changed")
            if analysis.match is not None:
                self._take_match(item, analysis.parsed, analysis.match)
            item.scanned_at = now
            changed = True
        if changed:
            item.updated_at = now

    def _place(self, item: LibraryItem, file: _Found) -> bool:
        """Point the item at the file where it is now; whether anything changed."""
        values = {
            "absolute_path": file.path,
            "file_name": os.path.basename(file.path),
            "relative_path": file.relative,
            "file_size_bytes": file.size,
            "file_mtime_ns": file.mtime_ns,
            "file_inode": file.inode,
        }
        if file.root_id is not None or item.root_id is None:
            values["root_id"] = file.root_id
        if self.source_job is not None:
            values["source_job_id"] = self.source_job.id
        changed = False
        for name, value in values.items():
            if getattr(item, name) != value:
                setattr(item, name, value)
                changed = True
        return changed

    def _take_name(self, item: LibraryItem, parsed: ParsedName) -> None:
        episodes = parsed.episode if isinstance(parsed.episode, list) else [parsed.episode] if parsed.episode else []
        item.parsed = {**parsed.to_json(), "part": parsed.part, "extra_kind": parsed.extra_kind}
        item.season_number = parsed.season
        item.episode_number = episodes[0] if episodes else parsed.absolute_episode
        item.episode_numbers = list(episodes)
        item.part_number = parsed.part
        item.edition = parsed.edition[:200] if parsed.edition else None

    def _sidecars_of(self, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
        """The subtitle files stored for these items (one query per 500 items)."""
        stored: dict[uuid.UUID, set[str]] = {}
        for chunk in _chunks(item_ids, 500):
            rows = self.session.exec(
                select(LibraryStream.library_item_id, LibraryStream.external_path).where(
                    col(LibraryStream.library_item_id).in_(chunk), col(LibraryStream.external_path).is_not(None)
                )
            )
            for item_id, path in rows:
                stored.setdefault(item_id, set()).add(path)
        return stored

    def _take_sidecars(self, item: LibraryItem, sidecars: list[ProbeStream]) -> None:
        self.session.exec(  # type: ignore[call-overload]
            delete(LibraryStream).where(
                col(LibraryStream.library_item_id) == item.id, col(LibraryStream.external_path).is_not(None)
            )
        )
        self._add_streams(item, sidecars)

    def _take_probe(self, item: LibraryItem, probed: MediaProbe, *, replace_streams: bool) -> None:
        item.container_format = probed.container or _extension(item.file_name)
        item.video_codec = probed.video_codec
        item.audio_codec = probed.audio_codec
        item.width, item.height = probed.width, probed.height
        item.resolution_label = probed.resolution_label
        item.duration_seconds = probed.duration_seconds
        item.probe_error = probed.error
        if probed.error:
            self._error(item.absolute_path, probed.error)
        if replace_streams:
            self.session.exec(  # type: ignore[call-overload]
                delete(LibraryStream).where(col(LibraryStream.library_item_id) == item.id)
            )
        self._add_streams(item, probed.streams)

    def _add_streams(self, item: LibraryItem, streams: Iterable[ProbeStream]) -> None:
        for stream in streams:
            self.session.add(
                LibraryStream(
                    library_item_id=item.id,
                    stream_type=stream.stream_type,
                    stream_index=stream.index,
                    codec=stream.codec,
                    format=stream.format,
                    language=stream.language,
                    title=stream.title,
                    channels=stream.channels,
                    bitrate_kbps=stream.bitrate_kbps,
                    is_default=stream.is_default,
                    is_forced=stream.is_forced,
                    external_path=stream.external_path,
                )
            )

    def _take_match(self, item: LibraryItem, parsed: ParsedName, match: MatchResult) -> None:
        scan = self.scan
        item.candidates = [candidate.to_json() for candidate in match.candidates]
        best = match.best
        if parsed.type == "extra":
            item.match_state, item.media_id, item.match_confidence = "ignored", None, 0.0
            scan.ignored += 1
        elif match.auto and best is not None:
            item.match_state, item.media_id, item.match_confidence = "matched", best.media_id, best.score
            scan.matched += 1
        else:
            item.match_state, item.media_id = "unmatched", None
            item.match_confidence = best.score if best else 0.0
            scan.unmatched += 1

    # -- bookkeeping

    def _skip(self, path: str, reason: str) -> None:
        self.scan.files_skipped += 1
        log.info("library scan skipped an entry", extra={"path": path, "reason": reason})

    def _error(self, path: str, reason: str) -> None:
        scan = self.scan
        scan.errors += 1
        if len(scan.error_samples) < MAX_ERROR_SAMPLES:
            # A new list, so the JSON column is seen as changed.
            scan.error_samples = [*scan.error_samples, {"path": path, "error": reason[:500]}]

    def _rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return round(self.scan.files_done / elapsed, 2) if elapsed > 0 else 0.0

    def _commit_progress(self) -> None:
        self.scan.files_per_second = self._rate()
        self.scan.updated_at = utcnow()
        self.session.commit()
        self.last_commit = time.monotonic()
        if self.progress is not None:
            self.progress(self.scan)


class _MoveFinder:
    """Items not found where they were, by size and modification time: a new path with the same ones (and
    the same inode, when both are known) is that item's file, moved or renamed."""

    def __init__(self, unseen: Iterable[LibraryItem], missing: Iterable[LibraryItem]) -> None:
        self.by_signature: dict[tuple[int, int], list[LibraryItem]] = defaultdict(list)
        for item in [*unseen, *missing]:
            if item.file_size_bytes > 0:  # empty files all look alike
                self.by_signature[(item.file_size_bytes, item.file_mtime_ns)].append(item)
        self.taken: set[uuid.UUID] = set()

    def take(self, file: _Found) -> LibraryItem | None:
        candidates = self.by_signature.get((file.size, file.mtime_ns), [])
        for item in candidates:
            if item.id in self.taken:
                continue
            if file.inode is not None and item.file_inode is not None and file.inode != item.file_inode:
                continue
            self.taken.add(item.id)
            return item
        return None


@dataclass(frozen=True, slots=True)
class _StatLike:
    st_size: int
    st_mtime_ns: int
    inode: int | None


def _items() -> Any:
    """Items as a scan reads them: without the JSON of the name and the candidates, which a rescan of unchanged
    files never looks at (decoding them was a third of a 10,000-file rescan); they load when touched."""
    return select(LibraryItem).options(
        defer(LibraryItem.parsed), defer(LibraryItem.candidates), defer(LibraryItem.episode_numbers)
    )


def _inode(stat: os.stat_result | _StatLike) -> int | None:
    if isinstance(stat, _StatLike):
        return stat.inode
    # Zero where the filesystem has none (some network and Windows shares); beyond bigint on a few others.
    return stat.st_ino if 0 < stat.st_ino < 2**63 else None


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _storable(text: str) -> bool:
    """Whether the text can be stored: names that are not UTF-8 come back from the OS with lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _chunks(values: list[_T], size: int) -> Iterator[list[_T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
