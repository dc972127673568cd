"""The usage and sign-in stages on Polars and on Spark (local mode) over one generated provider, beside their floors.

Each engine's floor is reading the usage and sign-in times once (their maxima); the stage
time is reading and checking the inputs plus the usage and sign-in features -- the work
the engine setting moves. Screening, links, rules and cases are the same code on both
engines and are left out. Spark's session start is timed apart (on a cluster it is paid
once per job, not per stage). Prints one JSON object with the load average beside it:
other jobs share the machine.

    python bench/scale_gen.py --tenants 12000 --usage-rows 10000000 --out /tmp/scale10m
    python bench/spark_bench.py /tmp/scale10m --master 'local[2]'
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from auditor import geo

D5 = frozenset(geo.D5_OR_MACAU)


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - started, 1)


def polars_side(data: Path, as_of: datetime) -> dict[str, float]:
    from auditor.features.access import access_features
    from auditor.features.usage import usage_features
    from auditor.model.inputs import load_inputs

    def floor() -> None:  # every row's times read once (a row count would read only footers)
        pl.scan_parquet(data / "usage" / "*.parquet").select(
            pl.col("start").max(), pl.col("end").max()
        ).collect()
        pl.scan_parquet(data / "access" / "*.parquet").select(pl.col("timestamp").max()).collect()

    def stages() -> None:
        inputs = load_inputs(data / "tenants", data / "usage", data / "access")
        usage_features(inputs.usage, as_of)
        access_features(inputs.access, as_of, D5)

    _, floor_s = _timed(floor)
    _, stages_s = _timed(stages)
    return {"floor_seconds": floor_s, "stages_seconds": stages_s}


def spark_side(data: Path, as_of: datetime, master: str) -> dict[str, float]:
    from auditor.spark.inputs import load_spark_inputs
    from auditor.spark.session import spark_session
    from auditor.spark.settings import EngineConfig

    settings = EngineConfig(name="spark", master=master)
    spark, start_s = _timed(lambda: spark_session(settings))
    spark.sparkContext.setLogLevel("ERROR")

    def floor() -> None:
        from pyspark.sql import functions as F

        spark.read.parquet(str(data / "usage")).agg(F.max("start"), F.max("end")).collect()
        spark.read.parquet(str(data / "access")).agg(F.max("timestamp")).collect()

    def stages() -> None:
        inputs, _ = load_spark_inputs(data / "tenants", data / "usage", data / "access", settings)
        inputs.engine.usage_features(None, as_of)
        inputs.engine.access_features(None, as_of, D5)

    _, floor_s = _timed(floor)
    _, stages_s = _timed(stages)
    spark.stop()
    return {"session_start_seconds": start_s, "floor_seconds": floor_s, "stages_seconds": stages_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a folder written by bench/scale_gen.py")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--as-of", default="2026-11-01T00:00:00+00:00")
    args = parser.parse_args()
    as_of = datetime.fromisoformat(args.as_of).astimezone(timezone.utc)
    manifest = json.loads((args.data / "manifest.json").read_text())
    load_before = os.getloadavg()
    polars = polars_side(args.data, as_of)
    spark = spark_side(args.data, as_of, args.master)
    print(
        json.dumps(
            {
                "rows": manifest["counts"],
                "polars": polars,
                f"spark {args.master}": spark,
                "load_average_before": [round(x, 1) for x in load_before],
                "load_average_after": [round(x, 1) for x in os.getloadavg()],
                "cores": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
