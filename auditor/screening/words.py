"""Ordinary words and place names: what a name token must not be to identify a company.

An affiliate is recognised by the distinctive part of a listed name ("Inspur", "Sugon").
Whether a token is distinctive is decided from data (how rare it is among list names and
tenant names), but rarity in a few thousand names cannot tell a brand from an English word
or a place that happens to be rare there ("Dawning", "Baikal", "Moore"). Two small public
sources answer that:

* English words: Webster's Second International (`web2`, which also holds common surnames
  such as Moore) and the GNU Collaborative International Dictionary of English (`gcide`),
  as packaged by `english-words` on PyPI -- the same word lists Debian's `wamerican` grew
  from, installed with the package instead of by the system;
* places: every country and every ISO 3166-2 subdivision name in `pycountry` (a core
  dependency already), split into words, plus the Chinese cities and provinces the
  normaliser treats as weak tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl
import pycountry
from anyascii import anyascii

from auditor.screening.normalize import WEAK_TOKENS

_WORD = re.compile(r"[a-z]+")
# One syllable of pinyin ("peng", "cheng", "zhang"): a surname or a city half, never a brand
# on its own -- Chinese brands are two syllables or more ("langchao", "shuguang").
PINYIN_SYLLABLE = (
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ui|ue|ve|ua|uo|er|a|o|e|i|u|v)$"
)


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Lower-case English words (and common surnames) of three or more letters."""
    from english_words import get_english_words_set

    words = get_english_words_set(["web2", "gcide"], lower=True, alpha=True)
    return frozenset(w for w in words if len(w) >= 3)


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Words of country and subdivision names ("shandong", "samoa", "bavaria"), lower case ASCII."""
    names: list[str] = []
    for country in pycountry.countries:
        names += [
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ]
    names += [sub.name for sub in pycountry.subdivisions]
    words = {w for n in names for w in _WORD.findall(anyascii(n).lower()) if len(w) >= 4}
    return frozenset(words | WEAK_TOKENS)


def is_ordinary(token: str) -> bool:
    """A dictionary word, a place name or one pinyin syllable: never distinctive on its own."""
    return (
        token in dictionary_words()
        or token in place_names()
        or re.match(PINYIN_SYLLABLE, token) is not None
    )


@lru_cache(maxsize=1)
def ordinary_series() -> pl.Series:
    """Dictionary words and place names as one Series, for `is_in` over whole columns."""
    return pl.Series("ordinary", sorted(dictionary_words() | place_names()), dtype=pl.String)


@lru_cache(maxsize=1)
def place_series() -> pl.Series:
    return pl.Series("places", sorted(place_names()), dtype=pl.String)
