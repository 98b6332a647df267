"""The database engine and sessions for workers, scripts, the API and tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, any_, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from seen.config import get_settings

# Up to as many connections as request worker threads (AnyIO's default limit is 40), so a burst of
# requests waits for a thread, never for a connection.
POOL_SIZE = 10
POOL_OVERFLOW = 30


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the page, the API and the job thread read while one writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.resolved_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return build_engine(settings.resolved_database_url)


def reset_engine() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits when the block ends cleanly and rolls back otherwise."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def upsert_insert(session: Session, table: Any) -> Any:
    """An INSERT of the session's dialect, which has `on_conflict_do_nothing` / `on_conflict_do_update`: for rows
    two writers may create at once (the loser keeps the winner's row instead of failing)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def among_bound_ids(column: Any, *, postgres: bool, name: str = "ids") -> Any:
    """`column` among a list of ids given when the statement runs (as `name`): `= ANY(array)` on PostgreSQL,
    one parameter however many ids (thousands of IN placeholders cost more to build and send than the query
    takes), an expanding IN on SQLite. Statements using it can be built once and reused."""
    if postgres:
        return column == any_(bindparam(name, type_=postgresql.ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


_AFTER_COMMIT = "seen_after_commit"
_AFTER_COMMIT_NAMES = "seen_after_commit_names"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed; forget it if it rolls back.

    For effects outside the database that must not see uncommitted rows: queueing a job, dropping a cache key.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def after_commit_once(session: Session, name: str, callback: Callable[[], None]) -> None:
    """`after_commit`, at most once per transaction for `name`: one effect of many writes (a catalogue sync
    storing hundreds of titles moves the catalogue's generation once)."""
    named = session.info.setdefault(_AFTER_COMMIT_NAMES, set())
    if name not in named:
        named.add(name)
        after_commit(session, callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_NAMES, None)
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_rollback")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT_NAMES, None)
    session.info.pop(_AFTER_COMMIT, None)
