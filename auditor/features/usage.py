"""Usage features: how many export-restricted accelerator-hours each tenant ran, and how wide.

Runs are clipped to the window ending at the audit's as-of time (a run still going counts
up to as-of). Peak concurrency is a sweep over start/end events per tenant, computed as one
sort and one cumulative sum over the whole event table -- no per-tenant loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from auditor.catalog import resolve_usage

HOUR_US = 3_600_000_000


def _hours_in_window(as_of: datetime, days: int) -> pl.Expr:
    return _micros_in_window(as_of, days) / HOUR_US


def _micros_in_window(as_of: datetime, days: int) -> pl.Expr:
    """Microseconds of the run inside the window: whole numbers, so their sums are exact in any order."""
    window_start = pl.lit(as_of - timedelta(days=days))
    start = pl.max_horizontal(pl.col("start"), window_start)
    end = pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of))
    return (end - start).dt.total_microseconds().clip(lower_bound=0)


@dataclass(frozen=True)
class UsageFeatures:
    features: pl.DataFrame  # one row per tenant with usage in the window
    unknown_types: pl.DataFrame  # GPU-looking types the catalog lacks (see catalog.resolve_usage)
    usage_tenants: pl.DataFrame  # tenant_id of every tenant with any usage row


ROWS_PER_PEAK_PASS = 25_000_000
ORDER_KEY_BITS = 63  # (tenant, instant) packed into one signed 64-bit sort key when it fits
GROUP_KEYS = (
    "tenant_id",
    "instance_type",
    "accelerator",
    "accelerator_count",
    "region",
    "provider",
)
KIND_KEYS = GROUP_KEYS[1:]  # what a run is, apart from whose


def usage_features(usage: pl.DataFrame | pl.LazyFrame, as_of: datetime) -> UsageFeatures:
    """Restricted GPU-hours (30/90 d), peak concurrency, models and regions per tenant.

    The big table is read in two streaming passes. The first only sums instance-hours per
    (tenant, instance type, accelerator, region, provider) -- a table a few rows per tenant
    long -- and the catalog is applied to that small table, since GPUs per instance depend
    on nothing else. The second collects the restricted runs' start/end events for peak
    concurrency (one sort). No pass holds the usage table in memory. (The audit reads the
    rows once for these and the training estimates together: features/usage_scan.py.)
    """
    lf = usage.lazy()
    totals = usage_totals(lf, as_of)
    return features_from_totals(
        totals, lambda kinds: swept_peaks(lf, as_of, kinds, int(totals["rows"].sum()))
    )


def usage_totals(lf: pl.LazyFrame, as_of: datetime, runs: bool = False) -> pl.DataFrame:
    """The first pass: rows and window microseconds (us30, us90) per GROUP_KEYS, streamed.

    With `runs`, also what the training estimate needs of the same groups (cip.training's
    TOTALS_SCHEMA): the longest run in the 90-day window (longest_us) and its first clipped
    start and last clipped end over the runs inside it, so one read serves both stages.
    """
    started = pl.col("start") <= pl.lit(as_of)
    us90 = pl.when(started).then(_micros_in_window(as_of, 90)).otherwise(0)
    # Plain sums of precomputed columns stream; filters inside the aggregation do not, so a
    # run outside the window contributes a null instant (which min and max skip).
    inside = started & (us90 > 0)
    window_start = pl.lit(as_of - timedelta(days=90))
    extra = (
        [
            pl.when(inside)
            .then(pl.max_horizontal(pl.col("start"), window_start))
            .alias("first_start"),
            pl.when(inside)
            .then(pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of)))
            .alias("last_end"),
        ]
        if runs
        else []
    )
    aggs = (
        [
            pl.col("us90").max().alias("longest_us"),
            pl.col("first_start").min(),
            pl.col("last_end").max(),
        ]
        if runs
        else []
    )
    # Whole microseconds are summed (exact, in any order), so every engine gets the same hours.
    return (
        lf.with_columns(
            pl.when(started).then(_micros_in_window(as_of, 30)).otherwise(0).alias("us30"),
            us90.alias("us90"),
            *extra,
        )
        .group_by(*GROUP_KEYS)
        .agg(pl.len().alias("rows"), pl.col("us30").sum(), pl.col("us90").sum(), *aggs)
        .collect(engine="streaming")
    )


def swept_peaks(
    lf: pl.LazyFrame,
    as_of: datetime,
    kinds: pl.DataFrame,
    rows: int,
    outputs: dict[str, str] | None = None,
) -> pl.DataFrame:
    """The second pass: each tenant's peak of every weight column of `kinds`, in one sweep.

    `kinds` maps a run kind (instance_type, accelerator, accelerator_count) to its weights
    (default `gpus`); a run of a kind not in it does not count. `outputs` names the peak
    column of each weight (default gpus -> peak_restricted_gpus). The sort holds two events
    per counted run; on very large tables (`rows` usage rows) the tenants are taken in hash
    partitions, one pass each, to bound that memory.
    """
    outputs = outputs or {"gpus": "peak_restricted_gpus"}
    runs = lf.filter((pl.col("start") <= pl.lit(as_of)) & (_hours_in_window(as_of, 90) > 0)).join(
        kinds.lazy(), on=list(GROUP_KEYS[1:4]), how="inner", nulls_equal=True
    )
    partitions = max(1, math.ceil(rows / ROWS_PER_PEAK_PASS))
    part_of = pl.col("tenant_id").hash(seed=7) % partitions
    return pl.concat(
        [
            _peak_concurrency(runs.filter(part_of == i) if partitions > 1 else runs, as_of, outputs)
            for i in range(partitions)
        ]
    )


def features_from_totals(
    totals: pl.DataFrame, peaks: Callable[[pl.DataFrame], pl.DataFrame]
) -> UsageFeatures:
    """The usage features from the first pass's table and the engine's peak sweep (`usage_tables`)."""
    tables = usage_tables(totals)
    return tables.finish(peaks(tables.restricted_kinds))


def usage_tables(totals: pl.DataFrame) -> UsageTables:
    """The usage features from the per-(tenant, kind, region, provider) hours, on any engine.

    `totals` is the first pass's small table (GROUP_KEYS, rows, us30, us90: microseconds in
    the 30- and 90-day windows), from whichever engine read the usage rows; the catalog and
    every per-tenant column are computed here, once, so Polars and Spark share one
    definition of them. Taken in key order, so the floating-point sums per tenant add the
    same numbers in the same order whatever engine (or thread) produced the table. `peaks` is the engine's second
    pass: given the restricted kinds (instance_type, accelerator, accelerator_count, gpus),
    the most restricted GPUs each tenant ran at once (tenant_id, peak_restricted_gpus).
    """
    # The catalog depends on the kind of run only, so it resolves the few distinct kinds
    # (instance type, accelerator, count, region, provider), each numbered in key order;
    # the per-tenant rows then join them by that integer. Rows are put in kind order (an
    # integer sort): within a tenant that is the full key order, so each tenant's float
    # sums add the same numbers in the same order as a sort by all six keys would.
    # Text keys are grouped and joined as categoricals (integer codes), tenants too; the
    # small tables that come out are text again.
    texts = [k for k in ("tenant_id", *KIND_KEYS) if totals.schema[k] == pl.String]
    coded = totals.with_columns(pl.col(k).cast(pl.Categorical) for k in texts)
    kinds = (
        coded.group_by(*KIND_KEYS)
        .agg(pl.col("rows").sum())
        .with_columns(pl.col(k).cast(pl.String) for k in texts if k != "tenant_id")
        .sort(*KIND_KEYS, nulls_last=True)
        .with_row_index("kind")
    )
    kind_codes = kinds.select("kind", *[pl.col(k).cast(coded.schema[k]) for k in KIND_KEYS])
    resolved = resolve_usage(kinds, rows_column="rows")
    kind_table = resolved.usage.select(
        "kind",
        *KIND_KEYS,
        "gpu_model",
        "restricted",
        pl.col("gpu_count").fill_null(0).cast(pl.Float64).alias("gpus"),
    )
    table = (
        coded.select("tenant_id", *KIND_KEYS, "us30", "us90")
        .filter(pl.col("us90") > 0)
        .join(kind_codes, on=list(KIND_KEYS), nulls_equal=True)
        .select(
            "tenant_id",
            "kind",
            (pl.col("us30") / HOUR_US).alias("h30"),
            (pl.col("us90") / HOUR_US).alias("h90"),
        )
        .sort("kind")
        .join(kind_table, on="kind", maintain_order="left")
    )
    restricted = pl.col("restricted").fill_null(False)
    unknown = pl.col("restricted").is_null()
    per_tenant = table.group_by("tenant_id").agg(
        (pl.col("h30") * pl.col("gpus")).filter(restricted).sum().alias("restricted_gpu_hours_30d"),
        (pl.col("h90") * pl.col("gpus")).filter(restricted).sum().alias("restricted_gpu_hours_90d"),
        (pl.col("h90") * pl.col("gpus")).sum().alias("gpu_hours_90d"),
        pl.col("h90").filter(unknown).sum().alias("unknown_gpu_hours_90d"),
    )
    per_tenant = per_tenant.join(_tenant_lists(table), on="tenant_id", how="left").with_columns(
        pl.col("tenant_id").cast(pl.String)
    )
    # GPUs per run for the restricted kinds only; the join both filters the runs and sizes them.
    restricted_kinds = (
        kind_table.filter(restricted & (pl.col("gpus") > 0))
        .select(*GROUP_KEYS[1:4], "gpus")
        .unique(GROUP_KEYS[1:4])
    )
    return UsageTables(
        per_tenant, restricted_kinds, resolved.unknown_types, totals.select("tenant_id").unique()
    )


@dataclass(frozen=True)
class UsageTables:
    """The usage features before the peak sweep: what the sweep needs (`restricted_kinds`) and the rest."""

    per_tenant: pl.DataFrame  # every usage column but peak_restricted_gpus and region_count
    restricted_kinds: pl.DataFrame  # instance_type, accelerator, accelerator_count, gpus
    unknown_types: pl.DataFrame
    usage_tenants: pl.DataFrame

    def finish(self, peaks: pl.DataFrame) -> UsageFeatures:
        """The features, given the sweep's tenant_id, peak_restricted_gpus."""
        features = self.per_tenant.join(peaks, on="tenant_id", how="left").with_columns(
            pl.col("peak_restricted_gpus").fill_null(0.0),
            pl.col("regions_used").list.len().cast(pl.Float64).alias("region_count"),
        )
        return UsageFeatures(features, self.unknown_types, self.usage_tenants)


