"""compare_cases: a case moved when its own score, band or rules changed -- each alone is enough."""

from __future__ import annotations

import polars as pl

from auditor.cases.compare import compare_cases
from auditor_testkit import case_table as cases


def hits(pairs):
    return pl.DataFrame(
        [{"case_id": c, "tenant_id": c.lower(), "rule_id": r} for c, r in pairs],
        schema={"case_id": pl.String, "tenant_id": pl.String, "rule_id": pl.String},
    )


def changes(old, old_hits, new, new_hits):
    return {
        r["case_id"]: r["change"] for r in compare_cases(old, old_hits, new, new_hits).to_dicts()
    }


def test_a_score_change_alone_within_the_band_is_a_move():
    old, new = (
        cases([("A", "high", 60.0), ("B", "medium", 40.0)]),
        cases([("A", "high", 62.5), ("B", "medium", 40.0)]),
    )
    h = hits([("A", "x"), ("B", "y")])
    assert changes(old, h, new, h) == {"A": "moved", "B": "unchanged"}


def test_a_change_of_firing_rules_alone_is_a_move():
    old, new = cases([("A", "high", 60.0)]), cases([("A", "high", 60.0)])
    assert changes(old, hits([("A", "x")]), new, hits([("A", "z")])) == {"A": "moved"}


def test_a_band_change_alone_is_a_move():
    old, new = (
        cases([("A", "high", 60.0)]),
        cases([("A", "critical", 60.0)]),
    )  # e.g. against a run scored with other bands
    h = hits([("A", "x")])
    assert changes(old, h, new, h) == {"A": "moved"}


def test_cases_without_recorded_hits_are_still_compared():
    old, new = (
        cases([("A", "high", 60.0), ("B", "medium", 40.0)]),
        cases([("A", "high", 60.0), ("B", "medium", 40.0)]),
    )
    none = hits([])
    result = compare_cases(old, none, new, none)
    assert dict(zip(result["case_id"], result["change"])) == {"A": "unchanged", "B": "unchanged"}
    assert result["rules_started"].to_list() == [[], []] and result["rules_stopped"].to_list() == [
        [],
        [],
    ]


def test_two_unchanged_cases_that_swap_order_have_both_moved():
    old, new = (
        cases([("A", "high", 60.0), ("B", "high", 60.0)]),
        cases([("B", "high", 60.0), ("A", "high", 60.0)]),
    )
    h = hits([("A", "x"), ("B", "x")])
    assert changes(old, h, new, h) == {"A": "moved", "B": "moved"}


def test_rule_hit_deltas_by_hand():
    from auditor.cases.compare import compare_rule_hits

    old = hits([("A", "x"), ("B", "x"), ("B", "x"), ("C", "y")])  # B hit by x twice: one tenant
    new = hits([("A", "x"), ("D", "x"), ("C", "z")])
    table = compare_rule_hits(old, new, ["x", "y", "z", "quiet"])
    assert table.to_dicts() == [
        {
            "rule_id": "x",
            "baseline_hits": 2,
            "new_hits": 2,
            "delta": 0,
            "tenants_gained": ["d"],
            "tenants_lost": ["b"],
        },
        {
            "rule_id": "y",
            "baseline_hits": 1,
            "new_hits": 0,
            "delta": -1,
            "tenants_gained": [],
            "tenants_lost": ["c"],
        },
        {
            "rule_id": "z",
            "baseline_hits": 0,
            "new_hits": 1,
            "delta": 1,
            "tenants_gained": ["c"],
            "tenants_lost": [],
        },
        {
            "rule_id": "quiet",
            "baseline_hits": 0,
            "new_hits": 0,
            "delta": 0,
            "tenants_gained": [],
            "tenants_lost": [],
        },
    ]


def test_against_a_stored_run_every_rule_of_either_side_is_listed():
    from auditor.cases.compare import RULE_TABLE_SCHEMA, compare_runs

    old_hits = hits([("A", "gone"), ("B", "kept")]).with_columns(
        pl.lit(1, dtype=pl.Int64).alias("rule_version")
    )
    new_hits = hits([("B", "kept"), ("C", "fresh")])
    new_rules = pl.DataFrame(
        {"rule_id": ["kept", "fresh"], "rule_version": [2, 1], "logic": ["a", "b"]},
        schema=RULE_TABLE_SCHEMA,
    )
    old = cases([("A", "high", 60.0), ("B", "high", 60.0)])
    new = cases([("B", "high", 60.0), ("C", "high", 60.0)])
    result = compare_runs(old, old_hits, None, new, new_hits, new_rules)
    assert sorted(result.rules["rule_id"].to_list()) == ["fresh", "gone", "kept"]
    assert result.pack.to_dicts() == [
        {"rule_id": "kept", "change": "version-changed", "old_version": 1, "new_version": 2}
    ]


def test_rule_hit_deltas_without_a_rule_list_cover_the_rules_that_fired():
    from auditor.cases.compare import compare_rule_hits

    table = compare_rule_hits(hits([("A", "x")]), hits([("B", "y")]))
    assert sorted(table["rule_id"].to_list()) == ["x", "y"]
    assert dict(zip(table["rule_id"], table["delta"])) == {"x": -1, "y": 1}


def test_a_rule_in_only_one_pack_that_fires_nowhere_is_still_listed():
    """A rule added (or removed) that hits no tenant is a row with zeros, not missing: the
    backtest table lists every rule of either pack, and every rule of the new pack against
    a stored run."""
    from auditor.cases.compare import RULE_TABLE_SCHEMA, compare_runs

    def rules(*ids):
        return pl.DataFrame(
            {"rule_id": list(ids), "rule_version": [1] * len(ids), "logic": ["x"] * len(ids)},
            schema=RULE_TABLE_SCHEMA,
        )

    both = hits([("A", "kept")])
    old = new = cases([("A", "high", 60.0)])
    packs = compare_runs(old, both, rules("kept", "retired"), new, both, rules("kept", "added"))
    assert sorted(packs.rules["rule_id"].to_list()) == ["added", "kept", "retired"]
    quiet = packs.rules.filter(pl.col("rule_id") != "kept")
    assert quiet["baseline_hits"].to_list() == [0, 0] and quiet["new_hits"].to_list() == [0, 0]
    stored = compare_runs(
        old,
        both.with_columns(pl.lit(1, dtype=pl.Int64).alias("rule_version")),
        None,
        new,
        both,
        rules("kept", "added"),
    )
    assert sorted(stored.rules["rule_id"].to_list()) == ["added", "kept"]
