"""Alembic, driven from code: no alembic.ini, the URL comes from the settings (or is given)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from seen.config import PROJECT_ROOT, get_settings
from seen.db import normalise_url


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    # Percent signs in passwords would be read as interpolation by configparser.
    config.set_main_option(
        "sqlalchemy.url", normalise_url(url or get_settings().resolved_database_url).replace("%", "%%")
    )
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    settings = get_settings()
    if not url and settings.resolved_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def autogenerate(message: str, url: str | None = None) -> None:
    """Write a new revision from the difference between the models and the database at `url`."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


def is_at_head() -> bool:
    """Whether the configured database has every migration applied (False for an empty one)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from seen.db import get_engine

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with get_engine().connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
