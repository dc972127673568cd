"""A tiny run of the screening benchmark, so its list, its queries and its timings cannot rot."""

from __future__ import annotations

import sys

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import screen_bench  # noqa: E402


def test_screen_bench_prints_wall_cpu_and_the_floor(monkeypatch, capsys):
    args = ["--names", "300", "--list-names", "600", "--sample", "30", "--wratio-sample", "5"]
    monkeypatch.setattr(sys, "argv", ["screen_bench.py", *args])
    assert screen_bench.main() == 0
    out = capsys.readouterr().out
    assert "algorithm=name-v2" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    fields = dict(part.split("=") for part in lines["index"].split()[1:] if "=" in part)
    assert fields["names"] == "300" and int(fields["matched_names"]) >= 1  # 1 % listed variants
    assert "names_per_cpu_s=" in lines["cpu"] and "index/floor CPU ratio" in out
