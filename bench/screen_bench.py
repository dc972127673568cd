"""Screening throughput: N generated names against a list the size of the full CSL.

    .venv/bin/python bench/screen_bench.py [--names 1000000] [--list-names 30000] [--sample 2000]
        [--wratio-sample 100] [--algorithm name-v1|name-v2]

The list is the real data in ../shared/data/screening (SDN 2021 half + CSL samples),
topped up with generated entries until it holds about 30,000 names and aliases, the size
of the full Consolidated Screening List. Queries are ordinary company names (Western and
Chinese-style) with 1% variants of listed names mixed in. Prints names per second, peak
memory (max RSS) and a brute-force baseline (every sampled query against every list name
with rapidfuzz cdist) on a sample, plus how many of the baseline's hits the index found.
Two floors are timed in the same run, so the ratios hold on a loaded machine: a plain
normalisation pass over all the names, and a rapidfuzz WRatio brute force on the sample.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process, utils

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.screening import DEFAULT_THRESHOLD, ScreeningIndex, load_lists  # noqa: E402
from auditor.screening.evaluation import _SYLLABLES, ordinary_names  # noqa: E402
from auditor.screening.variations import vary  # noqa: E402
from auditor.screening.lists import ENTRY_SCHEMA  # noqa: E402
from auditor.screening.normalize import _clean, _latin, normalize_frame  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "screening"
WORDS = "Trading Industrial Electronics Logistics Shipping Petroleum Machinery Aviation Import Export Holding".split()


def synthetic_entries(count: int, rng: random.Random) -> pl.DataFrame:
    rows = []
    for i in range(count):
        brand = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{brand} {rng.choice(WORDS)} Co., Ltd."
        alts = [
            f"{brand} {rng.choice(WORDS)}",
            f"{rng.choice(['Shenzhen', 'Beijing', 'Dubai'])} {brand} Ltd",
        ]
        rows.append(
            (
                f"syn{i}",
                "Entity List (EL) - Bureau of Industry and Security",
                "EL",
                "Entity",
                "",
                name,
                alts,
                [],
                [],
                "bench",
            )
        )
    return pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row")


def list_entries(target_names: int, rng: random.Random) -> pl.DataFrame:
    files = sorted(SHARED.glob("*.csv")) if SHARED.exists() else []
    real = load_lists(files).entries if files else pl.DataFrame(schema=ENTRY_SCHEMA)
    have = real.height + int(real["alt_names"].list.len().sum() or 0)
    extra = max(0, (target_names - have) // 3)
    # diagonal: the loaded entries carry `identifiers` (their LEIs/USCCs), the synthetic ones none
    return pl.concat([real, synthetic_entries(extra, rng)], how="diagonal")


def queries(n: int, entries: pl.DataFrame, rng: random.Random) -> pl.DataFrame:
    base = ordinary_names(min(n, 200_000), seed=rng.randint(0, 10**6))
    names = []
    listed = entries["name"].to_list()
    for i in range(n):
        if i % 100 == 0:
            how = rng.choice(["substitute", "transpose", "legal_form", "case", "token_swap"])
            names.append(vary(rng.choice(listed), how, rng) or rng.choice(listed))
        else:  # ordinary names, made more distinct with a random number or syllable
            name = base[i % len(base)]
            names.append(
                name
                if i < len(base)
                else f"{name.split()[0]} {rng.choice(_SYLLABLES)}{rng.randint(1, 999)} {' '.join(name.split()[1:])}"
            )
    return pl.DataFrame({"query_id": [str(i) for i in range(n)], "name": names})


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=1_000_000)
    ap.add_argument("--list-names", type=int, default=30_000)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--wratio-sample", type=int, default=100, help="names for the WRatio floor")
    ap.add_argument(
        "--algorithm", default=None, help="name-v1 or name-v2 (default: the index's default)"
    )
    args = ap.parse_args()
    rng = random.Random(5)

    entries = list_entries(args.list_names, rng)
    t0 = time.perf_counter()
    index = ScreeningIndex.build(entries, algorithm=args.algorithm)
    build_s = time.perf_counter() - t0
    print(
        f"algorithm={index.algorithm} list entries={entries.height} indexed_names={index.names.height} build_s={build_s:.2f}"
    )

    q = queries(args.names, entries, rng)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    # The floor, in the same run: one plain normalisation pass over the same names (what
    # any matcher must at least do), so the ratio below holds whatever the machine's load.
    t0, c0 = time.perf_counter(), time.process_time()
    normalised = q.select(_clean(_latin(pl.col("name"))))
    floor_s, floor_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    matches = index.match_names(q)
    run_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"index  names={q.height} seconds={run_s:.2f} names_per_s={q.height / run_s:,.0f} "
        f"matched_names={matches['query_id'].n_unique()} peak_rss_mb={peak_mb():.0f}"
    )
    # CPU seconds of all the process's threads: on two idle cores the wall time is at
    # most this (nothing waits on I/O), so names / cpu_s is what an idle machine gives
    # at least, whatever the load here.
    print(
        f"cpu    names={q.height} cpu_seconds={cpu_s:.2f} names_per_cpu_s={q.height / cpu_s:,.0f} "
        f"(all threads; wall/cpu {run_s / cpu_s:.2f})"
    )
    print(
        f"floor  names={q.height} seconds={floor_s:.2f} names_per_s={q.height / floor_s:,.0f} "
        f"(plain normalisation pass of {normalised.height:,} names); index/floor time ratio {run_s / floor_s:.0f}x"
    )
    print(f"floor  cpu_seconds={floor_cpu_s:.2f}; index/floor CPU ratio {cpu_s / floor_cpu_s:.0f}x")

    sample = q.sample(min(args.sample, q.height), seed=1)
    qn = normalize_frame(sample, "name")
    t0 = time.perf_counter()
    scores = process.cdist(
        qn["core"].to_list(),
        index.names["core"].to_list(),
        scorer=fuzz.token_sort_ratio,
        workers=-1,
    )
    brute_s = time.perf_counter() - t0
    print(
        f"brute  names={sample.height} seconds={brute_s:.2f} names_per_s={sample.height / brute_s:,.0f} "
        f"(token_sort_ratio only, every list name)"
    )
    wsample = sample.head(args.wratio_sample)
    t0 = time.perf_counter()
    process.cdist(
        [utils.default_process(n) for n in wsample["name"].to_list()],
        [utils.default_process(n) for n in index.names["raw"].to_list()],
        scorer=fuzz.WRatio,
        score_cutoff=88,
        workers=-1,
    )
    wratio_s = time.perf_counter() - t0
    print(
        f"wratio names={wsample.height} seconds={wratio_s:.2f} names_per_s={wsample.height / wratio_s:,.0f} "
        f"(rapidfuzz WRatio brute force, every list name); index is "
        f"{(q.height / run_s) / (wsample.height / wratio_s):.0f}x its names/s"
    )
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    hit_rows, hit_cols = (scores >= 100 * 0.97).nonzero()
    brute_pairs = {
        (sample["query_id"][int(r)], int(index.names["entry_idx"][int(c)]))
        for r, c in zip(hit_rows, hit_cols)
    }
    got = index.match_names(sample)
    ids = dict(zip(index.entries["entry_id"], index.entries["entry_idx"]))
    got_pairs = {(a, ids[b]) for a, b in zip(got["query_id"], got["entry_id"])}
    found = len(brute_pairs & got_pairs)
    print(
        f"blocking recall vs brute force (pairs with core token_sort >= 0.97): {found}/{len(brute_pairs)}"
    )
    print(f"default threshold={DEFAULT_THRESHOLD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
