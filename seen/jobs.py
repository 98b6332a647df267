"""Enqueue a background job by its actor name. Services use this and never import workers/.

Call it after the transaction that the job reads has committed, so the worker sees the rows.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker


def enqueue(actor_name: str, **kwargs: Any) -> None:
    # The app process may not run a worker; importing the actors installs the configured broker and
    # declares every actor, so a message can be sent by name from anywhere.
    import workers.tasks  # noqa: F401

    broker = dramatiq.get_broker()
    actor = broker.get_actor(actor_name)
    actor.send(**kwargs)


def ping_broker() -> str:
    """Raise when the job broker cannot be reached; otherwise name its kind."""
    broker = dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        broker.client.ping()
        return "redis"
    return "in-process"
