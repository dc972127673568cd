"""Without Java the Spark tests skip saying why -- except under CI=true, where they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TARGET = f"{HERE / 'test_spark_parity.py'}::test_a_missing_required_column_is_named"


def _run_without_java(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "CI")}
    env["PATH"] = str(tmp_path)  # an empty folder: no java on PATH
    env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-n", "0", "-p", "no:cacheprovider", TARGET],
        capture_output=True,
        text=True,
        env=env,
        cwd=HERE.parents[1],
        timeout=300,
    )


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_a_missing_java_skips_with_the_reason_and_fails_under_ci(tmp_path, ci, outcome):
    done = _run_without_java(tmp_path, ci)
    assert outcome in done.stdout, done.stdout[-2000:]
    assert "Java is not installed" in done.stdout
