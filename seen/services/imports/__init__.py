"""Imports of records kept elsewhere (Letterboxd, Trakt, IMDb, our own export), as background jobs.

`start_import` refuses a bad upload at once (size, type, broken CSV/JSON, zip bombs) and changes nothing;
a good one becomes a queued job that `run_import` (the "imports.run" actor) works through. Every input row
ends in the job's report with its outcome: added (or updated), already there, or not imported with the
reason. A user only ever sees their own jobs: another user's job id is "not found".
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from seen.db import after_commit
from seen.models.base import as_utc, utcnow
from seen.models.tracking import ImportJob
from seen.services.errors import Conflict, InvalidInput, NotFound
from seen.services.imports.runner import SOURCES, parse_upload, run_import

__all__ = [
    "OUTCOMES",
    "SOURCES",
    "ImportReport",
    "ImportStatus",
    "ReportRow",
    "import_report",
    "import_status",
    "list_imports",
    "run_import",
    "start_import",
]

log = logging.getLogger(__name__)

OUTCOMES = ("added", "updated", "already_there", "not_imported")
ACTOR = "imports.run"
STALE_QUEUED_JOB = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ImportStatus:
    id: str
    source: str
    file_name: str
    dry_run: bool
    status: str  # queued | running | completed | failed
    total_rows: int
    processed_rows: int
    added: int
    already_there: int
    not_imported: int
    percent: int
    error: str
    created_at: str
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    file: str
    line: int
    title: str
    year: int | None
    outcome: str
    reason: str
    media_id: int | None


@dataclass(frozen=True, slots=True)
class ImportReport:
    job: ImportStatus
    rows: list[ReportRow]
    total: int  # rows matching the outcome filter
    ignored_files: list[dict[str, str]]
    notes: list[str]


def _moment(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _status(job: ImportJob) -> ImportStatus:
    if job.status == "completed":
        percent = 100
    else:
        percent = int(job.processed_rows * 100 / job.total_rows) if job.total_rows else 0
    return ImportStatus(
        id=str(job.id),
        source=job.source,
        file_name=job.file_name,
        dry_run=job.dry_run,
        status=job.status,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        added=job.added,
        already_there=job.already_there,
        not_imported=job.not_imported,
        percent=min(percent, 100),
        error=job.error,
        created_at=_moment(job.created_at) or "",
        finished_at=_moment(job.finished_at),
    )


def start_import(
    *, session: Session, user_id: uuid.UUID, source: str, file_name: str, data: bytes, dry_run: bool
) -> ImportStatus:
    """Check the upload and queue its job (sent to the worker once this transaction commits)."""
    parsed, _ignored = parse_upload(source=source, data=data, file_name=file_name)
    if not parsed.items:
        raise InvalidInput(f"{file_name or 'the upload'} holds no rows to import")
    if not dry_run and _import_under_way(session, user_id):
        # Each job reads what the user already has once, up front: two at a time could both add a row.
        raise Conflict("Another import of yours is still running; start this one when it has finished")
    job = ImportJob(
        user_id=user_id,
        source=source,
        dry_run=dry_run,
        file_name=(file_name or "upload")[-255:],
        upload=data,
        total_rows=len(parsed.items),
    )
    session.add(job)
    session.flush()
    after_commit(session, lambda: _enqueue(job.id))
    return _status(job)


def _import_under_way(session: Session, user_id: uuid.UUID) -> bool:
    # A job queued long ago whose worker never came (broker down) must not block imports for ever.
    since = utcnow() - STALE_QUEUED_JOB
    return (
        session.exec(
            select(ImportJob.id).where(
                ImportJob.user_id == user_id,
                col(ImportJob.dry_run).is_(False),
                col(ImportJob.status).in_(("queued", "running")),
                col(ImportJob.created_at) > since,
            )
        ).first()
        is not None
    )


def _enqueue(job_id: uuid.UUID) -> None:
    from seen.jobs import enqueue

    try:
        enqueue(ACTOR, job_id=str(job_id))
    except Exception:  # the job stays queued and says so; the upload is kept for a retry
        log.warning("could not queue an import job", extra={"job_id": str(job_id)}, exc_info=True)


def _job(session: Session, user_id: uuid.UUID, job_id: uuid.UUID | str, *, with_report: bool = False) -> ImportJob:
    try:
        wanted = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    except ValueError as error:
        raise NotFound("No such import") from error
    # Polled every second or so: the upload (up to 32 MB) and the report stay in the database unless needed.
    heavy = [defer(ImportJob.upload)] + ([] if with_report else [defer(ImportJob.report)])
    job = session.exec(
        select(ImportJob).where(ImportJob.id == wanted, ImportJob.user_id == user_id).options(*heavy)
    ).first()
    if job is None:
        raise NotFound("No such import")
    return job


def import_status(*, session: Session, user_id: uuid.UUID, job_id: uuid.UUID | str) -> ImportStatus:
    return _status(_job(session, user_id, job_id))


def import_report(
    *,
    session: Session,
    user_id: uuid.UUID,
    job_id: uuid.UUID | str,
    outcome: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> ImportReport:
    """The job's rows (those with `outcome` only, when given), a page at a time."""
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    job = _job(session, user_id, job_id, with_report=True)
    report = job.report or {}
    rows = [row for row in report.get("rows", []) if outcome is None or row.get("outcome") == outcome]
    return ImportReport(
        job=_status(job),
        rows=[ReportRow(**row) for row in rows[offset : offset + limit]],
        total=len(rows),
        ignored_files=list(report.get("ignored_files", [])),
        notes=list(report.get("notes", [])),
    )


def list_imports(*, session: Session, user_id: uuid.UUID, limit: int = 20) -> list[ImportStatus]:
    jobs = session.exec(
        select(ImportJob)
        .where(ImportJob.user_id == user_id)
        .options(defer(ImportJob.upload), defer(ImportJob.report))
        .order_by(col(ImportJob.created_at).desc())
        .limit(limit)
    ).all()
    return [_status(job) for job in jobs]
