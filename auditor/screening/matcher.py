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

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from auditor.screening.bounds import char_counts, ratio_bound, shared_chars
from auditor.screening.normalize import GENERIC_TOKENS, WEAK_TOKENS

# name-v1's own name and threshold (auditor.screening.algorithms, with the audit's defaults).
from auditor.screening.algorithms import (  # noqa: F401 - defined there, re-exported
    ADDRESS_ALGORITHM,
    DEFAULT_ADDRESS_THRESHOLD,
    NAME_V1,
    THRESHOLD_V1,
)


def _cpdist(a: list[str], b: list[str], scorer, score_cutoff: float | None = None) -> np.ndarray:
    """Pairwise scores (0-100); with `score_cutoff` a pair below it scores 0, which lets rapidfuzz stop early."""
    if not a:
        return np.zeros(0, dtype=np.float64)
    return process.cpdist(
        a, b, scorer=scorer, workers=-1, dtype=np.float64, score_cutoff=score_cutoff
    )


def _length_bound(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Highest ratio two strings of these lengths can reach: 2*min / (min + max)."""
    return 2 * pl.min_horizontal(a, b) / (a + b).clip(lower_bound=1)


def name_features(pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """core_sort, compact, typo, full, name and name_pre for pairs that can reach `threshold`.

    Columns in: q_core/q_compact/q_norm and n_*. Work is staged so each rapidfuzz pass
    runs only on the pairs still able to reach the threshold: a length bound first, then
    the name features, then the full-name ratio.
    """
    name_min = (threshold - 0.15) / 0.85  # name_pre = 0.85 name + 0.15 full <= 0.85 name + 0.15
    # Lengths as signed integers: len_chars is unsigned, and a shorter query's difference
    # would wrap to 4e9 and hide its typo.
    lq = pl.col("q_compact").str.len_chars().cast(pl.Int32)
    ln = pl.col("n_compact").str.len_chars().cast(pl.Int32)
    cq = pl.col("q_core").str.len_chars().cast(pl.Int32)
    cn = pl.col("n_core").str.len_chars().cast(pl.Int32)
    typo_possible = ((lq - ln).abs() <= 1) & (pl.min_horizontal(lq, ln) >= 5)
    pairs = pairs.filter(
        (_length_bound(lq, ln) >= name_min) | (_length_bound(cq, cn) >= name_min) | typo_possible
    ).with_columns(typo_possible=typo_possible)
    core_sort = (
        _cpdist(pairs["q_core"].to_list(), pairs["n_core"].to_list(), fuzz.token_sort_ratio) / 100.0
    )
    q_cmp, n_cmp = pairs["q_compact"].to_list(), pairs["n_compact"].to_list()
    compact = _cpdist(q_cmp, n_cmp, fuzz.ratio) / 100.0
    pairs = pairs.with_columns(core_sort=pl.Series(core_sort), compact=pl.Series(compact))
    # One edit (or swap) in a short core: the ratios undersell it.
    idx = np.flatnonzero(pairs["typo_possible"].to_numpy())
    edits = np.full(pairs.height, 99.0)
    if len(idx):
        edits[idx] = _cpdist([q_cmp[i] for i in idx], [n_cmp[i] for i in idx], OSA.distance)
    shortest = pl.min_horizontal(lq, ln)
    typo = (
        pl.when((pl.col("edits") <= 1) & (shortest >= 7))
        .then(0.93)
        .when((pl.col("edits") <= 1) & (shortest >= 5))
        .then(0.9)
        .otherwise(0.0)
    )
    pairs = pairs.with_columns(edits=pl.Series(edits)).with_columns(typo=typo)
    pairs = pairs.with_columns(name=pl.max_horizontal("core_sort", "compact", "typo")).filter(
        pl.col("name") >= name_min
    )
    full = (
        _cpdist(pairs["q_norm"].to_list(), pairs["n_norm"].to_list(), fuzz.token_sort_ratio) / 100.0
    )
    pairs = pairs.with_columns(full=pl.Series(full, dtype=pl.Float64))
    return pairs.with_columns(name_pre=0.85 * pl.col("name") + 0.15 * pl.col("full"))


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


def coverage(
    q_tokens: list[list[str]], n_tokens: list[list[str]], q_compact: list[str], n_compact: list[str]
) -> np.ndarray:
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
        pairs["q_tokens"].to_list(),
        pairs["n_tokens"].to_list(),
        pairs["q_compact"].to_list(),
        pairs["n_compact"].to_list(),
    )
    return pairs.with_columns(coverage=pl.Series(cov, dtype=pl.Float64)).with_columns(
        score=(pl.col("name_pre") * (0.6 + 0.4 * pl.col("coverage"))).clip(0.0, 1.0)
    )


def name_explanation() -> pl.Expr:
    """Compact JSON: algorithm, both names as compared, each feature's score, list and entry."""
    r = lambda c: pl.col(c).round(3)  # noqa: E731
    return pl.struct(
        algorithm=pl.lit(NAME_V1),
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


def sorted_tokens_length(norm: pl.Expr) -> pl.Expr:
    """Length of the string token_sort compares: the tokens, split on whitespace, joined by single spaces."""
    return norm.str.replace_all(r"\s+", " ").str.strip_chars(" ").str.len_chars()


def address_length_bound(q_len: pl.Expr, n_len: pl.Expr, threshold: float) -> pl.Expr:
    """False for pairs of normalised addresses whose lengths alone keep them under `threshold`.

    The score is the mean of token_sort and token_set, so reaching t needs token_sort >= 2t - 1;
    token_sort is an Indel ratio of the sorted token strings (lengths: `sorted_tokens_length`),
    and so is at most 2 min / (min + max). Two empty strings score 100, so they always pass.
    """
    both_empty = (q_len == 0) & (n_len == 0)
    return both_empty | (_length_bound(q_len, n_len) >= 2.0 * threshold - 1.0 - 1e-9)


@dataclass(frozen=True)
class AddressChars:
    """Normalised addresses as token_sort compares them: lengths and character counts, row i = address i.

    token_sort is an Indel ratio of the single-spaced sorted tokens, so it is at most
    2 x (characters both hold, as multisets) / (sum of lengths): a common subsequence uses
    no letter more often than both strings have it, and sorting words moves no letter.
    The score needs token_sort >= 2t - 1 (`address_length_bound`), so a pair whose counts
    keep it under that cannot reach t. Tighter than lengths alone: most candidate pairs
    share one common word ("road", a street number) and few letters besides.
    """

    lengths: np.ndarray  # int64
    chars: np.ndarray  # (n, 38) character counts (bounds.char_counts)

    @classmethod
    def of(cls, norm: pl.Series) -> AddressChars:
        spaced = norm.str.replace_all(r"\s+", " ").str.strip_chars(" ").fill_null("")
        return cls(spaced.str.len_chars().cast(pl.Int64).to_numpy(), char_counts(spaced.to_list()))

    def within_reach(
        self, other: AddressChars, mine: np.ndarray, theirs: np.ndarray, threshold: float
    ) -> np.ndarray:
        """Which pairs (self[mine[k]], other[theirs[k]]) can reach `threshold` (bool per pair)."""
        needed = 2.0 * threshold - 1.0 - 1e-9  # just under, so no boundary pair is lost to rounding
        if needed <= 0 or len(mine) == 0:
            return np.ones(len(mine), dtype=bool)
        shared = shared_chars(self.chars, other.chars, mine, theirs)
        return ratio_bound(shared, self.lengths[mine], other.lengths[theirs]) >= needed


def address_scores(pairs: pl.DataFrame, threshold: float | None = None) -> pl.DataFrame:
    """token_sort and token_set ratios of normalised addresses; score is their mean.

    With `threshold`, only pairs that can reach it are scored and returned: the mean of two
    ratios reaches t only if each reaches 2t - 1, so token_sort is computed with that cutoff
    first (most candidate pairs share one common token and fail it), and token_set only on
    the pairs left. The pairs returned carry the same scores as without a threshold.
    """
    if threshold is None:
        q, n = pairs["q_norm"].to_list(), pairs["n_norm"].to_list()
        sort = _cpdist(q, n, fuzz.token_sort_ratio) / 100.0
        tset = _cpdist(q, n, fuzz.token_set_ratio) / 100.0
        return pairs.with_columns(
            token_sort=pl.Series(sort), token_set=pl.Series(tset)
        ).with_columns(score=(pl.col("token_sort") + pl.col("token_set")) / 2.0)
    # Just under 2t - 1, so no pair at the boundary is lost to rounding.
    cutoff = max((2.0 * threshold - 1.0) * 100.0 - 1e-6, 0.0)
    sort = _cpdist(
        pairs["q_norm"].to_list(), pairs["n_norm"].to_list(), fuzz.token_sort_ratio, cutoff
    )
    pairs = pairs.with_columns(token_sort=pl.Series(sort / 100.0, dtype=pl.Float64)).filter(
        pl.Series(sort >= cutoff) if cutoff > 0 else pl.lit(True)
    )
    tset = _cpdist(
        pairs["q_norm"].to_list(), pairs["n_norm"].to_list(), fuzz.token_set_ratio, cutoff
    )
    return (
        pairs.with_columns(token_set=pl.Series(tset / 100.0, dtype=pl.Float64))
        .with_columns(score=(pl.col("token_sort") + pl.col("token_set")) / 2.0)
        .filter(pl.col("score") >= threshold)
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
            {
                "core_sort": pl.Float64,
                "compact": pl.Float64,
                "typo": pl.Float64,
                "full": pl.Float64,
                "coverage": pl.Float64,
            }
        ),
        "country": pl.String,
        "list": pl.String,
        "entry_id": pl.String,
    }
)
