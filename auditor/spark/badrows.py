"""Rows that parse but cannot be true, set aside on Spark exactly as `model.badrows` does on Polars.

A run ending before it starts, an event dated after the reference time (plus a day), the
same (instance_id, start) twice: each is excluded and reported with how many and the first
few rows. The checks cost one aggregation pass, plus one grouping pass for repeated runs;
only a table with bad rows pays for the numbering pass that names them. Of a repeated
run the first row in read order is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import reduce
from typing import TYPE_CHECKING, Any

from auditor.model.badrows import (
    DUPLICATE,
    END_BEFORE_START,
    EXAMPLES_PER_REASON,
    FUTURE,
    FUTURE_TOLERANCE,
    Exclusion,
)
from auditor.spark.read import ROW, SparkTable, with_row_numbers

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
TIME_COLUMNS = ("start", "end", "timestamp")


def _predicates(table: str, names: list[str], limit: datetime) -> list[tuple[str, str, Any]]:
    """(reason, message, row is bad), most specific first: the wording of `model.badrows`."""
    from pyspark.sql import functions as F

    found: list[tuple[str, str, Any]] = []
    if table == "usage" and "start" in names and "end" in names:
        found.append(
            (
                END_BEFORE_START,
                "the run ends before it starts, so its length is unknown; not counted",
                F.col("end") < F.col("start"),
            )
        )
    times = [c for c in (("start", "end") if table == "usage" else ("timestamp",)) if c in names]
    if times:
        bound = F.lit(micros(limit))
        later = [F.coalesce(F.unix_micros(F.col(c)) > bound, F.lit(False)) for c in times]
        found.append(
            (
                FUTURE,
                f"dated after {limit.replace(microsecond=0).isoformat()} (when the data was collected, or the clock, plus a day); not counted and not used as the audit's clock",
                reduce(lambda a, b: a | b, later),
            )
        )
    return found


def exclude_bad_rows(
    table: SparkTable, name: str, reference: datetime | None = None
) -> tuple[DataFrame, tuple[Exclusion, ...], datetime | None, int]:
    """(kept rows, what was set aside, latest time among the kept rows, rows kept)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    frame = table.frame
    given = table.columns
    limit = (reference or datetime.now(timezone.utc)) + FUTURE_TOLERANCE
    checks = _predicates(name, given, limit)
    bad_any = reduce(
        lambda a, b: a | b, [F.coalesce(p, F.lit(False)) for _, _, p in checks], F.lit(False)
    )
    times = [c for c in ("start", "end", "timestamp") if c in given and c in frame.columns]
    stats = frame.agg(
        *[F.sum(F.coalesce(p, F.lit(False)).cast("long")).alias(r) for r, _, p in checks],
        *[F.max(F.when(~bad_any, F.unix_micros(F.col(c)))).alias(f"max:{c}") for c in times],
    ).first()
    assert stats is not None
    found = stats.asDict()
    latest_values = [v for k, v in found.items() if k.startswith("max:") and v is not None]
    latest = from_micros(max(latest_values)) if latest_values else None
    keyed = name == "usage" and "instance_id" in given and "start" in given
    dupes = keyed and bool(
        frame.filter(F.col("instance_id").isNotNull() & F.col("start").isNotNull())
        .groupBy("instance_id", "start")
        .count()
        .filter(F.col("count") > 1)
        .limit(1)
        .count()
    )
    if not dupes and not any(found.get(r) for r, _, _ in checks):
        return frame, (), latest, table.rows

    numbered = with_row_numbers(frame)
    labelled = [(r, m, F.coalesce(p, F.lit(False))) for r, m, p in reversed(checks)]
    if dupes:
        first = F.row_number().over(Window.partitionBy("instance_id", "start").orderBy(ROW))
        repeated = F.col("instance_id").isNotNull() & F.col("start").isNotNull() & (first > 1)
        labelled.append(
            (
                DUPLICATE,
                "the same instance_id and start as an earlier row: the run is counted once",
                repeated,
            )
        )
    reason = F.lit(None).cast("string")
    for r, _, predicate in labelled:  # applied last-to-first, so the first reason wins
        reason = F.when(predicate, F.lit(r)).otherwise(reason)
    marked = numbered.withColumn("__reason", reason).cache()
    counts = {row["__reason"]: row["count"] for row in marked.groupBy("__reason").count().collect()}
    shown = [c for c in ("tenant_id", "instance_id", "start", "end", "timestamp") if c in given]
    exclusions = []
    for r, message, _ in reversed(labelled):
        if not counts.get(r):
            continue
        rows = marked.filter(F.col("__reason") == r).orderBy(ROW).limit(EXAMPLES_PER_REASON)
        examples = tuple(
            {
                "row": row[ROW] + table.row_offset,
                **{c: _shown(row[c], c) for c in dict.fromkeys(shown)},
            }
            for row in rows.select(
                ROW, *[_as_micros(c, given) for c in dict.fromkeys(shown)]
            ).collect()
        )
        exclusions.append(Exclusion(name, r, message, counts[r], examples, table.source))
    kept = marked.filter(F.col("__reason").isNull()).drop("__reason", ROW)
    excluded = sum(n for r, n in counts.items() if r is not None)
    return kept, tuple(exclusions), latest, table.rows - excluded


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware instant, exactly (no float)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    """A Spark timestamp read as microseconds: pyspark's own conversion uses the local zone."""
    return EPOCH + timedelta(microseconds=value)


def _as_micros(name: str, given: list[str]) -> Any:
    from pyspark.sql import functions as F

    return F.unix_micros(F.col(name)).alias(name) if name in TIME_COLUMNS else F.col(name)


def _shown(value: Any, name: str) -> Any:
    return from_micros(value).isoformat() if name in TIME_COLUMNS and value is not None else value
