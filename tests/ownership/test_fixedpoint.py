"""The 50% rule as OFAC FAQ 401 states it: blocked intermediaries count in full, unblocked ones count zero."""

from __future__ import annotations

import numpy as np

from auditor.ownership.fixedpoint import EdgeIndex, closure
from ownership_testkit import listed, verdict, world


def rows(*stakes: tuple[str, str, float]) -> list[str]:
    return [f"{o},{d},{s},,,,,,registry,r{i}" for i, (o, d, s) in enumerate(stakes)]


def test_faq_401_example_1_a_chain_of_50_percent_stakes(tmp_path):
    # X (blocked) owns 50% of A, A owns 50% of B -> A and B blocked.
    r = world(tmp_path, ["B"], ["X", "A"], rows(("X", "A", 50), ("A", "B", 50)), listed("X"))
    assert verdict(r, "A") == "restricted" and verdict(r, "B") == "restricted"


def test_faq_401_example_2_two_blocked_subsidiaries_add_up(tmp_path):
    # X owns 50% of A and 50% of B; A and B each own 25% of C -> C blocked (25 + 25, not 12.5 + 12.5).
    r = world(
        tmp_path,
        ["C"],
        ["X", "A", "B"],
        rows(("X", "A", 50), ("X", "B", 50), ("A", "C", 25), ("B", "C", 25)),
        listed("X"),
    )
    assert verdict(r, "C") == "restricted"
    idx = r.regimes[0].graph.nodes["node_id"].to_list().index("C")
    assert r.regimes[0].lower.share[idx] == 50


def test_faq_401_example_3_direct_and_indirect_stakes_add_up(tmp_path):
    # X owns 50% of A and 10% of B, A owns 40% of B -> B blocked (10 + 40).
    r = world(
        tmp_path,
        ["B"],
        ["X", "A"],
        rows(("X", "A", 50), ("X", "B", 10), ("A", "B", 40)),
        listed("X"),
    )
    assert verdict(r, "B") == "restricted"


def test_faq_401_counter_example_unblocked_intermediaries_carry_nothing(tmp_path):
    # X owns 25% of A and 25% of B; A and B each own 50% of C -> C NOT blocked.
    r = world(
        tmp_path,
        ["C"],
        ["X", "A", "B"],
        rows(("X", "A", 25), ("X", "B", 25), ("A", "C", 50), ("B", "C", 50)),
        listed("X"),
    )
    assert verdict(r, "A") == "clear" and verdict(r, "C") == "clear"


def test_just_below_the_threshold_stays_clear_and_exactly_50_is_caught(tmp_path):
    r = world(
        tmp_path, ["T1", "T2"], ["X"], rows(("X", "T1", 49.999), ("X", "T2", 50)), listed("X")
    )
    assert verdict(r, "T1") == "clear" and verdict(r, "T2") == "restricted"


def test_thirds_reach_fifty_despite_rounding(tmp_path):
    r = world(
        tmp_path, ["T"], ["X", "Y", "Z"], rows(("X", "T", 33.3), ("Y", "T", 16.7)), listed("X", "Y")
    )
    assert verdict(r, "T") == "restricted"


def test_two_listed_minority_owners_add_up_across_lists(tmp_path):
    r = world(tmp_path, ["T"], ["X", "Y"], rows(("X", "T", 30), ("Y", "T", 25)), listed("X", "Y"))
    assert verdict(r, "T") == "restricted"


def test_a_cycle_terminates_and_stays_clear_without_a_restricted_owner_outside_it(tmp_path):
    r = world(
        tmp_path,
        ["T"],
        ["A", "B", "X"],
        rows(("A", "B", 60), ("B", "A", 60), ("B", "T", 80), ("X", "A", 10)),
        listed("X"),
    )
    assert verdict(r, "A") == "clear" and verdict(r, "T") == "clear"


def test_a_cycle_with_a_restricted_owner_outside_it_is_restricted_throughout(tmp_path):
    r = world(
        tmp_path,
        ["T"],
        ["A", "B", "X"],
        rows(("A", "B", 60), ("B", "A", 40), ("B", "T", 80), ("X", "A", 10)),
        listed("X"),
    )
    assert verdict(r, "T") == "clear"  # X's 10% + B's 40% (B unrestricted) -> A clear
    r = world(
        tmp_path,
        ["T"],
        ["A", "B", "X"],
        rows(("A", "B", 60), ("B", "A", 40), ("B", "T", 80), ("X", "A", 60)),
        listed("X"),
    )
    assert (
        verdict(r, "A") == "restricted"
        and verdict(r, "B") == "restricted"
        and verdict(r, "T") == "restricted"
    )


def test_no_ownership_statement_is_unknown_not_clear(tmp_path):
    r = world(tmp_path, ["T", "U"], ["X"], rows(("X", "T", 10)), listed("X"))
    assert verdict(r, "T") == "clear" and verdict(r, "U") == "unknown"


def test_unknown_share_of_a_listed_owner_is_possibly_restricted_and_undetermined(tmp_path):
    r = world(tmp_path, ["T"], ["X"], ["X,T,,,,,,,kyc,k1"], listed("X"))
    assert verdict(r, "T") == "possibly-restricted"
    assert r.regimes[0].share_undetermined()[
        r.regimes[0].graph.nodes["node_id"].to_list().index("T")
    ]


def test_a_weak_name_match_is_only_a_possible_seed(tmp_path):
    r = world(tmp_path, ["T"], ["X"], rows(("X", "T", 80)), listed("X", score=0.89))
    assert verdict(r, "T") == "possibly-restricted"
    assert not r.regimes[0].share_undetermined().any()


