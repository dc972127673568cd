"""Affiliate features per tenant: the strongest tie by name to a listed entity it is not."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from auditor.features.affiliates import AFFILIATE_COLUMNS, affiliate_features, no_affiliate_features
from auditor.features.screening import screen_tenants
from auditor.model.schema import TENANTS
from auditor.screening import ScreeningIndex, load_lists
from auditor.screening.aliases import with_aliases

LIST = Path(__file__).resolve().parents[1] / "screening" / "data" / "csl-compute.csv"


def tenants(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows)
    schema = TENANTS.polars_schema()
    frame = frame.with_columns(
        pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in frame.columns
    )
    return frame.cast({c: schema[c] for c in frame.columns}).select(list(schema))  # type: ignore[arg-type]


def features_of(rows: list[dict]) -> dict[str, dict]:
    index = ScreeningIndex.build(with_aliases(load_lists([LIST])).entries)
    frame = tenants(rows)
    names = screen_tenants(frame, index).matches
    result = affiliate_features(frame, index, names)
    assert set(AFFILIATE_COLUMNS) <= set(result.features.columns)
    return {r["tenant_id"]: r for r in result.features.to_dicts()}


def test_subsidiary_parent_and_ordinary_tenants():
    found = features_of(
        [
            {
                "tenant_id": "sub",
                "legal_name": "Inspur (Jinan) Data Technology Co Ltd",
                "country": "CN",
            },
            {
                "tenant_id": "child",
                "legal_name": "Harbour Ridge Compute Ltd",
                "country": "HK",
                "parent_company": "Sugon Cloud Services (HK) Limited",
            },
            {"tenant_id": "offshore", "legal_name": "SMIC Holdings Ltd", "country": "WS"},
            {"tenant_id": "bakery", "legal_name": "Dawning Bakery LLC", "country": "US"},
            {"tenant_id": "named", "legal_name": "Inspur Group Co Ltd", "country": "CN"},
            {"tenant_id": "nameless", "legal_name": None, "country": "US"},
        ]
    )
    assert (
        found["sub"]["listed_affiliate_score"] > 0.8
        and found["sub"]["listed_affiliate_same_country"] is True
    )
    assert (
        "'inspur'" in found["sub"]["listed_affiliate_match"]
        and found["sub"]["listed_affiliate_source"] == "EL"
    )
    assert found["child"]["listed_affiliate_match"].startswith(
        "parent_company 'Sugon Cloud Services (HK) Limited' -> 'Sugon'"
    )
    assert (
        found["offshore"]["listed_affiliate_same_country"] is False
        and "acronym 'smic'" in found["offshore"]["listed_affiliate_match"]
    )
    assert (
        found["bakery"]["listed_affiliate_score"] == 0.0
        and found["bakery"]["listed_affiliate_match"] is None
    )
    # a name match is the name facet's: not counted again as an affiliate
    assert found["named"]["listed_affiliate_score"] == 0.0
    # nothing to screen: unknown, not clean
    assert found["nameless"]["listed_affiliate_score"] is None


def test_token_shared_by_many_tenants_stops_counting():
    rows = [
        {"tenant_id": f"t{i}", "legal_name": f"Phytium Garden Services {i} Ltd", "country": "CN"}
        for i in range(300)
    ]
    rows.append({"tenant_id": "rare", "legal_name": "Megvii Vision Labs Ltd", "country": "CN"})
    found = features_of(rows)
    assert found["t0"]["listed_affiliate_score"] == 0.0
    assert found["rare"]["listed_affiliate_score"] > 0.8


def test_without_lists_every_affiliate_feature_is_unknown():
    frame = no_affiliate_features(tenants([{"tenant_id": "a", "legal_name": "Inspur Edge Ltd"}]))
    assert frame.row(0, named=True) == {"tenant_id": "a", **dict.fromkeys(AFFILIATE_COLUMNS)}


def _two_biren_entries(tmp_path: Path, reverse: bool) -> Path:
    """Two listed companies carrying the same rare token, so a tenant ties between them."""
    source = Path(__file__).resolve().parents[2] / "examples" / "provider" / "lists"
    lines = (source / "restricted-parties.csv").read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines[1:] if "Biren" in line.split('","')[5]]
    assert len(entries) == 2
    path = tmp_path / ("reversed.csv" if reverse else "listed.csv")
    path.write_text(
        "\n".join([lines[0], *(reversed(entries) if reverse else entries)]) + "\n",
        encoding="utf-8",
    )
    return path


def test_a_tie_between_two_entries_picks_the_same_one_whatever_their_order(tmp_path):
    """Equal scores used to go to whichever row the sort left first (t000572 of the example
    differed between runs): ties break by query order, then entry id, so the pick is stable."""
    frame = tenants(
        [
            {"tenant_id": "tie", "legal_name": "Biren Patel Consulting LLC", "country": "US"},
            {"tenant_id": "other", "legal_name": "Harbour Ridge Compute Ltd", "country": "US"},
        ]
    )
    picks = set()
    for reverse in (False, True):
        index = ScreeningIndex.build(load_lists([_two_biren_entries(tmp_path, reverse)]).entries)
        result = affiliate_features(frame, index, screen_tenants(frame, index).matches)
        scores = result.matches.filter(pl.col("tenant_id") == "tie")["score"].to_list()
        assert len(scores) == 2 and scores[0] == scores[1]  # a real tie
        assert result.matches["entry_id"].to_list() == sorted(result.matches["entry_id"])
        (row,) = result.features.filter(pl.col("tenant_id") == "tie").to_dicts()
        picks.add(row["listed_affiliate_match"])
    assert len(picks) == 1
    assert "'Beijing Biren Technology Development Co., Ltd.'" in picks.pop()  # 0611... < 4b2e...
