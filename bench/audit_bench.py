"""Audit at scale against the floor: how close is the full audit to merely reading and aggregating usage?

For each size, in one process: (a) the floor -- scan the usage Parquet and sum GPU-hours per
tenant with Polars, which any auditor must do; (b) the full audit (`auditor.run.audit`) on
the same files, with the example's restricted-party list. Prints wall time, peak memory
(resident set sampled every 10 ms during each phase) and the ratio audit / floor, so growth
with size is visible. Data comes from bench/scale_gen.py and is cached in bench/data/.

    python bench/audit_bench.py                       # 10k, 100k, 1M tenants, 100 usage rows each
    python bench/audit_bench.py --sizes 10000 --rows-per-tenant 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from scale_gen import generate  # noqa: E402

LIST = REPO / "examples" / "provider" / "lists" / "restricted-parties.csv"
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


@contextmanager
def measured(record: dict, key: str):
    """Wall time and peak resident memory of the block, by sampling."""
    peak = [rss_bytes()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], rss_bytes())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        record[f"{key}_s"] = time.perf_counter() - started
        done.set()
        thread.join()
        record[f"{key}_peak_gb"] = max(peak[0], rss_bytes()) / 1e9


def floor(data: Path) -> pl.DataFrame:
    """The least any auditor does: read usage, look up GPU counts, sum GPU-hours per tenant."""
    from auditor.catalog import instance_table

    gpus = instance_table().lazy().select("instance_type", "gpu_count")
    hours = (pl.col("end").fill_null(pl.lit(AS_OF)) - pl.col("start")).dt.total_seconds() / 3600.0
    return (
        pl.scan_parquet(data / "usage" / "*.parquet")
        .join(gpus, on="instance_type", how="left")
        .group_by("tenant_id")
        .agg((hours * pl.col("gpu_count").fill_null(0)).sum().alias("gpu_hours"))
        .collect(engine="streaming")
    )


def full_audit(data: Path):
    from auditor.config import AuditConfig
    from auditor.run import audit

    config = AuditConfig(
        tenants=data / "tenants", usage=data / "usage", access=data / "access", lists=[LIST], as_of=AS_OF
    )
    return audit(config)


def ensure_data(tenants: int, rows: int) -> Path:
    data = REPO / "bench" / "data" / f"{tenants}-{rows}"
    manifest = data / "manifest.json"
    if not manifest.exists():
        print(f"generating {tenants:,} tenants / {rows:,} usage rows ...", file=sys.stderr)
        generate(tenants, rows, data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="tenant counts, comma-separated")
    parser.add_argument("--rows-per-tenant", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        data = ensure_data(size, size * args.rows_per_tenant)
        counts = json.loads((data / "manifest.json").read_text())["counts"]
        record = {"tenants": counts["tenants"], "usage_rows": counts["usage"]}
        with measured(record, "floor"):
            floor(data)
        with measured(record, "audit"):
            result = full_audit(data)
        record["cases"] = result.cases.cases.height
        record["ratio"] = record["audit_s"] / record["floor_s"]
        results.append(record)
        print(
            f"{record['tenants']:>10,} tenants {record['usage_rows']:>12,} rows | floor {record['floor_s']:7.2f} s "
            f"{record['floor_peak_gb']:5.2f} GB | audit {record['audit_s']:7.2f} s {record['audit_peak_gb']:5.2f} GB "
            f"| ratio {record['ratio']:5.1f}x | {record['cases']:,} cases",
            flush=True,
        )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
