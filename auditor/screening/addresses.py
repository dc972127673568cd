"""Address normalisation, for finding new companies at a listed company's address.

The Nettrix pattern: a company set up after its parent was listed, renting GPUs from the
parent's building. Addresses are compared after transliteration, case and punctuation
folding and with common abbreviations unified ("Building" / "Bldg.", "Road" / "Rd",
"19/F" / "19th Floor"). Addresses too vague to point at one place ("Havana, Cuba",
"Tehran, Iran") are not indexed: matching them would flag every tenant in a city.
"""

from __future__ import annotations

import polars as pl

from auditor.screening.normalize import _latin

_ABBREVIATIONS: dict[str, str] = {
    "street": "st",
    "str": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "building": "bldg",
    "bld": "bldg",
    "room": "rm",
    "floor": "fl",
    "f": "fl",
    "flr": "fl",
    "suite": "ste",
    "district": "dist",
    "lane": "ln",
    "drive": "dr",
    "highway": "hwy",
    "industrial": "ind",
    "park": "pk",
    "tower": "twr",
    "block": "blk",
    "number": "no",
    "apartment": "apt",
    "unit": "unit",
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "center": "ctr",
    "centre": "ctr",
    "province": "prov",
    "square": "sq",
    "plaza": "plz",
    "postal": "",
    "code": "",
    "no": "",
    "nr": "",
    "the": "",
    "of": "",
    "and": "",
    "1st": "1",
    "2nd": "2",
    "3rd": "3",
}

# An indexed address needs this many tokens, one of them with a digit.
MIN_TOKENS = 4


def normalize_address_expr(column: str) -> pl.Expr:
    """One space-separated token string per address, abbreviations unified."""
    text = (
        _latin(pl.col(column))
        .str.to_lowercase()
        .str.replace_all(r"(\d+)(st|nd|rd|th)\b", "$1")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )
    tokens = text.str.split(" ").list.eval(
        pl.element().replace(_ABBREVIATIONS).filter(pl.element() != "")
    )
    return tokens.list.join(" ")


def is_specific_expr(norm: pl.Expr) -> pl.Expr:
    """True for addresses specific enough to identify premises (a number and enough words)."""
    return (norm.str.count_matches(" ") + 1 >= MIN_TOKENS) & norm.str.contains(r"\d")
