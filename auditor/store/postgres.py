"""The case store on PostgreSQL (psycopg 3), for a team: several analysts and console replicas on one database.

Chosen by a `postgresql://` (or `postgres://`) store URL wherever a store path is accepted.
The tables, migrations and queries are the SQLite store's (schema.py keeps each migration's
PostgreSQL twin under the same number); pg_connection.py spells the differences. What a
server adds is concurrency, and it is kept as strict as SQLite's: every write transaction
takes one advisory lock first, so writers are serialised (the audit chain, four-eyes and
"next case" read and then write), while reads run beside them on committed data; the run
lock is a session advisory lock held on its own connection, so the server drops it when
the audit holding it dies, as the OS drops SQLite's flock.

The URL's password never appears in `location`'s printed form, a log line or an error:
messages carry `redact_url(url)`.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from auditor.errors import InputError, SourceLocation, StoreError, StoreLockedError
from auditor.redact import redact_url
from auditor.store.failures import rollback_quietly, store_errors
from auditor.store.pg_connection import LOCK_CLASS, RUN_LOCK, Catalog, PgConnection
from auditor.store.schema import AFTER_MIGRATION, OWN_TABLES, PG_MIGRATIONS, SCHEMA_VERSION
from auditor.store.sqlite import SQLiteStore
from auditor.store.sqlite_queue import POSTGRES_QUEUE

__all__ = ["PostgresStore"]

# A writer waits this long for another's transaction, as SQLite's busy timeout.
LOCK_TIMEOUT_MS = 30_000
# The tables' keys, read once per database and process (the console opens the store per request).
_CATALOGS: dict[str, Catalog] = {}


def _connect(url: str, application: str) -> Any:
    try:
        import psycopg
    except ModuleNotFoundError:
        raise InputError(
            "a postgresql:// case store needs psycopg: pip install 'auditor[postgres]'"
        ) from None
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url).get("options")  # e.g. -csearch_path=team: kept beside ours
    options = " ".join(str(o) for o in (given, f"-c lock_timeout={LOCK_TIMEOUT_MS}") if o)
    return psycopg.connect(
        url, autocommit=True, application_name=application, options=options, connect_timeout=10
    )


class PostgresStore(SQLiteStore):
    """A CaseStore in a PostgreSQL database (its current schema, `public` unless the URL says otherwise).

    It inherits every query from SQLiteStore, whose SQL both databases accept through
    PgConnection; only opening, migrating, locking and closing are its own.
    """

    _queue_sql = POSTGRES_QUEUE

    def __init__(self, url: str):  # noqa: D107 - SQLiteStore's file handling does not apply
        if "://" not in url:
            url = "postgresql://" + url  # open_store hands over what follows the scheme
        self.url = url
        self.location = url  # reopened by the console per request; shown only through redact_url
        self.path = redact_url(url)  # type: ignore[assignment]  # what messages name
        with store_errors(self.path, "open the case store"):
            self._conn = PgConnection(_connect(url, f"auditor pid {os.getpid()}"))  # type: ignore[assignment]
            try:
                self._refuse_foreign()
                self._migrate()
                self._pg.catalog = _CATALOGS.get(url) or self._pg.refresh_catalog()
                _CATALOGS[url] = self._pg.catalog
            except BaseException:
                self._pg.close()
                raise

    @property
    def _pg(self) -> PgConnection:
        conn: Any = self._conn
        return conn

    def _where(self) -> SourceLocation:
        return SourceLocation(str(self.path))

    # ---- schema ---------------------------------------------------------------------------
    def _tables(self) -> set[str]:
        rows = self._pg.raw.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        return {r[0] for r in rows}

    def _refuse_foreign(self) -> None:
        """A database holding some other program's tables is refused, never migrated into a store."""
        tables = self._tables()
        if not tables or ({"schema_version", "runs"} <= tables and tables <= OWN_TABLES):
            return
        foreign = ", ".join(sorted(tables - OWN_TABLES)[:5]) or ", ".join(sorted(tables)[:5])
        raise StoreError(
            f"a PostgreSQL database (schema) that is not an auditor case store (tables: {foreign}); refusing to write to it: "
            "give an empty database or schema for the store",
            location=self._where(),
        )

    def _version(self) -> int:
        raw = self._pg.raw
        if raw.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
            return 0
        return int(raw.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0)

    def _migrate(self) -> None:
        """Brings the schema to SCHEMA_VERSION in one transaction, under the write lock (two first opens do not race)."""
        current = self._version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"case store schema version {current} is newer than this auditor supports ({SCHEMA_VERSION}); upgrade auditor",
                location=self._where(),
            )
        if current == SCHEMA_VERSION:
            return
        c = self._pg
        c.execute("BEGIN IMMEDIATE")
        try:
            c.raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            for version in range(self._version() + 1, SCHEMA_VERSION + 1):
                for statement in PG_MIGRATIONS[version]:
                    c.raw.execute(statement)
                if version in AFTER_MIGRATION:
                    c.refresh_catalog()  # the data step writes through the adapter: it needs the new keys
                    AFTER_MIGRATION[version](c)
                c.raw.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
            c.execute("COMMIT")
        except BaseException:
            rollback_quietly(c)  # type: ignore[arg-type]
            raise

    # ---- the run lock ---------------------------------------------------------------------
    def lock(self, timeout: float = 0) -> PgRunLock:  # type: ignore[override]
        return PgRunLock(self.url, timeout)

    def close(self) -> None:
        self._pg.close()

    def __enter__(self) -> PostgresStore:
        return self


class PgRunLock:
    """The store lock as a session advisory lock on a connection of its own (released when it closes or dies)."""

    def __init__(self, url: str, timeout: float = 0):
        self.url = url
        self.shown = redact_url(url)
        self.timeout = timeout
        self._conn: Any = None

    def holder(self) -> str:
        """'auditor pid N since T' of the session holding the lock, as the server knows it."""
        if self._conn is None:
            return "holder unknown"
        row = self._conn.execute(
            """SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
               WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
            (LOCK_CLASS, RUN_LOCK),
        ).fetchone()
        if row is None:
            return "holder unknown"
        since = row[1].astimezone(timezone.utc).isoformat(timespec="seconds") if row[1] else "?"
        return f"{row[0] or 'a session'} since {since}"

    def __enter__(self) -> PgRunLock:
        with store_errors(self.shown, "take the store lock"):
            self._conn = _connect(
                self.url,
                f"auditor pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
            )
            deadline = time.monotonic() + self.timeout
            while not self._conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, RUN_LOCK)
            ).fetchone()[0]:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    self._conn.close()
                    self._conn = None
                    waited = f" after waiting {self.timeout:g} s" if self.timeout > 0 else ""
                    raise StoreLockedError(
                        f"another audit holds the store lock at {self.shown} ({holder}){waited}; "
                        "wait for it to finish, or give --lock-timeout SECONDS to wait"
                    )
                time.sleep(min(0.2, max(deadline - time.monotonic(), 0.01)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # ends the session: the server releases the lock
            finally:
                self._conn = None
