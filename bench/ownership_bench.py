"""Ownership stage benchmark: 1M tenants, 2M parties, 5M edges with 2,000-deep chains and cycles.

    python bench/ownership_bench.py [--tenants 1000000 --parties 2000000 --edges 5000000] [--data bench/data/ownership]

Generates the ownership and parties tables as Parquet (numpy, seeded), then measures, in a
fresh process limited to two threads (POLARS_MAX_THREADS=2, and `taskset -c 0,1` when
present), the ownership stage as `audit` runs it: reading and checking both files, mapping
ids, merging statements, both regimes' three fixed points (lower, upper, upper from certain
seeds), and the per-tenant verdict rows. Seeds are given as the screening would return
them (1% of parties matched to SDN/EL entries), so screening 2M party names -- the
screening stage's cost, benchmarked in bench/screen_bench.py -- is not in these figures.
Prints wall time per step, the stage total, the stage's CPU seconds (all threads) beside
the floor's, and the process's peak RSS at the end of the stage (before the floor reads its
own copy of the edges); the target is <= 10 s and <= 2 GB. The load average is printed
beside the figures: on a shared machine the wall times move with it, the CPU seconds less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
CHAINS, CHAIN_DEPTH, CYCLES, CYCLE_LEN = 50, 2000, 20_000, 4


def generate(
    tenants: int,
    parties: int,
    edges: int,
    out: Path,
    seed: int = 18,
    chains: int = CHAINS,
    chain_depth: int = CHAIN_DEPTH,
    cycles: int = CYCLES,
) -> dict[str, int]:
    """Tenants t…, parties p…; chains and cycles through parties, the rest random stakes, all as Parquet."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    width_t, width_p = len(str(tenants)), len(str(parties))
    tenant_ids = pl.int_range(0, tenants, eager=True).cast(pl.String).str.zfill(width_t)
    pl.DataFrame(
        {"tenant_id": "t" + tenant_ids, "legal_name": "Tenant " + tenant_ids}
    ).write_parquet(out / "tenants.parquet")
    party_ids = "p" + pl.int_range(0, parties, eager=True).cast(pl.String).str.zfill(width_p)
    kinds = np.where(rng.random(parties) < 0.3, "person", "entity")
    pl.DataFrame(
        {"party_id": party_ids, "name": "Party " + party_ids, "kind": kinds}
    ).write_parquet(out / "parties.parquet")

    # Node numbering for generation: 0..tenants-1 tenants, tenants.. parties.
    def pid(i: np.ndarray) -> np.ndarray:
        return tenants + i

    src_parts, dst_parts, share_parts = [], [], []
    # 2,000-deep chains of 60% stakes through parties, each ending in a tenant.
    chain_nodes = rng.choice(parties, size=chains * chain_depth, replace=False).reshape(
        chains, chain_depth
    )
    for c in range(chains):
        nodes = np.append(pid(chain_nodes[c]), rng.integers(0, tenants))
        src_parts.append(nodes[:-1])
        dst_parts.append(nodes[1:])
        share_parts.append(np.full(chain_depth, 60.0))
    # Cycles of four parties holding 40% of each other.
    cyc = pid(rng.choice(parties, size=cycles * CYCLE_LEN, replace=False)).reshape(
        cycles, CYCLE_LEN
    )
    src_parts.append(cyc.ravel())
    dst_parts.append(np.roll(cyc, -1, axis=1).ravel())
    share_parts.append(np.full(cyc.size, 40.0))
    used = sum(len(s) for s in src_parts)
    rest = edges - used
    # The rest: parties (80%) or tenants (20%) holding stakes in tenants (70%) or parties (30%).
    owner = np.where(
        rng.random(rest) < 0.8, pid(rng.integers(0, parties, rest)), rng.integers(0, tenants, rest)
    )
    owned = np.where(
        rng.random(rest) < 0.7, rng.integers(0, tenants, rest), pid(rng.integers(0, parties, rest))
    )
    owned = np.where(owner == owned, (owned + 1) % tenants, owned)
    share = rng.choice(np.array([5.0, 10.0, 20.0, 25.0, 30.0, 50.0, 60.0, np.nan]), size=rest)
    src_parts.append(owner)
    dst_parts.append(owned)
    share_parts.append(share)
    src, dst, shares = (
        np.concatenate(src_parts),
        np.concatenate(dst_parts),
        np.concatenate(share_parts),
    )

    def ids(nodes: np.ndarray) -> pl.Series:
        n = pl.Series(nodes)
        return (
            pl.when(n < tenants)
            .then(pl.lit("t") + n.cast(pl.String).str.zfill(width_t))
            .otherwise(pl.lit("p") + (n - tenants).cast(pl.String).str.zfill(width_p))
        )

    frame = pl.DataFrame({"src": src, "dst": dst, "share": shares}).select(
        ids(src).alias("owner_id"),
        ids(dst).alias("owned_id"),
        pl.col("share").fill_nan(None),
        pl.lit("registry").alias("source"),
        pl.int_range(0, pl.len()).cast(pl.String).alias("source_ref"),
    )
    frame.write_parquet(out / "ownership.parquet")
    # Seeds: the head of every other chain, and 1% of parties at random.
    seeds = np.concatenate(
        [chain_nodes[::2, 0], rng.choice(parties, size=parties // 100, replace=False)]
    )
    pl.DataFrame({"party": seeds}).write_parquet(out / "seeds.parquet")
    return {
        "tenants": tenants,
        "parties": parties,
        "edges": int(len(src)),
        "chains": chains,
        "chain_depth": chain_depth,
        "cycles": cycles,
    }


def measure(data_dir: Path) -> dict[str, float]:
    """The ownership stage over the generated files, step by step."""
    from auditor.model.schema import TENANTS
    from auditor.ownership.assess import assess, regime_rows
    from auditor.ownership.inputs import load_ownership
    from auditor.ownership.regimes import DEFAULT_REGIMES
    from auditor.ownership.seeds import SEED_SCHEMA

    tenants = pl.read_parquet(data_dir / "tenants.parquet")
    tenants = tenants.with_columns(
        [
            pl.lit(None, dtype=c.dtype).alias(c.name)
            for c in TENANTS.columns
            if c.name not in tenants.columns
        ]
    )
    width = len(
        str(pl.scan_parquet(data_dir / "parties.parquet").select(pl.len()).collect().item())
    )
    seeds = pl.read_parquet(data_dir / "seeds.parquet")
    party = "p" + seeds["party"].cast(pl.String).str.zfill(width)
    matches = pl.DataFrame(
        {
            "node_id": party,
            "query": party,
            "entry_id": "E" + party,
            "entry_name": "Entry " + party,
            "matched": party,
            "source_code": pl.Series(np.where(np.arange(seeds.height) % 2 == 0, "SDN", "EL")),
            "programs": "NPWMD",
            "score": 1.0,
            "explanation": "{}",
        }
    ).cast(SEED_SCHEMA)
    times: dict[str, float] = {}
    start, start_cpu = time.perf_counter(), _cpu()
    data = load_ownership(tenants, data_dir / "ownership.parquet", data_dir / "parties.parquet")
    times["read_and_check_s"] = time.perf_counter() - start
    t = time.perf_counter()
    assessment = assess(data, matches, list(DEFAULT_REGIMES), AS_OF, 0.93, 25.0)
    times["graphs_and_fixed_points_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rows = pl.concat([regime_rows(a, 25.0) for a in assessment.regimes])
    times["verdict_rows_s"] = time.perf_counter() - t
    times["stage_total_s"] = time.perf_counter() - start
    times["stage_cpu_s"] = _cpu() - start_cpu
    # The stage's peak, taken before the floor allocates its own copy of the edges.
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The floor, in the same process and under the same load: read the edges and number their ids (one join per side).
    t, t_cpu = time.perf_counter(), _cpu()
    edges = pl.read_parquet(data_dir / "ownership.parquet", columns=["owner_id", "owned_id"])
    ids = data.nodes.select("node_id", pl.int_range(0, pl.len(), dtype=pl.Int64).alias("idx"))
    edges.join(ids.rename({"node_id": "owner_id"}), on="owner_id", how="left").join(
        ids.rename({"node_id": "owned_id", "idx": "idx2"}), on="owned_id", how="left"
    )
    times["floor_read_and_number_ids_s"] = time.perf_counter() - t
    times["floor_cpu_s"] = _cpu() - t_cpu
    a = assessment.regimes[0]
    times["restricted_tenants_ofac"] = float(
        rows.filter((pl.col("regime") == "ofac-50") & (pl.col("verdict") == "restricted")).height
    )
    times["deepest_chain_ofac"] = float(a.lower.level.max())
    return times


def _cpu() -> float:
    """CPU seconds of this process, every thread: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tenants", type=int, default=1_000_000)
    ap.add_argument("--parties", type=int, default=2_000_000)
    ap.add_argument("--edges", type=int, default=5_000_000)
    ap.add_argument("--data", type=Path, default=REPO / "bench" / "data" / "ownership")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure_only:
        print(json.dumps(measure(args.data)))
        return
    started = time.perf_counter()
    counts = generate(args.tenants, args.parties, args.edges, args.data)
    print(f"generated {counts} in {time.perf_counter() - started:.1f} s")
    env = {
        **os.environ,
        "POLARS_MAX_THREADS": "2",
        "OMP_NUM_THREADS": "2",
        "OPENBLAS_NUM_THREADS": "2",
    }
    command = [sys.executable, __file__, "--measure-only", "--data", str(args.data)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0,1", *command]
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    result = json.loads(
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    for key, value in result.items():
        print(f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    ok = result["stage_total_s"] <= 10 and result["peak_rss_mb"] <= 2048
    print(f"target (<= 10 s, <= 2048 MB on 2 cores): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
