"""The SQLite store's work on cases: decisions under four-eyes, assignments, comments, snoozes.

`record_decision` is the only way a decision is written (the old `add_decision` calls it):
the actor's role comes from the store's own accounts, the four-eyes bands from the store's
own settings, and the decision, its audit event and the case's working state commit in
one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.store.base import Decision
from auditor.store.failures import store_errors
from auditor.store.outbox import Announce
from auditor.store.sqlite_announce import announce_work
from auditor.store.review import (
    FOUR_EYES_SETTING,
    Actor,
    ReviewRefused,
    check_may_approve,
    check_may_decide,
    four_eyes_setting,
    needs_review,
    parse_four_eyes,
)
from auditor.store.team import CaseWork, Comment, DecisionOutcome, PendingDecision


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class WorkTables:
    """Mixed into SQLiteStore."""

    path: Path
    _conn: sqlite3.Connection

    if TYPE_CHECKING:

        def _write(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...

        def _decisions(self, where: str = "", params: tuple = ()) -> list[Decision]: ...

        from auditor.store.sqlite_queue import QueueSQL

        _queue_sql: QueueSQL

        def _audit(
            self, c: sqlite3.Connection, actor: str, action: str, obj: str, **kw: Any
        ) -> None: ...

    # ---- settings -------------------------------------------------------------------------
    def four_eyes(self) -> dict[str, list[str]]:
        with store_errors(self.path, "read the case store's settings", reading=True):
            row = self._conn.execute(
                "SELECT value FROM store_settings WHERE key = ?", (FOUR_EYES_SETTING,)
            ).fetchone()
        return parse_four_eyes(row[0] if row else None)

    def set_four_eyes(self, rules: dict[str, list[str]], by: str) -> None:
        value = four_eyes_setting(rules)
        with self._write("change the four-eyes setting") as c:
            actor = self._actor(c, by)
            if actor.role not in (None, "admin"):
                raise ReviewRefused(
                    f"{by} ({actor.role}) may not change four-eyes: the admin role is needed"
                )
            c.execute(
                "INSERT OR REPLACE INTO store_settings (key, value, updated_at) VALUES (?, ?, ?)",
                (FOUR_EYES_SETTING, value, _now()),
            )
            self._audit(c, by, "set-four-eyes", "setting:four_eyes", detail=json.loads(value))

    # ---- who acts -------------------------------------------------------------------------
    @staticmethod
    def _actor(c: sqlite3.Connection, name: str) -> Actor:
        """The actor's role as the store's accounts say now; a store with accounts refuses anyone else."""
        if c.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None:
            return Actor(name, None)
        row = c.execute("SELECT role, disabled FROM users WHERE username = ?", (name,)).fetchone()
        if row is None or row["disabled"]:
            raise ReviewRefused(
                f"{name!r} has no active account in this store, which has console accounts: "
                "decisions are recorded by account (`auditor console user add`)"
            )
        return Actor(name, row["role"])

    # ---- decisions ------------------------------------------------------------------------
    def record_decision(
        self, decision: Decision, request_id: str | None = None, announce: Announce | None = None
    ) -> DecisionOutcome:
        """The one way to record a decision: in force at once, or pending until a reviewer approves it.

        A pending decision is a `review-requested` event for `announce` (the outbox, same transaction).
        """
        with self._write(
            f"record the decision on case {decision.case_id} (it was not recorded)"
        ) as c:
            actor = self._actor(c, decision.by)
            check_may_decide(actor)
            team = actor.role is not None
            row = c.execute(
                "SELECT value FROM store_settings WHERE key = ?", (FOUR_EYES_SETTING,)
            ).fetchone()
            rules = parse_four_eyes(row[0] if row else None)
            values = (
                decision.case_id,
                decision.status,
                decision.reason,
                decision.until.isoformat() if decision.until else None,
                decision.by,
                decision.at.isoformat(),
                _json(sorted(decision.rules_at_decision)),
                decision.priority_at_decision,
                decision.score_at_decision,
                decision.run_id_at_decision,
            )
            # The band that decides review is the store's own latest view of the case, not the caller's word.
            latest = c.execute(
                """SELECT s.priority FROM case_snapshots s JOIN runs r ON r.run_id = s.run_id
                   WHERE s.case_id = ? ORDER BY r.seq DESC LIMIT 1""",
                (decision.case_id,),
            ).fetchone()
            bands = {decision.priority_at_decision, latest[0] if latest else None}
            if any(needs_review(decision.status, band, rules, team) for band in bands):
                cursor = c.execute(
                    """INSERT INTO pending_decisions (case_id, status, reason, until, proposed_by, proposed_at,
                       rules_at_decision, priority_at_decision, score_at_decision, run_id_at_decision)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
                pending_id = int(cursor.lastrowid or 0)
                self._audit(
                    c,
                    actor.name,
                    "propose-decision",
                    "",
                    request_id=request_id,
                    row=("pending_decisions", pending_id),
                )
                self._refresh_work(c, decision.case_id)
                announce_work(c, announce, "review-requested", pending_id, decision.case_id,
                              actor.name, status=decision.status, reason=decision.reason)  # fmt: skip
                return DecisionOutcome("pending-review", pending_id=pending_id)
            decision_id = self._insert_decision(c, values, None, None)
            self._audit(
                c,
                actor.name,
                "record-decision",
                "",
                request_id=request_id,
                row=("decisions", decision_id),
            )
            self._refresh_work(c, decision.case_id)
        return DecisionOutcome(
            "in-force", decision=self._decisions("WHERE decision_id = ?", (decision_id,))[0]
        )

    @staticmethod
    def _insert_decision(
        c: sqlite3.Connection, values: tuple, approved_by: str | None, pending_id: int | None
    ) -> int:
        case_id, status, reason, until, by, at, rules, priority, score, run_id = values
        cursor = c.execute(
            """INSERT INTO decisions (case_id, status, reason, decided_by, decided_at, until, rules_at_decision,
               priority_at_decision, score_at_decision, run_id_at_decision, approved_by, pending_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                case_id,
                status,
                reason,
                by,
                at,
                until,
                rules,
                priority,
                score,
                run_id,
                approved_by,
                pending_id,
            ),
        )
        return int(cursor.lastrowid or 0)

    def review_decision(
        self,
        pending_id: int,
        reviewer: str,
        approve: bool,
        note: str = "",
        request_id: str | None = None,
    ) -> PendingDecision:
        """A reviewer approves (the decision comes into force) or rejects a pending decision; never its author."""
        verb = "approve" if approve else "reject"
        with self._write(f"{verb} pending decision #{pending_id} (nothing was recorded)") as c:
            p = c.execute(
                "SELECT * FROM pending_decisions WHERE pending_id = ?", (pending_id,)
            ).fetchone()
            if p is None:
                raise InputError(f"no pending decision #{pending_id}")
            if c.execute(
                "SELECT 1 FROM decision_reviews WHERE pending_id = ?", (pending_id,)
            ).fetchone():
                raise ReviewRefused(f"decision #{pending_id} was already reviewed")
            actor = self._actor(c, reviewer)
            check_may_approve(actor, p["proposed_by"])
            now = _now()
            decision_id = None
            if approve:
                values = (
                    p["case_id"], p["status"], p["reason"], p["until"], p["proposed_by"], now,
                    p["rules_at_decision"], p["priority_at_decision"], p["score_at_decision"], p["run_id_at_decision"],
                )  # fmt: skip
                decision_id = self._insert_decision(c, values, reviewer, pending_id)
            c.execute(
                "INSERT INTO decision_reviews (pending_id, outcome, reviewed_by, reviewed_at, note, decision_id) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    pending_id,
                    "approved" if approve else "rejected",
                    reviewer,
                    now,
                    note,
                    decision_id,
                ),
            )
            self._audit(
                c,
                reviewer,
                f"{verb}-decision",
                "",
                request_id=request_id,
                row=("decision_reviews", pending_id),
            )
            if decision_id is not None:
                self._audit(
                    c,
                    reviewer,
                    "record-decision",
                    "",
                    request_id=request_id,
                    row=("decisions", decision_id),
                )
            self._refresh_work(c, p["case_id"])
        return self.pending_decisions(pending_id=pending_id)[0]

    def pending_decisions(
        self, case_id: str | None = None, pending_id: int | None = None, open_only: bool = False
    ) -> list[PendingDecision]:
        clauses: list[str] = []
        params: list[Any] = []
        if case_id is not None:
            clauses.append("p.case_id = ?")
            params.append(case_id)
        if pending_id is not None:
            clauses.append("p.pending_id = ?")
            params.append(pending_id)
        if open_only:
            clauses.append("r.pending_id IS NULL")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with store_errors(self.path, "read the pending decisions", reading=True):
            rows = self._conn.execute(
                f"""SELECT p.*, r.outcome, r.reviewed_by, r.reviewed_at, r.decision_id FROM pending_decisions p
                    LEFT JOIN decision_reviews r ON r.pending_id = p.pending_id {where} ORDER BY p.pending_id""",
                params,
            ).fetchall()
        return [
            PendingDecision(
                pending_id=r["pending_id"],
                decision=Decision(
                    case_id=r["case_id"],
                    status=r["status"],
                    reason=r["reason"],
                    by=r["proposed_by"],
                    at=datetime.fromisoformat(r["proposed_at"]),
                    until=_date(r["until"]),
                    rules_at_decision=json.loads(r["rules_at_decision"]),
                    priority_at_decision=r["priority_at_decision"],
                    score_at_decision=r["score_at_decision"],
                    run_id_at_decision=r["run_id_at_decision"],
                ),
                outcome=r["outcome"],
                reviewed_by=r["reviewed_by"],
                reviewed_at=datetime.fromisoformat(r["reviewed_at"]) if r["reviewed_at"] else None,
                decision_id=r["decision_id"],
            )
            for r in rows
        ]

    # ---- assignment, comments, snoozes ----------------------------------------------------
    def assign(
        self,
        case_ids: list[str],
        assignee: str | None,
        by: str,
        request_id: str | None = None,
        announce: Announce | None = None,
    ) -> None:
        """Assigns (or with None unassigns) each case, one event each, in one transaction; each assignment a `case-assigned` event for `announce`."""
        with self._write("assign cases (nothing was assigned)") as c:
            actor = self._actor(c, by)
            check_may_decide(actor)
            if assignee is not None:
                self._actor(c, assignee)
            for case_id in case_ids:
                self._assign(c, case_id, assignee, by, request_id, announce)

    def _assign(
        self,
        c: sqlite3.Connection,
        case_id: str,
        assignee: str | None,
        by: str,
        request_id: str | None,
        announce: Announce | None = None,
    ) -> None:
        cursor = c.execute(
            "INSERT INTO assignments (case_id, assignee, assigned_by, at) VALUES (?, ?, ?, ?)",
            (case_id, assignee, by, _now()),
        )
        assignment_id = int(cursor.lastrowid or 0)
        self._audit(c, by, "assign-case" if assignee else "unassign-case", "", request_id=request_id,
                    row=("assignments", assignment_id))  # fmt: skip
        self._refresh_work(c, case_id)
        if assignee is not None:
            announce_work(
                c, announce, "case-assigned", assignment_id, case_id, by, assignee=assignee
            )

    def claim_next(
        self,
        by: str,
        run_id: str,
        request_id: str | None = None,
        announce: Announce | None = None,
    ) -> str | None:
        """Assigns to `by` the oldest unassigned open case of the highest priority, atomically: two analysts never get the same one."""
        with self._write("claim the next case") as c:
            check_may_decide(self._actor(c, by))
            row = c.execute(
                self._queue_sql.next_case, {"run": run_id, "today": date.today().isoformat()}
            ).fetchone()
            if row is None:
                return None
            self._assign(c, row[0], by, by, request_id, announce)
            return str(row[0])

    def add_comment(
        self, case_id: str, author: str, body: str, request_id: str | None = None
    ) -> Comment:
        text = body.strip()
        if not text:
            raise InputError("a comment needs some text")
        if len(text) > 20_000:
            raise InputError("a comment is at most 20,000 characters")
        with self._write(f"comment on case {case_id} (it was not recorded)") as c:
            check_may_decide(self._actor(c, author))
            cursor = c.execute(
                "INSERT INTO comments (case_id, author, body, at) VALUES (?, ?, ?, ?)",
                (case_id, author, text, _now()),
            )
            comment_id = int(cursor.lastrowid or 0)
            self._audit(
                c, author, "comment-case", "", request_id=request_id, row=("comments", comment_id)
            )
        return [x for x in self.comments(case_id) if x.comment_id == comment_id][0]

    def comments(self, case_id: str) -> list[Comment]:
        with store_errors(self.path, "read the comments", reading=True):
            rows = self._conn.execute(
                "SELECT * FROM comments WHERE case_id = ? ORDER BY comment_id", (case_id,)
            )
            return [
                Comment(
                    r["comment_id"],
                    r["case_id"],
                    r["author"],
                    r["body"],
                    datetime.fromisoformat(r["at"]),
                )
                for r in rows
            ]

    def snooze(
        self,
        case_id: str,
        until: date | None,
        reason: str,
        by: str,
        rules: list[str],
        priority: str | None,
        request_id: str | None = None,
    ) -> None:
        """Quiet until `until` (None wakes it now); a rule that starts firing or a band that rises wakes it earlier."""
        with self._write(f"snooze case {case_id} (it was not recorded)") as c:
            check_may_decide(self._actor(c, by))
            cursor = c.execute(
                """INSERT INTO snoozes (case_id, until, reason, snoozed_by, at, rules_at_snooze, priority_at_snooze)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    case_id,
                    until.isoformat() if until else None,
                    reason,
                    by,
                    _now(),
                    _json(sorted(rules)),
                    priority,
                ),
            )
            self._audit(c, by, "snooze-case" if until else "wake-case", "", request_id=request_id,
                        row=("snoozes", int(cursor.lastrowid or 0)))  # fmt: skip
            self._refresh_work(c, case_id)

    def case_work(self, case_id: str) -> CaseWork:
        with store_errors(self.path, "read the case's working state", reading=True):
            r = self._conn.execute(
                "SELECT * FROM case_work WHERE case_id = ?", (case_id,)
            ).fetchone()
        if r is None:
            return CaseWork(case_id)
        return CaseWork(
            case_id=case_id,
            assignee=r["assignee"],
            snoozed_until=_date(r["snoozed_until"]),
            pending_id=r["pending_id"],
            decision_id=r["decision_id"],
            decision_status=r["decision_status"],
            decision_until=_date(r["decision_until"]),
        )

    @staticmethod
    def _refresh_work(c: sqlite3.Connection, case_id: str) -> None:
        """Rewrites the case's row of case_work from the insert-only tables (the truth)."""
        a = c.execute(
            "SELECT assignee, at FROM assignments WHERE case_id = ? ORDER BY assignment_id DESC LIMIT 1",
            (case_id,),
        ).fetchone()
        s = c.execute(
            "SELECT until, rules_at_snooze, priority_at_snooze FROM snoozes WHERE case_id = ? ORDER BY snooze_id DESC LIMIT 1",
            (case_id,),
        ).fetchone()
        d = c.execute(
            "SELECT decision_id, status, until, run_id_at_decision FROM decisions WHERE case_id = ? ORDER BY decision_id DESC LIMIT 1",
            (case_id,),
        ).fetchone()
        p = c.execute(
            """SELECT p.pending_id FROM pending_decisions p LEFT JOIN decision_reviews r ON r.pending_id = p.pending_id
               WHERE p.case_id = ? AND r.pending_id IS NULL ORDER BY p.pending_id DESC LIMIT 1""",
            (case_id,),
        ).fetchone()
        c.execute(
            """INSERT OR REPLACE INTO case_work (case_id, assignee, assigned_at, snoozed_until, rules_at_snooze,
               priority_at_snooze, pending_id, decision_id, decision_status, decision_until, decision_run_id, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                case_id,
                a["assignee"] if a else None,
                a["at"] if a else None,
                s["until"] if s else None,
                s["rules_at_snooze"] if s else None,
                s["priority_at_snooze"] if s else None,
                p["pending_id"] if p else None,
                d["decision_id"] if d else None,
                d["status"] if d else None,
                d["until"] if d else None,
                d["run_id_at_decision"] if d else None,
                _now(),
            ),
        )
