"""CIP completeness: what each tenant's KYC record lacks or contradicts, as columns.

The proposed IaaS customer-identification rule (89 FR 5698) asks, for every account with a
foreign beneficial owner: name, address, means and source of payment, e-mail addresses and
telephone numbers, the IP addresses used for access or administration, and the beneficial
owners; a foreign reseller must run the same programme for its own customers. Each gap
below is one of those items missing or contradicted by the rest of the record:

| gap | the record |
| --- | --- |
| `no_beneficial_owners` | lists no beneficial owner |
| `no_payment_source` | has no payment instrument or no billing country |
| `payment_country_mismatch` | bills from a country that is neither its country nor its HQ |
| `no_email` / `freemail_email` | has no e-mail domain / a public mail provider's |
| `no_phone` / `phone_country_mismatch` | has no phone / one whose calling code is neither country nor HQ |
| `no_address` / `registered_agent_address` | has no address / only a registered agent's (agents.py) |
| `no_signin_ips` | no sign-in with a source IP in 90 days (judged only when the access file has `source_ip`) |
| `downstream_unidentified` | a reseller without identified downstream customers (no `--downstream` rows for it, or a row without name or country) |

A gap is a fact about the record, so a missing value is a gap, not unknown; a column the
input lacks altogether makes the features unavailable instead (features/vocabulary.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from auditor.cip.agents import registered_agent_of

DEFAULT_HOME_COUNTRY = "US"

GAPS: tuple[str, ...] = (
    "no_beneficial_owners",
    "no_payment_source",
    "payment_country_mismatch",
    "no_email",
    "freemail_email",
    "no_phone",
    "phone_country_mismatch",
    "no_address",
    "registered_agent_address",
    "no_signin_ips",
    "downstream_unidentified",
)


@dataclass(frozen=True)
class CipSettings:
    """What the CIP features need besides the tenant table."""

    home_country: str = (
        DEFAULT_HOME_COUNTRY  # the provider's own country: owners elsewhere are foreign
    )
    downstream: pl.DataFrame | None = None  # the DOWNSTREAM table, or None when no file was given
    training_utilisation: float = 0.4  # share of peak a training job sustains (cip.training)


def _blank(expr: pl.Expr) -> pl.Expr:
    return expr.is_null() | (expr.cast(pl.String).str.strip_chars() == "")


def _outside(value: pl.Expr, *home: pl.Expr) -> pl.Expr:
    """value is known and is none of `home` (null when value is null)."""
    same = pl.any_horizontal([value == h for h in home])
    return pl.when(value.is_null()).then(None).otherwise(~same.fill_null(False))


def signin_ips(access: pl.LazyFrame, as_of: datetime) -> pl.DataFrame:
    """tenant_id, signin_ip_count_90d: distinct source IPs of the last 90 days' sign-ins."""
    return (
        access.filter(
            (pl.col("timestamp") <= pl.lit(as_of))
            & (pl.col("timestamp") > pl.lit(as_of - timedelta(days=90)))
        )
        .group_by("tenant_id")
        .agg(
            pl.col("source_ip")
            .drop_nulls()
            .n_unique()
            .cast(pl.Float64)
            .alias("signin_ip_count_90d")
        )
        .collect(engine="streaming")
    )


def _downstream_status(downstream: pl.DataFrame | None) -> pl.DataFrame:
    """reseller_id, downstream_customer_count, downstream_incomplete_count."""
    if downstream is None:
        return pl.DataFrame(
            schema={
                "reseller_id": pl.String,
                "downstream_customer_count": pl.Float64,
                "downstream_incomplete_count": pl.Float64,
            }
        )
    incomplete = _blank(pl.col("customer_name")) | _blank(pl.col("customer_country"))
    return downstream.group_by("reseller_id").agg(
        pl.len().cast(pl.Float64).alias("downstream_customer_count"),
        incomplete.sum().cast(pl.Float64).alias("downstream_incomplete_count"),
    )


def foreign_owners(ownership: Any, home_country: str) -> pl.DataFrame | None:
    """tenant_id, foreign_owner: a direct owner in the ownership/parties files is outside the home country.

    `ownership` is ownership.inputs.OwnershipInput (None without those files). Only direct
    owners with a stated country count; a chain above them is the ownership stage's business.
    """
    if ownership is None:
        return None
    edges: pl.DataFrame = ownership.edges
    nodes: pl.DataFrame = ownership.nodes
    countries = nodes.select(
        pl.col("node_id").alias("owner_id"), pl.col("country").str.strip_chars().str.to_uppercase()
    ).filter(pl.col("country").is_not_null() & (pl.col("country") != ""))
    return (
        edges.select("owner_id", pl.col("owned_id").alias("tenant_id"))
        .join(countries, on="owner_id")
        .group_by("tenant_id")
        .agg((pl.col("country") != home_country.strip().upper()).any().alias("foreign_owner"))
    )


