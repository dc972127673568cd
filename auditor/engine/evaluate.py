"""Evaluates compiled rules over the whole feature table at once.

Every rule is one Boolean column over all tenants (true = hit, false = no hit, null =
unknown). Hits carry the input values that fired them as JSON evidence; unknowns carry
the names of the inputs that were missing, so an analyst can tell "clean" from "could not
tell".
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import polars as pl

from auditor.engine.compile import CompiledRule
from auditor.engine.operators import availability_column

HIT, NO_HIT, UNKNOWN = "hit", "no-hit", "unknown"

HITS_SCHEMA = pl.Schema(
    {
        "tenant_id": pl.String,
        "rule_id": pl.String,
        "rule_version": pl.Int64,
        "severity": pl.String,
        "weight": pl.Float64,
        "title": pl.String,
        "evidence": pl.String,
    }
)
UNKNOWNS_SCHEMA = pl.Schema(
    {"tenant_id": pl.String(), "rule_id": pl.String(), "missing": pl.List(pl.String)}
)


@dataclass(frozen=True)
class Evaluation:
    """Rule outcomes of one run: a wide outcome table, and long tables of hits and unknowns."""

    outcomes: pl.DataFrame  # tenant_id + one nullable Boolean column per rule id
    hits: pl.DataFrame  # HITS_SCHEMA
    unknowns: pl.DataFrame  # UNKNOWNS_SCHEMA


def prepare(
    features: pl.DataFrame, rules: tuple[CompiledRule, ...], unavailable: set[str]
) -> pl.DataFrame:
    """Blanks unavailable features and adds the availability flags the null tests read."""
    read = sorted({f for r in rules for f in r.reads})
    blanks = [
        pl.lit(None, dtype=features.schema[f]).alias(f)
        for f in read
        if f in unavailable and f in features.columns
    ]
    flags = [pl.lit(f not in unavailable).alias(availability_column(f)) for f in read]
    return features.with_columns(*blanks, *flags)


def evaluate(
    features: pl.DataFrame,
    rules: tuple[CompiledRule, ...],
    unavailable: AbstractSet[str] = frozenset(),
) -> Evaluation:
    """Runs every rule over every tenant; returns outcomes, hits with evidence, and unknowns."""
    frame = prepare(features, rules, set(unavailable))
    outcomes = frame.select("tenant_id", *[r.predicate for r in rules])
    joined = pl.concat(
        [frame, outcomes.drop("tenant_id").rename({r.id: f"__rule__:{r.id}" for r in rules})],
        how="horizontal",
    )

    hit_frames, unknown_frames = [], []
    for rule in rules:
        outcome = pl.col(f"__rule__:{rule.id}")
        hit_frames.append(
            joined.filter(outcome).select(
                "tenant_id",
                pl.lit(rule.id).alias("rule_id"),
                pl.lit(rule.version, dtype=pl.Int64).alias("rule_version"),
                pl.lit(rule.severity).alias("severity"),
                pl.lit(float(rule.weight)).alias("weight"),
                pl.lit(rule.title).alias("title"),
                pl.struct([pl.col(f) for f in rule.evidence])
                .struct.json_encode()
                .alias("evidence"),
            )
        )
        missing = pl.concat_list(
            [
                pl.when(pl.col(f).is_null())
                .then(pl.lit(f))
                .otherwise(pl.lit(None, dtype=pl.String))
                for f in rule.reads
            ]
        ).list.drop_nulls()
        unknown_frames.append(
            joined.filter(outcome.is_null()).select(
                "tenant_id", pl.lit(rule.id).alias("rule_id"), missing.alias("missing")
            )
        )
    hits = pl.concat(hit_frames) if hit_frames else pl.DataFrame(schema=HITS_SCHEMA)
    unknowns = pl.concat(unknown_frames) if unknown_frames else pl.DataFrame(schema=UNKNOWNS_SCHEMA)
    return Evaluation(outcomes, hits.cast(HITS_SCHEMA), unknowns.cast(UNKNOWNS_SCHEMA))


def outcome_label(value: bool | None) -> str:
    return UNKNOWN if value is None else (HIT if value else NO_HIT)
