"""A tiny run of the network-link benchmark, so its generator and its measurement cannot rot."""

from __future__ import annotations

import sys

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import network_bench  # noqa: E402


def test_network_bench_finds_its_planted_farms_and_prints_both_timings(tmp_path, capsys):
    network_bench.make_tables(3000, 8, tmp_path)
    network_bench.run_one(3000, tmp_path)
    line = capsys.readouterr().out
    assert "read_access_s=" in line and "farm_links_s=" in line and "peak_rss_mb=" in line
    fields = dict(part.split("=") for part in line.split())
    # three farms of six launching together: every ordered pair linked; the big NATs and the
    # ordinary tenants link nobody
    assert fields["signins"] == str(3000 * 8)
    assert fields["farm_edges"] == fields["edges"] == str(3 * 6 * 5)
