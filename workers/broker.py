"""The broker: Redis when SEEN_REDIS_URL is set, otherwise an in-process broker.

Importing this module installs the broker, so `dramatiq workers.tasks` and the app agree.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, ShutdownNotifications, TimeLimit

from seen.config import get_settings

# The broker keeps its keys under their own namespace beside the cache and Reflex state.
REDIS_NAMESPACE = "seen-jobs"


def _middleware() -> list:
    return [AgeLimit(), TimeLimit(), ShutdownNotifications(), Callbacks(), Pipelines(), Retries(min_backoff=1000)]


def build_broker() -> dramatiq.Broker:
    settings = get_settings()
    if settings.uses_redis:
        return RedisBroker(url=settings.redis_url, namespace=REDIS_NAMESPACE, middleware=_middleware())
    return StubBroker(middleware=_middleware())


broker = build_broker()
dramatiq.set_broker(broker)
