"""Seeds: party names screened once; KYC owner names reuse the tenant screening and find the same list entries."""

from __future__ import annotations

import polars as pl

from auditor.features.screening import screen_tenants
from auditor.model.inputs import load_inputs
from auditor.ownership.inputs import load_ownership
from auditor.ownership.seeds import regime_seeds, screen_parties
from auditor.ownership.regimes import BIS_AFFILIATES, OFAC_50
from auditor.screening import ScreeningIndex, load_lists
from auditor_testkit import EXAMPLES

PROVIDER = EXAMPLES / "provider"


def test_reusing_the_owner_screening_finds_what_screening_again_would():
    inputs = load_inputs(PROVIDER / "tenants.csv", PROVIDER / "usage.csv")
    index = ScreeningIndex.build(
        load_lists([PROVIDER / "lists" / "restricted-parties.csv"]).entries
    )
    tenant_matches = screen_tenants(inputs.tenants, index).matches
    data = load_ownership(inputs.tenants, PROVIDER / "ownership.csv", PROVIDER / "parties.csv")
    reused = screen_parties(data.nodes, index, None, tenant_matches).filter(
        ~pl.col("node_id").str.starts_with("t")
    )
    fresh = screen_parties(data.nodes, index, None, None)
    key = ["node_id", "entry_id"]
    assert reused.select(key).unique().sort(key).equals(fresh.select(key).unique().sort(key))
    assert (
        reused.filter(pl.col("node_id").str.starts_with("kyc:")).height > 0
    )  # KYC owners were among them


def test_regime_seeds_follow_lists_and_sdn_programmes():
    matches = pl.DataFrame(
        {
            "node_id": ["a", "b", "c"],
            "query": ["a", "b", "c"],
            "entry_id": ["1", "2", "3"],
            "entry_name": ["A", "B", "C"],
            "matched": ["a", "b", "c"],
            "source_code": ["SDN", "SDN", "EL"],
            "programs": ["RUSSIA-EO14024", "NPWMD; IFSR", ""],
            "score": [0.99, 0.90, 0.95],
            "explanation": ["{}"] * 3,
        }
    )
    assert sorted(regime_seeds(matches, OFAC_50, 0.93)["node_id"]) == ["a", "b"]
    bis = regime_seeds(matches, BIS_AFFILIATES, 0.93).sort("node_id")
    assert bis["node_id"].to_list() == ["b", "c"] and bis["certain"].to_list() == [False, True]
