"""Country reference data and whole-column Polars expressions for the features stage.

Holds the country groups the advanced-computing rules turn on (EAR Country Group D:5 and
Macau), the offshore and transshipment-hub places front companies use, free-mail and
China mail domains, and E.164 calling codes; and three expressions -- `phone_country`,
`email_country`, `country_group` -- that map a column of phone numbers, e-mail
addresses or ISO codes to a country or group without any Python per row. Null in, null
out: an unknown country is null, never a guess.
"""

from __future__ import annotations

import polars as pl

CHINA = "CN"
HONG_KONG = "HK"
MACAU = "MO"

D5_COUNTRIES: frozenset[str] = frozenset(
    {
        "AF", "BY", "MM", "CF", "CN", "CD", "CU", "ER", "HT", "IR", "IQ", "KP", "LB",
        "LY", "NI", "RU", "SO", "SS", "SD", "SY", "VE", "ZW",
        HONG_KONG,
    }
)  # fmt: skip
"""EAR Country Group D:5 (U.S. arms-embargoed countries), Supplement No. 1 to part 740.

D:5 is by definition the list in ITAR 22 CFR 126.1, so State changes take effect here at
once. Built from that list as of early 2026, with three decisions:
- Hong Kong (HK) is included. Since December 2020 the EAR no longer treat Hong Kong as
  a destination apart from China (it was removed from the country groups and is
  treated as China), so a Hong Kong headquarters is a China headquarters for these rules.
- Cambodia (KH) is left out: BIS removed it from D:5 on 3 February 2026, after State
  lifted the ITAR embargo in November 2025.
- Cyprus (CY) is left out: State has lifted its defence-trade restrictions each fiscal
  year since FY2023 (renewed annually), so it is not treated as embargoed here.
Macau is not in D:5; the 2023 rules name it alongside D:5, see `D5_OR_MACAU`.
"""

D5_OR_MACAU: frozenset[str] = D5_COUNTRIES | {MACAU}
"""The headquarters test of the 2023 advanced-computing rules: Macau or a D:5 country."""

OFFSHORE_JURISDICTIONS: frozenset[str] = frozenset(
    {
        "WS", "VG", "KY", "SC", "MH", "BZ", "PA", "BS", "BM", "AI", "VU", "MU", "LR",
        "CK", "NU", "IM", "JE", "GG", "TC", "GI", "KN", "LI", "AG", "MS", "NR", "LC",
        "VC", "DM", "GD",
    }
)  # fmt: skip
"""Secrecy and offshore-incorporation places where front companies are registered.

The places whose registries supply most entities in the ICIJ Offshore Leaks database
(Panama Papers, Paradise Papers, Pandora Papers: BVI, Samoa, Seychelles, Panama,
Bahamas, Niue, Anguilla, Cayman, Belize, Marshall Islands, Cook Islands ...), together
with the small-island and Crown-dependency havens of the OECD 2000 harmful-tax-practices
list (Isle of Man, Jersey, Guernsey, Gibraltar, Liechtenstein, Vanuatu, Liberia,
Turks and Caicos, St Kitts and Nevis, Antigua, Montserrat, Nauru, Eastern Caribbean
states) and Mauritius, a common holding-company seat for Asian investment. Large
onshore financial centres (Luxembourg, Ireland, Netherlands, Switzerland, Singapore,
Hong Kong) are not here: incorporation there is ordinary business and says little.
"""

HUB_JURISDICTIONS: frozenset[str] = frozenset({"SG", "MY", "AE", "TH", "VN", "ID"})
"""Transshipment and business hubs used to front for China-based buyers of AI chips.

The places named in BIS diversion guidance and in 2024-2025 smuggling cases and
reporting on AI-accelerator diversion to China: Singapore, Malaysia, the UAE, Thailand,
Vietnam and Indonesia -- near China, large data-centre build-outs, heavy re-export trade.
Hong Kong is not a hub here: it is treated as China (see `D5_COUNTRIES`). Taiwan and
India are left out on purpose: both are large legitimate markets for the same hardware
with far more ordinary tenants than fronts, so membership would add noise, not signal.
"""

FREEMAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com",
        "protonmail.com", "proton.me", "pm.me", "gmx.com", "gmx.net", "mail.com",
        "zoho.com", "yandex.com", "yandex.ru", "mail.ru", "tutanota.com", "hushmail.com",
        "qq.com", "163.com", "126.com", "sina.com", "sina.cn", "sohu.com", "foxmail.com",
        "aliyun.com", "139.com", "yeah.net", "tom.com", "21cn.com", "189.cn", "wo.cn",
        "naver.com", "daum.net", "hanmail.net", "rediffmail.com",
    }
)  # fmt: skip
"""Consumer mail providers: shared by unrelated people, so a shared domain is never a link."""

