"""Scale generator: a provider of N tenants and M usage rows with the example provider's shape and pattern mix.

The bundled example (examples/provider, 1,200 tenants with every evasion pattern planted and
benign look-alikes) is the template. It is replicated until N tenants exist -- every replica
gets its own tenant ids and its own payment fingerprints, phones, e-mail domains,
addresses and sign-in IPs, and runs 31 minutes before the one before it, so links (network
and launch-rhythm links too) never cross replicas -- and each instance run is split into equal
consecutive sub-runs until the usage table has M rows. Splitting keeps every tenant's
GPU-hours, peak concurrency and regions exactly as in the template, so the audit's answer
per replica is known, while the row count grows. Everything is Polars over whole tables.

    python bench/scale_gen.py --tenants 100000 --usage-rows 10000000 --out bench/data/100k
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import polars as pl

from auditor.geo import FREEMAIL_DOMAINS

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "examples" / "provider"
REPLICAS_PER_FILE = 50


def _template() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from auditor.model.inputs import load_inputs

    inputs = load_inputs(TEMPLATE / "tenants.csv", TEMPLATE / "usage.csv", TEMPLATE / "access.csv")
    return inputs.tenants, inputs.usage.collect(), inputs.access.collect()


def _suffix(column: str, tag: pl.Expr) -> pl.Expr:
    return (
        pl.when(pl.col(column).is_null()).then(None).otherwise(pl.col(column) + tag).alias(column)
    )


def replicate_tenants(tenants: pl.DataFrame, replicas: range) -> pl.DataFrame:
    """Replica r of tenant t is `t-r`; identifiers that link tenants are made replica-specific."""
    reps = pl.DataFrame({"replica": list(replicas)}, schema={"replica": pl.Int64})
    tag = pl.lit("-r") + pl.col("replica").cast(pl.String)
    return (
        tenants.join(reps, how="cross")
        .with_columns(
            _suffix("tenant_id", tag),
            _suffix("payment_fingerprint", tag),
            _suffix("phone", pl.col("replica").cast(pl.String).str.zfill(4)),
            # Public mail domains stay as they are (they never link tenants); private ones get a replica prefix.
            pl.when(pl.col("email_domain").is_in(sorted(FREEMAIL_DOMAINS)))
            .then(pl.col("email_domain"))
            .otherwise(pl.col("replica").cast(pl.String) + pl.lit(".") + pl.col("email_domain"))
            .alias("email_domain"),
            _suffix("address", pl.lit(" (site ") + pl.col("replica").cast(pl.String) + pl.lit(")")),
        )
        .drop("replica")
    )


def replicate_usage(usage: pl.DataFrame, replicas: range, split: int) -> pl.DataFrame:
    """Each run of each replica as `split` consecutive equal sub-runs (the last one still running if the run is)."""
    reps = pl.DataFrame({"replica": list(replicas)}, schema={"replica": pl.Int64})
    parts = pl.DataFrame({"part": list(range(split))}, schema={"part": pl.Int64})
    tag = pl.lit("-r") + pl.col("replica").cast(pl.String)
    running = pl.col("end").is_null()
    # A running run is split up to the template's as-of; its last part stays open.
    end_for_split = pl.col("end").fill_null(pl.col("as_of"))
    step = (end_for_split - pl.col("start")) / split
    # Copies launching in step would be a farm (features/launch_rhythm.py): each replica
    # runs REPLICA_SHIFT_MINUTES earlier than the one before, more than the launch window.
    shift = pl.duration(minutes=pl.col("replica") * REPLICA_SHIFT_MINUTES)
    return (
        usage.with_columns(pl.col("end").max().alias("as_of"))
        .join(reps, how="cross")
        .join(parts, how="cross")
        .with_columns(
            _suffix("tenant_id", tag),
            _suffix("account_id", tag),
            (pl.col("instance_id") + tag + pl.lit("-p") + pl.col("part").cast(pl.String)).alias(
                "instance_id"
            ),
            (pl.col("start") + step * pl.col("part") - shift).alias("new_start"),
            pl.when(running & (pl.col("part") == split - 1))
            .then(None)
            .otherwise(pl.col("start") + step * (pl.col("part") + 1) - shift)
            .alias("new_end"),
        )
        .drop("start", "end", "as_of", "replica", "part")
        .rename({"new_start": "start", "new_end": "end"})
        .select(usage.columns)
    )


def _replica_address(ip: pl.Expr) -> pl.Expr:
    """Replica 0 keeps the template's IPv4 address; replica r >= 1 gets an IPv6 /64 of its own
    spelling it out (`2rrr:aabb:ccdd:1::1`), so shared addresses stay shared within a replica
    and never across replicas (a network link, features/network_links.py)."""
    octets = ip.str.split_exact(".", 3)
    hexed = [
        octets.struct.field(f"field_{k}")
        .cast(pl.Int64, strict=False)
        .replace_strict(_HEX_BYTE, default=None, return_dtype=pl.String)
        for k in range(4)
    ]
    spelled = pl.concat_str(
        pl.lit("2")
        + pl.col("replica").replace_strict(_HEX_REPLICA, default=None, return_dtype=pl.String),
        hexed[0] + hexed[1],
        hexed[2] + hexed[3],
        pl.lit("1::1"),
        separator=":",
    )
    return pl.when(pl.col("replica") == 0).then(ip).otherwise(pl.coalesce(spelled, ip))


_HEX_BYTE = {i: f"{i:02x}" for i in range(256)}
_HEX_REPLICA = {i: f"{i:03x}" for i in range(4096)}
REPLICA_SHIFT_MINUTES = 31


def replicate_access(access: pl.DataFrame, replicas: range) -> pl.DataFrame:
    reps = pl.DataFrame({"replica": list(replicas)}, schema={"replica": pl.Int64})
    return (
        access.join(reps, how="cross")
        .with_columns(
            _suffix("tenant_id", pl.lit("-r") + pl.col("replica").cast(pl.String)),
            _replica_address(pl.col("source_ip")).alias("source_ip"),
        )
        .drop("replica")
    )


def generate(tenants_n: int, usage_rows: int, out: Path) -> dict:
    started = time.perf_counter()
    tenants, usage, access = _template()
    replicas = math.ceil(tenants_n / tenants.height)
    split = max(1, round(usage_rows / (usage.height * replicas)))
    for kind in ("tenants", "usage", "access"):
        (out / kind).mkdir(parents=True, exist_ok=True)
        for old in (out / kind).glob("*.parquet"):
            old.unlink()
    counts = {"tenants": 0, "usage": 0, "access": 0}
    for first in range(0, replicas, REPLICAS_PER_FILE):
        chunk = range(first, min(first + REPLICAS_PER_FILE, replicas))
        name = f"part-{first // REPLICAS_PER_FILE:05d}.parquet"
        for kind, frame in (
            ("tenants", replicate_tenants(tenants, chunk)),
            ("usage", replicate_usage(usage, chunk, split)),
            ("access", replicate_access(access, chunk)),
        ):
            frame.write_parquet(out / kind / name)
            counts[kind] += frame.height
    manifest = {
        "template": str(TEMPLATE.relative_to(REPO)),
        "replicas": replicas,
        "split": split,
        "counts": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, required=True)
    parser.add_argument("--usage-rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(generate(args.tenants, args.usage_rows, args.out), indent=2))


if __name__ == "__main__":
    main()
