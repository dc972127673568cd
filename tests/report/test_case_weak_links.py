"""Weak network links on a case: which members' links, without the mark, and none when absent."""

from __future__ import annotations

import polars as pl

from auditor.report.records import weak_links_by_tenant
from auditor.report.tables import case_table


def test_only_weak_reasons_of_members_without_the_mark() -> None:
    frame = pl.DataFrame(
        {
            "tenant_id": ["a", "b", "c"],
            "network_link_reasons": [
                ["weak: 3 sign-ins from 203.0.113.x", "launched p5.48xlarge in r within 2 minutes"],
                ["launched p5.48xlarge in r within 2 minutes"],
                ["weak: created within 2 days of a"],
            ],
        }
    )
    got = weak_links_by_tenant(frame, {"a": {}, "b": {}})
    assert got == {"a": ["3 sign-ins from 203.0.113.x"]}  # c is not a member; b has none weak


def test_features_without_network_links_give_no_weak_links() -> None:
    assert weak_links_by_tenant(pl.DataFrame({"tenant_id": ["a"]}), {"a": {}}) == {}


def test_case_table_has_the_field_and_an_old_record_without_it_reads_as_empty() -> None:
    base = {
        "case_id": "C-1",
        "rank": 1,
        "priority": "high",
        "score": 60.0,
        "primary_tenant": "a",
        "tenant_ids": ["a"],
        "top_reasons": ["r"],
        "exposure": {
            "restricted_gpu_hours_30d": 1.0,
            "restricted_gpu_hours_90d": 2.0,
            "peak_restricted_gpus": 8.0,
            "restricted_models": ["H100"],
        },
        "hits": [],
        "unknown_rules": [],
        "complete": True,
    }
    table = case_table([base | {"weak_links": ["a: 3 sign-ins"]}, base | {"case_id": "C-2"}])
    assert table["weak_links"].to_list() == [["a: 3 sign-ins"], []]