CHINA_EMAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "qq.com", "163.com", "126.com", "sina.com", "sina.cn", "sohu.com", "foxmail.com",
        "aliyun.com", "139.com", "yeah.net", "tom.com", "21cn.com", "189.cn", "wo.cn",
        "vip.qq.com", "vip.163.com", "vip.sina.com", "188.com",
    }
)  # fmt: skip
"""Mail providers whose users are overwhelmingly in mainland China, though under .com."""

VANITY_CCTLDS: frozenset[str] = frozenset(
    {"ai", "io", "co", "me", "tv", "cc", "ly", "fm", "gg", "sh", "so", "to", "ws", "vc",
     "la", "nu", "im", "tk", "ml", "ga", "cf", "gq", "cx", "ms", "am", "ac"}
)  # fmt: skip
"""Country-code TLDs sold mostly as generic names (.ai, .io, .ly ...); they say nothing
about where the holder is, so `email_country` returns null for them. Includes the former
Freenom free TLDs (.tk .ml .ga .cf .gq), which otherwise would put free sign-ups in CAR."""

# E.164 country calling code -> ISO 3166 alpha-2. A shared code maps to its main user:
# +1 -> US (NANP: Canada and the Caribbean refine it in REGIONAL_PREFIXES), +7 -> RU
# (Kazakhstan's +76/+77 refine it), +44 -> GB (Crown dependencies refine it), +61 -> AU,
# +39 -> IT, +47 -> NO, +262 -> RE, +590 -> GP, +599 -> CW, +212 -> MA.
CALLING_CODES: dict[str, str] = {
    "1": "US", "7": "RU",
    "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES",
    "36": "HU", "39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK",
    "46": "SE", "47": "NO", "48": "PL", "49": "DE", "51": "PE", "52": "MX", "53": "CU",
    "54": "AR", "55": "BR", "56": "CL", "57": "CO", "58": "VE", "60": "MY", "61": "AU",
    "62": "ID", "63": "PH", "64": "NZ", "65": "SG", "66": "TH", "81": "JP", "82": "KR",
    "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK", "93": "AF", "94": "LK",
    "95": "MM", "98": "IR",
    "211": "SS", "212": "MA", "213": "DZ", "216": "TN", "218": "LY", "220": "GM",
    "221": "SN", "222": "MR", "223": "ML", "224": "GN", "225": "CI", "226": "BF",
    "227": "NE", "228": "TG", "229": "BJ", "230": "MU", "231": "LR", "232": "SL",
    "233": "GH", "234": "NG", "235": "TD", "236": "CF", "237": "CM", "238": "CV",
    "239": "ST", "240": "GQ", "241": "GA", "242": "CG", "243": "CD", "244": "AO",
    "245": "GW", "246": "IO", "248": "SC", "249": "SD", "250": "RW", "251": "ET",
    "252": "SO", "253": "DJ", "254": "KE", "255": "TZ", "256": "UG", "257": "BI",
    "258": "MZ", "260": "ZM", "261": "MG", "262": "RE", "263": "ZW", "264": "NA",
    "265": "MW", "266": "LS", "267": "BW", "268": "SZ", "269": "KM", "290": "SH",
    "291": "ER", "297": "AW", "298": "FO", "299": "GL",
    "350": "GI", "351": "PT", "352": "LU", "353": "IE", "354": "IS", "355": "AL",
    "356": "MT", "357": "CY", "358": "FI", "359": "BG", "370": "LT", "371": "LV",
    "372": "EE", "373": "MD", "374": "AM", "375": "BY", "376": "AD", "377": "MC",
    "378": "SM", "380": "UA", "381": "RS", "382": "ME", "383": "XK", "385": "HR",
    "386": "SI", "387": "BA", "389": "MK", "420": "CZ", "421": "SK", "423": "LI",
    "500": "FK", "501": "BZ", "502": "GT", "503": "SV", "504": "HN", "505": "NI",
    "506": "CR", "507": "PA", "508": "PM", "509": "HT", "590": "GP", "591": "BO",
    "592": "GY", "593": "EC", "594": "GF", "595": "PY", "596": "MQ", "597": "SR",
    "598": "UY", "599": "CW",
    "670": "TL", "672": "NF", "673": "BN", "674": "NR", "675": "PG", "676": "TO",
    "677": "SB", "678": "VU", "679": "FJ", "680": "PW", "681": "WF", "682": "CK",
    "683": "NU", "685": "WS", "686": "KI", "687": "NC", "688": "TV", "689": "PF",
    "690": "TK", "691": "FM", "692": "MH",
    "850": "KP", "852": "HK", "853": "MO", "855": "KH", "856": "LA", "880": "BD",
    "886": "TW",
    "960": "MV", "961": "LB", "962": "JO", "963": "SY", "964": "IQ", "965": "KW",
    "966": "SA", "967": "YE", "968": "OM", "970": "PS", "971": "AE", "972": "IL",
    "973": "BH", "974": "QA", "975": "BT", "976": "MN", "977": "NP", "992": "TJ",
    "993": "TM", "994": "AZ", "995": "GE", "996": "KG", "998": "UZ",
}  # fmt: skip

