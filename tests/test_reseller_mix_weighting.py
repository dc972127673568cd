"""How the built-in pack weighs a reseller's downstream mix against a single hub signal.

Observed in an independent scenario set (issue 12): resellers passing restricted capacity to
customers signing in from China and several other countries ranked medium, below hub
companies with one D:5 signal and nothing else. The pack must rank them the other way, and
keep a direct list match above both.
"""

from __future__ import annotations

import polars as pl

from auditor.cases.build import build_cases
from auditor.engine.evaluate import evaluate
from auditor.engine.loader import builtin_rules_dir, load_rule_pack
from auditor.features.vocabulary import FEATURES, feature_kinds

DTYPES = {
    "text": pl.String,
    "number": pl.Float64,
    "boolean": pl.Boolean,
    "list": pl.List(pl.String),
}


def frame(rows: list[dict]) -> pl.DataFrame:
    schema = {name: DTYPES[f.kind] for name, f in FEATURES.items()} | {"cluster_id": pl.String}
    base = {"restricted_models": ["H100-80GB"], "incorporated_in_d5": False, "hq_in_d5": False}
    data = [{**base, **r, "cluster_id": r["tenant_id"]} for r in rows]
    return pl.DataFrame([{n: d.get(n) for n in schema} for d in data], schema=schema)


def ranked(rows: list[dict]) -> list[str]:
    pack = load_rule_pack(builtin_rules_dir(), feature_kinds())
    features = frame(rows)
    evaluation = evaluate(features, pack.rules)
    cases = build_cases(features, evaluation.hits, evaluation.unknowns).cases
    return [ids[0] for ids in cases.sort("rank")["tenant_ids"].to_list()]


RESELLER_MIX = {
    "tenant_id": "reseller-mix",
    "country": "US",
    "is_reseller": True,
    "kyc_verified": True,
    "restricted_gpu_hours_90d": 6000.0,
    "d5_signin_share": 0.3,
    "signin_countries": ["BR", "CN", "DE", "US"],
    "signin_country_count": 4.0,
    "foreign_person": False,
}
HUB_ONE_SIGNAL = {
    "tenant_id": "hub-one-signal",
    "country": "SG",
    "incorporated_in_hub": True,
    "phone_in_d5": True,
    "d5_signin_share": 0.0,
    "restricted_gpu_hours_90d": 6000.0,
    "foreign_person": True,
    "cip_gap_count": 0.0,
}
LISTED = {"tenant_id": "listed", "listed_name_score": 0.99, "restricted_gpu_hours_90d": 10.0}


def test_a_reseller_with_a_d5_mix_outranks_a_single_hub_signal_and_stays_below_a_list_match():
    assert ranked([HUB_ONE_SIGNAL, RESELLER_MIX, LISTED]) == [
        "listed",
        "reseller-mix",
        "hub-one-signal",
    ]


def test_the_same_reseller_with_two_countries_does_not_get_the_mix_rule():
    two = {**RESELLER_MIX, "signin_countries": ["CN", "US"], "signin_country_count": 2.0}
    assert ranked([HUB_ONE_SIGNAL, two]) == ["hub-one-signal", "reseller-mix"]
