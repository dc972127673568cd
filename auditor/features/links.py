"""Links between tenants: shared payment instruments, phones, private e-mail domains, addresses.

One actor behind many small accounts shows up as tenants sharing such values. Groups are
the connected components of the tenant-value graph, found by min-label propagation over
whole tables (each round is two group-bys), so a value shared by many tenants costs
linear, not quadratic, work. Values shared by more than `max_group` tenants are too common
to mean one actor (a building's address, a corporate domain with many teams) and are not
used as links; they are returned so the run can report them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

LINK_KINDS = ("payment_fingerprint", "phone", "email_domain", "address")
DEFAULT_MAX_GROUP = 50
MAX_ROUNDS = 100


@dataclass(frozen=True)
class Links:
    features: pl.DataFrame  # tenant_id, linked_tenant_ids, linked_tenant_count, link_reasons, cluster_id, cluster_size
    common_values: pl.DataFrame  # kind, tenants: values too widely shared to link (value itself not kept: may be personal data)


def _normalised_values(tenants: pl.DataFrame, freemail: list[str]) -> pl.LazyFrame:
    t = tenants.lazy()
    phone = pl.col("phone").str.replace_all(r"[^0-9+]", "").str.replace(r"^00", "+")
    address = pl.col("address").str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
    domain = pl.col("email_domain").str.strip_chars().str.to_lowercase()
    parts = [
        t.select("tenant_id", pl.lit("payment_fingerprint").alias("kind"), pl.col("payment_fingerprint").str.strip_chars().alias("value")),
        t.select("tenant_id", pl.lit("phone").alias("kind"), phone.alias("value")),
        t.select("tenant_id", pl.lit("email_domain").alias("kind"), pl.when(domain.is_in(freemail)).then(None).otherwise(domain).alias("value")),
        t.select("tenant_id", pl.lit("address").alias("kind"), address.alias("value")),
    ]
    return pl.concat(parts).filter(pl.col("value").is_not_null() & (pl.col("value").str.len_chars() >= 3)).unique()


def find_links(tenants: pl.DataFrame, freemail: list[str], max_group: int = DEFAULT_MAX_GROUP) -> Links:
    values = _normalised_values(tenants, freemail)
    sizes = values.group_by("kind", "value").agg(pl.len().alias("n"))
    usable = values.join(sizes.filter((pl.col("n") >= 2) & (pl.col("n") <= max_group)), on=["kind", "value"], how="semi")
    common = sizes.filter(pl.col("n") > max_group).group_by("kind").agg(pl.len().alias("values"), pl.col("n").sum().alias("tenants"))
    edges = usable.with_columns(pl.concat_str("kind", pl.lit("\x1f"), "value").alias("node")).select("tenant_id", "kind", "node").collect()

    direct = (
        edges.join(edges, on="node", suffix="_other")
        .filter(pl.col("tenant_id") != pl.col("tenant_id_other"))
        .group_by("tenant_id")
        .agg(
            pl.col("tenant_id_other").unique().sort().alias("linked_tenant_ids"),
            pl.col("kind").unique().sort().alias("link_reasons"),
        )
        .with_columns(pl.col("linked_tenant_ids").list.len().cast(pl.Float64).alias("linked_tenant_count"))
    )
    clusters = _components(edges.select("tenant_id", "node"))
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


def _components(edges: pl.DataFrame) -> pl.DataFrame:
    """Connected components of the bipartite tenant-node graph; the label is the smallest tenant id."""
    labels = edges.select("tenant_id").unique().with_columns(pl.col("tenant_id").alias("cluster_id"))
    for _ in range(MAX_ROUNDS):
        node_labels = edges.join(labels, on="tenant_id").group_by("node").agg(pl.col("cluster_id").min())
        new = (
            edges.join(node_labels, on="node")
            .group_by("tenant_id")
            .agg(pl.col("cluster_id").min().alias("candidate"))
            .join(labels, on="tenant_id")
            .select("tenant_id", pl.min_horizontal("cluster_id", "candidate").alias("cluster_id"))
        )
        changed = new.join(labels, on="tenant_id", suffix="_old").filter(pl.col("cluster_id") != pl.col("cluster_id_old")).height
        labels = new
        if changed == 0:
            break
    return labels
