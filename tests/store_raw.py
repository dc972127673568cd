"""Raw SQL against a store around its code, on either backend: how the tamper tests edit what auditor wrote.

SQLite: the statements as given. PostgreSQL: `DROP TRIGGER t` (SQLite's spelling) becomes
switching the session's triggers off (`session_replication_role = replica`, as the test
cluster's superuser), since a tamperer with rights can do either.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

try:
    import psycopg

    INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
except ModuleNotFoundError:
    INTEGRITY_ERRORS = (sqlite3.IntegrityError,)


def tamper(location: str | Path, *statements: str) -> None:
    """Runs `statements` in one transaction, bypassing the store's append-only triggers where they say DROP TRIGGER."""
    text = str(location)
    if "://" not in text:
        raw = sqlite3.connect(text)
        for statement in statements:
            raw.execute(statement)
        raw.commit()
        raw.close()
        return
    with psycopg.connect(text) as conn:
        for statement in statements:
            if statement.lstrip().upper().startswith("DROP TRIGGER"):
                conn.execute("SET session_replication_role = replica")
            else:
                conn.execute(statement)


def refused(location: str | Path, statement: str) -> str:
    """The error message when the database refuses `statement` ('' when it ran)."""
    text = str(location)
    if "://" not in text:
        raw = sqlite3.connect(text)
        try:
            raw.execute(statement)
            raw.rollback()
            return ""
        except sqlite3.Error as exc:
            return str(exc)
        finally:
            raw.close()
    try:
        with psycopg.connect(text) as conn:
            conn.execute(statement)
            conn.rollback()
            return ""
    except psycopg.Error as exc:
        return str(exc)
