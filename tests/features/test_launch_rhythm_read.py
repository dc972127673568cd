"""`restricted_launches`: the window's restricted runs, each with the GPUs the catalog gives it.

The catalog resolves the distinct kinds (type, accelerator, count) and the runs join the
restricted ones, so each row below checks one way a run gets in or stays out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from auditor.features.launch_rhythm import WINDOW_DAYS, restricted_launches

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
SCHEMA = {
    "tenant_id": pl.String,
    "provider": pl.String,
    "region": pl.String,
    "instance_type": pl.String,
    "start": pl.Datetime("us", "UTC"),
    "end": pl.Datetime("us", "UTC"),
    "accelerator": pl.String,
    "accelerator_count": pl.Int64,
}
DAY = timedelta(days=1)


def read(rows: list[tuple]) -> pl.DataFrame:
    usage = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    return restricted_launches(usage, AS_OF).collect().sort("tenant_id")


def run(tenant, type_, start, end=None, acc=None, count=None, region=" US-East-1 "):
    return (tenant, "aws", region, type_, start, end, acc, count)


def test_catalog_types_and_aliased_accelerators_are_in_and_unrestricted_ones_out() -> None:
    start = AS_OF - 5 * DAY
    got = read(
        [
            run("a-catalog", "p5.48xlarge", start, start + DAY),
            run("b-alias", "custom-box", start, start + DAY, acc="H100-80GB", count=2),
            run("c-alias-no-count", "custom-box", start, start + DAY, acc="H100-80GB"),
            run("d-v100", "p3.2xlarge", start, start + DAY),
            run("e-cpu", "m5.large", start, start + DAY),
        ]
    )
    assert got["tenant_id"].to_list() == ["a-catalog", "b-alias", "c-alias-no-count"]
    assert got["gpu_model"].to_list() == ["H100-80GB", "H100-80GB", "H100-80GB"]
    assert got["gpu_count"].to_list() == [8, 2, 1]
    assert got["region"].to_list() == ["us-east-1"] * 3  # trimmed and lower-cased
    assert got["hours"].to_list() == [24.0] * 3


def test_the_window_opens_after_ninety_days_back_and_closes_at_as_of() -> None:
    opening = AS_OF - timedelta(days=WINDOW_DAYS)
    got = read(
        [
            run("a-at-opening", "p5.48xlarge", opening),
            run("b-just-after", "p5.48xlarge", opening + timedelta(microseconds=1)),
            run("c-at-as-of", "p5.48xlarge", AS_OF),
            run("d-after-as-of", "p5.48xlarge", AS_OF + timedelta(microseconds=1)),
            run("e-no-region", "p5.48xlarge", AS_OF - DAY, region=None),
        ]
    )
    assert got["tenant_id"].to_list() == ["b-just-after", "c-at-as-of"]
    # A run still going counts up to as-of, in whole seconds.
    assert got["hours"].to_list() == [(WINDOW_DAYS * 86_400 - 1) / 3600, 0.0]


def test_no_usage_no_launches() -> None:
    assert read([]).height == 0
