"""What changed since the last run: each case new, escalated, de-escalated, unchanged or resolved, and why.

Analysts work the queue over weeks; a nightly run that shows the same cases again without
saying what moved wastes their time. This module compares two runs' cases (and applies
analysts' dismissals) as a pure function: no I/O, no clock; the caller says when "now" is.

Escalated: the priority band rose, the score rose by ESCALATION_POINTS or more, or a rule
fired that did not before. De-escalated: the band fell, the score fell by as much, or a rule
stopped firing (and nothing escalated it). A dismissed case is suppressed until its date
(or for good without one), unless a rule fires that was not firing when it was dismissed or
its band rises above the band it had then: a dismissal covers what the analyst saw, not worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from auditor.store.base import CaseSnapshot, Decision, band_rank

ESCALATION_POINTS = 10.0
EXPOSURE_MOVE = 0.10  # relative change of restricted GPU-hours worth mentioning
STATUSES = ("new", "escalated", "de-escalated", "unchanged")


@dataclass(frozen=True)
class CaseChange:
    """How one case of the current run differs from the previous run, and whether it is suppressed."""

    case_id: str
    status: str  # new | escalated | de-escalated | unchanged
    priority: str
    score: float
    why: list[str]
    previous: dict[str, Any] | None  # {"score", "priority", "rank"} in the previous run
    suppressed: bool = False
    decision: Decision | None = None

    def record(self) -> dict[str, Any]:
        """The `change` object of a case record."""
        return {
            "status": self.status,
            "why": list(self.why),
            "previous": dict(self.previous) if self.previous else None,
            "suppressed": self.suppressed,
            "decision": self.decision.summary() if self.decision else None,
        }


@dataclass(frozen=True)
class ResolvedCase:
    """A case of the previous run that this run no longer has."""

    case_id: str
    previous_priority: str
    previous_score: float
    tenant_ids: list[str]
    why: list[str]

    def record(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "previous_priority": self.previous_priority,
            "previous_score": self.previous_score,
            "tenant_ids": list(self.tenant_ids),
            "why": list(self.why),
        }


@dataclass(frozen=True)
class Changes:
    """The classification of one run against the previous one."""

    previous_run_id: str | None
    cases: dict[str, CaseChange] = field(default_factory=dict)  # current cases, in rank order
    resolved: list[ResolvedCase] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for change in self.cases.values():
            counts[change.status] += 1
        counts["resolved"] = len(self.resolved)
        counts["suppressed"] = sum(c.suppressed for c in self.cases.values())
        return counts

    def manifest(self) -> dict[str, Any]:
        """The `changes` object of run.json."""
        return {
            "previous_run_id": self.previous_run_id,
            "counts": self.counts(),
            "resolved": [r.record() for r in self.resolved],
        }

    def record_for(self, case_id: str) -> dict[str, Any]:
        return self.cases[case_id].record()

    def alerts(self, alert_priority: str) -> list[CaseChange]:
        """New or escalated, not suppressed, at or above the alert band: what a scheduler pages on."""
        floor = band_rank(alert_priority)
        return [
            c
            for c in self.cases.values()
            if c.status in ("new", "escalated")
            and not c.suppressed
            and band_rank(c.priority) >= floor
        ]


def _hours(value: float) -> str:
    return f"{value:,.0f}"


def _exposure_moved(before: float, after: float) -> bool:
    if round(before) == round(after):
        return False
    return before == 0 or abs(after - before) >= EXPOSURE_MOVE * before


def _movement(prev: CaseSnapshot, cur: CaseSnapshot) -> tuple[list[str], bool, bool]:
    """Why-lines comparing two snapshots of a case, and whether it went up / down."""
    why: list[str] = []
    started = sorted(set(cur.rules) - set(prev.rules))
    stopped = sorted(set(prev.rules) - set(cur.rules))
    why += [f"rule '{r}' started firing" for r in started]
    why += [f"rule '{r}' stopped firing" for r in stopped]
    band_delta = band_rank(cur.priority) - band_rank(prev.priority)
    if band_delta:
        why.append(f"priority {prev.priority} -> {cur.priority}")
    score_delta = cur.score - prev.score
    if abs(score_delta) >= 0.05:
        why.append(f"score {prev.score:.1f} -> {cur.score:.1f}")
    if _exposure_moved(prev.restricted_gpu_hours_90d, cur.restricted_gpu_hours_90d):
        why.append(
            f"restricted GPU-hours (90 d) {_hours(prev.restricted_gpu_hours_90d)} -> {_hours(cur.restricted_gpu_hours_90d)}"
        )
    joined = sorted(set(cur.tenant_ids) - set(prev.tenant_ids))
    left = sorted(set(prev.tenant_ids) - set(cur.tenant_ids))
    if joined:
        why.append("tenants joined: " + ", ".join(joined))
    if left:
        why.append("tenants left: " + ", ".join(left))
    up = bool(started) or band_delta > 0 or score_delta >= ESCALATION_POINTS
    down = bool(stopped) or band_delta < 0 or score_delta <= -ESCALATION_POINTS
    return why, up, down


def _latest_by_case(decisions: Mapping[str, Decision] | Iterable[Decision]) -> dict[str, Decision]:
    if isinstance(decisions, Mapping):
        return dict(decisions)
    return {d.case_id: d for d in decisions}  # later decisions win


def suppression(
    case: CaseSnapshot, decision: Decision | None, today: date
) -> tuple[bool, list[str]]:
    """Whether a dismissal silences the case today, and why it does not when it came back."""
    if decision is None or decision.status != "dismissed":
        return False, []
    if decision.until is not None and today >= decision.until:
        return False, [f"dismissal expired on {decision.until.isoformat()}"]
    new_rules = sorted(set(case.rules) - set(decision.rules_at_decision))
    early = [f"returned early: rule '{r}' fired after the dismissal" for r in new_rules]
    if decision.priority_at_decision and band_rank(case.priority) > band_rank(
        decision.priority_at_decision
    ):
        early.append(
            f"returned early: priority {decision.priority_at_decision} -> {case.priority} since the dismissal"
        )
    return (False, early) if early else (True, [])


def classify_changes(
    previous_cases: Iterable[CaseSnapshot],
    current_cases: Iterable[CaseSnapshot],
    decisions: Mapping[str, Decision] | Iterable[Decision],
    as_of: datetime | date,
    *,
    previous_run_id: str | None = None,
    current_tenants: set[str] | None = None,
) -> Changes:
    """Classifies the current run's cases against the previous run's.

    `as_of` is when dismissals are judged (a dismissal `until` a date silences the case
    before that date). `current_tenants`, when given, lets a resolved case say that its
    tenants left the data rather than that its rules stopped firing.
    """
    today = as_of.date() if isinstance(as_of, datetime) else as_of
    previous = {c.case_id: c for c in previous_cases}
    current = list(current_cases)
    latest = _latest_by_case(decisions)
    case_of_tenant = {t: c.case_id for c in current for t in c.tenant_ids}
    prev_case_of_tenant = {t: c.case_id for c in previous.values() for t in c.tenant_ids}

    changes: dict[str, CaseChange] = {}
    for cur in current:
        prev = previous.get(cur.case_id)
        if prev is None:
            status = "new"
            why = [
                "first run recorded in this store"
                if previous_run_id is None
                else "not in the previous run"
            ]
            why += [f"rule '{r}' firing" for r in cur.rules]
            earlier = sorted(
                {prev_case_of_tenant[t] for t in cur.tenant_ids if t in prev_case_of_tenant}
            )
            why += [f"tenants were in case {c}" for c in earlier]
            prev_view = None
        else:
            why, up, down = _movement(prev, cur)
            status = "escalated" if up else "de-escalated" if down else "unchanged"
            prev_view = {"score": prev.score, "priority": prev.priority, "rank": prev.rank}
        decision = latest.get(cur.case_id)
        suppressed, suppression_why = suppression(cur, decision, today)
        changes[cur.case_id] = CaseChange(
            case_id=cur.case_id,
            status=status,
            priority=cur.priority,
            score=cur.score,
            why=why + suppression_why,
            previous=prev_view,
            suppressed=suppressed,
            decision=decision,
        )

    resolved = []
    for prev in sorted(previous.values(), key=lambda c: c.rank):
        if prev.case_id in changes:
            continue
        moved = sorted({case_of_tenant[t] for t in prev.tenant_ids if t in case_of_tenant})
        gone = [
            t for t in prev.tenant_ids if current_tenants is not None and t not in current_tenants
        ]
        why = [f"tenants now in case {c}" for c in moved]
        if gone:
            why.append("tenants no longer in the data: " + ", ".join(gone))
        if not moved and len(gone) < len(prev.tenant_ids):
            why += [f"rule '{r}' stopped firing" for r in prev.rules]
        resolved.append(
            ResolvedCase(prev.case_id, prev.priority, prev.score, list(prev.tenant_ids), why)
        )
    return Changes(previous_run_id=previous_run_id, cases=changes, resolved=resolved)
