"""The `engine:` setting of an audit config: which engine reads usage and sign-ins, and where.

Polars (the default) reads the files named by `usage:`/`access:` on this machine. Spark
reads the same files, or the lake tables named here by URI (`s3://`, `gs://`,
`abfss://`, `dbfs:/`), on the cluster given by `master` (or the one `spark-submit` or a
notebook already started).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TableFormat = Literal["auto", "parquet", "csv", "delta", "iceberg"]


class EngineConfig(BaseModel):
    """Which engine runs the usage and sign-in stages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["polars", "spark"] = Field(
        default="polars",
        description="polars (one machine, the default) or spark (the usage and sign-in stages on a Spark cluster).",
    )
    master: str | None = Field(
        default=None,
        description="Spark master: local[2], yarn, spark://host:7077, ...; absent: the session spark-submit or the notebook started (else local[*]).",
    )
    conf: dict[str, str] = Field(
        default_factory=dict,
        description="Extra Spark settings (spark.executor.memory, spark.sql.shuffle.partitions, catalog and connector settings).",
    )
    usage: str | None = Field(
        default=None,
        description="The usage table as the cluster sees it (s3://lake/usage/, a Delta or Iceberg table path); absent: the `usage:` file.",
    )
    access: str | None = Field(
        default=None,
        description="The sign-in table as the cluster sees it; absent: the `access:` file.",
    )
    format: TableFormat = Field(
        default="auto",
        description="How Spark reads usage and access: auto (by name: .csv is CSV, a folder with _delta_log is Delta, with metadata/ Iceberg, else Parquet), or one of parquet, csv, delta, iceberg.",
    )
