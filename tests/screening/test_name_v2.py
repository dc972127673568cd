"""name-v2's word similarity: the vectorised form equals the one-pair definition."""

import polars as pl
import pytest

from auditor.screening.name_v2 import SHORT_SLIP, _similarity, word_similarity

PAIRS = [
    ("silver", "silver"),
    ("bridge", "shipping"),
    ("abc", "abd"),
    ("logistics", "logistic"),
    ("logistic", "logistics"),  # shorter first: lengths must not wrap as unsigned
    ("huawei", "huawie"),
    ("infomation", "information"),
    ("kavosh", "kovash"),
    ("zz", "zz"),
    ("tchelyabinsk", "chelyabinsk"),
    ("internationl", "interntaional"),
    ("sugon", "sugar"),
    ("mouhammad", "muhammad"),
    ("fas", "fars"),
    ("tar", "star"),
    ("ir", "air"),
    ("abc", "abcde"),
    ("petrochem", "petrochemical"),  # too far for edits: the close-spelling ratio pairs them
    ("logistics", "lagistocs"),  # two edits in nine letters: the shortest that pairs at 0.84
    ("logistic", "lagistoc"),  # two edits in eight letters: the ratio decides, not the edits
]


def test_two_edits_pair_words_of_nine_letters_or_more():
    assert word_similarity("logistics", "lagistocs") == 0.84
    assert word_similarity("logistic", "lagistoc") < 0.84


def test_vectorised_similarity_equals_the_definition():
    frame = pl.DataFrame({"a": [a for a, _ in PAIRS], "b": [b for _, b in PAIRS]})
    assert _similarity(frame, "a", "b").to_list() == [word_similarity(a, b) for a, b in PAIRS]


@pytest.mark.parametrize(
    "a, b, low, high",
    [
        ("town", "tonw", 0.9, 0.95),
        ("cimex", "cimax", 0.9, 0.95),
        ("sugon", "sugar", 0.0, 0.0),
        # Four letters apart: the ratio (2 * 9 / 22) decides, capped at 0.9.
        ("petrochem", "petrochemical", 0.818, 0.819),
        # Three letters: a slip still pairs the words, for less than a longer word's slip.
        ("abc", "abd", SHORT_SLIP, SHORT_SLIP),
        ("fas", "fars", SHORT_SLIP, SHORT_SLIP),
        ("bnk", "bank", SHORT_SLIP, SHORT_SLIP),
        # Two letters, or two edits in a short word: no pair.
        ("ir", "air", 0.0, 0.0),
        ("ab", "ac", 0.0, 0.0),
        ("abc", "bca", 0.0, 0.0),
    ],
)
def test_one_slip_in_a_word(a, b, low, high):
    assert low <= word_similarity(a, b) <= high
    assert word_similarity("town", "tonw") > SHORT_SLIP
