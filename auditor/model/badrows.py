"""Rows that parse but cannot be true: set aside before any stage sees them, counted and shown.

A usage row dated 2099 would become the audit's clock (the default as-of is the latest
event) and drop every real run out of its windows; the same run exported twice would
double a tenant's GPU-hours and its peak; a run that ends before it starts has no length.
Each such row is excluded from the tables the stages read, and reported -- how many, why,
and the first few with their row numbers -- in run.json, the report and the summary, so
the answer never changes silently.

The checks cost one streaming pass (plus, on very large tables, one per partition for
duplicates); only a table that has bad rows pays for the second pass that names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import polars as pl

# An event later than the reference time (the collection's time, else the clock) by more
# than this is in the future: clock skew and local times taken as UTC stay within it.
FUTURE_TOLERANCE = timedelta(days=1)
EXAMPLES_PER_REASON = 5
ROWS_PER_DUPLICATE_PASS = 25_000_000

DUPLICATE = "duplicate_run"
END_BEFORE_START = "end_before_start"
FUTURE = "future_event"


@dataclass(frozen=True)
class Exclusion:
    """One reason rows were set aside, with how many and the first few as the user would find them."""

    table: str
    reason: str
    message: str
    rows: int
    examples: tuple[dict[str, Any], ...]
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "reason": self.reason,
            "message": self.message,
            "rows": self.rows,
            "source": self.source,
            "examples": [dict(e) for e in self.examples],
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Exclusion:
        """The exclusion `to_dict` wrote (an earlier run's, in a reuse bundle)."""
        return cls(
            table=value["table"],
            reason=value["reason"],
            message=value["message"],
            rows=int(value["rows"]),
            examples=tuple(dict(e) for e in value.get("examples") or ()),
            source=value.get("source"),
        )


@dataclass(frozen=True)
class CheckedRows:
    frame: pl.LazyFrame  # the table without the excluded rows
    exclusions: tuple[Exclusion, ...]
    latest_event: datetime | None  # the latest time among the rows kept
    rows: int  # rows kept


def _time_columns(table: str) -> tuple[str, ...]:
    return ("start", "end") if table == "usage" else ("timestamp",)


def _predicates(table: str, names: list[str], limit: datetime) -> list[tuple[str, str, pl.Expr]]:
    """(reason, message, row is bad) for the value checks, most specific first."""
    found: list[tuple[str, str, pl.Expr]] = []
    if table == "usage" and "start" in names and "end" in names:
        found.append(
            (
                END_BEFORE_START,
                "the run ends before it starts, so its length is unknown; not counted",
                pl.col("end") < pl.col("start"),
            )
        )
    times = [c for c in _time_columns(table) if c in names]
    if times:
        future = pl.any_horizontal([pl.col(c) > pl.lit(limit) for c in times])
        found.append(
            (
                FUTURE,
                f"dated after {limit.replace(microsecond=0).isoformat()} (when the data was collected, or the clock, plus a day); not counted and not used as the audit's clock",
                future,
            )
        )
    return found


def _duplicate_key(names: list[str]) -> pl.Expr | None:
    if "instance_id" not in names or "start" not in names:
        return None
    return pl.when(pl.col("instance_id").is_not_null()).then(pl.struct("instance_id", "start"))


def _has_duplicates(frame: pl.LazyFrame, rows: int) -> bool:
    """Whether two rows may share (instance_id, start): one 64-bit hash per row, sorted, adjacent equal.

    Sorting the hashes is about twice as fast as counting distinct ones in a hash set. They
    are read in one pass (8 bytes a row) and, past 25 million rows, sorted a partition at a
    time (equal hashes share a remainder), which bounds the sort's own memory without
    reading the rows again for each partition. A hash collision only costs the exact pass
    that follows, which then finds nothing.
    """
    key = pl.col("instance_id").hash(seed=11) ^ pl.col("start").hash(seed=13)
    partitions = max(1, math.ceil(rows / ROWS_PER_DUPLICATE_PASS))
    hashes = (
        frame.filter(pl.col("instance_id").is_not_null() & pl.col("start").is_not_null())
        .select(key.alias("key"))
        .collect(engine="streaming")
        .get_column("key")
    )
    for i in range(partitions):
        part = (hashes.filter(hashes % partitions == i) if partitions > 1 else hashes).sort()
        if part.len() > 1 and bool((part.head(-1) == part.tail(-1)).any()):
            return True
    return False


def _examples(
    frame: pl.LazyFrame, reason_expr: pl.Expr, reason: str, names: list[str], row_offset: int
) -> tuple[dict[str, Any], ...]:
    shown = [
        c for c in ("tenant_id", "instance_id", *_time_columns("usage"), "timestamp") if c in names
    ]
    rows = (
        frame.with_row_index("__row")
        .filter(reason_expr == reason)
        .head(EXAMPLES_PER_REASON)
        .select("__row", *dict.fromkeys(shown))
        .collect()
    )
    out = []
    for record in rows.iter_rows(named=True):
        row = record.pop("__row") + row_offset
        out.append(
            {
                "row": row,
                **{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in record.items()},
            }
        )
    return tuple(out)


def bad_row_stats(table: str, names: list[str], reference: datetime) -> list[pl.Expr]:
    """The aggregates `exclude_bad_rows` needs (rows per reason, latest time kept), as
    expressions over the table's columns: the file check computes them in its own pass."""
    checks = _predicates(table, names, reference + FUTURE_TOLERANCE)
    bad_any = (
        pl.any_horizontal([p for _, _, p in checks]).fill_null(False) if checks else pl.lit(False)
    )
    times = [c for c in _time_columns(table) if c in names]
    return [
        *[p.fill_null(False).sum().alias(reason) for reason, _, p in checks],
        *[pl.when(~bad_any).then(pl.col(c)).max().alias(f"max:{c}") for c in times],
    ]


def exclude_bad_rows(
    frame: pl.LazyFrame,
    table: str,
    rows: int,
    reference: datetime | None = None,
    source: str | None = None,
    row_offset: int = 1,
    stats: dict[str, Any] | None = None,
) -> CheckedRows:
    """The usage or access table without rows that cannot be true, and what was set aside.

    `stats` are `bad_row_stats` already computed over this frame with the same reference
    (by the file check's pass); without them this costs a pass of its own.
    """
    names = frame.collect_schema().names()
    reference = reference or datetime.now(timezone.utc)
    limit = reference + FUTURE_TOLERANCE
    checks = _predicates(table, names, limit)
    if stats is None:
        stats = (
            frame.select(bad_row_stats(table, names, reference))
            .collect(engine="streaming")
            .row(0, named=True)
        )
    latest = max(
        (v for k, v in stats.items() if k.startswith("max:") and v is not None), default=None
    )
    duplicate_key = _duplicate_key(names) if table == "usage" else None
    dupes = duplicate_key is not None and _has_duplicates(frame, rows)
    if not dupes and not any(stats.get(reason) for reason, _, _ in checks):
        return CheckedRows(frame, (), latest, rows)

    # Some rows are bad: label each row with its first reason (a repeated run first), then report and drop.
    reason_expr = pl.lit(None, dtype=pl.String)
    labelled = [
        (reason, message, predicate.fill_null(False))
        for reason, message, predicate in reversed(checks)
    ]
    if dupes and duplicate_key is not None:
        repeated = duplicate_key.is_not_null() & ~duplicate_key.is_first_distinct()
        labelled.append(
            (
                DUPLICATE,
                "the same instance_id and start as an earlier row: the run is counted once",
                repeated,
            )
        )
    for reason, _, predicate in labelled:  # applied last-to-first, so the first reason wins
        reason_expr = pl.when(predicate).then(pl.lit(reason)).otherwise(reason_expr)
    counted = frame.select(reason_expr.alias("__reason")).group_by("__reason").len().collect()
    by_reason = {reason: n for reason, n in counted.iter_rows() if reason is not None}
    if not by_reason:  # the duplicate hashes collided; nothing is wrong
        return CheckedRows(frame, (), latest, rows)
    exclusions = tuple(
        Exclusion(
            table,
            reason,
            message,
            by_reason[reason],
            _examples(frame, reason_expr, reason, names, row_offset),
            source,
        )
        for reason, message, _ in reversed(labelled)
        if by_reason.get(reason)
    )
    kept = frame.filter(reason_expr.is_null())
    return CheckedRows(kept, exclusions, latest, rows - sum(by_reason.values()))
