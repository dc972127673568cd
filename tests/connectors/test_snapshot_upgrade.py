"""Snapshots written before `usage.service` (format 1) are read through an explicit, recorded upgrade; nothing else is."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from auditor.connectors import read_snapshot, write_snapshot
from auditor.connectors.base import Collection
from auditor.connectors.snapshot import SNAPSHOT_FORMAT, USAGE_COLUMNS_BY_FORMAT
from auditor.errors import InputError
from auditor.model.schema import USAGE


def _current(tmp_path: Path) -> Path:
    col = Collection(
        "aws",
        tenants=[{"tenant_id": "T1", "legal_name": "One"}],
        usage=[
            {
                "tenant_id": "T1",
                "provider": "aws",
                "instance_type": "p5.48xlarge",
                "start": datetime(2026, 1, 1, tzinfo=UTC),
            }
        ],
    )
    return write_snapshot(col.to_result(datetime(2026, 1, 2, tzinfo=UTC)), tmp_path / "snap")


def _as_format_1(snap: Path, *, manifest_version: int | None = 1) -> Path:
    """The folder as the previous release wrote it: no service column, manifest format 1 (or no format key)."""
    usage = pl.read_parquet(snap / "usage.parquet").drop("service")
    usage.write_parquet(snap / "usage.parquet")
    manifest = json.loads((snap / "manifest.json").read_text())
    if manifest_version is None:
        manifest.pop("snapshot_format")
    else:
        manifest["snapshot_format"] = manifest_version
    (snap / "manifest.json").write_text(json.dumps(manifest))
    return snap


def test_a_current_snapshot_reads_back_without_upgrade(tmp_path: Path) -> None:
    back = read_snapshot(_current(tmp_path))
    assert "upgraded" not in back.manifest
    assert back.usage.columns == USAGE.names and SNAPSHOT_FORMAT == 2


@pytest.mark.parametrize("manifest_version", [1, None])
def test_a_format_1_snapshot_is_upgraded_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, manifest_version: int | None
) -> None:
    snap = _as_format_1(_current(tmp_path), manifest_version=manifest_version)
    with caplog.at_level(logging.INFO, logger="auditor.connectors.snapshot"):
        back = read_snapshot(snap)
    assert dict(back.usage.schema) == USAGE.polars_schema()
    assert back.usage["service"].to_list() == [None]  # unknown: that collection read no services
    assert back.usage["instance_type"].to_list() == ["p5.48xlarge"]
    assert back.manifest["upgraded"] == {
        "from_format": 1,
        "to_format": 2,
        "added": ["usage.service"],
    }
    assert "event=snapshot_upgraded from_format=1" in caplog.text


def test_the_upgrade_only_takes_the_exact_old_layout(tmp_path: Path) -> None:
    snap = _as_format_1(_current(tmp_path))
    usage = pl.read_parquet(snap / "usage.parquet").drop("region")
    usage.write_parquet(snap / "usage.parquet")
    with pytest.raises(InputError, match="usage schema of snapshot format 1") as info:
        read_snapshot(snap)
    assert "usage.parquet" in str(info.value)


def test_a_format_1_manifest_with_todays_usage_table_is_refused(tmp_path: Path) -> None:
    snap = _current(tmp_path)
    manifest = json.loads((snap / "manifest.json").read_text())
    (snap / "manifest.json").write_text(json.dumps({**manifest, "snapshot_format": 1}))
    with pytest.raises(InputError, match="snapshot format 1"):
        read_snapshot(snap)


def test_a_current_snapshot_missing_the_service_column_is_refused_not_upgraded(
    tmp_path: Path,
) -> None:
    snap = _as_format_1(_current(tmp_path), manifest_version=SNAPSHOT_FORMAT)
    with pytest.raises(InputError, match="does not match the usage schema$"):
        read_snapshot(snap)


@pytest.mark.parametrize("version", [0, 3, "2"])
def test_an_unknown_format_is_refused(tmp_path: Path, version: object) -> None:
    snap = _current(tmp_path)
    manifest = json.loads((snap / "manifest.json").read_text())
    (snap / "manifest.json").write_text(json.dumps({**manifest, "snapshot_format": version}))
    with pytest.raises(InputError, match="not one this auditor reads"):
        read_snapshot(snap)


def test_every_old_layout_is_todays_minus_later_columns() -> None:
    for version, columns in USAGE_COLUMNS_BY_FORMAT.items():
        assert version < SNAPSHOT_FORMAT
        assert list(columns) == [c for c in USAGE.names if c in columns]
