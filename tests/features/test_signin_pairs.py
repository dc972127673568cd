"""The fast paths of network linking give the same answers as the plain ones they replace."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl
from polars.testing import assert_frame_equal

from auditor.features.ip_networks import _v6_rows, _v6_slash_64
from auditor.features.signin_pairs import pair_signins, read_signins, signin_totals

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def _spellings(rng: random.Random) -> list[str]:
    """IPv6 texts in every spelling we can think of, well formed and not."""
    out = [
        "::",
        "::1",
        "1::",
        "fe80::1",
        "fd12:3456::1",
        "0:0:0:0::1",
        "1:2:3:4::",
        "1:2:3:4:5:6:7::",
    ]
    out += ["1:2:3:4:5:6:7:8:9", "1:2:3:4::5::6", "1:2:3:4:::5", "1:2:3:4:5:6:7:8::", "12345:1::1"]
    out += ["g:1:2:3::1", "1:2:3:4:5", ":1:2:3:4::1", "1:2:3:4:5:6:7:8:"]
    for _ in range(3000):
        groups = [f"{rng.randrange(0, 65536):x}" for _ in range(8)]
        if rng.random() < 0.3:
            groups = [g.zfill(rng.choice([1, 2, 3, 4])) for g in groups]
        if rng.random() < 0.3:
            start = rng.randrange(0, 8)
            for i in range(start, min(8, start + rng.randrange(1, 5))):
                groups[i] = "0"
        text = ":".join(groups)
        if rng.random() < 0.6:  # compress one run of zero groups, as a writer might
            i = rng.randrange(0, 8)
            j = rng.randrange(i, min(8, i + 4)) + 1
            text = ":".join(groups[:i]) + "::" + ":".join(groups[j:])
        if rng.random() < 0.05:
            text = text.replace(":", ":::", 1)
        if rng.random() < 0.05:
            text = text + ":" + groups[0]
        out.append(text)
    return out


def test_the_one_regex_v6_path_gives_the_general_answer_for_every_spelling() -> None:
    texts = pl.DataFrame({"_text": _spellings(random.Random(21))})
    fast = _v6_rows(texts).sort("_text")
    slow = _v6_slash_64(texts).sort("_text")
    assert_frame_equal(fast, slow)
    assert fast["network"].null_count() < texts.height  # the spellings are not all rejected
    assert fast.filter(pl.col("_text") == "1:2:3:4::")["network"].item() == "1:2:3:4::/64"
    assert fast.filter(pl.col("_text") == "fe80::1")["network"].item() is None


def test_pairs_by_hash_match_pairs_by_the_strings() -> None:
    rng = random.Random(5)
    rows = [
        (f"t{rng.randrange(40)}", f"203.0.113.{rng.randrange(30)}", rng.randrange(0, 100))
        for _ in range(5000)
    ]
    access = pl.DataFrame(
        [(t, AS_OF - timedelta(days=d, minutes=i), ip) for i, (t, ip, d) in enumerate(rows)],
        schema={
            "tenant_id": pl.String,
            "timestamp": pl.Datetime("us", "UTC"),
            "source_ip": pl.String,
        },
        orient="row",
    )
    pairs, times = read_signins(access, AS_OF)
    window = access.filter(pl.col("timestamp") > AS_OF - timedelta(days=90))
    assert 0 < window.height < access.height  # days 90-99 are out of the window
    assert times.height == window.height
    found = pair_signins(times, pairs).drop("_key")
    expected = window.group_by("tenant_id", "source_ip").agg(
        pl.len().alias("signins"),
        pl.col("timestamp").min().alias("first"),
        pl.col("timestamp").max().alias("last"),
    )
    order = ["tenant_id", "source_ip"]
    assert_frame_equal(found.sort(order), expected.sort(order))
    some = pl.Series(["t1", "t7", "t39", "nobody"])
    totals = signin_totals(times, pairs, some)
    expected_totals = (
        window.filter(pl.col("tenant_id").is_in(some.implode()))
        .group_by("tenant_id")
        .agg(pl.len().cast(totals["total_signins"].dtype).alias("total_signins"))
    )
    assert_frame_equal(totals.sort("tenant_id"), expected_totals.sort("tenant_id"))


def test_no_sign_ins_in_the_window_gives_no_pairs() -> None:
    access = pl.DataFrame(
        {
            "tenant_id": ["t1"],
            "timestamp": [AS_OF + timedelta(days=1)],
            "source_ip": ["203.0.113.1"],
        }
    )
    pairs, times = read_signins(access, AS_OF)
    assert pairs.height == times.height == 0
    assert pair_signins(times, pairs).height == 0


def _addresses(rng: random.Random) -> list[str]:
    """Addresses a few tenants share in many spellings: IPv6 ones from `_spellings` and
    respelled copies of them, IPv4 ones plain, padded, mapped, capitalised, zero-padded."""
    v6 = _spellings(rng)[:400]
    v6 += [text.upper() for text in rng.sample(v6, 40)]
    v6 += [" " + text for text in rng.sample(v6, 20)]
    v4 = [f"198.51.100.{i}" for i in range(30)] + ["10.0.0.1", "999.1.1.1", "01.2.3.4", "1.2.3.4"]
    v4 += [f" 198.51.100.{i} " for i in range(0, 30, 3)]
    v4 += [f"::ffff:198.51.100.{i}" for i in range(1, 30, 4)]
    v4 += [f"::FFFF:198.51.100.{i}" for i in range(2, 30, 5)]
    return v6 + v4


def test_leaving_out_networks_of_one_by_the_quick_key_keeps_every_shared_network() -> None:
    from auditor.features.ip_networks import with_networks
    from auditor.features.network_links import _shared_networks

    rng = random.Random(8)
    texts = _addresses(rng)
    # each of these /64s written one way by one tenant and another way by another
    respelled = [
        ("a1", "2001:0db8:1:2::1"),
        ("a2", "2001:db8:1:2::7"),
        ("b1", "2001:db8::1"),
        ("b2", "2001:db8:0:0::9"),
        ("c1", "2001:DB8:5:6::1"),
        ("c2", "2001:db8:5:6:7:8:9:a"),
        ("d1", " 2001:db8:7:8::1"),
        ("d2", "2001:db8:7:8::2"),
        ("e1", "1.2.3.4"),
        ("e2", "::ffff:1.2.3.4"),
    ]
    pairs = pl.DataFrame(
        {
            "tenant_id": [f"t{rng.randrange(6)}" for _ in texts]
            + [f"u{i}" for i in range(300)]
            + [t for t, _ in respelled],
            "source_ip": texts + rng.sample(texts, 300) + [ip for _, ip in respelled],
        }
    ).unique(maintain_order=True)
    pairs = pairs.with_columns(pl.lit(0, dtype=pl.UInt64).alias("_key"))
    every = with_networks(pairs).filter(pl.col("network").is_not_null())
    shared = every.filter(pl.col("tenant_id").n_unique().over("network") >= 2)
    found = _shared_networks(pairs)
    kept = found.filter(pl.col("tenant_id").n_unique().over("network") >= 2)
    order = ["tenant_id", "source_ip"]
    assert_frame_equal(kept.sort(order), shared.select(found.columns).sort(order))
    assert shared.height > 100  # spellings do meet: the test is not vacuous
    assert set(kept["tenant_id"]) >= {t for t, _ in respelled}
    assert found.height < every.height  # and networks of one were left out unparsed
