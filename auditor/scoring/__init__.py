"""Scoring: turns rule hits into scores and priority bands, by a named, versioned algorithm."""

from auditor.scoring.weighted import (
    ALGORITHMS,
    PRIORITY_BANDS,
    ScoringAlgorithm,
    band_expr,
    get_algorithm,
)

__all__ = ["ALGORITHMS", "PRIORITY_BANDS", "ScoringAlgorithm", "band_expr", "get_algorithm"]
