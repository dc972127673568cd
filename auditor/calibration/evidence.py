"""One labelled row per case: the rules that fired on it and what the analysts decided.

The label is the case's latest decision (decisions are appended; the latest is in force):
`confirmed` or `dismissed`; an `escalated` case, or one without a decision, is `open`. The
rules are those the analyst saw when deciding (`rules_at_decision`), so a later rule change
does not rewrite what a decision was about; an undecided case takes its latest snapshot's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OUTCOMES = ("confirmed", "dismissed", "open")


@dataclass(frozen=True)
class LabelledCase:
    case_id: str
    outcome: str  # one of OUTCOMES
    rules: frozenset[str]


def labelled_cases(store: Any) -> list[LabelledCase]:
    """Every case the store has seen, with its outcome; cases in no run and without a decision are skipped."""
    decisions = store.latest_decisions()
    latest = store.latest_rules()
    out = []
    for case_id in sorted(latest):
        decision = decisions.get(case_id)
        if decision is not None and decision.status in ("confirmed", "dismissed"):
            rules = decision.rules_at_decision or latest[case_id]
            out.append(LabelledCase(case_id, decision.status, frozenset(rules)))
        else:
            out.append(LabelledCase(case_id, "open", frozenset(latest[case_id])))
    return [c for c in out if c.rules]
