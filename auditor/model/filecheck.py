"""A data file's structure, checked before its values: duplicate column names, ragged rows, unreadable columns.

Polars reads a CSV with two `legal_name` columns by renaming the second, and a JSON line
with a key twice by keeping the first; either way one of the user's values is silently
dropped. These checks refuse such files with the column named. When Polars cannot read a
file at all, the helpers here find the row (CSV) or column (Parquet) to point at, since
Polars' own message names neither.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import polars as pl

from auditor.errors import InputError, Problem, SourceLocation

MAX_PROBLEMS = 20
# One JSON string token, with an optional `:` after it (then it is a key). Tokens are
# matched left to right, so a quote inside a string never starts a new token.
_JSON_STRING_TOKEN = r'"(?:[^"\\]|\\.)*"\s*:?'


def _duplicates(names: list[str]) -> list[str]:
    return [name for name, count in Counter(names).items() if count > 1]


def csv_header(path: Path) -> list[str] | None:
    """The header record as the csv module reads it (quotes and all), or None if it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            return next(csv.reader(handle), None)
    except (OSError, csv.Error):
        return None


def check_csv_header(path: Path, shown: str) -> None:
    header = csv_header(path)
    if header is None:
        return
    dupes = _duplicates([h.strip() for h in header])
    if dupes:
        raise InputError(
            [
                Problem(
                    SourceLocation(shown, line=1),
                    "column name appears more than once; each column may appear once",
                    subject=f"column '{d}'",
                )
                for d in dupes
            ]
        )


def check_parquet_columns(path: Path, shown: str) -> None:
    """Refuses a Parquet file whose schema names a column twice, naming every such column.

    Polars reads the footer and refuses a repeated name itself (DuplicateError), which is the
    fast path of every run; only then is pyarrow (with numpy, a quarter second to import)
    asked for the whole list of names.
    """
    parts = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for part in parts[:1] if path.is_dir() else parts:  # parts of one folder share a schema
        try:
            pl.scan_parquet(part).collect_schema()
            continue
        except pl.exceptions.DuplicateError:
            pass
        except Exception:  # noqa: BLE001 - an unreadable footer is reported by the reader itself
            return
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(part).names
        except Exception:  # noqa: BLE001 - an unreadable footer is reported by the reader itself
            return
        dupes = _duplicates(names)
        if dupes:
            raise InputError(
                [
                    Problem(
                        SourceLocation(shown),
                        "column appears more than once; each column may appear once",
                        subject=f"column '{d}'",
                    )
                    for d in dupes
                ]
            )


def check_json_lines_keys(path: Path, shown: str) -> None:
    """Refuses a JSON Lines file in which any line has a key twice, naming the line and key.

    One streaming Polars pass over the lines: the keys of each line are its string tokens
    followed by a colon. The tables' values are scalars or lists of strings, so every key
    is a top-level key.
    """
    keys = (
        pl.col("line")
        .str.extract_all(_JSON_STRING_TOKEN)
        .list.eval(
            pl.element().filter(pl.element().str.ends_with(":")).str.strip_chars_end(": \t\r\n")
        )
    )
    try:
        found = (
            pl.scan_lines(path, name="line")
            .with_row_index("lineno", offset=1)
            .filter(keys.list.n_unique() < keys.list.len())
            .head(MAX_PROBLEMS)
            .with_columns(keys.alias("keys"))
            .select("lineno", "keys")
            .collect(engine="streaming")
        )
    except Exception:  # noqa: BLE001 - a file that is not text is reported by the reader itself
        return
    problems = []
    for lineno, line_keys in found.iter_rows():
        for key in _duplicates(line_keys):
            try:
                name = json.loads(key)
            except ValueError:
                name = key.strip('"')
            problems.append(
                Problem(
                    SourceLocation(shown, line=lineno),
                    "key appears more than once in this object; each key may appear once",
                    subject=f"column '{name}'",
                )
            )
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])


def check_structure(path: Path, fmt: str, shown: str) -> None:
    """Duplicate column names or keys, by format; raises a located InputError."""
    if fmt == "csv":
        check_csv_header(path, shown)
    elif fmt == "parquet":
        check_parquet_columns(path, shown)
    elif fmt == "jsonl" and path.is_file():
        check_json_lines_keys(path, shown)


def ragged_csv_rows(path: Path, shown: str) -> InputError | None:
    """The rows with more fields than the header, located by line; None when there are none."""
    problems: list[Problem] = []
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return None
            start = reader.line_num + 1
            for row in reader:
                if len(row) > len(header):
                    problems.append(
                        Problem(
                            SourceLocation(shown, row=start),
                            f"row has {len(row)} fields, the header has {len(header)}; quote values that contain commas",
                        )
                    )
                    if len(problems) >= MAX_PROBLEMS:
                        break
                start = reader.line_num + 1
    except (OSError, csv.Error):
        return None
    return InputError(problems) if problems else None


def unreadable_columns(
    raw: pl.LazyFrame, names: list[str], shown: str, fmt: str
) -> InputError | None:
    """Which columns fail to decode, when the whole file failed (a corrupt Parquet column chunk)."""
    problems = []
    for name in names:
        try:
            raw.select(pl.col(name).null_count()).collect()
        except Exception as exc:  # noqa: BLE001 - the user's file is broken, not the program
            first = (
                str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            )
            problems.append(
                Problem(
                    SourceLocation(shown),
                    f"cannot read as {fmt}: {first}",
                    subject=f"column '{name}'",
                )
            )
    return InputError(problems[:MAX_PROBLEMS]) if problems else None
