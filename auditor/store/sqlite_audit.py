"""The SQLite store's audit trail: appending hash-chained events inside a caller's transaction, reading and verifying them.

See audit.py for the chain itself; this is where the store writes and reads it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.store.audit import (
    CHAINED_TABLES,
    GENESIS,
    TRAIL_START,
    Verification,
    canonical,
    event_hash,
    row_hash,
    verify_chain,
)
from auditor.store.failures import store_errors
from auditor.store.team import AuditEvent


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class AuditTables:
    """Mixed into SQLiteStore."""

    path: Path
    _conn: sqlite3.Connection

    if TYPE_CHECKING:
        from contextlib import AbstractContextManager

        def _write(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...

        def blob_problems(self) -> list[str]: ...

    # ---- the audit trail ------------------------------------------------------------------
    def _audit(
        self,
        c: sqlite3.Connection,
        actor: str,
        action: str,
        obj: str,
        *,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
        row: tuple[str, int] | None = None,
    ) -> None:
        """Appends one event to the chain, inside the caller's transaction."""
        last = c.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        if last is None:
            before = {
                t: c.execute(f"SELECT coalesce(max({pk}), 0) FROM {t}").fetchone()[0]
                for t, pk in CHAINED_TABLES.items()
            }
            self._append_event(
                c, 1, GENESIS, "auditor", TRAIL_START, "store", None, {"rows_before": before}
            )
            last = c.execute(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        body = dict(detail or {})
        if row is not None:
            table, ident = row
            stored = c.execute(
                f"SELECT * FROM {table} WHERE {CHAINED_TABLES[table]} = ?", (ident,)
            ).fetchone()
            body["row_sha256"] = row_hash(dict(stored))
            obj = f"{table}:{ident}"
        self._append_event(c, last[0] + 1, last[1], actor, action, obj, request_id, body)

    @staticmethod
    def _append_event(
        c: sqlite3.Connection,
        seq: int,
        prev: str,
        actor: str,
        action: str,
        obj: str,
        request_id: str | None,
        detail: dict[str, Any],
    ) -> None:
        event = {
            "seq": seq,
            "at": _now(),
            "actor": actor,
            "action": action,
            "object": obj,
            "request_id": request_id,
            "detail": canonical(detail),
        }
        c.execute(
            """INSERT INTO audit_events (seq, at, actor, action, object, request_id, detail, prev_hash, hash)
               VALUES (:seq, :at, :actor, :action, :object, :request_id, :detail, :prev, :hash)""",
            {**event, "prev": prev, "hash": event_hash(prev, event)},
        )

    def record_action(
        self,
        actor: str,
        action: str,
        obj: str,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """An audit event for an action that changes nothing else (a download, an export)."""
        with self._write(f"record {action} in the audit trail") as c:
            self._audit(c, actor, action, obj, request_id=request_id, detail=detail)

    def audit_events(self) -> list[AuditEvent]:
        with store_errors(self.path, "read the audit trail", reading=True):
            return [
                AuditEvent(**dict(r))
                for r in self._conn.execute("SELECT * FROM audit_events ORDER BY seq")
            ]

    def verify(self) -> Verification:
        """The audit chain and every row it vouches for (`auditor store verify`)."""
        with store_errors(self.path, "verify the case store", reading=True):
            c = self._conn
            events = [dict(r) for r in c.execute("SELECT * FROM audit_events ORDER BY seq")]
            rows = {
                t: {r[pk]: dict(r) for r in c.execute(f"SELECT * FROM {t}")}
                for t, pk in CHAINED_TABLES.items()
            }
        found = verify_chain(events, rows)
        found.problems.extend(self.blob_problems())
        return found
