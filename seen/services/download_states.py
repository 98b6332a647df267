"""The download job state machine: which statuses exist, which moves are allowed, which ones are final.

The one place these rules live: the service, the runner, the API and the pages ask here.
"""

from __future__ import annotations

from seen.services.errors import Conflict

ACTIVE = frozenset({"queued", "preparing", "downloading", "stalled", "retrying"})
TERMINAL = frozenset({"completed", "failed", "cancelled"})
# Holding an engine slot: the dispatcher never runs more of these than DOWNLOAD_MAX_ACTIVE.
IN_ENGINE = frozenset({"preparing", "downloading", "stalled"})
WAITING = frozenset({"queued", "retrying"})
PAUSABLE = frozenset({"queued", "preparing", "downloading", "stalled", "retrying"})
RETRYABLE = frozenset({"failed", "cancelled"})
# Shown in the dashboard's active-downloads widget and counted there.
SHOWN_AS_ACTIVE = ACTIVE | {"paused"}

MAX_RETRIES = 3

TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"preparing", "paused", "cancelled", "failed"}),
    "preparing": frozenset({"downloading", "retrying", "paused", "cancelled", "failed"}),
    "downloading": frozenset({"stalled", "completed", "failed", "retrying", "paused", "cancelled"}),
    "stalled": frozenset({"downloading", "retrying", "completed", "failed", "paused", "cancelled"}),
    "retrying": frozenset({"preparing", "paused", "cancelled", "failed"}),
    "paused": frozenset({"queued", "cancelled"}),
    # A user's retry starts a failed or cancelled job again from the queue.
    "failed": frozenset({"queued"}),
    "cancelled": frozenset({"queued"}),
    "completed": frozenset(),
}

STATUS_LABELS = {
    "queued": "Queued",
    "preparing": "Preparing",
    "downloading": "Downloading",
    "stalled": "Stalled",
    "retrying": "Retrying",
    "paused": "Paused",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    """Raise Conflict (HTTP 409 with a message) when the job cannot go from `current` to `target`."""
    if not can_move(current, target):
        raise Conflict(
            f"A {STATUS_LABELS.get(current, current).lower()} download cannot become "
            f"{STATUS_LABELS.get(target, target).lower()}.",
            code="invalid_transition",
        )
