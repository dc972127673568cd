"""Officers of listed companies among a tenant's officers and beneficial owners.

The Nettrix pattern (reference regulation.md): a new company formed by former executives of
a listed one is not owned by it, so ownership rules miss it; shared executives are the
signal. The CSL does not carry officers, so they come from the user's `--list-officers` file
(model.schema.LIST_OFFICERS). A person's name is compared as a key (features.person_names):
case, punctuation and word order ignored, other scripts romanised, so "ZHAO, Minghui",
"Minghui Zhao" and 赵明辉 meet; only that is a match. A near miss ("Minghao Zhao") is put in
`listed_officer_possible` for the analyst and decides nothing: person names are short and
common, and a near miss is not evidence. (The file has no country column, so none is compared.)
"""

from __future__ import annotations

import polars as pl

from auditor.features.person_names import near_misses, person_key

__all__ = ["COLUMNS", "list_officer_features", "person_key"]

COLUMNS = {
    "listed_officer_match": pl.Boolean(),
    "listed_officer_detail": pl.String(),
    "listed_officer_possible": pl.String(),
}


def list_officer_features(tenants: pl.DataFrame, officers: pl.DataFrame | None) -> pl.DataFrame:
    """tenant_id, listed_officer_match, listed_officer_detail, listed_officer_possible; null columns without the file."""
    if officers is None:
        return tenants.select(
            "tenant_id", *[pl.lit(None, dtype=t).alias(c) for c, t in COLUMNS.items()]
        )
    people = pl.concat(
        [
            tenants.select("tenant_id", pl.lit(field).alias("field"), pl.col(field).alias("person"))
            .explode("person")
            .drop_nulls("person")
            for field in ("officers", "beneficial_owners")
        ]
    )
    # The key's romanisation, regex and word sort run once per distinct name, not once per mention.
    keys = people.select("person").unique().with_columns(person_key(pl.col("person")).alias("key"))
    people = people.join(keys, on="person", how="left", maintain_order="left")
    known = officers.select(
        person_key(pl.col("officer_name")).alias("key"),
        "officer_name",
        "entry_name",
        pl.col("role").fill_null("officer"),
    ).drop_nulls("key")
    found = (
        people.join(known, on="key", how="inner")
        .with_columns(
            pl.format(
                "{} ({}) is named as {} of listed {}",
                "person",
                "field",
                "role",
                "entry_name",
            ).alias("line")
        )
        .group_by("tenant_id")
        .agg(pl.col("line").unique().sort().str.join("; ").alias("listed_officer_detail"))
    )
    close = near_misses(people.select("key"), known.select("key"))
    possible = (
        people.join(close, on="key")
        .join(known.rename({"key": "key_right"}), on="key_right")
        .with_columns(
            pl.format(
                "{} ({}) is close to {}, named as {} of listed {} (name score {}): a possible shared officer, not counted",
                "person",
                "field",
                "officer_name",
                "role",
                "entry_name",
                pl.col("score").round(2),
            ).alias("line")
        )
        .group_by("tenant_id")
        .agg(pl.col("line").unique().sort().str.join("; ").alias("listed_officer_possible"))
    )
    return (
        tenants.select("tenant_id")
        .join(found, on="tenant_id", how="left")
        .join(possible, on="tenant_id", how="left")
        .with_columns(pl.col("listed_officer_detail").is_not_null().alias("listed_officer_match"))
        .select("tenant_id", *COLUMNS)
    )
