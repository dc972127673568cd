"""Usage-rhythm links: different tenants launching restricted instances together, again and again.

One controller running a farm starts its accounts' instances from one script or one
operator's session: the same accelerator, the same region, minutes apart, with similar
run lengths, on several days. Unrelated customers coincide now and then; they do not
coincide on several days. Launches are put in time buckets of `launch_window_minutes`; a
bucket of one (provider, region, accelerator, GPUs per instance) crowded with more than
`max_launch_bucket_tenants` tenants is a busy hour in a big region, not a signal, and is
left out before anything is joined, which bounds the join to linear work: at most 3 x
`max_launch_bucket_tenants` launches within the window of each. The other launches of the
same group within the window of each are found by binary search over the launches sorted
once by (group, start) -- whole tables, never a loop over pairs. That is still tens of times
the launches on a busy provider (1M tenants x 100 usage rows: 9M calm launches, ~400M
rows), so the rows are made in chunks of whole tenants of about `CHUNK_ROWS` and only their
per-pair counts are kept (bench/launch_rhythm_bench.py times it; issue 10).

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

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import numpy as np
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
CHUNK_ROWS = 5_000_000  # launch rows within the window held at once (`_joined`): ~0.5 GB


def restricted_launches(usage: pl.DataFrame | pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """tenant_id, provider, region, instance_type, gpu_model, gpu_count, start, hours of each
    restricted run started in the window (a run still going counts up to as-of).

    What a run is (its GPU model and count, and whether it is restricted) depends only on its
    instance type, accelerator and accelerator count, so the catalog resolves the few
    distinct kinds of the window's runs (one streamed group-by), and the runs join the
    restricted ones: the rows are read twice, but never carry the catalog's columns, and a
    run of an unrestricted kind goes at the join (at 1M tenants x 100 rows, the read took a
    third less time than resolving every row)."""
    lf = usage.lazy()
    names = lf.collect_schema().names()
    kind = [c for c in ("instance_type", "accelerator", "accelerator_count") if c in names]
    end = pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of))
    runs = lf.filter(
        (pl.col("start") <= pl.lit(as_of))
        & (pl.col("start") > pl.lit(as_of - timedelta(days=WINDOW_DAYS)))
        & pl.col("region").is_not_null()
    )
    kinds = runs.group_by(kind).agg(pl.len().alias("rows")).collect(engine="streaming")
    restricted = (
        resolve_usage(kinds, rows_column="rows")
        .usage.filter(pl.col("restricted").fill_null(False))
        .select(*kind, "gpu_model", "gpu_count")
    )
    return runs.join(restricted.lazy(), on=kind, how="inner", nulls_equal=True).select(
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
    launches = restricted_launches(usage, as_of)
    # The launches are read once, streamed, with their strings as categoricals (a u32 each),
    # and coded in memory: a code per tenant and per (provider, region, accelerator, GPUs,
    # instance type); then only the launches in buckets that are not crowded are kept -- at
    # 100 rows a tenant, tens of millions of launches, most in crowded buckets. (Coding them
    # by joins in the stream, as before, read the launches three times.)
    coded_columns = ["tenant_id", *GROUP, "instance_type"]
    schema = launches.collect_schema()
    strings = [c for c in coded_columns if schema[c] == pl.String]
    read = (
        launches.select(*coded_columns, "start", "hours")
        .with_columns(pl.col(strings).cast(pl.Categorical))
        .collect(engine="streaming")
    )
    if read.height == 0:
        return empty_links(), _no_counts()
    ids = (
        read.select(pl.col("tenant_id").unique())
        .sort(pl.col("tenant_id").cast(pl.String))
        .with_row_index("who")
    )
    # The streaming engine's group-by: a frame's unique() over five categoricals took ten
    # times as long at 1M tenants (50M launches).
    kinds = read.lazy().group_by(*GROUP, "instance_type").agg().collect(engine="streaming")
    groups = kinds.select(GROUP).unique().with_row_index("group")
    kinds = kinds.join(groups, on=list(GROUP), nulls_equal=True).with_row_index("kind")
    # Crowded buckets go first, counted on the read itself (its categoricals group as
    # integers), so only the calm launches -- a fifth of them at 1M tenants -- are coded by
    # the joins. A launch keeps its row number in `read`.
    bucket = (pl.col("start").dt.epoch("us") // window_us).alias("bucket")
    calm = (
        read.lazy()
        .group_by(*GROUP, bucket)
        .agg(pl.col("tenant_id").n_unique().alias("crowd"))
        .filter(pl.col("crowd") <= settings.max_launch_bucket_tenants)
        .select(*GROUP, "bucket")
    )
    # Streamed from memory too: joined whole, the coded launches were held twice over.
    narrow = (
        read.lazy()
        .with_row_index("launch")
        .with_columns(bucket)
        .join(calm, on=[*GROUP, "bucket"], how="semi", nulls_equal=True)
        .join(ids.lazy(), on="tenant_id")
        .join(kinds.lazy(), on=[*GROUP, "instance_type"], nulls_equal=True)
        .select(
            "launch",
            "who",
            "kind",
            "group",
            "bucket",
            pl.col("start").dt.date().alias("day"),
            "start",
            "hours",
        )
        .collect(engine="streaming")
    )
    del read
    ids = ids.with_columns(pl.col("tenant_id").cast(pl.String))
    kinds = kinds.with_columns(pl.col([c for c in strings if c != "tenant_id"]).cast(pl.String))
    if narrow.height == 0:
        return empty_links(), _no_counts()
    # Counted chunk by chunk of tenants (`_met`): the rows of launches meeting are up to
    # 3 x `max_launch_bucket_tenants` per launch -- linear, but on a busy provider tens of
    # times the launches -- so only one chunk's rows are ever held; a chunk holds all of its
    # tenants' launches, so a pair's counts there are whole.
    per_pair = _met(narrow, settings)
    if per_pair.height == 0:
        return empty_links(), _no_counts()
    linked = _in_step(per_pair, narrow, settings)
    if linked.height == 0:
        return empty_links(), _no_counts()
    # The costlier parts of the explanation, for the few linked pairs only. The most
    # frequent type and region; a tie goes to the first in alphabetical order.
    # The type and region by rank (kinds holds every one), and the earliest start's time of
    # day by its minute: the same answers as the strings' mode and minimum, without
    # formatting or comparing a string a row.
    ranked = kinds.select(
        "kind",
        "instance_type",
        "region",
        pl.col("instance_type").rank("dense").alias("type_rank"),
        pl.col("region").rank("dense").alias("region_rank"),
    )
    told = (
        pl.concat(
            list(
                _together(narrow, settings, linked.select("who", "who_o"), extra=("kind", "start"))
            )
        )
        .join(ranked.select("kind", "type_rank", "region_rank"), on="kind")
        .group_by("who", "who_o")
        .agg(
            pl.col("apart").max().dt.total_minutes().alias("minutes"),
            pl.col("type_rank").mode().min(),
            pl.col("region_rank").mode().min(),
            pl.col("launch").unique().alias("launch_ids"),
            _clock_spread(pl.col("start")).alias("clock_spread"),
            _minute_of_day(pl.col("start")).min().alias("clock"),
        )
        .join(ranked.select("type_rank", "instance_type").unique(), on="type_rank", how="left")
        .join(ranked.select("region_rank", "region").unique(), on="region_rank", how="left")
        .with_columns(
            pl.format(
                "{}:{}",
                (pl.col("clock") // 60).cast(pl.String).str.zfill(2),
                (pl.col("clock") % 60).cast(pl.String).str.zfill(2),
            ).alias("clock")
        )
        .drop("type_rank", "region_rank")
    )
    named = ids.select("who", "tenant_id")
    linked = (
        linked.join(told, on=["who", "who_o"])
        .join(named, on="who")
        .join(named.rename({"who": "who_o", "tenant_id": "tenant_id_o"}), on="who_o")
    )
    either = pl.concat([linked["tenant_id"], linked["tenant_id_o"]]).alias("tenant_id")
    involved = tenants.join(either.to_frame(), on="tenant_id", how="semi")
    standing = standing_of(involved, as_of, settings)
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


def _in_step(
    per_pair: pl.DataFrame, narrow: pl.DataFrame, settings: NetworkSettings
) -> pl.DataFrame:
    """The pairs of `_met` that are linked: on at least `min_launch_days` days, and in step --
    most of one tenant's launches keep time with the other's (two busy tenants in one region
    coincide on a few days by chance, but only on a small share of their launches).

    Each direction's share is its launches over its tenant's calm launches, so a pair needs
    its reverse row's share too. The rows are sorted once by the unordered pair as one u64
    (the smaller tenant, then the larger): a pair and its reverse are then neighbours, and
    the reverse's share is the neighbour's -- no hash join of tens of millions of pairs to
    their reverse (at 1M tenants, most of the time after `_met`). A pair whose reverse is
    missing has no share_o and is not linked, as when it was joined.

    Only the pairs with one direction in step can be linked, so only they are sorted: the
    unordered pairs of the rows at MIN_IN_STEP_SHARE or more (at 1M tenants, a few percent
    of 42M rows) pick both directions' rows by one semi-join, and the sort runs on those."""
    who = per_pair["who"].to_numpy()
    total = np.bincount(narrow["who"].to_numpy())  # every pair's tenants launched in `narrow`
    share = per_pair["launches"].to_numpy() / total[who]
    low = pl.min_horizontal("who", "who_o").cast(pl.UInt64)
    high = pl.max_horizontal("who", "who_o").cast(pl.UInt64)
    pair = pl.col("pair")
    beside = (
        pl.when(pair == pair.shift(1))
        .then(pl.col("share").shift(1))
        .when(pair == pair.shift(-1))
        .then(pl.col("share").shift(-1))
    )
    rows = per_pair.with_columns(share=pl.Series(share), pair=low * 2**32 + high)
    in_step = rows.lazy().filter(pl.col("share") >= MIN_IN_STEP_SHARE).select("pair")
    return (
        rows.lazy()
        .join(in_step, on="pair", how="semi")
        .collect()
        .sort("pair")
        .with_columns(beside.alias("share_o"))
        .filter(
            (pl.col("days") >= settings.min_launch_days)
            & pl.col("share_o").is_not_null()  # max_horizontal would skip a missing one
            & (pl.max_horizontal("share", "share_o") >= MIN_IN_STEP_SHARE)
        )
        .drop("pair")
    )


