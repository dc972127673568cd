"""Identity features from the KYC record: KYC state, country groups, phone and e-mail signals.

Country-group membership (D:5, Macau, offshore, hubs) and calling codes come from
`auditor.geo`; everything here is a column expression over the whole tenant table.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from auditor import geo


def _iso(name: str) -> pl.Expr:
    value = pl.col(name).str.strip_chars().str.to_uppercase()
    return pl.when(value == "").then(None).otherwise(value)


def _in(expr: pl.Expr, members: frozenset[str] | set[str]) -> pl.Expr:
    return pl.when(expr.is_null()).then(None).otherwise(expr.is_in(sorted(members)))


def identity_features(tenants: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """One row per tenant; `hq_country` falls back to the incorporation country when no separate HQ is on record."""
    d5 = frozenset(geo.D5_OR_MACAU)
    frame = tenants.lazy().with_columns(
        _iso("country").alias("country"),
        pl.coalesce(_iso("hq_country"), _iso("country")).alias("hq_country"),
        _iso("billing_country").alias("billing_country"),
        pl.col("email_domain")
        .str.strip_chars()
        .str.to_lowercase()
        .str.strip_prefix("@")
        .alias("email_domain"),
    )
    beneficial_owners_empty = pl.col("beneficial_owners").is_null() | (
        pl.col("beneficial_owners").list.len() == 0
    )
    frame = frame.with_columns(
        pl.col("kyc_status").alias("kyc_status"),
        pl.when(pl.col("kyc_status").is_null())
        .then(None)
        .otherwise(pl.col("kyc_status") == "verified")
        .alias("kyc_verified"),
        ((pl.lit(as_of) - pl.col("created_at")).dt.total_seconds() / 86_400.0).alias(
            "account_age_days"
        ),
        geo.country_group(pl.col("country")).alias("country_group"),
        geo.country_group(pl.col("hq_country")).alias("hq_country_group"),
        geo.country_group(pl.col("billing_country")).alias("billing_country_group"),
        _in(pl.col("hq_country"), d5).alias("hq_in_d5"),
        _in(pl.col("country"), d5).alias("incorporated_in_d5"),
        _in(pl.col("billing_country"), d5).alias("billing_in_d5"),
        _in(pl.col("country"), frozenset(geo.OFFSHORE_JURISDICTIONS)).alias(
            "incorporated_offshore"
        ),
        _in(pl.col("country"), frozenset(geo.HUB_JURISDICTIONS)).alias("incorporated_in_hub"),
        (beneficial_owners_empty & pl.col("ultimate_parent").is_null()).alias("owners_undisclosed"),
        geo.phone_country(pl.col("phone")).alias("phone_country"),
        _in(pl.col("email_domain"), frozenset(geo.FREEMAIL_DOMAINS)).alias("email_is_freemail"),
        geo.email_country(pl.col("email_domain")).alias("email_country"),
    )
    frame = frame.with_columns(
        _in(pl.col("phone_country"), d5).alias("phone_in_d5"),
        _in(pl.col("email_country"), d5).alias("email_in_d5"),
    )
    return frame.select(
        "tenant_id",
        "legal_name",
        "kyc_status",
        "kyc_verified",
        "account_age_days",
        "is_reseller",
        "declared_use",
        "country",
        "hq_country",
        "billing_country",
        "country_group",
        "hq_country_group",
        "billing_country_group",
        "hq_in_d5",
        "incorporated_in_d5",
        "billing_in_d5",
        "incorporated_offshore",
        "incorporated_in_hub",
        "owners_undisclosed",
        "phone_country",
        "phone_in_d5",
        "email_domain",
        "email_is_freemail",
        "email_country",
        "email_in_d5",
    ).collect()
