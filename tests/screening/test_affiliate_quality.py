"""Floors on the affiliate evaluation (docs/screening.md, "Affiliates, acronyms and Chinese names")."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.screening.affiliate_evaluation import SHAPES, evaluate, lookalike_names

EXAMPLE_LIST = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "provider"
    / "lists"
    / "restricted-parties.csv"
)


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate([EXAMPLE_LIST], negatives=3000)


def test_affiliate_recall_floor_and_every_shape_reported(report):
    assert report["positives"] >= 100
    assert report["recall"] >= 0.95
    assert set(report["recall_by_shape"]) == set(SHAPES)
    for shape in (
        "brand+trade",
        "city prefix",
        "bracketed city",
        "hong kong",
        "singapore",
        "chinese brand",
    ):
        assert report["recall_by_shape"][shape] >= 0.95, shape


def test_look_alikes_rarely_get_an_affiliate_match(report):
    assert report["lookalike_matches_per_10k"] <= 30
    by_class = report["lookalike_matches_per_10k_by_class"]
    assert (
        by_class["common words"] == 0
        and by_class["word or surname"] == 0
        and by_class["short token"] == 0
    )


def test_three_letter_acronyms_inside_names_are_the_known_miss(report):
    assert all(m.split()[0] in ("HIT", "PCL") for m in report["missed"])


def test_lookalike_generator_is_seeded():
    assert lookalike_names(50, seed=1) == lookalike_names(50, seed=1) != lookalike_names(50, seed=2)
