"""Importers on small files written in the published shapes: BODS 0.4 and 0.2/0.3, GLEIF Level 2, FollowTheMoney."""

from __future__ import annotations

import json

import polars as pl
import pytest

from auditor.ownership.importers import IMPORTERS, write_tables
from auditor.ownership.inputs import load_ownership
from ownership_testkit import tenants_frame

BODS_04 = [
    {
        "statementId": "s-e1",
        "recordId": "rec-tenant",
        "recordType": "entity",
        "recordStatus": "new",
        "recordDetails": {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": "Lagoon Tensor Pte. Ltd.",
            "jurisdiction": {"name": "Singapore", "code": "SG"},
            "identifiers": [{"scheme": "SG-ACRA", "id": "201912345K"}],
        },
    },
    {
        "statementId": "s-e2",
        "recordId": "rec-holdco",
        "recordType": "entity",
        "recordDetails": {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": "Coral Reef Holdings Limited",
            "jurisdiction": {"code": "WS"},
        },
    },
    {
        "statementId": "s-p1",
        "recordId": "rec-person",
        "recordType": "person",
        "recordDetails": {
            "isComponent": False,
            "personType": "knownPerson",
            "names": [{"type": "legal", "fullName": "Anton Korolev"}],
            "nationalities": [{"code": "RU"}],
        },
    },
    # the holdco holds 60% of the tenant: a component of the indirect chain below
    {
        "statementId": "s-r1",
        "recordId": "rel-1",
        "recordType": "relationship",
        "statementDate": "2026-10-01",
        "recordDetails": {
            "isComponent": True,
            "subject": "rec-tenant",
            "interestedParty": "rec-holdco",
            "interests": [
                {
                    "type": "shareholding",
                    "directOrIndirect": "direct",
                    "share": {"exact": 60},
                    "startDate": "2025-01-01",
                }
            ],
        },
    },
    # the person holds more than 25% up to 50% of the holdco, directly
    {
        "statementId": "s-r2",
        "recordId": "rel-2",
        "recordType": "relationship",
        "recordDetails": {
            "isComponent": False,
            "subject": "rec-holdco",
            "interestedParty": "rec-person",
            "interests": [
                {
                    "type": "shareholding",
                    "directOrIndirect": "direct",
                    "share": {"exclusiveMinimum": 25, "maximum": 50},
                },
                {"type": "appointmentOfBoard", "directOrIndirect": "direct"},
            ],
        },
    },
    # and an indirect summary of the person in the tenant: checked, not added
    {
        "statementId": "s-r3",
        "recordId": "rel-3",
        "recordType": "relationship",
        "recordDetails": {
            "isComponent": False,
            "subject": "rec-tenant",
            "interestedParty": "rec-person",
            "componentRecords": ["rel-1", "rel-2"],
            "interests": [
                {
                    "type": "shareholding",
                    "directOrIndirect": "indirect",
                    "share": {"minimum": 15, "maximum": 30},
                }
            ],
        },
    },
]

BODS_03 = [
    {
        "statementID": "e-1",
        "statementType": "entityStatement",
        "entityType": "registeredEntity",
        "name": "Kowloon Matrix Compute Limited",
        "incorporatedInJurisdiction": {"code": "HK"},
    },
    {
        "statementID": "e-2",
        "statementType": "entityStatement",
        "entityType": "registeredEntity",
        "name": "Baikal Electronics JSC",
    },
    {
        "statementID": "o-1",
        "statementType": "ownershipOrControlStatement",
        "statementDate": "2026-09-01",
        "subject": {"describedByEntityStatement": "e-1"},
        "interestedParty": {"describedByEntityStatement": "e-2"},
        "interests": [{"type": "shareholding", "interestLevel": "direct", "share": {"exact": 30}}],
    },
    {
        "statementID": "o-2",
        "statementType": "ownershipOrControlStatement",
        "subject": {"describedByEntityStatement": "e-1"},
        "interestedParty": {"describedByEntityStatement": "e-2"},
        "interests": [
            {"type": "shareholding", "interestLevel": "indirect", "share": {"exact": 10}}
        ],
    },
]


