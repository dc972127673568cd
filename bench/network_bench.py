"""Network-link speed (issue 21): the linking stage beside reading the access table, per size.

    python bench/network_bench.py                      # 20k and 100k tenants, 50 sign-ins each
    python bench/network_bench.py --tenants 1000000    # the target: 1M tenants, 50M sign-ins

Target: `farm_links` (network, launch-rhythm and creation-burst links) at most 3x the time
of reading the access table (the floor: `pl.read_parquet` of the same file), and memory
linear in the size. Each size's tables are written by one process and measured by a fresh
one, so its peak RSS is the reading and linking alone; both timings are taken in that one
process, one after the other, so machine load hits both.

The data is synthetic and vectorised (numpy): each tenant signs in from its own few IPv4
addresses and, one sign-in in ten, from its own IPv6 /64 with changing low bits; one in five
sign-ins goes through one of the big shared NATs (200 tenants each: over the rarity cut-off);
one tenant in a thousand is in a farm of six sharing two exits and launching together. A
fifth of the tenants launch restricted instances at random times in ten regions.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
REGIONS = [f"region-{i}" for i in range(10)]


def _dotted(value: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [((value // (256 ** (3 - k))) % 256).cast(pl.String) for k in range(4)], separator="."
    )


def _access_part(n: int, rows: int, rng: np.random.Generator) -> pl.DataFrame:
    """`rows` sign-ins of random tenants among `n` (the addresses each tenant uses are fixed
    by its number, so parts agree)."""
    tenant = rng.integers(0, n, rows, dtype=np.int64)
    seconds = rng.integers(0, 89 * 86400, rows, dtype=np.int64)
    kind = rng.random(rows)
    farm = tenant < (n // 1000) * 6  # tenants 0.. form farms of six
    frame = pl.DataFrame({"t": tenant, "s": seconds, "k": kind, "farm": farm})
    own = pl.lit(0x0B000000) + pl.col("t") * 4 + (pl.col("s") % 3)  # 11.0.0.0 onwards, unique
    nat = pl.lit(0xC6120000) + pl.col("t") // 200  # shared by 200 tenants each
    exit_ = pl.lit(0xCB007100) + (pl.col("t") // 6) * 2 + (pl.col("s") % 2)
    v6 = pl.format(
        "2001:db8:{}:{}::{}",
        (pl.col("t") // 10000).cast(pl.String),  # decimal digits: valid hex groups
        (pl.col("t") % 10000).cast(pl.String),
        (pl.col("s") % 9999).cast(pl.String),
    )
    ip = (
        pl.when(pl.col("farm") & (pl.col("k") < 0.7))
        .then(_dotted(exit_))
        .when(pl.col("k") < 0.1)
        .then(v6)
        .when(pl.col("k") < 0.3)
        .then(_dotted(nat))
        .otherwise(_dotted(own))
    )
    return frame.select(
        pl.format("t{}", pl.col("t").cast(pl.String).str.zfill(7)).alias("tenant_id"),
        (pl.lit(AS_OF) - pl.duration(seconds=pl.col("s"))).alias("timestamp"),
        ip.alias("source_ip"),
        pl.lit("US").alias("ip_country"),
    )


def make_tables(n: int, per_tenant: int, folder: Path, seed: int = 21) -> dict[str, Path]:
    """Write tenants and usage Parquet files and an access folder of parts, for `n` tenants;
    return their paths."""
    rng = np.random.default_rng(seed)
    paths = {name: folder / f"{name}.parquet" for name in ("tenants", "usage")}
    paths["access"] = folder / "access"
    paths["access"].mkdir()
    # Written in parts of at most 5M sign-ins, so making 50M needs the memory of 5M.
    rows = n * per_tenant
    parts = max(1, -(-rows // 5_000_000))
    for part in range(parts):
        size = rows // parts + (1 if part < rows % parts else 0)
        _access_part(n, size, rng).write_parquet(paths["access"] / f"part-{part:03d}.parquet")

    ids = pl.Series("i", np.arange(n)).to_frame()
    tenants = ids.select(
        pl.format("t{}", pl.col("i").cast(pl.String).str.zfill(7)).alias("tenant_id"),
        (pl.lit(AS_OF) - pl.duration(days=pl.col("i") % 1800 + 1)).alias("created_at"),
        pl.when(pl.col("i") % 3 == 0)
        .then(pl.lit("pending"))
        .otherwise(pl.lit("verified"))
        .alias("kyc_status"),
        pl.lit("US").alias("country"),
        pl.format("use {}", (pl.col("i") % 40).cast(pl.String)).alias("declared_use"),
    )
    tenants.write_parquet(paths["tenants"])

    launchers = rng.integers(0, n, n // 5, dtype=np.int64)
    starts = rng.integers(0, 85 * 86400, len(launchers), dtype=np.int64)
    # each farm its own hour; its six members two minutes apart, four waves 46 h apart
    farm_rows = [
        (t, (t // 6) * 3600 * 7 % (60 * 86400) + w * 46 * 3600 + (t % 6) * 120)
        for t in range((n // 1000) * 6)
        for w in range(4)
    ]
    farm_t = np.array([t for t, _ in farm_rows], dtype=np.int64)
    farm_s = np.array([s for _, s in farm_rows], dtype=np.int64) + 3 * 86400
    usage = pl.DataFrame(
        {"t": np.concatenate([launchers, farm_t]), "s": np.concatenate([starts, farm_s])}
    ).select(
        pl.format("t{}", pl.col("t").cast(pl.String).str.zfill(7)).alias("tenant_id"),
        pl.lit("aws").alias("provider"),
        pl.lit(REGIONS)
        .list.get(
            pl.when(pl.col("t") < (n // 1000) * 6).then(pl.col("t") // 6).otherwise(pl.col("t"))
            % len(REGIONS)
        )
        .alias("region"),  # a farm launches in one region
        pl.lit("p5.48xlarge").alias("instance_type"),
        (pl.lit(AS_OF) - pl.duration(seconds=pl.col("s") + 86400 * 3)).alias("start"),
        (pl.lit(AS_OF) - pl.duration(seconds=pl.col("s"))).alias("end"),
        pl.lit(None, dtype=pl.String).alias("accelerator"),
        pl.lit(None, dtype=pl.Int64).alias("accelerator_count"),
    )
    usage.write_parquet(paths["usage"])
    return paths


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all its threads): beside wall time,
    the figure machine load does not inflate much."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(n: int, folder: Path) -> None:
    """One size in this process (the tables already written): the floor, then the linking stage."""
    from auditor.features.farm_links import farm_links

    paths = {name: folder / f"{name}.parquet" for name in ("tenants", "usage")}
    paths["access"] = folder / "access" / "*.parquet"
    started, cpu = time.perf_counter(), _cpu_seconds()
    rows = pl.read_parquet(paths["access"]).height
    floor, floor_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    floor_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tenants = pl.read_parquet(paths["tenants"])
    started, cpu = time.perf_counter(), _cpu_seconds()
    result = farm_links(
        pl.scan_parquet(paths["access"]), pl.scan_parquet(paths["usage"]), tenants, AS_OF
    )
    linking, linking_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    farms = (n // 1000) * 6
    found = result.edges.filter(pl.col("tenant_id").str.slice(1).cast(pl.Int64) < farms)
    print(
        f"tenants={n} signins={rows} read_access_s={floor:.2f} farm_links_s={linking:.2f} "
        f"ratio={linking / floor:.1f} read_access_cpu_s={floor_cpu:.2f} "
        f"farm_links_cpu_s={linking_cpu:.2f} cpu_ratio={linking_cpu / max(floor_cpu, 1e-9):.1f} "
        f"edges={result.edges.height} farm_edges={found.height} "
        f"peak_rss_mb={peak:.0f} rss_after_reading_access_mb={floor_rss:.0f} "
        f"load={os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tenants", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--signins-per-tenant", type=int, default=50)
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.make:
        make_tables(args.tenants[0], args.signins_per_tenant, args.make)
        return
    if args.measure:
        run_one(args.tenants[0], args.measure)
        return
    for n in args.tenants:  # tables written by one process, measured by a fresh one
        with tempfile.TemporaryDirectory(prefix="network-bench-") as tmp:
            for step in ("--make", "--measure"):
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        step,
                        tmp,
                        "--tenants",
                        str(n),
                        "--signins-per-tenant",
                        str(args.signins_per_tenant),
                    ],
                    check=True,
                )


if __name__ == "__main__":
    main()
