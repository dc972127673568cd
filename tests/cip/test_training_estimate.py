"""training_features on usage tables worked out by hand: the sum, the utilisation, the window, the peak."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from auditor.catalog.throughput import throughput_table
from auditor.cip.training import training_features
from auditor.model.schema import USAGE

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
H100 = 989.5e12  # dense BF16 operations per second (catalog.throughput)
A100 = 312e12


def usage(rows: list[tuple[str, str, float, float]]) -> pl.DataFrame:
    """(tenant, instance type, start days before as-of, hours)."""
    schema = USAGE.polars_schema()
    data = {name: [None] * len(rows) for name in schema}
    data["tenant_id"] = [r[0] for r in rows]
    data["instance_type"] = [r[1] for r in rows]
    data["provider"] = ["aws"] * len(rows)
    data["region"] = ["us-east-1"] * len(rows)
    data["start"] = [AS_OF - timedelta(days=r[2]) for r in rows]
    data["end"] = [AS_OF - timedelta(days=r[2]) + timedelta(hours=r[3]) for r in rows]
    return pl.DataFrame(data, schema=schema)


def features(rows, utilisation: float = 0.4) -> dict[str, dict]:
    estimate = training_features(usage(rows), AS_OF, utilisation)
    return {r["tenant_id"]: r for r in estimate.features.to_dicts()}


def test_the_estimate_is_gpu_hours_times_rate_times_utilisation():
    got = features([("t1", "p5.48xlarge", 10, 10.0)])["t1"]  # 8 H100 x 10 h
    assert got["estimated_training_flop_90d"] == pytest.approx(80 * 3600 * H100 * 0.4)
    assert got["largest_run_flop"] == pytest.approx(80 * 3600 * H100 * 0.4)
    assert got["peak_cluster_flops"] == pytest.approx(8 * H100)
    half = features([("t1", "p5.48xlarge", 10, 10.0)], utilisation=0.2)["t1"]
    assert half["estimated_training_flop_90d"] == pytest.approx(
        got["estimated_training_flop_90d"] / 2
    )


def test_only_restricted_hours_inside_the_window_count():
    got = features(
        [
            ("old", "p5.48xlarge", 100, 24.0),  # ended before the window opened
            ("edge", "p5.48xlarge", 90.5, 24.0),  # half a day before the window, half inside
            ("t4", "g4dn.xlarge", 10, 1000.0),  # T4: not restricted
        ]
    )
    assert "old" not in got and "t4" not in got
    assert got["edge"]["estimated_training_flop_90d"] == pytest.approx(8 * 12 * 3600 * H100 * 0.4)


def test_peak_capacity_counts_only_runs_that_overlap_and_weights_each_by_its_rate():
    got = features(
        [
            ("overlap", "p5.48xlarge", 10, 48.0),
            ("overlap", "p4d.24xlarge", 9.5, 12.0),  # inside the H100 run
            ("serial", "p5.48xlarge", 10, 24.0),
            ("serial", "p5.48xlarge", 9, 24.0),  # starts when the first ends
        ]
    )
    assert got["overlap"]["peak_cluster_flops"] == pytest.approx(8 * H100 + 8 * A100)
    assert got["serial"]["peak_cluster_flops"] == pytest.approx(8 * H100)
    assert got["serial"]["largest_run_flop"] == pytest.approx(8 * 24 * 3600 * H100 * 0.4)
    assert got["overlap"]["longest_restricted_run_hours"] == pytest.approx(48.0)
    assert got["serial"]["longest_restricted_run_hours"] == pytest.approx(24.0)


def test_the_breakdown_sums_to_the_estimate():
    rows = [("t1", "p5.48xlarge", 30, 100.0), ("t1", "p4d.24xlarge", 20, 50.0)]
    estimate = training_features(usage(rows), AS_OF)
    total = estimate.features["estimated_training_flop_90d"][0]
    assert estimate.breakdown["flop"].sum() == pytest.approx(total)
    assert set(estimate.breakdown["gpu_model"]) == {"H100-80GB", "A100-40GB"}


def test_empty_usage_gives_no_rows():
    estimate = training_features(usage([]), AS_OF)
    assert estimate.features.height == 0 and estimate.breakdown.height == 0


def test_the_breakdown_counts_the_same_restricted_gpu_hours_as_the_usage_features():
    """Two passes over usage, one definition of a restricted GPU-hour: on the example they agree."""
    from auditor.features.usage import usage_features
    from auditor.model.inputs import load_inputs
    from auditor_testkit import EXAMPLES

    provider = EXAMPLES / "provider"
    inputs = load_inputs(provider / "tenants.csv", provider / "usage.csv")
    usage = usage_features(inputs.usage, AS_OF).features.select(
        "tenant_id", "restricted_gpu_hours_90d"
    )
    hours = (
        training_features(inputs.usage, AS_OF)
        .breakdown.group_by("tenant_id")
        .agg(pl.col("gpu_hours_90d").sum())
    )
    joined = usage.filter(pl.col("restricted_gpu_hours_90d") > 0).join(
        hours, on="tenant_id", how="full", coalesce=True
    )
    assert joined.height > 100
    assert joined.filter(
        (
            pl.col("restricted_gpu_hours_90d").fill_null(0) - pl.col("gpu_hours_90d").fill_null(0)
        ).abs()
        > 1e-6
    ).is_empty()


H100_NVL = 835.25e12


def usage_by_accelerator(rows: list[tuple[str, str, int, float, float]]) -> pl.DataFrame:
    """(tenant, accelerator, count, start days before as-of, hours) on a type the catalog
    does not know, so each row is resolved by its accelerator and count: any GPU count."""
    frame = usage([(r[0], "gpu-box", r[3], r[4]) for r in rows])
    return frame.with_columns(
        pl.Series("accelerator", [r[1] for r in rows], dtype=pl.String),
        pl.Series("accelerator_count", [r[2] for r in rows], dtype=pl.Int64),
    )


def test_peak_capacity_is_exact_when_a_run_is_not_a_whole_number_of_tflops():
    """The sweep counts in hundredths of a TFLOPS so that it adds exactly: every catalog rate is
    a whole number of hundredths (H100 989.5, H100 NVL 835.25 TFLOPS), so the peak must come
    back to the FLOP/s, not merely close. One H100 (989.5) overlapping three H100 NVL
    (3 x 835.25 = 2505.75) peak at 3495.25 TFLOPS together; apart, the larger run is the peak."""
    rows = [
        ("together", "H100-80GB", 1, 10, 48.0),
        ("together", "H100-NVL", 3, 9.5, 12.0),  # inside the H100 run
        ("apart", "H100-80GB", 1, 10, 12.0),
        ("apart", "H100-NVL", 3, 5, 12.0),
    ]
    estimate = training_features(usage_by_accelerator(rows), AS_OF)
    peaks = dict(estimate.features.select("tenant_id", "peak_cluster_flops").iter_rows())
    assert peaks == {"together": 3495.25e12, "apart": 2505.75e12}
    rates = dict(throughput_table().select("gpu_model", "dense_bf16_flops").iter_rows())
    assert (rates["H100-80GB"], rates["H100-NVL"]) == (H100, H100_NVL)  # the figures above


def test_the_breakdown_names_the_largest_run_and_the_span_of_all_runs_of_one_model():
    """One H100 row in the breakdown gathers two run kinds (8 GPUs and 1 GPU). Its span runs
    from the earliest start to the latest end of either kind, and its largest run is the
    kind with the most operations -- GPUs x hours, not the longest run nor the widest:

    - "wide": 8 GPUs x 5 h from day -20 (40 GPU-h) and 1 GPU x 20 h from day -10 (20 GPU-h):
      the largest is 8 x 5 h; the span ends with the later 1-GPU run, at day -10 + 20 h.
    - "long": 8 GPUs x 2 h from day -10 (16 GPU-h) and 1 GPU x 20 h from day -20 (20 GPU-h):
      the largest is 1 x 20 h; the span ends with the 8-GPU run, at day -10 + 2 h.
    """
    rows = [
        ("wide", "H100-80GB", 8, 20, 5.0),
        ("wide", "H100-80GB", 1, 10, 20.0),
        ("long", "H100-80GB", 8, 10, 2.0),
        ("long", "H100-80GB", 1, 20, 20.0),
    ]
    estimate = training_features(usage_by_accelerator(rows), AS_OF)
    got = {r["tenant_id"]: r for r in estimate.breakdown.to_dicts()}
    assert estimate.breakdown.height == 2  # one row per tenant: same model, same region
    op = 3600 * H100 * 0.4  # operations of one GPU-hour
    day = timedelta(days=1)
    expected = {
        "wide": (60.0, 40.0, 8.0, 5.0, AS_OF - 10 * day + timedelta(hours=20)),
        "long": (36.0, 20.0, 1.0, 20.0, AS_OF - 10 * day + timedelta(hours=2)),
    }
    for tenant, (gpu_hours, largest_gpu_hours, gpus, hours, last_end) in expected.items():
        row = got[tenant]
        assert row["gpu_hours_90d"] == pytest.approx(gpu_hours)
        assert row["flop"] == pytest.approx(gpu_hours * op)
        assert row["largest_run_flop"] == pytest.approx(largest_gpu_hours * op)
        assert (row["largest_run_gpus"], row["largest_run_hours"]) == (gpus, hours), tenant
        assert row["first_start"] == AS_OF - 20 * day, tenant
        assert row["last_end"] == last_end, tenant
