"""Reads a tenants, usage or access file (CSV, Parquet or JSON Lines) into its canonical table.

Every value is checked against the schema in `auditor.model.schema`; a bad value is reported
with the file, the row as a person would count it (CSV: the line number, header = line 1;
JSON Lines: the line number; Parquet: the 1-based row), the column and what was expected.
All problems in a file are gathered before raising, up to a cap, so one run shows them all.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from auditor.errors import InputError, Problem, SourceLocation, display_path
from auditor.jsonlines import parse_json_lines
from auditor.model.schema import NON_EMPTY, UTC_DATETIME, Kind, TableSchema

MAX_PROBLEMS_PER_FILE = 20
LIST_SEPARATOR = ";"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def detect_format(path: Path) -> str:
    if path.is_dir():
        if not any(path.glob("*.parquet")):
            raise InputError("folder has no *.parquet files; expected a file or a folder of Parquet parts", location=SourceLocation(display_path(path)))
        return "parquet"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the file format from the extension '{path.suffix}'; expected one of {', '.join(sorted(FORMATS))}",
            location=SourceLocation(display_path(path)),
        )
    return fmt


def read_raw(path: Path, fmt: str) -> tuple[pl.DataFrame, int]:
    """Reads a file without interpreting values; returns the frame and the offset from row index to the row a user sees."""
    shown = display_path(path)
    if not path.exists():
        raise InputError("file not found", location=SourceLocation(shown))
    if path.is_file() and path.stat().st_size == 0:
        raise InputError("file is empty; expected a header line with column names", location=SourceLocation(shown))
    try:
        if fmt == "csv":
            frame = pl.read_csv(path, infer_schema=False, raise_if_empty=True)
            return frame, 2
        if fmt == "jsonl":
            frame = pl.read_ndjson(path, infer_schema_length=None)
            return frame, 1
        # A folder is read as the concatenation of its Parquet parts, in name order.
        return pl.read_parquet(path / "*.parquet" if path.is_dir() else path), 1
    except pl.exceptions.NoDataError:
        raise InputError("file has no rows or header", location=SourceLocation(shown)) from None
    except (pl.exceptions.ComputeError, pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if fmt == "jsonl":  # Polars does not say which line; find it, so the user can fix it
            parse_json_lines(path.read_text(encoding="utf-8", errors="replace"), shown)
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read as {fmt}: {first_line}", location=SourceLocation(shown)) from None


def _as_text(series_expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        return series_expr
    if isinstance(dtype, pl.List):
        return series_expr.cast(pl.List(pl.String)).list.join(LIST_SEPARATOR)
    return series_expr.cast(pl.String)


def parse_datetime(text: pl.Expr) -> pl.Expr:
    """ISO 8601 date or date-time; naive values are taken as UTC, offsets are converted to UTC."""
    t = text.str.strip_chars().str.replace(r"^(\d{4}-\d{2}-\d{2})$", "${1}T00:00:00")
    t = t.str.replace(" ", "T", literal=True).str.replace(r"[zZ]$", "+00:00")
    t = pl.when(t.str.contains(r"([+-]\d{2}:?\d{2})$")).then(t).otherwise(t + "+00:00")
    return t.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC", time_unit="us")


def _convert(column, raw: pl.Expr, raw_dtype: pl.DataType) -> tuple[pl.Expr, str]:
    """Expression turning the raw column into the schema type (null where invalid) and the expectation text."""
    if column.kind is Kind.DATETIME and isinstance(raw_dtype, pl.Datetime):
        expr = raw.dt.replace_time_zone("UTC") if raw_dtype.time_zone is None else raw.dt.convert_time_zone("UTC")
        return expr.cast(UTC_DATETIME), "an ISO 8601 date-time"
    if column.kind is Kind.DATETIME and isinstance(raw_dtype, pl.Date):
        return raw.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"), "an ISO 8601 date-time"
    if column.kind is Kind.LIST and isinstance(raw_dtype, pl.List):
        return raw.cast(pl.List(pl.String)).list.eval(pl.element().str.strip_chars()).list.eval(
            pl.element().filter(pl.element() != "")
        ), "a list of text"
    if column.kind is Kind.BOOLEAN and raw_dtype == pl.Boolean:
        return raw, "true or false"
    if column.kind is Kind.INTEGER and raw_dtype.is_integer():
        return raw.cast(pl.Int64), "a whole number"

    text = _as_text(raw, raw_dtype).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if column.kind is Kind.TEXT:
        return text, "text"
    if column.kind is Kind.ENUM:
        lowered = text.str.to_lowercase()
        return pl.when(lowered.is_in(list(column.choices))).then(lowered), "one of " + ", ".join(column.choices)
    if column.kind is Kind.LIST:
        parts = text.str.split(LIST_SEPARATOR).list.eval(pl.element().str.strip_chars())
        return parts.list.eval(pl.element().filter(pl.element() != "")), f"a '{LIST_SEPARATOR}'-separated list"
    if column.kind is Kind.BOOLEAN:
        lowered = text.str.to_lowercase()
        return (
            pl.when(lowered.is_in(TRUE_WORDS)).then(True).when(lowered.is_in(FALSE_WORDS)).then(False),
            "true or false",
        )
    if column.kind is Kind.INTEGER:
        return text.cast(pl.Int64, strict=False), "a whole number"
    if column.kind is Kind.DATETIME:
        return parse_datetime(text), "an ISO 8601 date-time such as 2026-03-01T12:00:00Z"
    raise AssertionError(column.kind)


def coerce_table(raw: pl.DataFrame, schema: TableSchema, source: str, row_offset: int) -> pl.DataFrame:
    """Checks and converts a raw frame to the canonical table; raises InputError listing every bad value."""
    problems: list[Problem] = []
    missing = [name for name in schema.required if name not in raw.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    SourceLocation(source, line=1 if row_offset == 2 else None),
                    f"required column missing; the {schema.name} table needs {', '.join(schema.required)} "
                    f"(found: {', '.join(raw.columns) or 'none'})",
                    subject=f"column '{name}'",
                )
                for name in missing
            ]
        )

    exprs, checks = [], []
    for column in schema.columns:
        if column.name not in raw.columns:
            exprs.append(pl.lit(None, dtype=column.dtype).alias(column.name))
            continue
        raw_dtype = raw.schema[column.name]
        converted, expected = _convert(column, pl.col(column.name), raw_dtype)
        exprs.append(converted.alias(column.name))
        raw_text = _as_text(pl.col(column.name), raw_dtype).cast(pl.String).str.strip_chars()
        present = (raw_text.is_not_null() & (raw_text != "")).fill_null(False)
        if column.name in NON_EMPTY.get(schema.name, ()):
            checks.append((column.name, ~present, "a value (this column may not be empty)"))
        checks.append((column.name, present & converted.is_null(), expected))

    if checks:
        flagged = raw.with_row_index("__row").select(
            "__row",
            *[bad.fill_null(False).alias(f"bad__{i}") for i, (_, bad, _) in enumerate(checks)],
            *[_as_text(pl.col(name), raw.schema[name]).alias(f"raw__{name}") for name in dict.fromkeys(n for n, _, _ in checks)],
        )
        for i, (name, _, expected) in enumerate(checks):
            bad_rows = flagged.filter(pl.col(f"bad__{i}")).select("__row", f"raw__{name}").head(MAX_PROBLEMS_PER_FILE)
            for row, value in bad_rows.iter_rows():
                shown = "an empty value" if value is None or value.strip() == "" else f"'{_clip(value)}'"
                problems.append(
                    Problem(
                        SourceLocation(source, row=row + row_offset),
                        f"expected {expected}, got {shown}",
                        subject=f"column '{name}'",
                    )
                )
    if problems:
        raise InputError(problems[:MAX_PROBLEMS_PER_FILE])

    table = raw.select(exprs)
    if schema.unique_key:
        dupes = (
            table.with_row_index("__row")
            .filter(pl.col(schema.unique_key).is_duplicated())
            .group_by(schema.unique_key)
            .agg(pl.col("__row").sort())
            .sort(pl.col("__row").list.first())
            .head(MAX_PROBLEMS_PER_FILE)
        )
        if dupes.height:
            raise InputError(
                [
                    Problem(
                        SourceLocation(source, row=rows[1] + row_offset),
                        f"duplicate value '{_clip(key)}' (first seen at row {rows[0] + row_offset}); expected unique values",
                        subject=f"column '{schema.unique_key}'",
                    )
                    for key, rows in dupes.iter_rows()
                ]
            )
    return table


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def read_table(path: str | Path, schema: TableSchema) -> tuple[pl.DataFrame, list[str]]:
    """Loads one user file as the given canonical table, with the column names the file actually had."""
    path = Path(path)
    fmt = detect_format(path)
    raw, offset = read_raw(path, fmt)
    if raw.width == 0:
        raise InputError("file has no columns", location=SourceLocation(display_path(path)))
    return coerce_table(raw, schema, display_path(path), offset), raw.columns


def load_table(path: str | Path, schema: TableSchema) -> pl.DataFrame:
    """Loads one user file as the given canonical table, or raises a located InputError."""
    return read_table(path, schema)[0]
