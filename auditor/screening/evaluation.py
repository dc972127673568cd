"""Measured matching quality on real list data: the numbers in docs/screening.md.

Positives come from SDN organisations that carry aliases: each of their names, varied the
ways listed parties vary them (legal form swapped, punctuation dropped, words reordered,
one-letter typo, case), must bring its entry back. Negatives are names of parties on the
other lists and ordinary company names (generated, Western and Chinese-style), which
must not match. A separate, harder figure holds one alias of each entry out of the index
and asks whether the remaining names still find it.

Precision is counted per query: a positive that returns its entry is a true positive; a
negative that returns anything, or a positive that returns only other entries, is a false
positive. `python -m auditor.screening.evaluation LIST.csv ...` prints the report.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from auditor.screening.index import ScreeningIndex
from auditor.screening.lists import load_lists
from auditor.screening.normalize import normalize_frame

VARIATIONS = ("exact", "legal_form", "punctuation", "word_order", "typo", "case")
LEGAL_SUFFIXES = ("Co., Ltd.", "Ltd", "LLC", "Inc.", "Corporation", "Company Limited", "S.A.", "GmbH", "JSC", "FZE")
_LEGAL_TAIL = re.compile(
    r"[\s,]+(co\.?,?\s*ltd\.?|ltd\.?|limited|llc|inc\.?|corp(oration)?\.?|company|co\.?|s\.?a\.?|gmbh|jsc|fze|s\.?a\.?r\.?l\.?)$",
    re.IGNORECASE,
)

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
_CITIES = ("Shenzhen", "Beijing", "Shanghai", "Hangzhou", "Guangzhou", "Chengdu", "Suzhou", "Wuhan", "")
_CN_TAIL = ("Technology Co., Ltd.", "Information Technology Co., Ltd.", "Network Technology Co., Ltd.", "Trading Co., Ltd.")


def ordinary_names(count: int, seed: int = 7) -> list[str]:
    """Company names of the kind a GPU cloud's tenants have, none of them listed."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 3 == 2:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
            out.append(" ".join(p for p in (rng.choice(_CITIES), word, rng.choice(_CN_TAIL)) if p))
        else:
            parts = [rng.choice(_PREFIX), rng.choice(_NOUN), rng.choice(_INDUSTRY), rng.choice(_FORMS)]
            if rng.random() < 0.3:
                parts.pop(1)
            out.append(" ".join(p for p in parts if p))
    return out


def vary(name: str, how: str, rng: random.Random) -> str:
    """One realistic variant of a listed name."""
    if how == "legal_form":
        base = _LEGAL_TAIL.sub("", name).strip(" ,")
        return f"{base} {rng.choice(LEGAL_SUFFIXES)}"
    if how == "punctuation":
        stripped = re.sub(r"[^\w\s]", "", name)
        return stripped if stripped != name else name.replace(" ", ", ", 1) + "."
    if how == "word_order":
        words = _LEGAL_TAIL.sub("", name).split()
        if len(words) < 2:
            return name
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    if how == "typo":
        spots = [m.start() + rng.randrange(1, len(m.group()) - 1) for m in re.finditer(r"[A-Za-z]{5,}", name)]
        if not spots:
            return name
        pos = rng.choice(spots)
        op = rng.choice(("sub", "del", "ins", "swap"))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        if op == "sub":
            return name[:pos] + letter + name[pos + 1 :]
        if op == "del":
            return name[:pos] + name[pos + 1 :]
        if op == "ins":
            return name[:pos] + letter + name[pos:]
        return name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]
    if how == "case":
        return name.title() if name.isupper() else name.upper()
    return name


@dataclass(frozen=True)
class Evaluation:
    """Queries with the entry each must return (null for negatives)."""

    entries: pl.DataFrame
    queries: pl.DataFrame  # query_id, name, expected_entry_id, kind


