"""The whole `auditor audit` command against its floor, as an operator runs them: each a fresh process.

For each size: (a) the floor -- a Python process that scans the usage Parquet and sums
GPU-hours per tenant with Polars, which any auditor must do; (b) `auditor audit` on the
same files (the example's restricted-party list, every report written), as a subprocess;
(c) the same command twice with a fresh case store: its first run, then a second run over
the same data, which finds nothing changed and reuses the first run's answer (auditor.reuse). Prints wall time, the ratio
to the floor and the peak resident memory of each process (os.wait4's rusage of that
child) and its CPU seconds (user + sys, the same rusage: on a loaded machine wall times are
several times an idle one's, CPU seconds much less so), then where the audit's time went
(run.json `stages`, which with a store include its open, read, classification and commit), and a
Markdown table -- the README's. Data comes from bench/scale_gen.py and is cached in bench/data/ (delete it after).

    python bench/audit_bench.py                                  # 10k, 100k, 1M x 100 rows; 200k x 10 rows
    python bench/audit_bench.py --sizes 10000x20 --no-store
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl

REPO = Path(__file__).resolve().parents[1]

LIST = REPO / "examples" / "provider" / "lists" / "restricted-parties.csv"
# Officers of list entries: the file names no tenant, so the replicas share it as it is.
LIST_OFFICERS = REPO / "examples" / "provider" / "list-officers.csv"
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
DEFAULT_SIZES = "10000x100,100000x100,1000000x100,200000x10"
TARGETS = {"1000000x100": 3.0, "200000x10": 5.0}  # issue 10: whole audit / floor
STORE_TARGET = 2.0  # second run with a store / floor


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
    """The audit in this process (the smoke test's check that scaled data keep their cases)."""
    from auditor.config import AuditConfig
    from auditor.run import audit

    config = AuditConfig(
        tenants=data / "tenants",
        usage=data / "usage",
        access=data / "access",
        downstream=data / "downstream.csv",
        list_officers=LIST_OFFICERS,
        lists=[LIST],
        as_of=AS_OF,
    )
    return audit(config)


@dataclass
class Timed:
    seconds: float
    peak_gb: float
    code: int
    stderr: str = ""
    cpu_s: float = (
        0.0  # the child's user + sys CPU seconds: comparable under load, where wall is not
    )


def run_process(command: list[str], env: dict[str, str] | None = None) -> Timed:
    """Wall time, CPU time (user + sys), exit code and peak resident memory of one child process (its own rusage)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env
    )
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Timed(
        time.perf_counter() - started,
        usage.ru_maxrss * 1024 / 1e9,
        child.returncode,
        stderr,
        usage.ru_utime + usage.ru_stime,
    )


def auditor_command() -> list[str]:
    script = Path(sys.executable).parent / "auditor"
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from auditor.cli.main import run; run()"]
    )


def audit_command(data: Path, out: Path, store: Path | None = None) -> list[str]:
    command = [
        *auditor_command(),
        "audit",
        "--tenants",
        str(data / "tenants"),
        "--usage",
        str(data / "usage"),
        "--access",
        str(data / "access"),
        "--downstream",
        str(data / "downstream.csv"),
        "--list-officers",
        str(LIST_OFFICERS),
        "--lists",
        str(LIST),
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(out),
    ]
    return command + (["--store", str(store)] if store else [])


def timed_audit(
    command: list[str], out: Path, env: dict[str, str] | None = None
) -> tuple[Timed, dict[str, Any]]:
    timed = run_process(command, env)
    if timed.code not in (0, 10):  # 10: alerts, with a store
        raise SystemExit(f"auditor audit exited {timed.code}:\n{timed.stderr[-3000:]}")
    return timed, json.loads((out / "run.json").read_text())


@dataclass
class SizeResult:
    label: str
    tenants: int
    usage_rows: int
    floor: Timed
    floor_compute_s: float
    audit: Timed
    stages: dict[str, float]
    cases: int
    store_first: Timed | None = None
    store_second: Timed | None = None
    second_stages: dict[str, float] = field(default_factory=dict)
    reused_from: str | None = None  # the run whose answer the second run reused (run.json `reuse`)
    reuse_reason: str = ""

    def ratio(self, timed: Timed | None) -> float | None:
        return None if timed is None else timed.seconds / self.floor.seconds


def ensure_data(tenants: int, rows: int) -> Path:
    data = REPO / "bench" / "data" / f"{tenants}-{rows}"
    if not (data / "manifest.json").exists() or not (data / "downstream.csv").exists():
        print(
            f"generating {tenants:,} tenants / {rows:,} usage rows ...", file=sys.stderr, flush=True
        )
        # In a process of its own: a child forked from a process that grew to gigabytes reports
        # that size as its own peak (Linux counts the forked image in ru_maxrss), so generating
        # here inflated every later floor and audit's peak memory (2.3 GB for a 0.3 s floor).
        subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "scale_gen.py"),
                "--tenants",
                str(tenants),
                "--usage-rows",
                str(rows),
                "--out",
                str(data),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return data


def run_floor(data: Path) -> Timed:
    """The floor as its own process (this script with --floor); its scan seconds end its stderr."""
    floor_run = run_process([sys.executable, str(Path(__file__).resolve()), "--floor", str(data)])
    if floor_run.code != 0:
        raise SystemExit(f"floor exited {floor_run.code}:\n{floor_run.stderr[-3000:]}")
    return floor_run


def measure(label: str, with_store: bool) -> SizeResult:
    tenants, per_tenant = (int(x) for x in label.split("x"))
    data = ensure_data(tenants, tenants * per_tenant)
    counts = json.loads((data / "manifest.json").read_text())["counts"]
    work = REPO / "bench" / "data" / f"runs-{label}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    floor_run = run_floor(data)
    compute = float(floor_run.stderr.strip().splitlines()[-1])
    audit, manifest = timed_audit(audit_command(data, work / "out"), work / "out")
    result = SizeResult(
        label,
        counts["tenants"],
        counts["usage"],
        floor_run,
        compute,
        audit,
        manifest.get("stages", {}),
        manifest["counts"]["cases"],
    )
    if with_store:
        store = work / "cases.db"
        result.store_first, _ = timed_audit(
            audit_command(data, work / "out-1", store), work / "out-1"
        )
        result.store_second, second = timed_audit(
            audit_command(data, work / "out-2", store), work / "out-2"
        )
        result.second_stages = second.get("stages", {})
        reuse = second.get("reuse") or {}
        result.reused_from, result.reuse_reason = reuse.get("reused_from"), reuse.get("reason", "")
    shutil.rmtree(work, ignore_errors=True)
    return result


def stages_line(stages: dict[str, float], wall: float, top: int = 7) -> str:
    """The biggest stages of run.json, and what the process spent outside them (start-up,
    imports, publishing the folder, delivering the alert and the outbox)."""
    outside = max(wall - sum(stages.values()), 0.0)
    parts = {**stages, "outside stages": outside}
    biggest = sorted(parts.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{name} {seconds:.1f} s ({seconds / wall:.0%})" for name, seconds in biggest)


def _s(timed: Timed | None) -> str:
    return "—" if timed is None else f"{timed.seconds:.1f} s"


def _cpu(timed: Timed | None) -> str:
    return "" if timed is None else f" (cpu {timed.cpu_s:.1f} s)"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def markdown_table(results: list[SizeResult]) -> str:
    lines = [
        "| tenants | usage rows | floor | `auditor audit` | audit CPU | audit / floor | peak memory | reports | cases | 2nd run, store | 2nd run CPU | 2nd / floor |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        reports = r.stages.get("reports", 0.0)
        lines.append(
            f"| {r.tenants:,} | {r.usage_rows:,} | {r.floor.seconds:.1f} s | {r.audit.seconds:.1f} s | {r.audit.cpu_s:.1f} s | {_x(r.ratio(r.audit))} | "
            f"{r.audit.peak_gb:.1f} GB | {reports:.1f} s ({reports / r.audit.seconds:.0%}) | {r.cases:,} | {_s(r.store_second)} | "
            f"{'—' if r.store_second is None else f'{r.store_second.cpu_s:.1f} s'} | {_x(r.ratio(r.store_second))} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help="TENANTSxROWS_PER_TENANT, comma-separated"
    )
    parser.add_argument(
        "--no-store", action="store_true", help="skip the two runs with a case store"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument(
        "--floor", type=Path, help=argparse.SUPPRESS
    )  # internal: be the floor process for DIR
    args = parser.parse_args()
    if args.floor:
        started = time.perf_counter()
        floor(args.floor)
        print(f"{time.perf_counter() - started:.4f}", file=sys.stderr)
        return
    results = []
    for label in args.sizes.split(","):
        r = measure(label.strip(), not args.no_store)
        results.append(r)
        target = TARGETS.get(label.strip())
        print(
            f"{r.tenants:>10,} tenants {r.usage_rows:>12,} rows | floor {r.floor.seconds:6.1f} s (scan {r.floor_compute_s:.1f} s, cpu {r.floor.cpu_s:.1f} s) "
            f"{r.floor.peak_gb:4.1f} GB | audit {r.audit.seconds:6.1f} s{_cpu(r.audit)} {r.audit.peak_gb:4.1f} GB | {r.ratio(r.audit):5.1f}x"
            + (f" (target {target:.0f}x)" if target else "")
            + (
                f" | store: 1st {_s(r.store_first)}{_cpu(r.store_first)}, 2nd {_s(r.store_second)}{_cpu(r.store_second)} = {r.ratio(r.store_second):.1f}x (target {STORE_TARGET:.0f}x), "
                + ("answer reused" if r.reused_from else f"answer computed ({r.reuse_reason})")
                if r.store_second
                else ""
            )
            + f" | {r.cases:,} cases",
            flush=True,
        )
        print(
            f"    where the audit's time went: {stages_line(r.stages, r.audit.seconds)}",
            flush=True,
        )
        if r.second_stages and r.store_second:
            print(
                f"    second run with a store:    {stages_line(r.second_stages, r.store_second.seconds)}",
                flush=True,
            )
    print()
    print(markdown_table(results))
    if args.json:
        print(
            json.dumps(
                [
                    {**r.__dict__, "floor": r.floor.__dict__, "audit": r.audit.__dict__}
                    for r in results
                ],
                indent=2,
                default=lambda o: o.__dict__,
            )
        )


if __name__ == "__main__":
    main()
