"""The SQLite store's queue: the latest run's cases filtered by view and filters, in keyset pages.

One query for the console's queue page, the API's list and "next case": the latest run's
snapshots joined with `case_work` (each case's working state), walked in rank order on the
(run_id, rank) index so a page of 50 reads about 50 rows however many cases the run has.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.store.dialect import JsonDialect, PostgresJson, SQLiteJson
from auditor.store.due import DEFAULT_DUE_DAYS, due_date
from auditor.store.failures import store_errors
from auditor.store.search import parse_query
from auditor.store.sqlite_search import plan_search
from auditor.store.team import VIEWS, QueueFilter, QueueRow

__all__ = ["DEFAULT_DUE_DAYS", "QueueTables"]


def _rank(column: str) -> str:
    return (
        f"(CASE {column} WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)"
    )


@dataclass(frozen=True)
class QueueSQL:
    """The queue's SQL fragments in one database's spelling of JSON (store/dialect.py)."""

    d: JsonDialect
    views: dict[str, str]
    change: str
    first_seen: str
    next_case: str


def queue_sql(d: JsonDialect) -> QueueSQL:
    # A snooze holds until its date, unless a rule started firing or the band rose since.
    snoozed = f"""(w.snoozed_until IS NOT NULL AND w.snoozed_until > :today
        AND {_rank("s.priority")} <= {_rank("w.priority_at_snooze")}
        AND NOT EXISTS (SELECT 1 FROM {d.scalars("s.rules", "n")}
                        WHERE n.value NOT IN (SELECT z.value FROM {d.scalars("w.rules_at_snooze", "z")})))"""
    # A decision in force that takes the case out of the queue: a confirmation, or a dismissal
    # that has not expired and (decided on a later run's view) that run still found quiet.
    closed = f"""(w.decision_status = 'confirmed' OR (w.decision_status = 'dismissed'
        AND (w.decision_until IS NULL OR w.decision_until > :today)
        AND (w.decision_run_id = :run OR {d.is_true("s.record", "$.change.suppressed")})))"""
    open_ = f"(NOT coalesce({closed}, FALSE) AND NOT coalesce({snoozed}, FALSE))"
    change = d.text("s.record", "$.change.status")
    first_seen = """(SELECT min(r.started_at) FROM case_snapshots h JOIN runs r ON r.run_id = h.run_id
                     WHERE h.case_id = s.case_id)"""
    overdue = f"""({open_} AND {first_seen} < CASE s.priority
        WHEN 'critical' THEN :due_critical WHEN 'high' THEN :due_high WHEN 'medium' THEN :due_medium ELSE :due_low END)"""
    views = {
        "open": open_,
        "mine": f"({open_} AND w.assignee = :me)",
        "unassigned": f"({open_} AND w.assignee IS NULL)",
        "new": f"({change} = 'new')",
        "escalated": f"({change} = 'escalated' OR w.decision_status = 'escalated')",
        "resolved": "FALSE",  # not in the latest run: QueueTables._resolved reads the run's changes
        "overdue": overdue,
        "snoozed": f"coalesce({snoozed}, FALSE)",
        "review": """(w.pending_id IS NOT NULL AND (SELECT proposed_by FROM pending_decisions p
                      WHERE p.pending_id = w.pending_id) != :me)""",
        "closed": f"coalesce({closed}, FALSE)",
        "all": "TRUE",
    }
    assert set(views) == set(VIEWS)
    next_case = f"""SELECT s.case_id FROM case_snapshots s LEFT JOIN case_work w ON w.case_id = s.case_id
        WHERE s.run_id = :run AND w.assignee IS NULL AND {open_}
        ORDER BY {_rank("s.priority")} DESC, {first_seen}, s.rank LIMIT 1"""
    return QueueSQL(d, views, change, first_seen, next_case)


SQLITE_QUEUE = queue_sql(SQLiteJson())
POSTGRES_QUEUE = queue_sql(PostgresJson())
# Views that need a case_work row (an assignee, a snooze, a pending or closing decision).
WORK_VIEWS = ("mine", "review", "snoozed", "closed")


class QueueTables:
    """Mixed into SQLiteStore."""

    path: Path
    _conn: sqlite3.Connection
    _queue_sql: QueueSQL = SQLITE_QUEUE  # the PostgreSQL store sets its own

    def queue(
        self,
        run_id: str,
        f: QueueFilter,
        me: str,
        today: date | None = None,
        due_days: Mapping[str, int] | None = None,
    ) -> tuple[list[QueueRow], int | None]:
        """One page of the queue and the cursor of the next page (None on the last).

        `due_days` (band -> days, the config's `console.due_days`) decides the overdue view
        and each row's `due`; the defaults of store/due.py when not given.
        """
        due_days = {**DEFAULT_DUE_DAYS, **(due_days or {})}
        q = self._queue_sql
        d = q.d
        if f.view not in q.views:
            raise InputError(f"unknown view {f.view!r}; expected one of {', '.join(VIEWS)}")
        today = today or date.today()
        if f.view == "resolved":
            return self._resolved(run_id, f), None
        clauses = ["s.run_id = :run", q.views[f.view]]
        params: dict[str, Any] = {"run": run_id, "today": today.isoformat(), "me": me}
        for band, days in due_days.items():
            params[f"due_{band}"] = (today - timedelta(days=days)).isoformat()
        if f.priorities:
            marks = []
            for i, p in enumerate(f.priorities):
                params[f"p{i}"] = p
                marks.append(f":p{i}")
            clauses.append(f"s.priority IN ({', '.join(marks)})")
        if f.min_score is not None:
            clauses.append("s.score >= :min_score")
            params["min_score"] = f.min_score
        if f.max_score is not None:
            clauses.append("s.score <= :max_score")
            params["max_score"] = f.max_score
        if f.rule:
            clauses.append(
                f"EXISTS (SELECT 1 FROM {d.scalars('s.rules', 'x')} WHERE x.value = :rule)"
            )
            params["rule"] = f.rule
        if f.change:
            clauses.append(f"{q.change} = :change")
            params["change"] = f.change
        if f.assignee:
            clauses.append("w.assignee = :assignee")
            params["assignee"] = f.assignee
        if f.country:
            clauses.append(
                f"EXISTS (SELECT 1 FROM {d.elements('s.record', 't', '$.tenants')} WHERE {d.element_text('t', '$.country')} = :country)"
            )
            params["country"] = f.country.upper()
        search = None
        if f.text:
            with store_errors(self.path, "search the queue", reading=True):
                search = plan_search(self._conn, run_id, parse_query(f.text), params, d)
        if search is not None:
            clauses.append(search.clause)
        if f.expiring_within_days is not None:
            clauses.append(
                "w.decision_until IS NOT NULL AND w.decision_until >= :today AND w.decision_until <= :expiry"
            )
            params["expiry"] = (today + timedelta(days=f.expiring_within_days)).isoformat()
        if f.after_rank is not None:
            clauses.append("s.rank > :after")
            params["after"] = f.after_rank
        params["limit"] = f.limit + 1
        # Views that only cases with working state can match are read from case_work first (a
        # few rows), not by walking the whole run in rank order to find them.
        from_work = f.view in WORK_VIEWS or f.assignee or f.expiring_within_days is not None
        source = (
            f"case_work w {d.forced_join} case_snapshots s ON s.run_id = :run AND s.case_id = w.case_id"
            if from_work
            else "case_snapshots s LEFT JOIN case_work w ON w.case_id = s.case_id"
        )
        if search is not None and search.driver is not None and not from_work:
            # A rare word: its few cases first, then their snapshots (CROSS JOIN keeps that order in SQLite).
            source = f"""({search.driver}) m {d.forced_join} case_snapshots s ON s.run_id = :run AND s.case_id = m.case_id
                         LEFT JOIN case_work w ON w.case_id = s.case_id"""
        sql = f"""SELECT s.case_id, s.rank, s.priority, s.score, s.tenant_ids, s.rules,
                  {d.text("s.record", "$.top_reasons[0]")} AS top_reason, {q.change} AS change,
                  {d.text("s.record", "$.tenants[0].legal_name")} AS name, {q.first_seen} AS first_seen,
                  w.assignee, w.decision_status, w.pending_id, w.snoozed_until
                  FROM {source}
                  WHERE {" AND ".join(clauses)} ORDER BY s.rank LIMIT :limit"""
        with store_errors(self.path, "read the queue", reading=True):
            rows = self._conn.execute(sql, params).fetchall()
        page = [
            QueueRow(
                case_id=r["case_id"],
                rank=r["rank"],
                priority=r["priority"],
                score=r["score"],
                tenant_ids=json.loads(r["tenant_ids"]),
                rules=json.loads(r["rules"]),
                top_reason=r["top_reason"] or "",
                change=r["change"],
                assignee=r["assignee"],
                decision_status=r["decision_status"],
                pending_id=r["pending_id"],
                snoozed_until=date.fromisoformat(r["snoozed_until"])
                if r["snoozed_until"]
                else None,
                names=[r["name"]] if r["name"] else [],
                first_seen=datetime.fromisoformat(r["first_seen"]) if r["first_seen"] else None,
                due=due_date(
                    datetime.fromisoformat(r["first_seen"]).date() if r["first_seen"] else None,
                    r["priority"],
                    due_days,
                ),
            )
            for r in rows[: f.limit]
        ]
        return page, (page[-1].rank if len(rows) > f.limit else None)

    def _resolved(self, run_id: str, f: QueueFilter) -> list[QueueRow]:
        """Cases the previous run had and this one does not: the run's changes list them (not paged: they are few)."""
        with store_errors(self.path, "read the queue", reading=True):
            row = self._conn.execute(
                "SELECT changes FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        gone = (json.loads(row[0]) if row and row[0] else {}).get("resolved") or []
        rows = [
            QueueRow(
                case_id=g["case_id"],
                rank=0,
                priority=g.get("previous_priority") or "low",
                score=float(g.get("previous_score") or 0.0),
                tenant_ids=list(g.get("tenant_ids") or []),
                rules=[],
                top_reason="; ".join(g.get("why") or [])[:500],
                change="resolved",
                assignee=None,
                decision_status=None,
                pending_id=None,
                snoozed_until=None,
            )
            for g in gone
        ]
        return [r for r in rows if not f.priorities or r.priority in f.priorities][: f.limit]
