"""Sign-in features: where a tenant is operated from, judged by the countries of its sign-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl


def access_features(
    access: pl.DataFrame | pl.LazyFrame, as_of: datetime, d5_countries: frozenset[str]
) -> pl.DataFrame:
    """One row per tenant with sign-ins in the last 90 days: count, share from D:5/Macau, countries.

    A tenant with no sign-ins in the window has no row; the share is then unknown (null),
    not zero, because nothing was observed.
    """
    window = access.lazy().filter(
        (pl.col("timestamp") <= pl.lit(as_of))
        & (pl.col("timestamp") > pl.lit(as_of - timedelta(days=90)))
    )
    country = pl.col("ip_country").str.strip_chars().str.to_uppercase()
    return (
        window.group_by("tenant_id")
        .agg(
            pl.len().cast(pl.Float64).alias("signin_count_90d"),
            # Share among sign-ins whose country is known; unknown when none is known.
            (country.is_in(list(d5_countries)).filter(country.is_not_null()).mean()).alias(
                "d5_signin_share"
            ),
            country.drop_nulls().unique().sort().alias("signin_countries"),
        )
        .collect(engine="streaming")
    )
