"""Account farms that share no card: network, launch-rhythm and creation-burst links, combined.

Each link kind (`network_links`, `launch_rhythm`, `creation_bursts`) gives pairs of tenants
a strength in [0, 1] and a sentence saying why. Several pieces of one kind (two shared
exit addresses) and several kinds for one pair combine as independent evidence,
1 - prod(1 - s). A pair whose combined strength reaches `cluster_strength` is an *edge*:
it joins the two tenants' clusters, beside the shared-instrument links of `links.py`. A
strong link alone is enough; weak links (a creation burst, a shared address with many
tenants or between established customers) join only when they agree. Weak links alone are
kept as reasons, shown on the case if the tenant is in one, and never cluster anybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from auditor.features.creation_bursts import burst_links
from auditor.features.launch_rhythm import launch_links
from auditor.features.network_links import NetworkSettings, network_links

EMPTY_LIST = pl.lit([], dtype=pl.List(pl.String))
FARM_COLUMNS = (
    "network_linked_tenant_ids",
    "network_link_reasons",
    "network_link_strength",
    "network_link_count",
    "synchronized_launch_count",
    "creation_burst_size",
)


@dataclass(frozen=True)
class FarmLinks:
    features: pl.DataFrame  # tenant_id + FARM_COLUMNS + network_link_kinds
    edges: pl.DataFrame  # tenant_id, other_id: pairs strong enough to cluster (both directions)
    links: pl.DataFrame  # every link piece: tenant_id, other_id, kind, strength, reason
    common: pl.DataFrame  # kind, values, tenants: networks too widely shared to link


def combine(pieces: pl.DataFrame, cluster_strength: float) -> pl.DataFrame:
    """Per (tenant, other): combined strength, kinds, and whether it is an edge."""
    survive = (1.0 - pl.col("strength").clip(0.0, 1.0)).log().sum().exp()
    per_kind = pieces.group_by("tenant_id", "other_id", "kind").agg(
        (1.0 - survive).alias("strength")
    )
    return (
        per_kind.group_by("tenant_id", "other_id")
        .agg((1.0 - survive).alias("strength"), pl.col("kind").sort().alias("kinds"))
        .with_columns(
            (
                # to 9 places: a pair designed to reach it (0.8 x 0.625) lands on 0.4999...
                ((pl.col("strength") - cluster_strength).round(9) >= 0.0)
                & (pl.col("kinds") != pl.lit(["creation_burst"], dtype=pl.List(pl.String)))
            ).alias("edge")
        )
    )


def farm_links(
    access: pl.DataFrame | pl.LazyFrame,
    usage: pl.DataFrame | pl.LazyFrame,
    tenants: pl.DataFrame,
    as_of: datetime,
    settings: NetworkSettings | None = None,
) -> FarmLinks:
    """Every link piece, the pairs that cluster, and one feature row per tenant."""
    settings = settings or NetworkSettings()
    network, common = network_links(access, tenants, as_of, settings)
    launches, counts = launch_links(usage, tenants, as_of, settings)
    bursts = burst_links(tenants, as_of, settings)
    # A creation burst only strengthens another link: alone it is an ordinary week of sign-ups.
    others = pl.concat([network, launches])
    agreeing = bursts.join(others, on=["tenant_id", "other_id"], how="semi")
    pieces = pl.concat([others, agreeing])
    pairs = combine(pieces, settings.cluster_strength)
    edges = pairs.filter("edge")
    weak_tag = pl.when(pl.col("edge")).then(pl.lit("")).otherwise(pl.lit("weak: "))
    reasons = (
        pieces.join(pairs.select("tenant_id", "other_id", "edge"), on=["tenant_id", "other_id"])
        .group_by("tenant_id")
        .agg((weak_tag + pl.col("reason")).unique().sort().alias("network_link_reasons"))
    )
    per_tenant = pairs.group_by("tenant_id").agg(
        pl.col("other_id").filter("edge").sort().alias("network_linked_tenant_ids"),
        pl.col("strength").max().alias("network_link_strength"),
        pl.len().cast(pl.Float64).alias("network_link_count"),
        pl.col("kinds")
        .filter("edge")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .alias("network_link_kinds"),
    )
    bursts_per_tenant = bursts.group_by("tenant_id").agg(
        pl.col("other_id").n_unique().cast(pl.Float64).alias("creation_burst_size")
    )
    features = (
        tenants.select("tenant_id")
        .join(per_tenant, on="tenant_id", how="left")
        .join(reasons, on="tenant_id", how="left")
        .join(counts, on="tenant_id", how="left")
        .join(bursts_per_tenant, on="tenant_id", how="left")
        .with_columns(
            pl.col("network_linked_tenant_ids").fill_null(EMPTY_LIST),
            pl.col("network_link_reasons").fill_null(EMPTY_LIST),
            pl.col("network_link_kinds").fill_null(EMPTY_LIST),
            pl.col("network_link_strength").fill_null(0.0),
            pl.col("network_link_count").fill_null(0.0),
            pl.col("synchronized_launch_count").fill_null(0.0),
            pl.col("creation_burst_size").fill_null(0.0),
        )
    )
    return FarmLinks(features, edges.select("tenant_id", "other_id"), pieces, common)
