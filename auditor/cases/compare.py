"""Compares two scorings of the same tenants: which cases a rule change adds, removes or moves.

Pure functions over frames, so the baseline can be a second rule pack scored on the same
features or, later, the cases a stored run recorded. Case ids derive from the linked
group's anchor, so one case keeps its id under both packs.

A case *moved* when its priority, score or firing rules changed, or when its order among
the other cases whose own evidence did not change is different (possible when the data
differ, e.g. against a stored run). A rank shift caused only by other cases being added,
removed or re-scored above it is not a move: it would mark most of the queue after any
change. Both ranks are still reported for every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Iterable

import polars as pl

ADDED, REMOVED, MOVED, UNCHANGED = "added", "removed", "moved", "unchanged"
CHANGES = (ADDED, REMOVED, MOVED, UNCHANGED)

RULE_TABLE_SCHEMA = pl.Schema({"rule_id": pl.String, "rule_version": pl.Int64, "logic": pl.String})
_STRINGS = pl.List(pl.String)


@dataclass(frozen=True)
class Comparison:
    """What a rule change does to the review queue."""

    cases: pl.DataFrame  # one row per case in either side: change, old/new rank, priority, score, rules_started/stopped
    rules: pl.DataFrame  # one row per rule in either side: baseline/new hits, tenants gained/lost
    pack: (
        pl.DataFrame
    )  # one row per rule added, removed, re-versioned or changed without a version bump

    def counts(self) -> dict[str, int]:
        found = dict(self.cases.group_by("change").len().iter_rows()) if self.cases.height else {}
        return {change: found.get(change, 0) for change in CHANGES}


def rule_table(rules: Iterable[Any]) -> pl.DataFrame:
    """rule_id, rule_version and a fingerprint of the logic (condition, weight, severity) of compiled rules."""
    rows = [
        {
            "rule_id": r.id,
            "rule_version": r.version,
            "logic": r.spec.model_dump_json(include={"when", "weight", "severity"}),
        }
        for r in rules
    ]
    return pl.DataFrame(rows, schema=RULE_TABLE_SCHEMA)


def _side(cases: pl.DataFrame, hits: pl.DataFrame, prefix: str) -> pl.DataFrame:
    rules = hits.group_by("case_id").agg(pl.col("rule_id").unique().sort().alias("rules"))
    return (
        cases.select("case_id", "rank", "priority", "score", "tenant_ids", "top_reasons")
        .join(rules, on="case_id", how="left")
        .with_columns(pl.col("rules").fill_null(pl.lit([], dtype=_STRINGS)))
        .rename(lambda c: c if c == "case_id" else f"{prefix}_{c}")
    )


def _stable_rank(side: str) -> pl.Expr:
    """Rank among the cases whose own evidence is the same on both sides (null for the others)."""
    stable = pl.col("__stable")
    return pl.when(stable).then(pl.col(f"{side}_rank").rank("ordinal").over(stable))


def compare_cases(
    baseline_cases: pl.DataFrame,
    baseline_hits: pl.DataFrame,
    new_cases: pl.DataFrame,
    new_hits: pl.DataFrame,
) -> pl.DataFrame:
    """Every case of either queue with its change and, for moved cases, which rules started or stopped firing."""
    both = _side(baseline_cases, baseline_hits, "old").join(
        _side(new_cases, new_hits, "new"), on="case_id", how="full", coalesce=True
    )
    own_change = (
        (pl.col("old_priority") != pl.col("new_priority"))
        | ((pl.col("old_score") - pl.col("new_score")).abs() > 1e-9)
        | (pl.col("old_rules") != pl.col("new_rules"))
    )
    both = both.with_columns(
        (pl.col("old_rank").is_not_null() & pl.col("new_rank").is_not_null() & ~own_change).alias(
            "__stable"
        )
    )
    change = (
        pl.when(pl.col("old_rank").is_null())
        .then(pl.lit(ADDED))
        .when(pl.col("new_rank").is_null())
        .then(pl.lit(REMOVED))
        .when(own_change | (_stable_rank("old") != _stable_rank("new")))
        .then(pl.lit(MOVED))
        .otherwise(pl.lit(UNCHANGED))
    )
    empty = pl.lit([], dtype=_STRINGS)
    order = pl.col("change").replace_strict(
        {c: i for i, c in enumerate(CHANGES)}, return_dtype=pl.Int32
    )
    return (
        both.with_columns(
            change.alias("change"),
            pl.coalesce("new_tenant_ids", "old_tenant_ids").alias("tenant_ids"),
            pl.coalesce("new_top_reasons", "old_top_reasons").alias("top_reasons"),
            pl.col("new_rules")
            .fill_null(empty)
            .list.set_difference(pl.col("old_rules").fill_null(empty))
            .list.sort()
            .alias("rules_started"),
            pl.col("old_rules")
            .fill_null(empty)
            .list.set_difference(pl.col("new_rules").fill_null(empty))
            .list.sort()
            .alias("rules_stopped"),
        )
        .with_columns(order.alias("__order"))
        .sort(["__order", "new_rank", "old_rank"], nulls_last=True)
        .select(
            "case_id",
            "change",
            "old_rank",
            "new_rank",
            "old_priority",
            "new_priority",
            "old_score",
            "new_score",
            "tenant_ids",
            "top_reasons",
            "rules_started",
            "rules_stopped",
        )
    )


def compare_rule_hits(
    baseline_hits: pl.DataFrame, new_hits: pl.DataFrame, rule_ids: Iterable[str] = ()
) -> pl.DataFrame:
    """Per rule: tenants hit under each side, and which tenants it gained or lost; biggest change first."""
    old = (
        baseline_hits.select("rule_id", "tenant_id")
        .unique()
        .with_columns(pl.lit(True).alias("in_old"))
    )
    new = (
        new_hits.select("rule_id", "tenant_id").unique().with_columns(pl.lit(True).alias("in_new"))
    )
    pairs = old.join(new, on=["rule_id", "tenant_id"], how="full", coalesce=True).with_columns(
        pl.col("in_old").fill_null(False), pl.col("in_new").fill_null(False)
    )
    per_rule = pairs.group_by("rule_id").agg(
        pl.col("in_old").sum().cast(pl.Int64).alias("baseline_hits"),
        pl.col("in_new").sum().cast(pl.Int64).alias("new_hits"),
        pl.col("tenant_id")
        .filter(pl.col("in_new") & ~pl.col("in_old"))
        .sort()
        .alias("tenants_gained"),
        pl.col("tenant_id")
        .filter(pl.col("in_old") & ~pl.col("in_new"))
        .sort()
        .alias("tenants_lost"),
    )
    every = pl.DataFrame({"rule_id": sorted(set(rule_ids))}, schema={"rule_id": pl.String})
    empty = pl.lit([], dtype=_STRINGS)
    return (
        every.join(per_rule, on="rule_id", how="full", coalesce=True)
        .with_columns(
            pl.col("baseline_hits").fill_null(0),
            pl.col("new_hits").fill_null(0),
            pl.col("tenants_gained").fill_null(empty),
            pl.col("tenants_lost").fill_null(empty),
        )
        .with_columns((pl.col("new_hits") - pl.col("baseline_hits")).alias("delta"))
        .with_columns(
            (pl.col("tenants_gained").list.len() + pl.col("tenants_lost").list.len()).alias(
                "__moved"
            )
        )
        .sort(["__moved", "rule_id"], descending=[True, False])
        .select("rule_id", "baseline_hits", "new_hits", "delta", "tenants_gained", "tenants_lost")
    )


def compare_packs(baseline_rules: pl.DataFrame, new_rules: pl.DataFrame) -> pl.DataFrame:
    """Rules added, removed, re-versioned, or whose logic changed without a version bump (RULE_TABLE_SCHEMA in)."""
    both = baseline_rules.rename({"rule_version": "old_version", "logic": "old_logic"}).join(
        new_rules.rename({"rule_version": "new_version", "logic": "new_logic"}),
        on="rule_id",
        how="full",
        coalesce=True,
    )
    change = (
        pl.when(pl.col("old_version").is_null())
        .then(pl.lit("added"))
        .when(pl.col("new_version").is_null())
        .then(pl.lit("removed"))
        .when(pl.col("old_version") != pl.col("new_version"))
        .then(pl.lit("version-changed"))
        # A changed condition, weight or severity under the same version breaks the promise
        # that a (rule id, version) pair names one logic; old cases would be misexplained.
        .when(pl.col("old_logic") != pl.col("new_logic"))
        .then(pl.lit("changed-without-version-bump"))
    )
    return (
        both.with_columns(change.alias("change"))
        .filter(pl.col("change").is_not_null())
        .sort(["change", "rule_id"])
        .select("rule_id", "change", "old_version", "new_version")
    )


def tables_from_records(records: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Case and hit frames from case records (cases.jsonl lines, or what a stored run kept)."""
    cases = pl.DataFrame(
        [
            {
                k: r.get(k)
                for k in ("case_id", "rank", "priority", "score", "tenant_ids", "top_reasons")
            }
            for r in records
        ],
        schema={
            "case_id": pl.String,
            "rank": pl.UInt32,
            "priority": pl.String,
            "score": pl.Float64,
            "tenant_ids": _STRINGS,
            "top_reasons": _STRINGS,
        },
    )
    hits = pl.DataFrame(
        [
            {
                "case_id": r["case_id"],
                "tenant_id": h["tenant_id"],
                "rule_id": h["rule_id"],
                "rule_version": h.get("rule_version"),
            }
            for r in records
            for h in r.get("hits", [])
        ],
        schema={
            "case_id": pl.String,
            "tenant_id": pl.String,
            "rule_id": pl.String,
            "rule_version": pl.Int64,
        },
    )
    return cases, hits


