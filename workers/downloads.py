"""The downloads actor: one runner pass (poll engines, apply users' changes, start waiting jobs).

Enqueued after every change a user makes and on a schedule every `download_poll_interval_seconds`; a pass
that finds another one running ends at once, so piled-up messages cost nothing.
"""

from __future__ import annotations

import dramatiq

from seen.services import download_runner
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)

# A pass with many jobs on a slow engine can take a while; the runner's lock TTL bounds it anyway.
TIME_LIMIT_MS = download_runner.LOCK_SECONDS * 1000


# Not retried by the broker: the next scheduled pass is seconds away. Not recorded in job_runs either: a
# pass every few seconds would bury the scheduled jobs admins look at.
@dramatiq.actor(actor_name="downloads.tick", queue_name="downloads", max_retries=0, time_limit=TIME_LIMIT_MS)
def tick() -> None:
    download_runner.tick()
