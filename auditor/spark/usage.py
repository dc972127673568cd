"""The usage stage's two passes over the usage rows, on Spark; the rest is `features.usage`'s.

Pass one sums instance-hours per (tenant, instance type, accelerator, region, provider)
and collects that small table to the driver, where `features_from_totals` applies the
catalog and computes every per-tenant column -- the same code as on Polars. Both engines
sum whole microseconds (`unix_micros`), exact in any order, so the hours agree to the last
bit. Pass two takes the restricted kinds (a few rows, broadcast) back to the cluster and
finds each tenant's peak of restricted GPUs running at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from auditor.features.usage import GROUP_KEYS, UsageFeatures, features_from_totals
from auditor.spark.badrows import micros

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

TOTALS_SCHEMA: dict[str, Any] = {
    "tenant_id": pl.String,
    "instance_type": pl.String,
    "accelerator": pl.String,
    "accelerator_count": pl.Int64,
    "region": pl.String,
    "provider": pl.String,
    "rows": pl.UInt32,
    "us30": pl.Int64,
    "us90": pl.Int64,
}
KIND_KEYS = GROUP_KEYS[1:4]  # instance_type, accelerator, accelerator_count


def _clipped(as_of: datetime, days: int) -> tuple[Any, Any]:
    """(start, end) of each run clipped to the `days` window ending at as-of, in microseconds."""
    from pyspark.sql import functions as F

    end_us = F.lit(micros(as_of))
    start = F.greatest(F.unix_micros(F.col("start")), F.lit(micros(as_of - timedelta(days=days))))
    end = F.least(F.coalesce(F.unix_micros(F.col("end")), end_us), end_us)
    return start, end


def _micros_in_window(as_of: datetime, days: int) -> Any:
    from pyspark.sql import functions as F

    start, end = _clipped(as_of, days)
    return F.greatest(end - start, F.lit(0))


def _started(as_of: datetime) -> Any:
    from pyspark.sql import functions as F

    return F.unix_micros(F.col("start")) <= F.lit(micros(as_of))


def to_polars(frame: DataFrame, schema: Mapping[str, Any]) -> pl.DataFrame:
    """A small Spark result on the driver as a Polars frame of the given schema (via Arrow)."""
    if not hasattr(frame, "toArrow"):  # Spark 3.5: rows (the results are one per tenant or fewer)
        return pl.DataFrame([row.asDict() for row in frame.collect()], schema=dict(schema))
    table = frame.toArrow()
    if table.num_rows == 0:
        return pl.DataFrame(schema=schema)
    collected = pl.from_arrow(table)
    assert isinstance(collected, pl.DataFrame)
    return collected.cast(pl.Schema(schema))


def usage_totals(usage: DataFrame, as_of: datetime) -> pl.DataFrame:
    """Pass one: rows and window microseconds per GROUP_KEYS, collected to the driver."""
    from pyspark.sql import functions as F

    started = _started(as_of)
    return to_polars(
        usage.groupBy(*GROUP_KEYS).agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.when(started, _micros_in_window(as_of, 30)).otherwise(0)).alias("us30"),
            F.sum(F.when(started, _micros_in_window(as_of, 90)).otherwise(0)).alias("us90"),
        ),
        TOTALS_SCHEMA,
    )


def peak_concurrency(usage: DataFrame, kinds: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Pass two: the most restricted accelerators each tenant ran at once in the 90-day window.

    Every restricted run is +gpus at its clipped start and -gpus at its clipped end; the
    instant key is 2 x microseconds since the window opened, + 1 for a start, so at one
    instant ends come before starts and back-to-back runs never overlap (as on Polars).
    Deltas are summed per (tenant, instant) first, then a running sum per tenant in instant
    order gives the count at every instant, and its maximum is the peak.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    empty = {"tenant_id": pl.String, "peak_restricted_gpus": pl.Float64}
    if kinds.height == 0:
        return pl.DataFrame(schema=empty)
    spark = usage.sparkSession
    kind_frame = spark.createDataFrame(
        [tuple(row) for row in kinds.select(*KIND_KEYS, "gpus").iter_rows()],
        "k_type string, k_acc string, k_count bigint, gpus double",
    )
    start, end = _clipped(as_of, 90)
    window_start = F.lit(micros(as_of - timedelta(days=90)))
    runs = (
        usage.filter(_started(as_of))
        .select("tenant_id", *KIND_KEYS, start.alias("t_start"), end.alias("t_end"))
        .filter(F.col("t_end") > F.col("t_start"))
    )
    joined = runs.join(
        F.broadcast(kind_frame),
        on=(runs["instance_type"].eqNullSafe(kind_frame["k_type"]))
        & (runs["accelerator"].eqNullSafe(kind_frame["k_acc"]))
        & (runs["accelerator_count"].eqNullSafe(kind_frame["k_count"])),
        how="inner",
    )
    events = joined.select(
        "tenant_id",
        ((F.col("t_start") - window_start) * 2 + 1).alias("instant"),
        F.col("gpus").alias("delta"),
    ).unionAll(
        joined.select(
            "tenant_id",
            ((F.col("t_end") - window_start) * 2).alias("instant"),
            (-F.col("gpus")).alias("delta"),
        )
    )
    per_instant = events.groupBy("tenant_id", "instant").agg(F.sum("delta").alias("delta"))
    ordered = (
        Window.partitionBy("tenant_id")
        .orderBy("instant")
        .rowsBetween(Window.unboundedPreceding, Window.currentRow)
    )
    peaks = (
        per_instant.withColumn("running", F.sum("delta").over(ordered))
        .groupBy("tenant_id")
        .agg(F.max("running").cast("double").alias("peak_restricted_gpus"))
    )
    return to_polars(peaks, empty)


def spark_usage_features(usage: DataFrame, as_of: datetime) -> UsageFeatures:
    """`features.usage.usage_features` with its two passes over the rows run on Spark."""
    totals = usage_totals(usage, as_of)
    return features_from_totals(totals, lambda kinds: peak_concurrency(usage, kinds, as_of))
