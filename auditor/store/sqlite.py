"""The default case store: one SQLite file (stdlib sqlite3, WAL journal).

Why SQLite: a nightly audit and a handful of analysts need durability and atomic commits,
not a server. WAL lets analysts read and record decisions while a run commits; a run and
all its case snapshots go in one transaction, so a run killed midway leaves the store as
it was. Decisions are append-only, enforced by triggers, so a case's history cannot be
rewritten through this code or any other SQLite client.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from auditor.errors import InputError, display_path
from auditor.store.base import CaseSnapshot, Decision, RunRecord
from auditor.store.lock import StoreLock

SCHEMA_VERSION = 1

# Test-only: seconds to sleep inside the run transaction, just before COMMIT, so the kill
# test can SIGKILL a run at its most delicate moment. Never set it in production.
PAUSE_ENV = "AUDITOR_TEST_PAUSE_BEFORE_COMMIT"

# version -> statements that bring a store from the previous version to it.
MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL UNIQUE,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            as_of TEXT NOT NULL,
            committed_at TEXT NOT NULL,
            complete INTEGER NOT NULL,
            rule_pack_version TEXT NOT NULL,
            rule_pack_sha256 TEXT NOT NULL,
            scoring TEXT NOT NULL,
            inputs TEXT NOT NULL,
            lists TEXT NOT NULL,
            coverage_gaps TEXT NOT NULL,
            counts TEXT NOT NULL,
            changes TEXT,
            manifest TEXT NOT NULL
        )""",
        """CREATE TABLE case_snapshots (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            case_id TEXT NOT NULL,
            rank INTEGER NOT NULL,
            priority TEXT NOT NULL,
            score REAL NOT NULL,
            tenant_ids TEXT NOT NULL,
            rules TEXT NOT NULL,
            restricted_gpu_hours_90d REAL NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (run_id, case_id)
        )""",
        "CREATE INDEX case_snapshots_case ON case_snapshots(case_id)",
        """CREATE TABLE decisions (
            decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed', 'escalated')),
            reason TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            until TEXT,
            rules_at_decision TEXT NOT NULL,
            priority_at_decision TEXT,
            score_at_decision REAL,
            run_id_at_decision TEXT
        )""",
        "CREATE INDEX decisions_case ON decisions(case_id)",
        """CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
           BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a new decision instead'); END""",
        """CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
           BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a new decision instead'); END""",
    ],
}


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


