"""The library scan actor: runs one queued scan (its id) to its end."""

from __future__ import annotations

import uuid

import dramatiq

from seen.services import library_scan
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)

# A first scan of a large library probes every file; the default 10-minute limit would cut it mid-way.
TIME_LIMIT_MS = 6 * 60 * 60 * 1000


# Not retried by the broker: a failed scan is recorded with its reason, and a new scan picks up where files
# stand (unchanged files cost a stat each).
@dramatiq.actor(actor_name=library_scan.SCAN_ACTOR, queue_name="library", max_retries=0, time_limit=TIME_LIMIT_MS)
def scan(scan_id: str) -> None:
    library_scan.run_scan(scan_id=uuid.UUID(scan_id))
