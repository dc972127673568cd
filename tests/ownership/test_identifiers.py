"""LEI and USCC: check digits, located refusals of malformed codes, and parties tied across sources."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.errors import InputError
from auditor.ownership.assess import assess
from auditor.ownership.identifiers import lei_check_ok, uscc_check_ok
from auditor.ownership.inputs import load_ownership
from auditor.ownership.proof import tenant_proof
from ownership_testkit import AS_OF, TEST_REGIME, listed, tenants_frame, write_csv

# Real codes, published by their registries: Apple Inc.'s and GLEIF's own LEIs; the USCCs of
# Huawei Technologies, Alibaba (China) and Tencent (Shenzhen).
LEIS = ["HWUPKR0MPOU8FGXBT394", "506700GE1G29325QX363"]
USCCS = ["914403001922038216", "91330100716105852F", "9144030071526726XG"]


def test_published_codes_pass_and_one_changed_character_fails():
    assert lei_check_ok(pl.Series(LEIS)).all()
    assert uscc_check_ok(pl.Series(USCCS)).all()
    assert not lei_check_ok(pl.Series(["HWUPKR0MPOU8FGXBT395", "HWUPKR0MPOU8FGXBT493"])).any()
    assert not uscc_check_ok(pl.Series(["914403001922038217", "91330100716105852G"])).any()
    assert lei_check_ok(pl.Series([], dtype=pl.String)).size == 0
    assert uscc_check_ok(pl.Series([], dtype=pl.String)).size == 0


def _load(tmp_path, parties: list[str], stakes: list[str] = (), tenants=("T",)):
    p = write_csv(tmp_path / "parties.csv", "party_id,name,kind,identifiers,tenant_id", parties)
    o = write_csv(
        tmp_path / "ownership.csv", "owner_id,owned_id,share,source,source_ref", list(stakes)
    )
    return load_ownership(tenants_frame(list(tenants)), o, p)


@pytest.mark.parametrize(
    "code, words",
    [
        ("LEI:HWUPKR0MPOU8FGXBT39", "20 letters or digits"),  # one short
        ("LEI:HWUPKR0MPOU8FGXBT3944", "20 letters or digits"),  # one long
        ("LEI:HWUPKR0MPOU8FGXBT3X4", "20 letters or digits"),  # a letter among the check digits
        ("LEI:HWUPKR0MPOU8FGXBT395", "check digits do not match"),
        ("USCC:91440300192203821I", "18 characters"),  # I is not in the USCC alphabet
        ("USCC:91A403001922038216", "18 characters"),  # the division code must be digits
        ("CN-SAMR:914403001922038217", "check character does not match"),
    ],
)
def test_a_malformed_code_is_refused_with_its_row(tmp_path, code, words):
    with pytest.raises(InputError) as err:
        _load(tmp_path, ["P0,Fine Ltd,entity,LEI:506700GE1G29325QX363,", f"P1,Acme,entity,{code},"])
    (problem,) = err.value.problems
    assert problem.location.row == 3 and problem.subject == "column 'identifiers'"
    assert code in problem.message and words in problem.message


def test_written_other_ways_the_same_code_ties_and_other_schemes_pass(tmp_path):
    data = _load(
        tmp_path,
        [
            "P1,Acme Holdings,entity,LEI:HWUPKR0MPOU8FGXBT394;REG:12345,",
            "P2,ACME HOLDINGS LTD,entity,xi-lei: hwupkr0mpou8fgxbt394,",
            "P3,Someone Else,entity,REG:12345;OGRN:not checked,",
            "P4,No Codes,entity,,",
        ],
        ["P2,T,60,registry,r1"],
    )
    assert data.ties.select("party_id", "same_as").rows() == [("P2", "P1")]
    edge = data.edges.row(0, named=True)
    assert (edge["owner_id"], edge["owned_id"]) == ("P1", "T")
    nodes = {r["node_id"]: r for r in data.nodes.to_dicts()}
    assert "P2" not in nodes and "ACME HOLDINGS LTD" in nodes["P1"]["aliases"]
    assert "P3" in nodes  # a shared registration number of an unchecked scheme ties nothing


def test_ties_follow_chains_of_codes_and_a_tenant_party_wins(tmp_path):
    data = _load(
        tmp_path,
        [
            f"A,Alpha Registry Name,entity,USCC:{USCCS[0]},",
            f"B,Alpha Trading,entity,USCC:{USCCS[0]};LEI:{LEIS[0]},",
            f"C,Alpha Intl,entity,LEI:{LEIS[0]},T",  # C is the tenant T
            f"D,Unrelated,entity,LEI:{LEIS[1]},",
        ],
        ["A,D,30,registry,r1", "D,B,40,registry,r2"],
    )
    assert dict(data.ties.select("party_id", "same_as").rows()) == {"A": "T", "B": "T"}
    assert sorted(data.edges.select("owner_id", "owned_id").rows()) == [("D", "T"), ("T", "D")]
    assert set(data.nodes["node_id"]) == {"T", "D"}


def test_two_tenants_sharing_a_code_stay_two_tenants(tmp_path):
    data = _load(
        tmp_path,
        [
            f"PT,Tee,entity,LEI:{LEIS[0]},T",
            f"PU,You,entity,LEI:{LEIS[0]},U",
            f"P,Pea,entity,LEI:{LEIS[0]},",
        ],
        tenants=("T", "U"),
    )
    assert dict(data.ties.select("party_id", "same_as").rows()) == {"P": "T"}


def test_the_proof_names_the_parties_tied_into_a_holder(tmp_path):
    data = _load(
        tmp_path,
        [
            f"P1,Listed Maker,entity,LEI:{LEIS[0]},",
            f"P2,Listed Maker (Registry),entity,LEI:{LEIS[0]},",
        ],
        ["P2,T,60,registry,r1"],
    )
    result = assess(data, listed("P1"), [TEST_REGIME], AS_OF, 0.93, 25.0)
    (proof,) = tenant_proof(result, "T")
    (holder,) = proof["chain"]["holders"]
    assert proof["verdict"] == "restricted"
    assert holder["owner_id"] == "P1"
    assert holder["because"]["same_party_as"] == [f"P2 'Listed Maker (Registry)' (LEI:{LEIS[0]})"]
