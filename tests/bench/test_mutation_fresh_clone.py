"""The mutation command runs from a fresh clone: nothing but the tracked files and the dev
install -- no coverage map, no earlier log, no ../shared. A two-mutant sample of the
operators against their own test file, logged, reported and resumed (about 15 s idle)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from auditor_testkit import REPO

MODULE = "auditor/engine/operators.py"
TESTS = "tests/engine/test_engine_operators.py"


def _tracked_copy(into: Path) -> Path:
    """The files a clone would hold, as they are in the working tree (so an edit is tested
    before it is committed); without git (a mutation sandbox), the folders the tool copies."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=False
    )
    names = [n for n in listed.stdout.split("\0") if n] if listed.returncode == 0 else []
    if not names:
        names = [
            p.relative_to(REPO).as_posix()
            for top in ("auditor", "tests", "rules", "examples", "bench", "pyproject.toml")
            for p in ([REPO / top] if (REPO / top).is_file() else (REPO / top).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        ]
    for name in names:
        source = REPO / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def _mutation(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "AUDITOR_SHARED")}
    env["PYTHONPATH"] = str(clone)  # the clone's auditor, not the installed working tree's
    return subprocess.run(
        [sys.executable, "bench/mutation.py", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_sampled_run_logs_reports_and_resumes_on_a_fresh_clone(tmp_path):
    clone = _tracked_copy(tmp_path / "clone")
    assert not (clone / ".venv").exists() and not (clone / "bench" / "mutation-map.json").exists()
    log = tmp_path / "sample.jsonl"
    done = _mutation(
        clone, "--sample", "2", "--modules", MODULE, "--tests", TESTS, "--workers", "1",
        "--log", str(log),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 2
    assert {r["mutant"]["module"] for r in records} == {MODULE}
    assert all(r["status"] in ("killed", "survived", "timeout") for r in records)
    assert all(len(r["sha256"]) == 64 for r in records)  # resumable on a later commit
    assert f"| {MODULE} | 2 of " in done.stdout

    report = _mutation(clone, "--report", str(log), "--modules", MODULE)
    assert report.returncode == 0, report.stderr[-2000:]
    assert f"| {MODULE} | 2 of " in report.stdout
    assert any(line.startswith("2 of ") and "remain" in line for line in report.stdout.splitlines())

    again = _mutation(
        clone, "--sample", "2", "--modules", MODULE, "--tests", TESTS, "--resume", str(log),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert "resume: 2 of 2 mutants already measured" in again.stderr
    assert len(log.read_text().splitlines()) == 2  # nothing planted twice