# Longer prefixes inside shared codes, where the country matters to these rules: NANP
# area codes of Caribbean offshore centres and territories, Kazakhstan inside +7, and the
# Crown dependencies' landline prefixes inside +44. Longest prefix wins.
REGIONAL_PREFIXES: dict[str, str] = {
    "1242": "BS", "1246": "BB", "1264": "AI", "1268": "AG", "1284": "VG", "1340": "VI",
    "1345": "KY", "1441": "BM", "1473": "GD", "1649": "TC", "1658": "JM", "1876": "JM",
    "1664": "MS", "1670": "MP", "1671": "GU", "1684": "AS", "1721": "SX", "1758": "LC",
    "1767": "DM", "1784": "VC", "1787": "PR", "1939": "PR", "1809": "DO", "1829": "DO",
    "1849": "DO", "1868": "TT", "1869": "KN",
    "76": "KZ", "77": "KZ",
    "441481": "GG", "441534": "JE", "441624": "IM",
}  # fmt: skip

ISO_CODES: frozenset[str] = frozenset(CALLING_CODES.values()) | frozenset(
    REGIONAL_PREFIXES.values()
)
"""Every ISO alpha-2 code this module can return."""

COUNTRY_GROUPS = ("d5", "macau", "hub", "offshore", "other")


def _normalise_code(expr: pl.Expr) -> pl.Expr:
    code = expr.cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(code == "").then(None).otherwise(code)


def phone_country(expr: pl.Expr) -> pl.Expr:
    """ISO code of a phone number's country calling code, by longest prefix.

    Only numbers written internationally (`+CC ...` or `00CC ...`, spaces, dots, dashes
    and brackets allowed) are read; a national number is null, since its country is not
    in it.
    """
    text = expr.cast(pl.String).str.strip_chars()
    international = text.str.contains(r"^[\s(]*(?:\+|00)")
    digits = text.str.replace_all(r"[^0-9]", "")
    digits = pl.when(text.str.contains(r"^[\s(]*\+")).then(digits).otherwise(digits.str.slice(2))
    table = {**CALLING_CODES, **REGIONAL_PREFIXES}
    lengths = sorted({len(k) for k in table}, reverse=True)
    by_length = [
        digits.str.slice(0, n).replace_strict(
            {k: v for k, v in table.items() if len(k) == n}, default=None, return_dtype=pl.String
        )
        for n in lengths
    ]
    return (
        pl.when(international).then(pl.coalesce(by_length)).otherwise(pl.lit(None, dtype=pl.String))
    )


def email_country(expr: pl.Expr) -> pl.Expr:
    """ISO code implied by an e-mail address's (or bare domain's) domain; null if none.

    A country-code TLD gives its country (`.com.cn` -> CN, `.uk` -> GB), except vanity
    TLDs sold as generic names (VANITY_CCTLDS); the big mainland mail providers under
    .com (qq.com, 163.com ...) give CN.
    """
    domain = (
        expr.cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .str.replace(r"^.*@", "")
        .str.strip_chars_end(".")
    )
    tld = domain.str.extract(r"\.([a-z]{2})$", 1)
    code = tld.str.to_uppercase().replace({"UK": "GB"})
    from_tld = (
        pl.when(tld.is_in(list(VANITY_CCTLDS)) | ~code.is_in(list(ISO_CODES)))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(code)
    )
    return pl.when(domain.is_in(list(CHINA_EMAIL_DOMAINS))).then(pl.lit(CHINA)).otherwise(from_tld)


def country_group(expr: pl.Expr) -> pl.Expr:
    """`d5`, `macau`, `hub`, `offshore` or `other` for an ISO alpha-2 column; null stays null.

    Hong Kong is `d5` (treated as China); the first matching group wins in that order.
    """
    code = _normalise_code(expr)
    return (
        pl.when(code.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(code.is_in(list(D5_COUNTRIES)))
        .then(pl.lit("d5"))
        .when(code == MACAU)
        .then(pl.lit("macau"))
        .when(code.is_in(list(HUB_JURISDICTIONS)))
        .then(pl.lit("hub"))
        .when(code.is_in(list(OFFSHORE_JURISDICTIONS)))
        .then(pl.lit("offshore"))
        .otherwise(pl.lit("other"))
    )


def is_d5_or_macau(expr: pl.Expr) -> pl.Expr:
    """True when an ISO code is Macau or D:5 (Hong Kong included); null stays null."""
    code = _normalise_code(expr)
    return (
        pl.when(code.is_null())
        .then(pl.lit(None, dtype=pl.Boolean))
        .otherwise(code.is_in(list(D5_OR_MACAU)))
    )