def build_evaluation(entries: pl.DataFrame, *, negatives: int = 4000, seed: int = 11) -> Evaluation:
    """Positives from SDN organisations with aliases; negatives from other lists and generators."""
    rng = random.Random(seed)
    sdn = entries.filter(pl.col("source_code") == "SDN")
    orgs = sdn.filter((pl.col("type") == "Entity") & (pl.col("alt_names").list.len() > 0))
    rows: list[tuple[str, str, str | None]] = []
    for entry_id, name, alts in orgs.select("entry_id", "name", "alt_names").iter_rows():
        for how in VARIATIONS:
            source = rng.choice([name, *alts])
            rows.append((vary(source, how, rng), entry_id, how))
    others = entries.filter(pl.col("source_code") != "SDN")["name"].to_list()
    neg = [(n, None, "other_list") for n in others] + [(n, None, "ordinary") for n in ordinary_names(negatives, seed)]
    negs = pl.DataFrame(neg, schema={"name": pl.String, "expected_entry_id": pl.String, "kind": pl.String}, orient="row")
    # A "negative" whose core equals a listed core is a true hit, not a false one: drop it.
    list_cores = normalize_frame(
        pl.concat([sdn.select(n="name"), sdn.select(n="alt_names").explode("n")]).drop_nulls(), "n"
    ).select("core").unique()
    negs = normalize_frame(negs, "name").join(list_cores, on="core", how="anti").select(negs.columns)
    pos = pl.DataFrame(rows, schema={"name": pl.String, "expected_entry_id": pl.String, "kind": pl.String}, orient="row")
    queries = pl.concat([pos, negs]).with_row_index("query_id").with_columns(pl.col("query_id").cast(pl.String))
    return Evaluation(entries=sdn, queries=queries)


def score_evaluation(ev: Evaluation, threshold: float | None = None) -> dict:
    """Recall, precision and per-variation recall at `threshold` (default: the matcher's)."""
    index = ScreeningIndex.build(ev.entries)
    matches = index.match_names(ev.queries.select("query_id", "name"), threshold)
    got = matches.group_by("query_id").agg(pl.col("entry_id"))
    res = ev.queries.join(got, on="query_id", how="left").with_columns(
        hit=pl.col("entry_id").list.len().fill_null(0) > 0,
        found=pl.col("entry_id").list.contains(pl.col("expected_entry_id")).fill_null(False),
    )
    pos = res.filter(pl.col("expected_entry_id").is_not_null())
    neg = res.filter(pl.col("expected_entry_id").is_null())
    tp = int(pos["found"].sum())
    fp = int(neg["hit"].sum()) + int(pos.filter(pl.col("hit") & ~pl.col("found")).height)
    by_kind = pos.group_by("kind").agg(pl.col("found").mean().round(4)).sort("kind")
    return {
        "threshold": threshold,
        "positives": pos.height,
        "negatives": neg.height,
        "recall": tp / pos.height if pos.height else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "false_positive_rate": float(neg["hit"].mean() or 0.0),
        "recall_by_variation": dict(by_kind.iter_rows()),
        "misses": pos.filter(~pl.col("found")).select("name", "expected_entry_id", "kind").head(30).rows(),
        "false_hits": neg.filter(pl.col("hit")).select("name", "kind").head(30).rows(),
    }


def held_out_alias_recall(entries: pl.DataFrame, threshold: float | None = None) -> dict:
    """Hold each SDN organisation's first alias out of the index; does the alias still find it?

    Many aliases are unrelated names (former names, acronyms), so this is far below the
    variation recall; it is reported, not held to a floor.
    """
    sdn = entries.filter(pl.col("source_code") == "SDN")
    orgs = (pl.col("type") == "Entity") & (pl.col("alt_names").list.len() > 0)
    queries = sdn.filter(orgs).select(query_id="entry_id", name=pl.col("alt_names").list.first())
    held = sdn.with_columns(
        alt_names=pl.when(orgs).then(pl.col("alt_names").list.slice(1)).otherwise(pl.col("alt_names"))
    )
    matches = ScreeningIndex.build(held).match_names(queries, threshold)
    found = matches.filter(pl.col("query_id") == pl.col("entry_id"))["query_id"].n_unique()
    return {"queries": queries.height, "recall": found / queries.height if queries.height else 0.0}


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m auditor.screening.evaluation LIST.csv [LIST.csv ...]", file=sys.stderr)
        return 2
    entries = load_lists([Path(p) for p in argv]).entries
    report = score_evaluation(build_evaluation(entries))
    report["held_out_alias"] = held_out_alias_recall(entries)
    print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
