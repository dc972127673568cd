"""cip_features on small tenant tables worked out by hand: each gap on both sides, nulls, empty input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from auditor.cip.gaps import GAPS, CipSettings, cip_features, foreign_owners
from auditor.features.identity import identity_features
from auditor.model.schema import ACCESS, DOWNSTREAM, TENANTS

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
COMPLETE = {
    "legal_name": "Fjord Compute AS",
    "country": "NO",
    "billing_country": "NO",
    "address": "Storgata 1, Oslo",
    "email_domain": "fjordcompute.no",
    "phone": "+47 22 00 00 00",
    "payment_fingerprint": "fp-1",
    "beneficial_owners": ["Kari Nordmann"],
    "is_reseller": False,
}


def tenants(rows: list[dict]) -> pl.DataFrame:
    schema = TENANTS.polars_schema()
    return pl.DataFrame({n: [r.get(n) for r in rows] for n in schema}, schema=schema)


def access(rows: list[tuple[str, datetime, str | None]]) -> pl.LazyFrame:
    schema = ACCESS.polars_schema()
    data = {
        "tenant_id": [r[0] for r in rows],
        "timestamp": [r[1] for r in rows],
        "source_ip": [r[2] for r in rows],
        "ip_country": [None for _ in rows],
    }
    return pl.DataFrame(data, schema=schema).lazy()


def signed_in(*tenant_ids: str) -> pl.LazyFrame:
    return access([(t, AS_OF - timedelta(days=1), "192.0.2.1") for t in tenant_ids])


def gaps_of(
    rows: dict[str, dict],
    settings: CipSettings | None = None,
    signins: pl.LazyFrame | None = None,
    ips_known: bool = True,
) -> dict[str, dict]:
    frame = tenants([{"tenant_id": t, **COMPLETE, **over} for t, over in rows.items()])
    identity = identity_features(frame, AS_OF)
    signins = signins if signins is not None else signed_in(*rows)
    out = cip_features(identity, frame, signins, AS_OF, settings or CipSettings(), ips_known)
    return {r["tenant_id"]: r for r in out.to_dicts()}


def test_a_complete_record_has_no_gap():
    got = gaps_of({"ok": {}})["ok"]
    assert got["cip_gaps"] == [] and got["cip_gap_count"] == 0
    assert got["foreign_person"] is True  # NO is not the US


# gap -> (a record with it, the nearest record without it)
EACH_GAP = {
    "no_beneficial_owners": ({"beneficial_owners": []}, {"beneficial_owners": ["A"]}),
    "no_payment_source": ({"payment_fingerprint": " "}, {"payment_fingerprint": "fp-9"}),
    "payment_country_mismatch": ({"billing_country": "AE"}, {"billing_country": "no"}),
    "no_email": ({"email_domain": None}, {"email_domain": "fjord.no"}),
    "freemail_email": ({"email_domain": "gmail.com"}, {"email_domain": "gmail.co.no"}),
    "no_phone": ({"phone": ""}, {"phone": "+47 1"}),
    "phone_country_mismatch": ({"phone": "+971 4 000 0000"}, {"phone": "+47 22 11 11 11"}),
    "no_address": ({"address": None}, {"address": "Storgata 2, Oslo"}),
    "registered_agent_address": (
        {"address": "Ugland House, George Town, Grand Cayman"},
        {"address": "Uglandsvegen 3, Bergen"},
    ),
    "downstream_unidentified": ({"is_reseller": True}, {"is_reseller": False}),
}


@pytest.mark.parametrize("gap", sorted(EACH_GAP))
def test_each_gap_fires_on_its_record_and_not_on_the_nearest_complete_one(gap):
    with_gap, without = EACH_GAP[gap]
    got = gaps_of({"with": with_gap, "without": without})
    assert gap in got["with"]["cip_gaps"], got["with"]
    assert gap not in got["without"]["cip_gaps"], got["without"]


def test_every_gap_in_the_vocabulary_is_tested():
    assert set(EACH_GAP) | {"no_signin_ips"} == set(GAPS)


def test_payment_and_phone_match_either_country_or_hq():
    got = gaps_of(
        {
            "hq": {
                "country": "NO",
                "hq_country": "SE",
                "billing_country": "SE",
                "phone": "+46 8 1",
            },
            "null-billing": {"billing_country": None},
        }
    )
    assert got["hq"]["cip_gaps"] == []
    assert got["null-billing"]["payment_country_mismatch"] is None  # unknown, not a contradiction
    assert got["null-billing"]["cip_gaps"] == ["no_payment_source"]  # but the record lacks it


def test_foreign_person_follows_the_home_country_and_is_unknown_without_one():
    rows = {
        "us": {"country": "US"},
        "us-hq-abroad": {"country": "US", "hq_country": "CN"},
        "de": {"country": "DE"},
        "none": {"country": None},
    }
    us_provider = gaps_of(rows)
    assert [us_provider[t]["foreign_person"] for t in rows] == [False, True, True, None]
    de_provider = gaps_of(rows, CipSettings(home_country="DE"))
    assert [de_provider[t]["foreign_person"] for t in rows] == [True, True, False, None]


def test_no_signin_ips_is_judged_only_when_source_ips_were_supplied():
    old = AS_OF - timedelta(days=91)
    signins = access(
        [
            ("recent", AS_OF - timedelta(days=89), "198.51.100.7"),
            ("stale", old, "198.51.100.8"),  # outside the 90-day window
            ("no-ip", AS_OF - timedelta(days=2), None),
        ]
    )
    rows = {"recent": {}, "stale": {}, "no-ip": {}, "never": {}}
    got = gaps_of(rows, signins=signins)
    assert {t: "no_signin_ips" in got[t]["cip_gaps"] for t in rows} == {
        "recent": False,
        "stale": True,
        "no-ip": True,
        "never": True,
    }
    assert got["recent"]["signin_ip_count_90d"] == 1
    unknown = gaps_of(rows, signins=signins, ips_known=False)
    assert all("no_signin_ips" not in unknown[t]["cip_gaps"] for t in rows)
    assert unknown["never"]["signin_ip_count_90d"] is None


def downstream(rows: list[tuple]) -> pl.DataFrame:
    schema = DOWNSTREAM.polars_schema()
    return pl.DataFrame(rows, schema=schema, orient="row")


def test_a_reseller_is_identified_only_with_complete_downstream_rows():
    rows = {
        "complete": {"is_reseller": True},
        "missing-country": {"is_reseller": True},
        "no-rows": {"is_reseller": True},
        "not-reseller": {"is_reseller": False},
        "unknown": {"is_reseller": None},
    }
    file = downstream(
        [
            ("complete", "c1", "Alpha AS", "NO"),
            ("complete", "c2", "Beta AB", "SE"),
            ("missing-country", "c3", "Gamma Ltd", " "),
        ]
    )
    got = gaps_of(rows, CipSettings(downstream=file))
    assert {t: got[t]["downstream_unidentified"] for t in rows} == {
        "complete": False,
        "missing-country": True,
        "no-rows": True,
        "not-reseller": False,
        "unknown": None,
    }
    assert got["complete"]["downstream_customer_count"] == 2
    assert got["no-rows"]["downstream_customer_count"] == 0
    without_file = gaps_of(rows)
    assert without_file["complete"]["downstream_unidentified"] is True
    assert without_file["complete"]["downstream_customer_count"] is None


def test_an_empty_tenant_table_gives_an_empty_frame():
    frame = tenants([])
    out = cip_features(
        identity_features(frame, AS_OF), frame, access([]), AS_OF, CipSettings(), True
    )
    assert out.height == 0 and "cip_gaps" in out.columns


def test_a_direct_owner_abroad_makes_a_domestic_company_foreign():
    rows = {
        "us-owned-abroad": {"country": "US"},
        "us-owned-at-home": {"country": "US"},
        "us": {"country": "US"},
    }
    frame = tenants([{"tenant_id": t, **COMPLETE, **over} for t, over in rows.items()])
    identity = identity_features(frame, AS_OF)

    class Ownership:  # the two tables of ownership.inputs.OwnershipInput that are read
        edges = pl.DataFrame(
            {
                "owner_id": ["P-RU", "P-US", "P-NONE"],
                "owned_id": ["us-owned-abroad", "us-owned-at-home", "us"],
            }
        )
        nodes = pl.DataFrame({"node_id": ["P-RU", "P-US", "P-NONE"], "country": ["ru", "US", None]})

    owners = foreign_owners(Ownership(), "US")
    out = cip_features(identity, frame, signed_in(*rows), AS_OF, CipSettings(), True, owners)
    got = {r["tenant_id"]: r["foreign_person"] for r in out.to_dicts()}
    assert got == {"us-owned-abroad": True, "us-owned-at-home": False, "us": False}
    assert foreign_owners(None, "US") is None


def test_address_is_registered_agent_is_true_for_an_agent_false_for_an_office_unknown_without_one():
    """The feature column, not only the gap list: scoring rules read `address_is_registered_agent`.

    Ugland House is on the registered-agent list (Maples and Calder), a Bergen street address is
    not, and a blank or missing address says nothing either way (the record's gap is then
    `no_address`, and the flag is null rather than a false "not an agent").
    """
    got = gaps_of(
        {
            "agent": {"address": "Ugland House, South Church Street, George Town"},
            "office": {"address": "Uglandsvegen 3, Bergen"},
            "blank": {"address": "  "},
            "missing": {"address": None},
        }
    )
    assert {t: got[t]["address_is_registered_agent"] for t in got} == {
        "agent": True,
        "office": False,
        "blank": None,
        "missing": None,
    }
    assert got["agent"]["registered_agent"] == "Maples and Calder (Ugland House)"
    assert got["office"]["registered_agent"] is None
    assert got["blank"]["cip_gaps"] == ["no_address"] == got["missing"]["cip_gaps"]
