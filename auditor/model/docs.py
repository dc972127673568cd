"""Renders docs/input-format.md from the schemas, so the documentation cannot drift from the loader."""

from __future__ import annotations

from auditor.model.load import LIST_SEPARATOR
from auditor.model.schema import TABLES, Kind

INTRO = f"""# Input format

Three tables (and two optional ownership tables), each a CSV, Parquet or JSON Lines file (`.csv`, `.parquet`, `.jsonl`); the
format is taken from the extension. Column names are exact; extra columns are ignored.

- Only the columns marked **required** must be present. A missing optional column makes
  every feature derived from it *unavailable*, and rules reading it evaluate to *unknown*
  (reported in `run.json` and the report), never silently to "no hit".
- List-valued columns are `{LIST_SEPARATOR}`-separated in CSV and arrays in JSON Lines / Parquet.
- Date-times are ISO 8601 (`2026-03-01T12:00:00Z`, `2026-03-01 12:00:00+08:00`, `2026-03-01`);
  values without an offset are taken as UTC.
- Booleans: true/false, yes/no, 1/0 (any case).
- A bad value is reported with the file, the row (CSV: the line number, header = 1;
  JSON Lines: the line; Parquet: the 1-based row), the column and what was expected;
  the run exits with code 2.

Restricted-party lists (`--lists`) are read in the layout trade.gov publishes the
Consolidated Screening List in (CSV or JSON); see docs/screening.md.
"""


def render_input_format() -> str:
    lines = [INTRO]
    for table in TABLES.values():
        lines += [
            f"## {table.name}",
            "",
            table.doc,
            "",
            "| column | type | required | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for column in table.columns:
            kind = column.kind.value
            if column.kind is Kind.ENUM:
                kind = " / ".join(column.choices)
            lines.append(
                f"| `{column.name}` | {kind} | {'**required**' if column.required else ''} | {column.doc} |"
            )
        lines.append("")
    lines += [
        "`usage.end` must be present as a column but is empty while an instance is still running.",
        "`usage.accelerator` / `accelerator_count` name the accelerators of instance types the",
        "catalog does not list (e.g. GCP N1 with guest GPUs: `nvidia-tesla-t4`, 2).",
        "",
        "`ownership` rows are refused (exit 2, with the row) when a share is outside 0-100, `share_min` is above",
        "`share_max`, an owner owns itself, or an id is neither a tenant nor a party; known shares in one entity",
        "adding to more than 100 are warned about. The KYC columns `parent_company`, `ultimate_parent` and",
        "`beneficial_owners` also become ownership edges with the share unknown; `Name (30%)` in",
        "`beneficial_owners` is read as 30%. `auditor ownership import bods|gleif|ftm FILE --out DIR` writes both",
        "tables from published ownership data. See docs/ownership.md.",
        "",
    ]
    return "\n".join(lines)
