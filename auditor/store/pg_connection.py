"""The part of sqlite3's connection the store's SQL uses, over a psycopg 3 connection to PostgreSQL.

Why an adapter rather than a second copy of every query: the store's tables, its four-eyes
rule, its audit chain and its queue are written once (sqlite*.py) in SQL both databases
accept, so a fix or a new table reaches both backends at once. What differs is spelled here:
`?` and `:name` placeholders become psycopg's; SQLite's `INSERT OR REPLACE` / `INSERT OR
IGNORE` become `ON CONFLICT` clauses on the table's primary key; an INSERT into a table with
an identity key returns it (sqlite3's `lastrowid`); and `BEGIN IMMEDIATE` — SQLite's one
writer at a time — becomes a transaction that first takes an advisory lock, so writers from
several analysts and console replicas are serialised exactly as SQLite serialises them (the
hash-chained audit trail and "next case" read, then write, and must not interleave).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Advisory lock keys (classid, objid): "AUDT" as in SQLite's application id, then what is locked.
LOCK_CLASS = 0x41554454
RUN_LOCK = 1  # held by an audit from before it reads the previous run until after it commits
WRITE_LOCK = 2  # held by every write transaction until it commits

_UPSERT = re.compile(
    r"^\s*INSERT\s+OR\s+(REPLACE|IGNORE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.I | re.S
)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.I)


class Row:
    """A result row read by position or by column name, and `dict(row)`-able, like sqlite3.Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]):
        self._index = index
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _row_factory(cursor: Any) -> Any:
    description = cursor.description or []
    index = {d.name: i for i, d in enumerate(description)}

    def make(values: Sequence[Any]) -> Row:
        return Row(index, values)

    return make


def placeholders(sql: str) -> str:
    """`?` -> `%s`, `:name` -> `%(name)s`, `%` -> `%%`, outside quoted strings and identifiers; `::` casts kept."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            end = sql.find(ch, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == ch:  # a doubled quote is one quote
                end = sql.find(ch, end + 2)
            end = n - 1 if end == -1 else end
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        elif ch == ":" and i + 1 < n and sql[i + 1] == ":":
            out.append("::")
            i += 2
        elif ch == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass(frozen=True, eq=False)  # hashed by identity: translations are cached per catalog
class Catalog:
    """What translating needs to know of the tables: each one's primary key and identity column."""

    primary_keys: Mapping[str, tuple[str, ...]]
    identities: Mapping[str, str]


def read_catalog(conn: Any) -> Catalog:
    keys: dict[str, list[str]] = {}
    for table, column in conn.execute(
        """SELECT c.relname, a.attname FROM pg_index i
           JOIN pg_class c ON c.oid = i.indrelid
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
           WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace
           ORDER BY c.relname, array_position(i.indkey, a.attnum)"""
    ):
        keys.setdefault(table, []).append(column)
    identities = {
        table: column
        for table, column in conn.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = current_schema() AND is_identity = 'YES'"""
        )
        if column
        in keys.get(
            table, ()
        )  # the key a caller asks back for (lastrowid), not notify_outbox.rowid
    }
    return Catalog({t: tuple(k) for t, k in keys.items()}, identities)


@lru_cache(maxsize=1024)
def _translate(sql: str, catalog: Catalog) -> tuple[str, str | None]:
    """(PostgreSQL's SQL, the identity column to return or None)."""
    m = _UPSERT.match(sql)
    suffix = ""
    if m:
        verb, table, columns = m.group(1).upper(), m.group(2), m.group(3)
        sql = f"INSERT INTO {table} ({columns})" + sql[m.end() :]
        if verb == "IGNORE":
            suffix = " ON CONFLICT DO NOTHING"
        else:
            key = catalog.primary_keys.get(table)
            if not key:
                raise ValueError(f"INSERT OR REPLACE into {table}, which has no primary key")
            names = [c.strip() for c in columns.split(",")]
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c not in key)
            suffix = f" ON CONFLICT ({', '.join(key)}) " + (
                f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
            )
    returning = None
    inserted = _INSERT.match(sql)
    if inserted and "RETURNING" not in sql.upper():
        returning = catalog.identities.get(inserted.group(1))
    text = placeholders(sql.rstrip().rstrip(";")) + suffix
    if returning:
        text += f" RETURNING {returning}"
    return text, returning


class Cursor:
    """A finished statement: its rows, its row count and, for an INSERT, `lastrowid`."""

    def __init__(self, cursor: Any, lastrowid: int | None):
        self._cursor = cursor
        self.lastrowid = lastrowid
        self.rowcount = cursor.rowcount

    def fetchone(self) -> Row | None:
        if self._cursor.description is None:
            return None
        row: Row | None = self._cursor.fetchone()
        return row

    def fetchall(self) -> list[Row]:
        if self._cursor.description is None:
            return []
        rows: list[Row] = self._cursor.fetchall()
        return rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class PgConnection:
    """sqlite3.Connection's `execute`, `executemany`, `in_transaction`, `total_changes` and `close` over psycopg."""

    def __init__(self, conn: Any, catalog: Catalog | None = None):
        self.raw = (
            conn  # autocommit: a statement outside BEGIN is its own transaction, as in sqlite3
        )
        self.raw.row_factory = _row_factory
        self.catalog = catalog or Catalog({}, {})
        self.total_changes = 0

    def refresh_catalog(self) -> Catalog:
        self.catalog = read_catalog(self.raw)
        return self.catalog

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        # UNKNOWN: the connection is gone, and so is its transaction (a ROLLBACK would only fail
        # and hide the error that broke it, which rollback_quietly must not do).
        status = self.raw.info.transaction_status
        return bool(status not in (TransactionStatus.IDLE, TransactionStatus.UNKNOWN))

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor:
        head = sql.strip().upper()
        if head == "BEGIN IMMEDIATE":
            self.raw.execute("BEGIN")
            self.raw.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, WRITE_LOCK))
            return Cursor(self.raw.cursor(), None)
        if head in ("BEGIN", "COMMIT", "ROLLBACK"):
            return Cursor(self.raw.execute(head), None)
        text, returning = _translate(sql, self.catalog)
        cursor = self.raw.execute(text, params if params else None)
        lastrowid = None
        if returning:
            row = cursor.fetchone()
            lastrowid = int(row[0]) if row is not None else None
        if cursor.rowcount > 0 and head.split(None, 1)[0] in ("INSERT", "UPDATE", "DELETE"):
            self.total_changes += cursor.rowcount
        return Cursor(cursor, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> Cursor:
        text, _ = _translate(sql, self.catalog)
        text = text.split(" RETURNING ", 1)[0]
        batch = list(rows)
        with self.raw.cursor() as cursor:
            if batch:
                cursor.executemany(text, batch)
            changed = max(cursor.rowcount, 0) if batch else 0
        self.total_changes += changed
        done = self.raw.cursor()
        done_rowcount = changed
        result = Cursor(done, None)
        result.rowcount = done_rowcount
        return result

    def close(self) -> None:
        self.raw.close()
