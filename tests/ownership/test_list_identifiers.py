"""LEIs and USCCs read from list entries (CSL `ids`, SDN `remarks`) make a party carrying the same code a listed seed.

The list files are written here in the CSL CSV layout trade.gov publishes (the column order of
its consolidated.csv; `ids` as "type, number, country" statements joined by "; ") and in the
SDN legacy layout where OFAC put the codes inside `remarks`. The codes are published examples
that pass their check digits; the names are invented.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from auditor.features.ownership import OwnershipSettings, ownership_features
from auditor.ownership.identifiers import codes_in_list_text
from auditor.ownership.inputs import load_ownership
from auditor.ownership.proof import summary, tenant_proof
from auditor.report.ownership import _listed
from auditor.screening import ScreeningIndex, load_lists
from ownership_testkit import AS_OF, TEST_REGIME, tenants_frame, write_csv

LEI, OTHER_LEI = "HWUPKR0MPOU8FGXBT394", "506700GE1G29325QX363"
USCC = "914403001922038216"

CSL_COLUMNS = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,"
    "gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,"
    "alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids"
).split(",")
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
EL = "Entity List (EL) - Bureau of Industry and Security"


def _csl(path: Path, entries: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSL_COLUMNS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for e in entries:
            writer.writerow({c: e.get(c, "") for c in CSL_COLUMNS})
    return path


@pytest.mark.parametrize(
    "text, codes",
    [
        # the CSL `ids` column: "type, number, country"
        (f"Registration ID, C122790; Legal Entity Number, {LEI}, RU", [f"LEI:{LEI}"]),
        # older CSL files: "country, number, type"
        (f"CN, {USCC}, Unified Social Credit Code (USCC)", [f"USCC:{USCC}"]),
        # the SDN legacy layout's remarks
        (
            f"Website www.example.cn; Tax ID No. 410211742522406 (China); Unified Social Credit Code (USCC) {USCC} (China).",
            [f"USCC:{USCC}"],
        ),
        (f"United Social Credit Code Certificate (USCCC) {USCC} (China)", [f"USCC:{USCC}"]),
        (
            f"Legal Entity Number {LEI.lower()}; alt. Legal Entity Number {OTHER_LEI}",
            [f"LEI:{LEI}", f"LEI:{OTHER_LEI}"],
        ),
        # OFAC also writes national numbers as "Legal Entity Number": not an ISO LEI, not taken
        ("Legal Entity Number 852496527 (Netherlands)", []),
        # one character changed: the check digits fail, nothing is taken
        (f"Legal Entity Number, {LEI[:-1]}5", []),
        # a valid code without a label naming its scheme is not taken
        (f"Registration Number {LEI}; Tax ID No. {USCC}", []),
        ("", []),
        (None, []),
    ],
)
def test_codes_in_list_text(text, codes):
    assert codes_in_list_text(text) == codes


def test_load_lists_reads_codes_from_ids_and_remarks(tmp_path):
    path = _csl(
        tmp_path / "consolidated.csv",
        [
            {
                "_id": "e1",
                "source": SDN,
                "name": "NORTHWIND TRADING",
                "ids": f"Legal Entity Number, {LEI}, RU",
            },
            {
                "_id": "e2",
                "source": SDN,
                "name": "EASTGATE CO",
                "remarks": f"Unified Social Credit Code (USCC) {USCC} (China).",
            },
            {
                "_id": "e3",
                "source": EL,
                "name": "Plain Name Ltd",
                "ids": "Registration ID, C122790",
            },
        ],
    )
    entries = load_lists([path]).entries.sort("entry_id")
    assert entries["identifiers"].to_list() == [[f"LEI:{LEI}"], [f"USCC:{USCC}"], []]


def test_load_lists_reads_codes_from_json_ids_objects(tmp_path):
    path = tmp_path / "consolidated.json"
    path.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "id": "j1",
                        "source": SDN,
                        "name": "NORTHWIND TRADING",
                        "ids": [{"type": "Legal Entity Number", "number": LEI, "country": "RU"}],
                    }
                ]
            }
        )
    )
    assert load_lists([path]).entries["identifiers"].to_list() == [[f"LEI:{LEI}"]]


def _run(tmp_path: Path, parties: list[str], stakes: list[str], lists: list[dict[str, str]]):
    index = ScreeningIndex.build(load_lists([_csl(tmp_path / "csl.csv", lists)]).entries)
    tenants = tenants_frame(["T1", "T2", "T3"])
    data = load_ownership(
        tenants,
        write_csv(tmp_path / "ownership.csv", "owner_id,owned_id,share", stakes),
        write_csv(tmp_path / "parties.csv", "party_id,name,kind,identifiers,tenant_id", parties),
    )
    settings = OwnershipSettings(data=data, regimes=[TEST_REGIME])
    frame, assessment = ownership_features(tenants, AS_OF, index, None, None, settings)
    return frame.sort("tenant_id"), assessment


def test_same_lei_as_a_list_entry_is_a_listed_seed_whatever_the_names(tmp_path):
    frame, assessment = _run(
        tmp_path,
        parties=[
            f"P1,Blue Harbor Holdings,entity,LEI:{LEI},",  # no name in common with the entry
            f"P2,Green Field Capital,entity,LEI:{OTHER_LEI},",  # a valid LEI no entry carries
        ],
        stakes=["P1,T1,60", "P2,T2,60"],
        lists=[
            {
                "_id": "e1",
                "source": SDN,
                "name": "NORTHWIND TRADING",
                "ids": f"Legal Entity Number, {LEI}, RU",
            }
        ],
    )
    verdicts = dict(zip(frame["tenant_id"], frame["ownership_verdict"]))
    assert verdicts["T1"] == "restricted" and verdicts["T2"] == "clear"
    proof = tenant_proof(assessment, "T1")[0]
    seed = proof["chain"]["holders"][0]["because"]["listed"]
    assert seed["same_identifier"] == "same LEI as list entry e1"
    assert seed["certain"] and seed["entry_name"] == "NORTHWIND TRADING"
    assert "same LEI as list entry e1 (SDN 'NORTHWIND TRADING')" in summary(proof)
    assert _listed(seed).startswith("listed seed: same LEI as list entry e1")


def test_a_tenant_written_in_the_parties_file_with_its_uscc_is_found_by_it(tmp_path):
    frame, assessment = _run(
        tmp_path,
        parties=[f"T3,Tenant T3,entity,USCC:{USCC},T3"],
        stakes=["T3,T1,50"],  # the tenant T3 owns half of T1
        lists=[
            {
                "_id": "e2",
                "source": SDN,
                "name": "EASTGATE CO",
                "remarks": f"Unified Social Credit Code (USCC) {USCC} (China).",
            }
        ],
    )
    verdicts = dict(zip(frame["tenant_id"], frame["ownership_verdict"]))
    assert verdicts["T1"] == "restricted"  # exactly 50% from a listed owner is caught
    seeds = assessment.regimes[0].seeds
    assert seeds.filter(pl.col("node_id") == "T3")["entry_id"].to_list() == ["e2"]
    # T3 is the listed entry itself: that is a signal of its own, not only a seed for T1
    identified = dict(zip(frame["tenant_id"], frame["listed_identifier_match"]))
    assert identified == {"T1": False, "T2": False, "T3": True}
    detail = frame.filter(pl.col("tenant_id") == "T3")["listed_identifier_detail"].item()
    assert detail == (
        f"USCC:{USCC}: same Unified Social Credit Code as list entry e2 (SDN 'EASTGATE CO')"
    )


def test_a_party_with_a_listed_code_is_not_the_tenant_it_owns(tmp_path):
    """A non-tenant party carrying the code restricts what it owns; no tenant *is* the entry."""
    frame, _ = _run(
        tmp_path,
        parties=[
            f"P1,Blue Harbor Holdings,entity,LEI:{LEI},",
            f"T2,Tenant T2,entity,LEI:{OTHER_LEI},T2",
        ],
        stakes=["P1,T1,60"],
        lists=[
            {
                "_id": "e1",
                "source": SDN,
                "name": "NORTHWIND",
                "ids": f"Legal Entity Number, {LEI}, RU",
            }
        ],
    )
    assert frame["listed_identifier_match"].to_list() == [False, False, False]
    assert frame["listed_identifier_detail"].null_count() == 3


def test_a_code_on_a_list_the_regime_does_not_seed_from_does_not_seed_it(tmp_path):
    frame, _ = _run(
        tmp_path,
        parties=[f"P1,Blue Harbor Holdings,entity,LEI:{LEI},"],
        stakes=["P1,T1,60"],
        lists=[
            {
                "_id": "e3",
                "source": EL,
                "name": "NORTHWIND TRADING",
                "ids": f"Legal Entity Number, {LEI}, RU",
            }
        ],
    )
    assert frame.filter(pl.col("tenant_id") == "T1")["ownership_verdict"].item() == "clear"
