"""Attach accelerator model, count and export classification to every usage row.

Whole-column Polars work only (joins and regex over the column, no Python per row): it
runs on usage tables of a hundred million rows. Null means unknown: a type that looks
like an accelerator type but is not in the catalog, or an accelerator name that is not
in the alias table, gets `restricted = null` and is listed in `unknown_types`, never a
guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from auditor.catalog.accelerators import NOT_CONTROLLED, accelerator_table
from auditor.catalog.instances import (
    GPU_TYPE_PATTERNS,
    PROVIDER_PATTERNS,
    alias_table,
    instance_table,
)

ADDED_COLUMNS = ("gpu_model", "gpu_count", "classification", "restricted", "tpp")

UNKNOWN_SCHEMA = pl.Schema(
    {
        "provider": pl.String(),
        "instance_type": pl.String(),
        "accelerator": pl.String(),
        "reason": pl.String(),
        "rows": pl.UInt32(),
    }
)

REASON_TYPE = "unknown accelerator instance type"
REASON_ACCELERATOR = "unknown accelerator name"


@dataclass(frozen=True)
class ResolvedUsage:
    """Usage with accelerator columns added, and what could not be resolved.

    `usage`: the input columns plus gpu_model (String, null when no accelerator or
    unknown), gpu_count (Int64; 0 for a CPU-only type, null when unknown),
    classification (String; "not-controlled" for a CPU-only type, null when unknown),
    restricted (Boolean, null = unknown), tpp (Float64, null without an accelerator).
    `unknown_types`: provider, instance_type, accelerator, reason, rows -- one row per
    distinct unresolved (provider, instance_type, accelerator).
    """

    usage: pl.DataFrame | pl.LazyFrame  # the same kind as the input
    unknown_types: pl.DataFrame


def _any_match(expr: pl.Expr, patterns: dict[str, str]) -> pl.Expr:
    return pl.any_horizontal([expr.str.contains(p) for p in patterns.values()])


def _provider_of(key: pl.Expr) -> pl.Expr:
    """Provider implied by a lower-case type name's shape; Azure and GCP before AWS's dot."""
    return (
        pl.when(key.str.contains(PROVIDER_PATTERNS["azure"]))
        .then(pl.lit("azure"))
        .when(key.str.contains(PROVIDER_PATTERNS["aws"]))
        .then(pl.lit("aws"))
        .when(key.str.contains(PROVIDER_PATTERNS["gcp"]))
        .then(pl.lit("gcp"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def resolve_usage(
    usage: pl.DataFrame | pl.LazyFrame, rows_column: str | None = None
) -> ResolvedUsage:
    """Resolve each row's instance type (or, failing that, its accelerator) via the catalog.

    A catalog instance type wins; else an `accelerator` found in the alias table, with
    `accelerator_count` (default 1); else a GPU-looking type is unknown; else the row is a
    CPU-only machine (gpu_count 0, restricted False). A lazy input gives a lazy `usage`
    back: only the distinct (type, accelerator, provider) combinations are read here.
    `rows_column` names a count column when `usage` is already aggregated, so unknown types
    are reported with the number of original rows.
    """
    lazy_input = isinstance(usage, pl.LazyFrame)
    original = usage.collect_schema().names() if lazy_input else usage.columns
    if "instance_type" not in original:
        raise ValueError("usage has no 'instance_type' column")
    clash = [c for c in ADDED_COLUMNS if c in original]
    if clash:
        raise ValueError(f"usage already has column(s) {', '.join(clash)}; resolve_usage adds them")

    has_acc = "accelerator" in original
    has_count = "accelerator_count" in original
    has_provider = "provider" in original

    # String work (strip, lower-case, regex) runs once per distinct (type, accelerator),
    # then joins back: a usage table has millions of rows but few distinct types.
    acc_col = pl.col("accelerator").cast(pl.String) if has_acc else pl.lit(None, dtype=pl.String)
    given_provider = (
        pl.col("provider").cast(pl.String) if has_provider else pl.lit(None, dtype=pl.String)
    )
    base = usage.lazy().with_columns(
        pl.col("instance_type").cast(pl.String).alias("__type"), acc_col.alias("__acc")
    )
    # One pass over the rows groups them by their raw values; all string clean-up happens on the few distinct ones.
    combos = (
        base.group_by("__type", "__acc", given_provider.alias("__given_provider"))
        .agg((pl.col(rows_column).sum() if rows_column else pl.len()).alias("__rows"))
        .collect(engine="streaming")
        .with_columns(pl.col("__given_provider").str.strip_chars().str.to_lowercase())
    )
    distinct = _resolve_distinct(combos.lazy().select("__type", "__acc").unique()).collect()
    lf = base.join(
        distinct.lazy(), on=["__type", "__acc"], how="left", maintain_order="left", nulls_equal=True
    )

    count = (
        pl.col("accelerator_count").cast(pl.Int64) if has_count else pl.lit(None, dtype=pl.Int64)
    )
    lf = lf.with_columns(
        pl.when(pl.col("__by_alias"))
        .then(count.fill_null(1))
        .otherwise(pl.col("__count"))
        .alias("gpu_count")
    )
    has_gpu = pl.col("gpu_model").is_not_null() & (pl.col("gpu_count") > 0)
    lf = lf.with_columns(
        pl.when(has_gpu)
        .then(pl.col("restricted"))
        .when(pl.col("__reason").is_null())
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
        .alias("restricted"),
        pl.when(has_gpu | pl.col("__reason").is_not_null())
        .then(pl.col("classification"))
        .otherwise(pl.lit(NOT_CONTROLLED))
        .alias("classification"),
        pl.when(has_gpu).then(pl.col("tpp")).alias("tpp"),
    )
    unknown = (
        combos.join(distinct, on=["__type", "__acc"], how="left", nulls_equal=True)
        .filter(pl.col("__reason").is_not_null())
        .group_by(
            pl.coalesce("__given_provider", "__provider").alias("provider"),
            pl.col("__type").alias("instance_type"),
            pl.col("__acc").alias("accelerator"),
            pl.col("__reason").alias("reason"),
        )
        .agg(pl.col("__rows").sum().alias("rows"))
        .sort(
            ["rows", "provider", "instance_type"], descending=[True, False, False], nulls_last=True
        )
        .cast(UNKNOWN_SCHEMA)
    )
    out = lf.select(*original, *ADDED_COLUMNS)
    return ResolvedUsage(usage=out if lazy_input else out.collect(), unknown_types=unknown)


def _resolve_distinct(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """Per distinct (__type, __acc): gpu_model, __count, __by_alias, __reason, __provider
    and the model's classification, restricted, tpp."""
    catalog = (
        instance_table()
        .lazy()
        .select(
            pl.col("instance_type").str.to_lowercase().alias("__key"),
            pl.col("gpu_model").alias("__cat_model"),
            pl.col("gpu_count").alias("__cat_count"),
        )
    )
    aliases = (
        alias_table()
        .lazy()
        .select(pl.col("alias").alias("__acc_key"), pl.col("gpu_model").alias("__alias_model"))
    )
    models = accelerator_table().lazy().select("gpu_model", "classification", "restricted", "tpp")

    # SageMaker names EC2 types with an `ml.` prefix (ml.p5.48xlarge is a p5.48xlarge).
    key = pl.col("__type").str.strip_chars().str.to_lowercase().str.replace(r"^ml\.", "")
    # GCP URLs too; Vertex AI spells Compute's nvidia-tesla-a100 as NVIDIA_TESLA_A100.
    acc_key = (
        pl.col("__acc")
        .str.strip_chars()
        .str.to_lowercase()
        .str.replace(r"^.*/", "")
        .str.replace_all("_", "-", literal=True)
    )
    lf = (
        pairs.with_columns(
            key.alias("__key"), pl.when(acc_key != "").then(acc_key).alias("__acc_key")
        )
        .join(catalog, on="__key", how="left")
        .join(aliases, on="__acc_key", how="left")
        .with_columns(
            _any_match(pl.col("__key"), GPU_TYPE_PATTERNS).fill_null(False).alias("__gpu_like")
        )
    )
    in_catalog = pl.col("__cat_model").is_not_null()
    by_alias = ~in_catalog & pl.col("__alias_model").is_not_null()
    unknown_acc = (
        ~in_catalog & pl.col("__acc_key").is_not_null() & pl.col("__alias_model").is_null()
    )
    unknown_type = ~in_catalog & ~by_alias & ~unknown_acc & pl.col("__gpu_like")
    return (
        lf.with_columns(
            pl.when(in_catalog)
            .then(pl.col("__cat_model"))
            .when(by_alias)
            .then(pl.col("__alias_model"))
            .alias("gpu_model"),
            pl.when(in_catalog)
            .then(pl.col("__cat_count"))
            .when(unknown_acc | unknown_type | by_alias)
            .then(pl.lit(None, dtype=pl.Int64))
            .otherwise(pl.lit(0, dtype=pl.Int64))
            .alias("__count"),
            by_alias.alias("__by_alias"),
            pl.when(unknown_type)
            .then(pl.lit(REASON_TYPE))
            .when(unknown_acc)
            .then(pl.lit(REASON_ACCELERATOR))
            .alias("__reason"),
            _provider_of(pl.col("__key")).alias("__provider"),
        )
        .join(models, on="gpu_model", how="left")
        .select(
            "__type",
            "__acc",
            "gpu_model",
            "__count",
            "__by_alias",
            "__reason",
            "__provider",
            "classification",
            "restricted",
            "tpp",
        )
    )
