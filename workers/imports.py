"""The import actor: runs one uploaded import job (its id) to its end."""

from __future__ import annotations

import uuid

import dramatiq

from seen.services import imports
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)

# A big export against a slow provider takes minutes; the default 10-minute limit could cut it mid-way.
TIME_LIMIT_MS = 60 * 60 * 1000


# Not retried by the broker: a failed job is recorded as failed with its error, and running it again is the
# user's choice (a re-run adds only what is missing).
@dramatiq.actor(actor_name="imports.run", queue_name="imports", max_retries=0, time_limit=TIME_LIMIT_MS)
def run_import(job_id: str) -> None:
    imports.run_import(job_id=uuid.UUID(job_id))
