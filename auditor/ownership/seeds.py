"""Listed seeds: the tenants and parties whose names match a restricted-party list entry.

Party names and aliases go through the same `ScreeningIndex` as tenant names, once per
distinct normalised name; tenants' own name matches are taken from the tenant screening
already done, not screened again. A strong match (at or above `certain_score`) is a listed
seed; a weaker one kept by the screening threshold is a *possible* seed, counted only in
the upper bound.
"""

from __future__ import annotations

import json

import polars as pl

from auditor.ownership.inputs import name_key
from auditor.ownership.regimes import Regime

SEED_SCHEMA = pl.Schema(
    {
        "node_id": pl.String(),
        "query": pl.String(),
        "entry_id": pl.String(),
        "entry_name": pl.String(),
        "matched": pl.String(),
        "source_code": pl.String(),
        "programs": pl.String(),
        "score": pl.Float64(),
        "explanation": pl.String(),
    }
)
DEFAULT_CERTAIN_SCORE = 0.93
SHARE_SUFFIX = r"\s*\(\s*\d+(?:[.,]\d+)?\s*%\s*\)\s*$"  # "Name (30%)" as the KYC field wrote it


def screen_parties(
    nodes: pl.DataFrame, index, threshold: float | None, tenant_matches: pl.DataFrame | None
) -> pl.DataFrame:
    """Every list match of every node's name or alias (SEED_SCHEMA), best first per node (ties by entry id)."""
    if index is None:
        return pl.DataFrame(schema=SEED_SCHEMA)
    parties = nodes.filter(~pl.col("is_tenant"))
    names = pl.concat(
        [
            parties.select("node_id", "name"),
            parties.select("node_id", pl.col("aliases").alias("name")).explode("name"),
        ]
    ).drop_nulls("name")
    names = names.with_columns(name_key(pl.col("name")).alias("key")).filter(pl.col("key") != "")
    programs = index.entries.select("entry_id", "source_code", pl.col("programs").fill_null(""))
    reused = pl.DataFrame(
        schema={
            "key": pl.String,
            **{
                c: SEED_SCHEMA[c]
                for c in ("entry_id", "entry_name", "source_code", "score", "explanation")
            },
            "query_name": pl.String,
            "matched_name": pl.String,
        }
    )
    if tenant_matches is not None and "facet" in tenant_matches.columns:
        # KYC owner names were screened with the tenants (facet "owner"): take those results, do not screen them twice.
        kyc_ids = parties.filter(pl.col("origin") == "kyc").select("node_id")
        kyc_names = names.join(kyc_ids, on="node_id", how="semi")
        names = names.join(kyc_ids, on="node_id", how="anti")
        owner = tenant_matches.filter(pl.col("facet") == "owner").with_columns(
            name_key(pl.col("query").str.replace(SHARE_SUFFIX, "")).alias("key")
        )
        reused = (
            owner.join(kyc_names.select("key").unique(), on="key", how="semi")
            .select(
                "key",
                "entry_id",
                "entry_name",
                "source_code",
                "score",
                "explanation",
                pl.col("query").alias("query_name"),
                pl.col("matched").alias("matched_name"),
            )
            .unique(subset=["key", "entry_id"], keep="first")
        )
    else:
        kyc_names = names.clear()
    distinct = names.unique(
        subset="key", keep="first", maintain_order=True
    )  # every name not screened with the tenants
    names = pl.concat([names, kyc_names])
    found = index.match_names(
        distinct.select(pl.col("key").alias("query_id"), "name"), threshold=threshold
    )
    found = pl.concat(
        [
            found.select(
                pl.col("query_id").alias("key"),
                "entry_id",
                "entry_name",
                "source_code",
                "score",
                "explanation",
                "query_name",
                "matched_name",
            ),
            reused,
        ]
    )
    party_matches = (
        names.join(found, on="key")
        .join(programs, on=["entry_id", "source_code"], how="left")
        .select(
            "node_id",
            pl.col("query_name").alias("query"),
            "entry_id",
            "entry_name",
            pl.col("matched_name").alias("matched"),
            "source_code",
            "programs",
            "score",
            "explanation",
        )
    )
    frames = [party_matches.cast(SEED_SCHEMA)]
    if tenant_matches is not None and tenant_matches.height:
        own = tenant_matches.filter(pl.col("facet") == "name").join(
            programs, on=["entry_id", "source_code"], how="left"
        )
        frames.append(
            own.select(
                pl.col("tenant_id").alias("node_id"),
                "query",
                "entry_id",
                "entry_name",
                "matched",
                "source_code",
                "programs",
                "score",
                "explanation",
            ).cast(SEED_SCHEMA)
        )
    # Best first per node; at equal score by entry, then by the name that matched, so the seed
    # `regime_seeds` keeps on a tie (and the proof cites) does not depend on the order of the
    # rows or of a party's names.
    return pl.concat(frames).sort(
        ["node_id", "score", "entry_id", "source_code", "query", "matched"],
        descending=[False, True, False, False, False, False],
    )


