"""Measured matching quality on real list data that nothing was tuned on.

The SDN organisations are split once, by a hash of the entry number, into a *tune* part
(thresholds, weights and the learned scorer are fitted there) and a *test* part (every
figure in docs/screening.md comes from it). Positives: each organisation's names and
aliases, varied by `variations.py` (random edits at random places, word drops and swaps,
abbreviations, legal forms changed or moved, spacing, romanisation; each class reported
on its own), must bring their entry back from an index of the whole SDN list. Negatives:
names of parties on the other lists and ordinary company names (generated, Western and
Chinese-style) must not match.

Precision is counted per query: a positive that returns its entry is a true positive; a
negative that returns anything, or a positive that returns only other entries, is a false
positive. `python -m auditor.screening.evaluation [--part tune|test] [--algorithm A] LIST.csv ...`
prints the report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from auditor.screening.index import ScreeningIndex
from auditor.screening.lists import load_lists
from auditor.screening.variations import CLASSES, plain, vary

PARTS = ("tune", "test")
NEGATIVE_SEEDS = {"tune": 7, "test": 1007}
VARIATION_SEEDS = {"tune": 11, "test": 1011}

_PREFIX = (
    "Blue Silver Golden North South Pacific Atlantic Summit Bright Green Red Apex Nova Quantum Cloud Data Deep "
    "Neural Vector Alpine Harbor Cedar Maple Oak Pine Crystal Sunrise Evergreen Horizon Pioneer Liberty Eagle "
    "Falcon Phoenix Orion Atlas Titan Zenith Vertex Prime Unity Vista Coastal Prairie Granite Copper Iron"
).split()
_NOUN = (
    "River Mountain Bridge Peak Forest Lake Stone Field Star Wave Valley Ridge Point Gate Path Light Stream Rock "
    "Bay Harbor Cloud Sky Leaf Wind Fire Spring Grove Hill Crest Shore Meadow Canyon Arrow Compass Anchor Beacon"
).split()
_INDUSTRY = (
    "Logistics Capital Partners Labs Analytics Systems Foods Media Consulting Robotics Solutions Pharma Motors "
    "Studios Networks Software Ventures Health Energy Retail Games Bio Design Security Finance Realty Insurance "
    "Telecom Aviation Textiles Furniture Apparel Dental Legal Marketing Education Farms Brewing Hotels"
).split()
_FORMS = ("LLC", "Inc.", "Ltd", "GmbH", "Co., Ltd.", "S.A.", "Pte. Ltd.", "B.V.", "", "AG", "Corp.")
_SYLLABLES = (
    "an bai bao bei bo chang chen cheng da dong fang feng fu gao guang hai hao heng hong hua hui jia jian jie "
    "jin jing kai kang le li lian lin long mei ming na ning peng qi qian qing rui sen shan sheng shi shun tai "
    "tian tong wan wei wen xiang xin xing xu ya yang yi ying yong yu yuan yue ze zhan zhi zhong zhuo"
).split()
_CITIES = (
    "Shenzhen",
    "Beijing",
    "Shanghai",
    "Hangzhou",
    "Guangzhou",
    "Chengdu",
    "Suzhou",
    "Wuhan",
    "",
)
_CN_TAIL = (
    "Technology Co., Ltd.",
    "Information Technology Co., Ltd.",
    "Network Technology Co., Ltd.",
    "Trading Co., Ltd.",
)


def ordinary_names(count: int, seed: int = 7) -> list[str]:
    """Company names of the kind a GPU cloud's tenants have, none of them listed."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 3 == 2:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
            out.append(" ".join(p for p in (rng.choice(_CITIES), word, rng.choice(_CN_TAIL)) if p))
        else:
            parts = [
                rng.choice(_PREFIX),
                rng.choice(_NOUN),
                rng.choice(_INDUSTRY),
                rng.choice(_FORMS),
            ]
            if rng.random() < 0.3:
                parts.pop(1)
            out.append(" ".join(p for p in parts if p))
    return out


def part_of(entry_id: str) -> str:
    """'tune' or 'test' for an entry, fixed by a hash of its id (the SDN entry number)."""
    digest = hashlib.sha256(f"auditor-screening-split:{entry_id}".encode()).digest()
    return "test" if digest[0] % 2 else "tune"


def _in_part(frame: pl.DataFrame, part: str) -> pl.DataFrame:
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    ids = frame["entry_id"].to_list()
    return frame.filter(pl.Series([part_of(i) == part for i in ids], dtype=pl.Boolean))


def _letters(name: str) -> int:
    return sum(ch.isalpha() for ch in name)


@dataclass(frozen=True)
class Evaluation:
    """Queries with the entry each must return (null for negatives), for one part."""

    entries: pl.DataFrame  # the whole SDN list: what the index holds
    queries: pl.DataFrame  # query_id, name, expected_entry_id, kind
    part: str


