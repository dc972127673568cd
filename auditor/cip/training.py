"""Large-training estimates: how much training compute a tenant's restricted GPU-hours could deliver.

    estimated_training_flop_90d = sum over restricted runs of
        GPU-hours (90 d) x 3600 s x dense BF16/FP16 operations per second x utilisation

The dense rate comes from `catalog.throughput` (derived from TPP where exact, else the
vendor's figure). Utilisation -- the share of peak a real training job sustains (model FLOP
utilisation) -- defaults to 0.4 and is stated in every output. `peak_cluster_flops` is the
most dense BF16 operations per second the tenant had running at once (no utilisation:
it is capacity), swept like `peak_restricted_gpus` in features/usage.py; the largest single
run is the one usage row with the most estimated operations.

The thresholds are risk signals, not law: EO 14110's interim reporting figure (1e26
operations) lost its mandate when EO 14110 was revoked on 2025-01-20 (EO 14148), and the
proposed CIP rule's large-training reporting was built on it (docs/cip.md). Both the
reporting and the review threshold are settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from auditor.catalog import resolve_usage
from auditor.catalog.throughput import throughput_table
from auditor.features.usage import HOUR_US, _hours_in_window, _micros_in_window, _peak_concurrency

DEFAULT_UTILISATION = 0.4
DEFAULT_REPORTING_THRESHOLD = 1e26  # EO 14110 sec. 4.2(b)'s interim figure (EO revoked 2025-01-20)
DEFAULT_REVIEW_THRESHOLD = 1e23
SECONDS_PER_HOUR = 3600.0
CENTI = 100  # peak sweep in integer hundredths of a TFLOPS, so its cumulative sum is exact
RUN_KEYS = ("instance_type", "accelerator", "accelerator_count")
TOTALS_SCHEMA = {
    "tenant_id": pl.String(),
    "instance_type": pl.String(),
    "accelerator": pl.String(),
    "accelerator_count": pl.Int64(),
    "region": pl.String(),
    "provider": pl.String(),
    "us90": pl.Int64(),
    "longest_us": pl.Int64(),
    "first_start": pl.Datetime("us", "UTC"),
    "last_end": pl.Datetime("us", "UTC"),
}
BREAKDOWN_SCHEMA = {
    "tenant_id": pl.String(),
    "gpu_model": pl.String(),
    "region": pl.String(),
    "gpu_hours_90d": pl.Float64(),
    "dense_flops": pl.Float64(),
    "flop": pl.Float64(),
    "first_start": pl.Datetime("us", "UTC"),
    "last_end": pl.Datetime("us", "UTC"),
    "largest_run_flop": pl.Float64(),
    "largest_run_gpus": pl.Float64(),
    "largest_run_hours": pl.Float64(),
}


@dataclass(frozen=True)
class TrainingEstimate:
    features: (
        pl.DataFrame
    )  # tenant_id, estimated_training_flop_90d, peak_cluster_flops, largest_run_flop
    breakdown: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=BREAKDOWN_SCHEMA)
    )  # BREAKDOWN_SCHEMA: one row per tenant, model and region -- the arithmetic's terms


def training_features(
    usage: pl.DataFrame | pl.LazyFrame, as_of: datetime, utilisation: float = DEFAULT_UTILISATION
) -> TrainingEstimate:
    """Estimated operations per tenant over the last 90 days, its peak capacity and largest run."""
    lf = usage.lazy()
    return training_from_totals(
        run_totals(lf, as_of), lambda kinds: _peak_flops(lf, kinds, as_of), utilisation
    )


def run_totals(lf: pl.LazyFrame, as_of: datetime) -> pl.DataFrame:
    """The one pass over the usage rows: window microseconds per tenant, run kind, region, provider.

    Columns: TOTALS_SCHEMA. Whole microseconds are summed (exact in any order, as the usage
    stage does), so the estimate is the same to the last digit on every run and on every
    engine; spark.training computes the same table on the cluster.
    """
    window_start = as_of - timedelta(days=90)
    started = pl.col("start") <= pl.lit(as_of)
    return (
        lf.filter(started)
        .with_columns(_micros_in_window(as_of, 90).alias("us90"))
        .filter(pl.col("us90") > 0)
        .group_by("tenant_id", *RUN_KEYS, "region", "provider")
        .agg(
            pl.col("us90").sum(),
            pl.col("us90").max().alias("longest_us"),
            pl.max_horizontal(pl.col("start"), pl.lit(window_start)).min().alias("first_start"),
            pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of))
            .max()
            .alias("last_end"),
        )
        .collect(engine="streaming")
        .cast(TOTALS_SCHEMA)  # type: ignore[arg-type]
    )


def training_from_totals(
    per_kind: pl.DataFrame,
    peak_of: Callable[[pl.DataFrame], pl.DataFrame],
    utilisation: float = DEFAULT_UTILISATION,
) -> TrainingEstimate:
    """Every training column from `run_totals`' table, on the driver, for both engines.

    `peak_of(kinds)` is the peak sweep over the rows (run kind -> `gpus` in hundredths of a
    TFLOPS) returning tenant_id, peak_restricted_gpus, in the engine that holds the rows.
    """
    tables = training_tables(per_kind, utilisation)
    return tables.finish(peak_of(tables.flop_kinds))


@dataclass(frozen=True)
class TrainingTables:
    """The training estimate before the peak sweep: the run kinds it sweeps, and the rest."""

    per_tenant: (
        pl.DataFrame
    )  # tenant_id, estimated_training_flop_90d, largest_run_flop, longest_restricted_run_hours
    breakdown: pl.DataFrame  # BREAKDOWN_SCHEMA
    flop_kinds: pl.DataFrame  # RUN_KEYS, gpus: the dense rate in whole hundredths of a TFLOPS

    def finish(self, peaks: pl.DataFrame) -> TrainingEstimate:
        """The estimate, given the sweep's tenant_id, peak_restricted_gpus (in flop_kinds' units)."""
        peaks = peaks.select(
            "tenant_id",
            (pl.col("peak_restricted_gpus") / CENTI * 1e12).alias("peak_cluster_flops"),
        )
        features = self.per_tenant.join(peaks, on="tenant_id", how="left").with_columns(
            pl.col("peak_cluster_flops").fill_null(0.0)
        )
        return TrainingEstimate(features, self.breakdown)


def training_totals(totals: pl.DataFrame) -> pl.DataFrame:
    """`run_totals`' table from the usage stage's first pass read with `runs=True`
    (features.usage.usage_totals): the same groups and sums, so one read serves both."""
    return (
        totals.filter(pl.col("us90") > 0).select(list(TOTALS_SCHEMA)).cast(TOTALS_SCHEMA)  # type: ignore[arg-type]
    )


def training_tables(
    per_kind: pl.DataFrame, utilisation: float = DEFAULT_UTILISATION
) -> TrainingTables:
    """Every training column but the peak, from `run_totals`' table."""
    resolved = resolve_usage(per_kind).usage
    assert isinstance(resolved, pl.DataFrame)
    rates = throughput_table().select("gpu_model", pl.col("dense_bf16_flops").alias("dense_flops"))
    table = (
        resolved.filter(pl.col("restricted").fill_null(False) & (pl.col("gpu_count") > 0))
        .join(rates, on="gpu_model", how="left")
        .filter(pl.col("dense_flops").is_not_null())
        .with_columns(
            pl.col("gpu_count").cast(pl.Float64).alias("gpus"),
            (pl.col("us90") * pl.col("gpu_count").cast(pl.Int64)).alias("gpu_us90"),
            (pl.col("us90") / HOUR_US).alias("h90"),
            (pl.col("longest_us") / HOUR_US).alias("longest_h"),
        )
    )
    op = pl.lit(SECONDS_PER_HOUR) * pl.col("dense_flops") * pl.lit(utilisation)
    breakdown = (
        table.with_columns(
            (pl.col("longest_h") * pl.col("gpus") * op).alias("run_flop"),
        )
        .group_by("tenant_id", "gpu_model", "region")
        .agg(
            (pl.col("gpu_us90").sum() / HOUR_US).alias("gpu_hours_90d"),
            pl.col("dense_flops").first(),
            pl.col("first_start").min(),
            pl.col("last_end").max(),
            pl.col("run_flop").max().alias("largest_run_flop"),
            pl.col("gpus").sort_by("run_flop").last().alias("largest_run_gpus"),
            pl.col("longest_h").sort_by("run_flop").last().alias("largest_run_hours"),
        )
        .with_columns((pl.col("gpu_hours_90d") * op).alias("flop"))
        .select(list(BREAKDOWN_SCHEMA))
        .cast(BREAKDOWN_SCHEMA)  # type: ignore[arg-type]
        .sort("tenant_id", "flop", descending=[False, True])
    )
    per_tenant = breakdown.group_by("tenant_id").agg(
        pl.col("flop").sort().sum().alias("estimated_training_flop_90d"),  # sorted: one order
        pl.col("largest_run_flop").max(),
    )
    longest = table.group_by("tenant_id").agg(
        pl.col("longest_h").max().alias("longest_restricted_run_hours")
    )
    per_tenant = per_tenant.join(longest, on="tenant_id", how="left")
    return TrainingTables(per_tenant, breakdown, _flop_kinds(table))


def _flop_kinds(table: pl.DataFrame) -> pl.DataFrame:
    """Run kind -> its dense rate in whole hundredths of a TFLOPS (`gpus`), so sweeps sum exactly."""
    return table.select(
        *RUN_KEYS,
        (pl.col("gpus") * pl.col("dense_flops") / 1e12 * CENTI)
        .round()
        .cast(pl.Int64)
        .alias("gpus"),
    ).unique(list(RUN_KEYS))


def _peak_flops(lf: pl.LazyFrame, kinds: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Most dense operations per second running at once (in kinds' units): the GPU sweep with each run weighted by its rate."""
    runs = lf.filter((pl.col("start") <= pl.lit(as_of)) & (_hours_in_window(as_of, 90) > 0)).join(
        kinds.lazy(), on=list(RUN_KEYS), how="inner", nulls_equal=True
    )
    return _peak_concurrency(runs, as_of)


TRAINING_ZERO_FILLS = {
    "estimated_training_flop_90d": 0.0,
    "peak_cluster_flops": 0.0,
    "largest_run_flop": 0.0,
    "longest_restricted_run_hours": 0.0,
}
