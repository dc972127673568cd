"""The address matcher's shortcuts (a cutoff on token_sort, a length bound) drop only pairs that cannot reach the threshold."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from auditor.screening.addresses import normalize_address_expr
from auditor.screening.matcher import address_length_bound, address_scores, sorted_tokens_length

ADDRESSES = [
    "No. 8 Kexueyuan South Road, Haidian District, Beijing",
    "8 Kexueyuan S Rd, Haidian Dist, Beijing",
    "Kexueyuan South Road 8, Haidian, Beijing, China",
    "Room 1201, 12/F, Tower 2, Lippo Centre, 89 Queensway, Admiralty, Hong Kong",
    "Rm 1201 12F Tower 2 Lippo Ctr 89 Queensway Hong Kong",
    "89 Queensway",
    "1 Infinite Loop, Cupertino, CA",
    "Infinite Loop 1 Cupertino",
    "Haidian District, Beijing",
    "Beijing",
    "12 Road",
    "Road 12",
    "",
]
# Not from the normaliser: token_sort compares single-spaced tokens, whatever the spacing.
SPACED = ["  haidian   dist beijing ", " 8 kexueyuan s rd haidian dist beijing"]


def _pairs() -> pl.DataFrame:
    norm = pl.DataFrame({"a": ADDRESSES}).select(normalize_address_expr("a"))["a"].to_list()
    norm += SPACED
    q, n = zip(*itertools.product(norm, norm))
    return pl.DataFrame({"q_norm": list(q), "n_norm": list(n)}).with_row_index("pair")


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.6, 0.75, 0.85, 0.9, 0.97, 1.0])
def test_a_threshold_keeps_exactly_the_pairs_that_reach_it(threshold: float) -> None:
    pairs = _pairs()
    everything = address_scores(pairs).filter(pl.col("score") >= threshold)
    assert_frame_equal(address_scores(pairs, threshold), everything)
    if threshold <= 0.6:
        assert everything.height > len(ADDRESSES)  # not only the identical pairs


def test_a_threshold_between_two_scores_splits_them() -> None:
    pairs = _pairs()
    scores = sorted(set(address_scores(pairs)["score"].to_list()))
    middle = scores[len(scores) // 2]
    kept = address_scores(pairs, middle)
    assert kept["score"].min() == middle  # the boundary pair itself is kept
    assert kept.height == address_scores(pairs).filter(pl.col("score") >= middle).height


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.85, 0.95])
def test_the_length_bound_never_drops_a_pair_that_reaches_the_threshold(threshold: float) -> None:
    scored = address_scores(_pairs()).with_columns(
        bound=address_length_bound(
            sorted_tokens_length(pl.col("q_norm")),
            sorted_tokens_length(pl.col("n_norm")),
            threshold,
        )
    )
    assert scored.filter((pl.col("score") >= threshold) & ~pl.col("bound")).height == 0
    if threshold >= 0.7:
        assert scored.filter(~pl.col("bound")).height > 0  # it does drop some


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.85, 0.95, 1.0])
def test_the_character_bound_never_drops_a_pair_that_reaches_the_threshold(
    threshold: float,
) -> None:
    """Character counts bound token_sort; every pair that reaches the threshold is kept, and some are dropped."""
    import numpy as np

    from auditor.screening.matcher import AddressChars

    pairs = _pairs()
    scored = address_scores(pairs)
    q = AddressChars.of(pairs["q_norm"])
    n = AddressChars.of(pairs["n_norm"])
    rows = np.arange(pairs.height)
    reach = pl.Series("reach", q.within_reach(n, rows, rows, threshold))
    scored = scored.with_columns(reach)
    assert scored.filter((pl.col("score") >= threshold) & ~pl.col("reach")).height == 0
    if threshold in (0.7, 0.85):
        dropped = scored.filter(~pl.col("reach"))
        # Tighter than lengths: it drops pairs the length bound keeps.
        by_length = dropped.with_columns(
            bound=address_length_bound(
                sorted_tokens_length(pl.col("q_norm")),
                sorted_tokens_length(pl.col("n_norm")),
                threshold,
            )
        )
        assert by_length.filter(pl.col("bound")).height > 0


def test_the_character_bound_keeps_empty_and_identical_addresses() -> None:
    import numpy as np

    from auditor.screening.matcher import AddressChars

    sides = AddressChars.of(pl.Series(["", "8 kexueyuan s rd", None]))
    rows = np.array([0, 1, 2])
    assert sides.within_reach(sides, rows, rows, 0.99).tolist() == [True, True, True]
    assert (
        sides.within_reach(
            sides, np.array([], dtype=np.int64), np.array([], dtype=np.int64), 0.9
        ).tolist()
        == []
    )


@pytest.mark.parametrize(
    "query, listed, kept",
    [
        # token_sort 3 x 2 / 20 = 0.3 is exactly 2 x 0.65 - 1, which in floating point is
        # 0.30000000000000004: the pair scores (0.3 + 1.0) / 2 = 0.65 and must be kept
        ("xyz", "xyz abcdefghijklm", True),
        ("xyz", "xyz abcdefghijklmn", False),  # one letter longer: 6 / 21 < 0.3
    ],
)
def test_the_length_bound_keeps_a_pair_exactly_at_the_threshold(query, listed, kept) -> None:
    threshold = 0.65
    pairs = pl.DataFrame({"q_norm": [query], "n_norm": [listed]}).with_row_index("pair")
    bound = pairs.select(
        address_length_bound(
            sorted_tokens_length(pl.col("q_norm")),
            sorted_tokens_length(pl.col("n_norm")),
            threshold,
        )
    ).item()
    assert bound is kept
    # the bound agrees with the scores it stands in for
    assert (address_scores(pairs, threshold).height == 1) is kept
