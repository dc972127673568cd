"""The usage features and the training estimates from one read of the usage rows.

Both stages need the same two things from the big table: window microseconds per
(tenant, run kind, region, provider), and a peak-concurrency sweep over the restricted
runs -- the usage stage weighs each run by its GPUs, the training estimate by its dense
rate. Read separately that is two aggregation passes and two sweeps (each sweep one pass
per tenant partition on a very large table). Here the first pass aggregates every column
either stage needs (features.usage.usage_totals with `runs`), and one sweep carries both
weights through the same sort (features.usage.swept_peaks): each stage's answer is the
one it gives alone, to the last digit (whole-microsecond sums, integer sweeps).

This is the Polars engine's path; on Spark each stage runs its own passes on the cluster.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from auditor.cip.training import (
    DEFAULT_UTILISATION,
    RUN_KEYS,
    TrainingEstimate,
    training_tables,
    training_totals,
)
from auditor.features.usage import UsageFeatures, swept_peaks, usage_tables, usage_totals


def usage_and_training(
    usage: pl.DataFrame | pl.LazyFrame,
    as_of: datetime,
    utilisation: float = DEFAULT_UTILISATION,
) -> tuple[UsageFeatures, TrainingEstimate]:
    """`usage_features(usage, as_of)` and `training_features(usage, as_of, utilisation)`, in one read."""
    lf = usage.lazy()
    totals = usage_totals(lf, as_of, runs=True)
    usage_part = usage_tables(totals)
    training_part = training_tables(training_totals(totals), utilisation)
    # One weight table for the sweep: GPUs (the usage stage's restricted kinds) and dense
    # rate (the training estimate's); a kind only one stage counts weighs 0 in the other,
    # and a zero step never moves a running count's maximum.
    kinds = (
        usage_part.restricted_kinds.join(
            training_part.flop_kinds.rename({"gpus": "flops"}),
            on=list(RUN_KEYS),
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(pl.col("gpus").fill_null(0.0), pl.col("flops").fill_null(0))
        .select(*RUN_KEYS, "gpus", "flops")
    )
    peaks = swept_peaks(
        lf,
        as_of,
        kinds,
        int(totals["rows"].sum()),
        {"gpus": "peak_restricted_gpus", "flops": "peak_flops"},
    )
    return (
        usage_part.finish(peaks.select("tenant_id", "peak_restricted_gpus")),
        training_part.finish(
            peaks.select("tenant_id", pl.col("peak_flops").alias("peak_restricted_gpus"))
        ),
    )
