"""Behaviour of the matcher: the stronger case outranks the weaker; no pinned floats."""

import json

import polars as pl
import pytest

from auditor.screening import DEFAULT_THRESHOLD, ScreeningIndex
from auditor.screening.lists import ENTRY_SCHEMA

EL = "Entity List (EL) - Bureau of Industry and Security"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"


def entries() -> pl.DataFrame:
    rows = [
        ("e1", EL, "EL", "", "", "Huawei Technologies Co., Ltd.", ["Huawei"], ["Bantian, Longgang District, Shenzhen, 518129, CN"], ["CN"]),
        ("e2", EL, "EL", "", "", "Harbin Institute of Technology", [], ["92 West Dazhi Street, Nan Gang District, Harbin, Heilongjiang, CN"], ["CN"]),
        ("e3", EL, "EL", "", "", "Sugon Information Industry Co., Ltd.", ["Dawning Information Industry Co., Ltd.", "中科曙光"], ["Building 36, Zhongguancun Software Park, 8 Dongbeiwang West Road, Haidian District, Beijing, CN"], ["CN"]),
        ("e4", SDN, "SDN", "Individual", "", "RIM, Ryong Nam", [], [], []),
        ("e5", SDN, "SDN", "Entity", "", "CIMEX, S.A.", [], ["Panama"], ["PA"]),
    ]
    return pl.DataFrame([(*r, "test") for r in rows], schema=ENTRY_SCHEMA, orient="row")


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex.build(entries())


def match(index, *names, **kw):
    q = pl.DataFrame({"query_id": [str(i) for i in range(len(names))], "name": list(names)})
    return index.match_names(q, **kw)


@pytest.mark.parametrize(
    "name, entry",
    [
        ("HUAWEI TECHNOLOGIES COMPANY LIMITED", "e1"),
        ("Shenzhen Huawei Technology Co Ltd", "e1"),
        ("华为技术有限公司", "e1"),
        ("Dawning Information Industry Corporation", "e3"),
        ("Sugon Infomation Industry Co", "e3"),  # one-letter typo
        ("Ryong Nam Rim", "e4"),  # person, word order
        ("Cimex SA", "e5"),
        ("CIMAX S.A.", "e5"),  # typo in a short name
    ],
)
def test_finds_listed_party_under_its_variants(index, name, entry):
    assert entry in match(index, name)["entry_id"].to_list()


@pytest.mark.parametrize(
    "name", ["Beijing Institute of Technology", "Acme Cloud LLC", "Huawei Cloud Reseller Partners", "Sugar Information Co"]
)
def test_does_not_match_different_parties(index, name):
    assert match(index, name).height == 0


def test_exact_outranks_typo(index):
    r = match(index, "Sugon Information Industry", "Sugon Infomation Industri")
    scores = dict(zip(r["query_id"], r["score"]))
    assert scores["0"] > scores["1"] >= DEFAULT_THRESHOLD


def test_result_shape_and_explanation(index):
    r = match(index, "Huawei Technologies Co")
    assert r.columns == [
        "query_id", "query_name", "entry_id", "entry_name", "matched_name", "source", "source_code", "score", "explanation"
    ]
    exp = json.loads(r["explanation"][0])
    assert exp["algorithm"] == "name-v1" and exp["list"] == "EL" and exp["entry_id"] == "e1"
    assert set(exp["features"]) == {"core_sort", "compact", "typo", "full", "coverage"}
    assert exp["query"] == "Huawei Technologies Co" and exp["candidate"]


def test_sources_filter(index):
    only_sdn = ScreeningIndex.build(entries(), {"SDN"})
    assert match(only_sdn, "Huawei Technologies").height == 0
    assert match(only_sdn, "Cimex SA")["source_code"].to_list() == ["SDN"]


def test_country_recorded_in_explanation(index):
    q = pl.DataFrame({"query_id": ["a"], "name": ["Huawei Technologies"], "country": ["China"]})
    assert json.loads(index.match_names(q)["explanation"][0])["country"] == "match"


def test_empty_and_null_queries(index):
    q = pl.DataFrame({"query_id": ["a", "b"], "name": [None, ""]}, schema={"query_id": pl.String, "name": pl.String})
    assert index.match_names(q).height == 0


def test_address_match_same_building(index):
    q = pl.DataFrame(
        {
            "query_id": ["new-co", "elsewhere"],
            "address": [
                "Bldg 36, Zhongguancun Software Park, No. 8 Dongbeiwang West Rd, Haidian Dist., Beijing, China",
                "36 Market Street, San Francisco, CA, US",
            ],
        }
    )
    r = index.match_addresses(q)
    assert r["query_id"].to_list() == ["new-co"] and r["entry_id"].to_list() == ["e3"]
    assert "matched_address" in r.columns and "query_address" in r.columns


def test_vague_addresses_are_not_indexed(index):
    q = pl.DataFrame({"query_id": ["x"], "address": ["Panama"]})
    assert index.match_addresses(q).height == 0
