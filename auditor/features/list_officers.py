"""Officers of listed companies among a tenant's officers and beneficial owners.

The Nettrix pattern (reference regulation.md): a new company formed by former executives of
a listed one is not owned by it, so ownership rules miss it; shared executives are the
signal. The CSL does not carry officers, so they come from the user's `--list-officers` file
(model.schema.LIST_OFFICERS). A person's name is compared as a key -- lower case,
punctuation dropped, words sorted -- so "ZHAO, Minghui" and "Minghui Zhao" meet, but no
fuzzy match: person names are short and common, and a near miss is not evidence.
"""

from __future__ import annotations

import polars as pl

COLUMNS = {"listed_officer_match": pl.Boolean(), "listed_officer_detail": pl.String()}


def person_key(name: pl.Expr) -> pl.Expr:
    """Lower case, punctuation as spaces, words sorted and joined by one space."""
    words = (
        name.str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.sort()
    )
    return pl.when(words.list.len() == 0).then(None).otherwise(words.list.join(" "))


def list_officer_features(tenants: pl.DataFrame, officers: pl.DataFrame | None) -> pl.DataFrame:
    """tenant_id, listed_officer_match, listed_officer_detail; null columns without the file."""
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
    # The key's regex and word sort run once per distinct name, not once per mention.
    keys = people.select("person").unique().with_columns(person_key(pl.col("person")).alias("key"))
    people = people.join(keys, on="person", how="left", maintain_order="left")
    known = officers.select(
        person_key(pl.col("officer_name")).alias("key"),
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
    return (
        tenants.select("tenant_id")
        .join(found, on="tenant_id", how="left")
        .with_columns(pl.col("listed_officer_detail").is_not_null().alias("listed_officer_match"))
        .select("tenant_id", *COLUMNS)
    )
