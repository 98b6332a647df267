"""Calendar actors: keep the release calendar fresh by re-reading followed titles that have dates to come."""

from __future__ import annotations

import dramatiq

from seen.services import calendar
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)
from workers.catalogue import _scheduled

# Titles re-read per run: every 6 hours, enough for the followed titles whose dates move, without
# hammering the providers (each title is one request, a running show one more per recent season).
REFRESH_LIMIT = 60


@dramatiq.actor(actor_name="calendar.refresh_upcoming", queue_name="catalogue", max_retries=0)
def refresh_upcoming() -> None:
    _scheduled("calendar.refresh_upcoming", lambda: calendar.refresh_upcoming(limit=REFRESH_LIMIT))
