"""Screening once per string: earlier results reused, within a run and across runs.

A tenant's name, alias, owner, officer or address is matched against the lists once per
distinct text. Inside a run, names and owners share one memo (an officer who is also a
tenant's parent company is screened once). With a case store, the memo is saved under a
fingerprint of everything a result depends on -- the indexed list entries (lists, alias
tables, source filter), the threshold, the matching algorithms' names and the screening
code itself -- so the next run over the same lists screens only texts it has not seen, and
a list update, a new algorithm (name-v2 never reuses name-v1) or a changed matcher
screens everything again.

`ScreeningCache` answers `match_names` / `match_addresses` exactly as the index does (the
same columns, best match first per query), so the screening features cannot tell them apart.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from collections.abc import Callable

import polars as pl

from auditor.screening import matcher
from auditor.screening.index import NAME_ALGORITHM

KINDS = {
    "name": "query_name",
    "address": "query_address",
}  # kind -> the result column holding the query text
KEEP_FINGERPRINTS = 2  # fingerprints a store keeps: the current lists and the ones before them
SCREENING_CODE = Path(matcher.__file__).parent


class ResultStore(Protocol):
    """What the cache needs of a case store (see `store.sqlite`)."""

    def screening_results(self, fingerprint: str) -> dict[str, tuple[bytes, bytes]]: ...

    def save_screening_results(
        self, fingerprint: str, run_id: str, parts: dict[str, tuple[int, bytes, bytes]], keep: int
    ) -> None: ...


def _code_digest() -> str:
    """The screening package's source: a changed matcher must not reuse old results."""
    digest = hashlib.sha256()
    for path in sorted(SCREENING_CODE.rglob("*.py")):
        digest.update(
            path.relative_to(SCREENING_CODE).as_posix().encode() + b"\0" + path.read_bytes()
        )
    return digest.hexdigest()


