"""Renaming after listing: sign-ins that move to a hub country right after a partial match is listed.

A company added to the Entity List may carry on under a new name through a front in a
transshipment hub; the signal is a tenant whose name partly matches a recently listed entry
(a name or affiliate match from screening) and whose sign-ins came from elsewhere in the 90
days before the listing date and mostly from a hub (geo.HUB_JURISDICTIONS) in the 90 days
after. Payment countries carry no history in the inputs, so only sign-ins are read.

The listing date is each entry's `start_date` in the list file as published; the screening
stage does not keep it, so `listing_dates` reads it beside (auditor.screening.lists parses).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from auditor import geo
from auditor.model.load import parse_datetime

WINDOW_DAYS = 90  # sign-ins compared on each side of the listing date
RECENT_DAYS = 365  # listings older than this before as-of are not "shortly after"
MIN_SIGNINS = 3  # on each side; fewer is unknown, not "no move"
BEFORE_HUB_BELOW = 0.2
AFTER_HUB_AT_LEAST = 0.5
COLUMNS = {"hub_move_after_listing": pl.Boolean(), "hub_move_detail": pl.String()}
PARTIAL_FACETS = ("name", "affiliate")


def listing_dates(paths: list[Path]) -> pl.DataFrame:
    """entry_name, listed_on: each list entry's start date (entries without one are left out)."""
    from auditor.errors import display_path
    from auditor.screening.lists import _parse, _text

    names, dates = [], []
    for path in paths:
        records, _ = _parse(Path(path).read_bytes(), Path(path), display_path(path))
        for record in records:
            name, start = _text(record.values.get("name")), _text(record.values.get("start_date"))
            if name and start:
                names.append(name)
                dates.append(start)
    frame = pl.DataFrame(
        {"entry_name": names, "start": dates}, schema={"entry_name": pl.String, "start": pl.String}
    )
    return (
        frame.select("entry_name", parse_datetime(pl.col("start")).alias("listed_on"))
        .drop_nulls("listed_on")
        .unique()
    )


def hub_move_candidates(
    matches: pl.DataFrame, dates: pl.DataFrame, as_of: datetime
) -> pl.DataFrame:
    """tenant_id, entry_name, listed_on: partial matches to entries listed in the year to as-of.

    Only these tenants' sign-ins are read, so an engine holding the rows elsewhere (Spark)
    sends just those to the driver.
    """
    partial = (
        matches.filter(pl.col("facet").is_in(PARTIAL_FACETS))
        .select("tenant_id", "entry_name")
        .unique()
        if matches.height
        else pl.DataFrame(schema={"tenant_id": pl.String, "entry_name": pl.String})
    )
    return partial.join(dates, on="entry_name").filter(
        (pl.col("listed_on") <= pl.lit(as_of))
        & (pl.col("listed_on") > pl.lit(as_of - timedelta(days=RECENT_DAYS)))
    )


def hub_move_features(
    tenants: pl.DataFrame,
    matches: pl.DataFrame,
    dates: pl.DataFrame | None,
    access: pl.LazyFrame,
    as_of: datetime,
) -> pl.DataFrame:
    """tenant_id, hub_move_after_listing (null: too few sign-ins to tell), hub_move_detail."""
    if dates is None:
        return tenants.select(
            "tenant_id", *[pl.lit(None, dtype=t).alias(c) for c, t in COLUMNS.items()]
        )
    window = timedelta(days=WINDOW_DAYS)
    candidates = hub_move_candidates(matches, dates, as_of)
    signins = (
        access.join(candidates.lazy().select("tenant_id").unique(), on="tenant_id")
        .select("tenant_id", "timestamp", pl.col("ip_country").str.strip_chars().str.to_uppercase())
        .filter(pl.col("timestamp") <= pl.lit(as_of))
        .collect()
    )
    hub = pl.col("ip_country").is_in(sorted(geo.HUB_JURISDICTIONS))
    before = (pl.col("timestamp") >= pl.col("listed_on") - window) & (
        pl.col("timestamp") < pl.col("listed_on")
    )
    after = (pl.col("timestamp") > pl.col("listed_on")) & (
        pl.col("timestamp") <= pl.col("listed_on") + window
    )
    known = pl.col("ip_country").is_not_null()
    sides = (
        candidates.join(signins, on="tenant_id", how="left")
        .group_by("tenant_id", "entry_name", "listed_on")
        .agg(
            (before & known).sum().alias("n_before"),
            (after & known).sum().alias("n_after"),
            hub.filter(before & known).mean().alias("hub_before"),
            hub.filter(after & known).mean().alias("hub_after"),
            pl.col("ip_country")
            .filter(after & hub)
            .drop_nulls()
            .unique()
            .sort()
            .str.join(", ")
            .alias("hubs"),
        )
        .with_columns(
            pl.when((pl.col("n_before") < MIN_SIGNINS) | (pl.col("n_after") < MIN_SIGNINS))
            .then(None)
            .otherwise(
                (pl.col("hub_before") < BEFORE_HUB_BELOW)
                & (pl.col("hub_after") >= AFTER_HUB_AT_LEAST)
            )
            .alias("moved")
        )
    )
    detail = pl.format(
        "{} of {} sign-ins from hubs ({}) in the 90 days after the {} listing of {}, {} of {} before",
        (pl.col("hub_after") * pl.col("n_after")).round().cast(pl.Int64),
        "n_after",
        "hubs",
        pl.col("listed_on").dt.strftime("%Y-%m-%d"),
        "entry_name",
        (pl.col("hub_before") * pl.col("n_before")).round().cast(pl.Int64),
        "n_before",
    )
    per_tenant = sides.group_by("tenant_id").agg(
        pl.col("moved").any(ignore_nulls=False).alias("hub_move_after_listing"),
        detail.filter(pl.col("moved").fill_null(False)).str.join("; ").alias("hub_move_detail"),
    )
    return (
        tenants.select("tenant_id")
        .join(per_tenant, on="tenant_id", how="left")
        .with_columns(
            pl.when(pl.col("tenant_id").is_in(per_tenant["tenant_id"].implode()))
            .then(pl.col("hub_move_after_listing"))
            .otherwise(False)
            .alias("hub_move_after_listing"),
            pl.when(pl.col("hub_move_detail") == "")
            .then(None)
            .otherwise(pl.col("hub_move_detail"))
            .alias("hub_move_detail"),
        )
        .select("tenant_id", *COLUMNS)
    )
