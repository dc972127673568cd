"""identity_features and access_features on small tables worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from auditor import geo
from auditor.features.access import access_features
from auditor.features.identity import identity_features
from auditor.model.schema import ACCESS, TENANTS

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
D5 = frozenset(geo.D5_OR_MACAU)


def tenants(rows: list[dict]) -> pl.DataFrame:
    schema = TENANTS.polars_schema()
    data = {name: [row.get(name) for row in rows] for name in schema}
    return pl.DataFrame(data, schema=schema)


def identity(rows: list[dict]) -> dict[str, dict]:
    return {r["tenant_id"]: r for r in identity_features(tenants(rows), AS_OF).to_dicts()}


# tenant: (country, hq_country) -> (country, hq_country, hq_in_d5, incorporated_in_d5, hq_country_group)
HQ_FALLBACK = {
    "hq-given": (("SG", "CN"), ("SG", "CN", True, False, "d5")),
    "hq-absent": (
        ("CN", None),
        ("CN", "CN", True, True, "d5"),
    ),  # no HQ on record: incorporation country stands in
    "hq-blank": (
        (" cn ", "  "),
        ("CN", "CN", True, True, "d5"),
    ),  # blank is absent; codes are trimmed and upper-cased
    "hq-lower": (("us", "mo"), ("US", "MO", True, False, "macau")),
    "hq-not-d5": (
        ("CN", "US"),
        ("CN", "US", False, True, "other"),
    ),  # a declared HQ wins over the incorporation country
    "both-absent": ((None, None), (None, None, None, None, None)),  # unknown, not "not in D:5"
}


def test_hq_falls_back_to_the_incorporation_country_only_when_absent():
    rows = [
        {"tenant_id": t, "legal_name": t, "country": c, "hq_country": hq}
        for t, ((c, hq), _) in HQ_FALLBACK.items()
    ]
    got = identity(rows)
    for tenant, (_, expected) in HQ_FALLBACK.items():
        r = got[tenant]
        assert (
            r["country"],
            r["hq_country"],
            r["hq_in_d5"],
            r["incorporated_in_d5"],
            r["hq_country_group"],
        ) == expected, tenant


# beneficial_owners, ultimate_parent -> owners_undisclosed
OWNERS = {
    "none-at-all": (None, None, True),
    "empty-list": ([], None, True),
    "owners-only": (["A. Person"], None, False),
    "parent-only": (None, "Holdco Ltd", False),
    "empty-and-parent": ([], "Holdco Ltd", False),
    "both": (["A. Person"], "Holdco Ltd", False),
}


def test_owners_are_undisclosed_only_when_neither_owners_nor_ultimate_parent_is_known():
    rows = [
        {"tenant_id": t, "legal_name": t, "beneficial_owners": bo, "ultimate_parent": up}
        for t, (bo, up, _) in OWNERS.items()
    ]
    got = identity(rows)
    assert {t: got[t]["owners_undisclosed"] for t in OWNERS} == {
        t: want for t, (_, _, want) in OWNERS.items()
    }


def test_kyc_age_groups_phone_and_email_signals():
    rows = [
        {
            "tenant_id": "a",
            "legal_name": "A",
            "kyc_status": "verified",
            "created_at": AS_OF - timedelta(days=10, hours=12),
            "country": "VG",
            "billing_country": "hk",
            "phone": "+852 2123 4567",
            "email_domain": " @Lab.COM.CN ",
        },
        {
            "tenant_id": "b",
            "legal_name": "B",
            "kyc_status": "pending",
            "created_at": AS_OF,
            "country": "MY",
            "phone": "020 7946 0000",
            "email_domain": "gmail.com",
        },
        {"tenant_id": "c", "legal_name": "C"},
    ]
    got = identity(rows)
    a, b, c = got["a"], got["b"], got["c"]
    assert (a["kyc_verified"], b["kyc_verified"], c["kyc_verified"]) == (True, False, None)
    assert (a["account_age_days"], b["account_age_days"], c["account_age_days"]) == (
        10.5,
        0.0,
        None,
    )
    assert (a["country_group"], b["country_group"], c["country_group"]) == ("offshore", "hub", None)
    assert (a["incorporated_offshore"], b["incorporated_offshore"], c["incorporated_offshore"]) == (
        True,
        False,
        None,
    )
    assert (a["incorporated_in_hub"], b["incorporated_in_hub"]) == (False, True)
    assert (a["billing_country"], a["billing_in_d5"], b["billing_in_d5"]) == ("HK", True, None)
    assert (a["phone_country"], a["phone_in_d5"]) == ("HK", True)
    assert (b["phone_country"], b["phone_in_d5"]) == (
        None,
        None,
    )  # a national number says no country
    assert (a["email_domain"], a["email_country"], a["email_in_d5"], a["email_is_freemail"]) == (
        "lab.com.cn",
        "CN",
        True,
        False,
    )
    assert (b["email_is_freemail"], b["email_in_d5"]) == (True, None)
    assert (c["email_is_freemail"], c["email_country"]) == (None, None)


def access(rows: list[tuple[str, datetime, str | None]]) -> pl.DataFrame:
    schema = ACCESS.polars_schema()
    data = {name: [None] * len(rows) for name in schema}
    data["tenant_id"] = [r[0] for r in rows]
    data["timestamp"] = [r[1] for r in rows]
    data["ip_country"] = [r[2] for r in rows]
    return pl.DataFrame(data, schema=schema)


def test_the_90_day_window_includes_as_of_and_excludes_exactly_90_days_back():
    edge = AS_OF - timedelta(days=90)
    frame = access(
        [
            ("t", AS_OF, "CN"),  # at as-of: in
            ("t", AS_OF + timedelta(seconds=1), "CN"),  # after as-of: out
            ("t", edge + timedelta(seconds=1), "US"),  # just inside the window: in
            ("t", edge, "CN"),  # exactly 90 days back: out
            ("t", edge - timedelta(days=1), "CN"),  # older: out
        ]
    )
    row = access_features(frame, AS_OF, D5).to_dicts()
    assert row == [
        {
            "tenant_id": "t",
            "signin_count_90d": 2.0,
            "d5_signin_share": 0.5,
            "signin_countries": ["CN", "US"],
        }
    ]


def test_d5_share_counts_only_known_countries_and_is_unknown_when_none_is_known():
    day = AS_OF - timedelta(days=1)
    frame = access(
        [
            ("mixed", day, " cn "),
            ("mixed", day, "MO"),
            ("mixed", day, "us"),
            ("mixed", day, None),
            ("unknown", day, None),
            ("unknown", day, None),
            ("clean", day, "DE"),
            ("old", AS_OF - timedelta(days=200), "CN"),  # nothing in the window: no row at all
        ]
    )
    got = {r["tenant_id"]: r for r in access_features(frame, AS_OF, D5).to_dicts()}
    assert set(got) == {"mixed", "unknown", "clean"}
    assert got["mixed"]["signin_count_90d"] == 4.0 and got["mixed"][
        "d5_signin_share"
    ] == pytest.approx(2 / 3)
    assert got["mixed"]["signin_countries"] == ["CN", "MO", "US"]
    assert got["unknown"]["signin_count_90d"] == 2.0 and got["unknown"]["d5_signin_share"] is None
    assert got["unknown"]["signin_countries"] == []
    assert got["clean"]["d5_signin_share"] == 0.0


def test_no_sign_ins_at_all_is_an_empty_table():
    assert access_features(access([]), AS_OF, D5).height == 0
