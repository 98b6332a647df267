"""Jobs inside the app process for the embedded setup: a worker thread on the in-process broker."""

from __future__ import annotations

import logging

from dramatiq import Worker

from seen.downloads import select as download_engines
from workers.broker import broker
from workers.scheduler import build_scheduler

log = logging.getLogger(__name__)


class EmbeddedJobs:
    def __init__(self) -> None:
        self._worker = Worker(broker, worker_threads=2, worker_timeout=500)
        self._scheduler = build_scheduler()

    def start(self) -> None:
        self._worker.start()
        self._scheduler.start()
        log.info("in-process job worker and scheduler started")

    def stop(self) -> None:
        self._scheduler.shutdown(wait=False)
        self._worker.stop(timeout=5000)
        # After the worker: no pass is running any more to start an engine again.
        download_engines.shutdown_engines()