def _met(
    narrow: pl.DataFrame, settings: NetworkSettings, chunk_rows: int = CHUNK_ROWS
) -> pl.DataFrame:
    """who, who_o, days, launches of each pair with at least `min_launch_days` rows of
    launches together. A pair with fewer cannot have met on that many days; the relation is
    symmetric (a launch with another is that one with it), so a pair and its reverse have as
    many rows and stay or go together.

    Counted without hashing the rows: each row is one u64 (the other tenant, then the
    position of the launch in the order of tenant and start), and sorted; a pair's rows are
    then one run, in the order of its launches, so its days and launches are where the day
    and the position change -- at 1M tenants, grouping the rows by (pair, day) with a count
    of distinct launches was most of what was left after the join."""
    reach, others = _reach(narrow, narrow, settings.launch_window_minutes)
    who, day = reach["who"], reach["day"]
    found = []
    for rows in _joined(reach, others, settings, chunk_rows, _MET_KEY, ["at_left"]):
        key = rows["key"].sort()
        at = (key % 2**32).cast(pl.UInt32)
        run = pl.DataFrame({"who_o": (key // 2**32).cast(pl.UInt32), "at": at}).with_columns(
            who.gather(at).alias("who"), day.gather(at).alias("day")
        )
        first = (pl.col("who_o") != pl.col("who_o").shift(1)) | (
            pl.col("who") != pl.col("who").shift(1)
        )
        first = first.fill_null(True)
        counted = (
            run.lazy()
            .with_columns(
                pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
                (first | (pl.col("day") != pl.col("day").shift(1)))
                .fill_null(True)
                .cast(pl.UInt32)
                .cum_sum()
                .alias("days"),
                (first | (pl.col("at") != pl.col("at").shift(1)))
                .fill_null(True)
                .cast(pl.UInt32)
                .cum_sum()
                .alias("launches"),
                first.shift(-1).fill_null(True).alias("last"),
            )
            .filter("last")
            .select(
                "who",
                "who_o",
                (pl.col("row") - pl.col("row").shift(1, fill_value=-1)).alias("rows"),
                (pl.col("days") - pl.col("days").shift(1, fill_value=0)).alias("days"),
                (pl.col("launches") - pl.col("launches").shift(1, fill_value=0)).alias("launches"),
            )
            .filter(pl.col("rows") >= settings.min_launch_days)
            .select("who", "who_o", "days", "launches")
            .collect()
        )
        found.append(counted.shrink_to_fit())  # not the buffers of the whole chunk's rows
    if not found:
        return pl.DataFrame(
            schema={"who": pl.UInt32, "who_o": pl.UInt32, "days": pl.UInt32, "launches": pl.UInt32}
        )
    return pl.concat(found)


# A row of `_met`: the other tenant in the high 32 bits, the launch's position in the low.
_MET_KEY = [(pl.col("who_o").cast(pl.UInt64) * 2**32 + pl.col("at_left")).alias("key")]


def _together(
    narrow: pl.DataFrame,
    settings: NetworkSettings,
    only: pl.DataFrame | None = None,
    chunk_rows: int = CHUNK_ROWS,
    extra: tuple[str, ...] = (),
) -> Iterator[pl.DataFrame]:
    """launch, who, who_o, day, apart, pair (and the left launch's `extra` columns, of kind
    and start) of each launch and another tenant's launch in the
    same group within `launch_window_minutes`, with a similar run length, chunk by chunk of
    tenants (`_joined`). `only` (who, who_o): just those pairs' rows."""
    narrow_left = narrow_right = narrow
    if only is not None:
        narrow_left = narrow.filter(pl.col("who").is_in(only["who"].unique().implode()))
        narrow_right = narrow.filter(pl.col("who").is_in(only["who_o"].unique().implode()))
    reach, others = _reach(narrow_left, narrow_right, settings.launch_window_minutes)
    columns: list[str | pl.Expr] = [
        "launch",
        "who",
        "who_o",
        "day",
        (pl.col("start") - pl.col("start_o")).abs().alias("apart"),
        (pl.col("who").cast(pl.UInt64) * 2**32 + pl.col("who_o")).alias("pair"),
        *extra,
    ]
    carry = ["launch", "day", *(c for c in extra if c != "start")]
    for rows in _joined(reach, others, settings, chunk_rows, columns, carry):
        yield rows if only is None else rows.join(only, on=["who", "who_o"], how="semi")


def _joined(
    reach: pl.DataFrame,
    others: pl.DataFrame,
    settings: NetworkSettings,
    chunk_rows: int,
    columns: Sequence[str | pl.Expr],
    carry: list[str],
) -> Iterator[pl.DataFrame]:
    """`columns` of each left launch of `reach` and another tenant's launch of `others` (the
    two frames of `_reach`) within the window with a similar run length, chunk by chunk of
    whole tenants with at most about `chunk_rows` launches in reach (plus one tenant's).
    Left columns: who, start, hours and those of `carry` (of launch, day and at_left, its
    position in `reach`); right: who_o, start_o, hours_o.

    The other launches are sorted once by (group, start): the ones within the window of a
    launch are then one run of that order, found by two binary searches (`_reach`), and a
    chunk's rows are gathered by position -- no hash join, and no copy of the other side per
    chunk (at 1M tenants the neighbour table rebuilt per chunk was most of the time)."""
    if reach.height == 0:
        return
    others = others.select(
        pl.col("who").alias("who_o"), pl.col("start").alias("start_o"), "hours_o"
    )
    window = timedelta(minutes=settings.launch_window_minutes)
    ratio = pl.max_horizontal("hours", "hours_o") / pl.min_horizontal("hours", "hours_o").clip(
        lower_bound=1 / 60
    )
    # `reach` is in tenant order: a tenant's chunk is where its last launch's running total is.
    total = (pl.col("hi") - pl.col("lo")).cast(pl.Int64).cum_sum()
    last = pl.col("who") != pl.col("who").shift(-1)
    tenant_total = pl.when(last.fill_null(True)).then(total).backward_fill()
    chunks = (
        reach.with_row_index("at_left")
        .with_columns((tenant_total // chunk_rows).alias("chunk"))
        .filter(pl.col("hi") > pl.col("lo"))
    )
    for chunk in chunks.partition_by("chunk", include_key=False, maintain_order=True):
        spans = chunk.select(
            *carry, "who", "start", "hours", pl.int_ranges("lo", "hi").alias("at")
        ).explode("at")
        met = pl.concat([spans, others[spans["at"]]], how="horizontal")
        yield (
            met.lazy()
            .filter(
                (pl.col("who") != pl.col("who_o"))
                & ((pl.col("start") - pl.col("start_o")).abs() <= window)
                & (ratio <= DURATION_RATIO)
            )
            .select(columns)
            .collect()
        )


def _reach(
    left: pl.DataFrame, right: pl.DataFrame, window_minutes: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(left launches in the order of tenant, start and launch, with lo, hi: the run of
    `right` positions in their group within the window, inclusive; right sorted by group and
    start). One sortable key stands for (group, start): the group times a stride longer than
    the launches' span plus the window, so a window never reaches into the next group."""
    window_us = window_minutes * 60_000_000
    epoch = pl.col("start").dt.epoch("us")
    bounds = pl.concat([left.select(epoch, "group"), right.select(epoch, "group")]).select(
        pl.col("start").min().alias("first"),
        pl.col("start").max().alias("last"),
        pl.col("group").max().alias("groups"),
    )
    first, last, groups = bounds.row(0)
    if first is None:
        first, last, groups = 0, 0, 0
    stride = last - first + window_us + 1
    if (groups + 1) * stride >= 2**63:
        raise ValueError(f"{groups + 1} launch groups over {last - first} us overflow the key")
    key = (pl.col("group").cast(pl.Int64) * stride + (epoch - first)).alias("key")
    right = right.select("who", "start", pl.col("hours").alias("hours_o"), key).sort("key")
    keys = right["key"]
    wanted = [c for c in ("launch", "who", "kind", "day", "start", "hours") if c in left.columns]
    left = left.select(*wanted, key).sort("who", "start", "launch")
    reach = left.with_columns(
        keys.search_sorted(left["key"] - window_us, side="left").alias("lo"),
        keys.search_sorted(left["key"] + window_us, side="right").alias("hi"),
    ).drop("key")
    return reach, right.drop("key")


def _clock_spread(start: pl.Expr) -> pl.Expr:
    """Minutes of the day the starts span, round the clock: 0 when every start is at the same
    minute of the day, up to 1,440 minus the largest gap between neighbouring starts."""
    minute = _minute_of_day(start).sort()
    widest_gap = pl.max_horizontal(
        minute.diff().max().fill_null(0), minute.first() + 1440 - minute.last()
    )
    return 1440 - widest_gap


def _minute_of_day(start: pl.Expr) -> pl.Expr:
    return start.dt.hour().cast(pl.Int32) * 60 + start.dt.minute().cast(pl.Int32)


def _no_counts() -> pl.DataFrame:
    return pl.DataFrame(schema={"tenant_id": pl.String, "synchronized_launch_count": pl.Float64})
