"""Per tenant and regime: restricted, possibly-restricted, clear or unknown -- and the figures behind it.

Each regime runs the fixed point three times over its graph: on the lower bounds from the
certain seeds (what is certainly restricted), on the upper bounds from every seed, weak
name matches included (what possibly is), and on the upper bounds from the certain seeds
only, which tells an unknown *percentage* (Red Flag 29) from an uncertain *name match*.
A tenant no ownership statement mentions is `unknown`, never `clear`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime

import numpy as np
import polars as pl

from auditor.ownership.fixedpoint import TOLERANCE, Closure, closure
from auditor.ownership.graph import Graph, build_graph
from auditor.ownership.inputs import OwnershipInput
from auditor.ownership.regimes import Regime
from auditor.ownership.seeds import regime_seeds

RESTRICTED, POSSIBLY, CLEAR, UNKNOWN = "restricted", "possibly-restricted", "clear", "unknown"
VERDICT_RANK = {UNKNOWN: 0, CLEAR: 1, POSSIBLY: 2, RESTRICTED: 3}
VERDICT_NAMES = [UNKNOWN, CLEAR, POSSIBLY, RESTRICTED]


@dataclass(frozen=True)
class RegimeAssessment:
    regime: Regime
    status: str
    in_force: bool
    graph: Graph
    seeds: pl.DataFrame  # node_id, idx, certain, entry fields (regime_seeds + idx)
    lower: Closure
    upper: Closure
    upper_certain: Closure

    def verdict_codes(self) -> np.ndarray:
        """VERDICT_RANK per node (0 unknown, 1 clear, 2 possibly restricted, 3 restricted), as int8."""
        thr = self.regime.threshold - TOLERANCE
        codes = self.graph.nodes["has_owners"].to_numpy().astype(np.int8)
        codes[self.upper.share >= thr] = VERDICT_RANK[POSSIBLY]
        codes[self.lower.share >= thr] = VERDICT_RANK[RESTRICTED]
        return codes

    def verdicts(self) -> np.ndarray:
        """Verdict names per node (for small graphs and tests; `verdict_codes` at scale)."""
        return np.array(VERDICT_NAMES, dtype=object)[self.verdict_codes()]

    def verdict_of(self, node: int) -> str:
        thr = self.regime.threshold - TOLERANCE
        if self.lower.share[node] >= thr:
            return RESTRICTED
        if self.upper.share[node] >= thr:
            return POSSIBLY
        return CLEAR if self._has_owners[node] else UNKNOWN

    @cached_property
    def _has_owners(self) -> np.ndarray:
        """The nodes column as one array: indexing a Polars Series per node costs more than the verdict."""
        return self.graph.nodes["has_owners"].to_numpy()

    def share_undetermined(self) -> np.ndarray:
        """Possibly restricted because a stake's size is unknown, with certainly listed seeds (Red Flag 29)."""
        thr = self.regime.threshold - TOLERANCE
        return (self.upper_certain.share >= thr) & (self.lower.share < thr)


@dataclass(frozen=True)
class OwnershipAssessment:
    """Every regime's assessment of one run, and the tenant rows features/ joins in."""

    regimes: list[RegimeAssessment]
    data: OwnershipInput
    matches: pl.DataFrame  # all seed matches (SEED_SCHEMA)
    as_of: datetime
    minority_share: float
    warnings: list[str] = field(default_factory=list)
    cache: dict = field(
        default_factory=dict, compare=False, repr=False
    )  # per-regime proof builders, built on first use
    proofs: dict = field(
        default_factory=dict, compare=False, repr=False
    )  # tenant id -> its proofs (proof.tenant_proof), built once though features and every report read them

    def regime(self, regime_id: str) -> RegimeAssessment:
        return next(r for r in self.regimes if r.regime.id == regime_id)


def _seed_mask(graph: Graph, seeds: pl.DataFrame, certain_only: bool) -> np.ndarray:
    mask = np.zeros(graph.size, dtype=bool)
    chosen = seeds.filter(pl.col("certain")) if certain_only else seeds
    mask[chosen["idx"].to_numpy()] = True
    return mask


def assess_regime(
    data: OwnershipInput,
    matches: pl.DataFrame,
    regime: Regime,
    as_of: datetime,
    certain_score: float,
    graph: Graph | None = None,
) -> RegimeAssessment:
    graph = graph or build_graph(data, as_of, regime.interests)
    seeds = regime_seeds(matches, regime, certain_score).join(
        graph.nodes.select("node_id", "idx"), on="node_id"
    )
    _, eff_lo, eff_hi = graph.arrays()
    certain, every = _seed_mask(graph, seeds, True), _seed_mask(graph, seeds, False)
    return RegimeAssessment(
        regime=regime,
        status=regime.status(as_of),
        in_force=regime.in_force_on(as_of),
        graph=graph,
        seeds=seeds,
        lower=closure(graph.by_owner, eff_lo, certain, regime.threshold),
        upper=closure(graph.by_owner, eff_hi, every, regime.threshold),
        upper_certain=closure(graph.by_owner, eff_hi, certain, regime.threshold),
    )


def assess(
    data: OwnershipInput,
    matches: pl.DataFrame,
    regimes: list[Regime],
    as_of: datetime,
    certain_score: float,
    minority_share: float,
) -> OwnershipAssessment:
    graphs: dict[tuple[str, ...], Graph] = {}  # regimes counting the same interests share one graph
    assessed = []
    for regime in regimes:
        key = tuple(sorted(regime.interests))
        if key not in graphs:
            graphs[key] = build_graph(data, as_of, regime.interests)
        assessed.append(assess_regime(data, matches, regime, as_of, certain_score, graphs[key]))
    warnings = sorted({w for a in assessed for w in a.graph.warnings})
    return OwnershipAssessment(assessed, data, matches, as_of, minority_share, warnings)


def regime_rows(a: RegimeAssessment, minority_share: float) -> pl.DataFrame:
    """One row per tenant node with the regime's verdict and figures (numpy over the tenant nodes, then one frame)."""
    tenant = a.graph.nodes["is_tenant"].to_numpy()
    codes = a.verdict_codes()[tenant]
    lower_depth, upper_depth = a.lower.level[tenant], a.upper.level[tenant]
    depth = np.where(
        codes == VERDICT_RANK[RESTRICTED],
        lower_depth,
        np.where(codes == VERDICT_RANK[POSSIBLY], upper_depth, -1),
    )
    share_min = np.minimum(a.lower.share[tenant], 100.0)
    thr = a.regime.threshold - TOLERANCE
    return pl.DataFrame(
        {
            "tenant_id": a.graph.nodes["node_id"].filter(pl.Series(tenant)),
            "verdict": pl.Series(codes).replace_strict(
                dict(enumerate(VERDICT_NAMES)), return_dtype=pl.String
            ),
            # rounded for reading: an exclusive band end ("more than 25%") moves a bound by 1e-6 in the computation
            "share_min": np.round(share_min, 4),
            "share_max": np.round(np.minimum(a.upper.share[tenant], 100.0), 4),
            "depth": pl.Series(np.where(depth > 0, depth, np.nan)).fill_nan(None),
            "undetermined": a.share_undetermined()[tenant],
            "minority": (share_min >= minority_share - TOLERANCE) & (share_min < thr),
            "regime": pl.Series([a.regime.id]).new_from_index(0, int(tenant.sum())),
            "in_force": np.full(int(tenant.sum()), a.in_force),
        }
    )
