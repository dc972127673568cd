"""The launch join is held a chunk at a time: rows bounded by the budget, the same rows in all.

At 1M tenants x 100 usage rows the one-shot join of calm buckets (up to 50 tenants each,
against three buckets) held ~800M rows and the audit was OOM-killed; `_together` must
never hold much more than its budget, whatever the crowd, and lose or add no row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from auditor.features.launch_rhythm import _met, _together
from auditor.features.network_links import NetworkSettings

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
SETTINGS = NetworkSettings()
TENANTS = 40  # under max_launch_bucket_tenants: every bucket is calm and joins


def _narrow(days: int) -> pl.DataFrame:
    """TENANTS tenants launching in one group every hour for `days` days, a minute apart."""
    window_us = SETTINGS.launch_window_minutes * 60_000_000
    starts = [
        AS_OF - timedelta(days=days) + timedelta(hours=h, minutes=who)
        for h in range(24 * days)
        for who in range(TENANTS)
    ]
    return (
        pl.DataFrame(
            {
                "who": pl.Series(
                    [w for _ in range(24 * days) for w in range(TENANTS)], dtype=pl.UInt32
                ),
                "kind": pl.Series([0] * len(starts), dtype=pl.UInt32),
                "group": pl.Series([0] * len(starts), dtype=pl.UInt32),
                "start": pl.Series(starts, dtype=pl.Datetime("us", "UTC")),
                "hours": [2.0] * len(starts),
            }
        )
        .with_columns(
            (pl.col("start").dt.epoch("us") // window_us).alias("bucket"),
            pl.col("start").dt.date().alias("day"),
        )
        .with_row_index("launch")
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("launch", "who_o")


def test_each_chunk_stays_within_its_budget_and_together_they_are_the_whole_join() -> None:
    narrow = _narrow(days=10)  # 9,600 launches, ~40 others each within the half hour
    budget = 20_000  # joined rows; one bucket's own join is 40 x 3 x 40 = 4,800
    chunks = list(_together(narrow, SETTINGS, chunk_rows=budget))
    whole = list(_together(narrow, SETTINGS, chunk_rows=10**12))
    assert len(whole) == 1
    assert len(chunks) > 10
    assert max(c.height for c in chunks) <= budget + 40 * 3 * 40
    assert sum(c.height for c in chunks) == whole[0].height > 100_000
    assert _sorted(pl.concat(chunks)).equals(_sorted(whole[0]))


def test_only_some_pairs_gives_just_their_rows() -> None:
    narrow = _narrow(days=2)
    only = pl.DataFrame(
        {"who": [0, 5], "who_o": [1, 0]}, schema={"who": pl.UInt32, "who_o": pl.UInt32}
    )
    rows = pl.concat(list(_together(narrow, SETTINGS, only, chunk_rows=5_000)))
    whole = pl.concat(list(_together(narrow, SETTINGS)))
    expected = whole.join(only, on=["who", "who_o"], how="semi")
    assert rows.height == expected.height > 0
    assert _sorted(rows).equals(_sorted(expected))


def test_no_launches_no_chunks() -> None:
    assert list(_together(_narrow(days=1).head(0), SETTINGS)) == []


def test_pairs_counted_shard_by_shard_are_the_pairs_counted_at_once() -> None:
    narrow = _narrow(days=4)
    at_once = _met(narrow, SETTINGS, 1, 0)
    sharded = pl.concat([_met(narrow, SETTINGS, 3, k) for k in range(3)])
    assert at_once.height == TENANTS * (TENANTS - 1)  # everybody meets everybody, every day
    assert sharded.sort("who", "who_o").equals(at_once.sort("who", "who_o"))
    assert set(at_once["days"]) == {4}
