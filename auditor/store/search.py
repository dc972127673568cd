"""The queue's text search, backend-neutral: which words a case is found by, and what a query asks for.

`q=` used to scan every case's record for a substring; at 100,000 cases that is the one
filter that reads the whole run. Instead each run's commit writes the words of its cases
(case id, tenant ids, tenant legal names; lower-cased, NFKC-normalised, split at anything
that is not a letter or digit) into `case_search_terms`, and a query is a set of words
every matching case has: each word whole, except the last one, which is a prefix unless
the query ends with a space (search as you type: `acme comp` finds "ACME Compute Ltd",
`tenant 7 ` finds "Tenant 7" and not "Tenant 70"). A prefix is a range of the index
(`term >= p AND term < p + U+10FFFF`), so every backend with an ordered index answers it:
no full-text extension is needed. What a word search cannot find is a piece from inside a
word ("ompute"); a name in a script without spaces is one word, found by its start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

MAX_TERM = 64  # characters kept of a word: a 10 kB name is not a 10 kB index key
MAX_TERMS_PER_CASE = 400
MAX_QUERY_WORDS = 8
PREFIX_END = "\U0010ffff"  # sorts after every character a term can hold
_WORD = r"[^\W_]+"  # letters and digits of any script


def _words(text: pl.Expr) -> pl.Expr:
    """Texts to their lists of words: NFKC, lower case (German sharp s as ss), letters and digits."""
    folded = (
        text.str.normalize("NFKC")
        .str.to_lowercase()
        .str.replace_all("ß", "ss", literal=True)
        .str.replace_all("ς", "σ", literal=True)
    )
    return folded.str.extract_all(_WORD)


def words(text: str) -> list[str]:
    """The words of a text as the index holds them (the same expression as a run's, so they always agree)."""
    found = pl.select(_words(pl.lit(text, dtype=pl.String))).to_series().to_list()[0]
    return [w[:MAX_TERM] for w in found or []]


def _texts(record: Mapping[str, Any]) -> list[str]:
    texts: list[str] = [str(record.get("case_id") or "")]
    texts += [str(t) for t in record.get("tenant_ids") or []]
    for tenant in record.get("tenants") or []:
        if isinstance(tenant, Mapping):
            texts += [str(tenant.get("tenant_id") or ""), str(tenant.get("legal_name") or "")]
    return texts


def run_terms(cases: Iterable[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, str]]:
    """(term, case id) rows for a run's cases, given as (case id, record): its id, its tenants' ids and legal names.

    One Polars expression over every text of the run; each case's words distinct, the rows in
    key order (term, then case id: Polars compares the UTF-8 bytes, which orders texts as
    Python does, by code point), as the index's table takes them.
    """
    ids: list[str] = []
    texts: list[str] = []
    for case_id, record in cases:
        for text in _texts(record):
            ids.append(case_id)
            texts.append(text)
    if not ids:
        return []
    table = (
        pl.DataFrame(
            {"case_id": ids, "text": texts}, schema={"case_id": pl.String, "text": pl.String}
        )
        .select("case_id", _words(pl.col("text")).alias("term"))
        .explode("term")
        .drop_nulls("term")
        .with_columns(pl.col("term").str.slice(0, MAX_TERM))
        # A set per case, its words in the order the case gives them (its id, then its tenants
        # by rank), so that a case with more than MAX_TERMS_PER_CASE words keeps the same first
        # ones every run, its id among them (an unordered unique kept an arbitrary 400).
        .unique(["case_id", "term"], maintain_order=True)
        .filter(pl.int_range(pl.len()).over("case_id") < MAX_TERMS_PER_CASE)
        .sort("term", "case_id")
    )
    return table.select("term", "case_id").rows()


def case_terms(record: Mapping[str, Any]) -> set[str]:
    """The distinct words a case is found by."""
    return {term for term, _ in run_terms([(str(record.get("case_id") or ""), record)])}


@dataclass(frozen=True)
class TextQuery:
    """What `q=` asks: whole words every case must have, and at most one word it must start."""

    whole: tuple[str, ...]
    prefix: str | None

    @property
    def empty(self) -> bool:
        return not self.whole and self.prefix is None


def parse_query(text: str) -> TextQuery:
    """A query's words; the last is a prefix unless the query ends with white space."""
    found = words(text)[:MAX_QUERY_WORDS]
    if not found:
        return TextQuery((), None)
    if text[-1:].isspace() or len(words(text)) > MAX_QUERY_WORDS:
        return TextQuery(tuple(dict.fromkeys(found)), None)
    return TextQuery(tuple(dict.fromkeys(found[:-1])), found[-1])
