"""The reuse fingerprint (auditor.reuse.fingerprint): what it counts, and what it leaves out on purpose."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from auditor.config import AuditConfig
from auditor.checksum import file_sha256
from auditor.reuse.bundle import BundleError, read_bundle
from auditor.reuse.fingerprint import code_digest, run_fingerprint, tree_digest
from auditor.run import sha256_file


def _config(tmp_path: Path, **settings) -> AuditConfig:
    tenants = tmp_path / "tenants.csv"
    usage = tmp_path / "usage.csv"
    if not tenants.exists():
        tenants.write_text("tenant_id,legal_name\nt1,A\n")
        usage.write_text("tenant_id\nt1\n")
    return AuditConfig(tenants=tenants, usage=usage, **settings)


def test_the_package_digest_follows_its_files_not_its_byte_code(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.yaml").write_text("k: v\n")
    before = code_digest(package)
    code_digest.cache_clear()
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0\1")
    assert code_digest(package) == before
    code_digest.cache_clear()
    (package / "sub" / "b.yaml").write_text("k: w\n")
    assert code_digest(package) != before
    code_digest.cache_clear()


def test_a_folder_digest_counts_names_and_bytes_at_any_depth(tmp_path):
    (tmp_path / "r" / "deep").mkdir(parents=True)
    (tmp_path / "r" / "deep" / "x.yaml").write_text("a")
    first = tree_digest(tmp_path / "r")
    (tmp_path / "r" / "deep" / "x.yaml").rename(tmp_path / "r" / "deep" / "y.yaml")
    assert tree_digest(tmp_path / "r") != first


def test_settings_that_only_show_or_deliver_the_answer_are_left_out(tmp_path):
    base = run_fingerprint(_config(tmp_path), sha256_file)
    assert base is not None and set(base.parts) == {"code", "settings", "tenants", "usage"}
    shown = run_fingerprint(
        _config(tmp_path, out=tmp_path / "elsewhere", report_cases=7, alert_priority="low"),
        sha256_file,
    )
    assert shown == base
    scored = run_fingerprint(_config(tmp_path, max_link_group=7), sha256_file)
    assert scored is not None and scored.changed_parts(base.parts) == ["settings"]


def test_inputs_count_by_their_bytes_not_their_path(tmp_path):
    base = run_fingerprint(_config(tmp_path), sha256_file)
    moved = tmp_path / "copy"
    moved.mkdir()
    shutil.copy(tmp_path / "tenants.csv", moved / "t.csv")
    same = run_fingerprint(
        AuditConfig(tenants=moved / "t.csv", usage=tmp_path / "usage.csv"), sha256_file
    )
    assert same is not None and base is not None and same.digest == base.digest
    assert same == base  # equal answers' fingerprints are equal, wherever the files are
    (moved / "t.csv").write_text("tenant_id,legal_name\nt1,B\n")
    other = run_fingerprint(
        AuditConfig(tenants=moved / "t.csv", usage=tmp_path / "usage.csv"), sha256_file
    )
    assert other is not None and other.changed_parts(base.parts) == ["tenants"]


def test_an_input_that_is_a_url_or_missing_has_no_fingerprint(tmp_path):
    config = _config(tmp_path)
    assert (
        run_fingerprint(config.model_copy(update={"usage": "s3://b/usage.parquet"}), sha256_file)
        is None
    )
    assert (
        run_fingerprint(config.model_copy(update={"usage": tmp_path / "nope.csv"}), sha256_file)
        is None
    )


def test_a_bundle_round_trips_every_table_type(tmp_path):
    from auditor.reuse import bundle as b

    frame = pl.DataFrame(
        {
            "tenant_id": ["t1", None],
            "models": [["H100"], []],
            "seen": pl.Series([None, 1], dtype=pl.Datetime("us", "UTC")),
            "kind": pl.Series(["a", "b"], dtype=pl.Categorical),
            "where": pl.Series(["x", "y"], dtype=pl.Enum(["x", "y"])),
            "share": [float("nan"), 0.5],
            "detail": [{"k": 1}, {"k": None}],
        }
    )
    folder = tmp_path / "run-1"
    folder.mkdir()
    frame.write_ipc(folder / "features.arrow", compression="lz4")
    files = {"features.arrow": file_sha256(folder / "features.arrow")}
    (folder / "records.jsonl").write_bytes(b"")
    files["records.jsonl"] = file_sha256(folder / "records.jsonl")
    import hashlib
    import json

    text = json.dumps(
        {"format": b.FORMAT, "run_id": "run-1", "fingerprint": "f", "facts": {}, "files": files}
    ).encode()
    (folder / "bundle.json").write_bytes(text)
    loaded = read_bundle(folder, hashlib.sha256(text).hexdigest())
    assert_frame_equal(loaded.frames["features"], frame)
    assert loaded.records == []
    try:
        read_bundle(folder, "0" * 64)
    except BundleError as exc:
        assert "is not the one the store recorded" in str(exc)
    else:
        raise AssertionError("a bundle.json the store did not record was loaded")


def test_a_folder_checksum_is_over_its_parts_names_and_sha256s(tmp_path):
    """What run.json records for a folder of Parquet parts, checkable with sha256sum per part."""
    folder = tmp_path / "usage"
    folder.mkdir()
    parts = {"part-1.parquet": b"one", "part-0.parquet": b"zero", "part-2.parquet": b""}
    for name, data in parts.items():
        (folder / name).write_bytes(data)
    (folder / "notes.txt").write_bytes(b"not a part")
    listing = "".join(
        f"{name}\0{hashlib.sha256(parts[name]).hexdigest()}\n" for name in sorted(parts)
    )
    assert sha256_file(folder) == hashlib.sha256(listing.encode()).hexdigest()
    (folder / "notes.txt").write_bytes(b"still not a part")
    assert sha256_file(folder) == hashlib.sha256(listing.encode()).hexdigest()
    (folder / "part-2.parquet").write_bytes(b"now with bytes")
    assert sha256_file(folder) != hashlib.sha256(listing.encode()).hexdigest()
    (folder / "part-2.parquet").rename(folder / "part-3.parquet")  # a renamed part changes it too
    moved = sha256_file(folder)
    (folder / "part-3.parquet").rename(folder / "part-2.parquet")
    assert moved != sha256_file(folder)


def test_an_empty_folder_and_a_file(tmp_path):
    (tmp_path / "empty").mkdir()
    assert sha256_file(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()
    (tmp_path / "f.csv").write_bytes(b"a,b\n")
    assert sha256_file(tmp_path / "f.csv") == hashlib.sha256(b"a,b\n").hexdigest()
