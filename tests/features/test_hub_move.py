"""hub_move_features: the sign-in shares on each side of a listing date, worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from auditor.features.hub_move import hub_move_features, listing_dates
from auditor.model.schema import ACCESS

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
LISTED = datetime(2026, 9, 15, tzinfo=timezone.utc)
ENTRY = "Xuanwu Hengtong Intelligent Computing Co., Ltd."


def access(rows: dict[str, list[tuple[int, str]]]) -> pl.LazyFrame:
    """tenant -> [(days from the listing date, ip country)]."""
    flat = [(t, LISTED + timedelta(days=d), c) for t, items in rows.items() for d, c in items]
    schema = ACCESS.polars_schema()
    return pl.DataFrame(
        {
            "tenant_id": [r[0] for r in flat],
            "timestamp": [r[1] for r in flat],
            "source_ip": [None] * len(flat),
            "ip_country": [r[2] for r in flat],
        },
        schema=schema,
    ).lazy()


def moves(signins: dict, facet: str = "affiliate", listed: datetime = LISTED) -> dict[str, tuple]:
    tenants = pl.DataFrame({"tenant_id": list(signins)})
    matches = pl.DataFrame(
        {
            "tenant_id": list(signins),
            "facet": [facet] * len(signins),
            "entry_name": [ENTRY] * len(signins),
        }
    )
    dates = pl.DataFrame({"entry_name": [ENTRY], "listed_on": [listed]})
    out = hub_move_features(tenants, matches, dates, access(signins), AS_OF)
    return {r[0]: (r[1], r[2]) for r in out.iter_rows()}


def side(days: list[int], country: str) -> list[tuple[int, str]]:
    return [(d, country) for d in days]


BEFORE = [-60, -30, -5]
AFTER = [5, 20, 40]


def test_a_move_to_a_hub_after_the_listing_is_found_and_explained():
    got = moves({"moved": side(BEFORE, "DE") + side(AFTER, "SG")})["moved"]
    assert got[0] is True
    assert (
        got[1]
        == f"3 of 3 sign-ins from hubs (SG) in the 90 days after the 2026-09-15 listing of {ENTRY}, 0 of 3 before"
    )


@pytest.mark.parametrize(
    "signins, expected",
    [
        (side(BEFORE, "DE") + side(AFTER, "DE"), False),  # stayed at home
        (side(BEFORE, "SG") + side(AFTER, "SG"), False),  # in the hub all along
        # after: exactly half from hubs (the boundary) -> moved; before: 1 of 5 (20%) is too many
        (side(BEFORE, "DE") + side(AFTER + [41], "SG") + side([42, 43, 44, 45], "DE"), True),
        (side(BEFORE + [-1], "DE") + side([-3], "SG") + side(AFTER, "SG"), False),  # 1 of 5
        (side(BEFORE + [-1, -2], "DE") + side([-3], "SG") + side(AFTER, "SG"), True),  # 1 of 6
        (side(BEFORE, "DE") + side([5, 20], "SG"), None),  # two sign-ins after: unknown
        # at the listing instant itself: on neither side, so still two after
        (side(BEFORE, "DE") + side([0, 0, 0], "SG") + side([5, 20], "SG"), None),
        (side(BEFORE, "DE") + side([95, 100, 110], "SG"), None),  # outside the 90 days after
        ([], None),
    ],
)
def test_both_sides_of_each_threshold(signins, expected):
    assert moves({"t": signins})["t"][0] is expected


def test_an_old_listing_or_a_non_partial_facet_is_not_a_candidate():
    signins = {"t": side(BEFORE, "DE") + side(AFTER, "SG")}
    assert moves(signins, facet="address")["t"] == (False, None)
    old = moves(signins, listed=AS_OF - timedelta(days=400))
    assert old["t"] == (False, None)


def test_without_lists_the_feature_is_null():
    tenants = pl.DataFrame({"tenant_id": ["a"]})
    out = hub_move_features(tenants, pl.DataFrame(), None, access({}), AS_OF)
    assert out.row(0) == ("a", None, None)


def test_no_matches_at_all_gives_false():
    tenants = pl.DataFrame({"tenant_id": ["a"]})
    dates = pl.DataFrame({"entry_name": [ENTRY], "listed_on": [LISTED]})
    out = hub_move_features(tenants, pl.DataFrame(), dates, access({}), AS_OF)
    assert out.row(0) == ("a", False, None)


def test_listing_dates_read_the_start_date_of_each_entry(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "source,name,start_date\n"
        f'"Entity List (EL) - Bureau of Industry and Security","{ENTRY}",2026-09-15\n'
        '"Entity List (EL) - Bureau of Industry and Security","Undated Co.",\n'
    )
    dates = listing_dates([path])
    assert dates.to_dicts() == [{"entry_name": ENTRY, "listed_on": LISTED}]