class SQLiteStore:
    """A CaseStore in one SQLite file; the lock file sits beside it (`PATH.lock`)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.location = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{display_path(self.path)}: not a usable case store ({exc})") from None

    # ---- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Brings the schema to SCHEMA_VERSION, each step in its own transaction."""
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = c.execute("SELECT max(version) FROM schema_version").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                raise InputError(
                    f"{display_path(self.path)}: case store schema version {current} is newer than this auditor supports "
                    f"({SCHEMA_VERSION}); upgrade auditor"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    c.execute(statement)
                c.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return self._conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    # ---- runs -----------------------------------------------------------------------------
    def lock(self, timeout: float = 0) -> StoreLock:
        return StoreLock(self.path.with_name(self.path.name + ".lock"), timeout)

    def commit_run(self, run: RunRecord, cases: list[CaseSnapshot]) -> None:
        c = self._conn
        committed_at = datetime.now(timezone.utc).isoformat()
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute(
                """INSERT INTO runs (run_id, started_at, finished_at, as_of, committed_at, complete, rule_pack_version,
                   rule_pack_sha256, scoring, inputs, lists, coverage_gaps, counts, changes, manifest)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    run.run_id, run.started_at.isoformat(), run.finished_at.isoformat(), run.as_of.isoformat(), committed_at,
                    int(run.complete), run.rule_pack_version, run.rule_pack_sha256, run.scoring, _json(run.inputs),
                    _json(run.lists), _json(run.coverage_gaps), _json(run.counts),
                    None if run.changes is None else _json(run.changes), _json(run.manifest),
                ),
            )
            c.executemany(
                """INSERT INTO case_snapshots (run_id, case_id, rank, priority, score, tenant_ids, rules,
                   restricted_gpu_hours_90d, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (run.run_id, s.case_id, s.rank, s.priority, s.score, _json(s.tenant_ids), _json(s.rules),
                     s.restricted_gpu_hours_90d, _json(s.record))
                    for s in cases
                ],
            )
            pause = os.environ.get(PAUSE_ENV)
            if pause:
                sys.stderr.write(f"{PAUSE_ENV}: pausing {pause} s inside the run transaction\n")
                sys.stderr.flush()
                time.sleep(float(pause))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _run(self, row: sqlite3.Row) -> RunRecord:
        return RunRecord(
            run_id=row["run_id"],
            started_at=_dt(row["started_at"]),
            finished_at=_dt(row["finished_at"]),
            as_of=_dt(row["as_of"]),
            complete=bool(row["complete"]),
            rule_pack_version=row["rule_pack_version"],
            rule_pack_sha256=row["rule_pack_sha256"],
            scoring=row["scoring"],
            inputs=json.loads(row["inputs"]),
            lists=json.loads(row["lists"]),
            coverage_gaps=json.loads(row["coverage_gaps"]),
            counts=json.loads(row["counts"]),
            changes=json.loads(row["changes"]) if row["changes"] else None,
            manifest=json.loads(row["manifest"]),
            committed_at=_dt(row["committed_at"]),
        )

    def latest_run(self) -> RunRecord | None:
        row = self._conn.execute("SELECT * FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
        return self._run(row) if row else None

    def runs(self) -> list[RunRecord]:
        return [self._run(r) for r in self._conn.execute("SELECT * FROM runs ORDER BY seq")]

    # ---- case snapshots -------------------------------------------------------------------
    @staticmethod
    def _snapshot(row: sqlite3.Row) -> CaseSnapshot:
        return CaseSnapshot(
            run_id=row["run_id"],
            case_id=row["case_id"],
            rank=row["rank"],
            priority=row["priority"],
            score=row["score"],
            tenant_ids=json.loads(row["tenant_ids"]),
            rules=json.loads(row["rules"]),
            restricted_gpu_hours_90d=row["restricted_gpu_hours_90d"],
            record=json.loads(row["record"]),
        )

    def cases_in_run(self, run_id: str) -> list[CaseSnapshot]:
        rows = self._conn.execute("SELECT * FROM case_snapshots WHERE run_id = ? ORDER BY rank", (run_id,))
        return [self._snapshot(r) for r in rows]

    def case_history(self, case_id: str) -> list[CaseSnapshot]:
        rows = self._conn.execute(
            "SELECT s.* FROM case_snapshots s JOIN runs r ON r.run_id = s.run_id WHERE s.case_id = ? ORDER BY r.seq", (case_id,)
        )
        return [self._snapshot(r) for r in rows]

    def case_ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT case_id FROM case_snapshots ORDER BY case_id")]

    # ---- decisions ------------------------------------------------------------------------
    def add_decision(self, decision: Decision) -> Decision:
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            cursor = c.execute(
                """INSERT INTO decisions (case_id, status, reason, decided_by, decided_at, until, rules_at_decision,
                   priority_at_decision, score_at_decision, run_id_at_decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    decision.case_id, decision.status, decision.reason, decision.by, decision.at.isoformat(),
                    decision.until.isoformat() if decision.until else None, _json(sorted(decision.rules_at_decision)),
                    decision.priority_at_decision, decision.score_at_decision, decision.run_id_at_decision,
                ),
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return self._decisions("WHERE decision_id = ?", (cursor.lastrowid,))[0]

    def _decisions(self, where: str = "", params: tuple = ()) -> list[Decision]:
        rows = self._conn.execute(f"SELECT * FROM decisions {where} ORDER BY decision_id", params)
        return [
            Decision(
                case_id=r["case_id"],
                status=r["status"],
                reason=r["reason"],
                by=r["decided_by"],
                at=_dt(r["decided_at"]),
                until=date.fromisoformat(r["until"]) if r["until"] else None,
                rules_at_decision=json.loads(r["rules_at_decision"]),
                priority_at_decision=r["priority_at_decision"],
                score_at_decision=r["score_at_decision"],
                run_id_at_decision=r["run_id_at_decision"],
                decision_id=r["decision_id"],
            )
            for r in rows
        ]

    def decisions(self, case_id: str | None = None) -> list[Decision]:
        return self._decisions("WHERE case_id = ?", (case_id,)) if case_id else self._decisions()

    def latest_decisions(self) -> dict[str, Decision]:
        # Later decisions overwrite earlier ones: the last appended is the one in force.
        return {d.case_id: d for d in self._decisions()}

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