def regime_seeds(matches: pl.DataFrame, regime: Regime, certain_score: float) -> pl.DataFrame:
    """The best match per node among the regime's lists (and SDN programmes), with `certain`."""
    lists = [code.upper() for code in regime.lists]
    wanted = pl.col("source_code").is_in(lists)
    if regime.sdn_programs is not None:
        tags = "|".join(p.upper() for p in regime.sdn_programs) or "^$"
        program_ok = (
            pl.col("programs").str.to_uppercase().str.contains(rf"(^|[;,\s\[])({tags})($|[;,\s\]])")
        )
        wanted = wanted & ((pl.col("source_code") != "SDN") | program_ok.fill_null(False))
    best = (
        matches.filter(wanted)
        .sort("score", descending=True, maintain_order=True)  # a code match, first, wins a tie
        .unique(subset="node_id", keep="first", maintain_order=True)
    )
    return best.with_columns((pl.col("score") >= certain_score).alias("certain"))


IDENTIFIER_SCHEME_NAMES = {"LEI": "LEI", "USCC": "Unified Social Credit Code"}


def identifier_matches(codes: pl.DataFrame, entries: pl.DataFrame | None) -> pl.DataFrame:
    """Seeds by code: a node carrying the same LEI or USCC as a list entry is that entry (SEED_SCHEMA).

    The strongest evidence there is -- a registry code is not a name that may belong to
    someone else -- so it scores 1.0 whatever the names say, and the explanation says
    "same LEI as list entry X". `codes` is OwnershipInput.identifiers; the entries' codes come
    from their `ids` / `remarks` (screening.lists).
    """
    if entries is None or "identifiers" not in entries.columns or codes.height == 0:
        return pl.DataFrame(schema=SEED_SCHEMA)
    listed = (
        entries.select(
            "entry_id",
            "name",
            "source_code",
            pl.col("programs").fill_null(""),
            pl.col("identifiers").alias("identifier"),
        )
        .explode("identifier")
        .drop_nulls("identifier")
    )
    found = codes.join(listed, on="identifier")
    if found.height == 0:
        return pl.DataFrame(schema=SEED_SCHEMA)
    rows = []
    for node_id, identifier, party_id, entry_id, name, code, programs in found.select(
        "node_id", "identifier", "party_id", "entry_id", "name", "source_code", "programs"
    ).iter_rows():
        scheme = identifier.split(":", 1)[0]
        text = f"same {IDENTIFIER_SCHEME_NAMES.get(scheme, scheme)} as list entry {entry_id}"
        how = {"identifier": identifier, "text": text, "party_id": party_id}
        rows.append(
            (node_id, identifier, entry_id, name, identifier, code, programs, 1.0, json.dumps(how))
        )
    return pl.DataFrame(rows, schema=SEED_SCHEMA, orient="row").unique(
        subset=["node_id", "entry_id"], keep="first", maintain_order=True
    )
