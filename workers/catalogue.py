"""Catalogue actors: scheduled syncs of sections, genres and stale titles, and on-demand refreshes.

Each scheduled job holds a cross-process lock for its run (`job_runs.exclusive`), so a slow run is never
joined by the next one; a run that finds the lock taken ends at once and says so.
"""

from __future__ import annotations

import logging

import dramatiq

from seen.services import catalogue_sync, job_runs
from seen.services.errors import NotFound
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)

log = logging.getLogger(__name__)

# Longer than any healthy run of the job, so a crashed holder frees the lock before the next schedule.
LOCK_SECONDS = 30 * 60


def _scheduled(job_name: str, run) -> None:
    with job_runs.exclusive(job_name, ttl_seconds=LOCK_SECONDS) as acquired:
        if not acquired:
            log.info("job already running, skipped", extra={"job": job_name})
            return
        with job_runs.recorded_run(job_name) as report:
            lines = run()
            report("; ".join(lines) if isinstance(lines, list) else str(lines))


@dramatiq.actor(actor_name="catalogue.sync_trending", queue_name="catalogue", max_retries=0)
def sync_trending() -> None:
    _scheduled("catalogue.sync_trending", lambda: catalogue_sync.sync_sections(job="trending"))


@dramatiq.actor(actor_name="catalogue.sync_lists", queue_name="catalogue", max_retries=0)
def sync_lists() -> None:
    _scheduled("catalogue.sync_lists", lambda: catalogue_sync.sync_sections(job="lists"))


@dramatiq.actor(actor_name="catalogue.sync_game_lists", queue_name="catalogue", max_retries=0)
def sync_game_lists() -> None:
    _scheduled("catalogue.sync_game_lists", lambda: catalogue_sync.sync_sections(job="games"))


@dramatiq.actor(actor_name="catalogue.sync_genres", queue_name="catalogue", max_retries=0)
def sync_genres() -> None:
    _scheduled("catalogue.sync_genres", catalogue_sync.sync_genres)


@dramatiq.actor(actor_name="catalogue.refresh_stale", queue_name="catalogue", max_retries=0)
def refresh_stale() -> None:
    _scheduled("catalogue.refresh_stale", catalogue_sync.refresh_stale)


@dramatiq.actor(actor_name="catalogue.cleanup_sync_log", queue_name="maintenance", max_retries=0)
def cleanup_sync_log() -> None:
    _scheduled("catalogue.cleanup_sync_log", lambda: [f"removed {catalogue_sync.cleanup_sync_log()} entries"])


# On-demand refreshes: the sync service already retried with backoff and logged every attempt, so the
# broker does not retry again (max_retries=0); a title that vanished is simply done.
@dramatiq.actor(actor_name="catalogue.refresh_media", queue_name="catalogue", max_retries=0)
def refresh_media(media_id: int) -> None:
    try:
        catalogue_sync.refresh_media(media_id=media_id)
    except (catalogue_sync.SyncFailed, NotFound) as error:
        log.info("title refresh failed", extra={"media_id": media_id, "error": str(error)})


@dramatiq.actor(actor_name="catalogue.refresh_season", queue_name="catalogue", max_retries=0)
def refresh_season(media_id: int, number: int) -> None:
    try:
        catalogue_sync.refresh_season(media_id=media_id, number=number)
    except (catalogue_sync.SyncFailed, NotFound) as error:
        log.info("season refresh failed", extra={"media_id": media_id, "season": number, "error": str(error)})


@dramatiq.actor(actor_name="catalogue.refresh_person", queue_name="catalogue", max_retries=0)
def refresh_person(person_id: int) -> None:
    try:
        catalogue_sync.refresh_person(person_id=person_id)
    except (catalogue_sync.SyncFailed, NotFound) as error:
        log.info("person refresh failed", extra={"person_id": person_id, "error": str(error)})
