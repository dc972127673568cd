"""Reads the usage or sign-in table into Spark in its canonical shape, checking every value.

The same checks as the Polars loader (`model.load`): required columns, values that do not
parse as their column's type, empty required values, accelerator counts out of range --
each reported with the file, the row as a person counts it (CSV: the line, header = 1;
Parquet: the 1-based row), the column and what was expected. Text is read as Polars reads
it: CSV cells trimmed and empty ones null, Parquet text as written.

Row numbers cost a numbering pass (`zipWithIndex`), so they are computed only when a
table has bad values. For a folder of parts, rows are numbered in the order Spark lists
the parts; the examples also carry the row's tenant and times, which do not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import ConfigError, InputError, Problem, SourceLocation, display_path
from auditor.model.load import MAX_PROBLEMS_PER_FILE, detect_format
from auditor.model.schema import NON_EMPTY, Column, Kind, TableSchema

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame, SparkSession

ROW = "__row"
# Java's \s is ASCII only; (?U) makes it Unicode whitespace, as Polars' strip_chars.
_EDGE_SPACE = r"(?U)^\s+|\s+$"


@dataclass(frozen=True)
class SparkTable:
    """A checked table: its canonical columns (lazy on the cluster), row count and given columns."""

    frame: DataFrame
    raw: DataFrame  # as read, for numbering rows in messages
    rows: int
    columns: list[str]
    source: str  # as shown to users
    row_offset: int  # row index + this = the row a user sees


def table_format(location: str, chosen: str) -> str:
    """parquet, csv, delta or iceberg: as chosen, else by the location's name and contents."""
    if chosen != "auto":
        return chosen
    if "://" not in location and not location.startswith("dbfs:"):
        path = Path(location)
        if path.is_dir() and (path / "_delta_log").is_dir():
            return "delta"
        if path.is_dir() and (path / "metadata").is_dir() and not any(path.glob("*.parquet")):
            return "iceberg"
        fmt = detect_format(path)
        if fmt not in ("parquet", "csv"):
            raise ConfigError(
                f"{location}: the Spark engine reads Parquet, CSV, Delta and Iceberg tables, not {fmt}; "
                "convert it, or use the Polars engine"
            )
        return fmt
    return "csv" if location.lower().endswith(".csv") else "parquet"


def read_raw(spark: SparkSession, location: str, fmt: str) -> DataFrame:
    reader = spark.read
    # RFC 4180 quoting (a doubled quote inside quotes), every cell as text. One record a line,
    # so a large file splits across the cluster: a cell with a line break needs Parquet.
    if fmt == "csv":
        return (
            reader.option("header", True)
            .option("escape", '"')
            .option("inferSchema", False)
            .csv(location)
        )
    if fmt == "parquet":
        return reader.parquet(location)
    return reader.format(fmt).load(location)


def _text(raw: SparkColumn, typed_string: bool) -> SparkColumn:
    from pyspark.sql import functions as F

    if typed_string:
        return F.when(F.length(raw) > 0, raw)
    trimmed = F.regexp_replace(raw.cast("string"), _EDGE_SPACE, "")
    return F.when(trimmed != "", trimmed)