def cip_features(
    identity: pl.DataFrame,
    tenants: pl.DataFrame,
    access: pl.LazyFrame,
    as_of: datetime,
    settings: CipSettings,
    access_ips_known: bool,
    owners: pl.DataFrame | None = None,
    ip_counts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per tenant: foreign_person, the contradiction flags, and `cip_gaps` with its count.

    `identity` is features.identity's frame (normalised countries, phone country, freemail);
    `access_ips_known` says whether sign-ins with source IPs were supplied at all;
    `ip_counts` is `signin_ips` already computed by the engine holding the sign-ins (Spark),
    else it is computed here from `access`.
    """
    home = pl.lit(settings.home_country.strip().upper())
    raw = tenants.select(
        "tenant_id",
        pl.col("beneficial_owners").alias("_owners"),
        pl.col("payment_fingerprint").alias("_payment"),
        pl.col("address").alias("_address"),
        pl.col("phone").alias("_phone"),
    )
    frame = identity.select(
        "tenant_id",
        "country",
        "hq_country",
        "billing_country",
        "phone_country",
        "email_domain",
        "email_is_freemail",
        "is_reseller",
    ).join(raw, on="tenant_id", how="left")
    if not access_ips_known:
        ips = None
    else:
        ips = ip_counts if ip_counts is not None else signin_ips(access, as_of)
    if ips is not None:
        frame = frame.join(ips, on="tenant_id", how="left").with_columns(
            pl.col("signin_ip_count_90d").fill_null(0.0)
        )
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("signin_ip_count_90d"))
    status = _downstream_status(settings.downstream)
    frame = frame.join(status, left_on="tenant_id", right_on="reseller_id", how="left")
    if settings.downstream is not None:
        frame = frame.with_columns(pl.col("downstream_customer_count").fill_null(0.0))
    if owners is not None:
        frame = frame.join(owners, on="tenant_id", how="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Boolean).alias("foreign_owner"))
    reseller = pl.col("is_reseller")
    unidentified = (pl.col("downstream_customer_count").fill_null(0.0) == 0) | (
        pl.col("downstream_incomplete_count").fill_null(0.0) > 0
    )
    frame = frame.with_columns(
        # The owner (the company's country or HQ) outside the home country, or a direct owner in
        # the ownership/parties files with a foreign country; KYC beneficial owners carry no
        # country, so without those files the company's own countries stand for them.
        (
            _outside(pl.col("country"), home)
            | _outside(pl.col("hq_country"), home)
            | pl.col("foreign_owner").fill_null(False)
        ).alias("foreign_person"),
        registered_agent_of(pl.col("_address")).alias("registered_agent"),
        _outside(pl.col("billing_country"), pl.col("country"), pl.col("hq_country")).alias(
            "payment_country_mismatch"
        ),
        _outside(pl.col("phone_country"), pl.col("country"), pl.col("hq_country")).alias(
            "phone_country_mismatch"
        ),
        pl.when(reseller.is_null())
        .then(None)
        .otherwise(reseller & unidentified)
        .alias("downstream_unidentified"),
    )
    present = {
        "no_beneficial_owners": pl.col("_owners").is_null() | (pl.col("_owners").list.len() == 0),
        "no_payment_source": _blank(pl.col("_payment")) | pl.col("billing_country").is_null(),
        "payment_country_mismatch": pl.col("payment_country_mismatch"),
        "no_email": _blank(pl.col("email_domain")),
        "freemail_email": pl.col("email_is_freemail"),
        "no_phone": _blank(pl.col("_phone")),
        "phone_country_mismatch": pl.col("phone_country_mismatch"),
        "no_address": _blank(pl.col("_address")),
        "registered_agent_address": pl.col("registered_agent").is_not_null(),
        "no_signin_ips": pl.col("signin_ip_count_90d") == 0,
        "downstream_unidentified": pl.col("downstream_unidentified"),
    }
    gaps = pl.concat_list(
        [
            pl.when(present[name].fill_null(False)).then(pl.lit(name)).otherwise(None)
            for name in GAPS
        ]
    ).list.drop_nulls()
    return frame.with_columns(
        gaps.alias("cip_gaps"),
        pl.when(_blank(pl.col("_address")))
        .then(None)
        .otherwise(pl.col("registered_agent").is_not_null())
        .alias("address_is_registered_agent"),
    ).select(
        "tenant_id",
        "foreign_person",
        "registered_agent",
        "address_is_registered_agent",
        "payment_country_mismatch",
        "phone_country_mismatch",
        "signin_ip_count_90d",
        "downstream_customer_count",
        "downstream_unidentified",
        "cip_gaps",
        pl.col("cip_gaps").list.len().cast(pl.Float64).alias("cip_gap_count"),
    )
