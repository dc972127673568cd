"""The whole `auditor audit` command: an earlier version against this one, in alternating runs.

This machine's speed drifts by 15-30% within an hour (docs/performance.md, sessions 17-18): the
same code's 200k run took 18.2 s once and 12.6 s twenty minutes later. So a change is shown
only by runs taken side by side. For each size, this script runs the floor once, then
`--rounds` pairs of runs: the earlier code (`--before`, a git ref exported with `git archive`
and put first on PYTHONPATH, as bench/same_answers.py does) and the working tree's. Which
side goes first alternates from round to round. Each run is a fresh process with every report
written and no store. For each run it prints the wall time, the CPU seconds (user + sys), the
peak memory, the case count and the largest stages. Then it prints each side's medians and the
after / before ratios, beside the floor. Runs that give different case counts are an error:
check such answers with bench/same_answers.py first. Data come from bench/scale_gen.py and are
cached in bench/data/, as for audit_bench.py.

    python bench/audit_ab.py --before 863ee83 --sizes 200000x10 --rounds 2
    python bench/audit_ab.py --before main~3 --sizes 1000000x100 --rounds 1
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from audit_bench import (  # noqa: E402
    Timed,
    audit_command,
    ensure_data,
    run_floor,
    stages_line,
    timed_audit,
)
from same_answers import export  # noqa: E402


@dataclass(frozen=True)
class Run:
    side: str  # "before" (the --before ref) or "after" (the working tree)
    timed: Timed
    stages: dict[str, float]
    cases: int


def _env(code: Path | None) -> dict[str, str]:
    """The child's environment: `code` first on PYTHONPATH, or none of the caller's PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return env


def run_side(side: str, code: Path | None, data: Path, out: Path) -> Run:
    timed, manifest = timed_audit(audit_command(data, out), out, env=_env(code))
    shutil.rmtree(out, ignore_errors=True)
    return Run(side, timed, manifest.get("stages", {}), manifest["counts"]["cases"])


def alternate(label: str, before_code: Path, rounds: int, work: Path) -> tuple[Timed, list[Run]]:
    """The floor, then `rounds` pairs of runs of one size, before first in even rounds."""
    tenants, per_tenant = (int(x) for x in label.split("x"))
    data = ensure_data(tenants, tenants * per_tenant)
    floor = run_floor(data)
    runs: list[Run] = []
    for i in range(rounds):
        order = [("before", before_code), ("after", None)]
        for side, code in order if i % 2 == 0 else reversed(order):
            runs.append(run_side(side, code, data, work / f"out-{label}-{side}-{i}"))
    cases = {run.cases for run in runs}
    if len(cases) != 1:
        counts = ", ".join(f"{run.side} {run.cases:,}" for run in runs)
        raise SystemExit(f"{label}: the two versions give different case counts ({counts})")
    return floor, runs


def medians(runs: list[Run], side: str) -> dict[str, float]:
    mine = [run.timed for run in runs if run.side == side]
    return {
        "seconds": statistics.median(t.seconds for t in mine),
        "cpu_s": statistics.median(t.cpu_s for t in mine),
        "peak_gb": statistics.median(t.peak_gb for t in mine),
    }


def report(label: str, ref: str, floor: Timed, runs: list[Run]) -> str:
    lines = [f"{label}: floor {floor.seconds:.1f} s (cpu {floor.cpu_s:.1f} s), --before {ref}"]
    for run in runs:
        t = run.timed
        lines.append(
            f"  {run.side:>6}: {t.seconds:7.1f} s (cpu {t.cpu_s:.1f} s) {t.peak_gb:4.1f} GB "
            f"{t.seconds / floor.seconds:5.1f}x | {run.cases:,} cases | {stages_line(run.stages, t.seconds, top=4)}"
        )
    before, after = medians(runs, "before"), medians(runs, "after")
    lines.append(
        f"  median: before {before['seconds']:.1f} s (cpu {before['cpu_s']:.1f} s, {before['peak_gb']:.1f} GB), "
        f"after {after['seconds']:.1f} s (cpu {after['cpu_s']:.1f} s, {after['peak_gb']:.1f} GB); "
        f"after / before: wall {after['seconds'] / before['seconds']:.2f}, "
        f"cpu {after['cpu_s'] / before['cpu_s']:.2f}, peak {after['peak_gb'] / before['peak_gb']:.2f}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git ref of the earlier code")
    parser.add_argument(
        "--sizes", default="200000x10", help="TENANTSxROWS_PER_TENANT, comma-separated"
    )
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs per size")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    with tempfile.TemporaryDirectory(prefix="audit-ab-") as tmp:
        work = Path(tmp)
        before_code = export(args.before, work / "before-code")
        for label in args.sizes.split(","):
            floor, runs = alternate(label.strip(), before_code, args.rounds, work)
            print(report(label.strip(), args.before, floor, runs), flush=True)


if __name__ == "__main__":
    main()
