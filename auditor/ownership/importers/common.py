"""What every ownership importer shares: reading JSON or JSON Lines with located errors, and writing the two tables.

An importer turns a published format into rows of the `ownership` and `parties` tables
(docs/input-format.md) plus notes -- what it skipped and why, and checks it made (a
declared indirect interest compared with the direct edges) -- so nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from auditor.errors import InputError, SourceLocation, display_path
from auditor.jsonlines import parse_json_lines
from auditor.model.schema import OWNERSHIP, PARTIES


@dataclass
class Imported:
    """Rows for the two tables, keyed by column name, and what the importer has to say about them."""

    parties: dict[str, dict[str, Any]] = field(default_factory=dict)  # party_id -> row
    ownership: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def party(self, party_id: str, name: str | None, kind: str = "unknown", **extra: Any) -> None:
        row = self.parties.setdefault(
            party_id, {"party_id": party_id, "name": name or party_id, "kind": kind}
        )
        if name and row["name"] == party_id:
            row["name"] = name
        for key, value in extra.items():
            if value not in (None, "", []):
                row[key] = value

    def stake(self, owner_id: str, owned_id: str, **fields: Any) -> None:
        self.ownership.append(
            {
                "owner_id": owner_id,
                "owned_id": owned_id,
                **{k: v for k, v in fields.items() if v not in (None, "")},
            }
        )

    def check_paths(self, declared: list[tuple[str, str, str]]) -> None:
        """Each declared indirect interest (owner, owned, reference): is there a chain of direct edges behind it?"""
        down: dict[str, set[str]] = {}
        for row in self.ownership:
            down.setdefault(row["owner_id"], set()).add(row["owned_id"])
        for owner, owned, ref in declared:
            seen, queue = {owner}, deque([owner])
            while queue and owned not in seen:
                for nxt in down.get(queue.popleft(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            verdict = (
                "matches a chain of direct interests"
                if owned in seen
                else "has NO chain of direct interests behind it"
            )
            self.notes.append(
                f"declared indirect interest {ref} of {owner} in {owned} {verdict}; checked, not added as an edge"
            )


def read_json_records(path: Path) -> list[tuple[int | None, dict[str, Any]]]:
    """(line, object) from a JSON array, a JSON object holding one, or JSON Lines."""
    shown = display_path(path)
    if not path.exists():
        raise InputError("file not found", location=SourceLocation(shown))
    text = path.read_text(encoding="utf-8-sig")
    stripped = text.lstrip()
    if not stripped:
        raise InputError(
            "file is empty; expected JSON or JSON Lines", location=SourceLocation(shown)
        )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if (
            stripped.startswith("[")
            or len([line for line in text.splitlines() if line.strip()]) < 2
        ):
            raise InputError(
                f"cannot parse JSON: {exc.msg}",
                location=SourceLocation(shown, line=exc.lineno, column=exc.colno),
            ) from None
        return [(line, obj) for line, obj in parse_json_lines(text, shown)]
    if isinstance(doc, list):
        return [(None, obj) for obj in doc if isinstance(obj, dict)]
    if isinstance(doc, dict):
        return [(1, doc)]
    raise InputError(
        "expected a JSON array of objects, an object, or JSON Lines", location=SourceLocation(shown)
    )


def write_tables(imported: Imported, out: Path) -> dict[str, Path]:
    """ownership.csv and parties.csv in `out`, in the canonical columns; lists joined with ';'."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, schema, rows in (
        ("parties", PARTIES, list(imported.parties.values())),
        ("ownership", OWNERSHIP, imported.ownership),
    ):
        frame = pl.DataFrame(
            [
                {
                    c: (
                        ";".join(r[c])
                        if isinstance(r.get(c), list)
                        else (None if r.get(c) is None else str(r[c]))
                    )
                    for c in schema.names
                }
                for r in rows
            ],
            schema=dict.fromkeys(schema.names, pl.String),
            orient="row",
        )
        written[name] = out / f"{name}.csv"
        frame.write_csv(written[name], line_terminator="\n")
    return written


def link_tenants(imported: Imported, tenants: pl.DataFrame) -> int:
    """Sets `tenant_id` on parties whose name or alias is written like a tenant's legal name or alias; returns how many."""
    from auditor.ownership.inputs import name_key

    names = pl.concat(
        [
            tenants.select("tenant_id", pl.col("legal_name").alias("name")),
            tenants.select("tenant_id", pl.col("aliases").alias("name")).explode("name"),
        ]
    ).drop_nulls("name")
    keys = names.select("tenant_id", name_key(pl.col("name")).alias("key")).unique(
        subset="key", keep="first"
    )
    lookup = dict(zip(keys["key"].to_list(), keys["tenant_id"].to_list()))
    probe = pl.DataFrame(
        {"name": [row["name"] for row in imported.parties.values()]}, schema={"name": pl.String}
    )
    probe_keys = probe.select(name_key(pl.col("name"))).to_series().to_list()
    linked = 0
    for row, key in zip(imported.parties.values(), probe_keys):
        if not row.get("tenant_id") and key in lookup:
            row["tenant_id"] = lookup[key]
            linked += 1
    return linked


def percent(value: Any) -> float | None:
    """A share as a number: 30, "30", "30%", 0.3 is NOT rescaled (formats state percentages)."""
    if value is None or value == "":
        return None
    try:
        return float(str(value).strip().rstrip("%").strip())
    except ValueError:
        return None
