"""Waiting for something that happens in another process or thread, with a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def wait_until(condition, *, timeout: float = 20, interval: float = 0.1, what: str = "the condition"):
    """Poll `condition()` until it returns something truthy (returned); AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def run_side_by_side(*calls: Callable[[], object], timeout: float = 60) -> list[BaseException]:
    """Run each call in a thread of its own, all at once, and wait for them: what they raised, in no order."""
    raised: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as error:
            raised.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), f"a call still runs after {timeout} s"
    return raised
