"""Ownership features: per regime the verdict, the restricted share (min, max) and the chain's depth; shared officers.

The ownership stage (`auditor.ownership`) decides; this module turns its assessment into
feature columns: one set per built-in regime, and the columns rules read, which combine
the regimes in force on the as-of date (a suspended regime's verdict goes to its own
column, read by a lower-weight rule). Ties of control -- an officer or director shared
with a listed or restricted party -- sit outside the 50% test and get their own column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from auditor.ownership.assess import VERDICT_RANK, OwnershipAssessment, assess, regime_rows
from auditor.features.person_names import near_misses, person_key
from auditor.ownership.inputs import OwnershipInput, load_ownership
from auditor.ownership.proof import summary, tenant_proof
from auditor.ownership.regimes import DEFAULT_REGIMES, Regime
from auditor.ownership.seeds import DEFAULT_CERTAIN_SCORE, identifier_matches, screen_parties

PER_REGIME = {"ofac-50": "ofac_50", "bis-affiliates": "bis_affiliates"}
RANK_VERDICT = {v: k for k, v in VERDICT_RANK.items()}

OWNERSHIP_COLUMNS = pl.Schema(
    {
        "ownership_verdict": pl.String(),
        "ownership_regime": pl.String(),
        "restricted_share_min": pl.Float64(),
        "restricted_share_max": pl.Float64(),
        "ownership_chain_depth": pl.Float64(),
        "ownership_share_undetermined": pl.Boolean(),
        "suspended_ownership_verdict": pl.String(),
        "suspended_ownership_regime": pl.String(),
        "listed_minority_stake": pl.Boolean(),
        "shared_officer_listed": pl.Boolean(),
        "shared_officer_detail": pl.String(),
        "shared_officer_possible": pl.String(),
        "listed_identifier_match": pl.Boolean(),
        "listed_identifier_detail": pl.String(),
        "ownership_proof": pl.String(),
        **{
            f"{p}_{c}": t
            for p in PER_REGIME.values()
            for c, t in (
                ("verdict", pl.String()),
                ("share_min", pl.Float64()),
                ("share_max", pl.Float64()),
                ("depth", pl.Float64()),
            )
        },
    }
)


@dataclass(frozen=True)
class OwnershipSettings:
    """What the ownership stage needs from the run's configuration."""

    data: OwnershipInput | None = None  # None: only the tenants' KYC owner names
    regimes: list[Regime] = field(default_factory=lambda: list(DEFAULT_REGIMES))
    certain_score: float = DEFAULT_CERTAIN_SCORE
    minority_share: float = 25.0


