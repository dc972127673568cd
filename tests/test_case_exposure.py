"""A case's exposure is summed (hours) or maximised (peak) over its members, rounded as shown."""

from __future__ import annotations

import polars as pl

from auditor.cases.build import build_cases
from auditor.engine.evaluate import HITS_SCHEMA, UNKNOWNS_SCHEMA

LIST = pl.List(pl.String)


def test_exposure_over_members_and_contributions_rounded_to_hundredths():
    features = pl.DataFrame(
        {
            "tenant_id": ["a", "b", "c"],
            "cluster_id": ["a", "a", "a"],
            "restricted_gpu_hours_30d": [10.33, 20.5, 0.0],
            "restricted_gpu_hours_90d": [100.33, 200.5, 0.0],
            "peak_restricted_gpus": [8.0, 16.0, 0.0],
            "restricted_models": [["H100-80GB"], ["A100-40GB", "H100-80GB"], []],
            "link_reasons": [["phone"], ["payment_fingerprint", "phone"], []],
        },
        schema_overrides={"restricted_models": LIST, "link_reasons": LIST},
    )
    hits = pl.DataFrame(
        [
            {
                "tenant_id": "a",
                "rule_id": "r1",
                "rule_version": 1,
                "severity": "high",
                "title": "one",
                "weight": 30.0,
                "evidence": "{}",
            },
            {
                "tenant_id": "b",
                "rule_id": "r2",
                "rule_version": 1,
                "severity": "high",
                "title": "two",
                "weight": 45.0,
                "evidence": "{}",
            },
            {
                "tenant_id": "c",
                "rule_id": "r3",
                "rule_version": 1,
                "severity": "low",
                "title": "three",
                "weight": 7.0,
                "evidence": "{}",
            },
        ],
        schema=HITS_SCHEMA,
    )
    tables = build_cases(features, hits, pl.DataFrame(schema=UNKNOWNS_SCHEMA))
    case = tables.cases.row(0, named=True)
    assert case["tenant_ids"] == ["a", "b", "c"]
    assert case["restricted_gpu_hours_30d"] == 30.8  # 30.83, summed then rounded to 0.1
    assert case["restricted_gpu_hours_90d"] == 300.8
    assert case["peak_restricted_gpus"] == 16.0  # the busiest member, not a sum or the least
    assert case["restricted_models"] == [
        "A100-40GB",
        "H100-80GB",
    ]  # no null from the member without models
    assert case["link_reasons"] == ["payment_fingerprint", "phone"]
    assert case["top_reasons"] == ["two", "one", "three"]  # by contribution
    contributions = tables.hits.sort("rule_id")["contribution"].to_list()
    assert all(round(c, 2) == c for c in contributions), contributions
    assert abs(sum(contributions) - case["score"]) <= 0.02
    # 100 * (1 - 0.7 * 0.55 * 0.93) = 64.195 -> 64.19 or 64.2 by rounding; shares follow -ln(1 - w)
    assert case["score"] == round(100 * (1 - 0.7 * 0.55 * 0.93), 2)
