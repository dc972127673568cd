"""From a classified run to its outbox rows: gathers the facts `events.run_messages` needs.

Kept apart from `events` (pure) because it reads the run's case records and the store's
decisions and dead messages; `auditor audit` calls it just before the commit, so the
messages and the dead messages they report are part of that one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from auditor.notify.config import ChannelBase
from auditor.notify.events import EXPIRY_HORIZON_DAYS, DigestCase, Expiring, RunFacts, run_messages
from auditor.store.base import Decision
from auditor.store.outbox import OutboxMessage


@dataclass(frozen=True)
class RunNotices:
    """The run's outbox rows, the dead messages it reports, and the lines `audit` prints about them."""

    messages: list[OutboxMessage] = field(default_factory=list)
    reported_dead: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def expiring_decisions(decisions: Iterable[Decision], today: date) -> list[Expiring]:
    """Dismissals whose date falls within the horizon on either side of today."""
    items = []
    for d in decisions:
        if d.status != "dismissed" or d.until is None:
            continue
        days_left = (d.until - today).days
        if -EXPIRY_HORIZON_DAYS <= days_left <= EXPIRY_HORIZON_DAYS:
            items.append(
                Expiring("decision", d.case_id, d.until.isoformat(), days_left, d.by, d.reason)
            )
    return sorted(items, key=lambda i: (i.days_left, i.ref))


def digest_cases(changes: Any, records: Sequence[dict[str, Any]]) -> list[DigestCase]:
    """This run's own new or escalated, not suppressed cases (carried exit-code alerts were digested by their own run)."""
    by_id = {r["case_id"]: r for r in records}
    cases = []
    for change in changes.alerts("low"):
        record = by_id.get(change.case_id, {})
        names = [t.get("legal_name") or "" for t in record.get("tenants", [])]
        cases.append(
            DigestCase(
                change.case_id,
                change.status,
                change.priority,
                change.score,
                int(record.get("rank", 0)),
                [n for n in names if n],
                list(change.why[:3]) + list(record.get("top_reasons", [])[:3]),
            )
        )
    return cases


def run_notices(
    *,
    run_id: str,
    as_of: datetime,
    today: date,
    complete: bool,
    coverage_gaps: int,
    changes: Any,
    records: Sequence[dict[str, Any]],
    decisions: Iterable[Decision],
    dead: Sequence[OutboxMessage],
    channels: Sequence[ChannelBase],
    expiring: Sequence[Expiring] = (),
) -> RunNotices:
    items = sorted(
        [*expiring_decisions(decisions, today), *expiring],
        key=lambda i: (i.days_left, i.what, i.ref),
    )
    facts = RunFacts(
        run_id=run_id,
        as_of=as_of,
        complete=complete,
        coverage_gaps=coverage_gaps,
        counts=changes.counts(),
        cases=digest_cases(changes, records),
        expiring=items,
        dead=list(dead),
    )
    lines = [
        f"notify: {m.kind} {m.event_id} to channel {m.channel} was never delivered "
        f"({m.attempts} attempts, last error: {m.last_error or 'none recorded'})"
        for m in dead
    ]
    return RunNotices(
        messages=run_messages(facts, channels) if channels else [],
        reported_dead=[(m.event_id, m.channel) for m in dead],
        lines=lines,
    )


def notices_for_run(
    store: Any,
    result: Any,
    changes: Any,
    records: Sequence[dict[str, Any]],
    expiring: Sequence[Expiring] = (),
) -> RunNotices:
    """`run_notices` for a run of `auditor audit`: its config's channels, the store's decisions and dead messages."""
    if result.allowlist is not None and not expiring:
        from auditor.allowlist.apply import expiring_entries

        expiring = expiring_entries(result.allowlist, result.started_at.date())
    return run_notices(
        run_id=result.run_id,
        as_of=result.as_of,
        today=result.started_at.date(),  # dismissals are dated on the analyst's calendar (as changes.py judges them)
        complete=result.complete,
        coverage_gaps=len(result.coverage_gaps),
        changes=changes,
        records=records,
        decisions=store.latest_decisions().values(),
        dead=store.notifications(unreported_dead=True),
        channels=result.config.notify,
        expiring=expiring,
    )


def send_after_run(store: Any, channels: Sequence[ChannelBase]) -> list[str]:
    """The sender's one pass at the end of `audit`; its lines for stderr. A store error leaves messages pending."""
    from auditor.errors import StoreError

    if not channels and not store.notifications(state="pending"):
        return []
    from auditor.notify.sender import drain  # its channels import e-mail and HTTP (0.5 s)

    try:
        report = drain(store, channels)
    except StoreError as exc:
        return [
            f"warning: notify: {exc}; undelivered messages stay in the outbox for `auditor notify drain`"
        ]
    return [report.summary()] + [
        f"notify: {m.channel}: {m.event_id}: {error}" for m, error in report.dead
    ]
