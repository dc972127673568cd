"""Every migration has a PostgreSQL twin under the same number, and the two build the same tables and columns.

A migration appended for one backend only (or a column spelled differently) fails here:
the cheap check needs no server; the full one builds both schemas and compares what each
database reports about its tables, columns, nullability, keys and append-only triggers.
"""

from __future__ import annotations

import sqlite3


from auditor.store.schema import MIGRATIONS, PG_MIGRATIONS, SCHEMA_VERSION

# SQLite's declared type -> PostgreSQL's spelling of it in the twins.
TYPES = {"TEXT": "text", "INTEGER": "bigint", "REAL": "double precision", "BLOB": "bytea"}
# Columns SQLite has implicitly and the twin spells out (notify_outbox reads in insertion order).
IMPLICIT = {("notify_outbox", "rowid")}


def test_every_migration_has_a_postgresql_twin_under_the_same_number():
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))
    missing = sorted(set(MIGRATIONS) ^ set(PG_MIGRATIONS))
    assert not missing, (
        f"migrations {missing} exist for one backend only: add the twin in schema.py"
    )
    assert all(PG_MIGRATIONS[v] for v in MIGRATIONS), "an empty twin"


def sqlite_schema(tmp_path) -> dict[str, dict]:
    from auditor.store.sqlite import SQLiteStore

    path = tmp_path / "twin.db"
    SQLiteStore(path).close()
    raw = sqlite3.connect(path)
    tables: dict[str, dict] = {}
    names = [
        r[0]
        for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith("sqlite_")
    ]
    for table in names:
        columns = {
            name: (
                TYPES[kind.upper()],
                bool(notnull) or bool(pk),
            )  # a key is NOT NULL in PostgreSQL
            for _, name, kind, notnull, _, pk in raw.execute(f"PRAGMA table_info({table})")
        }
        key = [
            r[1]
            for r in sorted(raw.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5])
            if r[5]
        ]
        triggers = {
            r[0]
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            )
        }
        tables[table] = {"columns": columns, "key": key, "triggers": triggers}
    raw.close()
    return tables


def postgres_schema(url: str) -> dict[str, dict]:
    import psycopg

    from auditor.store import open_store

    open_store(url).close()
    tables: dict[str, dict] = {}
    with psycopg.connect(url) as conn:
        for table, column, kind, nullable in conn.execute(
            """SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
               WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"""
        ):
            if (table, column) in IMPLICIT:
                continue
            entry = tables.setdefault(table, {"columns": {}, "key": [], "triggers": set()})
            entry["columns"][column] = (kind, nullable == "NO")
        for table, column in conn.execute(
            """SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
               WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace
               ORDER BY c.relname, array_position(i.indkey, a.attnum)"""
        ):
            tables[table]["key"].append(column)
        for table, trigger in conn.execute(
            """SELECT event_object_table, trigger_name FROM information_schema.triggers
               WHERE trigger_schema = current_schema()"""
        ):
            if not trigger.endswith("_no_truncate"):  # SQLite has no TRUNCATE to refuse
                tables[table]["triggers"].add(trigger)
    return tables


def test_both_backends_build_the_same_tables_columns_keys_and_append_only_triggers(
    tmp_path, pg_server
):
    lite = sqlite_schema(tmp_path)
    url = pg_server.create_database()
    try:
        pg = postgres_schema(url)
    finally:
        pg_server.drop_database(url)
    assert sorted(lite) == sorted(pg), "tables differ between the SQLite and PostgreSQL schemas"
    for table in lite:
        assert lite[table]["columns"] == pg[table]["columns"], f"{table}: columns differ"
        assert lite[table]["key"] == pg[table]["key"], f"{table}: primary keys differ"
        assert lite[table]["triggers"] == pg[table]["triggers"], (
            f"{table}: append-only triggers differ"
        )


def test_the_comparison_sees_a_missing_column(tmp_path, pg_server, monkeypatch):
    """The check itself: a twin that lacks one column is caught (so a silent pass means equal)."""
    import auditor.store.schema as schema

    broken = {**PG_MIGRATIONS, 3: [PG_MIGRATIONS[3][0].replace("strings BIGINT NOT NULL,", "")]}
    monkeypatch.setattr(schema, "PG_MIGRATIONS", broken)
    import auditor.store.postgres as postgres

    monkeypatch.setattr(postgres, "PG_MIGRATIONS", broken)
    url = pg_server.create_database()
    try:
        pg = postgres_schema(url)
    finally:
        pg_server.drop_database(url)
    assert (
        sqlite_schema(tmp_path)["screening_results"]["columns"]
        != pg["screening_results"]["columns"]
    )
