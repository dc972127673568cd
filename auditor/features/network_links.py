"""Network links: tenants whose sign-ins come from the same rare source network.

A farm of accounts with a fresh card, phone and domain each still signs in through the
controller's few exit addresses. A network here is an exact IPv4 address or an IPv6 /64
(one subscriber's or one host's prefix; the low 64 bits rotate). An address is a link only
when it is rare: shared by at most `max_network_tenants` tenants -- a NAT, a VPN service, a
cloud egress or a campus is shared by hundreds and says nothing, and is reported, not used.

Each shared network gives a pair of tenants a strength in [0, 1], the product of
- rarity: 1 for two tenants, falling linearly to 0.1 at the cut-off;
- kind of network (from an ASN database, when one is configured): a hosting or VPN exit
  weighs 1, a business network 0.6, a residential line 0.5, a university 0.3, unknown 0.8;
- time overlap: 1 when their sign-ins from it overlap (within `overlap_days`), else 0.4;
- standing: 0.25 when both tenants are KYC-verified and older than `established_days`
  (old verified customers behind one coworking NAT are look-alikes), 0.5 when both are
  verified but younger, else 1 -- a farm's accounts are new and mostly unverified;
- share: the share of each tenant's sign-ins in the window that all the networks the two
  share carry, the smaller of the two. A farm account signs in (nearly) only through the
  controller's few exits; a coworking member, a subsidiary behind its group's proxy or a
  VPN user meeting a stranger on an exit signs in from home and elsewhere too, so the
  shared address is one of its several networks and weighs in proportion.
(Standing and share set on the held-out set's tune split, bench/network_heldout.py.)
All the work is joins and group-bys over the (tenant, network) table, whose self-join is
bounded by the rarity cut-off, so it grows linearly with the sign-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from auditor.asn import NetworkKinds
from auditor.features.ip_networks import with_networks
from auditor.features.signin_pairs import distinct_pairs, pair_signins, window_rows

KIND_WEIGHTS = {
    "hosting": 1.0,
    "unknown": 0.8,
    "business": 0.6,
    "residential": 0.5,
    "education": 0.3,
}
NO_OVERLAP_WEIGHT = 0.4
ESTABLISHED_WEIGHT = 0.25
VERIFIED_WEIGHT = 0.5
LINK_COLUMNS = pl.Schema(
    {
        "tenant_id": pl.String,
        "other_id": pl.String,
        "kind": pl.String,
        "strength": pl.Float64,
        "reason": pl.String,
    }
)


@dataclass(frozen=True)
class NetworkSettings:
    """How rare, how close in time and how young tenants must be for a shared network to link them."""

    max_network_tenants: int = 10
    overlap_days: int = 14
    established_days: int = 365
    launch_window_minutes: int = 30
    min_launch_days: int = 3
    max_launch_bucket_tenants: int = 50
    burst_days: int = 7
    max_burst_group: int = 20
    cluster_strength: float = 0.5
    kinds: NetworkKinds | None = None  # an ASN database, when configured


def standing_of(tenants: pl.DataFrame, as_of: datetime, settings: NetworkSettings) -> pl.DataFrame:
    """tenant_id, verified (KYC), established (verified and older than `established_days`)."""
    verified = (pl.col("kyc_status").str.strip_chars().str.to_lowercase() == "verified").fill_null(
        False
    )
    old = (
        pl.col("created_at") <= pl.lit(as_of - timedelta(days=settings.established_days))
    ).fill_null(False)
    return tenants.select(
        "tenant_id", verified.alias("verified"), (verified & old).alias("established")
    )


def _both(name: str) -> pl.Expr:
    return pl.col(name).fill_null(False) & pl.col(f"{name}_o").fill_null(False)


def standing_weight() -> pl.Expr:
    """Of a pair row with `verified`, `established` and their `_o` twins: a quarter when both
    tenants are established, VERIFIED_WEIGHT when both are at least KYC-verified, else 1."""
    return (
        pl.when(_both("established"))
        .then(ESTABLISHED_WEIGHT)
        .when(_both("verified"))
        .then(VERIFIED_WEIGHT)
        .otherwise(1.0)
    )


def standing_note() -> pl.Expr:
    """Why `standing_weight` discounts a pair, for its sentence: empty when it does not."""
    return (
        pl.when(_both("established"))
        .then(pl.format(" (it and {} are both verified and over a year old)", "tenant_id_o"))
        .when(_both("verified"))
        .then(pl.format(" (it and {} are both verified)", "tenant_id_o"))
        .otherwise(pl.lit(""))
    )


def empty_links() -> pl.DataFrame:
    return pl.DataFrame(schema=LINK_COLUMNS)


def network_keys(
    access: pl.DataFrame | pl.LazyFrame, as_of: datetime, max_network_tenants: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per_network, sizes): tenant_id, network, signins, first, last, total_signins for each tenant on a
    rare network (2 to `max_network_tenants` tenants); and network, n (its tenants) for every
    network at least two tenants share.

    The big table is read once into its distinct (tenant, address) pairs (`signin_pairs`) --
    a tenant signs in from a few addresses, so that table is small -- and only then are
    addresses turned into networks (`ip_networks.with_networks`). A plain IPv4 address only
    one tenant uses is a network of one and links nobody: it is left out before that string
    work, unless another spelling of it (`::ffff:`, spaces) is among the rest. Sign-ins are
    counted only for the pairs on rare networks, and each of their tenants' sign-ins in all
    (`total_signins`, for the share). Unusable addresses are dropped.
    """
    rows = window_rows(access, as_of)
    pairs = distinct_pairs(rows)
    # by the address's hash: a collision only keeps a lonely address in, never drops one
    lonely = (
        pl.col("source_ip").str.contains(r"^[0-9.]+$")
        & ~pl.col("source_ip").hash(seed=0).is_duplicated()
    )
    pairs = pairs.with_columns(lonely.alias("_lonely"))
    netted = with_networks(pairs.filter(~pl.col("_lonely")))
    respelled = netted.filter(pl.col("network") != pl.col("source_ip"))["network"]
    back = pairs.filter(pl.col("_lonely") & pl.col("source_ip").is_in(respelled.implode()))
    if back.height:
        netted = pl.concat([netted, with_networks(back)])
    on_networks = netted.filter(pl.col("network").is_not_null()).drop("_lonely")
    sizes = (
        on_networks.group_by("network")
        .agg(pl.col("tenant_id").n_unique().alias("n"))
        .filter(pl.col("n") >= 2)
    )
    rare = sizes.filter(pl.col("n") <= max_network_tenants).select("network")
    on_rare = on_networks.join(rare, on="network")
    per_network = (
        pair_signins(rows, on_rare)
        .group_by("tenant_id", "network")
        .agg(pl.col("signins").sum(), pl.col("first").min(), pl.col("last").max())
    )
    sharers = per_network.select(pl.col("tenant_id").unique())
    totals = (
        rows.filter(pl.col("tenant_id").is_in(sharers["tenant_id"].implode()))
        .group_by("tenant_id")
        .agg(pl.len().alias("total_signins"))
    )
    return per_network.join(totals, on="tenant_id"), sizes


