"""The schedules: each job on its own trigger, never two runs of one job at once, missed runs coalesced.

Embedded: started inside the app process. Production: `python -m workers.scheduler` as its own service.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from seen.config import get_settings
from seen.jobs import enqueue
from workers import tasks  # noqa: F401  (declares the actors the schedules enqueue)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    actor_name: str
    trigger: IntervalTrigger


SCHEDULES = (
    Schedule("sessions.purge_expired", IntervalTrigger(hours=6)),
    Schedule("catalogue.sync_trending", IntervalTrigger(minutes=10)),
    Schedule("catalogue.sync_lists", IntervalTrigger(minutes=45)),
    Schedule("catalogue.sync_game_lists", IntervalTrigger(hours=1)),
    Schedule("catalogue.sync_genres", IntervalTrigger(days=1)),
    Schedule("catalogue.refresh_stale", IntervalTrigger(weeks=1)),
    Schedule("catalogue.cleanup_sync_log", IntervalTrigger(days=30)),
    # Re-reads followed titles with dates to come whose details are a day old (at most 60 a run).
    Schedule("calendar.refresh_upcoming", IntervalTrigger(hours=6)),
    # Rescores snapshots older than six hours (users seen in the last 30 days), at most 500 a run.
    Schedule("recommendations.refresh_all", IntervalTrigger(hours=1)),
    # Release notifications and daily digests: idempotent, so hourly is only how soon news arrives.
    Schedule("notifications.releases", IntervalTrigger(hours=1)),
    Schedule("notifications.digest", IntervalTrigger(hours=1)),
    # Polls running downloads and starts waiting ones; the interval is the setting's when the process starts.
    Schedule("downloads.tick", IntervalTrigger(seconds=get_settings().download_poll_interval_seconds)),
)


def build_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    for schedule in SCHEDULES:
        scheduler.add_job(
            enqueue,
            schedule.trigger,
            args=[schedule.actor_name],
            id=schedule.actor_name,
            name=schedule.actor_name,
            # Once at start as well: a server that restarts often still runs every job.
            next_run_time=datetime.now(UTC),
        )
    return scheduler


def main() -> None:
    from seen.logs import configure_logging

    configure_logging()
    scheduler = build_scheduler()
    scheduler.start()
    log.info("scheduler started", extra={"jobs": [s.actor_name for s in SCHEDULES]})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    scheduler.shutdown()


if __name__ == "__main__":
    main()