def test_bods_04_json_array_gives_direct_and_component_edges_only(tmp_path):
    src = tmp_path / "bods.json"
    src.write_text(json.dumps(BODS_04))
    imported = IMPORTERS["bods"](src)
    edges = {(r["owner_id"], r["owned_id"], r["interest"]): r for r in imported.ownership}
    assert set(edges) == {
        ("bods:rec-holdco", "bods:rec-tenant", "shareholding"),
        ("bods:rec-person", "bods:rec-holdco", "shareholding"),
        ("bods:rec-person", "bods:rec-holdco", "control"),
    }
    band = edges[("bods:rec-person", "bods:rec-holdco", "shareholding")]
    assert (
        band["share_min"],
        band["share_max"],
        band.get("share_min_exclusive"),
        band.get("share_max_exclusive"),
    ) == (25.0, 50.0, "true", None)
    assert edges[("bods:rec-holdco", "bods:rec-tenant", "shareholding")]["share"] == 60.0
    assert any("s-r3" in n and "matches a chain" in n for n in imported.notes)
    assert (
        imported.parties["bods:rec-person"]["kind"] == "person"
        and imported.parties["bods:rec-tenant"]["country"] == "SG"
    )
    assert imported.parties["bods:rec-tenant"]["identifiers"] == ["SG-ACRA:201912345K"]


def test_bods_03_field_names_and_json_lines(tmp_path):
    src = tmp_path / "bods.jsonl"
    src.write_text("\n".join(json.dumps(s) for s in BODS_03) + "\n")
    imported = IMPORTERS["bods"](src)
    assert [(r["owner_id"], r["owned_id"], r["share"]) for r in imported.ownership] == [
        ("bods:e-2", "bods:e-1", 30.0)
    ]
    assert any("o-2" in n for n in imported.notes)  # the indirect one is checked, not added


def test_bods_indirect_without_a_chain_is_reported(tmp_path):
    src = tmp_path / "bods.json"
    src.write_text(json.dumps([BODS_03[0], BODS_03[1], BODS_03[3]]))
    imported = IMPORTERS["bods"](src)
    assert imported.ownership == [] and any("NO chain" in n for n in imported.notes)


GLEIF = {
    "RelationshipRecords": {
        "RelationshipRecord": [
            {
                "Relationship": {
                    "StartNode": {
                        "NodeID": {"$": "5299000000000000CH39"},
                        "NodeIDType": {"$": "LEI"},
                    },
                    "EndNode": {
                        "NodeID": {"$": "5299000000000000PA40"},
                        "NodeIDType": {"$": "LEI"},
                    },
                    "RelationshipType": {"$": "IS_DIRECTLY_CONSOLIDATED_BY"},
                    "RelationshipPeriods": {
                        "RelationshipPeriod": [
                            {
                                "StartDate": {"$": "2024-01-01T00:00:00Z"},
                                "PeriodType": {"$": "RELATIONSHIP_PERIOD"},
                            }
                        ]
                    },
                    "RelationshipStatus": {"$": "ACTIVE"},
                    "RelationshipQuantifiers": {
                        "RelationshipQuantifier": [
                            {
                                "MeasurementMethod": {"$": "ACCOUNTING_CONSOLIDATION"},
                                "QuantifierAmount": {"$": "75.5"},
                                "QuantifierUnits": {"$": "PERCENTAGE"},
                            }
                        ]
                    },
                },
                "Registration": {"LastUpdateDate": {"$": "2026-05-01T00:00:00Z"}},
            },
            {
                "Relationship": {
                    "StartNode": {"NodeID": {"$": "5299000000000000CH39"}},
                    "EndNode": {"NodeID": {"$": "5299000000000000UP47"}},
                    "RelationshipType": {"$": "IS_ULTIMATELY_CONSOLIDATED_BY"},
                }
            },
        ]
    },
    "ReportingExceptions": {
        "Exception": [
            {
                "LEI": {"$": "5299000000000000PA40"},
                "ExceptionCategory": {"$": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT"},
                "ExceptionReason": {"$": "NON_PUBLIC"},
            }
        ]
    },
}


def test_gleif_direct_parents_are_edges_and_exceptions_say_parent_not_disclosed(tmp_path):
    src = tmp_path / "rr.json"
    src.write_text(json.dumps(GLEIF))
    imported = IMPORTERS["gleif"](src)
    rows = {(r["owner_id"], r["owned_id"]): r for r in imported.ownership}
    assert set(rows) == {
        ("LEI:5299000000000000PA40", "LEI:5299000000000000CH39"),
        ("undisclosed-parent:5299000000000000PA40", "LEI:5299000000000000PA40"),
    }
    direct = rows[("LEI:5299000000000000PA40", "LEI:5299000000000000CH39")]
    assert direct["share"] == 75.5 and direct["start_date"] == "2024-01-01"
    assert (
        imported.parties["undisclosed-parent:5299000000000000PA40"]["name"]
        == "parent not disclosed (NON_PUBLIC)"
    )
    assert any("ultimate parent" in n for n in imported.notes)


def test_gleif_api_shape(tmp_path):
    src = tmp_path / "rr.json"
    src.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "type": "relationship-records",
                        "attributes": {
                            "relationship": {
                                "startNode": {"id": "CHILD000000000000001", "type": "LEI"},
                                "endNode": {"id": "PARENT00000000000001", "type": "LEI"},
                                "type": "IS_DIRECTLY_CONSOLIDATED_BY",
                                "status": "ACTIVE",
                            }
                        },
                    }
                ]
            }
        )
    )
    imported = IMPORTERS["gleif"](src)
    assert [(r["owner_id"], r.get("share")) for r in imported.ownership] == [
        ("LEI:PARENT00000000000001", None)
    ]