def _datetime_text(text: SparkColumn) -> SparkColumn:
    """ISO 8601 as `model.load.parse_datetime` reads it: a date is midnight, no offset is UTC."""
    from pyspark.sql import functions as F

    t = F.regexp_replace(text, r"^(\d{4}-\d{2}-\d{2})$", "$1T00:00:00")
    t = F.regexp_replace(F.regexp_replace(t, " ", "T"), "[zZ]$", "+00:00")
    t = F.regexp_replace(t, r"([+-]\d{2})(\d{2})$", "$1:$2")
    t = F.when(t.rlike(r"[+-]\d{2}:\d{2}$"), t).otherwise(F.concat(t, F.lit("+00:00")))
    shaped = t.rlike(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?[+-]\d{2}:\d{2}$")
    return F.when(shaped, F.try_to_timestamp(t, F.lit("yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS]XXX")))


def convert(column: Column, raw: SparkColumn, raw_type: str, typed: bool) -> tuple[Any, str]:
    """(canonical value or null, what was expected) for one column; mirrors `model.load._convert`."""
    from pyspark.sql import functions as F

    is_string = raw_type == "string"
    if column.kind is Kind.DATETIME:
        expected = "an ISO 8601 date-time such as 2026-03-01T12:00:00Z"
        if raw_type in (
            "timestamp",
            "timestamp_ntz",
            "date",
        ):  # naive values are UTC (session zone)
            return raw.cast("timestamp"), "an ISO 8601 date-time"
        return _datetime_text(_text(raw, False)), expected
    if column.kind is Kind.INTEGER:
        if raw_type in ("tinyint", "smallint", "int", "bigint"):
            return raw.cast("bigint"), "a whole number"
        text = _text(raw, False)
        # Digits only, and few enough to fit: a plain cast then never fails (ANSI mode or not).
        return F.when(text.rlike(r"^[+-]?\d{1,18}$"), text.cast("bigint")), "a whole number"
    if column.kind is Kind.ENUM:
        text = _text(raw, typed and is_string)
        lowered = F.lower(text)
        choices = list(column.choices)
        return F.when(lowered.isin(choices), lowered), "one of " + ", ".join(choices)
    if column.kind is Kind.TEXT:
        return _text(raw, typed and is_string), "text"
    raise AssertionError(f"{column.kind} is not a usage or sign-in column kind")


def _present(raw: SparkColumn, raw_type: str, typed: bool) -> SparkColumn:
    from pyspark.sql import functions as F

    if raw_type != "string":
        return raw.isNotNull()
    if typed:
        return F.coalesce(F.length(raw) > 0, F.lit(False))
    return _text(raw, False).isNotNull()


def read_table(spark: SparkSession, location: str, schema: TableSchema, chosen: str) -> SparkTable:
    """The checked canonical table, or an InputError listing each bad value with its row."""
    from pyspark.sql import functions as F

    fmt = table_format(location, chosen)
    source = (
        location if "://" in location or location.startswith("dbfs:") else display_path(location)
    )
    offset = 2 if fmt == "csv" else 1
    try:
        raw = read_raw(spark, location, fmt)
    except Exception as exc:  # noqa: BLE001 - Spark raises its own analysis errors for missing files
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"cannot read as {fmt}: {first[:200]}", location=SourceLocation(source)
        ) from None
    types = dict(raw.dtypes)
    missing = [name for name in schema.required if name not in types]
    if missing:
        raise InputError(
            [
                Problem(
                    SourceLocation(source, line=1 if fmt == "csv" else None),
                    f"required column missing; the {schema.name} table needs {', '.join(schema.required)} "
                    f"(found: {', '.join(raw.columns) or 'none'})",
                    subject=f"column '{name}'",
                )
                for name in missing
            ]
        )
    typed = fmt != "csv"
    exprs, checks = [], []
    for column in schema.columns:
        spark_type = {Kind.DATETIME: "timestamp", Kind.INTEGER: "bigint"}.get(column.kind, "string")
        if column.name not in types:
            exprs.append(F.lit(None).cast(spark_type).alias(column.name))
            continue
        raw_col = F.col(f"`{column.name}`")
        converted, expected = convert(column, raw_col, types[column.name], typed)
        exprs.append(converted.alias(column.name))
        present = _present(raw_col, types[column.name], typed)
        if column.name in NON_EMPTY.get(schema.name, ()):
            checks.append((column.name, ~present, "a value (this column may not be empty)"))
        if column.kind is not Kind.TEXT or types[column.name] != "string":
            checks.append((column.name, present & converted.isNull(), expected))
        if column.bounds is not None:
            low, high = column.bounds
            checks.append(
                (
                    column.name,
                    (converted < low) | (converted > high),
                    f"a whole number from {low} to {high}",
                )
            )
    stats = raw.agg(
        F.count(F.lit(1)).alias("rows"),
        *[
            F.sum(F.coalesce(bad, F.lit(False)).cast("long")).alias(f"bad{i}")
            for i, (_, bad, _) in enumerate(checks)
        ],
    ).first()
    assert stats is not None
    if any(stats[f"bad{i}"] for i in range(len(checks))):
        raise InputError(
            _problems(raw, checks, [stats[f"bad{i}"] for i in range(len(checks))], source, offset)
        )
    return SparkTable(
        raw.select(*exprs), raw, int(stats["rows"]), list(raw.columns), source, offset
    )


def with_row_numbers(frame: DataFrame) -> DataFrame:
    """The frame with its 0-based row index in read order: a pass of its own, for messages only."""
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([*frame.schema.fields, StructField(ROW, LongType(), False)])
    numbered = frame.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1]))
    return frame.sparkSession.createDataFrame(numbered, schema)


def _problems(
    raw: DataFrame, checks: list[tuple[str, Any, str]], counts: list[int], source: str, offset: int
) -> list[Problem]:
    from pyspark.sql import functions as F

    numbered = with_row_numbers(raw)
    problems: list[Problem] = []
    for (name, bad, expected), count in zip(checks, counts):
        if not count or len(problems) >= MAX_PROBLEMS_PER_FILE:
            continue
        rows = (
            numbered.filter(F.coalesce(bad, F.lit(False)))
            .select(ROW, F.col(f"`{name}`").cast("string").alias("value"))
            .orderBy(ROW)
            .limit(MAX_PROBLEMS_PER_FILE)
            .collect()
        )
        for row in rows:
            value = row["value"]
            shown = (
                "an empty value" if value is None or value.strip() == "" else f"'{_clip(value)}'"
            )
            problems.append(
                Problem(
                    SourceLocation(source, row=row[ROW] + offset),
                    f"expected {expected}, got {shown}",
                    subject=f"column '{name}'",
                )
            )
    problems.sort(key=lambda p: (p.location.row if p.location else None) or 0)
    return problems[:MAX_PROBLEMS_PER_FILE]


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
