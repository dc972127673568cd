"""A tiny run of the ownership benchmark, so its generator and measurement cannot rot."""

from __future__ import annotations

import sys

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import ownership_bench  # noqa: E402


def test_ownership_benchmark_runs_and_a_seeded_deep_chain_is_restricted_to_its_end(tmp_path):
    counts = ownership_bench.generate(
        2_000, 6_000, 20_000, tmp_path, chains=2, chain_depth=300, cycles=50
    )
    assert counts["edges"] == 20_000
    figures = ownership_bench.measure(tmp_path)
    assert figures["deepest_chain_ofac"] >= 1 and figures["restricted_tenants_ofac"] >= 1
    assert figures["stage_total_s"] > 0 and figures["floor_read_and_number_ids_s"] > 0
