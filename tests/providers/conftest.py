"""The provider fake served over HTTP once per session, plus an injectable clock so nothing really sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seen import cache
from seen.config import reset_settings
from tests.fakes.provider_server import FakeUrls, ProviderFake, serve


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


@pytest.fixture(scope="session")
def provider_server() -> Iterator[tuple[ProviderFake, FakeUrls]]:
    fake = ProviderFake()
    with serve(fake) as urls:
        yield fake, urls


@pytest.fixture
def fake(provider_server: tuple[ProviderFake, FakeUrls]) -> ProviderFake:
    """The shared fake with no recorded requests, faults or tokens left from other tests."""
    provider_server[0].reset()
    return provider_server[0]


@pytest.fixture
def urls(provider_server: tuple[ProviderFake, FakeUrls]) -> FakeUrls:
    return provider_server[1]


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
