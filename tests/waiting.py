"""Waiting for something that happens in another process or thread, with a deadline."""

from __future__ import annotations

import time


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
