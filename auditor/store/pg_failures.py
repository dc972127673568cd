"""What a failed PostgreSQL operation means to the user: psycopg's errors turned into located messages.

The twin of failures.py's SQLite codes: a server that cannot be reached, a refused login,
a missing database, a full disk or a read-only role is the user's environment (exit 2,
saying what to check); a lock another writer holds past the lock timeout, or a transaction
the server cancelled to break a deadlock, is exit 4 ("try again"); a syntax or constraint
error is a bug in auditor and keeps its traceback. Messages pass through `redact_text`,
so a password in the store URL never reaches a log.
"""

from __future__ import annotations

from auditor.errors import AuditorError, SourceLocation, StoreError, StoreLockedError
from auditor.redact import redact_text

# SQLSTATE classes and codes -> what to do about them.
ADVICE: dict[str, str] = {
    "08": "check the store URL's host and port, and that the PostgreSQL server is running",
    "28": "check the store URL's user and password (or the server's pg_hba.conf)",
    "3D000": "create the database first (createdb), or fix the store URL's database name",
    "42501": "the store URL's role may not use these tables; grant it rights, or give another role",
    "25006": "the server or role is read-only; give a store this role can write",
    "53": "the PostgreSQL server is out of disk, memory or connections; free some and run again",
    "57": "the PostgreSQL server shut down or cancelled the operation; run again once it is back",
}
BUSY = ("55P03", "40001", "40P01")  # lock not available, serialisation failure, deadlock


# A refused connection carries no SQLSTATE; the server's words say why.
CONNECT_REFUSALS = (
    ("does not exist", "3D000"),
    ("password authentication failed", "28"),
    ("no pg_hba.conf entry", "28"),
    ("too many connections", "53"),
)


def _advice(sqlstate: str | None, text: str) -> str | None:
    if not sqlstate:
        said = next((code for words, code in CONNECT_REFUSALS if words in text), "08")
        return ADVICE[said]
    return ADVICE.get(sqlstate) or ADVICE.get(sqlstate[:2])


def pg_store_error(exc: Exception, where: str, doing: str) -> AuditorError | None:
    """The user's error for a psycopg exception, or None when it is auditor's own bug."""
    import psycopg

    if not isinstance(exc, psycopg.Error):
        return None
    sqlstate = getattr(exc, "sqlstate", None)
    text = redact_text(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if sqlstate in BUSY:
        return StoreLockedError(
            f"another process is writing the case store at {where} ({text}) while {doing}; try again"
        )
    advice = _advice(sqlstate, text)
    if advice is None:
        return None
    return StoreError(f"cannot {doing}: {text}; {advice}", location=SourceLocation(where))
