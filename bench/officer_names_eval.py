"""How the near-miss threshold for shared officers was chosen: tune on half the SDN individuals, report on the other half.

    python bench/officer_names_eval.py ../shared/data/screening/sdn-2021-csl-layout.csv

The SDN individuals are split once by a hash of the entry number. Positives: an individual's
name against each of its own a.k.a. names that is a different key but shares a word with it
(the only pairs `near_misses` ever scores) -- spellings of one person ("VALENCIA, Reynel" /
"VALENCIA, Reinel"). Negatives: each individual's name against every *other* individual of
the same half that shares a word; an individual counts as a false alarm when any of them
reaches the threshold. Recall is the share of positives at or above it. On the tune half the
threshold is the lowest at which false alarms stay at or under 2% (a near miss is shown to
an analyst, who should rarely be sent after a stranger); the test half's figures at that
threshold are what docs/ownership.md quotes. No list data is copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.features.person_names import near_misses, person_key  # noqa: E402

MAX_FALSE_ALARMS = 0.02
GRID = [x / 100 for x in range(80, 100)]


def _part(entry: str) -> str:
    return "tune" if hashlib.sha256(entry.encode()).digest()[0] % 2 == 0 else "test"


def pairs(path: Path, part: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = pl.read_csv(path, infer_schema=False).filter(pl.col("type") == "Individual")
    rows = rows.filter(pl.col("entity_number").map_elements(_part, return_dtype=pl.String) == part)
    names = rows.select("entity_number", "name", pl.col("alt_names").fill_null(""))
    keyed = names.with_columns(person_key(pl.col("name")).alias("key")).drop_nulls("key")
    alts = (
        keyed.select("entity_number", "key", pl.col("alt_names").str.split(";").alias("alt"))
        .explode("alt")
        .with_columns(pl.col("alt").str.strip_chars())
        .filter(pl.col("alt") != "")
        .with_columns(person_key(pl.col("alt")).alias("key_right"))
    )
    scored = near_misses(
        alts.select("key").unique(), alts.select(pl.col("key_right").alias("key")).unique(), 0.0
    )
    positives = alts.join(scored, on=["key", "key_right"]).select("entity_number", "score")
    others = near_misses(keyed.select("key"), keyed.select("key"), 0.0)
    owner = keyed.select("entity_number", "key")
    negatives = (
        others.join(owner, on="key")
        .join(owner.rename({"entity_number": "other", "key": "key_right"}), on="key_right")
        .filter(pl.col("entity_number") != pl.col("other"))
        .group_by("entity_number")
        .agg(pl.col("score").max())
    )
    return positives, negatives.with_columns(pl.lit(keyed.height).alias("queries"))


def figures(positives: pl.DataFrame, negatives: pl.DataFrame, threshold: float) -> dict:
    queries = int(negatives["queries"][0]) if negatives.height else 0
    alarms = negatives.filter(pl.col("score") >= threshold).height
    return {
        "threshold": threshold,
        "positives": positives.height,
        "recall": positives.filter(pl.col("score") >= threshold).height / max(positives.height, 1),
        "individuals": queries,
        "false_alarm_rate": alarms / max(queries, 1),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sdn", type=Path)
    args = ap.parse_args(argv)
    tune = pairs(args.sdn, "tune")
    chosen = next(
        (t for t in GRID if figures(*tune, t)["false_alarm_rate"] <= MAX_FALSE_ALARMS), GRID[-1]
    )
    print("tune:", figures(*tune, chosen))
    print("test:", figures(*pairs(args.sdn, "test"), chosen))
    for t in (0.85, 0.9, 0.95):
        print(f"test at {t}:", figures(*pairs(args.sdn, "test"), t))


if __name__ == "__main__":
    main()
