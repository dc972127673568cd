"""Person names compared for ties of control: an exact key, and near misses shown but never counted.

An officer or director shared with a listed company is a tie of control outside the 50% test
(BIS names shared board members among the Affiliates Rule's red flags). Person names are short
and common, so two rules apply:

* **Same person**: the same `person_key` -- case, punctuation and word order ignored, other
  scripts transliterated (Han names as pinyin, family name first: 赵明辉 -> "zhao minghui"),
  hyphens and apostrophes inside a word dropped ("Ming-hui" = "Minghui"). "ZHAO, Minghui",
  "Minghui Zhao" and 赵明辉 are one key. Only this counts as a shared officer and fires a rule.
* **Near miss**: different keys that share a word and score at least `NEAR_MISS_THRESHOLD`
  (rapidfuzz's normalised Indel similarity of the keys), in the same country when both
  countries are known. It is shown to the analyst as a *possible* shared officer and fires
  nothing: "Minghao Zhao" against "Minghui Zhao" is as likely another person as a typo.

The threshold was chosen on the tune half of the SDN individuals and is reported on the test
half (bench/officer_names_eval.py; docs/ownership.md has the figures).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from anyascii import anyascii

from auditor.screening.chinese_script import to_simplified
from auditor.screening.normalize import _pinyin_converter

# Chosen on the tune split (bench/officer_names_eval.py): see docs/ownership.md.
NEAR_MISS_THRESHOLD = 0.82
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NON_ASCII = r"[^\x00-\x7f]"


def _han_name(match: re.Match[str]) -> str:
    """A run of Han characters as a romanised name: the first syllable the family name, the rest the given name."""
    # pypinyin's phrase dictionary loads at the first Han name, not when the audit imports this.
    lazy_pinyin = _pinyin_converter()
    if lazy_pinyin is None:  # pragma: no cover - pypinyin is a declared dependency
        return " " + anyascii(match.group(0)) + " "
    syllables = lazy_pinyin(match.group(0))
    return " " + " ".join([syllables[0], "".join(syllables[1:])]).strip() + " "


def romanise(name: str) -> str:
    """Latin letters for a person's name in any script (Han as pinyin, family name first)."""
    text = unicodedata.normalize("NFKC", name)
    if _HAN_RUN.search(text):
        text = _HAN_RUN.sub(_han_name, to_simplified(text))
    return anyascii(text)


def _romanise_series(series: pl.Series) -> pl.Series:
    # Only the distinct non-ASCII names pay for Python.
    mask = series.str.contains(_NON_ASCII).fill_null(False)
    if not mask.any():
        return series
    uniq = series.filter(mask).unique()
    return series.replace(uniq, pl.Series([romanise(v) for v in uniq.to_list()]))


def person_key(name: pl.Expr) -> pl.Expr:
    """Romanised, lower case, in-word hyphens and apostrophes dropped, other punctuation as
    spaces, words sorted and joined by one space; null when no word is left."""
    words = (
        name.map_batches(_romanise_series, return_dtype=pl.String)
        .str.to_lowercase()
        .str.replace_all(r"(\w)['’`\-](\w)", "$1$2")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.sort()
    )
    return pl.when(words.list.len() == 0).then(None).otherwise(words.list.join(" "))


def near_misses(
    left: pl.DataFrame, right: pl.DataFrame, threshold: float = NEAR_MISS_THRESHOLD
) -> pl.DataFrame:
    """Pairs of distinct keys (`key` in both frames, with an optional `country`) that share a
    word and score at least `threshold`: key, key_right, score (0-1).

    Candidates come from a join on words of three letters or more, so the scorer runs on
    pairs that could be the same person rather than on every pair; each distinct pair is
    scored once, in one rapidfuzz call. Countries, where both sides give one, must agree.
    """

    def words(frame: pl.DataFrame) -> pl.DataFrame:
        country = pl.col("country") if "country" in frame.columns else pl.lit(None, dtype=pl.String)
        return (
            frame.select("key", country.str.to_uppercase().alias("country"))
            .drop_nulls("key")
            .unique()
            .with_columns(pl.col("key").str.split(" ").alias("word"))
            .explode("word")
            .filter(pl.col("word").str.len_chars() >= 3)
        )

    pairs = (
        words(left)
        .join(words(right), on="word", suffix="_right")
        .filter(
            (pl.col("key") != pl.col("key_right"))
            & (
                pl.col("country").is_null()
                | pl.col("country_right").is_null()
                | (pl.col("country") == pl.col("country_right"))
            )
        )
        .select("key", "key_right")
        .unique()
    )
    if pairs.height == 0:
        return pairs.with_columns(pl.lit(None, dtype=pl.Float64).alias("score"))
    from rapidfuzz import fuzz  # only when there are near misses to score (fast start)
    from rapidfuzz.process import cpdist

    scores = cpdist(
        pairs["key"].to_list(), pairs["key_right"].to_list(), scorer=fuzz.ratio, workers=1
    )
    return pairs.with_columns(pl.Series("score", scores / 100.0, dtype=pl.Float64)).filter(
        pl.col("score") >= threshold
    )
