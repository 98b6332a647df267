"""Alembic environment: the target is every SQLModel table of seen.models."""

from __future__ import annotations

from sqlmodel import SQLModel

import seen.models  # noqa: F401  (registers the tables)
from alembic import context
from seen.db import build_engine
from seen.services.search import include_name

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = build_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite alters tables by copying them; batch mode does that for it.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            # The search objects of migration 0003 (FTS5 tables, trigram indexes) are not in the models.
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
