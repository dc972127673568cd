"""The ownership graph on one as-of date: integer node ids, one merged edge per (owner, owned), what was left out.

An edge counts on the as-of date when it has started and not ended. Only the interests a
regime counts (shareholding) carry their share; an `unknown` interest may be one, so it
counts in the upper bound only; voting, control, nominee and trust interests are kept
aside as "not counted". Several statements of one (owner, owned) pair merge into one edge
whose range covers them all -- when sources disagree, the range widens and the edge says
so; a statement without a share (a KYC parent name) adds no range of its own.
Ids are numbered once at load (inputs.node_numbers); here only integer arrays are sorted and merged.
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
    flags = edges.select(keep.alias("keep"), counted.alias("counted"))
    kept = np.flatnonzero(flags["keep"].to_numpy())
    # The edges keep node numbers in 32 bits; the pair keys need 64. Arrays are dropped as soon as
    # the next one is made: at 5M edges each is 40 MB of the stage's peak.
    pairs = edges["src"].to_numpy()[kept].astype(np.int64) * n
    pairs += edges["dst"].to_numpy()[kept]
    # One stable sort of the pair keys orders the statements for proofs and the merge alike.
    order = _stable_order(pairs)
    pairs = pairs[order]
    positions = kept[order]
    del kept, order
    merged_edges = _merge_statements(pairs, n, edges, flags["counted"].to_numpy(), positions)
    known = np.bincount(
        merged_edges["dst"].to_numpy(),
        weights=np.where(merged_edges["stated"].to_numpy(), merged_edges["lo"].to_numpy(), 0.0),
        minlength=n,
    )
    over = np.flatnonzero(known > 100 + 1e-9)
    warnings = [  # ids gathered in one call: indexing a Series per warning cost seconds at scale
        f"ownership: the known shares in '{node_id}' add up to {total:.4g}% (more than 100%); check the sources"
        for node_id, total in zip(nodes["node_id"].gather(over).to_list(), known[over].tolist())
    ]
    has_owners = np.zeros(n, dtype=bool)
    has_owners[merged_edges["dst"].to_numpy()] = True
    has_owners[not_counted["dst"].to_numpy()] = True
    nodes = nodes.with_columns(pl.Series("has_owners", has_owners))
    index = EdgeIndex.by_owner(n, merged_edges["src"].to_numpy(), merged_edges["dst"].to_numpy())
    return Graph(
        nodes,
        merged_edges,
        edges,
        positions,
        pairs,
        not_counted,
        sorted(warnings),
        index,
    )


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """argsort(keys, kind="stable") for the pair keys, at half its cost: an unstable sort, then
    only the rows of keys that repeat (a pair stated more than once; few) put back in input order."""
    order = np.argsort(keys)
    ordered = keys[order]
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    if tied.size:
        rows = np.union1d(tied, tied + 1)
        order[rows] = order[rows[np.lexsort((order[rows], ordered[rows]))]]
    return order


def _merge_statements(
    pairs: np.ndarray,
    n: int,
    edges: pl.DataFrame,
    counted: np.ndarray,
    positions: np.ndarray,
) -> pl.DataFrame:
    """One edge per (owner, owned) pair from statements sorted by pair key (src * n + dst;
    `positions` into `edges`).

    Each pair's statements are one run of the sorted rows, reduced with numpy's `reduceat`: the
    least lower bound and the greatest upper bound of the statements that give a share, a bound
    exclusive only when every such statement says so, and `disagree` when they give different
    ranges. A pair with no stated share keeps 0-100. A pair stated once passes through as it was.
    The runs stated more than once are taken out first, so each full-length column can be
    gathered down to one value per pair and dropped before the next is read.
    """
    first = np.ones(pairs.size, dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    starts = np.flatnonzero(first)
    del first
    lengths = np.diff(np.append(starts, pairs.size))
    repeated = np.flatnonzero(lengths > 1)
    rows = np.repeat(lengths > 1, lengths) if repeated.size else None
    step = EXCLUSIVE_STEP
    merged: dict[str, np.ndarray] = {}
    runs: dict[str, np.ndarray] = {}
    for name in ("lo", "hi", "lo_exclusive", "hi_exclusive", "stated"):
        full = edges[name].to_numpy()[positions]
        if name == "lo":
            lo_x = edges["lo_exclusive"].to_numpy()[positions]
            eff = np.where(counted[positions], full + lo_x.astype(np.float64) * step, 0.0)
            del lo_x
        elif name == "hi":
            hi_x = edges["hi_exclusive"].to_numpy()[positions]
            eff = full - hi_x.astype(np.float64) * step
            del hi_x
        if name in ("lo", "hi"):
            merged[f"eff_{name}"] = eff[starts]
            if rows is not None:
                runs[f"eff_{name}"] = eff[rows]
            del eff
        merged[name] = full[starts]
        if rows is not None:
            runs[name] = full[rows]
        del full
    src = pairs[starts] // n
    out = {
        "src": src,
        "dst": pairs[starts] - src * n,
        **{
            c: merged[c]
            for c in ("lo", "hi", "lo_exclusive", "hi_exclusive", "eff_lo", "eff_hi", "stated")
        },
        "disagree": np.zeros(starts.size, dtype=bool),
    }
    if repeated.size:  # only pairs stated more than once are reduced; the rest pass through
        run_starts = np.cumsum(lengths[repeated]) - lengths[repeated]
        for name, value in _reduce_runs(
            run_starts,
            runs["lo"],
            runs["hi"],
            runs["lo_exclusive"],
            runs["hi_exclusive"],
            runs["eff_lo"],
            runs["eff_hi"],
            runs["stated"],
        ).items():
            out[name][repeated] = value
    return pl.DataFrame(out)


def _reduce_runs(
    starts: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_x: np.ndarray,
    hi_x: np.ndarray,
    eff_lo: np.ndarray,
    eff_hi: np.ndarray,
    stated: np.ndarray,
) -> dict[str, np.ndarray]:
    """The merged values of runs of statements (one run per pair, starting at `starts`)."""
    any_stated = np.logical_or.reduceat(stated, starts)

    def least(values: np.ndarray, unstated: float) -> np.ndarray:
        return np.where(
            any_stated, np.minimum.reduceat(np.where(stated, values, np.inf), starts), unstated
        )

    def most(values: np.ndarray, unstated: float) -> np.ndarray:
        return np.where(
            any_stated, np.maximum.reduceat(np.where(stated, values, -np.inf), starts), unstated
        )

    def every(values: np.ndarray) -> np.ndarray:
        return any_stated & np.logical_and.reduceat(np.where(stated, values, True), starts)

    lo_least, hi_most = least(lo, 0.0), most(hi, 100.0)
    return {
        "lo": lo_least,
        "hi": hi_most,
        "lo_exclusive": every(lo_x),
        "hi_exclusive": every(hi_x),
        "eff_lo": least(eff_lo, 0.0),
        "eff_hi": most(eff_hi, 100.0),
        "stated": any_stated,
        "disagree": any_stated & ((most(lo, 0.0) != lo_least) | (least(hi, 100.0) != hi_most)),
    }
