"""The downloads runner: the only code that talks to download engines. One pass (`tick`) brings the engines
in line with the job rows and the rows in line with the engines.

A pass, under a cross-process lock so two never overlap:

1. engines are checked once each (the app's own aria2c is restarted when it died); a job whose engine is
   down is left alone, it is not at fault;
2. desired states are applied: jobs a user cancelled or paused that an engine still holds are removed or
   paused there;
3. every job holding an engine slot is polled: progress (never lower than before), speed in megabits/s,
   ETA, peers; a magnet's metadata step hands over to the real download; no byte growth for
   `download_stall_seconds` makes a job stalled, twice that long makes it retry; engine errors retry with
   backoff until `MAX_RETRIES`, then fail with the reason; a job the engine forgot is added again; a
   finished one records its files (each checked to lie inside the job's folder) and completes, and a
   library scan of its files is asked for (`library_scan.scan_finished_download`);
4. waiting jobs, oldest first, fill the free slots (at most `download_max_active` jobs in engines across
   all users), and the rest are numbered 1..n in that order.

Every job is written in its own transaction and only when something changed, with a condition on the
status the pass read: a user who cancels or pauses meanwhile wins, and the next pass acts on it. A failure
with one job is reported and the pass goes on with the others.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from seen.config import get_settings
from seen.db import get_engine
from seen.downloads import paths
from seen.downloads import select as engines
from seen.downloads.engine import (
    DownloadEngine,
    DownloadRequest,
    EngineError,
    EngineFile,
    EngineJobMissing,
    EngineStatus,
    EngineUnavailable,
)
from seen.models.base import as_utc, utcnow
from seen.models.downloads import DownloadEvent, DownloadFile, DownloadJob
from seen.services import job_runs, library_scan, notifications
from seen.services.download_states import IN_ENGINE, MAX_RETRIES, WAITING, check_move
from seen.services.errors import InvalidInput

log = logging.getLogger(__name__)

JOB_NAME = "downloads.tick"
# Longer than any healthy pass, so a crashed holder frees the lock soon.
LOCK_SECONDS = 5 * 60
# A stalled job is given up on (and retried) after this many stall periods without a byte.
STALLS_BEFORE_RETRY = 2
# Statuses whose engine job should not run: removed (cancelled, failed) or held (paused).
HELD = ("cancelled", "failed", "paused")


@dataclass
class TickReport:
    polled: int = 0
    dispatched: int = 0
    finished: int = 0  # completed or failed during this pass
    errors: list[str] = field(default_factory=list)
    skipped: bool = False  # another pass held the lock


def tick() -> TickReport:
    """One pass over all download jobs; returns at once (skipped) when another pass is running."""
    with job_runs.exclusive(JOB_NAME, ttl_seconds=LOCK_SECONDS) as acquired:
        if not acquired:
            return TickReport(skipped=True)
        report = TickReport()
        with Session(get_engine(), expire_on_commit=False) as session:
            _Pass(session, report).run()
        if report.errors:
            log.warning("downloads pass had errors", extra={"errors": report.errors[:20]})
        return report


class _Job:
    """A job row read by the pass (detached), the changes the pass makes to it and the events it records.

    Changes are kept only when a value really differs, so an idle job costs no write.
    """

    def __init__(self, row: DownloadJob) -> None:
        self.row = row
        self.read_status = row.status
        self.changes: dict[str, Any] = {}
        self.events: list[DownloadEvent] = []
        self.files: list[DownloadFile] = []
        # Engine work to undo when the row cannot be written (the user changed the job meanwhile).
        self.undo: list[Callable[[], None]] = []
        # Engine work to do once the row is written.
        self.then: list[Callable[[], None]] = []

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            if getattr(self.row, name) != value:
                setattr(self.row, name, value)
                self.changes[name] = value

    def move(self, status: str, message: str, *, payload: dict[str, Any] | None = None) -> None:
        check_move(self.row.status, status)
        self.set(status=status)
        self.note(message, payload=payload)

    def note(self, message: str, *, payload: dict[str, Any] | None = None) -> None:
        self.events.append(
            DownloadEvent(
                job_id=self.row.id,
                status=self.row.status,
                message=message[:2000],
                progress_percent=self.row.progress_percent,
                payload=payload or {},
            )
        )


class _Pass:
    def __init__(self, session: Session, report: TickReport) -> None:
        self.session = session
        self.report = report
        self.settings = get_settings()
        self.now = utcnow()
        self.root = paths.downloads_root()
        # Engines by name ("" = the one new jobs go to), checked once per pass; None while unusable.
        self.engines: dict[str, DownloadEngine | None] = {}

    def run(self) -> None:
        for job in self._load(col(DownloadJob.status).in_(HELD), col(DownloadJob.engine_job_id).is_not(None)):
            self._guarded(job, self._apply_desired_state)
        for job in self._load(col(DownloadJob.status).in_(IN_ENGINE)):
            self.report.polled += 1
            self._guarded(job, self._poll)
        self._dispatch()
        self._number_queue()

    # -- plumbing ------------------------------------------------------------------------------------------

    def _load(self, *conditions: Any, limit: int | None = None) -> list[_Job]:
        query = select(DownloadJob).where(*conditions).order_by(col(DownloadJob.created_at), col(DownloadJob.id))
        rows = self.session.exec(query.limit(limit) if limit is not None else query).all()
        self.session.expunge_all()
        self.session.commit()  # ends the read, so each job's write is a short transaction of its own
        return [_Job(row) for row in rows]

    def _engine(self, name: str = "") -> DownloadEngine | None:
        """The engine by name (empty: the one new jobs go to), pinged once per pass; None while it is down."""
        if name not in self.engines:
            try:
                engine = engines.engine_named(name) if name else engines.download_engine()
                engine.ping()
            except EngineError as error:
                self.report.errors.append(f"engine {name or 'default'} unavailable: {error.message}")
                engine = None
            self.engines[name] = engine
        return self.engines[name]

    def _guarded(self, job: _Job, step: Callable[[_Job], None]) -> bool:
        """Run one step for one job and write what it changed; True when a change was written."""
        try:
            step(job)
            saved = self._save(job)
        except EngineUnavailable as error:
            # The engine went down mid-pass: not the job's fault; the next pass checks the engine again.
            self.session.rollback()
            self.engines[job.row.engine or ""] = None
            self.report.errors.append(f"{job.row.id}: engine unavailable: {error.message}")
            saved = False
        except Exception as error:
            self.session.rollback()
            log.exception("download job step failed", extra={"job_id": str(job.row.id)})
            self.report.errors.append(f"{job.row.id}: {type(error).__name__}: {error}")
            saved = False
        for action in job.then if saved else job.undo:
            try:
                action()
            except EngineError as error:
                self.report.errors.append(f"{job.row.id}: {error.message}")
        return saved

    def _save(self, job: _Job) -> bool:
        if not job.changes and not job.events:
            return False
        values = {**job.changes, "updated_at": self.now}
        written = self.session.exec(
            update(DownloadJob)
            .where(col(DownloadJob.id) == job.row.id, col(DownloadJob.status) == job.read_status)
            .values(**values)
        )
        if written.rowcount != 1:
            self.session.rollback()
            return False
        self.session.add_all([*job.events, *job.files])
        notifications.download_changed(session=self.session, job=job.row, previous=job.read_status)
        self.session.commit()
        if job.row.status in ("completed", "failed") and job.read_status != job.row.status:
            self.report.finished += 1
        return True

    # -- 2. desired states ---------------------------------------------------------------------------------

    def _apply_desired_state(self, job: _Job) -> None:
        engine = self._engine(job.row.engine)
        handle = job.row.engine_job_id
        if engine is None or handle is None:
            return
        if job.row.status != "paused":
            # What a cancelled job wrote is of no use to anyone; a failed one keeps it for a user's retry.
            engine.remove(handle, delete_files=job.row.status == "cancelled")
            job.set(engine_job_id=None)
            return
        try:
            state = engine.status(handle).state
        except EngineJobMissing:
            job.set(engine_job_id=None)
            return
        if state in ("active", "waiting"):
            engine.pause(handle)

    # -- 3. polling ----------------------------------------------------------------------------------------

    def _poll(self, job: _Job) -> None:
        row = job.row
        engine = self._engine(row.engine) if row.engine_job_id else self._engine()
        if engine is None:
            return
        if row.engine_job_id is None:
            # Written as started but never handed over (the process died in between): hand it over now.
            self._add(job, engine, "Handed to the engine again after an interruption")
            return
        try:
            status = engine.status(row.engine_job_id)
            if status.followed_by and status.followed_by != row.engine_job_id:
                job.set(engine_job_id=status.followed_by)
                status = engine.status(status.followed_by)
        except EngineJobMissing:
            self._add(job, engine, "Re-added after the engine restarted")
            return
        if status.state == "error":
            self._fail(job, engine, status.error_message or "The download engine reported an error.")
        elif status.state == "removed":
            self._fail(job, engine, "The download was removed from the engine outside /seen/.")
        elif status.state == "complete" and not status.is_metadata:
            self._complete(job, engine, status)
        else:
            if status.state == "paused":
                engine.resume(row.engine_job_id)
            self._progress(job, engine, status)

    def _add(self, job: _Job, engine: DownloadEngine, message: str) -> None:
        try:
            request = self._request(job.row)
        except InvalidInput as error:
            # A folder outside the downloads directory: no retry makes it safe.
            self._fail(job, engine, error.message, final=True)
            return
        try:
            handle = engine.add(request)
        except EngineUnavailable:
            raise
        except EngineError as error:
            self._fail(job, engine, error.message)
            return
        job.undo.append(lambda: engine.remove(handle, delete_files=False))
        job.set(engine_job_id=handle, engine=engine.name, progressed_at=self.now)
        job.note(message)

    def _request(self, row: DownloadJob) -> DownloadRequest:
        directory = paths.inside(self.root, row.directory or paths.job_directory_name(row.id, row.title))
        directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        return DownloadRequest(
            source_type=row.source_type, source=row.source, directory=directory, torrent_data=row.torrent_data
        )

    def _progress(self, job: _Job, engine: DownloadEngine, status: EngineStatus) -> None:
        row = job.row
        speed = status.download_speed_bps
        job.set(
            download_speed_mbps=round(speed * 8 / 1_000_000, 2),
            peers=status.peers,
            seeders=status.seeders,
        )
        if status.is_metadata:
            # The metadata step's bytes are not the payload's: progress waits for the real download.
            self._check_stall(job, engine)
            return
        total = status.bytes_total or row.bytes_total
        grew = status.bytes_completed > row.bytes_downloaded
        done = max(row.bytes_downloaded, status.bytes_completed)
        percent = min(99, done * 100 // total) if total else 0
        job.set(
            bytes_total=total,
            bytes_downloaded=done,
            progress_percent=max(row.progress_percent, percent),
            eta_seconds=math.ceil((total - done) / speed) if speed > 0 and total > done else None,
        )
        if row.status == "preparing":
            job.set(progressed_at=self.now, error_message="")
            job.move("downloading", "Metadata received: downloading", payload={"bytes_total": total})
        elif grew:
            job.set(progressed_at=self.now)
            if row.status == "stalled":
                job.move("downloading", "Receiving data again")
        else:
            self._check_stall(job, engine)

    def _check_stall(self, job: _Job, engine: DownloadEngine) -> None:
        row = job.row
        since = row.progressed_at or row.started_at
        if since is None:
            return
        idle = (self.now - as_utc(since)).total_seconds()
        stall = self.settings.download_stall_seconds
        if idle >= stall * STALLS_BEFORE_RETRY:
            what = "metadata" if row.status == "preparing" else "data"
            self._fail(job, engine, f"No {what} received for {int(idle)} seconds.")
        elif idle >= stall and row.status == "downloading":
            job.set(download_speed_mbps=0.0, eta_seconds=None)
            job.move("stalled", f"No data received for {int(idle)} seconds.")

    def _fail(self, job: _Job, engine: DownloadEngine, reason: str, *, final: bool = False) -> None:
        """Retry after a backoff that doubles each time, or fail for good after MAX_RETRIES retries (or at once
        when a retry cannot help)."""
        row = job.row
        handle = row.engine_job_id
        if handle is not None:
            # Files stay: the retry (or a user's) continues from them.
            job.then.append(lambda: engine.remove(handle, delete_files=False))
        job.set(engine_job_id=None, download_speed_mbps=0.0, eta_seconds=None, peers=0, seeders=0)
        job.set(error_message=reason[:2000])
        if final:
            job.set(retry_at=None)
            job.move("failed", reason, payload={"reason": reason})
        elif row.retry_count < MAX_RETRIES:
            count = row.retry_count + 1
            delay = self.settings.download_retry_backoff_seconds * 2 ** (count - 1)
            job.set(retry_count=count, retry_at=self.now + timedelta(seconds=delay))
            job.move(
                "retrying",
                f"{reason} Retry {count} of {MAX_RETRIES} in {delay:g} seconds.",
                payload={"retry": count, "delay_seconds": delay, "reason": reason},
            )
        else:
            job.set(retry_at=None)
            job.move("failed", f"{reason} Gave up after {MAX_RETRIES} retries.", payload={"reason": reason})

    def _complete(self, job: _Job, engine: DownloadEngine, status: EngineStatus) -> None:
        row = job.row
        try:
            recorded = self._files(row, status.files or engine.files(row.engine_job_id or ""))
        except InvalidInput as error:
            # An engine writing outside the job's folder is not something a retry fixes.
            self._fail(job, engine, error.message, final=True)
            return
        if row.status == "preparing":
            # A small magnet can finish its metadata and its payload between two passes.
            job.move("downloading", "Metadata received: downloading")
        selected = [file for file in recorded if file.selected]
        total = sum(file.size_bytes for file in selected) or status.bytes_total or row.bytes_total
        job.files = recorded
        job.set(
            bytes_total=total,
            bytes_downloaded=max(total, row.bytes_downloaded),
            progress_percent=100,
            download_speed_mbps=0.0,
            eta_seconds=None,
            peers=0,
            seeders=0,
            error_message="",
            completed_at=self.now,
        )
        job.move("completed", "Download complete", payload={"files": len(selected), "bytes": total})
        handle = row.engine_job_id
        if handle is not None:
            # Keep the files, stop seeding and let the engine forget the finished job.
            job.then.append(lambda: engine.remove(handle, delete_files=False))
        # Once the completion is committed: its video files go into the library (never raises).
        job.then.append(lambda: library_scan.scan_finished_download(job_id=row.id))

    def _files(self, row: DownloadJob, reported: list[EngineFile]) -> list[DownloadFile]:
        """File rows for what the engine wrote, each checked to lie inside the job's folder (PathEscape if not)."""
        job_directory = paths.inside(self.root, row.directory)
        root = self.root.resolve()
        existing = {
            file.path: file
            for file in self.session.exec(select(DownloadFile).where(col(DownloadFile.job_id) == row.id)).all()
        }
        rows = []
        for reported_file in reported:
            relative = paths.inside(job_directory, reported_file.path).relative_to(root).as_posix()
            file = existing.get(relative) or DownloadFile(job_id=row.id, path=relative)
            file.size_bytes = reported_file.size_bytes
            file.bytes_completed = reported_file.bytes_completed
            file.selected = reported_file.selected
            file.updated_at = self.now
            rows.append(file)
        return rows

    # -- 4. dispatching ------------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        running = self.session.exec(
            select(func.count()).select_from(DownloadJob).where(col(DownloadJob.status).in_(IN_ENGINE))
        ).one()
        free = self.settings.download_max_active - running
        if free <= 0:
            return
        due = or_(col(DownloadJob.status) == "queued", col(DownloadJob.retry_at) <= self.now)
        for job in self._load(col(DownloadJob.status).in_(WAITING), due, limit=free):
            engine = self._engine(job.row.engine) if job.row.engine_job_id else self._engine()
            if engine is None:
                return
            if self._guarded(job, lambda job, engine=engine: self._start(job, engine)):
                self.report.dispatched += 1

    def _start(self, job: _Job, engine: DownloadEngine) -> None:
        """queued/retrying -> preparing -> (engine) -> downloading; magnets stay preparing until metadata."""
        row = job.row
        resumed = False
        if row.engine_job_id is not None:
            # Paused earlier and resumed by the user: the engine still holds it and continues where it stopped.
            try:
                engine.resume(row.engine_job_id)
                resumed = True
            except EngineJobMissing:
                job.set(engine_job_id=None)
        job.move("preparing", "Resuming" if resumed else "Starting")
        job.set(queue_position=None, retry_at=None, progressed_at=self.now)
        if row.started_at is None:
            job.set(started_at=self.now)
        if not resumed:
            self._add(job, engine, "Fetching metadata" if row.source_type == "magnet" else "Handed to the engine")
            if row.status != "preparing":  # the engine refused it: retrying or failed
                return
        if row.source_type != "magnet":
            job.set(error_message="")
            job.move("downloading", "Downloading")

    def _number_queue(self) -> None:
        """Waiting jobs get positions 1..n in the order they will start, every other job none; one statement
        each, touching only rows whose position changes."""
        ranked = (
            select(
                col(DownloadJob.id).label("job_id"),
                func.row_number().over(order_by=(col(DownloadJob.created_at), col(DownloadJob.id))).label("position"),
            )
            .where(col(DownloadJob.status).in_(WAITING))
            .subquery()
        )
        self.session.exec(
            update(DownloadJob)
            .where(
                col(DownloadJob.id) == ranked.c.job_id,
                or_(col(DownloadJob.queue_position).is_(None), col(DownloadJob.queue_position) != ranked.c.position),
            )
            .values(queue_position=ranked.c.position, updated_at=self.now)
        )
        self.session.exec(
            update(DownloadJob)
            .where(col(DownloadJob.status).not_in(WAITING), col(DownloadJob.queue_position).is_not(None))
            .values(queue_position=None, updated_at=self.now)
        )
        self.session.commit()