def test_bands_count_their_lower_end_as_certain_and_their_upper_end_as_possible(tmp_path):
    r = world(tmp_path, ["T"], ["X"], ["X,T,,25,50,,,,register,b1"], listed("X"))  # "25% to 50%"
    assert verdict(r, "T") == "possibly-restricted"
    r = world(tmp_path, ["T"], ["X"], ["X,T,,50,75,,,,register,b1"], listed("X"))
    assert verdict(r, "T") == "restricted"


def test_a_stake_that_ended_before_the_as_of_date_does_not_count(tmp_path):
    r = world(
        tmp_path,
        ["T", "U"],
        ["X"],
        ["X,T,60,,,,2020-01-01,2026-06-30,registry,e1", "X,U,60,,,,2026-12-01,,registry,e2"],
        listed("X"),
    )
    assert verdict(r, "T") == "clear" and verdict(r, "U") == "clear"
    reasons = set(r.regimes[0].graph.not_counted["reason"].to_list())
    assert {"ended before the as-of date", "not started on the as-of date"} <= reasons


def test_control_without_shares_does_not_restrict(tmp_path):
    r = world(tmp_path, ["T"], ["X"], ["X,T,100,,,control,,,registry,c1"], listed("X"))
    assert verdict(r, "T") == "clear"


def test_deep_chain_and_frontier_closure_match_a_naive_fixed_point():
    rng = np.random.default_rng(3)
    n, m = 400, 1500
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.choice([10.0, 25.0, 50.0, 60.0], size=src.size)
    seeds = np.zeros(n, dtype=bool)
    seeds[rng.choice(n, 8, replace=False)] = True
    fast = closure(EdgeIndex.by_owner(n, src, dst), w, seeds, 50.0)
    restricted = seeds.copy()
    while True:  # the definition, rescanning every edge until nothing changes
        share = np.zeros(n)
        np.add.at(share, dst[restricted[src]], w[restricted[src]])
        new = restricted | (share >= 50.0)
        if (new == restricted).all():
            break
        restricted = new
    assert (fast.restricted == restricted).all()
    assert np.allclose(fast.share, share)


def test_a_2000_deep_chain_restricts_its_end():
    n = 2001
    src, dst = np.arange(n - 1), np.arange(1, n)
    seeds = np.zeros(n, dtype=bool)
    seeds[0] = True
    result = closure(EdgeIndex.by_owner(n, src, dst), np.full(n - 1, 50.0), seeds, 50.0)
    assert result.restricted.all() and result.level[-1] == n - 1


def test_levels_say_when_a_node_became_restricted_and_minus_one_for_never():
    # Seed 0 owns 60% of 1 (restricted in step 1), 1 owns 30% of 2 (below the threshold: never),
    # 3 has no listed owner at all (never). The depth shown to the analyst is read from these levels.
    src, dst = np.array([0, 1]), np.array([1, 2])
    seeds = np.array([True, False, False, False])
    result = closure(EdgeIndex.by_owner(4, src, dst), np.array([60.0, 30.0]), seeds, 50.0)
    assert result.restricted.tolist() == [True, True, False, False]
    assert result.level.tolist() == [0, 1, -1, -1]


def _restricted(src: list[int], dst: list[int], weight: list[float], seeds: list[int], n: int):
    seed_mask = np.zeros(n, dtype=bool)
    seed_mask[seeds] = True
    index = EdgeIndex.by_owner(n, np.array(src), np.array(dst))
    return closure(index, np.array(weight, dtype=float), seed_mask, 50.0)


def test_edges_listed_in_any_owner_order_give_the_same_answer():
    # Node 0 is listed and owns 60% of 1; node 1 owns 60% of 2; node 3 owns 60% of 4 and is
    # never restricted. The same four stakes in owner orders a graph builder might produce:
    # two edges backwards, the smallest owner first but the rest out of order, fully reversed.
    stakes = [(0, 1), (1, 2), (3, 4)]
    for order in ([1, 0, 2], [0, 2, 1], [2, 1, 0], [2, 0, 1]):
        src = [stakes[i][0] for i in order]
        dst = [stakes[i][1] for i in order]
        result = _restricted(src, dst, [60.0] * 3, [0], 5)
        assert result.restricted.tolist() == [True, True, True, False, False], order
        assert result.level.tolist() == [0, 1, 2, -1, -1], order
        assert result.share.tolist() == [0.0, 60.0, 60.0, 0.0, 0.0], order
    # exactly two edges, the later owner first: 1 -> 2 must not be taken for 0's edge
    result = _restricted([1, 0], [2, 1], [10.0, 60.0], [0], 3)
    assert result.restricted.tolist() == [True, True, False]
    assert result.share.tolist() == [0.0, 60.0, 10.0]


def test_a_listed_owner_of_nothing_restricts_nothing():
    # Node 2 is listed but holds no stake; the stakes that exist are between unlisted nodes.
    result = _restricted([0, 1], [1, 0], [60.0, 60.0], [2], 3)
    assert result.restricted.tolist() == [False, False, True]
    assert result.share.tolist() == [0.0, 0.0, 0.0]
    # a chain's last node owns nothing either: reaching it adds nothing anywhere
    result = _restricted([0, 1], [1, 2], [50.0, 50.0], [0], 3)
    assert result.share.tolist() == [0.0, 50.0, 50.0]


def test_rounding_is_forgiven_up_to_a_billionth_of_a_point_and_no_further():
    # The tolerance is for binary rounding (33.3 + 16.7), one billionth of a percentage point:
    # a stake short of 50 by 0.95e-9 is 50, short by 1.05e-9 it is below.
    caught = _restricted([0], [1], [50.0 - 0.95e-9], [0], 2)
    clear = _restricted([0], [1], [50.0 - 1.05e-9], [0], 2)
    assert caught.restricted.tolist() == [True, True]
    assert clear.restricted.tolist() == [True, False]
