"""Country names and codes as they appear at the end of list addresses, mapped to ISO-2.

trade.gov's current CSV ends each address with the ISO-2 code ("..., Xian, China, CN"),
older layouts and OFAC's own files end with the country's common name ("Havana, Cuba"),
which is rarely the ISO short name ("Iran" versus "Iran, Islamic Republic of"). Both are
read here so rules can ask which countries an entry sits in.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Spellings the lists use that pycountry's name / common_name / official_name lack.
_ALIASES: dict[str, str] = {
    "burma": "MM",
    "north korea": "KP",
    "korea north": "KP",
    "korea, north": "KP",
    "democratic people's republic of korea": "KP",
    "south korea": "KR",
    "korea south": "KR",
    "korea, south": "KR",
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "venezuela": "VE",
    "bolivia": "BO",
    "laos": "LA",
    "vietnam": "VN",
    "tanzania": "TZ",
    "moldova": "MD",
    "taiwan": "TW",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "the gambia": "GM",
    "gambia, the": "GM",
    "bahamas, the": "BS",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "czech republic": "CZ",
    "macedonia": "MK",
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "united states": "US",
    "usa": "US",
    "u.s.a.": "US",
    "uae": "AE",
    "hong kong": "HK",
    "macau": "MO",
    "kosovo": "XK",
    "turkey": "TR",
    "brunei": "BN",
    "cape verde": "CV",
    "micronesia": "FM",
    "swaziland": "SZ",
    "vatican": "VA",
    "holy see": "VA",
    "region: crimea": "UA",
    "crimea": "UA",
}


@lru_cache(maxsize=1)
def _name_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                table[value.casefold()] = country.alpha_2
    table.update(_ALIASES)
    return table


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


_TAIL = re.compile(r"[\s.]+$")


def country_of_address(address: str) -> str | None:
    """ISO-2 code of an address's last comma-separated part, if it names a country.

    Only the tail is read: a city or street named after a country ("Iran Street") must not
    turn into a country.
    """
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if not parts:
        return None
    last = _TAIL.sub("", parts[-1])
    if len(last) == 2 and last.upper() == last and last in _codes():
        return last
    table = _name_table()
    code = table.get(last.casefold())
    if code is None and len(parts) >= 2:
        # "Korea, North" and "Congo, Democratic Republic of the" span two parts.
        code = table.get(f"{parts[-2]}, {last}".casefold())
    return code


def country_code(value: str | None) -> str | None:
    """ISO-2 code for a user's country column: accepts a code or a name; None when unknown."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in _codes():
        return text.upper()
    return _name_table().get(text.casefold())
