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
from functools import cached_property
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
    edges: pl.DataFrame  # src, dst, lo, hi, lo_exclusive, hi_exclusive, eff_lo, eff_hi, stated, disagree; sorted by (src, dst)
    statements: pl.DataFrame  # the input's edge rows (not copied): source, source_ref, origin, row, interest, lo, hi, stated
    statement_order: (
        np.ndarray
    )  # positions in `statements` of the counted rows, sorted by pair (src * nodes + dst)
    statement_pairs: np.ndarray  # the pairs in that order
    not_counted: (
        pl.DataFrame
    )  # owner_id, owned_id, interest, lo, hi, reason, source, source_ref, row, dst
    warnings: list[str]
    by_owner: EdgeIndex

    @property
    def size(self) -> int:
        return self.nodes.height

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            self.edges["src"].to_numpy(),
            self.edges["eff_lo"].to_numpy(),
            self.edges["eff_hi"].to_numpy(),
        )

    def statements_of(self, src: int, dst: int) -> list[dict]:
        """The statements (source, source_ref, origin, row, share) merged into the edge src -> dst."""
        key = src * self.size + dst
        lo, hi = (
            np.searchsorted(self.statement_pairs, key, "left"),
            np.searchsorted(self.statement_pairs, key, "right"),
        )
        return self._statement_rows.slice(int(lo), int(hi - lo)).to_dicts()

    @cached_property
    def _statement_rows(self) -> pl.DataFrame:
        """The columns a proof shows of the counted statements, in pair order: one gather on the
        first proof, then a zero-copy slice per edge (a gather per edge cost more than the proof)."""
        return self.statements.select(
            "source", "source_ref", "origin", "row", "interest", "lo", "hi", "stated"
        )[self.statement_order]

    @cached_property
    def positions(self) -> dict[str, int]:
        """node id -> node number, for proofs (built once per graph; regimes counting the same interests share it)."""
        return {node_id: i for i, node_id in enumerate(self.nodes["node_id"].to_list())}

    def edge_between(self, owner_id: str, owned_id: str) -> dict:
        """The merged edge owner -> owned, by ids (for tests and investigation)."""
        ids = self.nodes["node_id"]
        src, dst = ids.index_of(owner_id), ids.index_of(owned_id)
        return self.edges.filter((pl.col("src") == src) & (pl.col("dst") == dst)).row(0, named=True)


def _active(as_of: datetime) -> pl.Expr:
    started = pl.col("start_date").is_null() | (pl.col("start_date") <= as_of)
    not_ended = pl.col("end_date").is_null() | (pl.col("end_date") > as_of)
    return started & not_ended


