"""Affiliate features: each tenant's strongest tie by name to a listed entity it is not.

The tenant's legal name and aliases, and its parent, ultimate parent, beneficial owners and
officers, are looked at for the distinctive part of a listed name (`AffiliateIndex`):
"Inspur (Jinan) Data Technology" carries Inspur, "SMIC Holdings Ltd (Samoa)" carries SMIC.
Rarity is measured among this provider's own tenant names, so a token that many ordinary
tenants share stops counting. A (tenant, entry) pair that already matched by name or owner
is left to those features: one piece of evidence counts once.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from auditor.screening.affiliate import AffiliateIndex, without_name_matches

NAME_FIELDS = ("legal_name", "aliases")
OWNER_FIELDS = ("parent_company", "ultimate_parent", "beneficial_owners", "officers")
AFFILIATE_COLUMNS: dict[str, pl.DataType] = {
    "listed_affiliate_score": pl.Float64(),
    "listed_affiliate_match": pl.String(),
    "listed_affiliate_source": pl.String(),
    "listed_affiliate_same_country": pl.Boolean(),
}


@dataclass(frozen=True)
class AffiliateResult:
    features: pl.DataFrame  # tenant_id + AFFILIATE_COLUMNS
    matches: pl.DataFrame  # tenant_id, facet, field, query, entry_id, entry_name, matched, source_code, score, explanation


def _queries(tenants: pl.DataFrame) -> pl.DataFrame:
    """(tenant_id, field, name, country) for every name a tenant gives, itself and its owners."""
    country = (
        pl.coalesce(pl.col("hq_country").replace("", None), pl.col("country"))
        if "hq_country" in tenants.columns
        else pl.col("country")
    )
    parts = []
    for field in NAME_FIELDS + OWNER_FIELDS:
        if field not in tenants.columns:
            continue
        frame = tenants.select(
            "tenant_id", field=pl.lit(field), name=pl.col(field), country=country
        )
        if frame.schema["name"] == pl.List(pl.String):
            frame = frame.explode("name")
        parts.append(frame.with_columns(pl.col("name").cast(pl.String)))
    queries = pl.concat(parts).filter(
        pl.col("name").is_not_null() & (pl.col("name").str.strip_chars() != "")
    )
    return queries.with_row_index("query_id").with_columns(pl.col("query_id").cast(pl.String))


def affiliate_features(
    tenants: pl.DataFrame, index, name_matches: pl.DataFrame | None = None
) -> AffiliateResult:
    """Best affiliate match per tenant; 0 when its names were screened and none carried a listed name."""
    queries = _queries(tenants)
    corpus = queries.filter(pl.col("field").is_in(list(NAME_FIELDS)))["name"]
    affiliates = AffiliateIndex.build(index.entries, corpus)
    found = affiliates.match(queries.select("query_id", "name", "country"))
    # Kept in query order (field order, then tenant), which breaks ties between equal scores below.
    found = found.join(
        queries.select("query_id", "tenant_id", "field"), on="query_id", maintain_order="left"
    )
    if name_matches is not None and name_matches.height:
        named = name_matches.filter(pl.col("facet") != "address")
        # the same name already matched a listed party, or the tenant already matched this entry
        found = without_name_matches(
            found, named.rename({"query": "query_name"}), ("tenant_id", "query_name")
        )
        found = without_name_matches(found, named, ("tenant_id", "entry_id"))
    matches = found.select(
        "tenant_id",
        facet=pl.lit("affiliate"),
        field="field",
        query="query_name",
        entry_id="entry_id",
        entry_name="entry_name",
        matched=pl.format("{} ({})", "detail", "kind"),
        source_code="source_code",
        score=pl.col("score").cast(pl.Float64),
        explanation=pl.col("explanation").cast(pl.String),
    )
    label = pl.format(
        "{} '{}' -> '{}' [{}]: {} {}",
        "field",
        "query_name",
        "entry_name",
        "source_code",
        pl.col("kind"),
        "detail",
    )
    best = (
        found.sort("score", descending=True, maintain_order=True)
        .group_by("tenant_id", maintain_order=True)
        .first()
        .select(
            "tenant_id",
            listed_affiliate_score=pl.col("score"),
            listed_affiliate_match=label,
            listed_affiliate_source=pl.col("source_code"),
            listed_affiliate_same_country=pl.col("explanation")
            .str.json_path_match("$.country")
            .replace_strict(
                {"match": True, "mismatch": False}, default=None, return_dtype=pl.Boolean
            ),
        )
    )
    screened = queries.select("tenant_id").unique()
    features = tenants.select("tenant_id").join(
        screened.join(best, on="tenant_id", how="left"), on="tenant_id", how="left"
    )
    features = features.with_columns(
        pl.when(pl.col("tenant_id").is_in(screened["tenant_id"].implode()))
        .then(pl.col("listed_affiliate_score").fill_null(0.0))
        .otherwise(pl.col("listed_affiliate_score"))
    )
    return AffiliateResult(features.cast(AFFILIATE_COLUMNS), matches)  # type: ignore[arg-type]


def no_affiliate_features(tenants: pl.DataFrame) -> pl.DataFrame:
    """Null (unknown) affiliate columns for a run without lists."""
    return tenants.select(
        "tenant_id", *[pl.lit(None, dtype=t).alias(c) for c, t in AFFILIATE_COLUMNS.items()]
    )
