"""Peak concurrency at the boundary between runs: touching runs never overlap, overlapping ones do.

Each test makes the disputed instant the busiest one, so counting a run's end and the next
run's start as simultaneous (or missing a real overlap) changes the answer.
"""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl
import pytest

from auditor.features.usage import usage_features
from auditor.model.schema import USAGE

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)


def usage(rows: list[tuple[str, str, str, str | None]]) -> pl.DataFrame:
    def ts(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    frame = pl.DataFrame(
        {
            "tenant_id": [r[0] for r in rows],
            "instance_type": [r[1] for r in rows],
            "start": [ts(r[2]) for r in rows],
            "end": [ts(r[3]) for r in rows],
            "region": ["us-east-1"] * len(rows),
        }
    )
    return frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in USAGE.polars_schema().items()
        if name not in frame.columns
    ).cast(USAGE.polars_schema())


def peaks(rows: list[tuple[str, str, str, str | None]]) -> dict[str, float]:
    features = usage_features(usage(rows), AS_OF).features
    return dict(zip(features["tenant_id"], features["peak_restricted_gpus"]))


def test_one_8_gpu_instance_billed_in_two_consecutive_runs_peaks_at_8():
    rows = [
        ("a", "p5.48xlarge", "2026-10-10 00:00:00", "2026-10-10 01:00:00"),
        (
            "a",
            "p5.48xlarge",
            "2026-10-10 01:00:00",
            "2026-10-10 02:00:00",
        ),  # starts the instant the first ends
    ]
    assert peaks(rows) == {"a": 8.0}


def test_hourly_billing_rows_of_one_instance_peak_at_its_gpu_count():
    rows = [
        ("a", "p5.48xlarge", f"2026-10-10 {h:02d}:00:00", f"2026-10-10 {h + 1:02d}:00:00")
        for h in range(12)
    ]
    assert peaks(rows) == {"a": 8.0}


def test_runs_overlapping_by_one_second_count_together():
    rows = [
        ("a", "p5.48xlarge", "2026-10-10 00:00:00", "2026-10-10 01:00:01"),
        ("a", "p5.48xlarge", "2026-10-10 01:00:00", "2026-10-10 02:00:00"),
    ]
    assert peaks(rows) == {"a": 16.0}


def test_a_third_run_spanning_the_boundary_adds_to_one_run_not_to_two():
    rows = [
        ("a", "p5.48xlarge", "2026-10-10 00:00:00", "2026-10-10 01:00:00"),
        ("a", "p5.48xlarge", "2026-10-10 01:00:00", "2026-10-10 02:00:00"),
        (
            "a",
            "p5.48xlarge",
            "2026-10-10 00:30:00",
            "2026-10-10 01:30:00",
        ),  # busiest across the boundary
    ]
    assert peaks(rows) == {"a": 16.0}


def test_a_run_still_going_overlaps_one_that_started_before_it_ended():
    rows = [
        ("a", "p5.48xlarge", "2026-10-30 00:00:00", None),  # running at as-of
        ("a", "p4d.24xlarge", "2026-10-31 00:00:00", "2026-10-31 12:00:00"),
        ("b", "p5.48xlarge", "2026-10-30 00:00:00", "2026-10-31 00:00:00"),
        (
            "b",
            "p4d.24xlarge",
            "2026-10-31 00:00:00",
            "2026-10-31 12:00:00",
        ),  # back to back across types
    ]
    assert peaks(rows) == {"a": 16.0, "b": 8.0}


@pytest.mark.parametrize(
    ("end", "expected"), [("2026-10-10 01:00:00", 8.0), ("2026-10-10 01:00:00.000001", 16.0)]
)
def test_both_sides_of_the_boundary_in_two_tenants_at_once(end, expected):
    rows = [
        ("a", "p5.48xlarge", "2026-10-10 00:00:00", end),
        ("a", "p5.48xlarge", "2026-10-10 01:00:00", "2026-10-10 02:00:00"),
        (
            "z",
            "p5.48xlarge",
            "2026-10-10 00:00:00",
            "2026-10-10 03:00:00",
        ),  # another tenant's run across the boundary
    ]
    assert peaks(rows) == {"a": expected, "z": 8.0}


def test_the_wide_key_sort_gives_the_same_peaks(monkeypatch):
    """Tables too wide for one packed sort key take a two-column sort; the answer must not change."""
    import auditor.features.usage as usage_module

    rows = [
        ("a", "p5.48xlarge", "2026-10-10 00:00:00", "2026-10-10 01:00:00"),
        ("a", "p5.48xlarge", "2026-10-10 01:00:00", "2026-10-10 02:00:00"),
        ("a", "p5.48xlarge", "2026-10-10 00:30:00", "2026-10-10 01:30:00"),
        ("b", "p5.48xlarge", "2026-10-09 00:00:00", "2026-10-11 00:00:00"),
        ("b", "p4d.24xlarge", "2026-10-10 00:00:00", None),
        ("c", "p5.48xlarge", "2026-10-10 00:00:00", "2026-10-10 01:00:00"),
    ]
    packed = peaks(rows)
    monkeypatch.setattr(usage_module, "ORDER_KEY_BITS", 1)
    assert peaks(rows) == packed == {"a": 16.0, "b": 16.0, "c": 8.0}


def test_only_restricted_accelerators_count_toward_the_peak():
    rows = [
        ("a", "p5.48xlarge", "2026-10-10 00:00:00", "2026-10-10 05:00:00"),  # 8 x H100: restricted
        (
            "a",
            "g4dn.xlarge",
            "2026-10-10 01:00:00",
            "2026-10-10 03:00:00",
        ),  # 1 x T4: not restricted
        ("a", "m5.large", "2026-10-10 01:00:00", "2026-10-10 03:00:00"),  # no GPU
        ("a", "p7.48xlarge", "2026-10-10 01:00:00", "2026-10-10 03:00:00"),  # unknown type
        ("b", "g4dn.xlarge", "2026-10-10 01:00:00", "2026-10-10 03:00:00"),
    ]
    got = peaks(rows)
    assert got["a"] == 8.0
    assert got.get("b", 0.0) == 0.0


def test_a_single_gpu_restricted_instance_peaks_at_one():
    assert peaks([("a", "a2-highgpu-1g", "2026-10-10 00:00:00", "2026-10-10 05:00:00")]) == {
        "a": 1.0
    }


def test_runs_that_ended_before_the_90_day_window_take_no_part_in_any_peak():
    """b's old run ended 90.5 days before as-of; were it swept, its end would land among a's events."""
    rows = [
        ("a", "p5.48xlarge", "2026-10-31 22:00:00", "2026-11-01 00:00:00"),
        (
            "b",
            "p5.48xlarge",
            "2026-07-29 00:00:00",
            "2026-08-02 12:00:00",
        ),  # as-of minus 95 d to minus 90.5 d
        ("b", "p5.48xlarge", "2026-10-31 23:00:00", "2026-11-01 00:00:00"),
    ]
    assert peaks(rows) == {"a": 8.0, "b": 8.0}
