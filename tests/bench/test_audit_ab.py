"""A tiny run of the side-by-side benchmark (bench/audit_ab.py), so it cannot rot.

The earlier side is this checkout's own HEAD, exported as the script exports any ref: both
sides then run the same auditor code, so they must give the same case count. A mismatch in
the counts must stop the script.
"""

from __future__ import annotations

import sys

import pytest

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import audit_ab  # noqa: E402
from same_answers import export  # noqa: E402
from scale_gen import generate  # noqa: E402


@pytest.fixture
def small_provider(tmp_path, monkeypatch):
    generate(1200, 12_000, tmp_path / "data")
    monkeypatch.setattr(audit_ab, "ensure_data", lambda tenants, rows: tmp_path / "data")
    return tmp_path


def test_alternating_runs_time_both_sides_and_report_their_ratio(small_provider):
    code = export("HEAD", small_provider / "before-code")
    floor, runs = audit_ab.alternate("1200x10", code, 2, small_provider)
    # Round 0 runs before first and round 1 runs after first, so neither side always goes first.
    assert [run.side for run in runs] == ["before", "after", "after", "before"]
    assert len({run.cases for run in runs}) == 1 and runs[0].cases > 0
    assert all(run.timed.seconds > 0 and run.timed.cpu_s > 0 for run in runs)
    assert all("features.usage" in run.stages for run in runs)
    text = audit_ab.report("1200x10", "HEAD", floor, runs)
    sides = [line.split(":")[0].strip() for line in text.splitlines()[1:-1]]
    assert sides == ["before", "after", "after", "before"]
    assert "after / before: wall" in text and "cases" in text


def test_different_case_counts_stop_the_comparison(small_provider, monkeypatch):
    timed = audit_ab.Timed(seconds=1.0, peak_gb=0.1, code=0, cpu_s=1.0)

    def one_case_more_after(side, code, data, out):
        return audit_ab.Run(side, timed, {}, 59 if side == "before" else 60)

    monkeypatch.setattr(audit_ab, "run_side", one_case_more_after)
    with pytest.raises(SystemExit, match="different case counts"):
        audit_ab.alternate("1200x10", small_provider, 1, small_provider)


def test_the_child_gets_the_earlier_code_first_or_no_inherited_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    assert audit_ab._env(tmp_path)["PYTHONPATH"] == str(tmp_path)
    assert "PYTHONPATH" not in audit_ab._env(None)
