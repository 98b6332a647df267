"""The actors. Thin: they take ids or nothing, call a service, and are safe to run twice."""

from __future__ import annotations

import logging

import dramatiq

from seen.db import session_scope
from seen.services import auth, job_runs
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)

log = logging.getLogger(__name__)


@dramatiq.actor(actor_name="sessions.purge_expired", queue_name="maintenance", max_retries=3)
def purge_expired_sessions() -> None:
    with job_runs.recorded_run("sessions.purge_expired") as report, session_scope() as session:
        removed = auth.purge_expired_sessions(session=session)
        report(f"removed {removed} sessions")
        log.info("purged expired sessions", extra={"removed": removed})
