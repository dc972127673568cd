"""A broken environment around the store and the outputs is the user's to fix, so it gets exit 2 with
the file and what happened, never a traceback: a corrupt, read-only, full or foreign store, a full
disk under the outputs, a folder given as --config, a file given as --out. Files are created private."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from store_testkit import audit_args

from auditor.store import open_store
from auditor_testkit import REPO, assert_no_traceback

HOOKED = Path(__file__).with_name("hooked_auditor.py")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def hooked(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HOOKED), *args], env=ENV, capture_output=True, text=True, timeout=300
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


@pytest.fixture
def tmpfs(tmp_path):
    """A small real filesystem that fills up: a tmpfs mount (needs root, as in CI's container)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("a full-disk test mounts a small tmpfs, which needs root")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_corrupt_store_is_named_with_what_to_do(small_provider, store_copy, tmp_path, cli):
    with sqlite3.connect(
        store_copy
    ) as conn:  # the schema's pages survive; the tables' pages do not
        schema_pages = {
            page
            for (page,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'")
        }
    data = bytearray(store_copy.read_bytes())
    for offset in range(4096 * 3, len(data), 4096):
        if offset // 4096 + 1 not in schema_pages:
            data[offset : offset + 100] = b"\xff" * 100
    store_copy.write_bytes(bytes(data))
    code, out, err = cli(*audit_args(small_provider, tmp_path / "out", store_copy))
    assert code == 2, out + err
    # Open or read, depending on whether the schema grew past its first page (then that is damaged too).
    assert (
        "cases.db: cannot read the case store" in err
        or "cases.db: cannot open the case store" in err
    ) and "corrupt; restore it from a backup" in err
    assert_no_traceback(out + err)
    assert not (tmp_path / "out").exists()
    code, out, err = cli("cases", "list", "--store", store_copy)
    assert code == 2 and "corrupt" in err
    assert_no_traceback(out + err)


def test_a_read_only_store_fails_after_the_run_without_showing_its_reports(
    small_provider, store_copy, tmp_path
):
    out = tmp_path / "out"
    store_copy.chmod(0o444)
    # Root ignores file modes; SQLite's own read-only switch gives the same SQLITE_READONLY there.
    pragmas = ["--pragma", "query_only=1"] if os.geteuid() == 0 else []
    done = hooked(*pragmas, "--", *audit_args(small_provider, out, store_copy))
    assert done.returncode == 2, done.stderr
    assert "cannot record run" in done.stderr and "read-only" in done.stderr
    assert_no_traceback(done.stdout + done.stderr)
    assert not out.exists()  # the reports were staged, then dropped: the store has no such run
    store_copy.chmod(0o600)
    with open_store(store_copy) as st:
        assert len(st.runs()) == 1


def test_a_full_store_says_the_disk_is_full(small_provider, store_copy, tmp_path):
    raw = sqlite3.connect(store_copy)
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.close()
    # SQLite's size limit gives the same SQLITE_FULL as a full disk, on any machine.
    done = hooked(
        "--pragma",
        f"max_page_count={pages + 2}",
        "--",
        *audit_args(small_provider, tmp_path / "out", store_copy),
    )
    assert done.returncode == 2, done.stderr
    assert (
        "database or disk is full" in done.stderr
        and "the disk holding the case store is full" in done.stderr
    )
    assert "cannot rollback" not in done.stderr
    assert_no_traceback(done.stdout + done.stderr)
    with open_store(store_copy) as st:
        assert len(st.runs()) == 1


def test_a_store_on_a_full_disk_says_so(small_provider, one_run_store, tmp_path, tmpfs, cli):
    disk = tmpfs(
        f"{one_run_store.stat().st_size + 16 * 1024}"
    )  # room for the store, not for another run
    store = disk / "cases.db"
    shutil.copy(one_run_store, store)
    code, out, err = cli(*audit_args(small_provider, tmp_path / "out", store))
    assert code == 2, out + err
    assert "the disk holding the case store is full" in err and "cases.db" in err
    assert_no_traceback(out + err)
    code, _, err = cli("cases", "list", "--store", store)
    assert code == 2 and "full" in err  # even reading needs room for SQLite's shared-memory file
    saved = tmp_path / "saved.db"
    shutil.copy(store, saved)
    with open_store(saved) as st:
        assert len(st.runs()) == 1


def test_outputs_on_a_full_disk_say_so(small_provider, tmp_path, tmpfs, cli):
    disk = tmpfs("64k")
    code, out, err = cli(*audit_args(small_provider, disk / "out", tmp_path / "cases.db"))
    assert code == 2, out + err
    assert "the disk is full" in err and "out" in err
    assert_no_traceback(out + err)
    assert not (disk / "out").exists() and not list(
        disk.iterdir()
    )  # nothing half-written left on the disk
    with open_store(tmp_path / "cases.db") as st:
        assert (
            st.runs() == []
        )  # reports are staged before the commit, so the store recorded nothing


def test_a_foreign_sqlite_file_is_refused_not_taken_over(small_provider, tmp_path, cli):
    foreign = tmp_path / "app.db"
    raw = sqlite3.connect(foreign)
    raw.execute("CREATE TABLE users (id INTEGER, email TEXT)")
    raw.execute("INSERT INTO users VALUES (1, 'a@example.com')")
    raw.commit()
    raw.close()
    before = foreign.read_bytes()
    code, out, err = cli(*audit_args(small_provider, tmp_path / "out", foreign))
    assert code == 2, out + err
    assert "app.db: an SQLite database that is not an auditor case store (tables: users)" in err
    assert_no_traceback(out + err)
    assert foreign.read_bytes() == before
    code, _, err = cli("cases", "list", "--store", foreign)
    assert code == 2 and "not an auditor case store" in err


def test_store_and_outputs_are_created_private(small_provider, tmp_path, cli):
    store = tmp_path / "db" / "cases.db"
    out = tmp_path / "reports" / "out"
    code, _, err = cli(*audit_args(small_provider, out, store))
    assert code == 10, err
    assert (
        mode(store) == 0o600
        and mode(store.with_name("cases.db.lock")) == 0o600
        and mode(store.parent) == 0o700
    )
    assert mode(out) == 0o700 and {mode(p) for p in out.iterdir()} == {0o600}
    assert not [p for p in store.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_folder_as_config_and_a_file_as_out_are_located_errors(small_provider, tmp_path, cli):
    code, out, err = cli("audit", "--config", tmp_path, "--out", tmp_path / "out")
    assert code == 2 and f"{tmp_path}: is a folder; expected a YAML file" in err
    assert_no_traceback(out + err)
    a_file = tmp_path / "out.txt"
    a_file.write_text("keep me")
    code, out, err = cli(*audit_args(small_provider, a_file, tmp_path / "cases.db"))
    assert code == 2 and "out.txt: the output folder is a file" in err
    assert_no_traceback(out + err)
    assert (
        a_file.read_text() == "keep me" and not (tmp_path / "cases.db").exists()
    )  # refused before any work
    code, out, err = cli(*audit_args(small_provider, tmp_path / "out", tmp_path))
    assert code == 2 and "is a folder; give the path of a case store file" in err


def test_a_decision_on_a_read_only_store_is_refused_and_says_it_was_not_recorded(store_copy):
    with open_store(store_copy) as st:
        case_id = st.cases_in_run(st.latest_run().run_id)[0].case_id
    store_copy.chmod(0o444)
    pragmas = ["--pragma", "query_only=1"] if os.geteuid() == 0 else []
    done = hooked(
        *pragmas,
        "--",
        "cases",
        "decide",
        case_id,
        "--status",
        "confirmed",
        "--reason",
        "listed",
        "--store",
        str(store_copy),
    )
    assert done.returncode == 2, done.stderr
    assert (
        f"cannot record the decision on case {case_id} (it was not recorded)" in done.stderr
        and "read-only" in done.stderr
    )
    assert_no_traceback(done.stdout + done.stderr)
