"""Scoring candidate pairs, with the per-feature scores that explain each match.

Algorithm `name-v1` scores a (query name, list name) pair from named features, each in
0..1 (rapidfuzz over whole arrays of pairs, so a million queries cost seconds):

* `core_sort` -- token-sort ratio of the core names (word order ignored);
* `compact`   -- ratio of the cores without spaces ("hua wei" / "huawei");
* `typo`      -- 0.93 for one edit (or swap) between cores of 7+ letters, 0.9 for 5-6
                 letters; the ratios undersell typos in short names;
* `full`      -- token-sort ratio of the full names (weak tokens kept), so a
                 different city prefix costs a little;
* `coverage`  -- share of each side's tokens that find a close counterpart on the
                 other side, weighted so generic words ("institute") count less.

    name = max(core_sort, compact, typo)
    score = (0.85 * name + 0.15 * full) * (0.6 + 0.4 * coverage)

Addresses use `address-v1`: token-sort and token-set ratios of normalised addresses.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from auditor.screening.normalize import GENERIC_TOKENS, WEAK_TOKENS

NAME_ALGORITHM = "name-v1"
ADDRESS_ALGORITHM = "address-v1"
DEFAULT_THRESHOLD = 0.88
DEFAULT_ADDRESS_THRESHOLD = 0.85
# Pairs this far below the threshold after the cheap features skip the coverage step.
PREFILTER_MARGIN = 0.0


def _cpdist(a: list[str], b: list[str], scorer) -> np.ndarray:
    if not a:
        return np.zeros(0, dtype=np.float64)
    return process.cpdist(a, b, scorer=scorer, workers=-1, dtype=np.float64)


def name_features(pairs: pl.DataFrame) -> pl.DataFrame:
    """Adds core_sort, compact, typo, full and name_pre for columns q_core/q_compact/q_norm and n_*."""
    q_core, n_core = pairs["q_core"].to_list(), pairs["n_core"].to_list()
    q_cmp, n_cmp = pairs["q_compact"].to_list(), pairs["n_compact"].to_list()
    core_sort = _cpdist(q_core, n_core, fuzz.token_sort_ratio) / 100.0
    compact = _cpdist(q_cmp, n_cmp, fuzz.ratio) / 100.0
    edits = _cpdist(q_cmp, n_cmp, OSA.distance)
    full = _cpdist(pairs["q_norm"].to_list(), pairs["n_norm"].to_list(), fuzz.token_sort_ratio) / 100.0
    out = pairs.with_columns(
        core_sort=pl.Series(core_sort),
        compact=pl.Series(compact),
        full=pl.Series(full),
        edits=pl.Series(edits),
    )
    shortest = pl.min_horizontal(pl.col("q_compact").str.len_chars(), pl.col("n_compact").str.len_chars())
    typo = pl.when((pl.col("edits") <= 1) & (shortest >= 7)).then(0.93).when(
        (pl.col("edits") <= 1) & (shortest >= 5)
    ).then(0.9).otherwise(0.0)
    out = out.with_columns(typo=typo).with_columns(
        name=pl.max_horizontal("core_sort", "compact", "typo"),
    )
    return out.with_columns(name_pre=0.85 * pl.col("name") + 0.15 * pl.col("full"))


def _token_weight(token: str) -> float:
    if token in GENERIC_TOKENS or len(token) <= 2:
        return 0.3
    if token in WEAK_TOKENS:
        return 0.5
    return 1.0


def _side_coverage(mine: list[str], other: list[str], other_compact: str) -> float:
    total = covered = 0.0
    for tok in mine:
        w = _token_weight(tok)
        total += w
        if tok in other:
            covered += w
        elif len(tok) >= 4 and (
            tok in other_compact
            or max((fuzz.ratio(tok, o) for o in other if len(o) >= 4), default=0.0) >= 80.0
            or any(o.startswith(tok) or tok.startswith(o) for o in other if len(o) >= 4)
        ):
            covered += w
    return covered / total if total else 1.0


def coverage(q_tokens: list[list[str]], n_tokens: list[list[str]], q_compact: list[str], n_compact: list[str]) -> np.ndarray:
    """Smaller of the two sides' weighted token coverage; Python, so run on survivors only."""
    out = np.empty(len(q_tokens), dtype=np.float64)
    for i, (qt, nt, qc, nc) in enumerate(zip(q_tokens, n_tokens, q_compact, n_compact)):
        if qc == nc:  # same letters, different spacing: "AL-AQSA" / "ALAQSA"
            out[i] = 1.0
            continue
        if not qt or not nt:
            out[i] = 0.0
            continue
        out[i] = min(_side_coverage(qt, nt, nc), _side_coverage(nt, qt, qc))
    return out


