"""Builds review cases: linked tenants with at least one hit become one case, scored and ranked.

A case is a linked group (see `features.links`) in which some tenant hit a rule; the other
members come along so the analyst sees the whole actor. Its id derives from the group's
anchor (smallest tenant id), so it is stable across runs for the same tenants and when a
member joins whose id sorts after the anchor. A newcomer whose id sorts first (or a merge
with another group) gives the case a new id; the change report then links the two ("tenants
now in case ...") and a decision recorded on the old id does not carry over. Review order:
score, then restricted exposure, then case id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from auditor.scoring.weighted import WEIGHTED_V1, ScoringAlgorithm, band_expr, tenant_scores

TOP_REASONS = 3


def case_id_for(anchor: str) -> str:
    return "C-" + hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class CaseTables:
    cases: pl.DataFrame  # one row per case, in review order (see CASE_COLUMNS in report)
    hits: pl.DataFrame  # hits with case_id and contribution
    tenant_scores: pl.DataFrame  # tenant_id, score, priority, case_id


def build_cases(
    features: pl.DataFrame,
    hits: pl.DataFrame,
    unknowns: pl.DataFrame,
    algorithm: ScoringAlgorithm = WEIGHTED_V1,
) -> CaseTables:
    """Groups hits into cases, scores each case over its distinct rules, and ranks the queue."""
    membership = features.select("tenant_id", "cluster_id")
    hit_clusters = hits.join(membership, on="tenant_id").select("cluster_id").unique()
    anchors = hit_clusters["cluster_id"].to_list()
    ids = pl.DataFrame(
        {"cluster_id": anchors, "case_id": [case_id_for(a) for a in anchors]},
        schema={"cluster_id": pl.String, "case_id": pl.String},
    )
    members = membership.join(ids, on="cluster_id")

    scored_hits = hits.join(members.select("tenant_id", "case_id"), on="tenant_id").with_columns(
        algorithm.mass(pl.col("weight")).alias("mass")
    )
    # A rule counts once per case: its mass is taken once, shared among the tenants it hit.
    per_rule = scored_hits.group_by("case_id", "rule_id").agg(
        pl.col("mass").first().alias("rule_mass"), pl.len().alias("rule_hits")
    )
    case_mass = per_rule.group_by("case_id").agg(pl.col("rule_mass").sum().alias("mass"))
    scored_hits = (
        scored_hits.join(per_rule, on=["case_id", "rule_id"])
        .join(case_mass.rename({"mass": "case_mass"}), on="case_id")
        .with_columns(
            (
                algorithm.score(pl.col("case_mass"))
                * pl.col("rule_mass")
                / pl.col("case_mass")
                / pl.col("rule_hits")
            )
            .round(2)
            .alias("contribution")
        )
        .drop("mass", "rule_mass", "rule_hits", "case_mass")
    )

    exposure = (
        features.join(members.select("tenant_id", "case_id"), on="tenant_id")
        .group_by("case_id")
        .agg(
            pl.col("tenant_id").sort().alias("tenant_ids"),
            pl.col("restricted_gpu_hours_30d").sum().round(1).alias("restricted_gpu_hours_30d"),
            pl.col("restricted_gpu_hours_90d").sum().round(1).alias("restricted_gpu_hours_90d"),
            pl.col("peak_restricted_gpus").max().alias("peak_restricted_gpus"),
            pl.col("restricted_models")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("restricted_models"),
            pl.col("link_reasons")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("link_reasons"),
        )
    )
    reasons = (
        scored_hits.group_by("case_id", "rule_id")
        .agg(pl.col("title").first(), pl.col("contribution").sum())
        .sort(["case_id", "contribution", "rule_id"], descending=[False, True, False])
        .group_by("case_id", maintain_order=True)
        .agg(
            pl.col("title").head(TOP_REASONS).alias("top_reasons"),
            pl.col("rule_id").alias("rules_hit"),
        )
    )
    case_unknowns = (
        unknowns.join(members.select("tenant_id", "case_id"), on="tenant_id")
        .group_by("case_id")
        .agg(pl.col("rule_id").unique().sort().alias("unknown_rules"))
    )
    cases = (
        case_mass.with_columns(algorithm.score(pl.col("mass")).alias("score"))
        .with_columns(
            band_expr(pl.col("score")).alias("priority"), pl.lit(algorithm.name).alias("scoring")
        )
        .drop("mass")
        .join(exposure, on="case_id")
        .join(reasons, on="case_id")
        .join(case_unknowns, on="case_id", how="left")
        .with_columns(pl.col("unknown_rules").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .sort(["score", "restricted_gpu_hours_90d", "case_id"], descending=[True, True, False])
        .with_row_index("rank", offset=1)
    )
    tscores = tenant_scores(hits, algorithm).join(
        members.select("tenant_id", "case_id"), on="tenant_id", how="left"
    )
    return CaseTables(cases, scored_hits, tscores)
