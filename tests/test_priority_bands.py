"""Priority bands (critical 80, high 55, medium 30): each floor tested from both sides.

One rule of weight w alone scores exactly w under weighted-v1, so a case's band can be set
to either side of a floor; exit code 10 and the alert threshold depend on these bands.
"""

from __future__ import annotations

import polars as pl
import pytest

from auditor.cases.build import build_cases
from auditor.engine.evaluate import HITS_SCHEMA, UNKNOWNS_SCHEMA
from auditor.scoring.weighted import PRIORITY_BANDS, band_expr, tenant_scores

EDGES = [
    (99.0, "critical"),
    (80.0, "critical"),
    (79.99, "high"),
    (55.0, "high"),
    (54.99, "medium"),
    (30.0, "medium"),
    (29.99, "low"),
    (0.01, "low"),
]


@pytest.mark.parametrize(("score", "band"), EDGES)
def test_band_of_a_score(score, band):
    assert pl.select(band_expr(pl.lit(score))).item() == band


def test_a_null_score_is_low_not_an_error():
    assert pl.select(band_expr(pl.lit(None, dtype=pl.Float64))).item() == "low"


def test_the_bands_are_the_documented_floors():
    assert PRIORITY_BANDS == (("critical", 80.0), ("high", 55.0), ("medium", 30.0), ("low", 0.0))


def test_cases_and_tenants_take_the_band_of_their_score():
    weights = [w for w, _ in EDGES]
    features = pl.DataFrame(
        {
            "tenant_id": [f"t{i}" for i in range(len(weights))],
            "cluster_id": [f"t{i}" for i in range(len(weights))],
            "restricted_gpu_hours_30d": 0.0,
            "restricted_gpu_hours_90d": 0.0,
            "peak_restricted_gpus": 0.0,
            "restricted_models": [[] for _ in weights],
            "link_reasons": [[] for _ in weights],
        },
        schema_overrides={
            "restricted_models": pl.List(pl.String),
            "link_reasons": pl.List(pl.String),
        },
    )
    hits = pl.DataFrame(
        [
            {
                "tenant_id": f"t{i}",
                "rule_id": f"r{i}",
                "rule_version": 1,
                "severity": "high",
                "title": "t",
                "weight": w,
                "evidence": "{}",
            }
            for i, w in enumerate(weights)
        ],
        schema=HITS_SCHEMA,
    )
    tables = build_cases(features, hits, pl.DataFrame(schema=UNKNOWNS_SCHEMA))
    by_tenant = {
        ids[0]: (score, priority)
        for ids, score, priority in tables.cases.select(
            "tenant_ids", "score", "priority"
        ).iter_rows()
    }
    assert by_tenant == {f"t{i}": (w, band) for i, (w, band) in enumerate(EDGES)}
    tenants = {r["tenant_id"]: r["priority"] for r in tenant_scores(hits).to_dicts()}
    assert tenants == {f"t{i}": band for i, (_, band) in enumerate(EDGES)}