def finish_name_scores(pairs: pl.DataFrame) -> pl.DataFrame:
    """Adds coverage and the final score to pairs that passed the cheap prefilter."""
    cov = coverage(
        pairs["q_tokens"].to_list(), pairs["n_tokens"].to_list(), pairs["q_compact"].to_list(), pairs["n_compact"].to_list()
    )
    return pairs.with_columns(coverage=pl.Series(cov, dtype=pl.Float64)).with_columns(
        score=(pl.col("name_pre") * (0.6 + 0.4 * pl.col("coverage"))).clip(0.0, 1.0)
    )


def name_explanation() -> pl.Expr:
    """Compact JSON: algorithm, both names as compared, each feature's score, list and entry."""
    r = lambda c: pl.col(c).round(3)  # noqa: E731
    return pl.struct(
        algorithm=pl.lit(NAME_ALGORITHM),
        query=pl.col("query_name"),
        query_core=pl.col("q_core"),
        candidate=pl.col("matched_name"),
        candidate_core=pl.col("n_core"),
        candidate_kind=pl.col("kind"),
        features=pl.struct(
            core_sort=r("core_sort"),
            compact=r("compact"),
            typo=r("typo"),
            full=r("full"),
            coverage=r("coverage"),
        ),
        country=pl.col("country_check"),
        list=pl.col("source_code"),
        entry_id=pl.col("entry_id"),
    ).struct.json_encode()


def address_scores(pairs: pl.DataFrame) -> pl.DataFrame:
    """token_sort and token_set ratios of normalised addresses; score is their mean."""
    q, n = pairs["q_norm"].to_list(), pairs["n_norm"].to_list()
    sort = _cpdist(q, n, fuzz.token_sort_ratio) / 100.0
    tset = _cpdist(q, n, fuzz.token_set_ratio) / 100.0
    return pairs.with_columns(token_sort=pl.Series(sort), token_set=pl.Series(tset)).with_columns(
        score=(pl.col("token_sort") + pl.col("token_set")) / 2.0
    )


def address_explanation() -> pl.Expr:
    r = lambda c: pl.col(c).round(3)  # noqa: E731
    return pl.struct(
        algorithm=pl.lit(ADDRESS_ALGORITHM),
        query=pl.col("query_address"),
        query_norm=pl.col("q_norm"),
        candidate=pl.col("matched_address"),
        candidate_norm=pl.col("n_norm"),
        features=pl.struct(token_sort=r("token_sort"), token_set=r("token_set")),
        list=pl.col("source_code"),
        entry_id=pl.col("entry_id"),
    ).struct.json_encode()


NAME_EXPLANATION_DTYPE = pl.Struct(
    {
        "algorithm": pl.String,
        "query": pl.String,
        "query_core": pl.String,
        "candidate": pl.String,
        "candidate_core": pl.String,
        "candidate_kind": pl.String,
        "features": pl.Struct(
            {"core_sort": pl.Float64, "compact": pl.Float64, "typo": pl.Float64, "full": pl.Float64, "coverage": pl.Float64}
        ),
        "country": pl.String,
        "list": pl.String,
        "entry_id": pl.String,
    }
)