def masked(network: pl.Expr) -> pl.Expr:
    """116.14.7.x / 2001:db8:42:x::/64: the /24 or /48 around it, as analytics tools anonymise
    an address -- enough to tell networks apart on a case, not the address itself."""
    return (
        pl.when(network.str.contains(":", literal=True))
        .then(network.str.extract(r"^([0-9a-f]+:[0-9a-f]*:[0-9a-f]*)", 1) + pl.lit(":x::/64"))
        .otherwise(network.str.extract(r"^(\d+\.\d+\.\d+)\.", 1) + pl.lit(".x"))
    )


def network_links(
    access: pl.DataFrame | pl.LazyFrame,
    tenants: pl.DataFrame,
    as_of: datetime,
    settings: NetworkSettings,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(links, common): one row per tenant, other tenant and rare shared network; and the count
    of networks too widely shared to link (kind `source_network`, values, tenants)."""
    per_network, sizes = network_keys(access, as_of, settings.max_network_tenants)
    common = (
        sizes.filter(pl.col("n") > settings.max_network_tenants)
        .select(
            pl.lit("source_network").alias("kind"),
            pl.len().alias("values"),
            pl.col("n").sum().alias("tenants"),
        )
        .filter(pl.col("values") > 0)
    )
    rare = sizes.filter((pl.col("n") >= 2) & (pl.col("n") <= settings.max_network_tenants))
    if rare.height == 0:
        return empty_links(), common
    kinds = rare.select("network").with_columns(
        pl.Series(
            "network_kind",
            [
                settings.kinds.kind(_first_address(n)) if settings.kinds is not None else "unknown"
                for n in rare["network"].to_list()
            ],
            dtype=pl.String,
        )
    )
    standing = tenants.select("tenant_id", "created_at").join(
        standing_of(tenants, as_of, settings), on="tenant_id"
    )
    shared = (
        per_network.join(rare, on="network")
        .join(kinds, on="network")
        .join(standing, on="tenant_id", how="left")
        .with_columns(
            ((pl.col("created_at").max() - pl.col("created_at").min()).over("network")).alias(
                "created_span"
            )
        )
    )
    pairs = shared.join(shared, on="network", suffix="_o").filter(
        pl.col("tenant_id") != pl.col("tenant_id_o")
    )
    # The share of each tenant's sign-ins carried by all the networks the two share: a farm
    # account signs in (nearly) only through the controller's exits; a coworking member or a
    # subsidiary behind a proxy signs in from home and elsewhere too.
    pair_share = pl.min_horizontal(
        pl.col("signins").sum().over("tenant_id", "tenant_id_o") / pl.col("total_signins"),
        pl.col("signins_o").sum().over("tenant_id", "tenant_id_o") / pl.col("total_signins_o"),
    )
    pairs = pairs.with_columns(pair_share.alias("pair_share"))
    slack = pl.duration(days=settings.overlap_days)
    overlap = (pl.col("first") <= pl.col("last_o") + slack) & (
        pl.col("first_o") <= pl.col("last") + slack
    )
    rarity = 1.0 - 0.9 * (pl.col("n") - 2) / max(settings.max_network_tenants - 2, 1)
    kind_weight = pl.col("network_kind").replace_strict(KIND_WEIGHTS, default=0.8)
    span_days = pl.col("created_span").dt.total_days()
    reason = pl.format(
        "{} sign-ins ({}% of its sign-ins) from {}{}, shared with {} other tenant(s){}{}",
        pl.col("signins"),
        (100 * pl.col("signins") / pl.col("total_signins")).round(0).cast(pl.Int64),
        masked(pl.col("network")),
        pl.when(pl.col("network_kind") != "unknown")
        .then(pl.format(" ({} network)", pl.col("network_kind")))
        .otherwise(pl.lit("")),
        pl.col("n") - 1,
        pl.when(span_days.is_not_null())
        .then(pl.format(", all created within {} days", span_days))
        .otherwise(pl.lit("")),
        standing_note(),
    )
    links = pairs.select(
        "tenant_id",
        pl.col("tenant_id_o").alias("other_id"),
        pl.lit("source_network").alias("kind"),
        (
            rarity
            * kind_weight
            * pl.when(overlap).then(1.0).otherwise(NO_OVERLAP_WEIGHT)
            * standing_weight()
            * pl.col("pair_share").clip(upper_bound=1.0)
        ).alias("strength"),
        reason.alias("reason"),
    )
    return links.cast(LINK_COLUMNS), common


def _first_address(network: str) -> str:
    return network.split("/")[0]
