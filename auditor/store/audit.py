"""The audit trail's hash chain: how an event is hashed, and how a chain is checked.

Every console and API action, every login and every decision appends an event whose hash
covers the previous event's hash, so editing or deleting an event breaks the chain after
it. An event about a row of an insert-only table (a decision, a comment, a review) also
carries that row's own hash, so editing or deleting the row is found too: `verify` reads
both and says which row or event no longer matches. Backend-neutral: it works on dicts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
# Tables whose rows an event vouches for (object "table:id"); their primary key column.
CHAINED_TABLES: dict[str, str] = {
    "decisions": "decision_id",
    "pending_decisions": "pending_id",
    "decision_reviews": "pending_id",
    "comments": "comment_id",
    "assignments": "assignment_id",
    "snoozes": "snooze_id",
    "attachments": "attachment_id",
    "allowlist_proposals": "proposal_id",
    "allowlist_reviews": "proposal_id",
    "allowlist_revocations": "proposal_id",
}
TRAIL_START = "start-audit-trail"


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def row_hash(row: Mapping[str, Any]) -> str:
    """A row's hash over every column, so a change to any of them shows."""
    return hashlib.sha256(canonical(dict(row)).encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    body = {k: event[k] for k in ("seq", "at", "actor", "action", "object", "request_id", "detail")}
    return hashlib.sha256((prev_hash + "\n" + canonical(body)).encode("utf-8")).hexdigest()


@dataclass
class Verification:
    """What `auditor store verify` found; `ok` only when nothing is out of place."""

    events: int = 0
    rows_checked: int = 0
    unchained_rows: dict[str, int] = field(default_factory=dict)  # rows older than the trail
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    events: Iterable[Mapping[str, Any]],
    rows: Mapping[str, Mapping[int, Mapping[str, Any]]],
) -> Verification:
    """Checks the chain of `events` (oldest first) and every chained row in `rows` (table -> id -> row).

    `detail` of each event is its stored JSON text. A row no event vouches for is a problem
    unless it is older than the trail (the start event records how many rows each table had).
    """
    result = Verification()
    prev, expected_seq = GENESIS, None
    vouched: dict[str, dict[int, str]] = {t: {} for t in CHAINED_TABLES}
    before: dict[str, int] = {}
    for event in events:
        result.events += 1
        seq = int(event["seq"])
        if expected_seq is not None and seq != expected_seq:
            result.problems.append(
                f"audit event #{expected_seq} is missing (the trail jumps to #{seq}): an event was deleted"
            )
        expected_seq = seq + 1
        if event["prev_hash"] != prev:
            result.problems.append(
                f"audit event #{seq}: its previous-hash does not match the event before it: an event before it was edited or deleted"
            )
        if event_hash(event["prev_hash"], event) != event["hash"]:
            result.problems.append(
                f"audit event #{seq} ({event['action']}) was edited: its hash does not match"
            )
        prev = event["hash"]
        detail = json.loads(event["detail"])
        if event["action"] == TRAIL_START:
            before = {str(k): int(v) for k, v in (detail.get("rows_before") or {}).items()}
        table, _, ident_text = str(event["object"]).partition(":")
        if table in CHAINED_TABLES and "row_sha256" in detail and ident_text.isdigit():
            vouched[table][int(ident_text)] = detail["row_sha256"]
    for table, table_rows in rows.items():
        limit = before.get(table, 0)
        old = [i for i in table_rows if i <= limit and i not in vouched[table]]
        if old:
            result.unchained_rows[table] = len(old)
        for ident, row in table_rows.items():
            if ident in vouched[table]:
                result.rows_checked += 1
                if row_hash(row) != vouched[table][ident]:
                    result.problems.append(
                        f"{table} row {ident} was edited after it was recorded: its hash does not match the audit trail"
                    )
            elif ident > limit:
                result.problems.append(
                    f"{table} row {ident} is not in the audit trail: it was added around the store's code"
                )
        for ident in sorted(set(vouched[table]) - set(table_rows)):
            result.problems.append(
                f"{table} row {ident} was deleted: the audit trail records it but the table no longer has it"
            )
    return result
