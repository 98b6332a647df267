"""The alembic migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from seen import db
from seen.migrate import downgrade, upgrade
from seen.services.search import include_name


def test_migrated_schema_matches_the_models(backend):
    # Given the database migrated to head by the fixture
    engine = db.get_engine()
    with engine.connect() as connection:
        # The search indexes and FTS tables live outside the models (see migration 0003) and are not drift.
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        # Then autogenerate finds nothing left to migrate
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(backend):
    engine = db.get_engine()
    downgrade(backend.database_url, "base")
    assert {"users", "sessions"}.isdisjoint(inspect(engine).get_table_names())
    upgrade(backend.database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"users", "sessions", "app_settings", "job_runs", "alembic_version"} <= tables


def test_the_spec_indexes_exist(backend):
    inspector = inspect(db.get_engine())
    session_indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("sessions")}
    assert session_indexes["ix_sessions_user_id_created_at"] == ["user_id", "created_at"]
    assert any(index["column_names"] == ["email"] and index["unique"] for index in inspector.get_indexes("users"))
    foreign_keys = inspector.get_foreign_keys("sessions")
    assert foreign_keys[0]["referred_table"] == "users"
    assert foreign_keys[0]["options"].get("ondelete") == "CASCADE"
