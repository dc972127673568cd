"""`weighted-v1`: independent signals combined as a noisy-OR of rule weights.

Each rule's weight w (0-100) is read as "how likely this signal alone means a real
problem"; hits combine as 100 * (1 - prod(1 - w/100)), so two medium signals outrank one,
and no number of weak signals reaches certainty. Each hit's contribution is its share of
the combined log-odds mass, so contributions add up to the score and an analyst sees
which rules drove it. A rule counts once per case, however many tenants it hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Lower bound of each band's score; a case takes the first band its score reaches.
PRIORITY_BANDS: tuple[tuple[str, float], ...] = (
    ("critical", 80.0),
    ("high", 55.0),
    ("medium", 30.0),
    ("low", 0.0),
)
MAX_WEIGHT = 99.9  # keeps log(1 - w) finite for a rule of weight 100


@dataclass(frozen=True)
class ScoringAlgorithm:
    name: str
    doc: str

    def mass(self, weight: pl.Expr) -> pl.Expr:
        """Each hit's additive evidence mass: -ln(1 - w/100)."""
        return -(1.0 - weight.clip(upper_bound=MAX_WEIGHT) / 100.0).log()

    def score(self, total_mass: pl.Expr) -> pl.Expr:
        return (100.0 * (1.0 - (-total_mass).exp())).round(2)


WEIGHTED_V1 = ScoringAlgorithm("weighted-v1", __doc__ or "")
ALGORITHMS: dict[str, ScoringAlgorithm] = {WEIGHTED_V1.name: WEIGHTED_V1}


def get_algorithm(name: str) -> ScoringAlgorithm:
    from auditor.errors import InputError

    if name not in ALGORITHMS:
        raise InputError(
            f"unknown scoring algorithm '{name}'; expected one of {', '.join(ALGORITHMS)}"
        )
    return ALGORITHMS[name]


def band_expr(score: pl.Expr) -> pl.Expr:
    """Priority band of a score, as a Polars expression."""
    expr = pl.lit(PRIORITY_BANDS[-1][0])
    for name, floor in reversed(PRIORITY_BANDS[:-1]):
        expr = pl.when(score >= floor).then(pl.lit(name)).otherwise(expr)
    return expr


def tenant_scores(hits: pl.DataFrame, algorithm: ScoringAlgorithm = WEIGHTED_V1) -> pl.DataFrame:
    """tenant_id, score, priority over each tenant's own hits."""
    return (
        hits.group_by("tenant_id")
        .agg(algorithm.mass(pl.col("weight")).sum().alias("mass"))
        .select("tenant_id", algorithm.score(pl.col("mass")).alias("score"))
        .with_columns(band_expr(pl.col("score")).alias("priority"))
    )
