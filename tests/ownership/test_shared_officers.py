"""Officers shared with a listed party: the same person fires `shared_officer_listed`; a near miss is only shown."""

from __future__ import annotations

from pathlib import Path


from auditor.features.ownership import OwnershipSettings, ownership_features
from auditor.ownership.inputs import load_ownership
from auditor.screening import ScreeningIndex, load_lists
from ownership_testkit import AS_OF, TEST_REGIME, tenants_frame, write_csv

SDN = "Specially Designated Nationals (SDN) - Treasury Department"


def _features(tmp_path: Path) -> dict[str, dict]:
    lists = write_csv(
        tmp_path / "csl.csv",
        "_id,source,name,ids",
        [f'e1,"{SDN}",NORTHWIND MICROSYSTEMS,'],
    )
    index = ScreeningIndex.build(load_lists([lists]).entries)
    tenants = tenants_frame(
        ["T1", "T2", "T3", "T4", "T5"],
        officers=[["赵明辉"], ["Minhui Zhao"], ["Minhui Zhao"], [], ["Minghao Zhan"]],
        country=["CN", "CN", "US", "CN", "CN"],
    )
    data = load_ownership(
        tenants,
        write_csv(
            tmp_path / "ownership.csv",
            "owner_id,owned_id,share,interest",
            ["P1,L,,control", "P1,T4,,control"],
        ),
        write_csv(
            tmp_path / "parties.csv",
            "party_id,name,kind,country",
            ["L,Northwind Microsystems,entity,CN", "P1,ZHAO Minghui,person,CN"],
        ),
    )
    settings = OwnershipSettings(data=data, regimes=[TEST_REGIME])
    frame, _ = ownership_features(tenants, AS_OF, index, None, None, settings)
    return {r["tenant_id"]: r for r in frame.to_dicts()}


def test_the_same_person_is_a_shared_officer_and_a_near_miss_only_a_possible_one(tmp_path):
    got = _features(tmp_path)
    # the same person in another script, among the tenant's officers
    assert got["T1"]["shared_officer_listed"] is True
    assert (
        got["T1"]["shared_officer_detail"]
        == "ZHAO Minghui also controls Northwind Microsystems (L)"
    )
    assert got["T1"]["shared_officer_possible"] is None
    # a near miss in the same country: shown, not counted
    assert got["T2"]["shared_officer_listed"] is False
    assert got["T2"]["shared_officer_possible"].startswith(
        "officer Minhui Zhao is close to ZHAO Minghui, who controls Northwind Microsystems (L)"
    )
    # the same near miss where the countries differ: nothing
    assert (
        got["T3"]["shared_officer_listed"] is False and got["T3"]["shared_officer_possible"] is None
    )
    # the person's own control interest in the tenant ties by id
    assert got["T4"]["shared_officer_listed"] is True
    # below the threshold: nothing
    assert (
        got["T5"]["shared_officer_listed"] is False and got["T5"]["shared_officer_possible"] is None
    )
