"""The notifications outbox in the SQLite store: messages written with a run's commit, settled by the sender.

Why an outbox: a notification sent from inside the run could be lost (the process dies
after its commit) or sent for a run the store never recorded (it dies before). Writing the
messages in the same transaction as the run makes them exactly as durable as the run; a
sender then delivers each one at least once, under a stable event id, so a receiver that
deduplicates on that id sees it exactly once. One row per (event, channel): inserting the
same event for a channel again is a no-op, which is the deduplication.

These functions take an open connection and run inside the caller's transaction where
one is open (`insert` within `commit_run`); the others open their own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.store.failures import rollback_quietly

STATES = ("pending", "delivered", "dead")


@dataclass(frozen=True)
class OutboxMessage:
    """One event for one channel; `payload` is the channel-neutral event (notify/events.py)."""

    event_id: str
    channel: str
    kind: str  # run-digest | expiring | channel-failing | ping | case-assigned | review-requested
    payload: dict[str, Any]
    run_id: str | None = None
    state: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    reported_in: str | None = None


@dataclass(frozen=True)
class WorkEvent:
    """Work on a case that someone else should hear of: a case assigned to them, a decision waiting for review.

    The store makes one in the transaction of the assignment or proposal, with the case's
    band and names as its latest run saw them, and hands it to the caller's `Announce`
    (notify/work_events.py), whose messages enter the outbox in that same transaction: an
    assignment that was recorded has its notification, and one that was not has none.
    `ref` (the assignment or pending decision id) makes the event id, so it is sent once.
    """

    kind: str  # case-assigned | review-requested
    ref: int
    case_id: str
    actor: str
    at: datetime
    priority: str | None = None
    score: float | None = None
    assignee: str | None = None
    status: str | None = None  # the proposed decision
    reason: str | None = None
    names: tuple[str, ...] = field(default_factory=tuple)
    subject: str = (
        "decision"  # what waits for review: a decision, or an allowlist entry (`ref` its proposal)
    )

    @property
    def event_id(self) -> str:
        return (
            f"{self.kind}.{self.ref}"
            if self.subject == "decision"
            else f"{self.kind}.{self.subject}-{self.ref}"
        )


Announce = Callable[[WorkEvent], list[OutboxMessage]]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def insert(conn: sqlite3.Connection, messages: Iterable[OutboxMessage], at: datetime) -> int:
    """Adds messages `pending`, due at once; an (event, channel) already in the outbox is left as it is."""
    rows = [
        (
            m.event_id,
            m.channel,
            m.kind,
            m.run_id,
            _json(m.payload),
            (m.next_attempt_at or at).isoformat(),
            at.isoformat(),
            at.isoformat(),
        )
        for m in messages
    ]
    before = conn.total_changes
    conn.executemany(
        """INSERT OR IGNORE INTO notify_outbox (event_id, channel, kind, run_id, payload, state, attempts,
           next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)""",
        rows,
    )
    return conn.total_changes - before


def mark_reported(
    conn: sqlite3.Connection, keys: Iterable[tuple[str, str]], run_id: str, at: datetime
) -> None:
    """Dead messages a run has reported: they are not reported again."""
    conn.executemany(
        "UPDATE notify_outbox SET reported_in = ?, updated_at = ? WHERE event_id = ? AND channel = ? AND state = 'dead'",
        [(run_id, at.isoformat(), event_id, channel) for event_id, channel in keys],
    )


def _message(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        event_id=row["event_id"],
        channel=row["channel"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        run_id=row["run_id"],
        state=row["state"],
        attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        reported_in=row["reported_in"],
    )


def select(
    conn: sqlite3.Connection,
    *,
    state: str | None = None,
    due_by: datetime | None = None,
    unreported_dead: bool = False,
) -> list[OutboxMessage]:
    """Messages in the order they were written (oldest first)."""
    where, params = [], []
    if state is not None:
        where.append("state = ?")
        params.append(state)
    if due_by is not None:
        where.append("next_attempt_at <= ?")
        params.append(due_by.isoformat())
    if unreported_dead:
        where.append("state = 'dead' AND reported_in IS NULL")
    sql = "SELECT * FROM notify_outbox"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = conn.execute(sql + " ORDER BY created_at, rowid", params).fetchall()
    return [_message(r) for r in rows]


def settle(
    conn: sqlite3.Connection,
    message: OutboxMessage,
    *,
    at: datetime,
    delivered: bool,
    error: str | None = None,
    retry_at: datetime | None = None,
    raised: Iterable[OutboxMessage] = (),
) -> None:
    """Records one attempt: delivered, failed with a retry time, or (no retry time) dead.

    Messages `raised` by the outcome (a channel-failing event for the other channels) are
    inserted in the same transaction, so a dead message is never without its report.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        if delivered:
            conn.execute(
                """UPDATE notify_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL,
                   updated_at = ? WHERE event_id = ? AND channel = ? AND state = 'pending'""",
                (at.isoformat(), message.event_id, message.channel),
            )
        else:
            conn.execute(
                """UPDATE notify_outbox SET state = ?, attempts = attempts + 1, last_error = ?,
                   next_attempt_at = ?, updated_at = ? WHERE event_id = ? AND channel = ? AND state = 'pending'""",
                (
                    "pending" if retry_at is not None else "dead",
                    error,
                    (retry_at or at).isoformat(),
                    at.isoformat(),
                    message.event_id,
                    message.channel,
                ),
            )
        insert(conn, raised, at)
        conn.execute("COMMIT")
    except BaseException:
        rollback_quietly(conn)
        raise
