"""A collection written to disk: three Parquet tables plus a manifest, and read back.

A snapshot folder is what `auditor collect` writes and `auditor audit` can read instead of
calling the clouds, so a collection can be audited, re-audited and archived. It holds KYC
data, so a new folder is created 0700 and its files 0600; each file goes through a unique
temporary (`mkstemp`: never through a planted symlink) renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import polars as pl

from auditor.connectors.base import CollectResult, CoverageGap
from auditor.errors import InputError, SourceLocation, display_path
from auditor.model.schema import ACCESS, TENANTS, USAGE

MANIFEST = "manifest.json"
TABLE_FILES = {
    "tenants": (TENANTS, "tenants.parquet"),
    "usage": (USAGE, "usage.parquet"),
    "access": (ACCESS, "access.parquet"),
}
SNAPSHOT_FORMAT = 1


def _write_private(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_snapshot(result: CollectResult, out_dir: Path) -> Path:
    """Write the tables, then the manifest last, so a folder with a manifest is whole."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for attr, (_, filename) in TABLE_FILES.items():
        frame: pl.DataFrame = getattr(result, attr)
        _write_private(out_dir / filename, frame.write_parquet)
    manifest = {"snapshot_format": SNAPSHOT_FORMAT, **result.manifest}
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    _write_private(out_dir / MANIFEST, lambda handle: handle.write(text.encode("utf-8")))
    return out_dir


def read_snapshot(directory: Path) -> CollectResult:
    """Read a snapshot folder; anything that is not one is an InputError naming the path."""
    directory = Path(directory)
    shown = display_path(directory)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"not a snapshot folder: no {MANIFEST}", location=SourceLocation(shown))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"unreadable manifest: {exc}", location=SourceLocation(display_path(manifest_path))
        ) from exc
    if not isinstance(manifest, dict) or "provider" not in manifest or "gaps" not in manifest:
        raise InputError(
            "not a snapshot manifest: needs provider and gaps",
            location=SourceLocation(display_path(manifest_path)),
        )
    tables: dict[str, pl.DataFrame] = {}
    for attr, (schema, filename) in TABLE_FILES.items():
        path = directory / filename
        try:
            df = pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise InputError(
                f"snapshot table missing or unreadable: {type(exc).__name__}",
                location=SourceLocation(display_path(path)),
            ) from exc
        expected = schema.polars_schema()
        if dict(df.schema) != expected:
            raise InputError(
                f"snapshot table does not match the {schema.name} schema",
                location=SourceLocation(display_path(path)),
            )
        tables[attr] = df
    try:
        gaps = [CoverageGap(**g) for g in manifest["gaps"]]
    except TypeError as exc:
        raise InputError(
            f"bad gap entry in manifest: {exc}",
            location=SourceLocation(display_path(manifest_path)),
        ) from exc
    manifest.pop("snapshot_format", None)
    return CollectResult(tables["tenants"], tables["usage"], tables["access"], gaps, manifest)
