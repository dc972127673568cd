"""weighted-v1 in numbers worked out by hand: noisy-OR of weights, capped below certainty."""

from __future__ import annotations

import dataclasses
import math

import polars as pl
import pytest

from auditor.engine.evaluate import HITS_SCHEMA
from auditor.errors import InputError
from auditor.scoring.weighted import ALGORITHMS, WEIGHTED_V1, get_algorithm, tenant_scores


def score(*weights: float) -> float:
    mass = pl.select(WEIGHTED_V1.mass(pl.Series(weights, dtype=pl.Float64)).sum()).item()
    return pl.select(WEIGHTED_V1.score(pl.lit(mass))).item()


def test_two_signals_combine_as_noisy_or():
    assert score(50.0, 50.0) == 75.0  # 100 * (1 - 0.5 * 0.5)
    assert score(60.0, 50.0, 20.0) == 84.0  # 100 * (1 - 0.4 * 0.5 * 0.8)
    assert score(10.0) == 10.0


def test_scores_are_rounded_to_two_decimals():
    assert score(33.3333) == 33.33
    assert score(12.345678, 0.0) == 12.35


def test_a_rule_of_weight_100_is_capped_short_of_certainty():
    assert score(100.0) == 99.9
    assert score(100.0, 100.0) == pytest.approx(100.0 * (1 - 0.001**2), abs=0.01)
    assert math.isfinite(pl.select(WEIGHTED_V1.mass(pl.lit(100.0))).item())


def test_a_tenant_scores_over_all_its_own_hits():
    hits = pl.DataFrame(
        [
            {
                "tenant_id": "two",
                "rule_id": "a",
                "rule_version": 1,
                "severity": "high",
                "title": "a",
                "weight": 50.0,
                "evidence": "{}",
            },
            {
                "tenant_id": "two",
                "rule_id": "b",
                "rule_version": 1,
                "severity": "high",
                "title": "b",
                "weight": 50.0,
                "evidence": "{}",
            },
            {
                "tenant_id": "one",
                "rule_id": "a",
                "rule_version": 1,
                "severity": "high",
                "title": "a",
                "weight": 50.0,
                "evidence": "{}",
            },
        ],
        schema=HITS_SCHEMA,
    )
    got = {r["tenant_id"]: (r["score"], r["priority"]) for r in tenant_scores(hits).to_dicts()}
    assert got == {"two": (75.0, "high"), "one": (50.0, "medium")}


def test_the_registry_names_and_documents_its_algorithm_and_refuses_others():
    assert ALGORITHMS == {"weighted-v1": WEIGHTED_V1}
    assert get_algorithm("weighted-v1") is WEIGHTED_V1
    assert WEIGHTED_V1.doc.startswith("`weighted-v1`")
    with pytest.raises(InputError, match="unknown scoring algorithm 'weighted-v2'"):
        get_algorithm("weighted-v2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        WEIGHTED_V1.name = "changed"  # type: ignore[misc]
