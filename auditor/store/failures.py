"""What a failed store operation means to the user: SQLite's error codes turned into located messages.

A store that is corrupt, read-only, on a full disk or not an auditor store is the user's
environment, not a bug: it gets exit 2 with the file and what to do, never a traceback.
A busy database (another process writing past the busy timeout) is the lock's exit 4.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditor.errors import AuditorError, SourceLocation, StoreError, StoreLockedError, display_path

# SQLite primary result codes (the low byte of the extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 5, 6, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26
FULL_BELOW_BYTES = 1 << 20  # less free space than this under an I/O error: call it a full disk

ADVICE: dict[int, str] = {
    SQLITE_FULL: "the disk holding the case store is full (or the store reached its size limit); free space and run again",
    SQLITE_READONLY: "the case store is read-only; give a store this user can write, or fix the file's permissions",
    SQLITE_CORRUPT: "the case store file is corrupt; restore it from a backup (`sqlite3 FILE .recover` may save its data)",
    SQLITE_NOTADB: "give the path of an auditor case store, or of a new file",
    SQLITE_CANTOPEN: "the case store cannot be opened; check that its folder exists and is writable",
    SQLITE_IOERR: "the disk reported an I/O error while using the case store",
}


def describe_sqlite_error(exc: sqlite3.Error) -> tuple[int | None, str]:
    """(primary SQLite code or None, the user's message) for one SQLite exception."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc) or type(exc).__name__
    if primary is None and "disk is full" in text:
        primary = SQLITE_FULL
    advice = ADVICE.get(primary) if primary is not None else None
    return primary, f"{text}; {advice}" if advice else text


@contextmanager
def store_errors(path: Path | str, doing: str, *, reading: bool = False) -> Iterator[None]:
    """Turns SQLite errors of the user's environment (full, read-only, corrupt, not a database, I/O) and OS
    errors raised while `doing` something into StoreError (exit 2), and a busy database into exit 4
    (PostgreSQL's errors likewise, through pg_failures.py).
    `reading`: stored text that does not decode (not UTF-8, not JSON) is a damaged file too."""
    try:
        yield
    except AuditorError:
        raise
    except (sqlite3.Error, ValueError) as exc:
        if isinstance(exc, ValueError) or "Could not decode" in str(exc):
            if not reading and isinstance(exc, ValueError):
                raise
            # Text that is not UTF-8 or JSON that does not parse, in a store only auditor writes: a damaged file.
            advice = ADVICE[SQLITE_CORRUPT]
            raise StoreError(
                f"cannot {doing}: stored data does not decode ({str(exc)[:80]}); {advice}",
                location=SourceLocation(display_path(path)),
            ) from None
        primary, message = describe_sqlite_error(exc)
        if primary not in ADVICE and primary not in (SQLITE_BUSY, SQLITE_LOCKED):
            raise  # a constraint or SQL error is a bug in auditor (exit 1, with its traceback), not the user's file
        if primary in (SQLITE_BUSY, SQLITE_LOCKED):
            raise StoreLockedError(
                f"another process is writing the case store at {display_path(path)} ({exc}) while {doing}; try again"
            ) from None
        if primary in (SQLITE_IOERR, SQLITE_FULL) and _disk_full(Path(path)):
            message = f"{exc}: the disk holding the case store is full; free space and run again"
        raise StoreError(
            f"cannot {doing}: {message}", location=SourceLocation(display_path(path))
        ) from None
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        where = exc.filename or path
        raise StoreError(
            f"cannot {doing}: {reason}", location=SourceLocation(display_path(where))
        ) from None
    except Exception as exc:
        if not type(exc).__module__.startswith("psycopg"):
            raise
        from auditor.store.pg_failures import pg_store_error

        translated = pg_store_error(exc, display_path(path), doing)
        if translated is None:
            raise  # a PostgreSQL syntax or constraint error is a bug in auditor, as with SQLite
        raise translated from None


def _disk_full(path: Path) -> bool:
    """SQLite reports a full disk under its shared-memory file as a bare I/O error; the free space tells."""
    try:
        return (
            shutil.disk_usage(path.parent if path.parent.exists() else Path.cwd()).free
            < FULL_BELOW_BYTES
        )
    except OSError:
        return False


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """Rolls back if a transaction is still open, never letting a rollback error hide the error that caused it.

    SQLite rolls a transaction back itself on some errors (a full disk during COMMIT);
    a second ROLLBACK then fails with "no transaction is active", and that message would
    replace "database or disk is full" if it were allowed to propagate.
    """
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass
