"""screen_tenants: a match scores, a clean screen scores 0, and nothing to screen is unknown (null)."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.features.screening import SCREENING_COLUMNS, screen_tenants
from auditor.model.schema import TENANTS
from auditor.screening import ScreeningIndex
from auditor.screening.lists import ENTRY_SCHEMA

EL = "Entity List (EL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    rows = [
        (
            "e1",
            EL,
            "EL",
            "",
            "",
            "Sugon Information Industry Co., Ltd.",
            [],
            [
                "Building 36, Zhongguancun Software Park, 8 Dongbeiwang West Road, Haidian District, Beijing, CN"
            ],
            ["CN"],
        ),
        ("e2", EL, "EL", "", "", "Harbin Institute of Technology", [], [], ["CN"]),
    ]
    return ScreeningIndex.build(
        pl.DataFrame([(*r, "test") for r in rows], schema=ENTRY_SCHEMA, orient="row")
    )


def tenants(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema_overrides={
            k: v for k, v in TENANTS.polars_schema().items() if any(k in r for r in rows)
        },
    )
    return frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in TENANTS.polars_schema().items()
        if name not in frame.columns
    )


def test_match_clean_and_nothing_to_screen_are_three_different_answers(index):
    frame = tenants(
        [
            {
                "tenant_id": "listed",
                "legal_name": "Sugon Information Industry Co Ltd",
                "parent_company": "Harbin Institute of Technology",
                "address": "Room 5, Building 36, Zhongguancun Software Park, 8 Dongbeiwang West Road, Haidian District, Beijing",
            },
            {
                "tenant_id": "clean",
                "legal_name": "Maple Bakery Supplies LLC",
                "parent_company": "Cedar Holdings Inc",
                "beneficial_owners": ["Jane Roe"],
                "address": "12 Elm Street, Springfield, Illinois, US",
            },
            {
                "tenant_id": "bare",
                "legal_name": "Blue River Analytics GmbH",
            },  # no owners, no address on record
            {
                "tenant_id": "empty-lists",
                "legal_name": "Oak Labs Ltd",
                "beneficial_owners": [],
                "officers": [],
            },
        ]
    )
    result = screen_tenants(frame, index)
    assert result.features.schema == pl.Schema({"tenant_id": pl.String, **SCREENING_COLUMNS})
    f = {r["tenant_id"]: r for r in result.features.to_dicts()}

    assert f["listed"]["listed_name_score"] >= 0.9 and f["listed"]["listed_name_source"] == "EL"
    assert (
        f["listed"]["listed_owner_score"] >= 0.9 and "Harbin" in f["listed"]["listed_owner_match"]
    )
    assert (
        f["listed"]["listed_address_score"] >= 0.85
        and "parent_company" in f["listed"]["listed_owner_match"]
    )

    for facet in ("name", "owner", "address"):
        assert f["clean"][f"listed_{facet}_score"] == 0.0, facet  # screened, nothing found
        assert (
            f["clean"][f"listed_{facet}_match"] is None
            and f["clean"][f"listed_{facet}_source"] is None
        )

    assert f["bare"]["listed_name_score"] == 0.0  # its name was screened
    for tenant in ("bare", "empty-lists"):
        assert f[tenant]["listed_owner_score"] is None, (
            tenant
        )  # nobody to screen: unknown, not clean
        assert f[tenant]["listed_address_score"] is None, tenant


def test_every_tenant_gets_one_row_and_every_match_row_names_its_tenant_and_field(index):
    frame = tenants(
        [
            {
                "tenant_id": "a",
                "legal_name": "Sugon Information Industry",
                "aliases": ["Harbin Institute of Technology", "Acme"],
            },
            {"tenant_id": "b", "legal_name": "Acme"},
        ]
    )
    result = screen_tenants(frame, index)
    assert sorted(result.features["tenant_id"].to_list()) == ["a", "b"]
    matches = result.matches.filter(pl.col("facet") == "name")
    assert set(matches["tenant_id"]) == {"a"}
    assert sorted(matches["field"].to_list()) == ["aliases", "legal_name"]
    best = result.features.filter(pl.col("tenant_id") == "a").row(0, named=True)
    assert best["listed_name_score"] == matches["score"].max()


def test_no_tenants_screen_to_an_empty_table(index):
    result = screen_tenants(tenants([{"tenant_id": "x", "legal_name": "x"}]).clear(), index)
    assert result.features.height == 0 and result.features.schema == pl.Schema(
        {"tenant_id": pl.String, **SCREENING_COLUMNS}
    )


def test_an_overlong_field_is_screened_cut_and_the_cut_is_logged_with_tenant_and_field(
    index, caplog
):
    huge = "Sugon Information Industry Co Ltd" + " " * 100_000 + "x" * 100_000
    frame = tenants(
        [{"tenant_id": "long-owner", "legal_name": "Oak Labs Ltd", "parent_company": huge}]
    )
    with caplog.at_level("WARNING", logger="auditor.features"):
        result = screen_tenants(frame, index)
    assert "tenant=long-owner field=parent_company chars=200033" in caplog.text
    assert "xxxx" not in caplog.text  # the value itself is never logged
    assert result.features["listed_owner_score"][0] >= 0.86  # the first characters still screened
