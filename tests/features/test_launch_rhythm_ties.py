"""Launch-rhythm explanations name the same type and region on every run, ties included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from auditor.features.launch_rhythm import launch_links
from auditor.features.network_links import NetworkSettings

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
USAGE = {
    "tenant_id": pl.String,
    "provider": pl.String,
    "region": pl.String,
    "instance_type": pl.String,
    "start": pl.Datetime("us", "UTC"),
    "end": pl.Datetime("us", "UTC"),
    "accelerator": pl.String,
    "accelerator_count": pl.Int64,
}


def _tenants() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "tenant_id": ["t00", "t01"],
            "created_at": [AS_OF - timedelta(days=20)] * 2,
            "kyc_status": ["pending"] * 2,
            "country": ["US"] * 2,
            "declared_use": ["a", "b"],
        }
    )


def _together_in(regions: list[str]) -> pl.DataFrame:
    """t00 and t01 launching p5.48xlarge two minutes apart, one day per region given."""
    rows = []
    for d, region in enumerate(regions):
        start = AS_OF - timedelta(days=10 + 2 * d, hours=3)
        for i, tid in enumerate(("t00", "t01")):
            begin = start + timedelta(minutes=2 * i)
            rows.append(
                (tid, "aws", region, "p5.48xlarge", begin, begin + timedelta(hours=9), None, None)
            )
    return pl.DataFrame(rows, schema=USAGE, orient="row")


def test_a_tie_between_regions_names_the_alphabetically_first() -> None:
    usage = _together_in(["us-west-2", "ap-southeast-1", "us-west-2", "ap-southeast-1"])
    links, counts = launch_links(usage, _tenants(), AS_OF, NetworkSettings())
    assert sorted(links["tenant_id"]) == ["t00", "t01"]
    assert all(" in ap-southeast-1 within " in r for r in links["reason"])
    assert counts["synchronized_launch_count"].to_list() == [4.0, 4.0]


def test_the_most_frequent_region_wins_over_the_alphabet() -> None:
    usage = _together_in(["us-west-2", "ap-southeast-1", "us-west-2"])
    links, _ = launch_links(usage, _tenants(), AS_OF, NetworkSettings())
    assert links.height == 2
    assert all(" in us-west-2 within " in r for r in links["reason"])