def index_fingerprint(
    entries: pl.DataFrame, threshold: float | None, algorithm: str = NAME_ALGORITHM
) -> str:
    """What a screening result depends on, as one hash: the indexed entries, threshold,
    algorithms, code. `algorithm` is the index's name matcher: name-v1 and name-v2 match
    differently from the same code, so a memo of one is never reused by the other."""
    frame = io.BytesIO()
    entries.write_ipc(frame)
    parts = {
        "entries": hashlib.sha256(frame.getvalue()).hexdigest(),
        "threshold": threshold,
        "algorithms": [algorithm, matcher.ADDRESS_ALGORITHM],
        "code": _code_digest(),
        "polars": pl.__version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


@dataclass
class _Memo:
    """Every distinct text of one kind screened so far, and the matches among them."""

    screened: pl.DataFrame  # text: every text with a known result (from the store or this run)
    matches: pl.DataFrame | None  # the index's result rows without query_id; None until known
    stored: pl.DataFrame  # text: the texts whose results came from the store
    seen: pl.DataFrame  # text: the texts this run asked about


def _texts(frame: pl.DataFrame | None = None) -> pl.DataFrame:
    return (
        pl.DataFrame(schema={"text": pl.String})
        if frame is None
        else frame.select(pl.col("text").cast(pl.String))
    )


@dataclass
class ScreeningCounts:
    """Distinct texts a run screened, distinct texts it took from the store, and repeated
    look-ups of a text it had already answered (an owner who is also a tenant, say)."""

    screened: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    reused_from_store: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    reused_in_run: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def manifest(self) -> dict[str, Any]:
        """The `screening` object of run.json."""
        return {
            "screened": sum(self.screened.values()),
            "reused_from_store": sum(self.reused_from_store.values()),
            "reused_in_run": sum(self.reused_in_run.values()),
            "by_kind": {
                kind: {
                    "screened": self.screened[kind],
                    "reused_from_store": self.reused_from_store[kind],
                    "reused_in_run": self.reused_in_run[kind],
                }
                for kind in KINDS
            },
        }


class ScreeningCache:
    """The index's `match_names` / `match_addresses`, each distinct text matched once."""

    def __init__(self, index: Any, threshold: float | None = None, fingerprint: str | None = None):
        self.index = index
        self.entries = index.entries  # the screening features read the entries (alias origins)
        self.threshold = threshold
        self.fingerprint = fingerprint
        self.counts = ScreeningCounts()
        self._memo = {kind: _Memo(_texts(), None, _texts(), _texts()) for kind in KINDS}

    @classmethod
    def for_store(
        cls, index: Any, threshold: float | None, store: ResultStore | None
    ) -> ScreeningCache:
        """A cache holding the store's earlier results for these lists, if any (none without a store)."""
        if store is None:
            return cls(index, threshold)
        cache = cls(index, threshold, index_fingerprint(index.entries, threshold, index.algorithm))
        for kind, (screened, matches) in store.screening_results(cache.fingerprint or "").items():
            if kind in KINDS:
                texts = _texts(pl.read_parquet(io.BytesIO(screened)))
                cache._memo[kind] = _Memo(
                    texts, pl.read_parquet(io.BytesIO(matches)), texts, _texts()
                )
        return cache

    def save(self, store: ResultStore, run_id: str) -> None:
        """Every text screened so far and its matches, under this cache's fingerprint."""
        if self.fingerprint is None:
            raise ValueError("a cache made without a store has no fingerprint to save under")
        parts = {}
        for kind, memo in self._memo.items():
            if memo.matches is not None:  # this kind was screened (its result columns are known)
                parts[kind] = (
                    memo.screened.height,
                    _parquet(memo.screened),
                    _parquet(memo.matches),
                )
        store.save_screening_results(self.fingerprint, run_id, parts, KEEP_FINGERPRINTS)

    def match_names(self, queries: pl.DataFrame, threshold: float | None = None) -> pl.DataFrame:
        return self._match("name", "name", queries, threshold, self.index.match_names)

    def match_addresses(
        self, queries: pl.DataFrame, threshold: float | None = None
    ) -> pl.DataFrame:
        return self._match("address", "address", queries, threshold, self.index.match_addresses)

    def _match(
        self,
        kind: str,
        column: str,
        queries: pl.DataFrame,
        threshold: float | None,
        method: Callable[..., pl.DataFrame],
    ) -> pl.DataFrame:
        if threshold != self.threshold or "country" in queries.columns:
            # A result depends on the threshold and on a query's country: only the plain
            # case the cache was made for is memoised.
            return method(queries, threshold=threshold)
        memo = self._memo[kind]
        text_col = KINDS[kind]
        texts = queries.select(pl.col(column).cast(pl.String).alias("text")).drop_nulls().unique()
        first_asked = texts.join(memo.seen, on="text", how="anti")
        new = first_asked.join(memo.screened, on="text", how="anti")
        self.counts.reused_in_run[kind] += texts.height - first_asked.height
        self.counts.reused_from_store[kind] += first_asked.join(
            memo.stored, on="text", how="semi"
        ).height
        self.counts.screened[kind] += new.height
        memo.seen = pl.concat([memo.seen, first_asked])
        if new.height or memo.matches is None:
            found = method(
                new.select(pl.col("text").alias("query_id"), pl.col("text").alias(column)),
                threshold=threshold,
            )
            found = found.drop("query_id")
            memo.matches = (
                found
                if memo.matches is None or memo.matches.width == 0
                else pl.concat([memo.matches, found], how="vertical_relaxed")
            )
            memo.screened = pl.concat([memo.screened, new])
        assert memo.matches is not None
        ordered = queries.select(
            pl.col("query_id").cast(pl.String), pl.col(column).cast(pl.String).alias(text_col)
        ).with_row_index("query_order")
        rows = ordered.join(memo.matches, on=text_col, how="inner")
        columns = ["query_id", *memo.matches.columns]
        return rows.sort(
            ["query_order", "score"], descending=[False, True], maintain_order=True
        ).select(columns)
