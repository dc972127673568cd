"""Per tenant and regime: restricted, possibly-restricted, clear or unknown -- and the figures behind it.

Each regime runs the fixed point three times over its graph: on the lower bounds from the
certain seeds (what is certainly restricted), on the upper bounds from every seed, weak
name matches included (what possibly is), and on the upper bounds from the certain seeds
only, which tells an unknown *percentage* (Red Flag 29) from an uncertain *name match*.
A tenant no ownership statement mentions is `unknown`, never `clear`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

    def verdicts(self) -> np.ndarray:
        thr = self.regime.threshold - TOLERANCE
        has = self.graph.nodes["has_owners"].to_numpy()
        out = np.where(has, CLEAR, UNKNOWN).astype(object)
        out[self.upper.share >= thr] = POSSIBLY
        out[self.lower.share >= thr] = RESTRICTED
        return out

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

    def regime(self, regime_id: str) -> RegimeAssessment:
        return next(r for r in self.regimes if r.regime.id == regime_id)


def _seed_mask(graph: Graph, seeds: pl.DataFrame, certain_only: bool) -> np.ndarray:
    mask = np.zeros(graph.size, dtype=bool)
    chosen = seeds.filter(pl.col("certain")) if certain_only else seeds
    mask[chosen["idx"].to_numpy()] = True
    return mask


def assess_regime(data: OwnershipInput, matches: pl.DataFrame, regime: Regime, as_of: datetime, certain_score: float) -> RegimeAssessment:
    graph = build_graph(data, as_of, regime.interests)
    seeds = regime_seeds(matches, regime, certain_score).join(graph.nodes.select("node_id", "idx"), on="node_id")
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
    assessed = [assess_regime(data, matches, regime, as_of, certain_score) for regime in regimes]
    warnings = sorted({w for a in assessed for w in a.graph.warnings})
    return OwnershipAssessment(assessed, data, matches, as_of, minority_share, warnings)


def regime_rows(a: RegimeAssessment, minority_share: float) -> pl.DataFrame:
    """One row per tenant node with the regime's verdict and figures."""
    nodes = a.graph.nodes
    verdict = a.verdicts()
    lower_depth = np.where(a.lower.level > 0, a.lower.level, -1)
    upper_depth = np.where(a.upper.level > 0, a.upper.level, -1)
    depth = np.where(verdict == RESTRICTED, lower_depth, np.where(verdict == POSSIBLY, upper_depth, -1))
    frame = pl.DataFrame(
        {
            "tenant_id": nodes["node_id"],
            "is_tenant": nodes["is_tenant"],
            "verdict": pl.Series(verdict.tolist(), dtype=pl.String),
            "share_min": np.minimum(a.lower.share, 100.0),
            "share_max": np.minimum(a.upper.share, 100.0),
            "depth": depth,
            "undetermined": a.share_undetermined(),
        }
    ).filter(pl.col("is_tenant")).drop("is_tenant")
    thr = a.regime.threshold - TOLERANCE
    return frame.with_columns(
        pl.when(pl.col("depth") >= 0).then(pl.col("depth").cast(pl.Float64)).alias("depth"),
        ((pl.col("share_min") >= minority_share - TOLERANCE) & (pl.col("share_min") < thr)).alias("minority"),
        pl.lit(a.regime.id).alias("regime"),
        pl.lit(a.in_force).alias("in_force"),
    )