def build_evaluation(
    entries: pl.DataFrame, *, part: str = "test", negatives: int = 4000
) -> Evaluation:
    """Positives from the part's SDN organisations; negatives from other lists and generators."""
    rng = random.Random(VARIATION_SEEDS.get(part, 0))
    sdn = entries.filter(pl.col("source_code") == "SDN")
    orgs = _in_part(sdn.filter(pl.col("type") == "Entity"), part).sort(
        "entry_id"
    )  # same draws whatever the file order
    rows: list[tuple[str, str, str]] = []
    for entry_id, name, alts in orgs.select("entry_id", "name", "alt_names").iter_rows():
        sources = [n for n in [name, *alts] if _letters(n) >= 4]
        if not sources:
            continue
        for how in CLASSES:
            varied = vary(rng.choice(sources), how, rng)
            if varied is not None:
                rows.append((varied, entry_id, how))
    others = sorted(
        _in_part(entries.filter(pl.col("source_code") != "SDN"), part)["name"].to_list()
    )
    neg = [(n, None, "other_list") for n in others]
    neg += [(n, None, "ordinary") for n in ordinary_names(negatives, NEGATIVE_SEEDS[part])]
    # A "negative" that is a listed name (by the generator's own plain form) would be a true hit.
    listed = {plain(n) for n in sdn["name"].to_list()} | {
        plain(n) for n in sdn["alt_names"].explode().drop_nulls().to_list()
    }
    neg = [r for r in neg if plain(r[0]) not in listed]
    schema = {"name": pl.String, "expected_entry_id": pl.String, "kind": pl.String}
    pos = pl.DataFrame(rows, schema=schema, orient="row")
    negs = pl.DataFrame(neg, schema=schema, orient="row")
    queries = (
        pl.concat([pos, negs])
        .with_row_index("query_id")
        .with_columns(pl.col("query_id").cast(pl.String))
    )
    return Evaluation(entries=sdn, queries=queries, part=part)


def score_evaluation(
    ev: Evaluation,
    threshold: float | None = None,
    *,
    algorithm: str | None = None,
    index: ScreeningIndex | None = None,
) -> dict[str, Any]:
    """Recall, precision and per-class recall at `threshold` (default: the algorithm's)."""
    index = index or ScreeningIndex.build(ev.entries, algorithm=algorithm)
    t0 = time.perf_counter()
    matches = index.match_names(ev.queries.select("query_id", "name"), threshold)
    seconds = time.perf_counter() - t0
    return score_matches(ev, matches) | {
        "algorithm": index.algorithm,
        "threshold": threshold,
        "names_per_s": ev.queries.height / seconds,
    }


def score_matches(ev: Evaluation, matches: pl.DataFrame) -> dict[str, Any]:
    """Scores any matcher's (query_id, entry_id) rows against the evaluation's truth."""
    got = matches.group_by("query_id").agg(pl.col("entry_id"))
    res = ev.queries.join(got, on="query_id", how="left").with_columns(
        hit=pl.col("entry_id").list.len().fill_null(0) > 0,
        found=pl.col("entry_id").list.contains(pl.col("expected_entry_id")).fill_null(False),
    )
    pos = res.filter(pl.col("expected_entry_id").is_not_null())
    neg = res.filter(pl.col("expected_entry_id").is_null())
    tp = int(pos["found"].sum())
    fp = int(neg["hit"].sum()) + int(pos.filter(pl.col("hit") & ~pl.col("found")).height)
    by_kind = (
        pos.group_by("kind").agg(n=pl.len(), recall=pl.col("found").mean().round(4)).sort("kind")
    )
    return {
        "part": ev.part,
        "positives": pos.height,
        "negatives": neg.height,
        "recall": tp / pos.height if pos.height else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "false_positive_rate": float(neg["hit"].mean() or 0.0),
        "recall_by_variation": {k: r for k, _, r in by_kind.iter_rows()},
        "queries_by_variation": {k: n for k, n, _ in by_kind.iter_rows()},
        "misses": pos.filter(~pl.col("found")).select("name", "expected_entry_id", "kind").rows(),
        "false_hits": neg.filter(pl.col("hit")).select("name", "kind").rows(),
    }


def held_out_alias_recall(
    entries: pl.DataFrame, threshold: float | None = None, *, algorithm: str | None = None
) -> dict[str, Any]:
    """Hold each test-part SDN organisation's first alias out of the index; is it still found?

    Many aliases are unrelated names (former names, acronyms), so this is far below the
    variation recall; it is reported, not held to a floor.
    """
    sdn = entries.filter(pl.col("source_code") == "SDN")
    test_ids = set(_in_part(sdn, "test")["entry_id"].to_list())
    orgs = (
        (pl.col("type") == "Entity")
        & (pl.col("alt_names").list.len() > 0)
        & pl.col("entry_id").is_in(list(test_ids))
    )
    queries = sdn.filter(orgs).select(query_id="entry_id", name=pl.col("alt_names").list.first())
    held = sdn.with_columns(
        alt_names=pl.when(orgs)
        .then(pl.col("alt_names").list.slice(1))
        .otherwise(pl.col("alt_names"))
    )
    matches = ScreeningIndex.build(held, algorithm=algorithm).match_names(queries, threshold)
    found = matches.filter(pl.col("query_id") == pl.col("entry_id"))["query_id"].n_unique()
    return {"queries": queries.height, "recall": found / queries.height if queries.height else 0.0}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m auditor.screening.evaluation", description="Screening quality on one part."
    )
    ap.add_argument("lists", nargs="+", type=Path)
    ap.add_argument("--part", choices=PARTS, default="test")
    ap.add_argument("--algorithm", default=None)
    ap.add_argument("--threshold", type=float, default=None)
    args = ap.parse_args(argv)
    entries = load_lists(list(args.lists)).entries
    report = score_evaluation(
        build_evaluation(entries, part=args.part), args.threshold, algorithm=args.algorithm
    )
    report["misses"], report["false_hits"] = report["misses"][:40], report["false_hits"][:40]
    report["held_out_alias"] = held_out_alias_recall(
        entries, args.threshold, algorithm=args.algorithm
    )
    print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