def compare_runs(
    baseline_cases: pl.DataFrame,
    baseline_hits: pl.DataFrame,
    baseline_rules: pl.DataFrame | None,
    new_cases: pl.DataFrame,
    new_hits: pl.DataFrame,
    new_rules: pl.DataFrame,
) -> Comparison:
    """The full comparison of two scorings: cases, per-rule hit deltas, and pack differences.

    `baseline_rules` is None when the baseline is known only by its cases (a stored run):
    then the rules it ran are inferred from its hits, and the pack comparison can only say
    which of the rules that fired have a different version now.
    """
    if baseline_rules is None:
        baseline_rules = (
            baseline_hits.group_by("rule_id")
            .agg(pl.col("rule_version").max())
            .join(new_rules.select("rule_id"), on="rule_id", how="semi")
            .with_columns(pl.lit(None, dtype=pl.String).alias("logic"))
            .select(list(RULE_TABLE_SCHEMA))
            .cast(RULE_TABLE_SCHEMA)
        )
        pack = compare_packs(
            baseline_rules, new_rules.join(baseline_rules, on="rule_id", how="semi")
        )
        rule_ids = set(new_rules["rule_id"].to_list()) | set(baseline_hits["rule_id"].to_list())
    else:
        pack = compare_packs(baseline_rules, new_rules)
        rule_ids = set(baseline_rules["rule_id"].to_list()) | set(new_rules["rule_id"].to_list())
    return Comparison(
        cases=compare_cases(baseline_cases, baseline_hits, new_cases, new_hits),
        rules=compare_rule_hits(baseline_hits, new_hits, rule_ids),
        pack=pack,
    )
