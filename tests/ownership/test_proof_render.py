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
