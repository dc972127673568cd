"""The case store's SQLite schema: its version, the migrations that reach it, and how a store is recognised.

Kept apart from the store's queries so a schema change is one reviewable file: a new
version appends a list of statements to MIGRATIONS and never edits an earlier one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.store.sqlite_allowlist import (
    ALLOWLIST_MIGRATION,
    ALLOWLIST_MIGRATION_PG,
    ALLOWLIST_TABLES,
)
from auditor.store.sqlite_search import (
    SEARCH_MIGRATION,
    SEARCH_MIGRATION_PG,
    SEARCH_RUNS_MIGRATION,
    SEARCH_RUNS_MIGRATION_PG,
    SEARCH_TABLES,
    backfill_search_terms,
)
from auditor.store.schema_team import (
    ATTACHMENT_TABLES,
    ATTACHMENTS_MIGRATION,
    ATTACHMENTS_MIGRATION_PG,
    TEAM_MIGRATION,
    TEAM_MIGRATION_PG,
    TEAM_TABLES,
    append_only_pg,
)

SCHEMA_VERSION = 8
# Written into the SQLite header (PRAGMA application_id) so a store is recognisable as ours: "AUDT".
APPLICATION_ID = 0x41554454

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
    # Alert delivery: a run's alerts are recorded `pending` in its commit and marked
    # `delivered` once the summary and exit code have gone out; alerts a run never delivered
    # (killed, closed pipe) are carried into the next run's alert decision and marked
    # `carried` by that run's commit. One row per run and channel, so a notifications
    # outbox can add its own channels beside the scheduler's exit code (`exit`).
    2: [
        """CREATE TABLE alert_deliveries (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            channel TEXT NOT NULL,
            alert_priority TEXT NOT NULL,
            alerts TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'carried')),
            carried_into TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (run_id, channel)
        )""",
        "CREATE INDEX alert_deliveries_pending ON alert_deliveries(channel, state)",
    ],
    # Screening results reused by later runs over the same lists (screening/cache.py). A
    # disposable memo: dropping its rows only costs the next run the time to screen again.
    3: [
        """CREATE TABLE screening_results (
            fingerprint TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('name', 'address')),
            strings INTEGER NOT NULL,
            screened BLOB NOT NULL,
            matches BLOB NOT NULL,
            run_id TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (fingerprint, kind)
        )""",
    ],
    # The analysts' console (issue 19): accounts, sessions, API keys, work on cases, four-eyes
    # review and the hash-chained audit trail. The statements live in schema_team.py.
    4: TEAM_MIGRATION,
    # The notifications outbox (store/outbox.py): a run's messages, one row per event and
    # channel, written in the run's commit; the sender marks each delivered, or dead after
    # its channel's attempts, and the next run reports the dead ones (`reported_in`).
    5: [
        """CREATE TABLE notify_outbox (
            event_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            run_id TEXT,
            payload TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            reported_in TEXT,
            PRIMARY KEY (event_id, channel)
        )""",
        "CREATE INDEX notify_outbox_due ON notify_outbox(state, next_attempt_at)",
    ],
    # Case attachments (issue 19): metadata insert-only and chained; contents stored once by checksum.
    6: ATTACHMENTS_MIGRATION,
    # The queue's text search (store/search.py, store/sqlite_search.py): each run's words
    # (case id, tenant ids, legal names) with the cases that have them, so `q=` reads an
    # index range instead of every case of the run.
    # Allowlist entries made in the console (store/allowlist_entries.py, sqlite_allowlist.py):
    # proposals and their four-eyes reviews, insert-only and chained.
    7: [*SEARCH_MIGRATION, *ALLOWLIST_MIGRATION],
    # A run that reused an earlier run's answer searches that run's words (sqlite_search.py).
    8: SEARCH_RUNS_MIGRATION,
}
# Data steps SQL alone cannot take, run in the same transaction right after a version's statements.
AFTER_MIGRATION: dict[int, Callable[[Any], None]] = {
    7: backfill_search_terms,  # the latest run's words, so search works on a store made before 7
}
# PostgreSQL's twin of each migration (store/postgres.py), under the same number: the same
# tables and columns in its types. A new migration appends to both dicts;
# tests/store/test_store_schema_twins.py fails when one lacks a twin or the two differ.
# notify_outbox spells out SQLite's implicit `rowid` (insertion order, which the outbox reads by).
PG_MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE FUNCTION auditor_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation'; END $$""",
        """CREATE TABLE runs (
            seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            as_of TEXT NOT NULL,
            committed_at TEXT NOT NULL,
            complete BIGINT NOT NULL,
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
            rank BIGINT NOT NULL,
            priority TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            tenant_ids TEXT NOT NULL,
            rules TEXT NOT NULL,
            restricted_gpu_hours_90d DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (run_id, case_id)
        )""",
        "CREATE INDEX case_snapshots_case ON case_snapshots(case_id)",
        """CREATE TABLE decisions (
            decision_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            case_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed', 'escalated')),
            reason TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            until TEXT,
            rules_at_decision TEXT NOT NULL,
            priority_at_decision TEXT,
            score_at_decision DOUBLE PRECISION,
            run_id_at_decision TEXT
        )""",
        "CREATE INDEX decisions_case ON decisions(case_id)",
        *[
            s.replace(
                "is append-only: record a new row instead",
                "are append-only: record a new decision instead",
            )
            for s in append_only_pg("decisions")
        ],
    ],
    2: [
        """CREATE TABLE alert_deliveries (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            channel TEXT NOT NULL,
            alert_priority TEXT NOT NULL,
            alerts TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'carried')),
            carried_into TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (run_id, channel)
        )""",
        "CREATE INDEX alert_deliveries_pending ON alert_deliveries(channel, state)",
    ],
    3: [
        """CREATE TABLE screening_results (
            fingerprint TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('name', 'address')),
            strings BIGINT NOT NULL,
            screened BYTEA NOT NULL,
            matches BYTEA NOT NULL,
            run_id TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (fingerprint, kind)
        )""",
    ],
    4: TEAM_MIGRATION_PG,
    5: [
        """CREATE TABLE notify_outbox (
            rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            event_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            run_id TEXT,
            payload TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            reported_in TEXT,
            PRIMARY KEY (event_id, channel)
        )""",
        "CREATE INDEX notify_outbox_due ON notify_outbox(state, next_attempt_at)",
    ],
    6: ATTACHMENTS_MIGRATION_PG,
    7: [*SEARCH_MIGRATION_PG, *ALLOWLIST_MIGRATION_PG],
    8: SEARCH_RUNS_MIGRATION_PG,
}
# Tables an auditor store holds at SCHEMA_VERSION; a database with other tables is someone else's.
OWN_TABLES = {
    "schema_version",
    "runs",
    "case_snapshots",
    "decisions",
    "alert_deliveries",
    "screening_results",
    "notify_outbox",
    "sqlite_sequence",
    *TEAM_TABLES,
    *ATTACHMENT_TABLES,
    *SEARCH_TABLES,
    *ALLOWLIST_TABLES,
}
