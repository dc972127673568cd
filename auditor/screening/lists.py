"""Read restricted-party lists as trade.gov publishes them into one entries frame.

The Consolidated Screening List (CSL) comes as `consolidated.csv` (one row per entry,
aliases and addresses `; `-joined) and `consolidated.json` (`{"results": [...]}` with
lists and address objects). Both become the same `entries` frame, and each file's
checksum, row count and list date are kept as provenance so every run can say which
list version it screened against. Bad files raise `InputError` pointing at the row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import polars as pl

from auditor.errors import InputError, Problem, SourceLocation, display_path
from auditor.jsonlines import keys_once, parse_json_lines, repeated_keys
from auditor.redact import redact_url
from auditor.ownership.identifiers import codes_in_list_text
from auditor.screening.countries import country_of_address

MAX_PROBLEMS = 20
REQUIRED_FIELDS = ("source", "name")

ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "entry_id": pl.String(),
    "source": pl.String(),
    "source_code": pl.String(),
    "type": pl.String(),
    "programs": pl.String(),
    "name": pl.String(),
    "alt_names": pl.List(pl.String()),
    "addresses": pl.List(pl.String()),
    "countries": pl.List(pl.String()),
    "list_file": pl.String(),
}

_SOURCE_CODE = re.compile(r"\(([^()]+)\)")


def source_code(source: str) -> str:
    """Short list code from trade.gov's source text: "Entity List (EL) - Bureau ..." -> "EL".

    The parenthesised part is the stable code across CSL versions; a source without one
    falls back to its capital letters so it still filters consistently.
    """
    found = _SOURCE_CODE.findall(source or "")
    if found:
        code = found[0].strip().upper()
        code = re.sub(r"\s+LIST$", "", code)
        return code
    letters = "".join(ch for ch in (source or "") if ch.isupper())
    return letters or "UNKNOWN"


@dataclass(frozen=True)
class ListSet:
    """The entries of one or more list files, and where each file came from."""

    entries: pl.DataFrame
    provenance: list[dict[str, Any]] = field(default_factory=list)


def load_lists(paths: list[Path | str]) -> ListSet:
    """Load CSL files (CSV or JSON, as published) into one frame; all problems at once.

    Entry ids stay stable between downloads (trade.gov's `_id`/`id`, else
    `entity_number`, else a hash of source, name and addresses) so cases opened against
    an entry can still be traced after the list is refreshed.
    """
    frames: list[pl.DataFrame] = []
    provenance: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for raw_path in paths:
        path = Path(raw_path)
        shown = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(
                Problem(SourceLocation(shown), f"cannot read list file: {exc.strerror or exc}")
            )
            continue
        try:
            records, fmt = _parse(data, path, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        rows, row_problems = _to_rows(records, shown, str(path))
        if row_problems:
            problems.extend(row_problems)
            continue
        if not rows:  # screening against nothing is not a clean "no hit"
            problems.append(
                Problem(
                    SourceLocation(shown),
                    "list has no entries; expected the CSL as trade.gov publishes it (a header-only or empty download is refused)",
                )
            )
            continue
        frames.append(
            pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row").with_columns(
                pl.Series(
                    "identifiers",
                    [_entry_codes(r.values) for r in records],
                    dtype=pl.List(pl.String),
                )
            )
        )
        provenance.append(_provenance(path, data, fmt, len(rows)))
    if problems:
        raise InputError(problems[: MAX_PROBLEMS * 2])
    entries = (
        pl.concat(frames)
        if frames
        else pl.DataFrame(schema=ENTRY_SCHEMA).with_columns(
            identifiers=pl.lit([], dtype=pl.List(pl.String))
        )
    )
    return ListSet(entries=_unique_ids(entries), provenance=provenance)


def require_sources(
    entries: pl.DataFrame, wanted: set[str] | None, setting: str = "list_sources"
) -> None:
    """Refuses list codes the lists do not hold: a typo (MUE for MEU) would screen against nothing and report no hit."""
    if not wanted:
        return
    known = set(entries["source_code"].unique().to_list())
    unknown = sorted({w.strip().upper() for w in wanted} - known)
    if unknown:
        raise InputError(
            f"{setting}: no entries for {', '.join(unknown)} in the list files; they hold {', '.join(sorted(known)) or 'nothing'}"
        )


def parse_list_bytes(data: bytes, shown: str, suffix: str = "") -> int:
    """Parse downloaded bytes as a list file and return its entry count; raises InputError.

    `lists update` calls this before it writes anything, so a truncated download or an
    HTML error page never replaces a good list.
    """
    records, _ = _parse(data, Path("download" + suffix), shown)
    rows, problems = _to_rows(records, shown, shown)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError("list has no entries", location=SourceLocation(shown))
    return len(rows)


# --- parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    values: dict[str, Any]
    location: SourceLocation


def _parse(data: bytes, path: Path, shown: str) -> tuple[list[_Record], str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            "file is not UTF-8 text; expected the CSV or JSON trade.gov publishes",
            location=SourceLocation(shown, line=line),
        ) from None
    suffix = path.suffix.lower()
    head = text.lstrip()[:1]
    if suffix == ".jsonl" or (suffix != ".json" and head == "{" and "\n{" in text.strip()):
        return _parse_jsonl(text, shown), "jsonl"
    if suffix == ".json" or head in ("{", "["):
        return _parse_json(text, shown), "json"
    return _parse_csv(text, shown), "csv"


def _parse_csv(text: str, shown: str) -> list[_Record]:
    csv.field_size_limit(1 << 24)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            "list file is empty; expected a CSV header", location=SourceLocation(shown)
        ) from None
    except csv.Error as exc:
        raise InputError(
            f"cannot parse CSV: {exc}", location=SourceLocation(shown, line=1)
        ) from None
    header = [h.strip() for h in header]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(
            [
                Problem(
                    SourceLocation(shown, line=1),
                    "column name appears more than once; each column may appear once",
                    subject=f"column '{c}'",
                )
                for c in repeated
            ]
        )
    missing = [c for c in REQUIRED_FIELDS if c not in header]
    if missing:
        raise InputError(
            [
                Problem(
                    SourceLocation(shown, line=1),
                    f"missing column; expected the CSL layout ({', '.join(REQUIRED_FIELDS)}, alt_names, addresses, ...)",
                    subject=f"column '{c}'",
                )
                for c in missing
            ]
        )
    records: list[_Record] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(SourceLocation(shown, row=start), f"cannot parse CSV: {exc}"))
            break
        location = SourceLocation(shown, row=start)
        start = reader.line_num + 1
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(location, f"row has {len(row)} fields, header has {len(header)}")
            )
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        records.append(_Record(dict(zip(header, row)), location))
    if problems:
        raise InputError(problems)
    return records


def _parse_json(text: str, shown: str) -> list[_Record]:
    try:
        doc = json.loads(text, object_pairs_hook=keys_once)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"cannot parse JSON: {exc.msg}",
            location=SourceLocation(shown, line=exc.lineno, column=exc.colno),
        ) from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply; expected entries at most a few levels deep",
            location=SourceLocation(shown),
        ) from None
    if isinstance(doc, dict):
        items = doc.get("results", doc.get("entries"))
        if not isinstance(items, list):
            raise InputError(
                "JSON object has no 'results' list; expected trade.gov's consolidated.json",
                location=SourceLocation(shown, line=1),
            )
    elif isinstance(doc, list):
        items = doc
    else:
        raise InputError(
            "JSON is neither an object nor a list of entries",
            location=SourceLocation(shown, line=1),
        )
    records = []
    problems = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(SourceLocation(shown, row=i), "entry is not a JSON object"))
            continue
        repeated = repeated_keys(item)
        if repeated:
            problems.append(
                Problem(
                    SourceLocation(shown, row=i),
                    f"key '{repeated[0]}' appears more than once in this entry; each key may appear once",
                )
            )
            continue
        records.append(_Record(item, SourceLocation(shown, row=i)))
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return records


def _parse_jsonl(text: str, shown: str) -> list[_Record]:
    return [
        _Record(item, SourceLocation(shown, line=lineno))
        for lineno, item in parse_json_lines(text, shown)
    ]


# --- records -> rows -----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value if _text(v))
    return str(value).strip()


def _split(value: Any) -> list[str]:
    """CSV joins with "; "; JSON gives lists. Either way: a clean list without blanks."""
    if value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_split(v) if not isinstance(v, dict) else [_address_text(v)])
        return [v for v in out if v]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _address_text(obj: dict[str, Any]) -> str:
    keys = ("address", "city", "state", "postal_code", "country")
    return ", ".join(_text(obj.get(k)) for k in keys if _text(obj.get(k)))


def _addresses(value: Any) -> list[str]:
    if isinstance(value, list):
        return [
            a for a in (_address_text(v) if isinstance(v, dict) else _text(v) for v in value) if a
        ]
    return _split(value)


def _entry_codes(values: dict[str, Any]) -> list[str]:
    """The entry's LEIs and USCCs (`LEI:...`), from the CSL `ids` column and the SDN `remarks`.

    Kept beside the names so that a party carrying the same code is the listed entry itself
    (auditor.ownership.seeds), whatever its name. JSON gives `ids` as objects; their values
    are read like one CSV statement each.
    """
    ids = values.get("ids")
    if isinstance(ids, list):
        ids = "; ".join(
            ", ".join(_text(x) for x in item.values()) if isinstance(item, dict) else _text(item)
            for item in ids
        )
    return codes_in_list_text("; ".join(_text(v) for v in (ids, values.get("remarks")) if v))


def _to_rows(
    records: list[_Record], shown: str, list_file: str
) -> tuple[list[tuple], list[Problem]]:
    rows: list[tuple] = []
    problems: list[Problem] = []
    for rec in records:
        v = rec.values
        name = _text(v.get("name"))
        source = _text(v.get("source"))
        for col, val in (("name", name), ("source", source)):
            if not val:
                problems.append(
                    Problem(
                        rec.location,
                        "empty value; every list entry needs a name and a source",
                        subject=f"column '{col}'",
                    )
                )
        if len(problems) >= MAX_PROBLEMS:
            break
        if not name or not source:
            continue
        addresses = _addresses(v.get("addresses"))
        countries = sorted({c for c in map(country_of_address, addresses) if c})
        entry_id = _text(v.get("_id")) or _text(v.get("id")) or _text(v.get("entity_number"))
        if not entry_id:
            key = "|".join([source, name, *addresses])
            entry_id = hashlib.sha1(key.encode()).hexdigest()[:20]
        rows.append(
            (
                entry_id,
                source,
                source_code(source),
                _text(v.get("type")),
                _text(v.get("programs")),
                name,
                _split(v.get("alt_names")),
                addresses,
                countries,
                list_file,
            )
        )
    return rows, problems


def _unique_ids(entries: pl.DataFrame) -> pl.DataFrame:
    """One row per entry id. The same id and list in two files is one entry (the first file
    wins); two lists reusing a number get the list code appended, so ids stay stable."""
    entries = entries.unique(subset=["entry_id", "source_code"], keep="first", maintain_order=True)
    dup = pl.col("entry_id").is_duplicated()
    return entries.with_columns(
        pl.when(dup)
        .then(pl.col("entry_id") + ":" + pl.col("source_code"))
        .otherwise(pl.col("entry_id"))
        .alias("entry_id")
    )


def sidecar_path(path: Path) -> Path:
    """Where `lists update` records a download's URL, date and checksum."""
    return path.with_name(path.name + ".meta.json")


def _provenance(path: Path, data: bytes, fmt: str, rows: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "path": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": rows,
        "format": fmt,
        "list_date": None,
    }
    meta = sidecar_path(path)
    if meta.exists():
        try:
            side = json.loads(meta.read_text())
        except (OSError, json.JSONDecodeError):
            side = {}
        if side.get("sha256") == record["sha256"]:
            for key in ("list_date", "url", "downloaded_at"):
                if side.get(key):
                    record[key] = side[key]
            if record.get("url"):
                record["url"] = redact_url(
                    str(record["url"])
                )  # a sidecar written before redaction may hold a key
        else:
            record["sidecar"] = "ignored: checksum differs from the file (edited after download?)"
    return record


def iter_entry_names(entries: pl.DataFrame) -> Iterator[tuple[str, str]]:
    """(entry_id, name) for the primary name and every alias; used by tests and the bench."""
    for entry_id, name, alts in entries.select("entry_id", "name", "alt_names").iter_rows():
        yield entry_id, name
        for alt in alts or []:
            yield entry_id, alt
