"""The sender: delivers what the outbox holds, retrying with backoff, and marks the hopeless dead.

Called at the end of `auditor audit` (one pass, inside the run's store lock) and by
`auditor notify drain`. Each due message gets one attempt per pass: delivered, failed with
its next attempt after `backoff_seconds * 2**(attempts - 1)` (at most MAX_BACKOFF), or dead
once its channel's `max_attempts` are spent or the failure is permanent. A dead message
raises a channel-failing event for the other channels in the same transaction, and the next
run reports it. The attempt is recorded after the send: a sender killed between the two
sends the message again under the same event id, which a deduplicating receiver drops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from auditor.notify.channels import CHANNELS
from auditor.notify.config import ChannelBase
from auditor.notify.events import channel_failing_messages
from auditor.notify.secrets import DeliveryError
from auditor.store.outbox import OutboxMessage

MAX_BACKOFF = timedelta(hours=6)
log = logging.getLogger("auditor.notify")


@dataclass
class DrainReport:
    """What one drain did, for the summary line and the exit code of `notify drain`."""

    delivered: list[OutboxMessage] = field(default_factory=list)
    retrying: list[tuple[OutboxMessage, str, datetime]] = field(default_factory=list)
    dead: list[tuple[OutboxMessage, str]] = field(default_factory=list)
    unconfigured: set[str] = field(default_factory=set)  # channels with messages but no config

    def summary(self) -> str:
        parts = [f"{len(self.delivered)} delivered"]
        if self.retrying:
            first = min(when for _, _, when in self.retrying)
            parts.append(
                f"{len(self.retrying)} to retry (next at {first.isoformat(timespec='seconds')})"
            )
        if self.dead:
            parts.append(f"{len(self.dead)} dead")
        if self.unconfigured:
            parts.append(
                "messages waiting for unconfigured channel(s) "
                + ", ".join(sorted(self.unconfigured))
            )
        return "notify: " + ", ".join(parts)


def backoff(channel: ChannelBase, attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: doubling from backoff_seconds, capped."""
    seconds = channel.backoff_seconds * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def deliver_one(channel: Any, message: OutboxMessage, at: datetime) -> None:
    """One attempt through the channel's registered function (DeliveryError on failure)."""
    CHANNELS[channel.kind](channel, message, at)


def drain(
    store: Any,
    channels: Sequence[ChannelBase],
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> DrainReport:
    """One pass over the due pending messages, oldest first."""
    by_name = {c.name: c for c in channels}
    report = DrainReport()
    for message in store.notifications(state="pending", due_by=clock()):
        channel = by_name.get(message.channel)
        if channel is None:
            report.unconfigured.add(message.channel)
            continue
        at = clock()
        try:
            deliver_one(channel, message, at)
        except DeliveryError as exc:
            attempts = message.attempts + 1
            error = str(exc)
            if exc.permanent or attempts >= channel.max_attempts:
                dead = replace(message, attempts=attempts, last_error=error, state="dead")
                store.settle_notification(
                    message,
                    at=at,
                    delivered=False,
                    error=error,
                    raised=channel_failing_messages(dead, channels),
                )
                report.dead.append((message, error))
                log.warning(
                    "event=notify_dead channel=%s event_id=%s attempts=%d",
                    message.channel,
                    message.event_id,
                    attempts,
                )
            else:
                retry_at = at + backoff(channel, attempts)
                store.settle_notification(
                    message, at=at, delivered=False, error=error, retry_at=retry_at
                )
                report.retrying.append((message, error, retry_at))
                log.info(
                    "event=notify_retry channel=%s event_id=%s attempts=%d",
                    message.channel,
                    message.event_id,
                    attempts,
                )
            continue
        store.settle_notification(message, at=clock(), delivered=True)
        report.delivered.append(message)
        log.info("event=notify_delivered channel=%s event_id=%s", message.channel, message.event_id)
    return report


def drain_until(
    store: Any,
    channels: Sequence[ChannelBase],
    wait_seconds: float,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    sleep: Callable[[float], None] = time.sleep,
) -> DrainReport:
    """Passes until nothing configured is pending, or until `wait_seconds` have gone by; sleeps until the next retry."""
    deadline = clock() + timedelta(seconds=wait_seconds)
    total = DrainReport()
    names = {c.name for c in channels}
    while True:
        report = drain(store, channels, clock=clock)
        total.delivered += report.delivered
        total.dead += report.dead
        total.unconfigured |= report.unconfigured
        waiting = [m for m in store.notifications(state="pending") if m.channel in names]
        if not waiting:
            total.retrying = []
            return total
        upcoming = min(m.next_attempt_at or clock() for m in waiting)
        if upcoming > deadline:
            total.retrying = [
                (m, m.last_error or "", m.next_attempt_at or upcoming) for m in waiting
            ]
            return total
        sleep(max((upcoming - clock()).total_seconds(), 0.0))
