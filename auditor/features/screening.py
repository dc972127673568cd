"""Screening features: each tenant's best match against the restricted-party lists.

The tenant's names (legal name and aliases), its owners (parent, ultimate parent,
beneficial owners, officers) and its address are screened through the same
`ScreeningIndex` that `auditor screen` uses -- one matcher, one code path. Every match
keeps the names compared and the list entry, so a hit explains itself; the full match
rows are returned too, for investigation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import polars as pl

from auditor.screening.aliases import explain_alias_matches
from auditor.screening.index import MAX_SCREENED_CHARS

log = logging.getLogger("auditor.features")

LOGGED_CUTS = 20  # over-long values named one by one in the log; beyond, only their count
OWNER_FIELDS = ("parent_company", "ultimate_parent", "beneficial_owners", "officers")
SCREENING_COLUMNS = pl.Schema(
    {
        "listed_name_score": pl.Float64,
        "listed_name_match": pl.String,
        "listed_name_source": pl.String,
        "listed_owner_score": pl.Float64,
        "listed_owner_match": pl.String,
        "listed_owner_source": pl.String,
        "listed_address_score": pl.Float64,
        "listed_address_match": pl.String,
        "listed_address_source": pl.String,
    }
)


@dataclass(frozen=True)
class ScreeningResult:
    features: pl.DataFrame  # tenant_id + SCREENING_COLUMNS
    matches: pl.DataFrame  # tenant_id, facet, field, query, entry_id, entry_name, matched, source_code, score, explanation


def _name_queries(tenants: pl.DataFrame) -> pl.DataFrame:
    legal = tenants.select(
        "tenant_id", pl.lit("legal_name").alias("field"), pl.col("legal_name").alias("name")
    )
    aliases = tenants.select(
        "tenant_id", pl.lit("aliases").alias("field"), pl.col("aliases").alias("name")
    ).explode("name")
    return pl.concat([legal, aliases]).drop_nulls("name")


def _owner_queries(tenants: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for field in OWNER_FIELDS:
        column = pl.col(field)
        frame = tenants.select("tenant_id", pl.lit(field).alias("field"), column.alias("name"))
        if tenants.schema[field] == pl.List(pl.String):
            frame = frame.explode("name")
        parts.append(frame)
    return pl.concat(parts).drop_nulls("name")


def _with_query_ids(queries: pl.DataFrame) -> pl.DataFrame:
    return queries.with_row_index("query_id").with_columns(pl.col("query_id").cast(pl.String))


def _best(matches: pl.DataFrame, facet: str, label: pl.Expr) -> pl.DataFrame:
    best = matches.sort("score", descending=True).group_by("tenant_id", maintain_order=True).first()
    return best.select(
        "tenant_id",
        pl.col("score").alias(f"listed_{facet}_score"),
        label.alias(f"listed_{facet}_match"),
        pl.col("source_code").alias(f"listed_{facet}_source"),
    )


def _warn_cut(queries: pl.DataFrame, column: str) -> None:
    """A value longer than the screened length is cut by the index; say which tenant and field."""
    length = pl.col(column).str.len_chars()
    cut = queries.filter(length > MAX_SCREENED_CHARS).select(
        "tenant_id", "field", length.alias("chars")
    )
    for tenant_id, field, chars in cut.head(LOGGED_CUTS).iter_rows():
        log.warning(
            "stage=screening tenant=%s field=%s chars=%d screened=%d (cut)",
            tenant_id,
            field,
            chars,
            MAX_SCREENED_CHARS,
        )
    if cut.height > LOGGED_CUTS:
        log.warning("stage=screening values_cut=%d (first %d logged)", cut.height, LOGGED_CUTS)


def screen_tenants(tenants: pl.DataFrame, index, threshold: float | None = None) -> ScreeningResult:
    """Screens names, owners and addresses of every tenant; tenants with no match get score 0."""
    facets = []
    all_matches = []

    def run(facet: str, queries: pl.DataFrame, column: str, method) -> None:
        queries = _with_query_ids(queries)
        _warn_cut(queries, column)
        found = method(queries.select("query_id", pl.col(column)), threshold=threshold)
        found = found.join(queries.select("query_id", "tenant_id", "field"), on="query_id")
        query_col = "query_name" if "query_name" in found.columns else "query_address"
        matched_col = "matched_name" if "matched_name" in found.columns else "matched_address"
        if matched_col == "matched_name":  # an alias from an alias table says which file and line
            found = explain_alias_matches(found, index.entries)
        else:
            found = found.with_columns(alias_origin=pl.lit(None, dtype=pl.String))
        found = found.select(
            "tenant_id",
            pl.lit(facet).alias("facet"),
            "field",
            pl.col(query_col).alias("query"),
            "entry_id",
            "entry_name",
            pl.col(matched_col).alias("matched"),
            "source_code",
            pl.col("score").cast(pl.Float64),
            pl.col("explanation").cast(pl.String),
            "alias_origin",
        )
        all_matches.append(found)
        label = pl.format(
            "{} '{}' -> '{}' ({}) [{}]", "field", "query", "matched", "entry_name", "source_code"
        )
        label = (
            pl.when(pl.col("alias_origin").is_null())
            .then(label)
            .otherwise(pl.format("{} ({})", label, "alias_origin"))
        )
        # Tenants that had something to screen and matched nothing score 0; tenants with
        # nothing to screen (no address on record, say) stay null: unknown, not clean.
        screened = queries.select("tenant_id").unique()
        best = screened.join(_best(found, facet, label), on="tenant_id", how="left")
        facets.append(best.with_columns(pl.col(f"listed_{facet}_score").fill_null(0.0)))

    run("name", _name_queries(tenants), "name", index.match_names)
    run("owner", _owner_queries(tenants), "name", index.match_names)
    addresses = tenants.select(
        "tenant_id", pl.lit("address").alias("field"), pl.col("address")
    ).drop_nulls("address")
    run("address", addresses, "address", index.match_addresses)

    features = tenants.select("tenant_id")
    for frame in facets:
        features = features.join(frame, on="tenant_id", how="left")
    return ScreeningResult(features.cast(SCREENING_COLUMNS), pl.concat(all_matches))
