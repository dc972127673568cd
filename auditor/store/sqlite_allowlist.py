"""The SQLite store's console allowlist entries: proposals, their reviews, and the approved entries the audit reads.

Both tables are insert-only (migration 7) and every row is vouched for by the audit chain,
so `auditor store verify` finds an entry edited or approved around the store's code. A
proposal and its audit event commit together, as do a review and its event; the reviewer
is checked by the same four-eyes function as decisions (store/review.py).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.allowlist.spec import DEFAULT_MAX_DAYS, AllowlistEntry
from auditor.errors import InputError
from auditor.store.allowlist_entries import StoredEntry, check_entry, stored_id
from auditor.store.failures import store_errors
from auditor.store.outbox import Announce
from auditor.store.review import Actor, ReviewRefused, check_may_approve, check_may_decide
from auditor.store.schema_team import _append_only
from auditor.store.sqlite_announce import announce_work

ALLOWLIST_MIGRATION: list[str] = [
    """CREATE TABLE allowlist_proposals (
        proposal_id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry TEXT NOT NULL,
        case_id TEXT,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL
    )""",
    """CREATE TABLE allowlist_reviews (
        proposal_id INTEGER PRIMARY KEY REFERENCES allowlist_proposals(proposal_id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected')),
        reviewed_by TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        note TEXT NOT NULL
    )""",
    # Ending an approved entry before it expires: one person may, since it only un-silences.
    """CREATE TABLE allowlist_revocations (
        proposal_id INTEGER PRIMARY KEY REFERENCES allowlist_proposals(proposal_id),
        revoked_by TEXT NOT NULL,
        revoked_at TEXT NOT NULL,
        reason TEXT NOT NULL
    )""",
    *_append_only("allowlist_proposals"),
    *_append_only("allowlist_reviews"),
    *_append_only("allowlist_revocations"),
]
ALLOWLIST_TABLES = {"allowlist_proposals", "allowlist_reviews", "allowlist_revocations"}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class AllowlistTables:
    """Mixed into SQLiteStore."""

    path: Path
    _conn: sqlite3.Connection

    if TYPE_CHECKING:

        def _write(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...

        def _audit(
            self, c: sqlite3.Connection, actor: str, action: str, obj: str, **kw: Any
        ) -> None: ...

        @staticmethod
        def _actor(c: sqlite3.Connection, name: str) -> Actor: ...

    def propose_allowlist_entry(
        self,
        fields: dict[str, Any],
        by: str,
        case_id: str | None = None,
        max_days: int = DEFAULT_MAX_DAYS,
        request_id: str | None = None,
        announce: Announce | None = None,
    ) -> StoredEntry:
        """Records a proposed entry (validated as allowlist.yaml's are); it suppresses nothing until approved."""
        entry = check_entry(fields, max_days)
        body = json.dumps(entry.model_dump(mode="json", exclude={"id"}), sort_keys=True)
        with self._write("propose the allowlist entry (it was not recorded)") as c:
            actor = self._actor(c, by)
            check_may_decide(actor)
            if actor.role is None:
                raise ReviewRefused(
                    "allowlist entries from the console need a second person's approval, and this store "
                    "has no accounts: add them (`auditor console user add`), or use allowlist.yaml"
                )
            cursor = c.execute(
                "INSERT INTO allowlist_proposals (entry, case_id, proposed_by, proposed_at) VALUES (?, ?, ?, ?)",
                (body, case_id, by, _now()),
            )
            proposal_id = int(cursor.lastrowid or 0)
            self._audit(c, by, "propose-allowlist-entry", "", request_id=request_id,
                        row=("allowlist_proposals", proposal_id))  # fmt: skip
            if case_id is not None:
                announce_work(c, announce, "review-requested", proposal_id, case_id, by,
                              subject="allowlist", reason=entry.reason)  # fmt: skip
        return self.allowlist_proposals(proposal_id=proposal_id)[0]

    def review_allowlist_entry(
        self,
        proposal_id: int,
        reviewer: str,
        approve: bool,
        note: str = "",
        request_id: str | None = None,
    ) -> StoredEntry:
        """A reviewer other than the proposer approves (the entry comes into force) or rejects it."""
        verb = "approve" if approve else "reject"
        with self._write(
            f"{verb} allowlist entry {stored_id(proposal_id)} (nothing was recorded)"
        ) as c:
            p = c.execute(
                "SELECT proposed_by FROM allowlist_proposals WHERE proposal_id = ?", (proposal_id,)
            ).fetchone()
            if p is None:
                raise InputError(f"no allowlist entry {stored_id(proposal_id)}")
            if c.execute(
                "SELECT 1 FROM allowlist_reviews WHERE proposal_id = ?", (proposal_id,)
            ).fetchone():
                raise ReviewRefused(
                    f"allowlist entry {stored_id(proposal_id)} was already reviewed"
                )
            check_may_approve(self._actor(c, reviewer), p["proposed_by"], "allowlist entry")
            c.execute(
                "INSERT INTO allowlist_reviews (proposal_id, outcome, reviewed_by, reviewed_at, note) VALUES (?, ?, ?, ?, ?)",
                (proposal_id, "approved" if approve else "rejected", reviewer, _now(), note[:2000]),
            )
            self._audit(c, reviewer, f"{verb}-allowlist-entry", "", request_id=request_id,
                        row=("allowlist_reviews", proposal_id))  # fmt: skip
        return self.allowlist_proposals(proposal_id=proposal_id)[0]

    def revoke_allowlist_entry(
        self, proposal_id: int, by: str, reason: str, request_id: str | None = None
    ) -> StoredEntry:
        """Ends an approved entry now (the next audit no longer applies it); any analyst may, with a reason."""
        if not reason.strip():
            raise InputError("revoking an allowlist entry: say why")
        with self._write(
            f"revoke allowlist entry {stored_id(proposal_id)} (nothing was recorded)"
        ) as c:
            check_may_decide(self._actor(c, by))
            r = c.execute(
                "SELECT outcome FROM allowlist_reviews WHERE proposal_id = ?", (proposal_id,)
            ).fetchone()
            if r is None or r["outcome"] != "approved":
                raise InputError(
                    f"allowlist entry {stored_id(proposal_id)} is not in force: nothing to revoke"
                )
            if c.execute(
                "SELECT 1 FROM allowlist_revocations WHERE proposal_id = ?", (proposal_id,)
            ).fetchone():
                raise InputError(f"allowlist entry {stored_id(proposal_id)} was already revoked")
            c.execute(
                "INSERT INTO allowlist_revocations (proposal_id, revoked_by, revoked_at, reason) VALUES (?, ?, ?, ?)",
                (proposal_id, by, _now(), reason.strip()[:2000]),
            )
            self._audit(c, by, "revoke-allowlist-entry", "", request_id=request_id,
                        row=("allowlist_revocations", proposal_id))  # fmt: skip
        return self.allowlist_proposals(proposal_id=proposal_id)[0]

    def allowlist_proposals(
        self, proposal_id: int | None = None, case_id: str | None = None
    ) -> list[StoredEntry]:
        """Every console entry with its state, oldest first (or one, or those made from a case)."""
        clauses: list[str] = []
        params: list[Any] = []
        if proposal_id is not None:
            clauses.append("p.proposal_id = ?")
            params.append(proposal_id)
        if case_id is not None:
            clauses.append("p.case_id = ?")
            params.append(case_id)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with store_errors(
            self.path, "read the case store's allowlist entries (from the console)", reading=True
        ):
            rows = self._conn.execute(
                f"""SELECT p.*, r.outcome, r.reviewed_by, r.reviewed_at, r.note, v.revoked_by, v.revoked_at,
                    v.reason AS revoke_reason FROM allowlist_proposals p
                    LEFT JOIN allowlist_reviews r ON r.proposal_id = p.proposal_id
                    LEFT JOIN allowlist_revocations v ON v.proposal_id = p.proposal_id {where}
                    ORDER BY p.proposal_id""",
                params,
            ).fetchall()
        return [
            StoredEntry(
                proposal_id=r["proposal_id"],
                entry=AllowlistEntry.model_validate(
                    {**json.loads(r["entry"]), "id": "proposal"}
                ).model_copy(update={"id": stored_id(r["proposal_id"])}),
                case_id=r["case_id"],
                proposed_by=r["proposed_by"],
                proposed_at=datetime.fromisoformat(r["proposed_at"]),
                state="revoked" if r["revoked_by"] else (r["outcome"] or "pending"),
                reviewed_by=r["reviewed_by"],
                reviewed_at=datetime.fromisoformat(r["reviewed_at"]) if r["reviewed_at"] else None,
                note=r["note"] or "",
                revoked_by=r["revoked_by"],
                revoked_at=datetime.fromisoformat(r["revoked_at"]) if r["revoked_at"] else None,
                revoke_reason=r["revoke_reason"] or "",
            )
            for r in rows
        ]

    def allowlist_entries(self, today: date | None = None) -> list[AllowlistEntry]:
        """The approved, unrevoked entries the audit reads beside allowlist.yaml (expired ones too: the run lists them)."""
        del (
            today
        )  # every approved entry: expiry is the allowlist's own rule (apply.py), as for the file
        return [s.entry for s in self.allowlist_proposals() if s.state == "approved"]
