"""name-v2's prefilter over candidate pairs given as indices, with cheap bounds first.

Most candidate pairs share one word and nothing else; the prefilter (`passes_prefilter`)
drops them before any word is aligned. It keeps a pair when its `compact_all` forms are
equal, when the compact forms' ratio or the cores' token-sort ratio reaches PREFILTER,
or -- names of as many words -- when the cores' token-set ratio reaches PREFILTER_SET.

Each name's forms are computed once per side (`NameForms`: strings, lengths, word counts,
character counts), and pairs are two index arrays into them, so nothing is copied per
pair until a ratio has to be computed. An Indel ratio is at most 2 x (characters the two
strings share, counted as multisets) / (sum of lengths): a common subsequence cannot use
a letter more often than both strings hold it. So a ratio is computed only on pairs
whose character counts let it reach PREFILTER, and the pairs kept are exactly those the
ratios would keep if run on every pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

PREFILTER_SET = 0.8  # token-set ratio that also lets a pair through (word order + a typo)
PREFILTER = 0.65  # token-sort or compact ratio below which a pair is not aligned (tuned: -0.1 % recall, 3x speed)
_EPS = 1e-9  # a bound this close under PREFILTER still computes the ratio (float rounding)
_BINS = 38  # a-z, 0-9, space, anything else
_LOOKUP = np.full(128, _BINS - 1, dtype=np.int64)
_LOOKUP[ord("a") : ord("z") + 1] = np.arange(26)
_LOOKUP[ord("0") : ord("9") + 1] = np.arange(26, 36)
_LOOKUP[ord(" ")] = 36
WORD_SLOTS = 8  # words per name compared by hash; names with more are always compared
_CHUNK = 1 << 19  # pairs per histogram step: bounds the temporary arrays to ~40 MB


def char_counts(strings: list[str]) -> np.ndarray:
    """(len(strings), 38) counts of each string's characters: a-z, 0-9, space, other."""
    counts = np.zeros((len(strings), _BINS), dtype=np.int64)
    if not strings:
        return counts.astype(np.uint8)
    codes = np.frombuffer("".join(strings).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    owner = np.repeat(np.arange(len(strings), dtype=np.int64), lengths)
    bins = np.where(codes < 128, _LOOKUP[np.minimum(codes, 127)], _BINS - 1)
    flat = np.bincount(owner * _BINS + bins, minlength=len(strings) * _BINS)
    counts = flat.reshape(len(strings), _BINS)
    # The narrowest type that holds them: the bounds gather rows per pair, and bytes are
    # what that costs.
    top = counts.max(initial=0)
    return counts.astype(np.uint8 if top < 1 << 8 else np.uint16 if top < 1 << 16 else np.int32)


@dataclass(frozen=True)
class NameForms:
    """One side's names, as the prefilter reads them; row i is the name with index i."""

    core: np.ndarray  # object arrays of str
    compact: np.ndarray
    compact_all: np.ndarray
    compact_all_hash: np.ndarray  # uint64, to find equal compact_all forms without strings
    core_len: np.ndarray  # int64
    compact_len: np.ndarray
    word_count: np.ndarray
    word_set_len: np.ndarray  # length of the distinct words joined, as token_set sees them
    core_chars: np.ndarray  # (n, 38) character counts
    compact_chars: np.ndarray
    word_set_chars: np.ndarray
    word_hashes: np.ndarray  # (n, WORD_SLOTS) uint64 hashes of the distinct words, 0 = none
    word_lens: np.ndarray  # (n, WORD_SLOTS) their lengths
    distinct_words: np.ndarray  # int64
    many_words: np.ndarray  # bool: more distinct words than WORD_SLOTS (then compared always)

    @classmethod
    def of(cls, frame: pl.DataFrame) -> NameForms:
        """From a frame whose row i holds name i: columns core, compact, compact_all, tokens."""
        core, compact = frame["core"].to_list(), frame["compact"].to_list()
        distinct = frame.select(pl.col("tokens").list.unique(maintain_order=True))["tokens"]
        word_set = distinct.list.join(" ")
        forms = frame.select(
            pl.col("core").str.len_chars().cast(pl.Int64),
            pl.col("compact").str.len_chars().cast(pl.Int64),
            pl.col("tokens").list.len().cast(pl.Int64).alias("words"),
            pl.col("compact_all").hash(seed=11),
        )
        slots = pl.DataFrame({"w": distinct}).select(
            # Hashes with the low bit set, so 0 can mean "no word in this slot".
            hashes=_padded(pl.col("w").list.eval(pl.element().hash(seed=13) | 1), pl.UInt64()),
            lens=_padded(pl.col("w").list.eval(pl.element().str.len_chars()), pl.UInt32()),
            count=pl.col("w").list.len().cast(pl.Int64),
        )
        return cls(
            core=_objects(core),
            compact=_objects(compact),
            compact_all=_objects(frame["compact_all"].to_list()),
            compact_all_hash=forms["compact_all"].to_numpy(),
            core_len=forms["core"].to_numpy(),
            compact_len=forms["compact"].to_numpy(),
            word_count=forms["words"].to_numpy(),
            word_set_len=word_set.str.len_chars().cast(pl.Int64).to_numpy(),
            core_chars=char_counts(core),
            compact_chars=char_counts(compact),
            word_set_chars=char_counts(word_set.to_list()),
            word_hashes=slots["hashes"].to_numpy(),
            word_lens=slots["lens"].to_numpy().astype(np.int64),
            distinct_words=slots["count"].to_numpy(),
            many_words=slots["count"].to_numpy() > WORD_SLOTS,
        )


def _padded(values: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A list column as a fixed WORD_SLOTS-wide array: the first values, 0-padded."""
    pad = pl.lit([0] * WORD_SLOTS, dtype=pl.List(dtype))
    return (
        values.cast(pl.List(dtype)).list.concat(pad).list.head(WORD_SLOTS).list.to_array(WORD_SLOTS)
    )


def _objects(strings: list[str]) -> np.ndarray:
    out = np.empty(len(strings), dtype=object)
    out[:] = strings
    return out


def shared_chars(a: np.ndarray, b: np.ndarray, ai: np.ndarray, bi: np.ndarray) -> np.ndarray:
    """Characters rows a[ai] and b[bi] have in common, as multisets, pair by pair."""
    out = np.empty(len(ai), dtype=np.int64)
    for start in range(0, len(ai), _CHUNK):
        end = start + _CHUNK
        out[start:end] = np.minimum(a[ai[start:end]], b[bi[start:end]]).sum(1, dtype=np.int64)
    return out


def ratio_bound(shared: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """2 x shared / (la + lb): the highest Indel ratio (0..1); two empty strings score 1."""
    return np.where(la + lb == 0, 1.0, 2.0 * shared / np.maximum(la + lb, 1))


def _ratios(a: np.ndarray, b: np.ndarray, scorer) -> np.ndarray:
    """`scorer` over aligned object arrays of strings, as 0..1."""
    if not len(a):
        return np.zeros(0)
    return (
        process.cpdist(a.tolist(), b.tolist(), scorer=scorer, workers=-1, dtype=np.float64) / 100.0
    )


def _shared_words(
    q: NameForms, n: NameForms, qi: np.ndarray, ni: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, at least the length of the shared distinct words joined (rapidfuzz's
    `sect`; equal hashes count as equal words, so never less), and whether a name has
    more words than the hashes hold (then the pair is always compared)."""
    sect = np.zeros(len(qi), dtype=np.int64)
    for start in range(0, len(qi), _CHUNK):
        part = slice(start, start + _CHUNK)
        a, b = q.word_hashes[qi[part]], n.word_hashes[ni[part]]
        in_b = ((a[:, :, None] == b[:, None, :]) & (a[:, :, None] != 0)).any(axis=2)
        count = in_b.sum(axis=1)
        sect[part] = (q.word_lens[qi[part]] * in_b).sum(axis=1) + np.maximum(count - 1, 0)
    return sect, q.many_words[qi] | n.many_words[ni]


def _token_set_bound(q: NameForms, n: NameForms, qi: np.ndarray, ni: np.ndarray) -> np.ndarray:
    """At least rapidfuzz's token_set_ratio (0..1) of the cores, or 1 where it cannot tell.

    With A, B the distinct words joined and S the shared words joined, token_set_ratio is
    the largest of ratio(A-only words, B-only words) over |A| + |B|, at most
    2 x shared characters / (|A| + |B|), and 2S / (2S + 1 + |A-only|) = 2S / (S + |A|)
    and the same for B; each grows with S, so an S never too small gives a bound (when
    one side's words are all shared, S = |A| and the bound is 1, as the ratio is 100)."""
    la, lb = q.word_set_len[qi], n.word_set_len[ni]
    shared = shared_chars(q.word_set_chars, n.word_set_chars, qi, ni)
    sect, always = _shared_words(q, n, qi, ni)
    sect_terms = 2.0 * sect / np.maximum(sect + np.minimum(la, lb), 1)
    return np.where(always, 1.0, np.maximum(ratio_bound(shared, la, lb), sect_terms))


def passes_prefilter(q: NameForms, n: NameForms, qi: np.ndarray, ni: np.ndarray) -> np.ndarray:
    """Which pairs (q[qi[k]], n[ni[k]]) pass the prefilter; staged so each ratio runs only
    on the pairs still undecided that its bound lets through (results as if all were run)."""
    keep = q.compact_all_hash[qi] == n.compact_all_hash[ni]
    same = np.flatnonzero(keep)  # equal hashes: the strings decide
    keep[same] = q.compact_all[qi[same]] == n.compact_all[ni[same]]
    la, lb = q.compact_len[qi], n.compact_len[ni]
    rows = np.flatnonzero(~keep & (ratio_bound(np.minimum(la, lb), la, lb) >= PREFILTER - _EPS))
    shared = shared_chars(q.compact_chars, n.compact_chars, qi[rows], ni[rows])
    rows = rows[ratio_bound(shared, la[rows], lb[rows]) >= PREFILTER - _EPS]
    keep[rows] = _ratios(q.compact[qi[rows]], n.compact[ni[rows]], fuzz.ratio) >= PREFILTER
    la, lb = q.core_len[qi], n.core_len[ni]
    rows = np.flatnonzero(~keep & (ratio_bound(np.minimum(la, lb), la, lb) >= PREFILTER - _EPS))
    shared = shared_chars(q.core_chars, n.core_chars, qi[rows], ni[rows])
    rows = rows[ratio_bound(shared, la[rows], lb[rows]) >= PREFILTER - _EPS]
    core_a, core_b = q.core[qi[rows]], n.core[ni[rows]]
    keep[rows] = _ratios(core_a, core_b, fuzz.token_sort_ratio) >= PREFILTER
    # A typo in a word's first letter moves it in the sorted order ("homes ivine" /
    # "divine homes"); the token-set ratio, blind to order, vouches for those pairs --
    # only between names of as many words, since it cannot see a word missing.
    # token_set_ratio is bounded from word and character counts (`_token_set_bound`).
    rows = np.flatnonzero(~keep & (q.word_count[qi] == n.word_count[ni]))
    rows = rows[_token_set_bound(q, n, qi[rows], ni[rows]) >= PREFILTER_SET - _EPS]
    keep[rows] = _ratios(q.core[qi[rows]], n.core[ni[rows]], fuzz.token_set_ratio) >= PREFILTER_SET
    return keep
