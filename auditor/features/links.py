"""Links between tenants: shared payment instruments, phones, private e-mail domains, addresses.

One actor behind many small accounts shows up as tenants sharing such values. Groups are
the connected components of the tenant-value graph, found by min-label hooking with
pointer jumping over integer arrays (each round is whole-array work, and rounds grow with
the logarithm of a chain's length, not its length), iterated until nothing changes -- so
a chain of any length is one group, and a value shared by many tenants costs linear, not
quadratic, work. Values shared by more than `max_group` tenants are too common
to mean one actor (a building's address, a corporate domain with many teams) and are not
used as links; they are returned so the run can report them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

LINK_KINDS = ("payment_fingerprint", "phone", "email_domain", "address")
DEFAULT_MAX_GROUP = 50


@dataclass(frozen=True)
class Links:
    features: (
        pl.DataFrame
    )  # tenant_id, linked_tenant_ids, linked_tenant_count, link_reasons, cluster_id, cluster_size
    common_values: pl.DataFrame  # kind, tenants: values too widely shared to link (value itself not kept: may be personal data)


def _normalised_values(tenants: pl.DataFrame, freemail: list[str]) -> pl.LazyFrame:
    t = tenants.lazy()
    phone = pl.col("phone").str.replace_all(r"[^0-9+]", "").str.replace(r"^00", "+")
    address = (
        pl.col("address")
        .str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )
    domain = pl.col("email_domain").str.strip_chars().str.to_lowercase()
    parts = [
        t.select(
            "tenant_id",
            pl.lit("payment_fingerprint").alias("kind"),
            pl.col("payment_fingerprint").str.strip_chars().alias("value"),
        ),
        t.select("tenant_id", pl.lit("phone").alias("kind"), phone.alias("value")),
        t.select(
            "tenant_id",
            pl.lit("email_domain").alias("kind"),
            pl.when(domain.is_in(freemail)).then(None).otherwise(domain).alias("value"),
        ),
        t.select("tenant_id", pl.lit("address").alias("kind"), address.alias("value")),
    ]
    return (
        pl.concat(parts)
        .filter(pl.col("value").is_not_null() & (pl.col("value").str.len_chars() >= 3))
        .unique()
    )


def find_links(
    tenants: pl.DataFrame,
    freemail: list[str],
    max_group: int = DEFAULT_MAX_GROUP,
    extra_pairs: pl.DataFrame | None = None,
) -> Links:
    """Shared-value links and groups; `extra_pairs` (tenant_id, other_id) join groups too
    (the network and launch links of `farm_links`) without counting as shared values."""
    values = _normalised_values(tenants, freemail)
    sizes = values.group_by("kind", "value").agg(pl.len().alias("n"))
    usable = values.join(
        sizes.filter((pl.col("n") >= 2) & (pl.col("n") <= max_group)),
        on=["kind", "value"],
        how="semi",
    )
    common = (
        sizes.filter(pl.col("n") > max_group)
        .group_by("kind")
        .agg(pl.len().alias("values"), pl.col("n").sum().alias("tenants"))
    )
    edges = (
        usable.with_columns(pl.concat_str("kind", pl.lit("\x1f"), "value").alias("node"))
        .select("tenant_id", "kind", "node")
        .collect()
    )

    direct = (
        edges.join(edges, on="node", suffix="_other")
        .filter(pl.col("tenant_id") != pl.col("tenant_id_other"))
        .group_by("tenant_id")
        .agg(
            pl.col("tenant_id_other").unique().sort().alias("linked_tenant_ids"),
            pl.col("kind").unique().sort().alias("link_reasons"),
        )
        .with_columns(
            pl.col("linked_tenant_ids").list.len().cast(pl.Float64).alias("linked_tenant_count")
        )
    )
    graph = edges.select("tenant_id", "node")
    if extra_pairs is not None and extra_pairs.height:
        graph = pl.concat([graph, _pair_nodes(extra_pairs)])
    clusters = _components(graph)
    features = (
        tenants.select("tenant_id")
        .join(direct, on="tenant_id", how="left")
        .join(clusters, on="tenant_id", how="left")
        .with_columns(
            pl.col("linked_tenant_ids").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("link_reasons").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("linked_tenant_count").fill_null(0.0),
            pl.col("cluster_id").fill_null(pl.col("tenant_id")),
        )
        .with_columns(pl.len().over("cluster_id").cast(pl.Float64).alias("cluster_size"))
    )
    return Links(features, common.collect())


def _pair_nodes(pairs: pl.DataFrame) -> pl.DataFrame:
    """Each linked pair as a node both tenants touch, so components see it as one more shared value."""
    low = pl.min_horizontal("tenant_id", "other_id")
    high = pl.max_horizontal("tenant_id", "other_id")
    nodes = pairs.select(low.alias("a"), high.alias("b")).unique()
    node = pl.concat_str(pl.lit("pair"), "a", "b", separator="\x1f")
    return pl.concat(
        [
            nodes.select(pl.col("a").alias("tenant_id"), node.alias("node")),
            nodes.select(pl.col("b").alias("tenant_id"), node.alias("node")),
        ]
    )


def _components(edges: pl.DataFrame) -> pl.DataFrame:
    """Connected components of the bipartite tenant-node graph; the label is the smallest tenant id.

    Tenants are numbered in sorted order before the value nodes, so a component's smallest
    vertex number is its smallest tenant id. Each round hooks every edge's two roots onto
    the smaller one, then jumps pointers until every vertex points at a root. It stops only
    when every edge joins two vertices of one root: exact, with no cap on rounds (labels only
    ever decrease, so it terminates).
    """
    tenant_ids = edges["tenant_id"].unique().sort()
    nodes = edges["node"].unique()
    tenant_index = pl.DataFrame(
        {"tenant_id": tenant_ids, "u": np.arange(len(tenant_ids), dtype=np.int64)}
    )
    node_index = pl.DataFrame(
        {
            "node": nodes,
            "v": np.arange(len(tenant_ids), len(tenant_ids) + len(nodes), dtype=np.int64),
        }
    )
    pairs = edges.join(tenant_index, on="tenant_id").join(node_index, on="node")
    u = pairs["u"].to_numpy()
    v = pairs["v"].to_numpy()
    parent = np.arange(len(tenant_ids) + len(nodes), dtype=np.int64)
    while True:
        root_u, root_v = parent[u], parent[v]
        if np.array_equal(root_u, root_v):
            break
        lower = np.minimum(root_u, root_v)
        np.minimum.at(parent, root_u, lower)
        np.minimum.at(parent, root_v, lower)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    labels = parent[: len(tenant_ids)]
    return pl.DataFrame({"tenant_id": tenant_ids, "cluster_id": tenant_ids.gather(labels)})
