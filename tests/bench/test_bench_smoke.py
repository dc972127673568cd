"""A tiny run of the scale benchmark, so the generator and the benchmark cannot rot.

The full benchmark (`python bench/audit_bench.py`) is too long for the test run; this
checks the same code paths on two replicas of the example provider.
"""

from __future__ import annotations

import sys

import polars as pl

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import audit_bench  # noqa: E402
from scale_gen import generate  # noqa: E402


def test_scaled_provider_keeps_the_pattern_mix_and_the_benchmark_runs(tmp_path):
    manifest = generate(2400, 75_000, tmp_path)  # 3 sub-runs a run: about 72k rows
    template = pl.read_csv(REPO / "examples" / "provider" / "tenants.csv").height
    assert manifest["replicas"] == 2 and manifest["counts"]["tenants"] == 2 * template
    assert manifest["counts"]["usage"] >= 50_000

    floor = audit_bench.floor(tmp_path)
    assert floor.height > 2000 and floor["gpu_hours"].sum() > 0

    result = audit_bench.full_audit(tmp_path)
    cases = result.cases.cases
    planted = pl.read_csv(REPO / "examples" / "provider" / "planted.csv").filter(
        ~pl.col("pattern").str.starts_with("benign")
    )
    # The scale generator replicates tenants, usage and access, not the ownership tables.
    planted = planted.filter(~pl.col("pattern").str.starts_with("ownership-"))
    flagged = set(cases["tenant_ids"].explode().to_list())
    for replica in (0, 1):
        missing = {f"{t}-r{replica}" for t in planted["tenant_id"]} - flagged
        assert not missing, f"replica {replica} lost planted tenants: {sorted(missing)}"
    benign = pl.read_csv(REPO / "examples" / "provider" / "planted.csv").filter(
        pl.col("pattern").str.starts_with("benign")
    )
    assert not ({f"{t}-r0" for t in benign["tenant_id"]} & flagged)


def test_the_whole_process_benchmark_times_floor_audit_and_a_second_run_with_a_store(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(audit_bench, "ensure_data", lambda tenants, rows: tmp_path / "data")
    generate(1200, 12_000, tmp_path / "data")
    result = audit_bench.measure("1200x10", with_store=True)
    assert result.tenants >= 1200 and result.cases > 0
    assert result.floor.seconds > 0 and result.audit.seconds > 0 and result.audit.peak_gb > 0
    assert {"inputs", "features.usage", "features.screening", "scoring", "reports"} <= set(
        result.stages
    )
    # The second run over the same files reuses the first run's answer (auditor.reuse).
    assert result.store_second is not None and result.reused_from is not None
    # CPU seconds of each child (user + sys): what a loaded machine's figures can be compared by.
    assert result.audit.cpu_s > 0 and result.store_second.cpu_s > 0 and result.floor.cpu_s > 0
    assert {"store.read", "classify", "store.commit"} <= set(result.second_stages)
    table = audit_bench.markdown_table([result])
    assert f"| {result.tenants:,} |" in table and "audit / floor" in table and "CPU" in table
