"""The messages one run puts in the outbox: a digest per channel, expiring items, and the dead it reports.

One digest per run and channel, never one message per case (operators of other tools ask
for exactly that after a flood). Each payload is cut to its channel's `detail` here, before
it is stored, so a `minimal` channel's outbox rows hold no tenant names or reasons either.
Event ids are stable (`run-digest.RUN_ID`), so a redelivered message carries the same id
and a receiver deduplicating on it sees it once. A pure function: no I/O, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.notify.config import ChannelBase
from auditor.store.base import band_rank
from auditor.store.outbox import OutboxMessage

MAX_CASES = 50  # cases named in one digest; the rest are counted
EXPIRY_HORIZON_DAYS = 14


@dataclass(frozen=True)
class DigestCase:
    """A new or escalated case as a digest shows it; `names` and `reasons` only go to `full` channels."""

    case_id: str
    status: str
    priority: str
    score: float
    rank: int
    names: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def payload(self, channel: ChannelBase) -> dict[str, Any]:
        item: dict[str, Any] = {
            "case_id": self.case_id,
            "status": self.status,
            "priority": self.priority,
            "score": round(self.score, 1),
            "rank": self.rank,
        }
        if channel.link:
            item["link"] = channel.link.replace("{case_id}", self.case_id)
        if channel.detail == "full":
            item["names"] = list(self.names)
            item["reasons"] = list(self.reasons)
        return item


@dataclass(frozen=True)
class Expiring:
    """A dismissal or allowlist entry that stops silencing within EXPIRY_HORIZON_DAYS (or already has)."""

    what: str  # decision | allowlist
    ref: str  # the case id of a decision, the entry id of an allowlist entry
    until: str  # ISO date
    days_left: int
    owner: str = ""
    reason: str = ""

    def payload(self, channel: ChannelBase) -> dict[str, Any]:
        item: dict[str, Any] = {
            "what": self.what,
            "ref": self.ref,
            "until": self.until,
            "days_left": self.days_left,
        }
        if channel.detail == "full":
            item["owner"] = self.owner
            item["reason"] = self.reason
        return item


@dataclass(frozen=True)
class RunFacts:
    """What a run's notifications are made of, gathered by the caller from the run and the store."""

    run_id: str
    as_of: datetime
    complete: bool
    coverage_gaps: int
    counts: dict[str, int]  # cases.changes.Changes.counts()
    cases: list[DigestCase]  # this run's own new or escalated, not suppressed cases, in rank order
    expiring: list[Expiring] = field(default_factory=list)
    dead: list[OutboxMessage] = field(default_factory=list)  # dead messages no run reported yet


def _dead_payload(message: OutboxMessage) -> dict[str, Any]:
    return {
        "event_id": message.event_id,
        "channel": message.channel,
        "kind": message.kind,
        "attempts": message.attempts,
        "last_error": message.last_error,
    }


def digest_payload(facts: RunFacts, channel: ChannelBase) -> dict[str, Any] | None:
    """The channel's digest of the run, or None when it has nothing to say and the channel wants no empty digests."""
    floor = band_rank(channel.min_priority)
    cases = [c for c in facts.cases if band_rank(c.priority) >= floor]
    if not (cases or facts.dead or not facts.complete or channel.send_empty_digest):
        return None
    return {
        "run_id": facts.run_id,
        "as_of": facts.as_of.isoformat(),
        "complete": facts.complete,
        "coverage_gaps": facts.coverage_gaps,
        "counts": {
            k: facts.counts.get(k, 0) for k in ("new", "escalated", "resolved", "suppressed")
        },
        "min_priority": channel.min_priority,
        "cases": [c.payload(channel) for c in cases[:MAX_CASES]],
        "cases_total": len(cases),
        "dead": [_dead_payload(m) for m in facts.dead],
        "detail": channel.detail,
    }


def expiring_event_id(items: Sequence[Expiring]) -> str:
    """Same items, same id: a reminder goes out once for a set of expiring items, again when the set changes."""
    key = json.dumps(sorted((i.what, i.ref, i.until) for i in items))
    return "expiring." + hashlib.sha256(key.encode()).hexdigest()[:16]


def run_messages(facts: RunFacts, channels: Sequence[ChannelBase]) -> list[OutboxMessage]:
    """Every message the run writes into the outbox with its commit."""
    messages = []
    for channel in channels:
        if "run-digest" in channel.events:
            digest = digest_payload(facts, channel)
            if digest is not None:
                messages.append(
                    OutboxMessage(
                        f"run-digest.{facts.run_id}",
                        channel.name,
                        "run-digest",
                        digest,
                        facts.run_id,
                    )
                )
        if "expiring" in channel.events and facts.expiring:
            payload = {
                "run_id": facts.run_id,
                "horizon_days": EXPIRY_HORIZON_DAYS,
                "items": [i.payload(channel) for i in facts.expiring],
                "detail": channel.detail,
            }
            messages.append(
                OutboxMessage(
                    expiring_event_id(facts.expiring),
                    channel.name,
                    "expiring",
                    payload,
                    facts.run_id,
                )
            )
    return messages


def channel_failing_messages(
    dead: OutboxMessage, channels: Sequence[ChannelBase]
) -> list[OutboxMessage]:
    """A message went dead: every other channel that hears `channel-failing` is told, once per dead message."""
    if dead.kind in ("channel-failing", "ping"):
        return []  # a failure notice that fails raises no further notice: no ping-pong between two broken channels
    payload = {
        "failed_channel": dead.channel,
        "event_id": dead.event_id,
        "event_kind": dead.kind,
        "attempts": dead.attempts,
        "last_error": dead.last_error,
    }
    return [
        OutboxMessage(
            f"channel-failing.{dead.channel}.{dead.event_id}",
            c.name,
            "channel-failing",
            payload,
            None,
        )
        for c in channels
        if c.name != dead.channel and "channel-failing" in c.events
    ]


def ping_message(channel: ChannelBase, at: datetime, token: str) -> OutboxMessage:
    """`auditor notify test`: a message that says only that the channel works."""
    return OutboxMessage(f"ping.{token}", channel.name, "ping", {"at": at.isoformat()}, None)
