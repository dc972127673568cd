"""Affiliate matching speed: `affiliate-v1` build and match over 100k and 1M look-alike names.

    python bench/affiliate_bench.py

The names are their own tenant corpus, as in the audit; the list is the example provider's
(with the shipped Chinese names). One warm-up call first, so word lists and converters are
loaded before timing. Prints seconds, names/s, matches and peak RSS per size.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import polars as pl

from auditor.screening import load_lists
from auditor.screening.affiliate import AffiliateIndex
from auditor.screening.affiliate_evaluation import lookalike_names
from auditor.screening.aliases import with_aliases

LIST = (
    Path(__file__).resolve().parents[1]
    / "examples"
    / "provider"
    / "lists"
    / "restricted-parties.csv"
)


def main() -> None:
    entries = with_aliases(load_lists([LIST])).entries
    AffiliateIndex.build(entries, pl.Series(["Warm Up Ltd"])).match(
        pl.DataFrame({"query_id": ["0"], "name": ["浪潮 Warm Up"]})
    )
    for n in (100_000, 1_000_000):
        names = [x for x, _ in lookalike_names(n, seed=3)]
        queries = pl.DataFrame({"query_id": [str(i) for i in range(n)], "name": names})
        started = time.perf_counter()
        found = AffiliateIndex.build(entries, queries["name"]).match(queries)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"names={n} distinct={len(set(names))} seconds={seconds:.1f} names_per_s={n / seconds:,.0f} "
            f"matches={found.height} peak_rss_mb={peak:.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
