"""The actors. Thin: they take ids or nothing, call a service, and are safe to run twice."""

from __future__ import annotations

import logging

import dramatiq

from seen.db import session_scope
from seen.services import auth, images, job_runs
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)
from workers import calendar as _calendar  # noqa: F401
from workers import catalogue as _catalogue  # noqa: F401  (`dramatiq workers.tasks` loads every actor)
from workers import downloads as _downloads  # noqa: F401
from workers import imports as _imports  # noqa: F401
from workers import library as _library  # noqa: F401
from workers import notifications as _notifications  # noqa: F401
from workers import recommendations as _recommendations  # noqa: F401

log = logging.getLogger(__name__)


@dramatiq.actor(actor_name="sessions.purge_expired", queue_name="maintenance", max_retries=3)
def purge_expired_sessions() -> None:
    with job_runs.recorded_run("sessions.purge_expired") as report, session_scope() as session:
        removed = auth.purge_expired_sessions(session=session)
        report(f"removed {removed} sessions")
        log.info("purged expired sessions", extra={"removed": removed})


@dramatiq.actor(actor_name="images.prefetch", queue_name="images", max_retries=3)
def prefetch_images(items: list[list[str]]) -> None:
    """Store the artwork of [provider, kind, path] triples; stored ones are skipped, so a retry only redoes failures.

    Not recorded in job_runs: it runs once per catalogue fetch, which would bury the scheduled jobs admins look at.
    """
    report = images.prefetch(items=[(provider, kind, path) for provider, kind, path in items])
    log.info("prefetched images", extra={"ready": report.ready, "missing": report.missing, "failed": report.failed})
    if report.failed:
        # Raising hands the message to the Retries middleware (with backoff); missing images are not retried.
        raise images.ImageUnavailable(f"{report.failed} of {len(items)} images could not be fetched")
