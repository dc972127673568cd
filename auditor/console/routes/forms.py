"""Parsing what a browser or the API sends into the store's values: the queue filter, a decision."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from auditor.errors import InputError
from auditor.store import Decision
from auditor.store.base import DECISION_STATUSES, PRIORITIES
from auditor.store.team import VIEWS, QueueFilter


def _number(params: Any, key: str, kind: type) -> Any:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InputError(f"{key}: expected a number, got {text[:40]!r}") from None


def queue_filter(params: Any, page_size: int) -> QueueFilter:
    """The queue's filters from a query string (bookmarkable); a bad value is a clear 400, not a silent default."""
    view = params.get("view") or "open"
    if view not in VIEWS:
        raise InputError(f"view: expected one of {', '.join(VIEWS)}")
    priorities = tuple(p for p in params.getlist("priority") if p)
    for p in priorities:
        if p not in PRIORITIES:
            raise InputError(f"priority: expected one of {', '.join(PRIORITIES)}")
    limit = _number(params, "limit", int) or page_size
    return QueueFilter(
        view=view,
        priorities=priorities,
        min_score=_number(params, "min_score", float),
        max_score=_number(params, "max_score", float),
        rule=(params.get("rule") or "").strip() or None,
        change=(params.get("change") or "").strip() or None,
        assignee=(params.get("assignee") or "").strip() or None,
        country=(params.get("country") or "").strip() or None,
        text=(params.get("q") or "").strip() or None,
        expiring_within_days=_number(params, "expiring", int),
        after_rank=_number(params, "after", int),
        limit=max(1, min(limit, 500)),
    )


def decision_from(
    store: Any, case_id: str, by: str, status: str, reason: str, until_text: str | None
) -> Decision:
    if status not in DECISION_STATUSES:
        raise InputError(f"status: expected one of {', '.join(DECISION_STATUSES)}")
    if not reason.strip():
        raise InputError("reason: say why")
    until = None
    if until_text:
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            raise InputError(
                f"until: expected an ISO date such as 2027-03-31, got {until_text[:40]!r}"
            ) from None
        if until <= date.today():
            raise InputError("until: must be a date in the future")
    history = store.case_history(case_id)
    if not history:
        raise LookupError(case_id)
    snap = history[-1]
    return Decision(
        case_id=case_id,
        status=status,
        reason=reason.strip()[:2000],
        by=by,
        at=datetime.now(timezone.utc),
        until=until,
        rules_at_decision=list(snap.rules),
        priority_at_decision=snap.priority,
        score_at_decision=snap.score,
        run_id_at_decision=snap.run_id,
    )