FTM = [
    {
        "id": "co-1",
        "schema": "Company",
        "properties": {"name": ["Selangor Vector Systems Sdn. Bhd."], "jurisdiction": ["my"]},
    },
    {
        "id": "co-2",
        "schema": "Company",
        "properties": {
            "name": ["OOO Sigma Vychislitelnye Sistemy"],
            "alias": ["Sigma Computing Systems LLC"],
            "ogrnCode": ["1157746000001"],
        },
    },
    {
        "id": "pe-1",
        "schema": "Person",
        "properties": {"name": ["Anton Korolev"], "nationality": ["ru"]},
    },
    {
        "id": "own-1",
        "schema": "Ownership",
        "properties": {
            "owner": ["co-2"],
            "asset": ["co-1"],
            "percentage": ["49"],
            "startDate": ["2024-03-01"],
        },
    },
    {
        "id": "own-2",
        "schema": "Ownership",
        "properties": {"owner": ["pe-1"], "asset": ["co-1"], "percentage": ["25-50"]},
    },
    {
        "id": "dir-1",
        "schema": "Directorship",
        "properties": {
            "director": ["pe-1"],
            "organization": ["co-2"],
            "role": ["General Director"],
        },
    },
]


def test_ftm_ownership_and_directorship(tmp_path):
    src = tmp_path / "ftm.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in FTM) + "\n")
    imported = IMPORTERS["ftm"](src)
    rows = [
        (
            r["owner_id"],
            r["owned_id"],
            r.get("share"),
            r.get("share_min"),
            r.get("share_max"),
            r["interest"],
        )
        for r in imported.ownership
    ]
    assert rows == [
        ("ftm:co-2", "ftm:co-1", 49.0, None, None, "shareholding"),
        ("ftm:pe-1", "ftm:co-1", None, 25.0, 50.0, "shareholding"),
        ("ftm:pe-1", "ftm:co-2", None, None, None, "control"),
    ]
    assert imported.parties["ftm:co-2"]["identifiers"] == ["OGRN:1157746000001"]
    assert (
        imported.parties["ftm:pe-1"]["kind"] == "person"
        and imported.parties["ftm:co-1"]["country"] == "MY"
    )


@pytest.mark.parametrize(
    "fmt, name, content",
    [("bods", "bods.json", BODS_04), ("gleif", "rr.json", GLEIF), ("ftm", "ftm.jsonl", FTM)],
)
def test_written_tables_load_as_audit_input(tmp_path, fmt, name, content, cli):
    src = tmp_path / name
    src.write_text(
        "\n".join(json.dumps(e) for e in content)
        if name.endswith(".jsonl")
        else json.dumps(content)
    )
    tenants = tmp_path / "tenants.csv"
    pl.DataFrame(
        {"tenant_id": ["T1"], "legal_name": ["Selangor Vector Systems Sdn Bhd"]}
    ).write_csv(tenants)
    code, out, err = cli(
        "ownership", "import", fmt, src, "--out", tmp_path / "out", "--tenants", tenants
    )
    assert code == 0, err
    assert "imported format=" in out
    data = load_ownership(
        tenants_frame(["T1"], legal_name=["Selangor Vector Systems Sdn Bhd"]),
        tmp_path / "out" / "ownership.csv",
        tmp_path / "out" / "parties.csv",
    )
    assert data.edges.filter(pl.col("origin") == "ownership").height >= 1
    if fmt == "ftm":  # the party named like the tenant became the tenant
        assert "T1" in data.edges["owned_id"].to_list()


