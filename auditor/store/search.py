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

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_TERM = 64  # characters kept of a word: a 10 kB name is not a 10 kB index key
MAX_TERMS_PER_CASE = 400
MAX_QUERY_WORDS = 8
PREFIX_END = "\U0010ffff"  # sorts after every character a term can hold
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script


def words(text: str) -> list[str]:
    """The words of a text as the index holds them."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [w[:MAX_TERM] for w in _WORD.findall(folded)]


def case_terms(record: Mapping[str, Any]) -> list[str]:
    """The distinct words a case is found by: its id, its tenants' ids and legal names."""
    texts: list[str] = [str(record.get("case_id") or "")]
    texts += [str(t) for t in record.get("tenant_ids") or []]
    for tenant in record.get("tenants") or []:
        if isinstance(tenant, Mapping):
            texts += [str(tenant.get("tenant_id") or ""), str(tenant.get("legal_name") or "")]
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS_PER_CASE]


def run_terms(cases: Iterable[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, str]]:
    """(term, case id) rows for a run's cases, given as (case id, record)."""
    return [(term, case_id) for case_id, record in cases for term in case_terms(record)]


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
