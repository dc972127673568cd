"""The stages that used to collect every row to the driver give the same answers on Spark.

Training estimates (both passes), the CIP sign-in IP counts and the sign-ins hub moves
read, over the edge provider as CSV text and as typed Parquet, column by column.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from auditor.cip.gaps import signin_ips
from auditor.cip.training import training_features
from auditor.model.inputs import load_inputs
from auditor.spark.inputs import load_spark_inputs
from auditor.spark.settings import EngineConfig
from edge_provider import AS_OF, write_provider
from parity import assert_same_columns

OBSERVED = AS_OF + timedelta(days=2)


@pytest.fixture(scope="module", params=["csv", "parquet"])
def both(request, spark, tmp_path_factory):
    files = write_provider(tmp_path_factory.mktemp(f"edge-{request.param}"), request.param)
    local = load_inputs(files["tenants"], files["usage"], files["access"], OBSERVED)
    on_spark, _ = load_spark_inputs(
        files["tenants"], files["usage"], files["access"], EngineConfig(name="spark"), OBSERVED
    )
    return local, on_spark


@pytest.mark.parametrize("utilisation", [0.4, 1.0])
def test_training_estimates_agree(both, utilisation):
    local, on_spark = both
    polars_result = training_features(local.usage, AS_OF, utilisation)
    spark_result = on_spark.engine.training_features(on_spark.usage, AS_OF, utilisation)
    frame = polars_result.features
    # The edges are in it: several tenants with restricted runs, and overlapping ones.
    assert frame.height >= 5 and frame["peak_cluster_flops"].max() > 0
    assert_same_columns(frame, spark_result.features)
    breakdown = polars_result.breakdown.with_columns(
        pl.concat_str("tenant_id", "gpu_model", "region", separator="|").alias("key")
    )
    spark_breakdown = spark_result.breakdown.with_columns(
        pl.concat_str("tenant_id", "gpu_model", "region", separator="|").alias("key")
    )
    assert_same_columns(breakdown, spark_breakdown, key="key")


def test_training_on_an_as_of_before_every_run_is_empty_on_both(both):
    local, on_spark = both
    early = AS_OF - timedelta(days=3650)
    assert training_features(local.usage, early).features.height == 0
    assert on_spark.engine.training_features(on_spark.usage, early, 0.4).features.height == 0


def test_signin_ip_counts_agree(both):
    local, on_spark = both
    polars_frame = signin_ips(local.access, AS_OF)
    spark_frame = on_spark.engine.signin_ips(on_spark.access, AS_OF)
    assert polars_frame.height > 5 and polars_frame["signin_ip_count_90d"].max() >= 2
    assert_same_columns(polars_frame, spark_frame)


def test_the_sign_ins_of_chosen_tenants_are_the_same_rows(both):
    local, on_spark = both
    tenants = sorted(local.access.select("tenant_id").unique().collect()["tenant_id"].to_list())
    chosen = tenants[:3]
    polars_rows = (
        local.access.filter(pl.col("tenant_id").is_in(chosen))
        .select("tenant_id", "timestamp", "ip_country")
        .collect()
        .sort(pl.all())
    )
    spark_rows = on_spark.engine.signins_of(on_spark.access, chosen).collect().sort(pl.all())
    assert polars_rows.height > 0
    assert polars_rows.schema == spark_rows.schema
    assert polars_rows.to_dicts() == spark_rows.to_dicts()
    assert on_spark.engine.signins_of(on_spark.access, []).collect().height == 0
