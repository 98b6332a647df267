"""The import job: parse the stored upload, match each row, apply it (or only judge it, in a dry run), and
keep the job row's counters current so a progress bar can follow.

Rows go in chunks: a chunk is matched first (the matcher may store provider answers in transactions of its
own, which SQLite would block behind our uncommitted writes), then applied and committed with the counters.
A crash ends the job "failed" with its error; what earlier chunks wrote stays, and running the import again
adds only the rest. The upload is cleared when the job ends, whatever the outcome.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from seen.db import session_scope
from seen.models.base import utcnow
from seen.models.tracking import ImportJob
from seen.services import catalogue_sync
from seen.services.errors import InvalidInput
from seen.services.imports import imdb, letterboxd, seen_format, trakt, upload
from seen.services.imports.items import ImportItem, Parsed
from seen.services.imports.ledger import ADDED, ALREADY, NOT_IMPORTED, UPDATED, Ledger
from seen.services.imports.matching import Matcher

log = logging.getLogger(__name__)

PARSERS: dict[str, Callable[..., tuple[Parsed, list[dict[str, str]]]]] = {
    "letterboxd": letterboxd.parse,
    "trakt": trakt.parse,
    "imdb": imdb.parse,
    "seen": seen_format.parse,
}
SOURCES = tuple(PARSERS)
CHUNK_ROWS = 50
FINISHED = ("completed", "failed")


def parse_upload(*, source: str, data: bytes, file_name: str) -> tuple[Parsed, list[dict[str, str]]]:
    """The upload's items, or InvalidInput saying why the file is refused."""
    if source not in PARSERS:
        raise InvalidInput(f"unknown import source {source!r}; expected one of {', '.join(SOURCES)}")
    upload.check_size(data)
    return PARSERS[source](data, file_name=file_name or "upload")


def _report_row(item: ImportItem, outcome: str, reason: str, media_id: int | None) -> dict[str, Any]:
    return {
        "file": item.file,
        "line": item.line,
        "title": item.label,
        "year": item.ref.year if item.ref else None,
        "outcome": outcome,
        "reason": reason,
        "media_id": media_id,
    }


def run_import(*, job_id: uuid.UUID, sources: catalogue_sync.Sources | None = None) -> str:
    """Run one queued job to its end; returns its final status. Safe to call twice: a finished job is left."""
    with session_scope() as session:
        job = session.get(ImportJob, job_id)
        if job is None or job.status in FINISHED:
            return job.status if job is not None else "missing"
        job.status, job.started_at = "running", utcnow()
        session.add(job)
    try:
        with nullcontext(sources) if sources is not None else catalogue_sync.open_sources() as opened:
            _run(job_id, opened)
    except Exception as error:
        if not isinstance(error, InvalidInput):
            log.exception("import job failed", extra={"job_id": str(job_id)})
        message = error.message if isinstance(error, InvalidInput) else f"unexpected error: {error}"
        with session_scope() as session:
            job = session.get(ImportJob, job_id)
            job.status, job.error, job.upload, job.finished_at = "failed", message[:2000], None, utcnow()
            session.add(job)
        return "failed"
    return "completed"


def _run(job_id: uuid.UUID, sources: catalogue_sync.Sources) -> None:
    with session_scope() as session:
        job = session.get(ImportJob, job_id)
        parsed, ignored = parse_upload(source=job.source, data=job.upload or b"", file_name=job.file_name)
        job.total_rows, job.processed_rows, job.added, job.already_there, job.not_imported = (
            len(parsed.items),
            0,
            0,
            0,
            0,
        )
        session.add(job)
        session.commit()
        matcher = Matcher(session=session, sources=sources)
        ledger = Ledger(session=session, user_id=job.user_id, dry_run=job.dry_run)
        ledger.declare_collections(parsed.collections)
        rows: list[dict[str, Any]] = []
        for start in range(0, len(parsed.items), CHUNK_ROWS):
            chunk = parsed.items[start : start + CHUNK_ROWS]
            found = [matcher.match(item.ref) if item.action != "skip" and item.ref else None for item in chunk]
            for item, match in zip(chunk, found, strict=True):
                if item.action == "skip":
                    outcome, reason, media_id = NOT_IMPORTED, item.skip_reason, None
                elif not isinstance(match, int):
                    outcome, reason, media_id = NOT_IMPORTED, match or "the row names no title", None
                else:
                    media_id = match
                    outcome, reason = ledger.apply(item, media_id)
                rows.append(_report_row(item, outcome, reason, media_id))
                job.added += outcome in (ADDED, UPDATED)
                job.already_there += outcome == ALREADY
                job.not_imported += outcome == NOT_IMPORTED
            job.processed_rows = len(rows)
            session.add(job)
            session.commit()
        ledger.finish()
        notes = [note for note in (matcher.demo_note,) if note]
        if job.dry_run:
            notes.append("dry run: nothing was written; the outcomes say what an import would do")
        job.report = {"rows": rows, "ignored_files": ignored, "notes": notes}
        job.status, job.upload, job.finished_at = "completed", None, utcnow()
        session.add(job)
