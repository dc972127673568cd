"""The input of one audit: the three canonical tables plus which of their columns were given.

Knowing which columns were present is what lets a rule say "unknown" instead of "no hit"
when, say, no access file was supplied or the KYC export lacks beneficial owners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from auditor.model.load import read_table
from auditor.model.schema import ACCESS, TENANTS, USAGE, TableSchema, empty_table


@dataclass(frozen=True)
class InputTables:
    tenants: pl.DataFrame
    usage: pl.DataFrame
    access: pl.DataFrame
    present: frozenset[str]  # "table.column" for every column supplied with data
    sources: dict[str, str] = field(default_factory=dict)  # table -> file path shown to users


def present_columns(schema: TableSchema, given: list[str]) -> set[str]:
    return {f"{schema.name}.{c}" for c in schema.names if c in given}


def load_inputs(tenants: str | Path, usage: str | Path, access: str | Path | None = None) -> InputTables:
    """Loads the tenant, usage and (optional) access files of one audit."""
    present: set[str] = set()
    frames = {}
    sources = {}
    for schema, path in ((TENANTS, tenants), (USAGE, usage), (ACCESS, access)):
        if path is None:
            frames[schema.name] = empty_table(schema)
            continue
        frame, given = read_table(path, schema)
        frames[schema.name] = frame
        present |= present_columns(schema, given)
        sources[schema.name] = str(path)
    return InputTables(frames["tenants"], frames["usage"], frames["access"], frozenset(present), sources)


def from_frames(tenants: pl.DataFrame, usage: pl.DataFrame, access: pl.DataFrame | None, present: set[str] | None = None) -> InputTables:
    """Inputs from frames already in canonical shape (connectors, snapshots, tests)."""
    if present is None:
        present = set()
        for schema, frame in ((TENANTS, tenants), (USAGE, usage), (ACCESS, access)):
            if frame is not None:
                present |= {f"{schema.name}.{c}" for c in frame.columns if frame.height == 0 or frame[c].null_count() < frame.height}
    return InputTables(tenants, usage, access if access is not None else empty_table(ACCESS), frozenset(present))
