"""declared_use_kind and list_officer_features on small tables worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.features.declared_use import declared_use_kind
from auditor.features.list_officers import list_officer_features, person_key
from auditor.model.schema import LIST_OFFICERS, TENANTS

KINDS = {
    "web hosting": "general",
    "CI builds": "general",
    "e-commerce backend": "general",
    "batch ETL": "general",
    "image classification inference": "gpu-light",
    "3D rendering": "gpu-light",
    "LLM fine-tuning": "training",
    "foundation model training": "training",
    "inference model training": "training",  # training wins
    "Web-scale pretraining": "training",
    "GPU cloud reselling": None,
    "webinar tooling": None,  # "web" as a whole word only
    "": None,
    None: None,
}


def test_declared_use_kinds():
    frame = pl.DataFrame({"d": list(KINDS)}, schema={"d": pl.String})
    got = frame.select(declared_use_kind(pl.col("d"))).to_series().to_list()
    assert dict(zip(KINDS, got)) == KINDS


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("ZHAO, Minghui", "Minghui Zhao", True),
        ("Minghui  Zhao", "minghui zhao", True),
        ("Minghao Zhao", "Minghui Zhao", False),
        ("Zhao", "Minghui Zhao", False),
    ],
)
def test_person_keys_ignore_case_punctuation_and_order_only(a, b, same):
    keys = pl.select(person_key(pl.lit(a)).alias("a"), person_key(pl.lit(b)).alias("b")).row(0)
    assert (keys[0] == keys[1]) is same


def tenants(rows: list[dict]) -> pl.DataFrame:
    schema = TENANTS.polars_schema()
    return pl.DataFrame({n: [r.get(n) for r in rows] for n in schema}, schema=schema)


OFFICERS = pl.DataFrame(
    [
        ("Dawning Information Industry Co., Ltd.", "ZHAO Minghui", "vice president", None, "x"),
        ("Inspur Group Co., Ltd.", "Sun Haoran", None, None, "y"),
    ],
    schema=LIST_OFFICERS.polars_schema(),
    orient="row",
)


def test_officers_and_beneficial_owners_are_both_checked():
    frame = tenants(
        [
            {
                "tenant_id": "officer",
                "legal_name": "A",
                "officers": ["Minghui Zhao", "Other Person"],
            },
            {"tenant_id": "owner", "legal_name": "B", "beneficial_owners": ["Haoran SUN"]},
            {"tenant_id": "near", "legal_name": "C", "officers": ["Minghao Zhao"]},
            {"tenant_id": "none", "legal_name": "D"},
        ]
    )
    got = {r["tenant_id"]: r for r in list_officer_features(frame, OFFICERS).to_dicts()}
    assert got["officer"]["listed_officer_match"] is True
    assert got["officer"]["listed_officer_detail"] == (
        "Minghui Zhao (officers) is named as vice president of listed Dawning Information Industry Co., Ltd."
    )
    assert got["owner"]["listed_officer_match"] is True
    assert "officer of listed Inspur Group" in got["owner"]["listed_officer_detail"]
    assert got["near"]["listed_officer_match"] is False
    assert got["none"]["listed_officer_match"] is False


def test_without_the_file_the_feature_is_null():
    frame = tenants([{"tenant_id": "a", "legal_name": "A", "officers": ["Minghui Zhao"]}])
    got = list_officer_features(frame, None).row(0, named=True)
    assert got["listed_officer_match"] is None and got["listed_officer_detail"] is None


def test_an_empty_tenant_table():
    assert list_officer_features(tenants([]), OFFICERS).height == 0
