"""Further names for list entries: the shipped Chinese-names table and the user's alias file.

The lists carry the names the government wrote down. Listed companies also go by names the
list does not carry: their Chinese registered name, a brand, a trading name. Each alias row
names an entry (its id, or a name or alias the list gives it), the alias, and where the alias
comes from; it is attached to every entry whose name normalises like the row's `entry`, and
remembered with its file and line, so a match on it explains itself ("alias from
aliases.yaml line 12, source: ..."). Aliases are matched like every other name.

User files are YAML (a list of mappings, or `aliases:` holding one) or CSV, with the keys
`entry`, `alias` and `source`; every problem is reported with its line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import polars as pl

from auditor.errors import InputError, Problem, SourceLocation, display_path
from auditor.screening.lists import ListSet
from auditor.screening.normalize import normalize_frame
from auditor.yamlsource import parse_yaml

log = logging.getLogger("auditor.screening")

BUILTIN_TABLE = Path(__file__).resolve().parent / "data" / "chinese-names.csv"
BUILTIN_SHOWN = "auditor/screening/data/chinese-names.csv"
ALIAS_FIELDS = ("entry", "alias", "source")
ALIAS_SCHEMA: dict[str, pl.DataType] = {
    "entry": pl.String(),
    "alias": pl.String(),
    "source": pl.String(),
    "origin": pl.String(),  # "<file> line <n>"
}
ADDED_ALIAS_DTYPE = pl.List(
    pl.Struct({"alias": pl.String, "origin": pl.String, "source": pl.String})
)
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class _Row:
    values: dict[str, Any]
    line: int


def load_alias_file(path: Path | str) -> pl.DataFrame:
    """The rows of a user's alias file (YAML or CSV); InputError naming each bad line."""
    path = Path(path)
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("alias file not found", location=SourceLocation(shown)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read alias file: {exc}", location=SourceLocation(shown)) from None
    rows = _csv_rows(text, shown) if path.suffix.lower() == ".csv" else _yaml_rows(text, shown)
    return _validated(rows, shown)


def builtin_aliases() -> pl.DataFrame:
    """The shipped Chinese registered names of EL and MEU entries, as alias rows."""
    text = BUILTIN_TABLE.read_text(encoding="utf-8")
    rows = [
        _Row(
            {"entry": r["listed_name"], "alias": r["chinese_name"], "source": _builtin_source(r)},
            r["_line"],
        )
        for r in _csv_dicts(text, BUILTIN_SHOWN)
    ]
    return _validated(rows, BUILTIN_SHOWN)


def _builtin_source(row: dict[str, Any]) -> str:
    checked = (
        "verified"
        if str(row.get("verified", "")).strip().lower() == "true"
        else "not verified here"
    )
    return f"{row.get('source', '').strip()} ({row.get('list', '').strip()}; {checked})"


def _csv_dicts(text: str, shown: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    try:
        for record in reader:
            record["_line"] = reader.line_num
            out.append(record)
    except csv.Error as exc:
        raise InputError(
            f"cannot parse CSV: {exc}", location=SourceLocation(shown, line=reader.line_num)
        ) from None
    return out


def _csv_rows(text: str, shown: str) -> list[_Row]:
    header = next(csv.reader(io.StringIO(text)), None)
    if not header:
        raise InputError(
            "alias file is empty; expected a header entry,alias,source",
            location=SourceLocation(shown, line=1),
        )
    missing = [f for f in ALIAS_FIELDS if f not in [h.strip() for h in header]]
    if missing:
        raise InputError(
            [
                Problem(
                    SourceLocation(shown, line=1),
                    "missing column; expected entry, alias and source",
                    subject=f"column '{c}'",
                )
                for c in missing
            ]
        )
    return [
        _Row({k.strip(): v for k, v in r.items() if k != "_line" and k is not None}, r["_line"])
        for r in _csv_dicts(text, shown)
    ]


def _yaml_rows(text: str, shown: str) -> list[_Row]:
    doc = parse_yaml(text, shown)
    data, prefix = doc.data, cast(tuple[Any, ...], ())
    if isinstance(data, dict) and set(data) == {"aliases"}:
        data, prefix = data["aliases"], ("aliases",)
    if not isinstance(data, list):
        raise InputError(
            "expected a list of aliases (each with entry, alias and source), or `aliases:` holding one",
            location=doc.location(()),
        )
    rows = []
    for i, item in enumerate(data):
        line = doc.location(prefix + (i,)).line or 1
        rows.append(_Row(item if isinstance(item, dict) else {"_not_a_mapping": item}, line))
    return rows


def _validated(rows: list[_Row], shown: str) -> pl.DataFrame:
    problems: list[Problem] = []
    out: list[tuple[str, str, str, str]] = []
    for row in rows:
        where = SourceLocation(shown, line=row.line)
        if "_not_a_mapping" in row.values:
            problems.append(Problem(where, "expected a mapping with entry, alias and source"))
            continue
        unknown = sorted(set(row.values) - set(ALIAS_FIELDS) - {"note", "verified", "list"})
        for key in unknown:
            problems.append(
                Problem(
                    where,
                    "unknown key; expected entry, alias, source (and optional note)",
                    subject=f"'{key}'",
                )
            )
        values = {f: str(row.values.get(f) or "").strip() for f in ALIAS_FIELDS}
        for f in ALIAS_FIELDS:
            if not values[f]:
                why = (
                    "every alias needs a source (where the name comes from)"
                    if f == "source"
                    else "expected a non-empty value"
                )
                problems.append(Problem(where, f"empty or missing; {why}", subject=f"'{f}'"))
        if len(problems) >= MAX_PROBLEMS:
            break
        if all(values.values()) and not unknown:
            out.append(
                (values["entry"], values["alias"], values["source"], f"{shown} line {row.line}")
            )
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return pl.DataFrame(out, schema=ALIAS_SCHEMA, orient="row")


def attach_aliases(
    entries: pl.DataFrame, aliases: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entries with each alias row appended to `alt_names` of the entries it names.

    A row names an entry by id or by a name that normalises like one of the entry's names.
    Returns the entries (with `added_aliases`: alias, origin, source of each one attached)
    and the rows that named no entry.
    """
    if "added_aliases" not in entries.columns:
        entries = entries.with_columns(added_aliases=pl.lit([], dtype=ADDED_ALIAS_DTYPE))
    if aliases.height == 0 or entries.height == 0:
        return entries, aliases
    rows = aliases.with_row_index("alias_row")
    names = pl.concat(
        [
            entries.select("entry_id", raw="name"),
            entries.select("entry_id", raw="alt_names").explode("raw").drop_nulls("raw"),
        ]
    )
    names = (
        normalize_frame(names, "raw")
        .filter(pl.col("norm") != "")
        .select("entry_id", "norm", "core")
        .unique()
    )
    wanted = (
        normalize_frame(rows, "entry")
        .filter(pl.col("norm") != "")
        .select("alias_row", "entry", "norm", "core")
    )
    by_name = wanted.join(names.select("entry_id", "norm").unique(), on="norm").select(
        "alias_row", "entry_id"
    )
    # A row no full name fits may still fit without city and generic words: "Moore Threads
    # Intelligent Technology (Beijing)" for the listed "Moore Threads Intelligent Technology".
    loose = wanted.join(by_name, on="alias_row", how="anti").join(
        names.select("entry_id", "core").unique(), on="core"
    )
    by_name = pl.concat([by_name, loose.select("alias_row", "entry_id")])
    by_id = rows.join(entries.select("entry_id"), left_on="entry", right_on="entry_id").select(
        "alias_row", entry_id=pl.col("entry")
    )
    pairs = pl.concat([by_name, by_id]).unique().join(rows, on="alias_row")
    listed = entries.select("entry_id", alias="alt_names").explode("alias").drop_nulls("alias")
    new = pairs.join(listed, on=["entry_id", "alias"], how="anti")  # the list already carries it
    added = (
        new.sort("alias_row")
        .group_by("entry_id", maintain_order=True)
        .agg(new_alts=pl.col("alias"), new_added=pl.struct("alias", "origin", "source"))
    )
    entries = (
        entries.join(added, on="entry_id", how="left", maintain_order="left")
        .with_columns(
            alt_names=pl.concat_list(
                pl.col("alt_names"),
                pl.col("new_alts").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            ).list.unique(maintain_order=True),
            added_aliases=pl.concat_list(
                pl.col("added_aliases"),
                pl.col("new_added").fill_null(pl.lit([], dtype=ADDED_ALIAS_DTYPE)),
            ),
        )
        .drop("new_alts", "new_added")
    )
    unmatched = rows.join(pairs.select("alias_row").unique(), on="alias_row", how="anti").drop(
        "alias_row"
    )
    return entries, unmatched


def with_aliases(
    lists: ListSet, alias_files: list[Path] | tuple[Path, ...] = (), builtin: bool = True
) -> ListSet:
    """The lists with the shipped Chinese names and the user's alias files attached.

    Each alias file is recorded in the provenance (path, checksum, rows, attached), like a
    list file, so a run says which aliases it screened with. A user's row that names no
    entry in these lists is logged with its line, not an error: lists change.
    """
    tables = [(BUILTIN_TABLE, BUILTIN_SHOWN, builtin_aliases())] if builtin else []
    tables += [(Path(p), display_path(p), load_alias_file(p)) for p in alias_files]
    entries = lists.entries
    provenance = list(lists.provenance)
    for path, shown, rows in tables:
        entries, unmatched = attach_aliases(entries, rows)
        record: dict[str, Any] = {
            "path": shown,
            "kind": "aliases",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "rows": rows.height,
            "attached": rows.height - unmatched.height,
        }
        provenance.append(record)
        if path != BUILTIN_TABLE:
            for origin in unmatched["origin"].head(MAX_PROBLEMS).to_list():
                log.warning(
                    "stage=lists aliases=%s unmatched=%s (no list entry has that name or id)",
                    shown,
                    origin,
                )
    if "added_aliases" not in entries.columns:
        entries = entries.with_columns(added_aliases=pl.lit([], dtype=ADDED_ALIAS_DTYPE))
    return ListSet(entries=entries, provenance=provenance)


def alias_origins(entries: pl.DataFrame) -> pl.DataFrame:
    """(entry_id, matched_name, alias_origin) for every attached alias: what explanations quote."""
    if "added_aliases" not in entries.columns:
        return pl.DataFrame(
            schema={"entry_id": pl.String, "matched_name": pl.String, "alias_origin": pl.String}
        )
    return (
        entries.select("entry_id", "added_aliases")
        .explode("added_aliases")
        .drop_nulls("added_aliases")
        .unnest("added_aliases")
        .select(
            "entry_id",
            matched_name=pl.col("alias"),
            alias_origin=pl.format("alias from {}, source: {}", "origin", "source"),
        )
        .unique(subset=["entry_id", "matched_name"], keep="first", maintain_order=True)
    )


def explain_alias_matches(matches: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """`matches` (entry_id, matched_name, ...) plus `alias_origin`: null unless the matched
    name is an alias this module attached (the list's own names need no note)."""
    if matches.height == 0:
        return matches.with_columns(alias_origin=pl.lit(None, dtype=pl.String))
    return matches.join(
        alias_origins(entries), on=["entry_id", "matched_name"], how="left", maintain_order="left"
    )
