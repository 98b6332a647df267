"""An injectable clock so nothing really sleeps, and a fresh in-memory cache (the fake itself: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seen import cache
from seen.config import reset_settings


class FakeClock:
    """Stands in for time.monotonic, time.time and time.sleep: sleeping advances it and is recorded."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def memory_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh in-memory cache for one test, so no answer or token leaks between tests."""
    monkeypatch.setenv("SEEN_REDIS_URL", "")
    reset_settings()
    cache.reset_cache()
    yield
    reset_settings()
    cache.reset_cache()
