"""Acronyms of list names, and the initials of query names, as Polars expressions.

Listed organisations are known by initials the list does not always carry: "SMIC" for
Semiconductor Manufacturing International Corporation, "CETC" for China Electronics
Technology Group Corporation, "NUDT", "THATIC". Initials are not taken uniformly -- CETC
skips "Group", THATIC keeps the "Co" of "Co., Ltd." -- so each list name yields the few
variants people actually use:

* every word (stopwords such as "of" and "and" never count);
* without the legal-form words other than co/company/corp/corporation;
* that, also without group/holding(s);
* either of those without co/company/corp/corporation.

The other direction -- a list that carries only "NUDT" and a tenant that writes the words
out -- compares the list's acronym with the initials of every run of 3 to 8 consecutive
words of the query name.
"""

from __future__ import annotations

import polars as pl

from auditor.screening.normalize import LEGAL_FORMS, STOPWORDS

MIN_LETTERS = 3
MAX_LETTERS = 8
_KEEP_FORMS = frozenset({"co", "company", "corp", "corporation"})
_GROUP_WORDS = frozenset({"group", "holding", "holdings"})
_LEGAL_WORDS = frozenset(w for form in LEGAL_FORMS if " " not in form for w in [form]) - _KEEP_FORMS


def _initials(words: pl.Expr) -> pl.Expr:
    return words.list.eval(pl.element().str.slice(0, 1)).list.join("")


def _clean(name: pl.Expr) -> pl.Expr:
    """Lower-case ASCII words; "S.M.I.C." -> "smic". Acronyms are written in Latin letters."""
    return (
        name.str.to_lowercase()
        .str.replace_all(r"['’`]", "")
        .str.replace_all(r"\b([a-z0-9])\.", "$1")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )


def acronym_variants(name: pl.Expr) -> pl.Expr:
    """List[str] of the acronyms people write for a name (see the module docstring)."""
    words = (
        _clean(name)
        .str.split(" ")
        .list.eval(pl.element().filter((pl.element() != "") & ~pl.element().is_in(list(STOPWORDS))))
    )
    plain = words.list.eval(pl.element().filter(~pl.element().is_in(list(_LEGAL_WORDS))))
    no_group = plain.list.eval(pl.element().filter(~pl.element().is_in(list(_GROUP_WORDS))))
    variants = [
        v.list.eval(pl.element().filter(~pl.element().is_in(list(_KEEP_FORMS)))) if strip else v
        for v in (words, plain, no_group)
        for strip in (False, True)
    ]
    acronyms = [pl.when(v.list.len() >= MIN_LETTERS).then(_initials(v)) for v in variants]
    return (
        pl.concat_list(acronyms)
        .list.eval(
            pl.element().filter(pl.element().str.len_chars().is_between(MIN_LETTERS, MAX_LETTERS))
        )
        .list.unique()
    )


def initial_windows(frame: pl.DataFrame, row: str, words: str, sizes: list[int]) -> pl.DataFrame:
    """(row, window, spelled): initials of every run of `sizes` consecutive words of the
    list column `words`, and those words ("nudt", "national university defense technology")."""
    initials = frame.select(row, words, s=_initials(pl.col(words))).filter(
        pl.col("s").str.len_chars() >= MIN_LETTERS
    )
    starts = initials.with_columns(
        start=pl.int_ranges(0, pl.col("s").str.len_chars() - MIN_LETTERS + 1)
    ).explode("start")
    sized = starts.with_columns(size=pl.lit(sorted(set(sizes)), dtype=pl.List(pl.Int64))).explode(
        "size"
    )
    sized = sized.filter(pl.col("start") + pl.col("size") <= pl.col("s").str.len_chars())
    return sized.select(
        row,
        window=pl.col("s").str.slice(pl.col("start"), pl.col("size")),
        spelled=pl.col(words).list.slice(pl.col("start"), pl.col("size")).list.join(" "),
    ).unique(subset=[row, "window"], keep="first")
