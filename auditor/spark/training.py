"""The training estimate's two passes over the usage rows, on Spark; the rest is `cip.training`'s.

Pass one is `cip.training.run_totals` as one aggregation on the cluster (whole
microseconds, exact in any order, so the estimate agrees with Polars to the last bit); the
small per-kind table comes to the driver for `training_from_totals`. Pass two is the usage
stage's peak sweep (`spark.usage.peak_concurrency`) with each run kind weighted by its dense
rate in hundredths of a TFLOPS instead of its GPU count.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from auditor.cip.training import (
    DEFAULT_UTILISATION,
    RUN_KEYS,
    TOTALS_SCHEMA,
    TrainingEstimate,
    training_from_totals,
)
from auditor.spark.usage import _clipped, _started, peak_concurrency, to_polars

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

INSTANTS = ("first_start", "last_end")


def spark_run_totals(usage: DataFrame, as_of: datetime) -> pl.DataFrame:
    """`run_totals` on the cluster: window microseconds, longest run and first/last instants per kind."""
    from pyspark.sql import functions as F

    start, end = _clipped(as_of, 90)
    runs = (
        usage.filter(_started(as_of))
        .select("tenant_id", *RUN_KEYS, "region", "provider", start.alias("s"), end.alias("e"))
        .withColumn("us90", F.col("e") - F.col("s"))
        .filter(F.col("us90") > 0)
    )
    totals = runs.groupBy("tenant_id", *RUN_KEYS, "region", "provider").agg(
        F.sum("us90").alias("us90"),
        F.max("us90").alias("longest_us"),
        F.min("s").alias("first_start"),  # already clipped to the window, as on Polars
        F.max("e").alias("last_end"),
    )
    # Instants travel as microseconds: Spark's own timestamp conversion reads the local zone.
    as_micros = {**TOTALS_SCHEMA, "first_start": pl.Int64, "last_end": pl.Int64}
    return to_polars(totals, as_micros).with_columns(
        pl.from_epoch(c, time_unit="us").dt.replace_time_zone("UTC") for c in INSTANTS
    )


def spark_training_features(
    usage: DataFrame, as_of: datetime, utilisation: float = DEFAULT_UTILISATION
) -> TrainingEstimate:
    """`cip.training.training_features` with its passes over the rows run on Spark."""
    return training_from_totals(
        spark_run_totals(usage, as_of),
        # Whole hundredths of a TFLOPS as doubles: integers below 2**53 sum exactly in any order.
        lambda kinds: peak_concurrency(
            usage, kinds.with_columns(pl.col("gpus").cast(pl.Float64)), as_of
        ),
        utilisation,
    )
