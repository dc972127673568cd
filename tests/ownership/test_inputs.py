"""The ownership and parties files: located refusals, warnings, KYC names as edges, disagreeing sources."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.errors import InputError
from auditor.ownership.graph import build_graph
from auditor.ownership.inputs import load_ownership
from ownership_testkit import AS_OF, tenants_frame, write_csv

HEADER = "owner_id,owned_id,share,share_min,share_max,share_min_exclusive,share_max_exclusive,interest,start_date,end_date,source,source_ref"


def load(
    tmp_path,
    stakes,
    parties=("P,Parent Holdings Ltd,entity",),
    tenants=("T", "U"),
    **tenant_columns,
):
    o = write_csv(tmp_path / "ownership.csv", HEADER, list(stakes))
    p = write_csv(tmp_path / "parties.csv", "party_id,name,kind", list(parties))
    return load_ownership(tenants_frame(list(tenants), **tenant_columns), o, p)


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("P,T,101,,,,,,,,reg,1", "share", "0 to 100"),
        ("P,T,-1,,,,,,,,reg,1", "share", "0 to 100"),
        ("P,T,nan,,,,,,,,reg,1", "share", "0 to 100"),
        ("P,T,,60,40,,,,,,reg,1", "share_min", "above share_max"),
        ("P,T,,50,50,true,,,,,reg,1", "share_min", "empty"),
        ("P,P,50,,,,,,,,reg,1", "owned_id", "cannot own itself"),
        ("P,NOPE,50,,,,,,,,reg,1", "owned_id", "neither a tenant_id nor a party_id"),
        ("P,T,50,,,,,,2026-01-01,2025-01-01,reg,1", "end_date", "ends before it starts"),
        ("P,T,fifty,,,,,,,,reg,1", "share", "a number"),
    ],
)
def test_bad_rows_are_refused_with_their_line_and_column(tmp_path, row, column, words):
    with pytest.raises(InputError) as err:
        load(tmp_path, ["P,U,10,,,,,,,,reg,0", row])
    text = str(err.value)
    assert (
        "ownership.csv" in text
        and "row 3" in text
        and f"column '{column}'" in text
        and words in text
    ), text


def test_boundaries_zero_and_hundred_and_equal_min_max_are_accepted(tmp_path):
    data = load(tmp_path, ["P,T,0,,,,,,,,reg,1", "P,U,100,,,,,,,,reg,2", "T,U,,30,30,,,,,,reg,3"])
    assert data.edges.filter(pl.col("origin") == "ownership").height == 3


def test_percent_signs_are_read(tmp_path):
    data = load(tmp_path, ["P,T,30%,,,,,,,,reg,1"])
    assert data.edges.filter(pl.col("origin") == "ownership")["lo"].to_list() == [30.0]


def test_known_shares_over_100_in_one_entity_are_warned_not_refused(tmp_path):
    data = load(tmp_path, ["P,T,70,,,,,,,,reg,1", "U,T,40,,,,,,,,reg,2"])
    graph = build_graph(data, AS_OF, ["shareholding"])
    assert graph.warnings == [
        "ownership: the known shares in 'T' add up to 110% (more than 100%); check the sources"
    ]
    assert (
        build_graph(
            load(tmp_path, ["P,T,60,,,,,,,,reg,1", "U,T,40,,,,,,,,reg,2"]), AS_OF, ["shareholding"]
        ).warnings
        == []
    )


def test_two_sources_disagreeing_widen_the_range_and_say_so(tmp_path):
    data = load(tmp_path, ["P,T,40,,,,,,,,registry,R-1", "P,T,55,,,,,,,,kyc-file,K-9"])
    graph = build_graph(data, AS_OF, ["shareholding"])
    edge = graph.edge_between("P", "T")
    assert (edge["lo"], edge["hi"], edge["disagree"]) == (40.0, 55.0, True)
    assert {s["source_ref"] for s in graph.statements_of(edge["src"], edge["dst"])} == {
        "R-1",
        "K-9",
    }


def test_a_kyc_name_without_a_share_does_not_widen_a_stated_share(tmp_path):
    data = load(
        tmp_path, ["P,T,60,,,,,,,,registry,R-1"], parent_company=["Parent Holdings Ltd", None]
    )
    graph = build_graph(data, AS_OF, ["shareholding"])
    edge = graph.edge_between("P", "T")
    assert (edge["lo"], edge["hi"], edge["disagree"]) == (60.0, 60.0, False)
    assert {s["origin"] for s in graph.statements_of(edge["src"], edge["dst"])} == {
        "ownership",
        "kyc:parent_company",
    }


def test_kyc_owner_names_become_edges_of_unknown_share_and_name_30_percent_is_30(tmp_path):
    data = load(
        tmp_path,
        [],
        tenants=("T",),
        parent_company=["Acme Holdings"],
        ultimate_parent=["Acme Holdings"],
        beneficial_owners=[["Li Wei (30%)", "Zhang San"]],
    )
    kyc = data.edges.filter(pl.col("origin").cast(pl.String).str.starts_with("kyc:")).sort(
        "owner_id", "origin"
    )
    assert kyc.select("owner_id", "lo", "hi", "origin").rows() == [
        ("kyc:acme holdings", 0.0, 100.0, "kyc:parent_company"),
        ("kyc:acme holdings", 0.0, 100.0, "kyc:ultimate_parent"),
        ("kyc:li wei", 30.0, 30.0, "kyc:beneficial_owners"),
        ("kyc:zhang san", 0.0, 100.0, "kyc:beneficial_owners"),
    ]
    graph = build_graph(data, AS_OF, ["shareholding"])
    src = graph.nodes["node_id"].index_of("kyc:acme holdings")
    assert graph.edges.filter(pl.col("src") == src).height == 1  # same pair: one edge


def test_a_party_that_is_a_tenant_is_the_same_node(tmp_path):
    o = write_csv(tmp_path / "o.csv", HEADER, ["PT,U,60,,,,,,,,reg,1"])
    p = write_csv(tmp_path / "p.csv", "party_id,name,kind,tenant_id", ["PT,Tenant T,entity,T"])
    data = load_ownership(tenants_frame(["T", "U"]), o, p)
    assert data.edges.filter(pl.col("origin") == "ownership")["owner_id"].to_list() == ["T"]


def test_party_refusals(tmp_path):
    o = write_csv(tmp_path / "o.csv", HEADER, [])
    p = write_csv(
        tmp_path / "p.csv",
        "party_id,name,kind,tenant_id",
        ["A,Alpha,entity,NOPE", "T,Tee,entity,", "A2,Beta,robot,"],
    )
    with pytest.raises(InputError) as err:
        load_ownership(tenants_frame(["T"]), o, p)
    text = str(err.value)
    assert "p.csv: row 4: column 'kind'" in text


def test_party_ids_must_be_unique_and_tenants_must_exist(tmp_path):
    o = write_csv(tmp_path / "o.csv", HEADER, [])
    p = write_csv(
        tmp_path / "p.csv", "party_id,name,kind,tenant_id", ["A,Alpha,entity,NOPE", "T,Tee,entity,"]
    )
    with pytest.raises(InputError) as err:
        load_ownership(tenants_frame(["T"]), o, p)
    text = str(err.value)
    assert "row 2: column 'tenant_id'" in text and "row 3: column 'party_id'" in text, text
    p.write_text("party_id,name\nA,Alpha\nA,Again\n")
    with pytest.raises(InputError, match="duplicate value 'A'"):
        load_ownership(tenants_frame(["T"]), o, p)


def test_exclusive_band_never_reaches_its_upper_end(tmp_path):
    from auditor.ownership.fixedpoint import closure
    import numpy as np

    data = load(tmp_path, ["P,T,,25,50,true,true,,,,register,b1"])
    graph = build_graph(data, AS_OF, ["shareholding"])
    _, lo, hi = graph.arrays()
    seeds = np.zeros(graph.size, dtype=bool)
    seeds[graph.nodes["node_id"].to_list().index("P")] = True
    assert not closure(graph.by_owner, hi, seeds, 50.0).restricted[
        graph.nodes["node_id"].to_list().index("T")
    ]
    assert lo[0] > 25
