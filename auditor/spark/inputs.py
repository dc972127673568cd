"""The input of one audit with usage and sign-ins on Spark: `model.inputs.load_inputs`'s twin.

Tenants (one row per customer, needed whole for links and screening) are read on the
driver by the Polars loader, as always. Usage and sign-ins are read and checked on the
cluster and stay there; `SparkTables` runs their stages and hands back per-tenant frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from auditor.features.usage import UsageFeatures
from auditor.model.badrows import Exclusion
from auditor.model.inputs import InputTables, present_columns
from auditor.model.load import MAX_PROBLEMS_PER_FILE, check_unique, collect_checked, detect_format
from auditor.model.load import scan_table
from auditor.model.schema import ACCESS, TENANTS, USAGE, empty_table
from auditor.spark.badrows import exclude_bad_rows
from auditor.spark.read import read_table
from auditor.spark.settings import EngineConfig

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass(frozen=True)
class SparkTables:
    """Usage and sign-ins held by a Spark session, and the stages that read them there."""

    spark: SparkSession
    usage: DataFrame
    access: DataFrame | None

    name = "spark"

    def usage_features(self, _local: Any, as_of: datetime) -> UsageFeatures:
        from auditor.spark.usage import spark_usage_features

        return spark_usage_features(self.usage, as_of)

    def access_features(self, local: Any, as_of: datetime, d5: frozenset[str]) -> pl.DataFrame:
        from auditor.features.access import access_features
        from auditor.spark.access import spark_access_features

        if self.access is None:  # no sign-in table: the Polars stage over the empty one
            return access_features(local, as_of, d5)
        return spark_access_features(self.access, as_of, d5)

    def training_features(self, _local: Any, as_of: datetime, utilisation: float) -> Any:
        from auditor.spark.training import spark_training_features

        return spark_training_features(self.usage, as_of, utilisation)

    def signin_ips(self, local: Any, as_of: datetime) -> pl.DataFrame:
        from auditor.cip.gaps import signin_ips
        from auditor.spark.access import spark_signin_ips

        if self.access is None:
            return signin_ips(local, as_of)
        return spark_signin_ips(self.access, as_of)

    def signins_of(self, local: Any, tenant_ids: list[str]) -> pl.LazyFrame:
        from auditor.spark.access import spark_signins_of

        if self.access is None:
            return local
        return spark_signins_of(self.access, tenant_ids)

    def driver_tables(self) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """Usage and sign-ins collected to the driver, for the one stage not yet moved to Spark
        (farm links: network, launch-rhythm and creation-burst links)."""
        from auditor.spark.usage import to_polars

        usage = to_polars(self.usage.select(*USAGE.names), USAGE.polars_schema())
        access = (
            to_polars(self.access.select(*ACCESS.names), ACCESS.polars_schema())
            if self.access is not None
            else empty_table(ACCESS)
        )
        return usage.lazy(), access.lazy()

    def rows_of_types(self, types: list[str]) -> list[tuple[int, str]]:
        """(row index, instance type) of the first usage rows of these types, for strict mode."""
        from pyspark.sql import functions as F

        from auditor.spark.read import ROW, with_row_numbers

        rows = (
            with_row_numbers(self.usage)
            .filter(F.col("instance_type").isin(types))
            .orderBy(ROW)
            .limit(MAX_PROBLEMS_PER_FILE)
            .select(ROW, "instance_type")
            .collect()
        )
        return [(row[ROW], row["instance_type"]) for row in rows]


def _location(file: Path | None, uri: str | None) -> str | None:
    return uri if uri is not None else (str(file) if file is not None else None)


def load_spark_inputs(
    tenants: Path,
    usage: Path | None,
    access: Path | None,
    settings: EngineConfig,
    observed_at: datetime | None = None,
) -> tuple[InputTables, list[dict[str, Any]]]:
    """Checked inputs with usage and sign-ins on Spark, and the provenance of lake tables.

    Local files are listed in `sources` (checksummed in run.json as with Polars); a lake
    table given by URI is listed in the provenance with its location and format only.
    """
    from auditor.errors import InputError, display_path
    from auditor.spark.session import spark_session

    scanned = scan_table(tenants, TENANTS)
    tenant_frame = collect_checked(scanned, tenants, TENANTS)
    check_unique(
        tenant_frame,
        TENANTS,
        display_path(tenants),
        2 if detect_format(Path(tenants)) == "csv" else 1,
    )
    present = present_columns(TENANTS, scanned.columns)
    sources = {"tenants": str(tenants)}
    rows = {"tenants": scanned.rows, "access": 0}
    provenance: list[dict[str, Any]] = []
    usage_at = _location(usage, settings.usage)
    if usage_at is None:
        raise InputError("missing input: give --usage FILE or `engine: {usage: URI}`")
    spark = spark_session(settings)
    frames: dict[str, Any] = {"access": None}
    latest: list[datetime] = []
    exclusions: list[Exclusion] = []
    for schema, file, uri in (
        (USAGE, usage, settings.usage),
        (ACCESS, access, settings.access),
    ):
        location = _location(file, uri)
        if location is None:
            continue
        table = read_table(spark, location, schema, settings.format)
        kept, excluded, last, _ = exclude_bad_rows(table, schema.name, observed_at)
        frames[schema.name] = kept
        exclusions += excluded
        latest += [last] if last is not None else []
        present |= present_columns(schema, table.columns)
        rows[schema.name] = table.rows
        if uri is None:
            sources[schema.name] = location
        else:
            provenance.append(
                {"table": schema.name, "path": uri, "engine": "spark", "format": settings.format}
            )
    engine = SparkTables(spark, frames["usage"], frames["access"])
    return (
        InputTables(
            tenant_frame,
            empty_table(USAGE).lazy(),
            empty_table(ACCESS).lazy(),
            frozenset(present),
            sources,
            rows,
            max(latest, default=None),
            tuple(exclusions),
            engine=engine,
        ),
        provenance,
    )
