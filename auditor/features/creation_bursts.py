"""Creation bursts: accounts opened within days of each other with the same KYC shape.

A farm is usually opened in one go: a handful of accounts in a week, from the same group
of countries, with the same KYC status and the same declared use. On its own that is an
ordinary week of sign-ups, so it is a weak link (strength 0.25) that only strengthens a
network or launch link; it never clusters tenants by itself. Shapes are (country group,
verified or not, declared use); a shape-and-window group bigger than `max_burst_group` is
ordinary sign-up volume and links nobody, which also bounds the join.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from auditor import geo
from auditor.features.network_links import LINK_COLUMNS, NetworkSettings, empty_links

BURST_STRENGTH = 0.25
DAY_US = 86_400_000_000


def burst_links(tenants: pl.DataFrame, as_of: datetime, settings: NetworkSettings) -> pl.DataFrame:
    """One link row per tenant and other tenant created within `burst_days` with the same shape."""
    window_us = settings.burst_days * DAY_US
    # each country's group once: a million tenants come from a few hundred countries
    groups = tenants.select(pl.col("country").unique()).with_columns(
        geo.country_group(pl.col("country")).alias("group")
    )
    shaped = (
        tenants.join(groups, on="country", how="left", nulls_equal=True)
        .select(
            "tenant_id",
            "created_at",
            "group",
            (pl.col("kyc_status").str.strip_chars().str.to_lowercase() == "verified").alias(
                "verified"
            ),
            pl.col("declared_use").str.strip_chars().str.to_lowercase().alias("use"),
        )
        .filter(
            pl.col("created_at").is_not_null()
            & (pl.col("created_at") <= pl.lit(as_of))
            & pl.col("group").is_not_null()
            & pl.col("verified").is_not_null()
            & pl.col("use").is_not_null()
        )
    )
    shaped = shaped.with_columns((pl.col("created_at").dt.epoch("us") // window_us).alias("bucket"))
    shape = ["group", "verified", "use"]
    crowd = shaped.group_by(*shape, "bucket").agg(pl.len().alias("crowd"))
    shaped = shaped.join(crowd, on=[*shape, "bucket"]).filter(
        pl.col("crowd") <= settings.max_burst_group
    )
    if shaped.height == 0:
        return empty_links()
    neighbours = pl.concat(
        [shaped.with_columns(pl.col("bucket") + offset) for offset in (-1, 0, 1)]
    )
    span = pl.col("created_at") - pl.col("created_at_o")
    pairs = shaped.join(neighbours, on=[*shape, "bucket"], suffix="_o").filter(
        (pl.col("tenant_id") != pl.col("tenant_id_o"))
        & (span.abs() <= pl.duration(days=settings.burst_days))
    )
    return pairs.select(
        "tenant_id",
        pl.col("tenant_id_o").alias("other_id"),
        pl.lit("creation_burst").alias("kind"),
        pl.lit(BURST_STRENGTH).alias("strength"),
        pl.format(
            "created {} {} with the same KYC shape ({}, {}, {})",
            pl.when(span.abs().dt.total_days() == 0)
            .then(pl.lit("the same day as"))
            .otherwise(pl.format("within {} days of", span.abs().dt.total_days())),
            "tenant_id_o",
            "group",
            pl.when(pl.col("verified")).then(pl.lit("verified")).otherwise(pl.lit("not verified")),
            "use",
        ).alias("reason"),
    ).cast(LINK_COLUMNS)
