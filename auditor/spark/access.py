"""The sign-in stage on Spark: `features.access.access_features`, one aggregation on the cluster.

Per tenant with sign-ins in the 90 days to as-of: how many, the share from D:5 countries
and Macau among those whose country is known (null when none is), and the sorted countries.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from auditor.spark.badrows import micros
from auditor.spark.read import _EDGE_SPACE
from auditor.spark.usage import to_polars

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SIGNIN_ROWS: dict[str, Any] = {
    "tenant_id": pl.String,
    "timestamp": pl.Datetime("us", "UTC"),
    "ip_country": pl.String,
}
ACCESS_SCHEMA: dict[str, Any] = {
    "tenant_id": pl.String,
    "signin_count_90d": pl.Float64,
    "d5_signin_share": pl.Float64,
    "signin_countries": pl.List(pl.String),
}


def spark_access_features(
    access: DataFrame, as_of: datetime, d5_countries: frozenset[str]
) -> pl.DataFrame:
    from pyspark.sql import functions as F

    at = F.unix_micros(F.col("timestamp"))
    window = access.filter(
        (at <= F.lit(micros(as_of))) & (at > F.lit(micros(as_of - timedelta(days=90))))
    )
    country = F.upper(F.regexp_replace(F.col("ip_country"), _EDGE_SPACE, ""))
    return to_polars(
        window.groupBy("tenant_id").agg(
            F.count(F.lit(1)).cast("double").alias("signin_count_90d"),
            F.avg(
                F.when(country.isNotNull(), country.isin(sorted(d5_countries)).cast("double"))
            ).alias("d5_signin_share"),
            F.sort_array(F.collect_set(country)).alias("signin_countries"),
        ),
        ACCESS_SCHEMA,
    )


def spark_signin_ips(access: DataFrame, as_of: datetime) -> pl.DataFrame:
    """`cip.gaps.signin_ips` on the cluster: distinct source IPs of the 90 days' sign-ins."""
    from pyspark.sql import functions as F

    at = F.unix_micros(F.col("timestamp"))
    window = access.filter(
        (at <= F.lit(micros(as_of))) & (at > F.lit(micros(as_of - timedelta(days=90))))
    )
    return to_polars(
        window.groupBy("tenant_id").agg(
            F.countDistinct("source_ip").cast("double").alias("signin_ip_count_90d")
        ),
        {"tenant_id": pl.String, "signin_ip_count_90d": pl.Float64},
    )


def spark_signins_of(access: DataFrame, tenant_ids: list[str]) -> pl.LazyFrame:
    """tenant_id, timestamp, ip_country of these tenants' sign-ins, on the driver (a few tenants)."""
    from pyspark.sql import functions as F

    if not tenant_ids:
        return pl.LazyFrame(schema=SIGNIN_ROWS)
    wanted = access.sparkSession.createDataFrame([(t,) for t in tenant_ids], "tenant_id string")
    rows = access.join(F.broadcast(wanted), on="tenant_id").select(
        "tenant_id", F.unix_micros(F.col("timestamp")).alias("timestamp"), "ip_country"
    )
    # Instants travel as microseconds: Spark's own timestamp conversion reads the local zone.
    collected = to_polars(rows, {**SIGNIN_ROWS, "timestamp": pl.Int64})
    return collected.with_columns(
        pl.from_epoch("timestamp", time_unit="us").dt.replace_time_zone("UTC")
    ).lazy()