def _tenant_lists(table: pl.DataFrame) -> pl.DataFrame:
    """Per tenant, the sorted distinct restricted models, regions and providers it ran.

    Each list is its own small table of distinct (tenant, value) pairs, sorted by value and
    gathered per tenant: cheaper than a unique and a sort inside one aggregation per tenant.
    A tenant with no value in a list gets an empty list, not null.
    """
    restricted = pl.col("restricted").fill_null(False)
    wanted = {
        "restricted_models": (pl.col("gpu_model"), restricted),
        "regions_used": (pl.col("region"), (pl.col("gpus") > 0) | pl.col("restricted").is_null()),
        "providers_used": (pl.col("provider"), pl.lit(True)),
    }
    lists = table.select("tenant_id").unique()
    for name, (value, keep) in wanted.items():
        listed = (
            table.filter(keep)
            .select("tenant_id", value.alias(name))
            .drop_nulls(name)
            .unique()
            .sort(name)
            .group_by("tenant_id", maintain_order=True)
            .agg(pl.col(name))
        )
        lists = lists.join(listed, on="tenant_id", how="left").with_columns(
            pl.col(name).fill_null(pl.lit([], dtype=pl.List(pl.String)))
        )
    return lists


def _peak_concurrency(
    restricted_runs: pl.LazyFrame, as_of: datetime, outputs: dict[str, str] | None = None
) -> pl.DataFrame:
    """Most restricted accelerators running at once per tenant: one sort and one cumulative sum.

    Every run contributes +gpus at its start and -gpus at its end (as-of for a running one),
    both clipped to the 90-day window. The events are sorted by one integer key --
    tenant, then instant, then ends before starts -- so a run ending at t and another
    starting at t (hourly billing rows, restarts) never count as overlapping. Each tenant's
    events sum to zero, so one cumulative sum over the sorted table is every tenant's
    running count, with no per-group window. Only integer columns go through the sort.
    Each weight column named in `outputs` (default gpus -> peak_restricted_gpus) is its own
    cumulative sum over the one sorted order: several peaks cost one sort.
    """
    outputs = outputs or {"gpus": "peak_restricted_gpus"}
    weights = list(outputs)
    window_start = as_of - timedelta(days=90)
    t_start = pl.max_horizontal(pl.col("start"), pl.lit(window_start))
    t_end = pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_of)), pl.lit(as_of))
    starts = restricted_runs.select(
        "tenant_id",
        t_start.alias("t"),
        pl.lit(1, dtype=pl.Int64).alias("is_start"),
        *[pl.col(w).alias(f"delta_{w}") for w in weights],
    )
    ends = restricted_runs.select(
        "tenant_id",
        t_end.alias("t"),
        pl.lit(0, dtype=pl.Int64).alias("is_start"),
        *[(-pl.col(w)).alias(f"delta_{w}") for w in weights],
    )
    deltas = [f"delta_{w}" for w in weights]
    events = (
        pl.concat([starts, ends])
        .select(
            "tenant_id",
            # 2 * microseconds since the window opened, + 1 for a start: ends sort first at an instant.
            (
                (pl.col("t") - pl.lit(window_start)).dt.total_microseconds() * 2
                + pl.col("is_start")
            ).alias("instant"),
            *deltas,
        )
        .collect(engine="streaming")
    )
    if events.height == 0:
        return pl.DataFrame(
            schema={"tenant_id": pl.String, **dict.fromkeys(outputs.values(), pl.Float64)}
        )
    # A categorical's codes number the tenants without sorting their ids.
    events = events.with_columns(
        pl.col("tenant_id").cast(pl.Categorical).to_physical().cast(pl.Int64).alias("tenant_key")
    )
    span = int(events["instant"].max()) + 1
    tenants = int(events["tenant_key"].max()) + 1
    if (tenants * span).bit_length() <= ORDER_KEY_BITS:
        order = events.select(
            (pl.col("tenant_key") * span + pl.col("instant")).alias("order"), *deltas
        ).sort("order")
        order = order.select((pl.col("order") // span).alias("tenant_key"), *deltas)
    else:  # a key too wide for one integer: the same order from two sort columns (slower)
        order = (
            events.select("tenant_key", "instant", *deltas)
            .sort("tenant_key", "instant")
            .select("tenant_key", *deltas)
        )
    peaks = (
        order.select("tenant_key", *[pl.col(d).cum_sum() for d in deltas])
        .group_by("tenant_key")
        .agg(pl.col(f"delta_{w}").max().cast(pl.Float64).alias(name) for w, name in outputs.items())
    )
    names = events.select("tenant_key", "tenant_id").unique("tenant_key")
    return names.join(peaks, on="tenant_key").select("tenant_id", *outputs.values())


USAGE_ZERO_FILLS = {
    "restricted_gpu_hours_30d": 0.0,
    "restricted_gpu_hours_90d": 0.0,
    "gpu_hours_90d": 0.0,
    "unknown_gpu_hours_90d": 0.0,
    "peak_restricted_gpus": 0.0,
    "region_count": 0.0,
}
