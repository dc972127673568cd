"""Schema migration 4: what a team working the queue needs beside the runs and decisions.

Accounts, sessions and API keys; assignments, comments, snoozes; decisions waiting for a
second person (four-eyes); and an audit trail that chains every action and every decision
together by hash. What happened is kept in insert-only tables (triggers refuse UPDATE and
DELETE); `case_work` is the one mutable table, an index of each case's current state that
the store rewrites in the same transaction as the event it follows from, so the queue can
be filtered in SQL at 100,000 cases.
"""

from __future__ import annotations


def _append_only(table: str) -> list[str]:
    message = f"{table} is append-only: record a new row instead"
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
           BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
           BEGIN SELECT RAISE(ABORT, '{message}'); END""",
    ]


def append_only_pg(table: str) -> list[str]:
    """PostgreSQL's twin of `_append_only` (same trigger names), and a statement trigger refusing TRUNCATE."""
    message = f"{table} is append-only: record a new row instead"
    return [
        *(
            f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
               FOR EACH ROW EXECUTE FUNCTION auditor_append_only('{message}')"""
            for verb in ("UPDATE", "DELETE")
        ),
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
           FOR EACH STATEMENT EXECUTE FUNCTION auditor_append_only('{message}')""",
    ]


TEAM_MIGRATION: list[str] = [
    """CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'reviewer', 'admin')),
        password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE login_attempts (
        attempt_id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        method TEXT NOT NULL,
        source TEXT,
        detail TEXT NOT NULL
    )""",
    """CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username),
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    """CREATE TABLE api_keys (
        key_id INTEGER PRIMARY KEY AUTOINCREMENT,
        prefix TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL,
        username TEXT NOT NULL REFERENCES users(username),
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    """CREATE TABLE assignments (
        assignment_id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL,
        assignee TEXT,
        assigned_by TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX assignments_case ON assignments(case_id)",
    """CREATE TABLE comments (
        comment_id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX comments_case ON comments(case_id)",
    """CREATE TABLE snoozes (
        snooze_id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL,
        until TEXT,
        reason TEXT NOT NULL,
        snoozed_by TEXT NOT NULL,
        at TEXT NOT NULL,
        rules_at_snooze TEXT NOT NULL,
        priority_at_snooze TEXT
    )""",
    "CREATE INDEX snoozes_case ON snoozes(case_id)",
    """CREATE TABLE pending_decisions (
        pending_id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed', 'escalated')),
        reason TEXT NOT NULL,
        until TEXT,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        rules_at_decision TEXT NOT NULL,
        priority_at_decision TEXT,
        score_at_decision REAL,
        run_id_at_decision TEXT
    )""",
    "CREATE INDEX pending_decisions_case ON pending_decisions(case_id)",
    """CREATE TABLE decision_reviews (
        pending_id INTEGER PRIMARY KEY REFERENCES pending_decisions(pending_id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected')),
        reviewed_by TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        note TEXT NOT NULL,
        decision_id INTEGER REFERENCES decisions(decision_id)
    )""",
    # Who approved a decision made under four-eyes, and the proposal it came from.
    "ALTER TABLE decisions ADD COLUMN approved_by TEXT",
    "ALTER TABLE decisions ADD COLUMN pending_id INTEGER",
    """CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object TEXT NOT NULL,
        request_id TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    """CREATE TABLE case_work (
        case_id TEXT PRIMARY KEY,
        assignee TEXT,
        assigned_at TEXT,
        snoozed_until TEXT,
        rules_at_snooze TEXT,
        priority_at_snooze TEXT,
        pending_id INTEGER,
        decision_id INTEGER,
        decision_status TEXT,
        decision_until TEXT,
        decision_run_id TEXT,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX case_work_assignee ON case_work(assignee)",
    "CREATE INDEX case_snapshots_run_rank ON case_snapshots(run_id, rank)",
    # Settings every path reads from the store itself (the four-eyes bands), so the console,
    # the API and the CLI cannot disagree about them.
    """CREATE TABLE store_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    *_append_only("login_attempts"),
    *_append_only("assignments"),
    *_append_only("comments"),
    *_append_only("snoozes"),
    *_append_only("pending_decisions"),
    *_append_only("decision_reviews"),
    *_append_only("audit_events"),
]

TEAM_TABLES = {
    "users",
    "login_attempts",
    "sessions",
    "api_keys",
    "assignments",
    "comments",
    "snoozes",
    "pending_decisions",
    "decision_reviews",
    "audit_events",
    "case_work",
    "store_settings",
}

ATTACHMENTS_MIGRATION: list[str] = [
    """CREATE TABLE attachment_blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        data BLOB NOT NULL
    )""",
    """CREATE TABLE attachments (
        attachment_id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL,
        filename TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES attachment_blobs(sha256),
        size INTEGER NOT NULL,
        uploaded_by TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX attachments_case ON attachments(case_id)",
    *_append_only("attachment_blobs"),
    *_append_only("attachments"),
]
ATTACHMENT_TABLES = {"attachment_blobs", "attachments"}

# PostgreSQL's twins of the two migrations above (store/postgres.py): the same tables and
# columns, spelled in its types (INTEGER -> BIGINT, REAL -> DOUBLE PRECISION, BLOB -> BYTEA,
# AUTOINCREMENT -> identity). tests/store/test_store_schema_twins.py keeps them equal.
TEAM_MIGRATION_PG: list[str] = [
    """CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'reviewer', 'admin')),
        password_hash TEXT,
        disabled BIGINT NOT NULL DEFAULT 0,
        failed_logins BIGINT NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE login_attempts (
        attempt_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        username TEXT NOT NULL,
        at TEXT NOT NULL,
        ok BIGINT NOT NULL,
        method TEXT NOT NULL,
        source TEXT,
        detail TEXT NOT NULL
    )""",
    """CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username),
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    """CREATE TABLE api_keys (
        key_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        prefix TEXT NOT NULL UNIQUE,
        key_hash TEXT NOT NULL,
        username TEXT NOT NULL REFERENCES users(username),
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    """CREATE TABLE assignments (
        assignment_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL,
        assignee TEXT,
        assigned_by TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX assignments_case ON assignments(case_id)",
    """CREATE TABLE comments (
        comment_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX comments_case ON comments(case_id)",
    """CREATE TABLE snoozes (
        snooze_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL,
        until TEXT,
        reason TEXT NOT NULL,
        snoozed_by TEXT NOT NULL,
        at TEXT NOT NULL,
        rules_at_snooze TEXT NOT NULL,
        priority_at_snooze TEXT
    )""",
    "CREATE INDEX snoozes_case ON snoozes(case_id)",
    """CREATE TABLE pending_decisions (
        pending_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed', 'escalated')),
        reason TEXT NOT NULL,
        until TEXT,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        rules_at_decision TEXT NOT NULL,
        priority_at_decision TEXT,
        score_at_decision DOUBLE PRECISION,
        run_id_at_decision TEXT
    )""",
    "CREATE INDEX pending_decisions_case ON pending_decisions(case_id)",
    """CREATE TABLE decision_reviews (
        pending_id BIGINT PRIMARY KEY REFERENCES pending_decisions(pending_id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected')),
        reviewed_by TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        note TEXT NOT NULL,
        decision_id BIGINT REFERENCES decisions(decision_id)
    )""",
    "ALTER TABLE decisions ADD COLUMN approved_by TEXT",
    "ALTER TABLE decisions ADD COLUMN pending_id BIGINT",
    """CREATE TABLE audit_events (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object TEXT NOT NULL,
        request_id TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    """CREATE TABLE case_work (
        case_id TEXT PRIMARY KEY,
        assignee TEXT,
        assigned_at TEXT,
        snoozed_until TEXT,
        rules_at_snooze TEXT,
        priority_at_snooze TEXT,
        pending_id BIGINT,
        decision_id BIGINT,
        decision_status TEXT,
        decision_until TEXT,
        decision_run_id TEXT,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX case_work_assignee ON case_work(assignee)",
    "CREATE INDEX case_snapshots_run_rank ON case_snapshots(run_id, rank)",
    """CREATE TABLE store_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    *append_only_pg("login_attempts"),
    *append_only_pg("assignments"),
    *append_only_pg("comments"),
    *append_only_pg("snoozes"),
    *append_only_pg("pending_decisions"),
    *append_only_pg("decision_reviews"),
    *append_only_pg("audit_events"),
]

ATTACHMENTS_MIGRATION_PG: list[str] = [
    """CREATE TABLE attachment_blobs (
        sha256 TEXT PRIMARY KEY,
        size BIGINT NOT NULL,
        data BYTEA NOT NULL
    )""",
    """CREATE TABLE attachments (
        attachment_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL,
        filename TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES attachment_blobs(sha256),
        size BIGINT NOT NULL,
        uploaded_by TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX attachments_case ON attachments(case_id)",
    *append_only_pg("attachment_blobs"),
    *append_only_pg("attachments"),
]
