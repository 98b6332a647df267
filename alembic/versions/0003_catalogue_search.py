"""catalogue search: trigram indexes on media_items.search_text and people.search_text

Revision ID: 0003_catalogue_search
Revises: 0002_catalogue
Create Date: 2026-11-22 12:00:00

What `seen.services.search` reads, per engine:

- PostgreSQL: the pg_trgm extension, a GIN `gin_trgm_ops` index per table (the `%` / `<%` operators) and a
  `text_pattern_ops` b-tree for `LIKE 'prefix%'` (the database's collation is not "C", so a plain b-tree
  would not serve LIKE).
- SQLite: an FTS5 table per source table with `tokenize='trigram'`, kept in step by triggers, an fts5vocab
  table over it (rows per trigram), and a plain b-tree on search_text for prefix ranges. The FTS tables keep their own copy of the text (not external
  content): deleting by rowid then never depends on the old value being what was indexed.

None of these objects is in the SQLModel metadata (they are engine-specific); autogenerate is told to ignore
them by name (`seen.services.search.SEARCH_SCHEMA_OBJECTS`, used by alembic/env.py). A later SQLite "batch"
migration that recreates media_items or people drops their triggers with the old table: it must create them
again (copy the statements below) or the FTS tables stop following writes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_catalogue_search"
down_revision: str | None = "0002_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("media_items", "people")


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    # `kind` rides along (not tokenized) so a kinds filter needs no join before the candidate limit.
    columns = "search_text, kind UNINDEXED" if table == "media_items" else "search_text"
    values = "new.search_text, new.kind" if table == "media_items" else "new.search_text"
    source = "search_text, kind" if table == "media_items" else "search_text"
    return [
        f"CREATE INDEX ix_{table}_search_text_prefix ON {table} (search_text)",
        # detail=none: the search only asks "which rows hold these trigrams", never for positions; the index is
        # several times smaller and OR queries over it faster.
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, tokenize='trigram', detail='none')",
        # How many rows hold each trigram: the search sends its rarest trigrams, not the ones every title has.
        f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, 'row')",
        f"""CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts} (rowid, {source}) VALUES (new.id, {values});
        END""",
        f"""CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN
            DELETE FROM {fts} WHERE rowid = old.id;
        END""",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {source} ON {table} BEGIN
            DELETE FROM {fts} WHERE rowid = old.id;
            INSERT INTO {fts} (rowid, {source}) VALUES (new.id, {values});
        END""",
        # Backfill what is already there.
        f"INSERT INTO {fts} (rowid, {source}) SELECT id, {source} FROM {table}",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in TABLES:
            # fastupdate off: new rows go straight into the index instead of a pending list that every search
            # would scan until the next vacuum (a catalogue sync adds thousands of rows at once).
            op.execute(
                f"CREATE INDEX ix_{table}_search_text_trgm ON {table} "
                "USING gin (search_text gin_trgm_ops) WITH (fastupdate = off)"
            )
            op.execute(f"CREATE INDEX ix_{table}_search_text_prefix ON {table} (search_text text_pattern_ops)")
        return
    for table in TABLES:
        for statement in _sqlite_statements(table):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_text_prefix")
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_text_trgm")
        # The extension stays: it may have been there before us, and re-creating it can need privileges.
        return
    for table in TABLES:
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts_vocab")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_text_prefix")
