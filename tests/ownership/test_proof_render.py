"""The proof as it is rendered: holders largest first, smallest set, deciding shares; party names stay text."""

from __future__ import annotations

from auditor.ownership.proof import summary, tenant_proof
from auditor.report.ownership import html_block, markdown_lines
from ownership_testkit import listed, world


def test_proof_of_three_holders_names_the_smallest_set_and_what_did_not_count(tmp_path):
    stakes = [
        "X,T,40,,,,,,registry,R1",
        "Y,T,30,,,,,,registry,R2",
        "Z,T,20,,,,,,registry,R3",
        "Q,T,10,,,,,,registry,R4",
    ]
    r = world(tmp_path, ["T"], ["X", "Y", "Z", "Q"], stakes, listed("X", "Y", "Z"))
    [proof] = tenant_proof(r, "T")
    chain = proof["chain"]
    assert [h["owner_id"] for h in chain["holders"]] == ["X", "Y", "Z"] and chain["sum"] == 90
    assert chain["smallest_set"] == ["X", "Y"]
    assert [n["owner_id"] for n in chain["not_counted"]] == ["Q"]
    assert "40% Party X" in summary(proof) and "90% >= 50%" in summary(proof)


def test_the_smallest_share_that_would_restrict(tmp_path):
    r = world(
        tmp_path,
        ["T"],
        ["X", "Y"],
        ["X,T,30,,,,,,registry,R1", "Y,T,,10,40,,,,register,B1"],
        listed("X", "Y"),
    )
    [proof] = tenant_proof(r, "T")
    assert proof["verdict"] == "possibly-restricted"
    [deciding] = proof["unknown_shares_that_could_decide"]
    assert (deciding["owner_id"], deciding["smallest_share_that_restricts"]) == ("Y", 20)


def test_markup_in_party_names_is_escaped(tmp_path):
    (tmp_path / "w").mkdir()
    r = world(tmp_path / "w", ["T"], ["X"], ["X,T,60,,,,,,<b>reg</b>,R|1"], listed("X"))
    [proof] = tenant_proof(r, "T")
    proof["chain"]["holders"][0]["owner_name"] = "<script>alert(1)</script>"
    html = html_block({"T": [proof]})
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;reg&lt;/b&gt;" in html
    md = "\n".join(markdown_lines({"T": [proof]}))
    assert "R\\|1" in md


def test_a_band_ending_below_the_threshold_never_reads_as_reaching_it(tmp_path):
    from auditor.ownership.assess import assess
    from auditor.ownership.inputs import load_ownership
    from ownership_testkit import AS_OF, TEST_REGIME, tenants_frame, write_csv

    header = "owner_id,owned_id,share_min,share_max,share_max_exclusive,source"
    o = write_csv(tmp_path / "o.csv", header, ["X,T,25,50,true,register"])  # "25% to less than 50%"
    p = write_csv(tmp_path / "p.csv", "party_id,name", ["X,Party X"])
    r = assess(
        load_ownership(tenants_frame(["T"]), o, p), listed("X"), [TEST_REGIME], AS_OF, 0.93, 25.0
    )
    [proof] = tenant_proof(r, "T")
    assert proof["verdict"] == "clear"
    assert proof["chain"]["sum_text"] == "25%"
    assert (
        proof["possible_chain"]["sum_text"] == "less than 50%"
        and not proof["possible_chain"]["reaches_threshold"]
    )
    assert any(
        "possible (upper bounds): less than 50%" in line for line in markdown_lines({"T": [proof]})
    )


def test_a_stake_exactly_the_tolerance_short_of_the_threshold_restricts_in_the_proof_too(tmp_path):
    """49.999999999% is 50% less the rounding tolerance (a billionth of a point): the proof's
    verdict says restricted, as the verdict table does; a hair less is clear in both."""
    from ownership_testkit import verdict

    for share, expected in (("49.999999999", "restricted"), ("49.9999999985", "clear")):
        r = world(tmp_path, ["T"], ["X"], [f"X,T,{share},,,,,,registry,R1"], listed("X"))
        [proof] = tenant_proof(r, "T")
        assert (proof["verdict"], verdict(r, "T")) == (expected, expected), share


