"""The ownership graph on one as-of date: integer node ids, one merged edge per (owner, owned), what was left out.

An edge counts on the as-of date when it has started and not ended. Only the interests a
regime counts (shareholding) carry their share; an `unknown` interest may be one, so it
counts in the upper bound only; voting, control, nominee and trust interests are kept
aside as "not counted". Several statements of one (owner, owned) pair merge into one edge
whose range covers them all -- when sources disagree, the range widens and the edge says
so; a statement without a share (a KYC parent name) adds no range of its own.
Ids are mapped to integers with Polars joins, never a Python dict over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from auditor.ownership.fixedpoint import EdgeIndex
from auditor.ownership.inputs import OwnershipInput

# An exclusive bound ("more than 25%") moves the bound by this much in the computation.
EXCLUSIVE_STEP = 1e-6


@dataclass(frozen=True)
class Graph:
    nodes: pl.DataFrame  # idx, node_id, name, kind, country, is_tenant, origin, has_owners
    edges: pl.DataFrame  # src, dst, owner_id, owned_id, lo, hi, lo_exclusive, hi_exclusive, eff_lo, eff_hi, stated, disagree, statements
    not_counted: pl.DataFrame  # owner_id, owned_id, interest, lo, hi, reason, source, source_ref
    warnings: list[str]
    by_owner: EdgeIndex

    @property
    def size(self) -> int:
        return self.nodes.height

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.edges["src"].to_numpy(), self.edges["eff_lo"].to_numpy(), self.edges["eff_hi"].to_numpy()


def _active(as_of: datetime) -> pl.Expr:
    started = pl.col("start_date").is_null() | (pl.col("start_date") <= as_of)
    not_ended = pl.col("end_date").is_null() | (pl.col("end_date") > as_of)
    return started & not_ended


def build_graph(data: OwnershipInput, as_of: datetime, interests: list[str]) -> Graph:
    """The graph a regime sees on `as_of`, counting the stakes of `interests`."""
    nodes = data.nodes.unique(subset="node_id", keep="first", maintain_order=True).with_row_index("idx").with_columns(pl.col("idx").cast(pl.Int64))
    edges = data.edges
    active = _active(as_of)
    counted = pl.col("interest").is_in(interests)
    maybe = pl.col("interest") == "unknown"
    ended = pl.when(pl.col("end_date").is_not_null() & (pl.col("end_date") <= as_of)).then(pl.lit("ended before the as-of date"))
    reason = ended.when(~active).then(pl.lit("not started on the as-of date")).otherwise(
        pl.format("a {} interest is not counted by this regime", "interest")
    )
    not_counted = edges.filter(~active | ~(counted | maybe)).select(
        "owner_id", "owned_id", "interest", "lo", "hi", reason.alias("reason"), "source", "source_ref", "row"
    )
    rows = edges.filter(active & (counted | maybe)).with_columns(
        pl.when(counted).then(pl.col("lo") + pl.col("lo_exclusive").cast(pl.Float64) * EXCLUSIVE_STEP).otherwise(0.0).alias("eff_lo"),
        (pl.col("hi") - pl.col("hi_exclusive").cast(pl.Float64) * EXCLUSIVE_STEP).alias("eff_hi"),
    )
    stated = pl.col("stated")
    merged = rows.group_by("owner_id", "owned_id", maintain_order=True).agg(
        pl.col("eff_lo").filter(stated).min().fill_null(0.0).alias("eff_lo"),
        pl.col("eff_hi").filter(stated).max().fill_null(100.0).alias("eff_hi"),
        pl.col("lo").filter(stated).min().fill_null(0.0).alias("lo"),
        pl.col("hi").filter(stated).max().fill_null(100.0).alias("hi"),
        pl.col("lo_exclusive").filter(stated).all().alias("lo_exclusive"),
        pl.col("hi_exclusive").filter(stated).all().alias("hi_exclusive"),
        stated.any().alias("stated"),
        (pl.struct("lo", "hi").filter(stated).n_unique() > 1).alias("disagree"),
        pl.struct("source", "source_ref", "origin", "row", "interest", "lo", "hi", "stated").alias("statements"),
        (~counted).all().alias("interest_unknown"),
    ).with_columns(pl.when(pl.col("interest_unknown")).then(0.0).otherwise(pl.col("eff_lo")).alias("eff_lo"))
    ids = nodes.select("node_id", "idx")
    merged = (
        merged.join(ids.rename({"node_id": "owner_id", "idx": "src"}), on="owner_id")
        .join(ids.rename({"node_id": "owned_id", "idx": "dst"}), on="owned_id")
        .sort("src", "dst")
    )
    totals = merged.filter(pl.col("stated")).group_by("owned_id").agg(pl.col("lo").sum().alias("known")).filter(pl.col("known") > 100 + 1e-9)
    warnings = [
        f"ownership: the known shares in '{owned}' add up to {known:.4g}% (more than 100%); check the sources"
        for owned, known in totals.sort("owned_id").iter_rows()
    ]
    owned = pl.concat([merged.select(pl.col("owned_id").alias("node_id")), not_counted.select(pl.col("owned_id").alias("node_id"))]).unique()
    nodes = nodes.with_columns(pl.col("node_id").is_in(owned["node_id"].implode()).alias("has_owners"))
    index = EdgeIndex.by_owner(nodes.height, merged["src"].to_numpy(), merged["dst"].to_numpy())
    return Graph(nodes, merged, not_counted, warnings, index)
