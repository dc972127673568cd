"""The default case store: one SQLite file (stdlib sqlite3, WAL journal).

Why SQLite: a nightly audit and a handful of analysts need durability and atomic commits,
not a server. WAL lets analysts read and record decisions while a run commits; a run and
all its case snapshots go in one transaction, so a run killed midway leaves the store as
it was. Decisions are append-only, enforced by triggers, so a case's history cannot be
rewritten through this code or any other SQLite client.

The file is created 0600 (its -wal and -shm files inherit that mode), since it holds KYC
data; a file that exists keeps the mode its owner gave it. A database that is not an
auditor store is refused rather than taken over.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import SourceLocation, StoreError, display_path
from auditor.store.base import ALERT_CHANNEL, CaseSnapshot, Decision, RunRecord
from auditor.store.failures import rollback_quietly, store_errors
from auditor.store import outbox
from auditor.store.lock import StoreLock
from auditor.store.review import ReviewRefused
from auditor.store.outbox import OutboxMessage
from auditor.store.schema import (
    AFTER_MIGRATION,
    APPLICATION_ID,
    MIGRATIONS,
    OWN_TABLES,
    SCHEMA_VERSION,
)
from auditor.store.sqlite_accounts import AccountTables
from auditor.store.sqlite_allowlist import AllowlistTables
from auditor.store.sqlite_attachments import AttachmentTables
from auditor.store.sqlite_audit import AuditTables
from auditor.store.sqlite_queue import QueueTables
from auditor.store.sqlite_search import carry_run_terms, index_run_terms
from auditor.store.sqlite_work import WorkTables

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

FILE_MODE = 0o600  # the store holds KYC data


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _required_dt(value: str) -> datetime:
    """A NOT NULL timestamp column."""
    return datetime.fromisoformat(value)


def _create_private(path: Path) -> None:
    """Creates the store file 0600 before SQLite opens it (SQLite would use the umask, often 0644)."""
    try:
        os.close(
            os.open(
                path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), FILE_MODE
            )
        )
    except FileExistsError:
        pass


# orjson: a third of the standard library's time on a run's 150 MB of case records at 1M
# tenants; the same values read back (datetimes through `str` as before, keys sorted), the
# spacing compact, and a NaN written as null (valid JSON, which PostgreSQL's jsonb requires).
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str, option=_JSON_OPTIONS).decode("utf-8")


class SQLiteStore(
    AccountTables, AuditTables, WorkTables, QueueTables, AttachmentTables, AllowlistTables
):
    """A CaseStore in one SQLite file; the lock file sits beside it (`PATH.lock`).

    The team's tables (accounts, work on cases, the audit trail, the queue) are mixins, one module each.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.location = str(self.path)
        with store_errors(self.path, "open the case store"):
            if self.path.is_dir():
                raise StoreError(
                    "is a folder; give the path of a case store file", location=self._where()
                )
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _create_private(self.path)
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            try:
                self._conn.row_factory = sqlite3.Row
                self._refuse_foreign()
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=FULL")
                self._conn.execute("PRAGMA foreign_keys=ON")
                # 64 MB of page cache (SQLite's default is 2 MB): a run's commit writes its snapshots
                # and ~7 search words per case into B-trees that no longer fit in 2 MB at 100,000 cases.
                self._conn.execute("PRAGMA cache_size=-65536")
                self._migrate()
            except BaseException:
                self._conn.close()
                raise

    def _where(self) -> SourceLocation:
        return SourceLocation(display_path(self.path))

    # ---- schema ---------------------------------------------------------------------------
    def _refuse_foreign(self) -> None:
        """An SQLite file of some other program is refused, never migrated into a store."""
        c = self._conn
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        app_id = c.execute("PRAGMA application_id").fetchone()[0]
        if not tables or app_id == APPLICATION_ID:
            return
        if app_id == 0 and {"schema_version", "runs"} <= tables and tables <= OWN_TABLES:
            return  # a store made before the application id was written
        foreign = ", ".join(sorted(tables - OWN_TABLES)[:5]) or ", ".join(sorted(tables)[:5])
        raise StoreError(
            f"an SQLite database that is not an auditor case store (tables: {foreign}); refusing to write to it: "
            "give a new file for the store",
            location=self._where(),
        )

    def _version(self) -> int:
        c = self._conn
        if not c.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone():
            return 0
        return int(c.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0)

    def _migrate(self) -> None:
        """Brings the schema to SCHEMA_VERSION, each step in its own transaction.

        An up-to-date store is only read here: opening it never waits for the write lock a
        committing run holds, so a second run reaches the store lock (and exits 4) at once.
        """
        current = self._version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"case store schema version {current} is newer than this auditor supports ({SCHEMA_VERSION}); upgrade auditor",
                location=self._where(),
            )
        if current == SCHEMA_VERSION:
            return
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self._version()
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    c.execute(statement)
                if version in AFTER_MIGRATION:
                    AFTER_MIGRATION[version](c)
                c.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            c.execute("COMMIT")
        except BaseException:
            rollback_quietly(c)
            raise

    def schema_version(self) -> int:
        with store_errors(self.path, "read the case store", reading=True):
            return self._version()

    # ---- runs -----------------------------------------------------------------------------
    def lock(self, timeout: float = 0) -> StoreLock:
        return StoreLock(self.path.with_name(self.path.name + ".lock"), timeout)

    def commit_run(
        self,
        run: RunRecord,
        cases: list[CaseSnapshot],
        alerts: list[dict[str, Any]] | None = None,
        alert_priority: str = "high",
        notifications: list[OutboxMessage] | None = None,
        reported_dead: list[tuple[str, str]] | None = None,
        terms_from: str | None = None,
    ) -> None:
        with store_errors(
            self.path, f"record run {run.run_id} in the case store (nothing of it was recorded)"
        ):
            self._commit_run(
                run, cases, alerts, alert_priority, notifications, reported_dead, terms_from
            )

    def _commit_run(
        self,
        run: RunRecord,
        cases: list[CaseSnapshot],
        alerts: list[dict[str, Any]] | None,
        alert_priority: str,
        notifications: list[OutboxMessage] | None = None,
        reported_dead: list[tuple[str, str]] | None = None,
        terms_from: str | None = None,
    ) -> None:
        c = self._conn
        committed_at = datetime.now(timezone.utc).isoformat()
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute(
                """INSERT INTO runs (run_id, started_at, finished_at, as_of, committed_at, complete, rule_pack_version,
                   rule_pack_sha256, scoring, inputs, lists, coverage_gaps, counts, changes, manifest)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    run.run_id,
                    run.started_at.isoformat(),
                    run.finished_at.isoformat(),
                    run.as_of.isoformat(),
                    committed_at,
                    int(run.complete),
                    run.rule_pack_version,
                    run.rule_pack_sha256,
                    run.scoring,
                    _json(run.inputs),
                    _json(run.lists),
                    _json(run.coverage_gaps),
                    _json(run.counts),
                    None if run.changes is None else _json(run.changes),
                    _json(run.manifest),
                ),
            )
            c.executemany(
                """INSERT INTO case_snapshots (run_id, case_id, rank, priority, score, tenant_ids, rules,
                   restricted_gpu_hours_90d, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        run.run_id,
                        s.case_id,
                        s.rank,
                        s.priority,
                        s.score,
                        _json(s.tenant_ids),
                        _json(s.rules),
                        s.restricted_gpu_hours_90d,
                        _json(s.record) if s.record_json is None else s.record_json,
                    )
                    for s in cases
                ],
            )
            if terms_from is None or not carry_run_terms(c, run.run_id, terms_from):
                index_run_terms(c, run.run_id, ((s.case_id, s.record) for s in cases))
            if alerts is not None:
                # This run's alerts include every undelivered earlier alert it carried, so those are settled now.
                c.execute(
                    "UPDATE alert_deliveries SET state = 'carried', carried_into = ?, updated_at = ? WHERE channel = ? AND state = 'pending'",
                    (run.run_id, committed_at, ALERT_CHANNEL),
                )
                c.execute(
                    """INSERT INTO alert_deliveries (run_id, channel, alert_priority, alerts, state, updated_at)
                       VALUES (?, ?, ?, ?, 'pending', ?)""",
                    (run.run_id, ALERT_CHANNEL, alert_priority, _json(alerts), committed_at),
                )
            # The run's notifications and the dead messages it reported, as durable as the run itself.
            at = datetime.fromisoformat(committed_at)
            outbox.insert(c, notifications or [], at)
            outbox.mark_reported(c, reported_dead or [], run.run_id, at)
            c.execute("COMMIT")
        except BaseException:
            rollback_quietly(c)
            raise

    # ---- alert delivery -------------------------------------------------------------------
    def undelivered_alerts(self, channel: str = ALERT_CHANNEL) -> list[dict[str, Any]]:
        """Alerts of committed runs whose delivery never completed, oldest run first; each says its run."""
        with store_errors(self.path, "read the case store's alert deliveries", reading=True):
            rows = self._conn.execute(
                """SELECT d.run_id, d.alerts FROM alert_deliveries d JOIN runs r ON r.run_id = d.run_id
                   WHERE d.channel = ? AND d.state = 'pending' ORDER BY r.seq""",
                (channel,),
            ).fetchall()
            return [
                {**alert, "run_id": alert.get("run_id") or row["run_id"]}
                for row in rows
                for alert in json.loads(row["alerts"])
            ]

    def mark_alerts_delivered(self, run_id: str, channel: str = ALERT_CHANNEL) -> None:
        with store_errors(self.path, f"record that run {run_id}'s alert was delivered"):
            self._conn.execute(
                "UPDATE alert_deliveries SET state = 'delivered', updated_at = ? WHERE run_id = ? AND channel = ? AND state = 'pending'",
                (datetime.now(timezone.utc).isoformat(), run_id, channel),
            )

    def alert_state(self, run_id: str, channel: str = ALERT_CHANNEL) -> str | None:
        """pending / delivered / carried, or None for a run that recorded no alert decision."""
        with store_errors(self.path, "read the case store's alert deliveries", reading=True):
            row = self._conn.execute(
                "SELECT state FROM alert_deliveries WHERE run_id = ? AND channel = ?",
                (run_id, channel),
            ).fetchone()
        return row["state"] if row else None

    # ---- notifications outbox (store/outbox.py) --------------------------------------------
    def enqueue_notifications(
        self, messages: list[OutboxMessage], at: datetime | None = None
    ) -> int:
        """Adds messages outside a run (a ping); returns how many were new (the rest were already there)."""
        with store_errors(self.path, "add notifications to the case store's outbox"):
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                added = outbox.insert(c, messages, at or datetime.now(timezone.utc))
                c.execute("COMMIT")
            except BaseException:
                rollback_quietly(c)
                raise
            return added

    def notifications(
        self,
        state: str | None = None,
        due_by: datetime | None = None,
        unreported_dead: bool = False,
    ) -> list[OutboxMessage]:
        with store_errors(self.path, "read the case store's outbox", reading=True):
            return outbox.select(
                self._conn, state=state, due_by=due_by, unreported_dead=unreported_dead
            )

    def settle_notification(
        self,
        message: OutboxMessage,
        *,
        at: datetime,
        delivered: bool,
        error: str | None = None,
        retry_at: datetime | None = None,
        raised: list[OutboxMessage] | None = None,
    ) -> None:
        with store_errors(self.path, f"record the delivery of notification {message.event_id}"):
            outbox.settle(
                self._conn,
                message,
                at=at,
                delivered=delivered,
                error=error,
                retry_at=retry_at,
                raised=raised or [],
            )

    # ---- screening results ----------------------------------------------------------------
    def screening_results(self, fingerprint: str) -> dict[str, tuple[bytes, bytes]]:
        """kind -> (screened texts, their matches), both Parquet, saved under `fingerprint`."""
        with store_errors(self.path, "read the case store's screening results"):
            rows = self._conn.execute(
                "SELECT kind, screened, matches FROM screening_results WHERE fingerprint = ?",
                (fingerprint,),
            ).fetchall()
        return {row["kind"]: (bytes(row["screened"]), bytes(row["matches"])) for row in rows}

    def save_screening_results(
        self,
        fingerprint: str,
        run_id: str,
        parts: dict[str, tuple[int, bytes, bytes]],
        keep: int = 2,
    ) -> None:
        """Replaces the results under `fingerprint`; keeps only the `keep` most recently saved fingerprints."""
        saved_at = datetime.now(timezone.utc).isoformat()
        with store_errors(self.path, "save screening results in the case store"):
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                c.executemany(
                    """INSERT OR REPLACE INTO screening_results (fingerprint, kind, strings, screened, matches, run_id, saved_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [
                        (fingerprint, kind, strings, screened, matches, run_id, saved_at)
                        for kind, (strings, screened, matches) in parts.items()
                    ],
                )
                c.execute(
                    """DELETE FROM screening_results WHERE fingerprint NOT IN (
                         SELECT fingerprint FROM screening_results GROUP BY fingerprint ORDER BY max(saved_at) DESC LIMIT ?)""",
                    (keep,),
                )
                c.execute("COMMIT")
            except BaseException:
                rollback_quietly(c)
                raise

    def _run(self, row: sqlite3.Row) -> RunRecord:
        return RunRecord(
            run_id=row["run_id"],
            started_at=_required_dt(row["started_at"]),
            finished_at=_required_dt(row["finished_at"]),
            as_of=_required_dt(row["as_of"]),
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
        with store_errors(self.path, "read the case store's runs", reading=True):
            row = self._conn.execute("SELECT * FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
            return self._run(row) if row else None

    def runs(self) -> list[RunRecord]:
        with store_errors(self.path, "read the case store's runs", reading=True):
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
        with store_errors(self.path, "read the case store's cases", reading=True):
            rows = self._conn.execute(
                "SELECT * FROM case_snapshots WHERE run_id = ? ORDER BY rank", (run_id,)
            )
            return [self._snapshot(r) for r in rows]

    def case_summaries_in_run(self, run_id: str) -> list[CaseSnapshot]:
        """The run's cases without their records: classifying the next run reads only these columns,
        and parsing every record's JSON (some 4 kB a case) was most of the time of reading them."""
        with store_errors(self.path, "read the case store's cases", reading=True):
            rows = self._conn.execute(
                """SELECT run_id, case_id, rank, priority, score, tenant_ids, rules, restricted_gpu_hours_90d
                   FROM case_snapshots WHERE run_id = ? ORDER BY rank""",
                (run_id,),
            )
            return [
                CaseSnapshot(
                    run_id=r["run_id"],
                    case_id=r["case_id"],
                    rank=r["rank"],
                    priority=r["priority"],
                    score=r["score"],
                    tenant_ids=orjson.loads(r["tenant_ids"]),  # lists of ids: orjson, 3x faster
                    rules=orjson.loads(r["rules"]),
                    restricted_gpu_hours_90d=r["restricted_gpu_hours_90d"],
                )
                for r in rows
            ]

    def case_history(self, case_id: str) -> list[CaseSnapshot]:
        with store_errors(self.path, "read the case store's cases", reading=True):
            rows = self._conn.execute(
                "SELECT s.* FROM case_snapshots s JOIN runs r ON r.run_id = s.run_id WHERE s.case_id = ? ORDER BY r.seq",
                (case_id,),
            )
            return [self._snapshot(r) for r in rows]

    def case_ids(self) -> list[str]:
        with store_errors(self.path, "read the case store's cases", reading=True):
            return [
                r[0]
                for r in self._conn.execute(
                    "SELECT DISTINCT case_id FROM case_snapshots ORDER BY case_id"
                )
            ]

    def latest_rules(self) -> dict[str, list[str]]:
        """Each case's rules in its latest snapshot, in one query (not a history read per case)."""
        with store_errors(self.path, "read the case store's cases", reading=True):
            rows = self._conn.execute(
                "SELECT s.case_id, s.rules FROM case_snapshots s JOIN runs r ON r.run_id = s.run_id ORDER BY r.seq"
            )
            return {case_id: json.loads(rules) for case_id, rules in rows}  # later runs overwrite

    # ---- decisions ------------------------------------------------------------------------
    def add_decision(self, decision: Decision) -> Decision:
        """Records through `record_decision` (four-eyes included); refuses one that must wait for review."""
        outcome = self.record_decision(decision)
        if outcome.decision is None:
            raise ReviewRefused(
                f"the decision on case {decision.case_id} needs a reviewer's approval: it is pending as #{outcome.pending_id}"
            )
        return outcome.decision

    def _decisions(self, where: str = "", params: tuple = ()) -> list[Decision]:
        with store_errors(self.path, "read the case store's decisions", reading=True):
            rows = self._conn.execute(
                f"SELECT * FROM decisions {where} ORDER BY decision_id", params
            ).fetchall()
            return [
                Decision(
                    case_id=r["case_id"],
                    status=r["status"],
                    reason=r["reason"],
                    by=r["decided_by"],
                    at=_required_dt(r["decided_at"]),
                    until=date.fromisoformat(r["until"]) if r["until"] else None,
                    rules_at_decision=json.loads(r["rules_at_decision"]),
                    priority_at_decision=r["priority_at_decision"],
                    score_at_decision=r["score_at_decision"],
                    run_id_at_decision=r["run_id_at_decision"],
                    decision_id=r["decision_id"],
                    approved_by=r["approved_by"],
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
