"""Scoring and case building: orderings that must hold, not pinned floats."""

from __future__ import annotations

import polars as pl

from auditor.cases.build import build_cases, case_id_for
from auditor.engine.evaluate import HITS_SCHEMA, UNKNOWNS_SCHEMA


def features(rows):
    base = {
        "restricted_gpu_hours_30d": 0.0,
        "restricted_gpu_hours_90d": 0.0,
        "peak_restricted_gpus": 0.0,
        "restricted_models": [],
        "link_reasons": [],
    }
    return pl.DataFrame([{**base, **r} for r in rows])


def hits(rows):
    return pl.DataFrame(
        [
            {"rule_version": 1, "severity": "high", "title": r["rule_id"], "evidence": "{}", **r}
            for r in rows
        ],
        schema=HITS_SCHEMA,
    )


def test_two_independent_signals_outrank_one_and_exposure_breaks_ties():
    f = features(
        [
            {"tenant_id": "a", "cluster_id": "a", "restricted_gpu_hours_90d": 10.0},
            {"tenant_id": "b", "cluster_id": "b", "restricted_gpu_hours_90d": 10.0},
            {"tenant_id": "c", "cluster_id": "c", "restricted_gpu_hours_90d": 500.0},
        ]
    )
    h = hits(
        [
            {"tenant_id": "a", "rule_id": "r1", "weight": 50.0},
            {"tenant_id": "a", "rule_id": "r2", "weight": 50.0},
            {"tenant_id": "b", "rule_id": "r1", "weight": 50.0},
            {"tenant_id": "c", "rule_id": "r1", "weight": 50.0},
        ]
    )
    cases = build_cases(f, h, pl.DataFrame(schema=UNKNOWNS_SCHEMA)).cases
    order = [ids[0] for ids in cases["tenant_ids"].to_list()]
    assert order == ["a", "c", "b"]
    assert cases["score"][0] < 100 and cases["score"][0] > cases["score"][1] == cases["score"][2]


def test_linked_tenants_form_one_case_and_a_rule_counts_once():
    f = features(
        [
            {"tenant_id": "x1", "cluster_id": "x1", "restricted_gpu_hours_90d": 100.0},
            {"tenant_id": "x2", "cluster_id": "x1", "restricted_gpu_hours_90d": 200.0},
            {"tenant_id": "x3", "cluster_id": "x1"},
            {"tenant_id": "y", "cluster_id": "y"},
        ]
    )
    h = hits(
        [
            {"tenant_id": "x1", "rule_id": "r1", "weight": 40.0},
            {"tenant_id": "x2", "rule_id": "r1", "weight": 40.0},
        ]
    )
    tables = build_cases(f, h, pl.DataFrame(schema=UNKNOWNS_SCHEMA))
    assert tables.cases.height == 1
    case = tables.cases.to_dicts()[0]
    assert case["tenant_ids"] == ["x1", "x2", "x3"]  # x3 comes along although it hit nothing
    assert case["case_id"] == case_id_for("x1")
    assert case["score"] == 40.0  # the same rule on two members counts once
    assert case["restricted_gpu_hours_90d"] == 300.0
    assert abs(tables.hits["contribution"].sum() - case["score"]) < 0.02


def test_cases_equal_in_score_and_exposure_are_ranked_by_case_id_whatever_the_input_order():
    """The last tie-break is the case id, ascending: the queue is the same on every run."""
    tenant_ids = ["t1", "t2", "t3", "t4", "t5"]
    rows = [{"tenant_id": t, "cluster_id": t, "restricted_gpu_hours_90d": 10.0} for t in tenant_ids]
    rule_hits = [{"tenant_id": t, "rule_id": "r1", "weight": 50.0} for t in tenant_ids]
    for order in (rows, rows[::-1]):
        cases = build_cases(
            features(order),
            hits(rule_hits if order is rows else rule_hits[::-1]),
            pl.DataFrame(schema=UNKNOWNS_SCHEMA),
        ).cases
        assert cases["score"].n_unique() == 1  # the tie the case id has to break
        assert cases["case_id"].to_list() == sorted(case_id_for(t) for t in tenant_ids)
        assert cases["rank"].to_list() == [1, 2, 3, 4, 5]
