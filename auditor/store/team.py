"""The values the team tables hold: accounts, sessions, API keys, pending decisions, comments, queue rows.

Backend-neutral dataclasses, as base.py's are for runs and decisions; the SQLite store's
mixins (sqlite_accounts.py, sqlite_work.py, sqlite_queue.py) read and write them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from auditor.store.base import Decision

LOCKOUT_FAILURES = 5  # consecutive failed logins before an account is locked
LOCKOUT_MINUTES = 15
API_KEY_PREFIX = "adk_"  # every key starts so; the next 8 characters are its visible prefix


def token_hash(token: str) -> str:
    """Session tokens and API keys are random and long, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class User:
    username: str
    role: str
    password_hash: str | None
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Session:
    username: str
    role: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ApiKey:
    key_id: int
    prefix: str
    username: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class PendingDecision:
    """A decision waiting for a reviewer; `outcome` is set once one approved or rejected it."""

    pending_id: int
    decision: Decision  # as proposed; `by` is its author
    outcome: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    decision_id: int | None = None


@dataclass(frozen=True)
class DecisionOutcome:
    """What recording a decision did: `in-force`, or `pending-review` until a second person approves."""

    state: str
    decision: Decision | None = None
    pending_id: int | None = None

    @property
    def decision_id(self) -> int:
        """The API's `decision_id`: the decision's own id, or the pending proposal's (`P` prefixed ids are not used)."""
        if self.decision is not None and self.decision.decision_id is not None:
            return self.decision.decision_id
        assert self.pending_id is not None
        return self.pending_id


@dataclass(frozen=True)
class Comment:
    comment_id: int
    case_id: str
    author: str
    body: str
    at: datetime


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: str
    actor: str
    action: str
    object: str
    request_id: str | None
    detail: str
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class CaseWork:
    """A case's current working state: who has it, until when it sleeps, what decision is in force or waiting."""

    case_id: str
    assignee: str | None = None
    snoozed_until: date | None = None
    pending_id: int | None = None
    decision_id: int | None = None
    decision_status: str | None = None
    decision_until: date | None = None


@dataclass(frozen=True)
class QueueFilter:
    """The queue's view and filters, as the console's URL and the API's query string carry them."""

    view: str = "open"
    priorities: tuple[str, ...] = ()
    min_score: float | None = None
    max_score: float | None = None
    rule: str | None = None
    change: str | None = None
    assignee: str | None = None
    country: str | None = None
    text: str | None = None
    expiring_within_days: int | None = None
    after_rank: int | None = None  # keyset cursor: rows ranked after this
    limit: int = 50


VIEWS = (
    "open",
    "mine",
    "unassigned",
    "new",
    "escalated",
    "resolved",
    "overdue",
    "snoozed",
    "review",
    "closed",
    "all",
)


@dataclass(frozen=True)
class QueueRow:
    case_id: str
    rank: int
    priority: str
    score: float
    tenant_ids: list[str]
    rules: list[str]
    top_reason: str
    change: str | None
    assignee: str | None
    decision_status: str | None
    pending_id: int | None
    snoozed_until: date | None
    first_seen: datetime | None = None
    names: list[str] = field(default_factory=list)
    due: date | None = None  # first seen + the band's due days (store/due.py)
