"""Recommendation actors: rescoring one user after their history changed, and the scheduled pass over stale
snapshots. Both are safe to run twice (a refresh replaces the snapshot)."""

from __future__ import annotations

import logging
import time
import uuid

import dramatiq

from seen import cache
from seen.db import session_scope
from seen.services import recommendations, user_cache
from workers import broker as _broker  # noqa: F401  (installs the broker before actors are declared)
from workers.catalogue import _scheduled

log = logging.getLogger(__name__)


@dramatiq.actor(actor_name="recommendations.refresh_user", queue_name="recommendations", max_retries=3)
def refresh_user(user_id: str) -> None:
    user = uuid.UUID(user_id)
    # Changes from now on queue the next run: this one may already have read them, or not.
    cache.get_cache().delete(user_cache.recommendations_pending_key(user))
    with session_scope() as session:
        count = recommendations.refresh_for_user(session=session, user_id=user)
    log.info("recommendations refreshed", extra={"user_id": user_id, "titles": count})


def refresh_all() -> list[str]:
    started = time.monotonic()
    with session_scope() as session:
        due = recommendations.users_due(session=session)
    done = 0
    for user_id in due:
        try:
            with session_scope() as session:
                recommendations.refresh_for_user(session=session, user_id=user_id)
            done += 1
        except Exception:  # one user's failure must not stop the others
            log.warning("recommendations refresh failed", exc_info=True, extra={"user_id": str(user_id)})
    return [f"refreshed {done} of {len(due)} users in {time.monotonic() - started:.1f} s"]


@dramatiq.actor(actor_name="recommendations.refresh_all", queue_name="recommendations", max_retries=0)
def refresh_all_actor() -> None:
    _scheduled("recommendations.refresh_all", refresh_all)