def test_bad_json_is_located(tmp_path, cli):
    src = tmp_path / "bods.json"
    src.write_text('[{"statementId": "a",\n  "recordType": }]')
    code, _, err = cli("ownership", "import", "bods", src, "--out", tmp_path / "o")
    assert code == 2 and "bods.json:2:" in err and "Traceback" not in err
    lines = tmp_path / "ftm.jsonl"
    lines.write_text('{"id": "a", "schema": "Company", "properties": {}}\n{broken\n')
    code, _, err = cli("ownership", "import", "ftm", lines, "--out", tmp_path / "o")
    assert code == 2 and "ftm.jsonl:2:" in err


def test_write_tables_round_trip_columns(tmp_path):
    from auditor.ownership.importers.common import Imported

    imported = Imported()
    imported.party("A", "Alpha", "entity", aliases=["Al", "Alf"])
    imported.party("B", "Beta", "person")
    imported.stake("A", "B", share=10.0, source="test")
    paths = write_tables(imported, tmp_path)
    parties = pl.read_csv(paths["parties"])
    assert parties.filter(pl.col("party_id") == "A")["aliases"].item() == "Al;Alf"


@pytest.mark.parametrize(
    "value, share",
    [
        (30, 30.0),
        ("30", 30.0),
        ("30%", 30.0),
        (" 50.5 % ", 50.5),
        (0.3, 0.3),
        ("", None),
        (None, None),
        ("about half", None),
        ("%", None),
    ],
)
def test_a_stated_share_is_read_as_a_percentage_and_a_blank_or_word_is_unknown(value, share):
    from auditor.ownership.importers.common import percent

    assert percent(value) == share


@pytest.mark.parametrize(
    "exception",
    [
        {
            "LEI": "5299000000000000PA40",
            "ExceptionCategory": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
            "ExceptionReason": "NATURAL_PERSONS",
        },
        {
            "lei": "5299000000000000PA40",
            "exceptionCategory": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
            "exceptionReason": "NATURAL_PERSONS",
        },
        {
            "lei": "5299000000000000PA40",
            "category": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
            "reason": "NATURAL_PERSONS",
        },
    ],
    ids=["golden-copy", "api", "short"],
)
def test_gleif_json_lines_of_reporting_exceptions_in_each_spelling(tmp_path, exception):
    """A JSON Lines file of bare reporting exceptions (one per line, as a filtered download
    gives them) is read in any of the three spellings of the category field, each on its own:
    the child gets a "parent not disclosed" owner. A relationship line beside it still counts."""
    relationship = {
        "Relationship": {
            "StartNode": {"NodeID": "5299000000000000CH39"},
            "EndNode": {"NodeID": "5299000000000000PA40"},
            "RelationshipType": "IS_DIRECTLY_CONSOLIDATED_BY",
        }
    }
    src = tmp_path / "rr.jsonl"
    src.write_text(json.dumps(relationship) + "\n" + json.dumps(exception) + "\n")
    imported = IMPORTERS["gleif"](src)
    assert sorted((r["owner_id"], r["owned_id"]) for r in imported.ownership) == [
        ("LEI:5299000000000000PA40", "LEI:5299000000000000CH39"),
        ("undisclosed-parent:5299000000000000PA40", "LEI:5299000000000000PA40"),
    ]
    assert (
        imported.parties["undisclosed-parent:5299000000000000PA40"]["name"]
        == "parent not disclosed (NATURAL_PERSONS)"
    )


def test_a_gleif_relationship_missing_a_node_is_skipped_with_a_note(tmp_path):
    """A direct-parent record without its start node (the child) or without its end node (the
    parent) cannot be an edge: neither is added, and each leaves a note so the skip is seen."""
    records = [
        {
            "Relationship": {
                "EndNode": {"NodeID": "5299000000000000PA40"},
                "RelationshipType": "IS_DIRECTLY_CONSOLIDATED_BY",
            }
        },
        {
            "Relationship": {
                "StartNode": {"NodeID": "5299000000000000CH39"},
                "RelationshipType": "IS_DIRECTLY_CONSOLIDATED_BY",
            }
        },
    ]
    src = tmp_path / "rr.json"
    src.write_text(json.dumps({"RelationshipRecords": {"RelationshipRecord": records}}))
    imported = IMPORTERS["gleif"](src)
    assert imported.ownership == [] and imported.parties == {}
    assert imported.notes == ["relationship record without start or end node; not added"] * 2
