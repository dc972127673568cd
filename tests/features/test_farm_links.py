"""Network, launch-rhythm and creation-burst links (issue 21): every boundary from both sides."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from auditor.asn import kind_of_record, open_network_kinds
from auditor.features.farm_links import farm_links
from auditor.features.links import find_links
from auditor.features.network_links import NetworkSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connectors"))

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
EMPTY_USAGE = pl.DataFrame(
    schema={
        "tenant_id": pl.String,
        "provider": pl.String,
        "region": pl.String,
        "instance_type": pl.String,
        "start": pl.Datetime("us", "UTC"),
        "end": pl.Datetime("us", "UTC"),
        "accelerator": pl.String,
        "accelerator_count": pl.Int64,
    }
)
ACCESS_SCHEMA = {
    "tenant_id": pl.String,
    "timestamp": pl.Datetime("us", "UTC"),
    "source_ip": pl.String,
    "ip_country": pl.String,
}


def tenants(n: int, *, age_days: int = 20, kyc: str = "pending", prefix: str = "t") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "tenant_id": [f"{prefix}{i:02d}" for i in range(n)],
            "created_at": [AS_OF - timedelta(days=age_days + 30 * i) for i in range(n)],
            "kyc_status": [kyc] * n,
            "country": ["US"] * n,
            "declared_use": [f"use {i}" for i in range(n)],  # no creation bursts unless asked
        }
    )


def access(rows: list[tuple[str, str | None, int]]) -> pl.DataFrame:
    """(tenant, ip, days before as_of) sign-ins."""
    return pl.DataFrame(
        [(t, AS_OF - timedelta(days=d), ip, "US") for t, ip, d in rows],
        schema=ACCESS_SCHEMA,
        orient="row",
    )


def strength(result, a: str, b: str) -> float:
    row = result.features.filter(pl.col("tenant_id") == a)
    return (
        row["network_link_strength"].item()
        if b in row["network_linked_tenant_ids"].to_list()[0]
        else 0.0
    )


def linked(result, a: str) -> list[str]:
    return result.features.filter(pl.col("tenant_id") == a)["network_linked_tenant_ids"].to_list()[
        0
    ]


# ---- source networks ---------------------------------------------------------------------


@pytest.mark.parametrize("sharers, links", [(2, True), (10, True), (11, False)])
def test_rarity_cut_off_both_sides(sharers: int, links: bool) -> None:
    """Ten tenants on one address can be one controller; eleven are a NAT (the default cut-off 10)."""
    t = tenants(sharers)
    result = farm_links(
        access([(tid, "203.0.113.9", 5) for tid in t["tenant_id"]]), EMPTY_USAGE, t, AS_OF
    )
    # A pair of new accounts on a rare exit with unknown kind: rarity 1 x 0.8 = 0.8, strong;
    # at the cut-off rarity is 0.1 -- a weak link, shown but not clustered.
    count = result.features["network_link_count"].max()
    assert (count == sharers - 1) if links else (count == 0)
    assert result.common.height == (0 if links else 1)
    if sharers == 2:
        assert linked(result, "t00") == ["t01"]
    if sharers == 10:
        assert linked(result, "t00") == []  # 0.1 x 0.8: weak
        reasons = result.features["network_link_reasons"].to_list()[0]
        assert reasons and all(r.startswith("weak: ") for r in reasons)


def test_ipv6_by_slash_64_both_sides() -> None:
    t = tenants(3)
    rows = [
        ("t00", "2001:db8:1:2::1", 3),
        ("t01", "2001:0db8:0001:0002:ffff:0:0:9", 4),  # same /64, spelled out
        ("t02", "2001:db8:1:3::1", 4),  # the next /64
    ]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    assert linked(result, "t00") == ["t01"]
    assert linked(result, "t02") == []
    (reason,) = result.features["network_link_reasons"].to_list()[0]
    assert "2001:db8:1:x::/64" in reason and "2001:db8:1:2::" not in reason


def test_ipv4_mapped_ipv6_is_the_ipv4_address() -> None:
    t = tenants(2)
    rows = [("t00", "::ffff:198.51.100.7", 1), ("t01", "198.51.100.7", 2)]
    assert linked(farm_links(access(rows), EMPTY_USAGE, t, AS_OF), "t00") == ["t01"]


def test_an_address_one_tenant_writes_plainly_links_to_another_spelling_of_it() -> None:
    # t01's address is plain and no other tenant writes it so: it must still meet t00's
    # padded spelling and t02's ::ffff: one, not be left out as a network of one
    t = tenants(4)
    rows = [
        ("t00", " 198.51.100.7 ", 1),
        ("t01", "198.51.100.7", 2),
        ("t02", "::FFFF:198.51.100.7", 3),
        ("t03", "198.51.100.8", 3),
    ]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    assert linked(result, "t01") == ["t00", "t02"]
    assert linked(result, "t03") == []


def test_null_blank_malformed_and_private_addresses_link_nobody() -> None:
    t = tenants(2)
    bad = [
        None,
        "",
        "  ",
        "AWS Internal",
        "999.1.1.1",
        "10.0.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "fe80::1",
        "fd00::1",
        "::1",
    ]
    rows = [(tid, ip, 2) for ip in bad for tid in ("t00", "t01")]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    assert result.features["network_link_count"].to_list() == [0.0, 0.0]


def test_empty_access_table_gives_zero_links_not_an_error() -> None:
    t = tenants(3)
    result = farm_links(pl.DataFrame(schema=ACCESS_SCHEMA), EMPTY_USAGE, t, AS_OF)
    assert result.features.height == 3
    assert result.features["network_link_strength"].to_list() == [0.0] * 3
    assert result.features["network_link_reasons"].to_list() == [[]] * 3
    assert result.edges.height == 0


@pytest.mark.parametrize(
    "age_days, kyc, weight",
    [
        (800, "verified", 0.25),  # established: old and verified
        (20, "verified", 0.5),  # verified, not a year old
        (800, "pending", 1.0),  # old, never verified
        (20, "pending", 1.0),
        (20, None, 1.0),  # unknown KYC is not verified
    ],
)
def test_a_verified_pair_weighs_half_an_established_pair_a_quarter(
    age_days: int, kyc: str | None, weight: float
) -> None:
    t = tenants(2, age_days=age_days, kyc="pending")
    t = t.with_columns(pl.lit(kyc, dtype=pl.String).alias("kyc_status"))
    rows = [(tid, "198.51.100.20", 3) for tid in t["tenant_id"]]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    assert result.features["network_link_strength"].max() == pytest.approx(0.8 * weight)
    assert linked(result, "t00") == (["t01"] if weight == 1.0 else [])


def test_the_established_age_boundary_both_sides() -> None:
    t = pl.concat(
        [
            tenants(1, age_days=365, kyc="verified", prefix="a"),
            tenants(1, age_days=364, kyc="verified", prefix="b"),
            tenants(1, age_days=400, kyc="verified", prefix="c"),
        ]
    )
    a_c = farm_links(
        access([("a00", "198.51.100.20", 3), ("c00", "198.51.100.20", 3)]), EMPTY_USAGE, t, AS_OF
    )
    b_c = farm_links(
        access([("b00", "198.51.100.20", 3), ("c00", "198.51.100.20", 3)]), EMPTY_USAGE, t, AS_OF
    )
    assert a_c.features["network_link_strength"].max() == pytest.approx(0.8 * 0.25)
    assert b_c.features["network_link_strength"].max() == pytest.approx(0.8 * 0.5)


def test_a_network_carrying_little_of_a_tenants_sign_ins_weighs_in_proportion() -> None:
    # t00 and t01 meet on one VPN exit each used once among 19 other sign-ins (a twentieth);
    # t02 and t03 sign in mostly through their shared exit
    t = tenants(4)
    rows = [("t00", "198.51.100.9", 1), ("t01", "198.51.100.9", 2)]
    rows += [(tid, f"203.0.{k}.{i}", 3) for k, tid in enumerate(("t00", "t01")) for i in range(19)]
    rows += [(tid, "192.0.2.44", d) for tid in ("t02", "t03") for d in (1, 2, 3)]
    rows += [("t02", "203.0.9.1", 4), ("t03", "203.0.9.2", 4)]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    assert linked(result, "t00") == []  # 0.05 of its sign-ins: a twentieth of the strength
    weak = result.features.filter(pl.col("tenant_id") == "t00")["network_link_strength"].item()
    assert weak == pytest.approx(0.8 * 0.05)
    assert linked(result, "t02") == ["t03"]  # 0.8 x 3/4
    (reason,) = result.features.filter(pl.col("tenant_id") == "t02")["network_link_reasons"].item()
    assert reason.startswith("3 sign-ins (75% of its sign-ins) from 192.0.2.x")


def test_a_tenant_with_a_strong_and_a_weak_link_is_as_strong_as_the_strongest() -> None:
    # t00 signs in 3 times through the exit it shares with t01 (0.8 x 3/4 = 0.6) and once
    # through one it shares with t02, which signs in 19 more times elsewhere (0.8 x 1/20)
    t = tenants(3)
    rows = [(tid, "192.0.2.44", d) for tid in ("t00", "t01") for d in (1, 2, 3)]
    rows += [("t00", "198.51.100.9", 4), ("t02", "198.51.100.9", 4)]
    rows += [("t02", f"203.0.113.{i}", 5) for i in range(19)]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    row = result.features.filter(pl.col("tenant_id") == "t00")
    assert row["network_link_strength"].item() == pytest.approx(0.6)
    assert row["network_link_count"].item() == 2.0  # both pairs counted, the weak one too
    assert linked(result, "t00") == ["t01"]
    weak = result.features.filter(pl.col("tenant_id") == "t02")["network_link_strength"].item()
    assert weak == pytest.approx(0.8 / 20)


@pytest.mark.parametrize("own, links", [(3, True), (4, False)])
def test_a_pair_clusters_only_when_their_shared_networks_carry_most_of_their_sign_ins(
    own: int, links: bool
) -> None:
    """5 shared sign-ins beside 3 from home is 5/8: 0.8 x 0.625 = 0.5, a cluster; beside 4
    from home (5/9, 0.44) the shared NAT is one of the places it signs in from, and weak."""
    t = tenants(2)
    rows = [(tid, "192.0.2.44", d) for tid in ("t00", "t01") for d in range(1, 6)]
    rows += [(tid, f"203.0.{k}.1", 7) for k, tid in enumerate(("t00", "t01")) for _ in range(own)]
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    assert (linked(result, "t00") == ["t01"]) is links


@pytest.mark.parametrize("above, links", [(0.0, True), (4e-10, True), (1e-8, False)])
def test_a_pair_reaching_cluster_strength_to_nine_places_clusters(
    above: float, links: bool
) -> None:
    """The 5/8 pair above combines to 0.5 up to float noise; a threshold set within half a
    billionth above that still clusters it (the comparison is to 9 places), 1e-8 does not."""
    t = tenants(2)
    rows = [(tid, "192.0.2.44", d) for tid in ("t00", "t01") for d in range(1, 6)]
    rows += [(tid, f"203.0.{k}.1", 7) for k, tid in enumerate(("t00", "t01")) for _ in range(3)]
    settings = NetworkSettings(cluster_strength=0.5 + above)
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF, settings)
    assert (linked(result, "t00") == ["t01"]) is links


def test_the_share_is_of_all_the_networks_a_pair_shares_and_the_smaller_of_the_two() -> None:
    # a farm's three exits each carry a third of both accounts' sign-ins: together all of them
    t = tenants(3)
    exits = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    rows = [(tid, ip, 2) for tid in ("t00", "t01") for ip in exits]
    # t02 shares one exit, once, beside 9 sign-ins of its own: 1/10 of its sign-ins
    rows += [("t02", "192.0.2.1", 3)] + [("t02", "203.0.113.7", 4)] * 9
    result = farm_links(access(rows), EMPTY_USAGE, t, AS_OF)
    pieces = result.links.filter((pl.col("tenant_id") == "t00") & (pl.col("other_id") == "t01"))
    # three networks of three tenants (rarity 0.8875) or two (1.0), each at the pair's full share
    assert sorted(pieces["strength"].round(4).to_list()) == [0.71, 0.8, 0.8]
    assert linked(result, "t00") == ["t01"]
    # t00 -> t02: the smaller share, t02's tenth, weighs both directions alike
    to_t02 = result.links.filter((pl.col("tenant_id") == "t00") & (pl.col("other_id") == "t02"))
    back = result.links.filter((pl.col("tenant_id") == "t02") & (pl.col("other_id") == "t00"))
    assert to_t02["strength"].item() == pytest.approx(0.8875 * 0.8 * 0.1)
    assert back["strength"].item() == pytest.approx(to_t02["strength"].item())


def test_sign_ins_far_apart_in_time_weigh_less() -> None:
    t = tenants(2)
    near = farm_links(
        access([("t00", "203.0.113.5", 5), ("t01", "203.0.113.5", 19)]), EMPTY_USAGE, t, AS_OF
    )
    far = farm_links(
        access([("t00", "203.0.113.5", 5), ("t01", "203.0.113.5", 20)]), EMPTY_USAGE, t, AS_OF
    )
    assert near.features["network_link_strength"].max() == pytest.approx(0.8)
    assert far.features["network_link_strength"].max() == pytest.approx(0.8 * 0.4)


def test_asn_database_hosting_exit_weighs_more_than_a_campus(tmp_path: Path) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-ASN")
    writer.insert_network(
        IPSet(["203.0.113.0/25"]),
        {
            "autonomous_system_number": 64500,
            "autonomous_system_organization": "Example VPS Hosting Ltd",
        },
    )
    writer.insert_network(
        IPSet(["203.0.113.128/25"]),
        {
            "autonomous_system_number": 64501,
            "autonomous_system_organization": "Example State University",
        },
    )
    path = tmp_path / "asn.mmdb"
    writer.to_db_file(str(path))
    kinds = open_network_kinds(path)
    assert kinds.describe()["database_type"] == "GeoLite2-ASN"
    assert [kinds.kind(ip) for ip in ("203.0.113.1", "203.0.113.200", "192.0.2.1", None, "x")] == [
        "hosting",
        "education",
        "unknown",
        "unknown",
        "unknown",
    ]
    t = tenants(5)
    settings = NetworkSettings(kinds=kinds)
    hosting = farm_links(
        access([(tid, "203.0.113.1", 2) for tid in t["tenant_id"]]), EMPTY_USAGE, t, AS_OF, settings
    )
    campus = farm_links(
        access([(tid, "203.0.113.200", 2) for tid in t["tenant_id"]]),
        EMPTY_USAGE,
        t,
        AS_OF,
        settings,
    )
    # five tenants: rarity 0.6625; hosting x1 clusters, university x0.3 does not
    assert len(linked(hosting, "t00")) == 4 and linked(campus, "t00") == []
    assert "(hosting network)" in hosting.features["network_link_reasons"].to_list()[0][0]


def test_stated_network_types_win_over_the_name() -> None:
    assert (
        kind_of_record(
            {
                "traits": {"user_type": "residential"},
                "autonomous_system_organization": "Cloud Hosting",
            }
        )
        == "residential"
    )
    assert kind_of_record({"connection_type": "Cable/DSL"}) == "residential"
    assert kind_of_record({"autonomous_system_organization": "Acme Broadband"}) == "residential"
    assert (
        kind_of_record(None) == "unknown"
        and kind_of_record({"autonomous_system_number": 1}) == "unknown"
    )


# ---- synchronized launches ---------------------------------------------------------------


def launches(
    offsets_minutes: list[int],
    days: int,
    *,
    region2: str = "ap-southeast-1",
    clock: list[int] | None = None,
    instance_type: str = "p5.48xlarge",
    days_back: int = 10,
) -> pl.DataFrame:
    """Both tenants launch on `days` days, t01 `offsets_minutes` after t00; day d at `clock[d]`
    minutes past 03:00 UTC (by default 97 minutes later each day: not a schedule)."""
    clock = clock if clock is not None else [97 * d for d in range(days)]
    rows = []
    for d in range(days):
        base = AS_OF - timedelta(days=days_back + d * 2, hours=3) + timedelta(minutes=clock[d])
        for i, (tid, region) in enumerate((("t00", "ap-southeast-1"), ("t01", region2))):
            start = base + timedelta(minutes=offsets_minutes[i])
            rows.append(
                (tid, "aws", region, instance_type, start, start + timedelta(hours=40), None, None)
            )
    return pl.DataFrame(rows, schema=EMPTY_USAGE.schema, orient="row")


@pytest.mark.parametrize(
    "apart, days, links", [(30, 3, True), (31, 3, False), (0, 2, False), (0, 3, True)]
)
def test_launch_window_and_repeats_both_sides(apart: int, days: int, links: bool) -> None:
    t = tenants(2)
    result = farm_links(pl.DataFrame(schema=ACCESS_SCHEMA), launches([0, apart], days), t, AS_OF)
    assert (linked(result, "t00") == ["t01"]) is links
    assert result.features["synchronized_launch_count"].to_list() == (
        [3.0, 3.0] if links else [0.0, 0.0]
    )
    if links:
        (reason,) = result.features["network_link_reasons"].to_list()[0]
        assert (
            reason.startswith("launched p5.48xlarge in ap-southeast-1 within")
            and "on 3 days" in reason
        )


@pytest.mark.parametrize(
    "instance_type, days_back, links",
    [
        ("p5.48xlarge", 80, True),  # H100s, the last launch 84 days back: in the 90-day window
        ("p5.48xlarge", 91, False),  # every launch more than 90 days back
        ("r6i.xlarge", 10, False),  # CPUs in step: nothing restricted, no signal
        ("g4dn.xlarge", 10, False),  # T4s are not restricted accelerators
    ],
)
def test_only_restricted_launches_inside_the_window_keep_step(
    instance_type: str, days_back: int, links: bool
) -> None:
    t = tenants(2)
    usage = launches([0, 2], 3, instance_type=instance_type, days_back=days_back)
    result = farm_links(pl.DataFrame(schema=ACCESS_SCHEMA), usage, t, AS_OF)
    assert (linked(result, "t00") == ["t01"]) is links
    assert result.features["synchronized_launch_count"].to_list() == (
        [3.0, 3.0] if links else [0.0, 0.0]
    )


@pytest.mark.parametrize(
    "clock, scheduled",
    [
        ([0, 10, 30], True),  # every launch within half an hour of one time of day
        ([0, 10, 31], False),
        ([-190, -175, -165], True),  # 23:50, 00:05 and 00:15 UTC: round midnight, 25 minutes
        ([0, 0, 0, 0, 0, 0], True),  # six nights at the same minute: still a schedule
    ],
)
def test_launches_in_step_at_one_time_of_day_are_a_schedule_and_weak(
    clock: list[int], scheduled: bool
) -> None:
    """Two labs whose cron jobs start at 02:00 coincide every night without anybody
    coordinating them: in step only at one time of day weighs a quarter and clusters nobody."""
    t = tenants(2)
    days = len(clock)
    result = farm_links(
        pl.DataFrame(schema=ACCESS_SCHEMA), launches([0, 2], days, clock=clock), t, AS_OF
    )
    strength = min(days / 4, 1.0) * (0.25 if scheduled else 1.0)
    assert result.features["network_link_strength"].max() == pytest.approx(strength)
    assert linked(result, "t00") == ([] if scheduled else ["t01"])
    (reason,) = result.features["network_link_reasons"].to_list()[0]
    assert (" UTC (a schedule)" in reason) is scheduled
    assert reason.startswith("weak: ") is scheduled


def test_a_verified_pair_launching_in_step_weighs_half() -> None:
    t = tenants(2, kyc="verified")
    result = farm_links(pl.DataFrame(schema=ACCESS_SCHEMA), launches([0, 2], 4), t, AS_OF)
    assert result.features["network_link_strength"].max() == pytest.approx(0.5)
    (reason,) = result.features["network_link_reasons"].to_list()[0]
    assert reason.endswith(" (it and t01 are both verified)")
    assert ";" not in reason  # the list separator of cases.csv


def test_launches_in_another_region_do_not_link() -> None:
    t = tenants(2)
    result = farm_links(
        pl.DataFrame(schema=ACCESS_SCHEMA), launches([0, 1], 4, region2="us-east-1"), t, AS_OF
    )
    assert result.features["synchronized_launch_count"].to_list() == [0.0, 0.0]


# ---- creation bursts and clusters --------------------------------------------------------


def shaped_tenants(created: list[datetime]) -> pl.DataFrame:
    """Tenants of one KYC shape (country group, not verified, one declared use)."""
    return pl.DataFrame(
        {
            "tenant_id": [f"b{i:02d}" for i in range(len(created))],
            "created_at": created,
            "kyc_status": ["pending"] * len(created),
            "country": ["SG"] * len(created),
            "declared_use": ["model training"] * len(created),
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )


@pytest.mark.parametrize("opened, links", [(20, True), (21, False)])
def test_a_burst_group_over_max_burst_group_is_ordinary_sign_up_volume(
    opened: int, links: bool
) -> None:
    from auditor.features.creation_bursts import burst_links

    created = [AS_OF - timedelta(days=12, hours=12, minutes=i) for i in range(opened)]  # mid-window
    found = burst_links(shaped_tenants(created), AS_OF, NetworkSettings())
    assert NetworkSettings().max_burst_group == 20
    assert found.height == (opened * (opened - 1) if links else 0)


@pytest.mark.parametrize(
    "apart, links", [(timedelta(days=7), True), (timedelta(days=7, microseconds=1), False)]
)
def test_accounts_opened_burst_days_apart_are_a_burst_and_a_microsecond_more_is_not(
    apart: timedelta, links: bool
) -> None:
    from auditor.features.creation_bursts import burst_links

    created = [AS_OF - timedelta(days=9), AS_OF - timedelta(days=9) + apart]
    found = burst_links(shaped_tenants(created), AS_OF, NetworkSettings())
    assert found.height == (2 if links else 0)


@pytest.mark.parametrize("after, links", [(timedelta(0), True), (timedelta(microseconds=1), False)])
def test_an_account_opened_at_as_of_counts_and_one_opened_after_it_does_not(
    after: timedelta, links: bool
) -> None:
    from auditor.features.creation_bursts import burst_links

    created = [AS_OF - timedelta(hours=1), AS_OF + after]
    found = burst_links(shaped_tenants(created), AS_OF, NetworkSettings())
    assert found.height == (2 if links else 0)


def test_an_account_opened_at_the_first_instant_of_the_next_window_is_not_in_this_ones_crowd() -> (
    None
):
    """Crowds are counted per shape and window of `burst_days` (from the epoch): twenty
    accounts opened in the hour before a window starts and one at its first microsecond are
    two groups, 20 and 1, neither over the cap; all 21 still link, being within a week."""
    from auditor.features.creation_bursts import burst_links

    window = 7 * 86_400_000_000  # a week of microseconds, the default `burst_days`
    edge_us = (int((AS_OF - timedelta(days=14)).timestamp() * 1_000_000) // window) * window
    edge = datetime.fromtimestamp(edge_us / 1_000_000, tz=UTC)
    created = [edge - timedelta(minutes=1 + i) for i in range(20)] + [edge]
    found = burst_links(shaped_tenants(created), AS_OF, NetworkSettings())
    assert found.height == 21 * 20
    one_more = [*created, edge - timedelta(minutes=30, seconds=1)]  # 21 before the edge
    assert burst_links(shaped_tenants(one_more), AS_OF, NetworkSettings()).height == 0


def test_a_creation_burst_alone_links_nobody_but_strengthens_a_weak_network_link() -> None:
    t = tenants(2).with_columns(
        pl.lit("SG").alias("country"),
        pl.lit("LLM fine-tuning").alias("declared_use"),
        pl.Series("created_at", [AS_OF - timedelta(days=20), AS_OF - timedelta(days=23)]),
    )
    alone = farm_links(pl.DataFrame(schema=ACCESS_SCHEMA), EMPTY_USAGE, t, AS_OF)
    assert alone.features["network_link_count"].to_list() == [0.0, 0.0]
    assert alone.features["creation_burst_size"].to_list() == [1.0, 1.0]
    # sign-ins 40 days apart from one address: 0.8 x 0.4 = 0.32, weak; with the burst 0.49 -> still weak
    far = access([("t00", "203.0.113.5", 2), ("t01", "203.0.113.5", 60)])
    assert linked(farm_links(far, EMPTY_USAGE, t, AS_OF), "t00") == []
    # overlapping sign-ins (0.8) with the burst: 0.85
    near = access([("t00", "203.0.113.5", 2), ("t01", "203.0.113.5", 3)])
    result = farm_links(near, EMPTY_USAGE, t, AS_OF)
    assert linked(result, "t00") == ["t01"]
    assert result.features["network_link_strength"].item(0) == pytest.approx(1 - 0.2 * 0.75)
    kinds = result.features["network_link_kinds"].to_list()[0]
    assert kinds == ["creation_burst", "source_network"]


def test_network_edges_join_shared_instrument_clusters() -> None:
    t = tenants(4).with_columns(
        pl.Series("payment_fingerprint", ["pm_a", "pm_a", None, None]),
        pl.lit(None, dtype=pl.String).alias("phone"),
        pl.lit(None, dtype=pl.String).alias("email_domain"),
        pl.lit(None, dtype=pl.String).alias("address"),
    )
    farm = farm_links(
        access([("t01", "203.0.113.5", 2), ("t02", "203.0.113.5", 3)]), EMPTY_USAGE, t, AS_OF
    )
    clusters = find_links(t, [], extra_pairs=farm.edges).features.sort("tenant_id")
    assert clusters["cluster_id"].to_list() == ["t00", "t00", "t00", "t03"]
    assert clusters["linked_tenant_ids"].to_list()[2] == []  # a network link is not a shared value