def _chain_to(tmp_path, intermediaries: int):
    """L (listed) -> H<n> -> ... -> H1 -> T, each stake 60%: every H and T is restricted."""
    hs = [f"H{i}" for i in range(1, intermediaries + 1)]
    owners = [*hs[1:], "L"]  # H1 is held by H2, ..., the last H by L
    stakes = [f"{o},{h},60,,,,,,reg,{h}" for o, h in zip(owners, hs)] + ["H1,T,60,,,,,,reg,T"]
    r = world(tmp_path, ["T"], ["L", *hs], stakes, listed("L"))
    [proof] = tenant_proof(r, "T")
    return proof


def _walk(chain):
    """The holders' ids from the tenant down, following each level's only holder, and where it ends."""
    ids, node = [], chain
    while True:
        [h] = node["holders"]
        ids.append(h["owner_id"])
        node = h["because"]
        if "listed" in node or "truncated" in node:
            return ids, node


def test_a_chain_is_expanded_twelve_levels_down_and_a_deeper_one_is_cut_there(tmp_path):
    """MAX_DEPTH = 12: the tenant's proof expands holders down to 12 levels of intermediaries
    (H1..H12, each expanded with its own holders), so a listed owner of H12 is reached and shown
    with its list entry. With one intermediary more, H13 is the holder found at the 12th level:
    it is not expanded but cut with the "deeper than 12 levels" note (investigate --json has it)."""
    (tmp_path / "12").mkdir()
    ids, end = _walk(_chain_to(tmp_path / "12", 12)["chain"])
    assert ids == [f"H{i}" for i in range(1, 13)] + ["L"]
    assert end["listed"]["entry_id"] == "E-L" and "truncated" not in end

    (tmp_path / "13").mkdir()
    ids, end = _walk(_chain_to(tmp_path / "13", 13)["chain"])
    assert ids == [f"H{i}" for i in range(1, 14)]
    assert end["id"] == "H13" and "listed" not in end
    assert end["truncated"].startswith("chain deeper than 12 levels")


def test_a_holder_met_again_down_the_chain_is_marked_as_a_cycle_not_expanded_again(tmp_path):
    """L (listed) holds 60% of H, H 60% of T, and T 30% of H: T is restricted through H, and
    H's own holders are L (60%, listed) and T (30%, restricted). T is where the proof started,
    so under H it is marked as a cycle, and the outline and summary say so instead of
    expanding T again."""
    from auditor.report.ownership import proof_outline

    stakes = ["L,H,60,,,,,,reg,1", "H,T,60,,,,,,reg,2", "T,H,30,,,,,,reg,3"]
    r = world(tmp_path, ["T"], ["L", "H"], stakes, listed("L"))
    [proof] = tenant_proof(r, "T")
    [h] = proof["chain"]["holders"]
    assert h["owner_id"] == "H"
    under_h = h["because"]["holders"]
    assert [(x["owner_id"], x["counted"]) for x in under_h] == [("L", 60), ("T", 30)]
    assert under_h[1]["because"]["cycle"] is True and "holders" not in under_h[1]["because"]
    lines = [text for _, text in proof_outline(proof)]
    assert "Tenant T is part of an ownership cycle already shown above" in lines
    assert "30% Tenant T [cycle]" in summary(proof)


def test_the_smallest_set_is_named_exactly_at_the_tolerance_and_not_a_hair_below(tmp_path):
    """A stake of 50% less the rounding tolerance (49.999999999%, which is 50 - 1e-9 as a
    double) reaches the threshold, so the proof names it as the smallest set reaching it;
    a stake a hair smaller reaches nothing and the smallest set is empty."""
    for share, reaches, smallest in (("49.999999999", True, ["X"]), ("49.9999999985", False, [])):
        r = world(tmp_path, ["T"], ["X"], [f"X,T,{share},,,,,,registry,R1"], listed("X"))
        [proof] = tenant_proof(r, "T")
        chain = proof["chain"]
        assert (chain["reaches_threshold"], chain["smallest_set"]) == (reaches, smallest), share