def _combine(rows: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Worst verdict over the given regimes' rows, the regimes giving it, and their figures.

    The regimes giving the worst verdict are summed as bits (one per regime id, in sorted
    order) and named once per distinct set, instead of sorting and joining strings per tenant.
    """
    regimes = sorted(rows["regime"].unique().to_list())
    bit = {r: 1 << i for i, r in enumerate(regimes)}
    ranked = rows.with_columns(
        pl.col("verdict").replace_strict(VERDICT_RANK, return_dtype=pl.Int8).alias("rank"),
        pl.col("regime").replace_strict(bit, default=0, return_dtype=pl.Int64).alias("bit"),
    )
    top = ranked.filter(pl.col("rank") == pl.col("rank").max().over("tenant_id"))
    worst = top.group_by("tenant_id").agg(
        pl.col("rank").first(),
        pl.col("bit").sum().alias("bits"),
        pl.col("share_min").max().alias(f"{prefix}share_min"),
        pl.col("share_max").max().alias(f"{prefix}share_max"),
        pl.col("depth").min().alias(f"{prefix}depth"),
    )
    names = {m: ", ".join(r for r in regimes if m & bit[r]) for m in worst["bits"].unique()}
    return worst.select(
        "tenant_id",
        pl.col("rank")
        .replace_strict(RANK_VERDICT, return_dtype=pl.String)
        .alias(f"{prefix}verdict"),
        pl.col("bits")
        .replace_strict(names, default=None, return_dtype=pl.String)
        .alias(f"{prefix}regime"),
        f"{prefix}share_min",
        f"{prefix}share_max",
        f"{prefix}depth",
    )


def _shared_officers(tenants: pl.DataFrame, assessment: OwnershipAssessment) -> pl.DataFrame:
    """Tenants with an officer, director or controller who also controls a listed or restricted party.

    The tie is a person in the parties table with a `control` interest in a listed or restricted
    entity; the tenant side is that person's own `control` interest in the tenant, or the same
    person among the tenant's `officers` (features.person_names.person_key: case, punctuation,
    word order and script ignored). Only those count (`shared_officer_listed`). An officer
    whose name is a near miss of such a person's -- in the same country when both are known
    (the person's party country, the tenant's country) -- goes to `shared_officer_possible`
    for the analyst and fires nothing. Two tenants' officer lists are not compared by name
    alone: common names ("Wang Wei") would tie strangers.
    """
    if "officers" not in tenants.columns:
        return tenants.select(
            "tenant_id",
            pl.lit(None, dtype=pl.Boolean).alias("shared_officer_listed"),
            pl.lit(None, dtype=pl.String).alias("shared_officer_detail"),
            pl.lit(None, dtype=pl.String).alias("shared_officer_possible"),
        )
    listed: set[str] = set()
    for a in assessment.regimes:
        listed |= set(a.graph.nodes.filter(pl.Series(a.lower.restricted))["node_id"].to_list())
    nodes = assessment.data.nodes
    persons = nodes.filter(pl.col("kind") == "person").select(
        pl.col("node_id").alias("person_id"), pl.col("name").alias("person"), "country"
    )
    controls = (
        assessment.data.edges.filter(pl.col("interest") == "control")
        .select(pl.col("owner_id").alias("person_id"), pl.col("owned_id").alias("node_id"))
        .join(persons, on="person_id")
        .with_columns(person_key(pl.col("person")).alias("key"))
    )
    of_listed = (
        controls.filter(
            pl.col("node_id").is_in(pl.Series(sorted(listed), dtype=pl.String).implode())
        )
        .join(nodes.select("node_id", pl.col("name").alias("listed_name")), on="node_id")
        .select(
            "person_id",
            "key",
            "person",
            "country",
            pl.col("node_id").alias("listed_id"),
            "listed_name",
        )
    )
    by_id = controls.select(pl.col("node_id").alias("tenant_id"), "person_id").join(
        of_listed, on="person_id"
    )
    country = pl.col("country") if "country" in tenants.columns else pl.lit(None, dtype=pl.String)
    officers = (
        tenants.select("tenant_id", pl.col("officers").alias("officer"), country.alias("country"))
        .explode("officer")
        .drop_nulls("officer")
    )
    keys = (
        officers.select("officer").unique().with_columns(person_key(pl.col("officer")).alias("key"))
    )
    officers = officers.join(keys, on="officer", how="left")
    by_name = officers.drop("country").join(of_listed, on="key")
    ties = pl.concat(
        [
            by_id.select("tenant_id", "person", "listed_id", "listed_name"),
            by_name.select("tenant_id", "person", "listed_id", "listed_name"),
        ]
    )
    shared = (
        ties.filter(pl.col("tenant_id") != pl.col("listed_id"))
        .group_by("tenant_id")
        .agg(
            pl.format("{} also controls {} ({})", "person", "listed_name", "listed_id")
            .unique()
            .sort()
            .str.join("; ")
            .alias("shared_officer_detail")
        )
    )
    close = near_misses(officers.select("key", "country"), of_listed.select("key", "country"))
    same_country = (
        pl.col("country").is_null()
        | pl.col("country_right").is_null()
        | (pl.col("country").str.to_uppercase() == pl.col("country_right").str.to_uppercase())
    )
    possible = (
        officers.join(close, on="key")
        .join(of_listed.rename({"key": "key_right", "country": "country_right"}), on="key_right")
        .filter(same_country & (pl.col("tenant_id") != pl.col("listed_id")))
        .group_by("tenant_id")
        .agg(
            pl.format(
                "officer {} is close to {}, who controls {} ({}) (name score {}): a possible shared officer, not counted",
                "officer",
                "person",
                "listed_name",
                "listed_id",
                pl.col("score").round(2),
            )
            .unique()
            .sort()
            .str.join("; ")
            .alias("shared_officer_possible")
        )
    )
    return (
        tenants.select("tenant_id")
        .join(shared, on="tenant_id", how="left")
        .join(possible, on="tenant_id", how="left")
        .select(
            "tenant_id",
            pl.col("shared_officer_detail").is_not_null().alias("shared_officer_listed"),
            "shared_officer_detail",
            "shared_officer_possible",
        )
    )


def ownership_features(
    tenants: pl.DataFrame,
    as_of: datetime,
    index: Any,
    threshold: float | None,
    tenant_matches: pl.DataFrame | None,
    settings: OwnershipSettings | None = None,
) -> tuple[pl.DataFrame, OwnershipAssessment | None]:
    """Ownership feature columns for every tenant, and the assessment (for proofs); all null without lists."""
    if index is None:
        return tenants.select(
            "tenant_id", *[pl.lit(None, dtype=t).alias(c) for c, t in OWNERSHIP_COLUMNS.items()]
        ), None
    settings = settings or OwnershipSettings()
    data = settings.data or load_ownership(tenants)
    # Code matches first: at the same score they are the seed the proof shows.
    matches = pl.concat(
        [
            identifier_matches(data.identifiers, getattr(index, "entries", None)),
            screen_parties(data.nodes, index, threshold, tenant_matches),
        ]
    )
    assessment = assess(
        data, matches, settings.regimes, as_of, settings.certain_score, settings.minority_share
    )
    rows = pl.concat([regime_rows(a, settings.minority_share) for a in assessment.regimes])
    frame = tenants.select("tenant_id")
    for regime_id, prefix in PER_REGIME.items():
        part = rows.filter(pl.col("regime") == regime_id).select(
            "tenant_id",
            *[
                pl.col(c).alias(f"{prefix}_{c}")
                for c in ("verdict", "share_min", "share_max", "depth")
            ],
        )
        frame = frame.join(part, on="tenant_id", how="left")
    in_force = _combine(rows.filter(pl.col("in_force")), "").rename(
        {
            "verdict": "ownership_verdict",
            "regime": "ownership_regime",
            "share_min": "restricted_share_min",
            "share_max": "restricted_share_max",
            "depth": "ownership_chain_depth",
        }
    )
    suspended = _combine(rows.filter(~pl.col("in_force")), "suspended_ownership_").select(
        "tenant_id", "suspended_ownership_verdict", "suspended_ownership_regime"
    )
    flags = rows.group_by("tenant_id").agg(
        pl.col("undetermined").any().alias("ownership_share_undetermined"),
        # A minority stake is a signal only where no regime already finds the tenant restricted.
        (pl.col("minority").any() & (pl.col("verdict") != "restricted").all()).alias(
            "listed_minority_stake"
        ),
    )
    frame = (
        frame.join(in_force, on="tenant_id", how="left")
        .join(suspended, on="tenant_id", how="left")
        .join(flags, on="tenant_id", how="left")
        .join(_shared_officers(tenants, assessment), on="tenant_id", how="left")
        .join(_identified_tenants(tenants, matches), on="tenant_id", how="left")
    )
    frame = frame.join(_proof_lines(frame, assessment), on="tenant_id", how="left")
    return frame.select("tenant_id", *OWNERSHIP_COLUMNS).cast(OWNERSHIP_COLUMNS), assessment


def _identified_tenants(tenants: pl.DataFrame, matches: pl.DataFrame) -> pl.DataFrame:
    """Tenants that carry a list entry's own LEI or USCC: the tenant *is* that entry, whatever its name.

    The code seeds the ownership graph (what the tenant owns is judged from it), but a seed is
    not a verdict on itself, so without this column a listed company renamed beyond any name
    match would raise nothing of its own. Matches by code are the `identifier_matches` rows
    (their `query` is the code); name matches are left to the screening features.
    """
    by_code = matches.filter(pl.col("query").str.contains(r"^(?:LEI|USCC):"))
    found = (
        tenants.select("tenant_id")
        .join(by_code, left_on="tenant_id", right_on="node_id")
        .group_by("tenant_id")
        .agg(
            pl.format(
                "{}: {} ({} '{}')",
                "query",
                pl.col("explanation").str.json_path_match("$.text"),
                "source_code",
                "entry_name",
            )
            .unique()
            .sort()
            .str.join("; ")
            .alias("listed_identifier_detail")
        )
    )
    return (
        tenants.select("tenant_id")
        .join(found, on="tenant_id", how="left")
        .select(
            "tenant_id",
            pl.col("listed_identifier_detail").is_not_null().alias("listed_identifier_match"),
            "listed_identifier_detail",
        )
    )


def _proof_lines(frame: pl.DataFrame, assessment: OwnershipAssessment) -> pl.DataFrame:
    """The one-line proof of every tenant some regime finds (possibly) restricted or with a restricted stake."""
    notable = frame.filter(
        pl.col("ownership_verdict").is_in(["restricted", "possibly-restricted"])
        | pl.col("suspended_ownership_verdict").is_in(["restricted", "possibly-restricted"])
        | pl.col("listed_minority_stake").fill_null(False)
    )["tenant_id"].to_list()
    lines = []
    for tenant_id in notable:
        proofs = tenant_proof(assessment, tenant_id)
        lines.append((tenant_id, " | ".join(summary(p) for p in proofs) or None))
    return pl.DataFrame(
        lines, schema={"tenant_id": pl.String, "ownership_proof": pl.String}, orient="row"
    )
