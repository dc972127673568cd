"""A collection written to disk: three Parquet tables plus a manifest, and read back.

A snapshot folder is what `auditor collect` writes and `auditor audit` can read instead of
calling the clouds, so a collection can be audited, re-audited and archived. It holds KYC
data, so a new folder is created 0700 and its files 0600; each file goes through a unique
temporary (`mkstemp`: never through a planted symlink) renamed into place.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import polars as pl

from auditor.connectors.base import CollectResult, CoverageGap
from auditor.errors import InputError, SourceLocation, display_path
from auditor.model.schema import ACCESS, TENANTS, USAGE

log = logging.getLogger("auditor.connectors.snapshot")

MANIFEST = "manifest.json"
TABLE_FILES = {
    "tenants": (TENANTS, "tenants.parquet"),
    "usage": (USAGE, "usage.parquet"),
    "access": (ACCESS, "access.parquet"),
}
SNAPSHOT_FORMAT = 2

# Earlier snapshot formats, each as the usage columns it wrote, in order; a table of that
# exact layout is upgraded by adding what came later as typed nulls, and the manifest says so.
# Format 1 (before managed ML services) had no `usage.service`.
USAGE_COLUMNS_BY_FORMAT: dict[int, tuple[str, ...]] = {
    1: (
        "tenant_id",
        "provider",
        "account_id",
        "region",
        "instance_id",
        "instance_type",
        "start",
        "end",
        "accelerator",
        "accelerator_count",
    ),
}


def _write_private(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_snapshot(
    result: CollectResult, out_dir: Path | str, storage: object = None
) -> Path | str:
    """Write the tables, then the manifest last, so a folder with a manifest is whole.

    `out_dir` may be an object-store URL: the folder is written locally and uploaded, the
    manifest last again (auditor.storage.outputs.publish_snapshot).
    """
    from auditor.storage.location import parse_url

    url = parse_url(out_dir) if isinstance(out_dir, str) else None
    if url is not None:
        from auditor.storage.outputs import publish_snapshot

        return publish_snapshot(
            result, url, storage, write_snapshot, (*(f for _, f in TABLE_FILES.values()), MANIFEST)
        )
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
    version = manifest.get("snapshot_format", 1)
    if version not in USAGE_COLUMNS_BY_FORMAT and version != SNAPSHOT_FORMAT:
        raise InputError(
            f"snapshot format {version!r} is not one this auditor reads (1 to {SNAPSHOT_FORMAT}); "
            "a newer auditor wrote it, or the manifest is damaged",
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
        if schema is USAGE and version != SNAPSHOT_FORMAT:
            df = _upgrade_usage(df, version, expected, display_path(path), manifest)
        if dict(df.schema) != expected:
            raise InputError(
                f"snapshot table does not match the {schema.name} schema"
                + (f" of snapshot format {version}" if version != SNAPSHOT_FORMAT else ""),
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


def _upgrade_usage(
    df: pl.DataFrame, version: int, expected: dict[str, pl.DataType], shown: str, manifest: dict
) -> pl.DataFrame:
    """A usage table of an earlier format in today's layout; only its exact old layout is upgraded.

    The added columns are null (unknown: a format-1 collection did not read managed services),
    and `manifest["upgraded"]` records the upgrade, so it is never silent.
    """
    old = USAGE_COLUMNS_BY_FORMAT[version]
    want = {name: expected[name] for name in old}
    if dict(df.schema) != want:
        raise InputError(
            f"snapshot table does not match the usage schema of snapshot format {version} "
            f"(expected columns {', '.join(old)})",
            location=SourceLocation(shown),
        )
    added = [name for name in expected if name not in old]
    upgraded = df.with_columns(pl.lit(None, dtype=expected[n]).alias(n) for n in added).select(
        list(expected)
    )
    manifest.setdefault(
        "upgraded", {"from_format": version, "to_format": SNAPSHOT_FORMAT, "added": []}
    )
    manifest["upgraded"]["added"] += [f"usage.{n}" for n in added]
    log.info(
        "event=snapshot_upgraded from_format=%d to_format=%d added=%s",
        version,
        SNAPSHOT_FORMAT,
        ",".join(added),
    )
    return upgraded
