"""Country groups and the phone / e-mail / group expressions, table-driven."""

from __future__ import annotations

import polars as pl
import pytest

from auditor import geo


def _apply(fn, values: list[str | None]) -> list[str | None]:
    return (
        pl.DataFrame({"v": values}, schema={"v": pl.String})
        .select(fn(pl.col("v")).alias("out"))["out"]
        .to_list()
    )


PHONES = [
    ("+86 138 0013 8000", "CN"),
    ("0086 138 0013 8000", "CN"),
    ("+852 6123 4567", "HK"),
    ("(+853) 2888 1234", "MO"),
    ("+886 2 1234 5678", "TW"),
    ("+65 6123 4567", "SG"),
    ("+60 3-1234 5678", "MY"),
    ("+971 4 123 4567", "AE"),
    ("+81 3 1234 5678", "JP"),
    ("+1 415 555 0100", "US"),  # shared +1 -> US
    ("+1 (284) 494-1234", "VG"),  # NANP area code of an offshore centre
    ("+1 345 949 1234", "KY"),
    ("+7 495 123 45 67", "RU"),  # shared +7 -> RU
    ("+7 727 123 4567", "KZ"),
    ("+44 20 7946 0000", "GB"),
    ("+44 1534 123456", "JE"),
    ("+685 12345", "WS"),
    ("+213 21 12 34 56", "DZ"),  # 3-digit code, not +21x guessed
    ("138 0013 8000", None),  # national form: country unknown
    ("020 7946 0000", None),
    ("", None),
    (None, None),
    ("+999 123", None),  # unassigned
]


@pytest.mark.parametrize(("phone", "expected"), PHONES)
def test_phone_country(phone: str | None, expected: str | None) -> None:
    assert _apply(geo.phone_country, [phone]) == [expected]


EMAILS = [
    ("li@qq.com", "CN"),
    ("wang@163.com", "CN"),
    ("ops@corp.com.cn", "CN"),
    ("ops@corp.cn", "CN"),
    ("x@firm.hk", "HK"),
    ("x@firm.com.hk", "HK"),
    ("x@firm.mo", "MO"),
    ("x@firm.sg", "SG"),
    ("x@firm.co.uk", "GB"),
    ("x@FIRM.COM.CN ", "CN"),
    ("firm.com.sg", "SG"),  # a bare domain works too
    ("x@startup.ai", None),  # vanity ccTLD, not Anguilla
    ("x@startup.io", None),
    ("x@free.cf", None),  # former Freenom TLD, not the Central African Republic
    ("x@gmail.com", None),
    ("x@example.eu", None),
    ("not-an-address", None),
    (None, None),
]


@pytest.mark.parametrize(("email", "expected"), EMAILS)
def test_email_country(email: str | None, expected: str | None) -> None:
    assert _apply(geo.email_country, [email]) == [expected]


GROUPS = [
    ("CN", "d5"),
    ("cn", "d5"),
    (" HK ", "d5"),  # Hong Kong is treated as China
    ("RU", "d5"),
    ("IR", "d5"),
    ("MO", "macau"),
    ("SG", "hub"),
    ("AE", "hub"),
    ("VG", "offshore"),
    ("KY", "offshore"),
    ("WS", "offshore"),
    ("US", "other"),
    ("TW", "other"),
    ("KH", "other"),  # removed from D:5 in 2026
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("code", "expected"), GROUPS)
def test_country_group(code: str | None, expected: str | None) -> None:
    assert _apply(geo.country_group, [code]) == [expected]


def test_is_d5_or_macau_keeps_null_unknown() -> None:
    assert _apply(geo.is_d5_or_macau, ["MO", "hk", "JP", None]) == [True, True, False, None]


def test_sets_are_consistent() -> None:
    assert geo.D5_COUNTRIES | {geo.MACAU} == geo.D5_OR_MACAU
    assert geo.CHINA in geo.D5_COUNTRIES and geo.MACAU not in geo.D5_COUNTRIES
    assert not (geo.HUB_JURISDICTIONS & geo.D5_OR_MACAU)
    assert not (geo.OFFSHORE_JURISDICTIONS & geo.D5_OR_MACAU)
    assert (
        geo.CHINA_EMAIL_DOMAINS - {"vip.qq.com", "vip.163.com", "vip.sina.com", "188.com"}
        <= geo.FREEMAIL_DOMAINS
    )
    every = geo.D5_OR_MACAU | geo.HUB_JURISDICTIONS | geo.OFFSHORE_JURISDICTIONS
    assert all(len(c) == 2 and c.isupper() for c in every)


def test_calling_codes_are_prefix_consistent() -> None:
    codes = geo.CALLING_CODES
    assert (
        codes["86"] == "CN"
        and codes["852"] == "HK"
        and codes["853"] == "MO"
        and codes["886"] == "TW"
    )
    assert all(k.isdigit() and 1 <= len(k) <= 3 for k in codes)
    # every country code is prefix-free against the others (E.164 property)
    for a in codes:
        assert not any(b != a and b.startswith(a) for b in codes), a
    # regional prefixes refine a shared country code, never invent one
    assert all(any(p.startswith(k) for k in codes) for p in geo.REGIONAL_PREFIXES)


def test_expressions_run_on_whole_columns() -> None:
    frame = pl.DataFrame({"phone": ["+86 1", "+65 2"] * 1000, "email": ["a@b.cn", "a@b.sg"] * 1000})
    out = frame.select(
        geo.phone_country(pl.col("phone")).alias("p"),
        geo.email_country(pl.col("email")).alias("e"),
        geo.country_group(geo.phone_country(pl.col("phone"))).alias("g"),
    )
    assert out.group_by("p", "e", "g").len().sort("p").rows() == [
        ("CN", "CN", "d5", 1000),
        ("SG", "SG", "hub", 1000),
    ]
