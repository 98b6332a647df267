"""Notification actors: releases of what users follow, and the daily digests, each hourly.

Both are idempotent (dedupe keys, one digest a day per user) and hold `job_runs.exclusive` for their run.
"""

from __future__ import annotations

import dramatiq

from seen.db import session_scope
from seen.models.base import utcnow
from seen.services import notifications
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)
from workers.catalogue import _scheduled


def _releases(lookback_days: int) -> list[str]:
    with session_scope() as session:
        return notifications.release_notifications(
            session=session, today=utcnow().date(), lookback_days=lookback_days
        ).lines()


def _digests() -> str:
    with session_scope() as session:
        return f"sent {notifications.send_digests(session=session, now=utcnow())} digests"


@dramatiq.actor(actor_name="notifications.releases", queue_name="notifications", max_retries=0)
def releases(lookback_days: int = notifications.DEFAULT_LOOKBACK_DAYS) -> None:
    """Scheduled with the default window; an admin's "check now" may look further back."""
    _scheduled("notifications.releases", lambda: _releases(lookback_days))


@dramatiq.actor(actor_name="notifications.digest", queue_name="notifications", max_retries=0)
def digest() -> None:
    _scheduled("notifications.digest", _digests)
