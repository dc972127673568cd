"""name-v2's prefilter on index arrays: the bounds never drop a pair a ratio would keep.

The reference below runs every ratio on every pair, as the prefilter is defined; the
staged, bounded `passes_prefilter` must keep exactly the same pairs.
"""

import random

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from auditor.screening.bounds import (
    PREFILTER,
    PREFILTER_SET,
    WORD_SLOTS,
    NameForms,
    ratio_bound,
    _token_set_bound,
    char_counts,
    passes_prefilter,
)
from auditor.screening.canonical import canonical_frame

POOL = "alpha alpah beta gamma gama delta omega om ega sun moon star stars 7 x y zz abc".split()


def reference(q: pl.DataFrame, n: pl.DataFrame, qi: np.ndarray, ni: np.ndarray) -> np.ndarray:
    out = []
    for a, b in zip(qi.tolist(), ni.tolist()):
        x, y = q.row(a, named=True), n.row(b, named=True)
        out.append(
            x["compact_all"] == y["compact_all"]
            or fuzz.ratio(x["compact"], y["compact"]) / 100 >= PREFILTER
            or fuzz.token_sort_ratio(x["core"], y["core"]) / 100 >= PREFILTER
            or (
                len(x["tokens"]) == len(y["tokens"])
                and fuzz.token_set_ratio(x["core"], y["core"]) / 100 >= PREFILTER_SET
            )
        )
    return np.array(out, dtype=bool)


def random_names(rng: random.Random, count: int) -> list[str]:
    names = []
    for _ in range(count):
        # Up to more words than WORD_SLOTS, repeats allowed: token_set sees distinct words.
        words = [rng.choice(POOL) for _ in range(rng.randint(1, WORD_SLOTS + 3))]
        if rng.random() < 0.3:
            words.append(rng.choice(["Ltd", "LLC", "of", "and", "GmbH"]))
        names.append(" ".join(words))
    return names


def forms(names: list[str]) -> pl.DataFrame:
    return canonical_frame(pl.DataFrame({"name": names}), "name").filter(pl.col("core") != "")


def test_prefilter_keeps_exactly_the_pairs_every_ratio_keeps():
    rng = random.Random(3)
    q, n = forms(random_names(rng, 300)), forms(random_names(rng, 200))
    qi = np.repeat(np.arange(q.height), n.height)
    ni = np.tile(np.arange(n.height), q.height)
    got = passes_prefilter(NameForms.of(q), NameForms.of(n), qi, ni)
    want = reference(q, n, qi, ni)
    assert 0 < want.sum() < len(want)  # both sides of the boundary are present
    assert (got == want).all(), [
        (q["core"][int(a)], n["core"][int(b)]) for a, b in zip(qi[got != want], ni[got != want])
    ][:5]


def test_prefilter_on_names_that_are_one_side_of_each_bound():
    q = forms(["Alpha Beta", "Beta Alpha Gamma", "Omega", "Sun Moon Star", "Zeta Ltd"])
    n = forms(["alpha beta", "Gamma Alpha Beta", "Om Ega", "Moon Sun Stars", "Zeta GmbH"])
    qi = np.repeat(np.arange(q.height), n.height)
    ni = np.tile(np.arange(n.height), q.height)
    got = passes_prefilter(NameForms.of(q), NameForms.of(n), qi, ni)
    assert (got == reference(q, n, qi, ni)).all()
    assert got.reshape(q.height, n.height).diagonal().all()


def test_no_pairs():
    q = forms(["Alpha"])
    empty = np.zeros(0, dtype=np.int64)
    assert passes_prefilter(NameForms.of(q), NameForms.of(q), empty, empty).size == 0


@settings(max_examples=300, deadline=None)
@given(st.text("abcde 19é", max_size=12), st.text("abcde 19é", max_size=12))
def test_character_counts_bound_the_ratio(a: str, b: str):
    counts = char_counts([a, b]).astype(np.int64)
    shared = np.minimum(counts[0], counts[1]).sum()
    assert counts[0].sum() == len(a) and counts[1].sum() == len(b)
    bound = ratio_bound(np.array([shared]), np.array([len(a)]), np.array([len(b)]))[0]
    assert bound >= fuzz.ratio(a, b) / 100 - 1e-9


WORDS = st.lists(st.sampled_from("ab ba abc abd x xy yx aab bba c".split()), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(WORDS, WORDS)
def test_token_set_bound_is_never_below_the_ratio(a: list[str], b: list[str]):
    frame = pl.DataFrame({"tokens": [a, b]}).with_columns(
        core=pl.col("tokens").list.join(" "),
        compact=pl.col("tokens").list.join(""),
        compact_all=pl.col("tokens").list.join(""),
    )
    f = NameForms.of(frame)
    bound = _token_set_bound(f, f, np.array([0]), np.array([1]))[0]
    assert bound >= fuzz.token_set_ratio(" ".join(a), " ".join(b)) / 100 - 1e-9