def test_the_seed_score_in_the_proof_is_given_to_three_places(tmp_path):
    """The listed seed's match score is given to three decimals, as the screening's own
    explanation features are (matcher rounds them to 3): 0.98765 -> 0.988, 0.98749 -> 0.987."""
    for score, shown in ((0.98765, 0.988), (0.98749, 0.987)):
        r = world(tmp_path, ["T"], ["X"], ["X,T,60,,,,,,registry,R1"], listed("X", score=score))
        [proof] = tenant_proof(r, "T")
        [h] = proof["chain"]["holders"]
        assert h["because"]["listed"]["score"] == shown, score


def test_the_regime_heading_is_the_only_top_level_line_of_an_outline(tmp_path):
    """Everything a proof says (holders, sums, the notice) sits under its regime's heading, so
    in report.md the heading is the one unindented bullet and every other line is indented."""
    from auditor.report.ownership import proof_outline

    r = world(tmp_path, ["T"], ["X"], ["X,T,60,,,,,,registry,R1"], listed("X"))
    [proof] = tenant_proof(r, "T")
    outline = proof_outline(proof)
    assert outline[0] == (
        0,
        "Test 50% rule (test-50): restricted; status on the as-of date in force; threshold 50%",
    )
    assert all(depth >= 1 for depth, _ in outline[1:])
    md = [line for line in markdown_lines({"T": [proof]}) if line.lstrip().startswith("- ")]
    assert md[0].startswith("- Test 50% rule") and all(line.startswith("  ") for line in md[1:])


def test_a_possibly_restricted_proof_also_says_what_is_certain(tmp_path):
    """X (listed) holds 30% and Y (listed) 10% to 40%: T is possibly restricted, its chain on
    the upper bounds (30 + 40 = 70%), and the outline adds what the lower bounds make certain:
    30 + 10 = 40%."""
    from auditor.report.ownership import proof_outline

    r = world(
        tmp_path,
        ["T"],
        ["X", "Y"],
        ["X,T,30,,,,,,registry,R1", "Y,T,,10,40,,,,register,B1"],
        listed("X", "Y"),
    )
    [proof] = tenant_proof(r, "T")
    assert (proof["verdict"], proof["chain"]["sum"]) == ("possibly-restricted", 70)
    assert (1, "certain (lower bounds): 40% held by restricted owners") in proof_outline(proof)


def _li_depths(html: str) -> list[tuple[int, str]]:
    """Each <li>'s text with the number of <ul> it sits in; the lists must all be closed again."""
    import re

    found, open_lists = [], 0
    for tag, text in re.findall(r"(<ul>|</ul>|<li>(.*?)</li>)", html):
        if tag == "<ul>":
            open_lists += 1
        elif tag == "</ul>":
            open_lists -= 1
            assert open_lists >= 0, html
        else:
            found.append((open_lists, text))
    assert open_lists == 0, html
    return found


def test_the_html_nests_each_line_one_list_deeper_per_level_and_closes_every_list():
    """An outline going down one level at a time and back up by one and by two: each line sits
    in depth + 1 lists, a level is opened once and closed once, and nothing is left open."""
    from auditor.report.ownership import _nested

    outline = [(0, "a"), (1, "b"), (2, "c"), (1, "d"), (2, "e"), (3, "f"), (1, "g"), (0, "h")]
    html = _nested(outline)
    assert _li_depths(html) == [(depth + 1, text) for depth, text in outline]
    assert html == (
        "<ul><li>a</li><ul><li>b</li><ul><li>c</li></ul><li>d</li><ul><li>e</li><ul><li>f</li>"
        "</ul></ul><li>g</li></ul><li>h</li></ul>"
    )
    assert _nested([]) == ""


def test_a_rendered_proof_in_html_has_the_outline_depths(tmp_path):
    """The whole proof of a two-level chain (L -> H -> T) in HTML: every line at its outline depth."""
    from auditor.report.ownership import proof_outline

    r = world(tmp_path, ["T"], ["L", "H"], ["L,H,60,,,,,,reg,1", "H,T,60,,,,,,reg,2"], listed("L"))
    [proof] = tenant_proof(r, "T")
    block = html_block({"T": [proof]})
    from html import escape

    assert _li_depths(block) == [(d + 1, escape(t)) for d, t in proof_outline(proof)]
