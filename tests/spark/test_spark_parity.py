"""The usage and sign-in stages give the same answers on Spark as on Polars, column by column.

The generated edge provider (edge_provider.py) is read as CSV text and as typed Parquet by
both engines; the feature tables, unknown types, usage tenants, excluded rows and the
latest event must agree (floating point to 1e-9). Bad values are refused by both with the
same located messages.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from auditor import geo
from auditor.errors import InputError
from auditor.features.access import access_features
from auditor.features.usage import usage_features
from auditor.model.inputs import load_inputs
from auditor.spark.inputs import load_spark_inputs
from auditor.spark.settings import EngineConfig
from edge_provider import AS_OF, write_provider
from parity import assert_same_columns

D5 = frozenset(geo.D5_OR_MACAU)
OBSERVED = AS_OF + timedelta(days=2)  # rows dated after this plus a day are in the future


@pytest.fixture(scope="module", params=["csv", "parquet"])
def both(request, spark, tmp_path_factory):
    files = write_provider(tmp_path_factory.mktemp(f"edge-{request.param}"), request.param)
    local = load_inputs(files["tenants"], files["usage"], files["access"], OBSERVED)
    on_spark, _ = load_spark_inputs(
        files["tenants"], files["usage"], files["access"], EngineConfig(name="spark"), OBSERVED
    )
    return local, on_spark


def test_usage_feature_columns_agree(both):
    local, on_spark = both
    polars_result = usage_features(local.usage, AS_OF)
    spark_result = on_spark.engine.usage_features(on_spark.usage, AS_OF)
    frame = polars_result.features
    assert frame.height > 20 and frame["peak_restricted_gpus"].max() > 8  # the edges are in it
    assert_same_columns(frame, spark_result.features)
    assert_same_columns(polars_result.usage_tenants, spark_result.usage_tenants)
    assert polars_result.unknown_types.to_dicts() == spark_result.unknown_types.to_dicts()
    assert polars_result.unknown_types.height == 2


def test_peak_counts_overlaps_and_not_back_to_back_runs(both):
    _, on_spark = both
    peaks = dict(
        on_spark.engine.usage_features(on_spark.usage, AS_OF)
        .features.select("tenant_id", "peak_restricted_gpus")
        .iter_rows()
    )
    assert peaks["e02"] == 17.0  # 8 running + 8 + 1 overlapping
    assert peaks["e03"] == 8.0  # back to back
    assert peaks["e04"] == 16.0  # simultaneous starts


def test_access_feature_columns_agree(both):
    local, on_spark = both
    polars_frame = access_features(local.access, AS_OF, D5)
    spark_frame = on_spark.engine.access_features(on_spark.access, AS_OF, D5)
    assert polars_frame["d5_signin_share"].null_count() >= 1  # e02: no known country
    assert_same_columns(polars_frame, spark_frame)


def test_checks_set_aside_the_same_rows(both):
    local, on_spark = both
    assert [e.to_dict() for e in local.exclusions] == [e.to_dict() for e in on_spark.exclusions]
    assert {e.reason for e in local.exclusions} == {
        "duplicate_run",
        "end_before_start",
        "future_event",
    }
    assert local.latest_event == on_spark.latest_event
    assert local.rows == on_spark.rows
    assert local.present == on_spark.present


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("start", "2026-13-01T00:00:00Z"),
        ("accelerator_count", "99"),
        ("provider", "oracle"),
        ("tenant_id", ""),
    ],
)
def test_bad_values_are_refused_with_the_same_located_message(spark, tmp_path, column, value):
    files = write_provider(tmp_path, "csv")
    usage = pl.read_csv(files["usage"], infer_schema=False)
    usage = usage.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )
    usage.write_csv(files["usage"])
    with pytest.raises(InputError) as on_polars:
        load_inputs(files["tenants"], files["usage"], files["access"])
    with pytest.raises(InputError) as on_spark:
        load_spark_inputs(
            files["tenants"], files["usage"], files["access"], EngineConfig(name="spark")
        )
    assert str(on_spark.value) == str(on_polars.value)
    assert "row 9" in str(on_spark.value)


def test_a_missing_required_column_is_named(spark, tmp_path):
    files = write_provider(tmp_path, "parquet")
    pl.read_parquet(files["usage"]).drop("start").write_parquet(files["usage"])
    with pytest.raises(InputError) as on_polars:
        load_inputs(files["tenants"], files["usage"], files["access"])
    with pytest.raises(InputError) as on_spark:
        load_spark_inputs(
            files["tenants"], files["usage"], files["access"], EngineConfig(name="spark")
        )
    assert str(on_spark.value) == str(on_polars.value)


@pytest.mark.parametrize(("fmt", "first_row"), [("csv", 2), ("parquet", 1)])
def test_a_duplicate_tenant_id_is_named_at_the_same_row_on_both_engines(
    spark, tmp_path, fmt, first_row
):
    """A row as a person counts it: a CSV's header is line 1, so its first tenant is on line 2
    and the repeated one on line height + 2; a Parquet file has no header line, so they are
    rows 1 and height + 1."""
    files = write_provider(tmp_path, "csv")
    tenants = pl.read_csv(files["tenants"], infer_schema=False)
    repeated = pl.concat([tenants, tenants.head(1)])
    if fmt == "csv":
        repeated.write_csv(files["tenants"])
    else:
        files["tenants"] = files["tenants"].with_suffix(".parquet")
        repeated.write_parquet(files["tenants"])
    with pytest.raises(InputError) as on_polars:
        load_inputs(files["tenants"], files["usage"], files["access"])
    with pytest.raises(InputError) as on_spark:
        load_spark_inputs(
            files["tenants"], files["usage"], files["access"], EngineConfig(name="spark")
        )
    assert str(on_spark.value) == str(on_polars.value)
    message = str(on_spark.value)
    assert f"row {tenants.height + first_row}" in message, message
    assert f"first seen at row {first_row})" in message, message
