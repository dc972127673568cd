"""`_in_step`: which counted pairs are linked -- enough days, and in step on one side at least.

Hand-made `_met` rows (who, who_o, days, launches) and calm launches per tenant (`narrow`'s
`who` column: tenant 0 has 10 launches, 1 has 4, 2 has 10, 3 has 2), so every share is
known: a pair's share is its launches over its own tenant's launches, and its reverse's
share decides as much as its own.
"""

from __future__ import annotations

import polars as pl

from auditor.features.launch_rhythm import MIN_IN_STEP_SHARE, _in_step
from auditor.features.network_links import NetworkSettings

SETTINGS = NetworkSettings()
DAYS = SETTINGS.min_launch_days
NARROW = pl.DataFrame({"who": pl.Series([0] * 10 + [1] * 4 + [2] * 10 + [3] * 2, dtype=pl.UInt32)})


def pairs(rows: list[tuple[int, int, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"who": pl.UInt32, "who_o": pl.UInt32, "days": pl.UInt32, "launches": pl.UInt32},
        orient="row",
    )


def linked(rows: list[tuple[int, int, int, int]]) -> dict[tuple[int, int], tuple[float, float]]:
    out = _in_step(pairs(rows), NARROW, SETTINGS)
    return {(r["who"], r["who_o"]): (r["share"], r["share_o"]) for r in out.iter_rows(named=True)}


def test_one_side_in_step_links_both_directions_with_each_others_share() -> None:
    # 0 met 1 with 3 of its 10 launches (0.3); 1 met 0 with 3 of its 4 (0.75).
    got = linked([(0, 1, DAYS, 3), (1, 0, DAYS, 3)])
    assert got == {(0, 1): (0.3, 0.75), (1, 0): (0.75, 0.3)}


def test_neither_side_in_step_is_not_linked() -> None:
    # 0 and 2 each met the other with 4 of 10 launches: 0.4 on both sides.
    assert linked([(0, 2, DAYS, 4), (2, 0, DAYS, 4)]) == {}


def test_the_share_boundary_is_inclusive() -> None:
    # 0 met 2 with exactly half of its launches.
    half = int(10 * MIN_IN_STEP_SHARE)
    assert set(linked([(0, 2, DAYS, half), (2, 0, DAYS, 1)])) == {(0, 2), (2, 0)}
    assert linked([(0, 2, DAYS, half - 1), (2, 0, DAYS, 1)]) == {}


def test_a_direction_needs_enough_days_of_its_own() -> None:
    # Days are counted from each side's launches (midnight splits them differently): the
    # direction one day short is not a link, its reverse with enough days is.
    assert set(linked([(0, 1, DAYS - 1, 3), (1, 0, DAYS, 3)])) == {(1, 0)}


def test_a_pair_without_its_reverse_is_not_linked() -> None:
    assert linked([(1, 0, DAYS, 4)]) == {}


def test_pairs_in_any_row_order_find_their_own_reverse() -> None:
    rows = [(3, 1, DAYS, 2), (0, 2, DAYS, 1), (1, 3, DAYS, 1), (2, 0, DAYS, 9), (0, 1, DAYS, 1)]
    got = linked(rows)
    # 3-1: 2 of 3's 2 launches (1.0) and 1 of 1's 4 (0.25); 0-2: 0.1 and 0.9; 0-1 has no reverse.
    assert got == {
        (3, 1): (1.0, 0.25),
        (1, 3): (0.25, 1.0),
        (0, 2): (0.1, 0.9),
        (2, 0): (0.9, 0.1),
    }
    assert linked(list(reversed(rows))) == got


def test_the_in_step_side_short_of_days_still_links_its_reverse() -> None:
    # 1 met 0 with 3 of its 4 launches (0.75) but on a day too few; 0 met 1 on enough days
    # with 0.3: only the rows with a direction in step are sorted, and a days filter taken
    # before that choice would drop this link.
    assert set(linked([(0, 1, DAYS, 3), (1, 0, DAYS - 1, 3)])) == {(0, 1)}


def test_only_pairs_in_step_on_one_side_are_kept_among_many_that_are_not() -> None:
    # Pairs of 0 and 2 (0.4 and 0.4), 0 and 3, 2 and 3 (0.1 and 0.5): only 2-3 has a side in step.
    rows = [(0, 2, DAYS, 4), (2, 0, DAYS, 4), (0, 3, DAYS, 1), (3, 0, DAYS, 0)]
    rows += [(2, 3, DAYS, 1), (3, 2, DAYS, 1)]
    assert linked(rows) == {(2, 3): (0.1, 0.5), (3, 2): (0.5, 0.1)}
