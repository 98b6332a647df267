"""Shared test fixtures.

Every database test runs on each backend: SQLite with the in-memory cache (the embedded default), and
PostgreSQL with Redis when SEEN_TEST_DATABASE_URL and SEEN_TEST_REDIS_URL are set. Locally a missing
service skips its half; under CI=true it fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from seen import cache, db
from seen.config import reset_settings
from tests.fakes.provider_server import FakeUrls, ProviderFake, serve
from tests.servers import serve_asgi

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("SEEN_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("SEEN_TEST_REDIS_URL", "")
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def skip_or_fail(reason: str) -> None:
    """Absent real services skip locally but fail in CI, where they must be present."""
    if IN_CI:
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str


def _check_services(backend: Backend) -> None:
    if backend.name == "sqlite":
        return
    if not PG_URL or not REDIS_URL:
        skip_or_fail("SEEN_TEST_DATABASE_URL and SEEN_TEST_REDIS_URL are not set")
    try:
        engine = db.build_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # an unreachable service is reported with its reason
        skip_or_fail(f"PostgreSQL/Redis unreachable: {error}")


_migrated: set[str] = set()


def _migrate_once(url: str) -> None:
    if url in _migrated:
        return
    from seen.migrate import downgrade, upgrade

    # Start from nothing so the migration itself is what builds the schema.
    downgrade(url, "base")
    upgrade(url)
    _migrated.add(url)


def _empty_tables(url: str) -> None:
    engine = db.build_engine(url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'seen-test.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    """Point the app at one backend, migrated and empty, with fresh settings, engine and cache."""
    import seen.models  # noqa: F401  (tables on the metadata)

    chosen = Backend("sqlite", sqlite_url, "") if request.param == "sqlite" else Backend("postgres", PG_URL, REDIS_URL)
    _check_services(chosen)
    monkeypatch.setenv("SEEN_DATABASE_URL", chosen.database_url)
    monkeypatch.setenv("SEEN_REDIS_URL", chosen.redis_url)
    monkeypatch.setenv("SEEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SEEN_SECRET_KEY", "test-secret-" + uuid.uuid4().hex)
    monkeypatch.setenv("SEEN_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("SEEN_PUBLIC_BASE_URL", "http://testserver.local")
    _reset_app_globals()
    _migrate_once(chosen.database_url)
    _empty_tables(chosen.database_url)
    if chosen.redis_url:
        redis.Redis.from_url(chosen.redis_url).flushdb()
    yield chosen
    _reset_app_globals()


def _reset_app_globals() -> None:
    reset_settings()
    db.reset_engine()
    cache.reset_cache()


@pytest.fixture
def session(backend: Backend) -> Iterator[Session]:
    """A database session on the backend; commits are real (tables are emptied before each test)."""
    with Session(db.get_engine(), expire_on_commit=False) as active:
        yield active


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch):
    """Change settings for one test: settings_env(LOGIN_MAX_FAILURES_PER_ACCOUNT="3")."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"SEEN_{name.upper()}", value)
        reset_settings()
        cache.reset_cache()

    return apply


@pytest.fixture(scope="session")
def api_base_url() -> Iterator[str]:
    """The REST API (with its middleware) served over real HTTP by uvicorn on a free port."""
    from seen.api import create_api
    from seen.api.middleware import with_request_context

    with serve_asgi(with_request_context(create_api()), name="api") as base_url:
        yield base_url


@pytest.fixture
def client(backend: Backend, api_base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_base_url, timeout=20) as http:
        yield http


@pytest.fixture(scope="session")
def provider_server() -> Iterator[tuple[ProviderFake, FakeUrls]]:
    """The local fake TMDB + IGDB + Twitch + image CDNs over real HTTP, once per session."""
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
