"""The input of one audit: the three canonical tables plus which of their columns were given.

Knowing which columns were present is what lets a rule say "unknown" instead of "no hit"
when, say, no access file was supplied or the KYC export lacks beneficial owners.

Tenants are held in memory (one row per customer, needed whole for links and screening);
usage and sign-ins stay lazy -- a month of a hyperscaler's usage is hundreds of millions of
rows, read in streaming passes that aggregate it per tenant.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl

from auditor.errors import InputError, display_path
from auditor.model.badrows import Exclusion, bad_row_stats, exclude_bad_rows
from auditor.model.load import (
    check_unique,
    collect_checked,
    detect_format,
    scan_raw,
    read_failure,
    scan_table,
)
from auditor.model.schema import ACCESS, TENANTS, USAGE, TableSchema, empty_table


@dataclass(frozen=True)
class InputTables:
    tenants: pl.DataFrame
    usage: pl.LazyFrame
    access: pl.LazyFrame
    present: frozenset[str]  # "table.column" for every column supplied with data
    sources: dict[str, str] = field(default_factory=dict)  # table -> file path shown to users
    rows: dict[str, int] = field(default_factory=dict)  # table -> row count
    latest_event: datetime | None = None  # the latest usage start/end or sign-in time
    exclusions: tuple[Exclusion, ...] = ()  # rows set aside as impossible (see model.badrows)
    # The engine holding usage and sign-ins when it is not Polars (spark.inputs.SparkTables):
    # then `usage` and `access` are empty here and the engine runs their stages.
    engine: Any = None

    def usage_frame(self) -> pl.DataFrame:
        """The usage table in memory -- for small inputs and tests only."""
        return self.usage.collect()


def present_columns(schema: TableSchema, given: list[str]) -> set[str]:
    return {f"{schema.name}.{c}" for c in schema.names if c in given}


def _checked_tenants(tenants: str | Path) -> tuple[Any, pl.DataFrame]:
    scanned = scan_table(tenants, TENANTS)
    frame = collect_checked(scanned, tenants, TENANTS)
    check_unique(
        frame, TENANTS, display_path(tenants), 2 if detect_format(Path(tenants)) == "csv" else 1
    )
    return scanned, frame


def load_tenant_table(tenants: str | Path) -> pl.DataFrame:
    """The tenants file alone, checked as `load_inputs` checks it: for a run whose answer is reused (auditor.reuse)."""
    return _checked_tenants(tenants)[1]


def load_inputs(
    tenants: str | Path,
    usage: str | Path,
    access: str | Path | None = None,
    observed_at: datetime | None = None,
) -> InputTables:
    """Checks the tenant, usage and (optional) access files of one audit; usage and access stay lazy.

    Rows that cannot be true (dated in the future of `observed_at` or the clock, ending
    before they start, the same run twice) are set aside and listed in `exclusions`.
    """
    present: set[str] = set()
    sources, rows, latest = {}, {}, []
    # One reference time for both the checks' counts and the rows they then set aside.
    reference = observed_at or datetime.now(timezone.utc)
    exclusions: list[Exclusion] = []

    scanned_tenants, tenant_frame = _checked_tenants(tenants)
    frames: dict[str, object] = {"tenants": tenant_frame, "access": empty_table(ACCESS).lazy()}
    for schema, path, scanned in (
        (TENANTS, tenants, scanned_tenants),
        (USAGE, usage, None),
        (ACCESS, access, None),
    ):
        if path is None:
            rows[schema.name] = 0
            continue
        # The bad-row counts ride on the file check's pass (model.badrows): one read, not two.
        scanned = scanned or scan_table(
            path, schema, functools.partial(bad_row_stats, schema.name, reference=reference)
        )
        if schema is not TENANTS:
            offset = 2 if detect_format(Path(path)) == "csv" else 1
            checked = exclude_bad_rows(
                scanned.frame,
                schema.name,
                scanned.rows,
                reference,
                display_path(path),
                offset,
                stats=scanned.stats["extra"],
            )
            frames[schema.name] = checked.frame
            exclusions += checked.exclusions
            latest += [checked.latest_event] if checked.latest_event is not None else []
        present |= present_columns(schema, scanned.columns)
        sources[schema.name] = str(path)
        rows[schema.name] = scanned.rows
    return InputTables(
        frames["tenants"],
        frames["usage"],
        frames["access"],
        frozenset(present),
        sources,
        rows,
        max(latest, default=None),
        tuple(exclusions),
    )


def unreadable_input(inputs: InputTables, exc: BaseException) -> InputError | None:
    """The located error for a streamed input that failed to decode mid-audit (a corrupt Parquet column), if it is one.

    Usage and sign-ins are read in streaming passes after they were checked; checking every
    column up front would cost a pass over hundreds of millions of rows, so a column that
    was never read during the check is located here, when the stage that reads it fails.
    """
    for schema in (USAGE, ACCESS):
        source = inputs.sources.get(schema.name)
        if source is None or detect_format(Path(source)) != "parquet":
            continue
        path = Path(source)
        raw, _ = scan_raw(path, "parquet")
        names = [c for c in schema.names if f"{schema.name}.{c}" in inputs.present]
        located = read_failure(path, "parquet", exc, raw, names)
        if any(p.subject for p in located.problems):  # a column was found that cannot be decoded
            return located
    return None


def empty_tenants_error(inputs: InputTables) -> InputError:
    """An audit of no tenants would report every stored case resolved; only a user who expects it may run one."""
    source = inputs.sources.get("tenants")
    where = f"the tenants file {display_path(source)}" if source else "the collected tenant table"
    return InputError(
        f"{where} has no rows (a header only?); an audit of no tenants would mark every stored case resolved. "
        "If an empty tenant table is expected, pass --allow-empty-tenants or set `allow_empty_tenants: true` in the config"
    )


def from_frames(
    tenants: pl.DataFrame,
    usage: pl.DataFrame,
    access: pl.DataFrame | None,
    present: set[str] | None = None,
    observed_at: datetime | None = None,
) -> InputTables:
    """Inputs from frames already in canonical shape (connectors, snapshots, tests); impossible rows set aside as for files."""
    if present is None:
        present = set()
        for schema, frame in ((TENANTS, tenants), (USAGE, usage), (ACCESS, access)):
            if frame is not None:
                present |= {
                    f"{schema.name}.{c}"
                    for c in frame.columns
                    if frame.height == 0 or frame[c].null_count() < frame.height
                }
    access = access if access is not None else empty_table(ACCESS)
    checked = [
        exclude_bad_rows(frame.lazy(), name, frame.height, observed_at)
        for name, frame in (("usage", usage), ("access", access))
    ]
    events = [c.latest_event for c in checked]
    return InputTables(
        tenants,
        checked[0].frame,
        checked[1].frame,
        frozenset(present),
        rows={"tenants": tenants.height, "usage": usage.height, "access": access.height},
        latest_event=max((e for e in events if e is not None), default=None),
        exclusions=checked[0].exclusions + checked[1].exclusions,
    )