def build_graph(data: OwnershipInput, as_of: datetime, interests: list[str]) -> Graph:
    """The graph a regime sees on `as_of`, counting the stakes of `interests`.

    Only narrow numeric columns are sorted and merged; the statements' text stays where it
    is, found again through one argsort of the pair keys when a proof needs it.
    """
    # Node ids are unique by construction (tenants, parties whose ids may not repeat a tenant's, new KYC names).
    nodes = data.nodes.with_row_index("idx").with_columns(pl.col("idx").cast(pl.Int64))
    n = nodes.height
    edges = data.edges
    active = _active(as_of)
    counted = pl.col("interest").is_in(interests)
    maybe = pl.col("interest") == "unknown"
    keep = active & (counted | maybe)
    ended = pl.when(pl.col("end_date").is_not_null() & (pl.col("end_date") <= as_of)).then(
        pl.lit("ended before the as-of date")
    )
    reason = (
        ended.when(~active)
        .then(pl.lit("not started on the as-of date"))
        .otherwise(pl.format("a {} interest is not counted by this regime", "interest"))
    )
    not_counted = edges.filter(~keep).select(
        "owner_id",
        "owned_id",
        "interest",
        "lo",
        "hi",
        reason.alias("reason"),
        "source",
        "source_ref",
        "row",
        "dst",
    )
    kept = edges.select(
        pl.int_range(0, pl.len(), dtype=pl.Int64).alias("position"),
        (pl.col("src") * n + pl.col("dst")).alias("pair"),
        "src",
        "dst",
        "lo",
        "hi",
        "lo_exclusive",
        "hi_exclusive",
        "stated",
        "interest",
        keep.alias("keep"),
    ).filter(pl.col("keep"))
    narrow = kept.select(
        "pair",
        "src",
        "dst",
        "lo",
        "hi",
        "lo_exclusive",
        "hi_exclusive",
        pl.when(counted)
        .then(pl.col("lo") + pl.col("lo_exclusive").cast(pl.Float64) * EXCLUSIVE_STEP)
        .otherwise(0.0)
        .alias("eff_lo"),
        (pl.col("hi") - pl.col("hi_exclusive").cast(pl.Float64) * EXCLUSIVE_STEP).alias("eff_hi"),
        "stated",
    ).sort("pair")
    statement_pairs, positions = kept["pair"].to_numpy(), kept["position"].to_numpy()
    del kept  # the wide copy goes before the merge allocates
    pairs = narrow["pair"].to_numpy()
    repeated_np = np.zeros(len(pairs), dtype=bool)
    if len(pairs) > 1:
        same = pairs[1:] == pairs[:-1]
        repeated_np[1:] |= same
        repeated_np[:-1] |= same
    repeated = pl.Series(repeated_np)
    columns = [
        "src",
        "dst",
        "lo",
        "hi",
        "lo_exclusive",
        "hi_exclusive",
        "eff_lo",
        "eff_hi",
        "stated",
    ]
    # Most pairs are stated once: they pass through; only repeated pairs are merged.
    single = narrow.filter(~repeated).select(*columns, pl.lit(False).alias("disagree"))
    stated = pl.col("stated")
    merged = (
        narrow.filter(repeated)
        .group_by("pair", maintain_order=True)
        .agg(
            pl.col("src").first(),
            pl.col("dst").first(),
            pl.col("lo").filter(stated).min().fill_null(0.0).alias("lo"),
            pl.col("hi").filter(stated).max().fill_null(100.0).alias("hi"),
            (pl.col("lo_exclusive").filter(stated).all() & stated.any()).alias("lo_exclusive"),
            (pl.col("hi_exclusive").filter(stated).all() & stated.any()).alias("hi_exclusive"),
            pl.col("eff_lo").filter(stated).min().fill_null(0.0).alias("eff_lo"),
            pl.col("eff_hi").filter(stated).max().fill_null(100.0).alias("eff_hi"),
            stated.any().alias("stated"),
            (pl.struct("lo", "hi").filter(stated).n_unique() > 1).alias("disagree"),
        )
        .select(*columns, "disagree")
    )
    merged_edges = pl.concat([single, merged]).sort("src", "dst") if merged.height else single
    del narrow, single, merged
    known = (
        merged_edges.filter(pl.col("stated"))
        .group_by("dst")
        .agg(pl.col("lo").sum().alias("known"))
        .filter(pl.col("known") > 100 + 1e-9)
    )
    over = known.sort("dst")
    warnings = [  # ids gathered in one call: indexing a Series per warning cost seconds at scale
        f"ownership: the known shares in '{node_id}' add up to {total:.4g}% (more than 100%); check the sources"
        for node_id, total in zip(
            nodes["node_id"].gather(over["dst"]).to_list(), over["known"].to_list()
        )
    ]
    has_owners = np.zeros(n, dtype=bool)
    has_owners[merged_edges["dst"].to_numpy()] = True
    has_owners[not_counted["dst"].to_numpy()] = True
    nodes = nodes.with_columns(pl.Series("has_owners", has_owners))
    index = EdgeIndex.by_owner(n, merged_edges["src"].to_numpy(), merged_edges["dst"].to_numpy())
    order = np.argsort(statement_pairs, kind="stable")
    return Graph(
        nodes,
        merged_edges,
        edges,
        positions[order],
        statement_pairs[order],
        not_counted,
        sorted(warnings),
        index,
    )
