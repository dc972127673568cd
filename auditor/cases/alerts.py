"""What a run alerts on: its own new or escalated cases, plus alerts earlier runs never delivered.

A scheduled audit alerts on what is new since the last run whose alert was delivered. A
run's alert is recorded `pending` in its commit and marked delivered only after its summary
and exit code have gone out; when that never happens (the process is killed, its standard
output is closed) the next run finds the pending alerts and carries each one whose case is
still open: still in the data, not suppressed by a dismissal, and still at or above the
alert priority. A pure function: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditor.cases.changes import Changes
from auditor.store.base import band_rank


@dataclass(frozen=True)
class Alert:
    """One case a scheduler is told about; `raised_in` is the run whose alert first named it."""

    case_id: str
    status: str  # new | escalated, as the raising run classified it
    priority: str
    score: float
    why: list[str] = field(default_factory=list)
    raised_in: str | None = None  # None: raised by this run

    def record(self) -> dict[str, Any]:
        """As stored in the store's alert deliveries (and read back by `carried_alert`)."""
        return {
            "case_id": self.case_id,
            "status": self.status,
            "priority": self.priority,
            "score": self.score,
            "why": list(self.why),
            "raised_in": self.raised_in,
        }


def decide_alerts(
    changes: Changes, alert_priority: str, undelivered: Iterable[dict[str, Any]] = ()
) -> list[Alert]:
    """This run's alerts, its own and the undelivered ones it carries, in rank order.

    `undelivered` are stored alert records (`Alert.record()` plus the `run_id` of the run
    that recorded them). A carried alert keeps the run that raised it and its original
    status, takes the case's current priority and score, and is dropped when the case is
    gone, suppressed or below `alert_priority` now.
    """
    floor = band_rank(alert_priority)
    own = [
        Alert(c.case_id, c.status, c.priority, c.score, list(c.why))
        for c in changes.alerts(alert_priority)
    ]
    seen = {a.case_id for a in own}
    carried: dict[str, Alert] = {}
    for stored in undelivered:
        case_id = stored["case_id"]
        current = changes.cases.get(case_id)
        if (
            case_id in seen
            or case_id in carried
            or current is None
            or current.suppressed
            or band_rank(current.priority) < floor
        ):
            continue
        raised_in = stored.get("raised_in") or stored.get("run_id")
        why = [f"alert of run {raised_in} was never delivered"] + list(stored.get("why") or [])
        carried[case_id] = Alert(
            case_id, stored["status"], current.priority, current.score, why, raised_in
        )
    order = {case_id: i for i, case_id in enumerate(changes.cases)}
    return sorted([*own, *carried.values()], key=lambda a: order[a.case_id])
