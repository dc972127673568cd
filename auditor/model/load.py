"""Reads a tenants, usage or access file (CSV, Parquet or JSON Lines) into its canonical table.

Every value is checked against the schema in `auditor.model.schema`; a bad value is reported
with the file, the row as a person would count it (CSV: the line number, header = line 1;
JSON Lines: the line number; Parquet: the 1-based row), the column and what was expected.
All problems in a file are gathered before raising, up to a cap, so one run shows them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from auditor.errors import InputError, Problem, SourceLocation, display_path
from auditor.jsonlines import parse_json_lines
from auditor.model.filecheck import check_structure, ragged_csv_rows, unreadable_columns
from auditor.model.schema import NON_EMPTY, UTC_DATETIME, Kind, TableSchema

MAX_PROBLEMS_PER_FILE = 20
# One cell may not make the program hold unbounded data: a KYC field is at most a few
# kilobytes, and no legal entity has thousands of aliases or officers.
MAX_CELL_BYTES = 1 << 20
MAX_LIST_ITEMS = 1_000
LIST_SEPARATOR = ";"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")

FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def detect_format(path: Path) -> str:
    if path.is_dir():
        if not any(path.glob("*.parquet")):
            raise InputError(
                "folder has no *.parquet files; expected a file or a folder of Parquet parts",
                location=SourceLocation(display_path(path)),
            )
        return "parquet"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the file format from the extension '{path.suffix}'; expected one of {', '.join(sorted(FORMATS))}",
            location=SourceLocation(display_path(path)),
        )
    return fmt


def scan_raw(path: Path, fmt: str) -> tuple[pl.LazyFrame, int]:
    """A lazy scan of a file without interpreting values, and the offset from row index to the row a user sees.

    Nothing is read here: large usage tables are checked and aggregated in streaming passes,
    never held whole in memory.
    """
    shown = display_path(path)
    if not path.exists():
        raise InputError("file not found", location=SourceLocation(shown))
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(
            "file is empty; expected a header line with column names",
            location=SourceLocation(shown),
        )
    try:
        if fmt == "csv":
            return pl.scan_csv(path, infer_schema=False, raise_if_empty=True), 2
        if fmt == "jsonl":
            return pl.scan_ndjson(path, infer_schema_length=None), 1
        # A folder is read as the concatenation of its Parquet parts, in name order.
        return pl.scan_parquet(path / "*.parquet" if path.is_dir() else path), 1
    except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
        raise read_failure(path, fmt, exc) from None


def read_failure(
    path: Path,
    fmt: str,
    exc: BaseException,
    raw: pl.LazyFrame | None = None,
    columns: list[str] | None = None,
) -> InputError:
    """The error for a file the reader could not parse, located as precisely as the format allows."""
    shown = display_path(path)
    if isinstance(exc, pl.exceptions.NoDataError):
        return InputError("file has no rows or header", location=SourceLocation(shown))
    if (
        fmt == "jsonl" and path.is_file()
    ):  # Polars does not say which line; find it, so the user can fix it
        try:
            parse_json_lines(path.read_text(encoding="utf-8", errors="replace"), shown)
        except InputError as located:
            return located
    if fmt == "csv" and path.is_file():  # nor which row has too many fields
        ragged = ragged_csv_rows(path, shown)
        if ragged is not None:
            return ragged
    if fmt == "parquet" and raw is not None and columns:  # nor which column is corrupt
        located_columns = unreadable_columns(raw, columns, shown, fmt)
        if located_columns is not None:
            return located_columns
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(
        f"cannot read as {fmt}: {_clip(first_line, 200)}", location=SourceLocation(shown)
    )


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
    return t.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC", time_unit="us"
    )


def _convert(
    column, raw: pl.Expr, raw_dtype: pl.DataType, typed: bool = False
) -> tuple[pl.Expr, str]:
    """Expression turning the raw column into the schema type (null where invalid) and the expectation text.

    `typed` files (Parquet) carry their own types: their text is taken as written, without
    the per-row trimming that CSV text needs -- on a hundred million rows that matters.
    """
    if typed and raw_dtype == pl.String and column.kind is Kind.TEXT:
        return pl.when(raw.str.len_bytes() > 0).then(raw), "text"
    if typed and raw_dtype == pl.String and column.kind is Kind.ENUM:
        # (replace_strict would be shorter, but it is not streamed: gigabytes on a large table)
        choices = list(column.choices)
        lowered = (
            pl.when(raw.is_in(choices)).then(raw).otherwise(raw.str.to_lowercase())
        )  # lower-case only what needs it
        return pl.when(lowered.is_in(choices)).then(lowered), "one of " + ", ".join(choices)
    if column.kind is Kind.DATETIME and isinstance(raw_dtype, pl.Datetime):
        expr = (
            raw.dt.replace_time_zone("UTC")
            if raw_dtype.time_zone is None
            else raw.dt.convert_time_zone("UTC")
        )
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
    if column.kind is Kind.NUMBER and raw_dtype.is_numeric():
        return raw.cast(pl.Float64), "a number"

    text = _as_text(raw, raw_dtype).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if column.kind is Kind.TEXT:
        return text, "text"
    if column.kind is Kind.ENUM:
        lowered = text.str.to_lowercase()
        return pl.when(lowered.is_in(list(column.choices))).then(lowered), "one of " + ", ".join(
            column.choices
        )
    if column.kind is Kind.LIST:
        parts = text.str.split(LIST_SEPARATOR).list.eval(pl.element().str.strip_chars())
        return parts.list.eval(
            pl.element().filter(pl.element() != "")
        ), f"a '{LIST_SEPARATOR}'-separated list"
    if column.kind is Kind.BOOLEAN:
        lowered = text.str.to_lowercase()
        return (
            pl.when(lowered.is_in(TRUE_WORDS))
            .then(True)
            .when(lowered.is_in(FALSE_WORDS))
            .then(False),
            "true or false",
        )
    if column.kind is Kind.INTEGER:
        return text.cast(pl.Int64, strict=False), "a whole number"
    if column.kind is Kind.DATETIME:
        return parse_datetime(text), "an ISO 8601 date-time such as 2026-03-01T12:00:00Z"
    if column.kind is Kind.NUMBER:
        return text.str.strip_suffix("%").str.strip_chars().cast(
            pl.Float64, strict=False
        ), "a number such as 30 or 12.5"
    raise AssertionError(column.kind)


@dataclass(frozen=True)
class ScannedTable:
    """A checked table: lazy (re-read on demand, never held whole), with its row count and given columns."""

    frame: pl.LazyFrame
    rows: int
    columns: list[str]  # the columns the file actually had
    stats: dict[
        str, object
    ]  # per-column aggregates gathered in the checking pass (e.g. max of datetimes)


def _checks(
    schema: TableSchema, raw_schema: pl.Schema, typed: bool
) -> tuple[list[pl.Expr], list[tuple[str, pl.Expr, str]]]:
    """Conversion expressions for every schema column and (column, bad-row predicate, expectation) checks."""
    exprs, checks = [], []
    for column in schema.columns:
        if column.name not in raw_schema:
            exprs.append(pl.lit(None, dtype=column.dtype).alias(column.name))
            continue
        raw_dtype = raw_schema[column.name]
        converted, expected = _convert(column, pl.col(column.name), raw_dtype, typed)
        exprs.append(converted.alias(column.name))
        native = raw_dtype != pl.String
        if native:
            present = pl.col(column.name).is_not_null()
        elif typed:
            present = (pl.col(column.name).str.len_bytes() > 0).fill_null(False)
        else:
            stripped = pl.col(column.name).str.strip_chars()
            present = (stripped.is_not_null() & (stripped != "")).fill_null(False)
        if column.name in NON_EMPTY.get(schema.name, ()):
            checks.append((column.name, ~present, "a value (this column may not be empty)"))
        if column.kind is not Kind.TEXT or native:  # free text cannot be malformed
            checks.append((column.name, present & converted.is_null(), expected))
        if column.bounds is not None:
            low, high = column.bounds
            checks.append(
                (
                    column.name,
                    (converted < low) | (converted > high),
                    f"a whole number from {low} to {high}",
                )
            )
        if (
            not schema.in_memory
        ):  # streamed tables are aggregated, never held whole: no caps, no extra cost
            continue
        if raw_dtype == pl.String or column.kind in (Kind.TEXT, Kind.LIST):
            size = (
                pl.col(column.name).str.len_bytes()
                if raw_dtype == pl.String
                else _as_text(pl.col(column.name), raw_dtype).str.len_bytes()
            )
            checks.append(
                (
                    column.name,
                    size > MAX_CELL_BYTES,
                    f"at most {MAX_CELL_BYTES:,} bytes in one cell",
                )
            )
        if column.kind is Kind.LIST:
            checks.append(
                (
                    column.name,
                    converted.list.len() > MAX_LIST_ITEMS,
                    f"at most {MAX_LIST_ITEMS:,} items in one list",
                )
            )
    return exprs, checks


def coerce_lazy(
    raw: pl.LazyFrame,
    schema: TableSchema,
    source: str,
    row_offset: int,
    path: Path,
    fmt: str,
    extra_stats: Callable[[list[str]], list[pl.Expr]] | None = None,
) -> ScannedTable:
    """Checks every value in one streaming pass; raises InputError listing each bad value with its row.

    `extra_stats` gives more aggregates over the checked columns (named as the schema), for
    the same pass: the next check (model.badrows) then reads no row again. They land in
    `stats["extra"]`.
    """
    try:
        raw_schema = raw.collect_schema()
    except Exception as exc:  # noqa: BLE001
        raise read_failure(path, fmt, exc) from None
    check_structure(path, fmt, source)
    missing = [name for name in schema.required if name not in raw_schema]
    if missing:
        raise InputError(
            [
                Problem(
                    SourceLocation(source, line=1 if row_offset == 2 else None),
                    f"required column missing; the {schema.name} table needs {', '.join(schema.required)} "
                    f"(found: {', '.join(raw_schema.names()) or 'none'})",
                    subject=f"column '{name}'",
                )
                for name in missing
            ]
        )
    exprs, checks = _checks(schema, raw_schema, typed=fmt == "parquet")
    # One pass: each row's check flags and its converted values side by side, then aggregated.
    flagged = raw.select(
        *[bad.fill_null(False).alias(f"__bad{i}") for i, (_, bad, _) in enumerate(checks)],
        *exprs,
    )
    extra = extra_stats(list(schema.names)) if extra_stats is not None else []
    stat_exprs = [
        pl.len().alias("__rows"),
        *[pl.col(f"__bad{i}").sum() for i in range(len(checks))],
        *[
            pl.col(c.name).max().alias(f"__max:{c.name}")
            for c in schema.columns
            if c.kind is Kind.DATETIME and c.name in raw_schema
        ],
        *[e.name.prefix("__extra:") for e in extra],
    ]
    given = [name for name in schema.names if name in raw_schema]
    try:
        stats = flagged.select(stat_exprs).collect(engine="streaming").row(0, named=True)
    except Exception as exc:  # noqa: BLE001 - a malformed file surfaces when first read
        raise read_failure(path, fmt, exc, raw, given) from None

    problems: list[Problem] = []
    for i, (name, bad, expected) in enumerate(checks):
        if not stats[f"__bad{i}"] or len(problems) >= MAX_PROBLEMS_PER_FILE:
            continue
        rows = (
            raw.with_row_index("__row")
            .filter(bad.fill_null(False))
            .select("__row", _as_text(pl.col(name), raw_schema[name]).alias("__value"))
            .head(MAX_PROBLEMS_PER_FILE)
            .collect()
        )
        for row, value in rows.iter_rows():
            shown = (
                "an empty value" if value is None or value.strip() == "" else f"'{_clip(value)}'"
            )
            problems.append(
                Problem(
                    SourceLocation(source, row=row + row_offset),
                    f"expected {expected}, got {shown}",
                    subject=f"column '{name}'",
                )
            )
    if problems:
        raise InputError(
            sorted(problems, key=lambda p: (p.location.row if p.location else None) or 0)[
                :MAX_PROBLEMS_PER_FILE
            ]
        )
    maxima = {k.removeprefix("__max:"): v for k, v in stats.items() if k.startswith("__max:")}
    extras = {k.removeprefix("__extra:"): v for k, v in stats.items() if k.startswith("__extra:")}
    return ScannedTable(
        raw.select(exprs),
        stats["__rows"],
        raw_schema.names(),
        {"max": maxima, **({"extra": extras} if extra_stats is not None else {})},
    )


def check_unique(table: pl.DataFrame, schema: TableSchema, source: str, row_offset: int) -> None:
    if not schema.unique_key:
        return
    hashes = table.select(pl.col(schema.unique_key).hash()).to_series()
    if hashes.n_unique() == table.height:
        return  # distinct hashes are distinct values: the exact search below only runs when it may find something
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


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def scan_table(
    path: str | Path,
    schema: TableSchema,
    extra_stats: Callable[[list[str]], list[pl.Expr]] | None = None,
) -> ScannedTable:
    """Checks one user file as the given canonical table and returns it lazily, or raises a located InputError."""
    path = Path(path)
    fmt = detect_format(path)
    raw, offset = scan_raw(path, fmt)
    return coerce_lazy(raw, schema, display_path(path), offset, path, fmt, extra_stats)


def collect_checked(scanned: ScannedTable, path: str | Path, schema: TableSchema) -> pl.DataFrame:
    """A checked table in memory; a column that fails to decode only now (Parquet) is located, not a traceback."""
    try:
        return scanned.frame.collect()
    except Exception as exc:  # noqa: BLE001 - the checking pass did not read this column; the file is broken
        path = Path(path)
        fmt = detect_format(path)
        raw, _ = scan_raw(path, fmt)
        raise read_failure(
            path, fmt, exc, raw, [c for c in schema.names if c in scanned.columns]
        ) from None


def read_table(path: str | Path, schema: TableSchema) -> tuple[pl.DataFrame, list[str]]:
    """Loads one user file as the given canonical table in memory, with the column names the file had."""
    scanned = scan_table(path, schema)
    table = collect_checked(scanned, path, schema)
    check_unique(table, schema, display_path(path), 2 if detect_format(Path(path)) == "csv" else 1)
    return table, scanned.columns


def load_table(path: str | Path, schema: TableSchema) -> pl.DataFrame:
    """Loads one user file as the given canonical table, or raises a located InputError."""
    return read_table(path, schema)[0]
