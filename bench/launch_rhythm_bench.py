"""Launch-rhythm link speed (issue 10): `launch_links` alone on a generated provider.

    python bench/scale_gen.py --tenants 200000 --usage-rows 2000000 --out data/200k
    python bench/launch_rhythm_bench.py data/200k --save before.parquet   # on the old code
    python bench/launch_rhythm_bench.py data/200k --compare before.parquet  # on the new one

At 1M tenants x 100 usage rows `launch_links` was most of the whole audit's time (issue 10),
so it is timed here alone: the inputs are loaded as the audit loads them (`load_inputs`,
usage lazy, as-of the latest event), then `launch_links` runs once, and its wall time, CPU
seconds (user + sys of all threads: load inflates them less than wall time) and the peak
resident memory of the process are printed with the load average. `--save` writes its
links and counts (sorted) to one Parquet file; `--compare` checks a later run gives exactly
those tables, so a faster version is shown to give the same answers.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import polars as pl


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _answers(links: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """Links and counts in one frame, each sorted: a table the two runs' answers must equal."""
    return pl.concat(
        [
            links.sort(links.columns).with_columns(pl.lit("links").alias("table")),
            counts.sort(counts.columns).with_columns(pl.lit("counts").alias("table")),
        ],
        how="diagonal",
    )


def _table(data: Path, name: str) -> Path:
    """The folder `name` (scale_gen's output) or the file `name`.csv (examples/provider)."""
    return data / name if (data / name).is_dir() else data / f"{name}.csv"


def main(argv: list[str] | None = None) -> int:
    from auditor.features.launch_rhythm import launch_links
    from auditor.features.network_links import NetworkSettings
    from auditor.model.inputs import load_inputs
    from auditor.run import default_as_of

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "data", type=Path, help="a folder written by bench/scale_gen.py, or examples/provider"
    )
    ap.add_argument("--save", type=Path, help="write the links and counts here (Parquet)")
    ap.add_argument("--compare", type=Path, help="check the links and counts equal these")
    args = ap.parse_args(argv)

    inputs = load_inputs(_table(args.data, "tenants"), _table(args.data, "usage"))
    as_of = default_as_of(inputs)
    loaded_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), _cpu_seconds()
    links, counts = launch_links(inputs.usage, inputs.tenants, as_of, NetworkSettings())
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    answers = _answers(links, counts)
    verdict = ""
    if args.save:
        answers.write_parquet(args.save)
    if args.compare:
        same = answers.equals(pl.read_parquet(args.compare))
        verdict = f" same_answers={'yes' if same else 'NO'}"
    print(
        f"data={args.data} tenants={inputs.tenants.height} as_of={as_of:%Y-%m-%dT%H:%M} "
        f"launch_links_s={wall:.2f} cpu_s={cpu:.2f} peak_rss_mb={peak:.0f} "
        f"rss_after_loading_mb={loaded_rss:.0f} links={links.height} "
        f"counted_tenants={counts.height} load={os.getloadavg()[0]:.2f}{verdict}",
        flush=True,
    )
    return 0 if not verdict or verdict.endswith("yes") else 1


if __name__ == "__main__":
    sys.exit(main())
