"""Sign-ins per (tenant, source address): the one read of the big access table.

Network links start from each tenant's distinct source addresses in the window. Grouping
tens of millions of rows by two string columns, with counts and times, would be the
costliest step of the whole linking stage, and nearly all of it wasted: most addresses are
one tenant's own and link nobody. So the table is read once, streamed, into two narrow
tables (`read_signins`):

1. the distinct (tenant, address) pairs, each kept at its first row by a 64-bit hash of
   the pair (`is_first_distinct` in the stream: no grouping, no aggregates), with their
   strings;
2. every sign-in's pair hash and time -- 16 bytes a row, no strings.

Counts, first and last times are then taken from the second table only for the pairs that
matter (those on a shared network, `pair_signins`) and the sign-ins in all of the tenants
on them (`signin_totals`), by the hash. Two different pairs merge only if their hashes
collide: with D distinct pairs about D^2 / 2^65 -- one run in about 450,000 at 1M tenants'
9M pairs -- and then one pair's address is missed and its sign-ins are counted with the
other's. Checking it exactly (counting a second hash's distinct values) cost as much as the
reading itself, so it is left out and stated here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

SIGNIN_WINDOW_DAYS = 90


def pair_key() -> pl.Expr:
    """The pair's hash: of tenant and address (their two hashes, hashed as one)."""
    return pl.struct(
        pl.col("tenant_id").hash(seed=0).alias("t"), pl.col("source_ip").hash(seed=0).alias("a")
    ).hash(seed=0)


def read_signins(
    access: pl.DataFrame | pl.LazyFrame, as_of: datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(pairs, times) of the sign-ins in the window with an address: tenant_id, source_ip,
    _key of each distinct pair once; and _key, timestamp of every sign-in. One streaming
    read of `access` feeds both."""
    window = (
        access.lazy()
        .filter(
            (pl.col("timestamp") <= pl.lit(as_of))
            & (pl.col("timestamp") > pl.lit(as_of - timedelta(days=SIGNIN_WINDOW_DAYS)))
            & pl.col("source_ip").is_not_null()
        )
        .with_columns(pair_key().alias("_key"))
    )
    pairs = window.select("tenant_id", "source_ip", "_key").filter(
        pl.col("_key").is_first_distinct()
    )
    times = window.select("_key", "timestamp")
    found, every = pl.collect_all([pairs, times], engine="streaming")
    return found, every


def pair_signins(times: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """`pairs` (with _key) with signins, first, last from `times`."""
    mine = times.filter(pl.col("_key").is_in(pairs["_key"].implode()))
    counted = mine.group_by("_key").agg(
        pl.len().alias("signins"),
        pl.col("timestamp").min().alias("first"),
        pl.col("timestamp").max().alias("last"),
    )
    return pairs.join(counted, on="_key")


def signin_totals(times: pl.DataFrame, pairs: pl.DataFrame, tenant_ids: pl.Series) -> pl.DataFrame:
    """tenant_id, total_signins: all the window's sign-ins (with an address) of these tenants,
    over every pair of theirs in `pairs`."""
    theirs = pairs.filter(pl.col("tenant_id").is_in(tenant_ids.implode()))
    counted = (
        times.filter(pl.col("_key").is_in(theirs["_key"].implode()))
        .group_by("_key")
        .agg(pl.len().alias("signins"))
    )
    return (
        theirs.join(counted, on="_key")
        .group_by("tenant_id")
        .agg(pl.col("signins").sum().alias("total_signins"))
    )
