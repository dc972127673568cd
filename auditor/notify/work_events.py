"""The console's events as outbox messages: a case assigned to someone, a decision waiting for a reviewer.

The store hands each event over inside the transaction that recorded the work (store/
outbox.py's WorkEvent), so the message is exactly as durable as the assignment or the
proposal; the event id comes from the row (`case-assigned.ASSIGNMENT_ID`,
`review-requested.PENDING_ID`), so a resend carries the same id and a deduplicating
receiver sees it once. A channel hears an event when it lists the kind in `events` and the
case is at or above its `min_priority`; taking a case yourself (next case, "assign to me")
tells nobody. Payloads are cut to the channel's `detail` here: names and the proposal's
reason only go to `full` channels. A pure function: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.notify.config import ChannelBase
from auditor.store.base import band_rank
from auditor.store.outbox import Announce, OutboxMessage, WorkEvent


def work_payload(event: WorkEvent, channel: ChannelBase) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "case_id": event.case_id,
        "priority": event.priority,
        "score": None if event.score is None else round(event.score, 1),
        "at": event.at.isoformat(),
        "detail": channel.detail,
    }
    if event.kind == "case-assigned":
        payload.update(assignee=event.assignee, assigned_by=event.actor)
    elif event.subject == "allowlist":
        payload.update(entry_id=f"console:{event.ref}", proposed_by=event.actor)
    else:
        payload.update(decision_id=event.ref, status=event.status, proposed_by=event.actor)
    if channel.link:
        payload["link"] = channel.link.replace("{case_id}", event.case_id)
    if channel.detail == "full":
        payload["names"] = list(event.names)
        if event.reason is not None:
            payload["reason"] = event.reason
    return payload


def _hears(channel: ChannelBase, event: WorkEvent) -> bool:
    if event.kind not in channel.events:
        return False
    return event.priority is None or band_rank(event.priority) >= band_rank(channel.min_priority)


def work_messages(event: WorkEvent, channels: Sequence[ChannelBase]) -> list[OutboxMessage]:
    """One message per channel that hears the event; none for a case someone took themselves."""
    if event.kind == "case-assigned" and event.assignee == event.actor:
        return []
    return [
        OutboxMessage(event.event_id, c.name, event.kind, work_payload(event, c), None)
        for c in channels
        if _hears(c, event)
    ]


def announcer(channels: Sequence[ChannelBase]) -> Announce | None:
    """What the store calls with each work event; None (nothing written) without channels."""
    if not channels:
        return None
    chosen = tuple(channels)
    return lambda event: work_messages(event, chosen)
