"""Unknown shares that could decide a verdict, beyond the tenant's direct owners."""

from __future__ import annotations

from auditor.ownership.proof import tenant_proof
from auditor.report.ownership import proof_outline
from ownership_testkit import listed, verdict, world


def _deciding(result, tenant="T"):
    (proof,) = tenant_proof(result, tenant)
    return proof, proof["unknown_shares_that_could_decide"]


def test_an_unknown_stake_one_level_up_is_named_with_the_step_down_to_the_tenant(tmp_path):
    # L (listed) holds an unknown share of H; H holds 60% of T. T is possibly restricted: it
    # is restricted as soon as L's share in H reaches 50%.
    result = world(
        tmp_path, ["T"], ["L", "H"], ["L,H,,,,,,,reg,1", "H,T,60,,,,,,reg,2"], listed("L")
    )
    assert verdict(result, "T") == "possibly-restricted"
    proof, (d,) = _deciding(result)
    assert (d["owner_id"], d["owned_id"], d["smallest_share_that_restricts"]) == ("L", "H", 50)
    assert d["via"] == [
        {"holder_id": "H", "holder_name": "Party H", "in": "T", "stake": "60%", "share_needed": 50}
    ]
    assert d["sources"][0]["source_ref"] == "1"
    text = " ".join(line for _, line in proof_outline(proof))
    assert "the share of Party L (L) in H is unknown" in text and "so is the tenant" in text


def test_two_levels_up_the_steps_run_from_the_stake_down_to_the_tenant(tmp_path):
    stakes = ["L,H1,,40,70,,,,reg,1", "H1,H2,55,,,,,,reg,2", "H2,T,70,,,,,,reg,3"]
    result = world(tmp_path, ["T"], ["L", "H1", "H2"], stakes, listed("L"))
    _, (d,) = _deciding(result)
    assert (d["owned_id"], d["smallest_share_that_restricts"]) == ("H1", 50)
    assert [(v["holder_id"], v["in"]) for v in d["via"]] == [("H1", "H2"), ("H2", "T")]


def test_an_intermediary_whose_stake_could_not_decide_is_not_followed(tmp_path):
    # H holds at most 40% of T: even restricted, it could not make T restricted alone.
    result = world(
        tmp_path, ["T"], ["L", "H"], ["L,H,,,,,,,reg,1", "H,T,,10,40,,,,reg,2"], listed("L")
    )
    assert verdict(result, "T") == "clear"
    assert _deciding(result)[1] == []


def test_a_direct_unknown_comes_before_one_further_up_and_cycles_end(tmp_path):
    stakes = [
        "L,T,,,,,,,reg,1",  # direct, unknown
        "L,H,,,,,,,reg,2",
        "H,T,60,,,,,,reg,3",
        "T,H,10,,,,,,reg,4",  # a cycle back into H
    ]
    result = world(tmp_path, ["T"], ["L", "H"], stakes, listed("L"))
    _, deciding = _deciding(result)
    assert [("via" in d, d["owner_id"]) for d in deciding] == [(False, "L"), (True, "L")]


def test_a_deciding_share_below_one_percent_is_given_as_it_is(tmp_path):
    """X (listed) holds 49.5% of T; Y (listed) holds an unknown share. T is possibly restricted
    (certain 49.5%, at most 149.5%), and Y's stake restricts it from 50 - 49.5 = 0.5%: the
    smallest share is that half point, not rounded up to a whole one."""
    result = world(
        tmp_path, ["T"], ["X", "Y"], ["X,T,49.5,,,,,,reg,1", "Y,T,,,,,,,reg,2"], listed("X", "Y")
    )
    assert verdict(result, "T") == "possibly-restricted"
    proof, (d,) = _deciding(result)
    assert (d["owner_id"], d["smallest_share_that_restricts"]) == ("Y", 0.5)
    text = " ".join(line for _, line in proof_outline(proof))
    assert "at 0.5% or more the tenant is restricted" in text
