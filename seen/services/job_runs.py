"""The record of scheduled job runs shown to admins: last run, duration, outcome."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from seen.cache import get_cache, key
from seen.db import session_scope
from seen.models.base import as_utc, utcnow
from seen.models.system import JobRun


@dataclass(frozen=True)
class JobSummary:
    job_name: str
    status: str
    started_at: datetime
    duration_ms: int | None
    detail: str


@contextmanager
def recorded_run(job_name: str) -> Iterator[Callable[[str], None]]:
    """Record one run of a job in its own transaction; the block may report a detail line."""
    with session_scope() as session:
        run = JobRun(job_name=job_name)
        session.add(run)
        session.flush()
        run_id = run.id
    detail: list[str] = []
    status = "ok"
    try:
        yield detail.append
    except Exception as error:
        status = "failed"
        detail.append(f"{type(error).__name__}: {error}")
        raise
    finally:
        with session_scope() as session:
            run = session.get(JobRun, run_id)
            if run is not None:
                run.finished_at = utcnow()
                run.duration_ms = int((run.finished_at - as_utc(run.started_at)).total_seconds() * 1000)
                run.status = status
                run.detail = "; ".join(detail)[:2000]
                session.add(run)


def latest_runs(*, session: Session) -> list[JobSummary]:
    """The newest run of each job."""
    newest = select(JobRun.job_name, func.max(JobRun.id).label("last_id")).group_by(JobRun.job_name).subquery()
    rows = session.exec(
        select(JobRun).join(newest, col(JobRun.id) == newest.c.last_id).order_by(col(JobRun.job_name))
    ).all()
    return [JobSummary(row.job_name, row.status, as_utc(row.started_at), row.duration_ms, row.detail) for row in rows]


@contextmanager
def exclusive(job_name: str, *, ttl_seconds: int) -> Iterator[bool]:
    """A lock across processes (through the cache) so two runs of one job never overlap: the block gets
    False when a run is already going. The TTL frees the lock if its holder dies mid-run."""
    lock = key("job-lock", job_name)
    if not get_cache().add_json(lock, utcnow().isoformat(), ttl_seconds):
        yield False
        return
    try:
        yield True
    finally:
        get_cache().delete(lock)
