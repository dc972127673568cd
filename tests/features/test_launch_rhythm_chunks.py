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
    budget = 20_000  # launches in reach; one tenant's are 240 x ~60 = ~14,000
    chunks = list(_together(narrow, SETTINGS, chunk_rows=budget))
    whole = list(_together(narrow, SETTINGS, chunk_rows=10**12))
    assert len(whole) == 1
    assert len(chunks) > 10
    assert max(c.height for c in chunks) <= budget + 240 * 60
    assert sum(c.height for c in chunks) == whole[0].height > 100_000
    assert _sorted(pl.concat(chunks)).equals(_sorted(whole[0]))


def test_a_chunk_holds_whole_tenants() -> None:
    """`_met` counts a pair's days and launches in one chunk: all of a tenant's rows are there."""
    chunks = list(_together(_narrow(days=3), SETTINGS, chunk_rows=1_000))
    tenants = [set(c["who"]) for c in chunks]
    assert len(chunks) == TENANTS  # each tenant's ~4,000 rows are over the budget alone
    assert all(len(a & b) == 0 for i, a in enumerate(tenants) for b in tenants[i + 1 :])


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


def test_pairs_counted_chunk_by_chunk_are_the_pairs_counted_at_once() -> None:
    narrow = _narrow(days=4)
    at_once = _met(narrow, SETTINGS, chunk_rows=10**12)
    chunked = _met(narrow, SETTINGS, chunk_rows=3_000)  # a tenant or two a chunk
    assert at_once.height == TENANTS * (TENANTS - 1)  # everybody meets everybody, every day
    assert chunked.sort("who", "who_o").equals(at_once.sort("who", "who_o"))
    assert set(at_once["days"]) == {4}


def test_pairs_counted_by_sorting_are_the_rows_grouped() -> None:
    """`_met`'s runs of sorted keys give what grouping `_together`'s rows by pair gives: rows,
    distinct days and distinct launches -- here with launches out of tenant order, uneven
    days and a tenant launching twice within one window."""
    narrow = _narrow(days=5).sample(fraction=0.6, seed=3).with_row_index("shuffled")
    narrow = narrow.drop("launch").rename({"shuffled": "launch"})
    twice = narrow.filter(pl.col("who") == 7).with_columns(
        pl.col("start") + timedelta(minutes=3), pl.col("launch") + 10**6
    )
    narrow = pl.concat([narrow, twice.select(narrow.columns)])
    rows = pl.concat(list(_together(narrow, SETTINGS)))
    expected = (
        rows.group_by("who", "who_o")
        .agg(
            pl.len().alias("rows"),
            pl.col("day").n_unique().cast(pl.UInt32).alias("days"),
            pl.col("launch").n_unique().cast(pl.UInt32).alias("launches"),
        )
        .filter(pl.col("rows") >= SETTINGS.min_launch_days)
        .drop("rows")
        .sort("who", "who_o")
    )
    for budget in (10**12, 2_000):
        counted = _met(narrow, SETTINGS, chunk_rows=budget).sort("who", "who_o")
        assert counted.height == expected.height > 1_000
        assert counted.equals(expected)
