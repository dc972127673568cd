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
    edges: pl.DataFrame  # src, dst, owner_id, owned_id, lo, hi, lo_exclusive, hi_exclusive, eff_lo, eff_hi, stated, disagree
    statements: pl.DataFrame  # the counted rows behind the edges, sorted by `pair` (src * nodes + dst)
    not_counted: pl.DataFrame  # owner_id, owned_id, interest, lo, hi, reason, source, source_ref, row
    warnings: list[str]
    by_owner: EdgeIndex

    @property
    def size(self) -> int:
        return self.nodes.height

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.edges["src"].to_numpy(), self.edges["eff_lo"].to_numpy(), self.edges["eff_hi"].to_numpy()

    def statements_of(self, src: int, dst: int) -> list[dict]:
        """The statements (source, source_ref, origin, row, share) merged into the edge src -> dst."""
        pairs = self.statements["pair"].to_numpy()
        key = src * self.size + dst
        lo, hi = np.searchsorted(pairs, key, "left"), np.searchsorted(pairs, key, "right")
        return self.statements.slice(int(lo), int(hi - lo)).to_dicts()


def _active(as_of: datetime) -> pl.Expr:
    started = pl.col("start_date").is_null() | (pl.col("start_date") <= as_of)
    not_ended = pl.col("end_date").is_null() | (pl.col("end_date") > as_of)
    return started & not_ended


def build_graph(data: OwnershipInput, as_of: datetime, interests: list[str]) -> Graph:
    """The graph a regime sees on `as_of`, counting the stakes of `interests`."""
    # Node ids are unique by construction (tenants, parties whose ids may not repeat a tenant's, new KYC names).
    nodes = data.nodes.with_row_index("idx").with_columns(pl.col("idx").cast(pl.Int64))
    n = nodes.height
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
    ids = nodes.select("node_id", "idx")
    rows = (
        edges.filter(active & (counted | maybe))
        .join(ids.rename({"node_id": "owner_id", "idx": "src"}), on="owner_id")
        .join(ids.rename({"node_id": "owned_id", "idx": "dst"}), on="owned_id")
        .with_columns(
            (pl.col("src") * n + pl.col("dst")).alias("pair"),
            pl.when(counted).then(pl.col("lo") + pl.col("lo_exclusive").cast(pl.Float64) * EXCLUSIVE_STEP).otherwise(0.0).alias("eff_lo"),
            (pl.col("hi") - pl.col("hi_exclusive").cast(pl.Float64) * EXCLUSIVE_STEP).alias("eff_hi"),
            counted.alias("counted"),
        )
        .sort("pair")
    )
    columns = ["src", "dst", "owner_id", "owned_id", "lo", "hi", "lo_exclusive", "hi_exclusive", "eff_lo", "eff_hi", "stated"]
    repeated = pl.col("pair").is_duplicated()
    # Most pairs are stated once: they pass through; only repeated pairs are merged.
    single = rows.filter(~repeated).select(
        *columns, pl.lit(False).alias("disagree"), pl.when(pl.col("counted")).then(pl.col("eff_lo")).otherwise(0.0).alias("eff_lo_final")
    )
    stated = pl.col("stated")
    merged = rows.filter(repeated).group_by("pair", maintain_order=True).agg(
        pl.col("src").first(),
        pl.col("dst").first(),
        pl.col("owner_id").first(),
        pl.col("owned_id").first(),
        pl.col("lo").filter(stated).min().fill_null(0.0).alias("lo"),
        pl.col("hi").filter(stated).max().fill_null(100.0).alias("hi"),
        (pl.col("lo_exclusive").filter(stated).all() & stated.any()).alias("lo_exclusive"),
        (pl.col("hi_exclusive").filter(stated).all() & stated.any()).alias("hi_exclusive"),
        pl.col("eff_lo").filter(stated).min().fill_null(0.0).alias("eff_lo"),
        pl.col("eff_hi").filter(stated).max().fill_null(100.0).alias("eff_hi"),
        stated.any().alias("stated"),
        (pl.struct("lo", "hi").filter(stated).n_unique() > 1).alias("disagree"),
        pl.col("counted").any().alias("any_counted"),
    ).select(*columns, "disagree", pl.when(pl.col("any_counted")).then(pl.col("eff_lo")).otherwise(0.0).alias("eff_lo_final"))
    merged_edges = (
        pl.concat([single, merged]).drop("eff_lo").rename({"eff_lo_final": "eff_lo"}).sort("src", "dst")
    )
    totals = (
        merged_edges.filter(pl.col("stated"))
        .group_by("dst")
        .agg(pl.col("owned_id").first(), pl.col("lo").sum().alias("known"))
        .filter(pl.col("known") > 100 + 1e-9)
        .select("owned_id", "known")
    )
    warnings = [
        f"ownership: the known shares in '{owned}' add up to {known:.4g}% (more than 100%); check the sources"
        for owned, known in totals.sort("owned_id").iter_rows()
    ]
    has_owners = np.zeros(n, dtype=bool)
    has_owners[merged_edges["dst"].to_numpy()] = True
    uncounted = not_counted.select("owned_id").join(ids.rename({"node_id": "owned_id"}), on="owned_id")["idx"].to_numpy()
    has_owners[uncounted] = True
    nodes = nodes.with_columns(pl.Series("has_owners", has_owners))
    index = EdgeIndex.by_owner(n, merged_edges["src"].to_numpy(), merged_edges["dst"].to_numpy())
    statements = rows.select("pair", "source", "source_ref", "origin", "row", "interest", "lo", "hi", "stated")
    return Graph(nodes, merged_edges, statements, not_counted, warnings, index)
