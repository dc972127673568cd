"""GPU-hours in the 30- and 90-day windows, on both sides of each window's start and of as-of."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from auditor.features.usage import usage_features
from auditor.model.schema import USAGE

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
H = timedelta(hours=1)


def features(
    runs: list[tuple[str, datetime, datetime | None]], instance_type: str = "p5.48xlarge"
) -> dict[str, dict]:
    frame = pl.DataFrame(
        {
            "tenant_id": [r[0] for r in runs],
            "instance_type": instance_type,
            "start": [r[1] for r in runs],
            "end": [r[2] for r in runs],
            "region": "r",
        }
    )
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in USAGE.polars_schema().items()
        if name not in frame.columns
    ).cast(USAGE.polars_schema())
    return {r["tenant_id"]: r for r in usage_features(frame, AS_OF).features.to_dicts()}


@pytest.mark.parametrize("days", [30, 90])
def test_a_run_straddling_a_window_start_counts_only_its_part_inside(days):
    start = AS_OF - timedelta(days=days)
    got = features([("a", start - 2 * H, start + 3 * H)])[
        "a"
    ]  # 2 h before the window opens, 3 h after
    inside = 3 * 8
    if days == 30:
        assert (
            got["restricted_gpu_hours_30d"] == inside and got["restricted_gpu_hours_90d"] == 5 * 8
        )
    else:
        assert got["restricted_gpu_hours_30d"] == 0 and got["restricted_gpu_hours_90d"] == inside


def test_a_run_ending_just_before_the_30_day_window_counts_only_in_90_days():
    start = AS_OF - timedelta(days=30)
    got = features([("a", start - 5 * H, start - H)])["a"]
    assert (got["restricted_gpu_hours_30d"], got["restricted_gpu_hours_90d"]) == (0.0, 4 * 8)


def test_runs_after_as_of_count_nothing_and_a_running_one_counts_up_to_as_of():
    got = features(
        [
            ("future", AS_OF + H, AS_OF + 5 * H),
            ("at-as-of", AS_OF, None),
            ("running", AS_OF - 2 * H, None),
            ("ends-later", AS_OF - 2 * H, AS_OF + 10 * H),
        ]
    )
    for tenant in ("future", "at-as-of"):
        if tenant in got:
            assert (
                got[tenant]["restricted_gpu_hours_30d"] == 0 and got[tenant]["gpu_hours_90d"] == 0
            ), tenant
            assert got[tenant]["peak_restricted_gpus"] == 0, tenant
    assert (
        got["running"]["restricted_gpu_hours_30d"] == 2 * 8
        and got["running"]["peak_restricted_gpus"] == 8
    )
    assert got["ends-later"]["restricted_gpu_hours_90d"] == 2 * 8


def test_a_future_run_adds_nothing_to_a_tenant_that_also_ran_in_the_window():
    got = features(
        [
            ("a", AS_OF - 3 * H, AS_OF - H),
            ("a", AS_OF + H, AS_OF + 9 * H),
            ("a", AS_OF, AS_OF + 9 * H),
        ]
    )["a"]
    assert (
        got["restricted_gpu_hours_30d"],
        got["restricted_gpu_hours_90d"],
        got["gpu_hours_90d"],
    ) == (16.0, 16.0, 16.0)
    assert got["peak_restricted_gpus"] == 8


def test_a_run_wholly_before_the_90_day_window_counts_nothing():
    got = features(
        [
            ("old", AS_OF - timedelta(days=100), AS_OF - timedelta(days=91)),
            ("new", AS_OF - H, AS_OF),
        ]
    )
    assert "old" not in got or (
        got["old"]["restricted_gpu_hours_90d"] == 0 and got["old"]["peak_restricted_gpus"] == 0
    )
    assert got["new"]["restricted_gpu_hours_90d"] == 8


@pytest.mark.bench  # ~10 s: 600k tenants; run with `pytest -m bench`
def test_peak_is_exact_when_the_packed_sort_key_would_need_64_bits():
    """~600k tenants, each one 8-GPU run across the whole 90-day window: tenants x instants passes 2**63."""
    n = 600_000
    ids = [f"t{i:06d}" for i in range(n)]
    frame = pl.DataFrame(
        {
            "tenant_id": ids,
            "instance_type": "p5.48xlarge",
            "start": AS_OF - timedelta(days=91),
            "end": None,
            "region": "r",
        }
    )
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in USAGE.polars_schema().items()
        if name not in frame.columns
    ).cast(USAGE.polars_schema())
    peaks = usage_features(frame, AS_OF).features["peak_restricted_gpus"]
    assert peaks.len() == n and peaks.min() == peaks.max() == 8.0


def usage_rows(rows: list[dict]) -> dict[str, dict]:
    frame = pl.DataFrame(rows)
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in USAGE.polars_schema().items()
        if name not in frame.columns
    ).cast(USAGE.polars_schema())
    return {r["tenant_id"]: r for r in usage_features(frame, AS_OF).features.to_dicts()}


def test_unknown_types_and_accelerators_are_unknown_hours_never_restricted_ones():
    got = usage_rows(
        [
            {
                "tenant_id": "a",
                "instance_type": "p7.48xlarge",
                "start": AS_OF - 5 * H,
                "end": AS_OF - 3 * H,
                "region": "r1",
            },  # unknown type
            {
                "tenant_id": "a",
                "instance_type": "p7.48xlarge",
                "start": AS_OF - 2 * H,
                "end": AS_OF - H,
                "region": "r3",
            },
            {
                "tenant_id": "a",
                "instance_type": "x9.metal",
                "start": AS_OF - 4 * H,
                "end": AS_OF,
                "region": "r2",
            },  # not GPU-looking: CPU
            {
                "tenant_id": "b",
                "instance_type": "n1-standard-8",
                "accelerator": "nvidia-tesla-q99",
                "accelerator_count": 4,
                "start": AS_OF - 3 * H,
                "end": AS_OF,
                "region": "us-central1",
            },  # N1 with an accelerator the catalog lacks
        ]
    )
    a, b = got["a"], got["b"]
    assert a["unknown_gpu_hours_90d"] == 3.0  # 2 h in r1 + 1 h in r3 of the unknown type, summed
    assert (
        a["restricted_gpu_hours_90d"] == 0
        and a["peak_restricted_gpus"] == 0
        and a["gpu_hours_90d"] == 0
    )
    assert a["regions_used"] == ["r1", "r3"]  # the CPU-only run's region is not a GPU region
    assert b["unknown_gpu_hours_90d"] == 3.0
    assert (
        b["restricted_gpu_hours_90d"] == 0
        and b["peak_restricted_gpus"] == 0
        and b["restricted_models"] == []
    )


def test_hours_of_several_runs_of_one_kind_add_up_and_old_runs_leave_no_trace():
    got = usage_rows(
        [
            {
                "tenant_id": "a",
                "instance_type": "p5.48xlarge",
                "start": AS_OF - 10 * H,
                "end": AS_OF - 9 * H,
                "region": "r1",
            },
            {
                "tenant_id": "a",
                "instance_type": "p5.48xlarge",
                "start": AS_OF - 5 * H,
                "end": AS_OF - 2 * H,
                "region": "r1",
            },
            {
                "tenant_id": "a",
                "instance_type": "p4de.24xlarge",
                "start": AS_OF - timedelta(days=120),
                "end": AS_OF - timedelta(days=100),
                "region": "old",
            },
            {
                "tenant_id": "a",
                "instance_type": "p5.48xlarge",
                "start": AS_OF - 4 * H,
                "end": AS_OF - 3 * H,
                "region": None,
            },
            {
                "tenant_id": "a",
                "instance_type": "a2-highgpu-1g",
                "start": AS_OF - 9 * H,
                "end": AS_OF - 8 * H,
                "region": "one-gpu",
                "provider": "gcp",
            },
        ]
    )["a"]
    assert got["providers_used"] == ["gcp"]  # rows without a provider add none
    assert (
        got["restricted_gpu_hours_30d"]
        == got["restricted_gpu_hours_90d"]
        == got["gpu_hours_90d"]
        == 5 * 8 + 1
    )
    assert got["restricted_models"] == [
        "A100-40GB",
        "H100-80GB",
    ]  # the p4de (A100-80GB) ran before the window
    assert (
        got["regions_used"] == ["one-gpu", "r1"] and got["region_count"] == 2
    )  # no old region, no null region
    assert got["peak_restricted_gpus"] == 16  # the null-region run overlaps the second r1 run
