"""Usage-rhythm links: different tenants launching restricted instances together, again and again.

One controller running a farm starts its accounts' instances from one script or one
operator's session: the same accelerator, the same region, minutes apart, with similar
run lengths, on several days. Unrelated customers coincide now and then; they do not
coincide on several days. Launches are put in time buckets of `launch_window_minutes` and
joined on (provider, region, accelerator, GPUs per instance, bucket) against the same and
the neighbouring buckets -- a Polars join, never a loop over pairs. A bucket crowded with
more than `max_launch_bucket_tenants` tenants is a busy hour in a big region, not a
signal, and is left out, which also bounds the join to linear work.

A pair is linked when it launched together on at least `min_launch_days` distinct days,
and at least half of one of the two tenants' restricted launches were in step with the other's;
its strength is days / 4 (capped at 1) times the pair's standing, as for network links (a
quarter when both are verified and old, a half when both are verified). When every in-step
launch starts within `launch_window_minutes` of one time of day, the two keep a schedule --
university labs whose cron jobs start at 02:00 coincide every night without anybody
coordinating them -- and the link weighs a quarter again: it clusters only beside a
shared network. A farm's controller starting its accounts' runs does so at whatever hour
the work is ready; one that starts them from a nightly cron job is weak by its launches
alone too, and is found by its exits or not at all. (Set on the held-out set's tune split,
bench/network_heldout.py.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from auditor.catalog import resolve_usage
from auditor.features.network_links import (
    LINK_COLUMNS,
    NetworkSettings,
    empty_links,
    standing_note,
    standing_of,
    standing_weight,
)

WINDOW_DAYS = 90
FULL_STRENGTH_DAYS = 4
DURATION_RATIO = 2.0  # run lengths within a factor of two count as similar
MIN_IN_STEP_SHARE = 0.5  # of one of the two tenants' restricted launches
SCHEDULED_WEIGHT = 0.25  # in step only at one time of day: independent cron jobs coincide
GROUP = ("provider", "region", "gpu_model", "gpu_count")


def restricted_launches(usage: pl.DataFrame | pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """tenant_id, provider, region, instance_type, gpu_model, gpu_count, start, hours of each
    restricted run started in the window (a run still going counts up to as-of)."""
    resolved = resolve_usage(usage.lazy()).usage.lazy()
    end = pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of))
    return resolved.filter(
        pl.col("restricted").fill_null(False)
        & (pl.col("start") <= pl.lit(as_of))
        & (pl.col("start") > pl.lit(as_of - timedelta(days=WINDOW_DAYS)))
        & pl.col("region").is_not_null()
    ).select(
        "tenant_id",
        "provider",
        pl.col("region").str.strip_chars().str.to_lowercase().alias("region"),
        "instance_type",
        "gpu_model",
        "gpu_count",
        "start",
        ((end - pl.col("start")).dt.total_seconds() / 3600.0).alias("hours"),
    )


def launch_links(
    usage: pl.DataFrame | pl.LazyFrame,
    tenants: pl.DataFrame,
    as_of: datetime,
    settings: NetworkSettings,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(links, counts): one link row per tenant and other tenant launching with it on enough
    days; and tenant_id, synchronized_launch_count (its launches in such linked pairs)."""
    window_us = settings.launch_window_minutes * 60_000_000
    launches = (
        restricted_launches(usage, as_of)
        .with_columns(
            (pl.col("start").dt.epoch("us") // window_us).alias("bucket"),
            pl.col("start").dt.date().alias("day"),
        )
        .with_row_index("launch")
        .collect(engine="streaming")
    )
    if launches.height == 0:
        return empty_links(), _no_counts()
    crowd = launches.group_by(*GROUP, "bucket").agg(pl.col("tenant_id").n_unique().alias("crowd"))
    launches = launches.join(crowd, on=[*GROUP, "bucket"], nulls_equal=True).filter(
        pl.col("crowd") <= settings.max_launch_bucket_tenants
    )
    neighbours = pl.concat(
        [launches.with_columns(pl.col("bucket") + offset) for offset in (-1, 0, 1)]
    )
    window = timedelta(minutes=settings.launch_window_minutes)
    ratio = pl.max_horizontal("hours", "hours_o") / pl.min_horizontal("hours", "hours_o").clip(
        lower_bound=1 / 60
    )
    together = launches.join(
        neighbours, on=[*GROUP, "bucket"], suffix="_o", nulls_equal=True
    ).filter(
        (pl.col("tenant_id") != pl.col("tenant_id_o"))
        & ((pl.col("start") - pl.col("start_o")).abs() <= window)
        & (ratio <= DURATION_RATIO)
    )
    if together.height == 0:
        return empty_links(), _no_counts()
    per_pair = together.group_by("tenant_id", "tenant_id_o").agg(
        pl.col("day").n_unique().alias("days"),
        pl.col("launch").n_unique().alias("launches"),
    )
    # In step: most of one tenant's launches keep time with the other's. Two busy tenants in
    # one region coincide on a few days by chance, but only on a small share of their launches.
    totals = launches.group_by("tenant_id").agg(pl.len().alias("total"))
    per_pair = per_pair.join(totals, on="tenant_id").with_columns(
        (pl.col("launches") / pl.col("total")).alias("share")
    )
    mirrored = per_pair.select(
        pl.col("tenant_id").alias("tenant_id_o"),
        pl.col("tenant_id_o").alias("tenant_id"),
        pl.col("share").alias("share_o"),
    )
    linked = per_pair.join(mirrored, on=["tenant_id", "tenant_id_o"]).filter(
        (pl.col("days") >= settings.min_launch_days)
        & (pl.max_horizontal("share", "share_o") >= MIN_IN_STEP_SHARE)
    )
    if linked.height == 0:
        return empty_links(), _no_counts()
    # The costlier parts of the explanation, for the few linked pairs only.
    told = (
        together.join(
            linked.select("tenant_id", "tenant_id_o"),
            on=["tenant_id", "tenant_id_o"],
            maintain_order="left",  # the order `mode` breaks ties in, as before
        )
        .group_by("tenant_id", "tenant_id_o")
        .agg(
            ((pl.col("start") - pl.col("start_o")).abs().max().dt.total_minutes()).alias("minutes"),
            pl.col("instance_type").mode().first().alias("instance_type"),
            pl.col("region").mode().first().alias("region"),
            pl.col("launch").unique().alias("launch_ids"),
            _clock_spread(pl.col("start")).alias("clock_spread"),
            pl.col("start").dt.strftime("%H:%M").min().alias("clock"),
        )
    )
    linked = linked.join(told, on=["tenant_id", "tenant_id_o"])
    standing = standing_of(tenants, as_of, settings)
    linked = linked.join(standing, on="tenant_id", how="left").join(
        standing.rename(lambda c: c if c == "tenant_id" else f"{c}_o").rename(
            {"tenant_id": "tenant_id_o"}
        ),
        on="tenant_id_o",
        how="left",
    )
    scheduled = pl.col("clock_spread") <= settings.launch_window_minutes
    links = linked.select(
        "tenant_id",
        pl.col("tenant_id_o").alias("other_id"),
        pl.lit("synchronized_launch").alias("kind"),
        (
            (pl.col("days") / FULL_STRENGTH_DAYS).clip(upper_bound=1.0)
            * standing_weight()
            * pl.when(scheduled).then(SCHEDULED_WEIGHT).otherwise(1.0)
        ).alias("strength"),
        pl.format(
            "launched {} in {} within {} minutes of {} on {} days ({} launches){}{}",
            "instance_type",
            "region",
            pl.col("minutes").clip(lower_bound=1),
            "tenant_id_o",
            "days",
            "launches",
            pl.when(scheduled)
            .then(pl.format(", each time at about {} UTC (a schedule)", "clock"))
            .otherwise(pl.lit("")),
            standing_note(),
        ).alias("reason"),
    ).cast(LINK_COLUMNS)
    counts = (
        linked.select("tenant_id", "launch_ids")
        .explode("launch_ids")
        .group_by("tenant_id")
        .agg(pl.col("launch_ids").n_unique().cast(pl.Float64).alias("synchronized_launch_count"))
    )
    return links, counts


def _clock_spread(start: pl.Expr) -> pl.Expr:
    """Minutes of the day the starts span, round the clock: 0 when every start is at the same
    minute of the day, up to 1,440 minus the largest gap between neighbouring starts."""
    minute = (start.dt.hour().cast(pl.Int32) * 60 + start.dt.minute().cast(pl.Int32)).sort()
    widest_gap = pl.max_horizontal(
        minute.diff().max().fill_null(0), minute.first() + 1440 - minute.last()
    )
    return 1440 - widest_gap


def _no_counts() -> pl.DataFrame:
    return pl.DataFrame(schema={"tenant_id": pl.String, "synchronized_launch_count": pl.Float64})
