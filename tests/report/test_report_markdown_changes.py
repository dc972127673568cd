"""report.md says what changed since the last run only when the run was compared with one."""

from __future__ import annotations

from auditor.report.markdown import _changes


def test_no_section_without_a_comparison():
    assert _changes({"run_id": "r2"}) == []


def test_counts_and_resolved_cases_are_listed():
    lines = _changes(
        {
            "changes": {
                "previous_run_id": "r1",
                "counts": {
                    "new": 2,
                    "escalated": 1,
                    "de-escalated": 0,
                    "unchanged": 7,
                    "resolved": 1,
                    "suppressed": 3,
                },
                "resolved": [
                    {
                        "case_id": "C-1",
                        "previous_priority": "high",
                        "previous_score": 61.0,
                        "tenant_ids": ["t1", "t2"],
                        "why": ["no rule hits"],
                    }
                ],
            }
        }
    )
    text = "\n".join(lines)
    assert "## What changed since the last run" in text
    assert (
        "run `r1`: 2 new, 1 escalated, 0 de-escalated, 7 unchanged, 1 resolved, 3 suppressed"
        in text
    )
    assert "`C-1` (was high, score 61.0; t1, t2): no rule hits" in text
