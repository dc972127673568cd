"""`auditor store backup`: a consistent, checked copy of the case store, to a file or to S3 on moto."""

from __future__ import annotations

import sqlite3
import uuid

import boto3
import pytest

from auditor_testkit import assert_no_traceback
from storage.servers import moto_s3  # noqa: F401 - fixture
from storage.storage_kit import sha256, small_inputs, storage_yaml


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A case store after one audit of a small slice of the example."""
    from auditor.cli.main import main

    folder = tmp_path_factory.mktemp("stored")
    files = small_inputs(folder / "in")
    store = folder / "cases.db"
    code = main(
        [
            "audit",
            "--tenants",
            str(files["tenants"]),
            "--usage",
            str(files["usage"]),
            "--store",
            str(store),
            "--out",
            str(folder / "out"),
        ]
    )
    assert code in (0, 10)
    return store


def _runs(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT run_id FROM runs ORDER BY run_id")]


def test_backup_to_a_file_is_a_whole_store(stored, tmp_path, cli):
    target = tmp_path / "backups" / "cases-2026-12-01.db"
    code, out, err = cli("store", "backup", "--store", stored, "--to", target)
    assert code == 0, err
    assert _runs(target) == _runs(stored) and len(_runs(target)) == 1
    assert sha256(target.read_bytes()) in out
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "setup, says",
    [
        ("missing", "no case store here"),
        ("not-sqlite", "cannot read the case store"),
        ("other-db", "not an auditor case store"),
        ("folder-target", "the backup target is a folder"),
    ],
)
def test_backup_refuses_what_is_not_a_store_or_a_file_target(stored, tmp_path, cli, setup, says):
    store, target = stored, tmp_path / "copy.db"
    if setup == "missing":
        store = tmp_path / "nothing.db"
    elif setup == "not-sqlite":
        store = tmp_path / "notes.db"
        store.write_text("just text, not a database\n" * 100)
    elif setup == "other-db":
        store = tmp_path / "other.db"
        with sqlite3.connect(store) as db:
            db.execute("CREATE TABLE things (x)")
    else:
        target = tmp_path
    code, _, err = cli("store", "backup", "--store", store, "--to", target)
    assert code == 2 and says in err
    assert_no_traceback(err)
    if setup != "folder-target":
        assert not target.exists()


def test_backup_to_s3_is_one_object(stored, moto_s3, tmp_path, cli, monkeypatch):  # noqa: F811
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    s3 = boto3.client("s3", endpoint_url=moto_s3.url, region_name="us-east-1")
    bucket = f"backup-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    config = tmp_path / "audit.yaml"
    config.write_text(f"store: {stored}\n" + storage_yaml("s3", moto_s3.url))
    code, out, err = cli(
        "store", "backup", "--config", config, "--to", f"s3://{bucket}/store/cases.db"
    )
    assert code == 0, err
    copy = tmp_path / "copy.db"
    copy.write_bytes(s3.get_object(Bucket=bucket, Key="store/cases.db")["Body"].read())
    assert _runs(copy) == _runs(stored) and sha256(copy.read_bytes()) in out
    code, _, err = cli(
        "store", "backup", "--config", config, "--to", "s3://no-such-backups/cases.db"
    )
    assert code == 2 and "does not exist" in err
    assert_no_traceback(err)
