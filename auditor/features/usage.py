"""Usage features: how many export-restricted accelerator-hours each tenant ran, and how wide.

Runs are clipped to the window ending at the audit's as-of time (a run still going counts
up to as-of). Peak concurrency is a sweep over start/end events per tenant, computed as a
cumulative sum over the sorted event table -- no per-tenant loop.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

HOUR_US = 3_600_000_000


def _hours_in_window(as_of: datetime, days: int) -> pl.Expr:
    window_start = pl.lit(as_of - timedelta(days=days))
    start = pl.max_horizontal(pl.col("start"), window_start)
    end = pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of))
    return ((end - start).dt.total_microseconds() / HOUR_US).clip(lower_bound=0.0)


def usage_features(resolved: pl.DataFrame | pl.LazyFrame, as_of: datetime) -> pl.DataFrame:
    """One row per tenant with usage: restricted GPU-hours (30/90 d), peak concurrency, models, regions.

    `resolved` is the usage table after `auditor.catalog.resolve_usage` (gpu_model,
    gpu_count, restricted). Tenants without usage rows are absent; the caller fills zeros.
    """
    runs = resolved.lazy().filter(pl.col("start") <= pl.lit(as_of)).with_columns(
        _hours_in_window(as_of, 30).alias("h30"),
        _hours_in_window(as_of, 90).alias("h90"),
        pl.col("gpu_count").fill_null(0).cast(pl.Float64).alias("gpus"),
        pl.col("restricted").fill_null(False).alias("is_restricted"),
        (pl.col("restricted").is_null()).alias("is_unknown"),
    )
    in_window = runs.filter(pl.col("h90") > 0)
    per_tenant = in_window.group_by("tenant_id").agg(
        (pl.col("h30") * pl.col("gpus")).filter(pl.col("is_restricted")).sum().alias("restricted_gpu_hours_30d"),
        (pl.col("h90") * pl.col("gpus")).filter(pl.col("is_restricted")).sum().alias("restricted_gpu_hours_90d"),
        (pl.col("h90") * pl.col("gpus")).sum().alias("gpu_hours_90d"),
        pl.col("h90").filter(pl.col("is_unknown")).sum().alias("unknown_gpu_hours_90d"),
        pl.col("gpu_model").filter(pl.col("is_restricted")).unique().sort().alias("restricted_models"),
        pl.col("region").filter((pl.col("gpus") > 0) | pl.col("is_unknown")).drop_nulls().unique().sort().alias("regions_used"),
        pl.col("provider").drop_nulls().unique().sort().alias("providers_used"),
    )
    peaks = _peak_concurrency(in_window.filter(pl.col("is_restricted") & (pl.col("gpus") > 0)), as_of)
    return (
        per_tenant.join(peaks, on="tenant_id", how="left")
        .with_columns(
            pl.col("peak_restricted_gpus").fill_null(0),
            pl.col("regions_used").list.len().cast(pl.Float64).alias("region_count"),
        )
        .collect(engine="streaming")
    )


def _peak_concurrency(restricted_runs: pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """Most restricted accelerators running at once per tenant: a sweep over start/end events.

    Every run contributes +gpus at its start and -gpus at its end (as-of for a running one),
    so each tenant's events sum to zero: a single cumulative sum over all events sorted by
    tenant and time is every tenant's running count, with no per-group window. Tenants are
    sorted by an integer code, not by their id text, which keeps the one big sort cheap.
    """
    window_start = pl.lit(as_of - timedelta(days=90))
    runs = restricted_runs.select(
        "tenant_id",
        pl.col("tenant_id").cast(pl.Categorical).to_physical().alias("key"),
        pl.max_horizontal(pl.col("start"), window_start).alias("t_start"),
        pl.col("end").fill_null(pl.lit(as_of)).alias("t_end"),
        "gpus",
    )
    starts = runs.select("key", pl.col("t_start").alias("t"), pl.col("gpus").alias("delta"))
    ends = runs.select("key", pl.col("t_end").alias("t"), (-pl.col("gpus")).alias("delta"))
    # Ends sort before starts at the same instant so back-to-back runs do not count as overlapping.
    events = pl.concat([starts, ends]).sort("key", "t", "delta")
    peaks = events.with_columns(pl.col("delta").cum_sum().alias("running")).group_by("key").agg(
        pl.col("running").max().cast(pl.Float64).alias("peak_restricted_gpus")
    )
    return runs.select("key", "tenant_id").unique("key").join(peaks, on="key").drop("key")


USAGE_ZERO_FILLS = {
    "restricted_gpu_hours_30d": 0.0,
    "restricted_gpu_hours_90d": 0.0,
    "gpu_hours_90d": 0.0,
    "unknown_gpu_hours_90d": 0.0,
    "peak_restricted_gpus": 0.0,
    "region_count": 0.0,
}
