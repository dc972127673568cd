"""compare_cases: a case moved when its own score, band or rules changed -- each alone is enough."""

from __future__ import annotations

import polars as pl

from auditor.cases.compare import compare_cases


def cases(rows):
    return pl.DataFrame(
        [{"case_id": c, "rank": i + 1, "priority": p, "score": s, "tenant_ids": [c.lower()], "top_reasons": ["r"]} for i, (c, p, s) in enumerate(rows)],
        schema={"case_id": pl.String, "rank": pl.UInt32, "priority": pl.String, "score": pl.Float64, "tenant_ids": pl.List(pl.String), "top_reasons": pl.List(pl.String)},
    )


def hits(pairs):
    return pl.DataFrame([{"case_id": c, "tenant_id": c.lower(), "rule_id": r} for c, r in pairs], schema={"case_id": pl.String, "tenant_id": pl.String, "rule_id": pl.String})


def changes(old, old_hits, new, new_hits):
    return {r["case_id"]: r["change"] for r in compare_cases(old, old_hits, new, new_hits).to_dicts()}


def test_a_score_change_alone_within_the_band_is_a_move():
    old, new = cases([("A", "high", 60.0), ("B", "medium", 40.0)]), cases([("A", "high", 62.5), ("B", "medium", 40.0)])
    h = hits([("A", "x"), ("B", "y")])
    assert changes(old, h, new, h) == {"A": "moved", "B": "unchanged"}


def test_a_change_of_firing_rules_alone_is_a_move():
    old, new = cases([("A", "high", 60.0)]), cases([("A", "high", 60.0)])
    assert changes(old, hits([("A", "x")]), new, hits([("A", "z")])) == {"A": "moved"}


def test_a_band_change_alone_is_a_move():
    old, new = cases([("A", "high", 60.0)]), cases([("A", "critical", 60.0)])  # e.g. against a run scored with other bands
    h = hits([("A", "x")])
    assert changes(old, h, new, h) == {"A": "moved"}


def test_cases_without_recorded_hits_are_still_compared():
    old, new = cases([("A", "high", 60.0), ("B", "medium", 40.0)]), cases([("A", "high", 60.0), ("B", "medium", 40.0)])
    none = hits([])
    result = compare_cases(old, none, new, none)
    assert dict(zip(result["case_id"], result["change"])) == {"A": "unchanged", "B": "unchanged"}
    assert result["rules_started"].to_list() == [[], []] and result["rules_stopped"].to_list() == [[], []]
