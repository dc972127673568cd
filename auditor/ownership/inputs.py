"""The ownership input of one audit: stated interests (edges) and the parties they join.

Three sources meet here, as one edge table: the `ownership` file, the `parties` file, and
the KYC columns `parent_company`, `ultimate_parent` and `beneficial_owners`, which name an
owner without a share (so their share is unknown, 0-100; "Name (30%)" is read as 30%).
Every edge keeps where it came from (`source`, `source_ref`, the row), because the
explanation of a verdict is the list of edges it rests on.

Refused, with the row: a share outside 0-100, a range whose minimum is above its maximum,
an owner owning itself, an id that is neither a tenant nor a party, an end before a start.
"""

from __future__ import annotations

from collections.abc import Callable
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from auditor.errors import InputError, Problem, SourceLocation, display_path
from auditor.model.load import MAX_PROBLEMS_PER_FILE, detect_format, read_table
from auditor.model.schema import OWNERSHIP, PARTIES
from auditor.ownership.identifiers import (
    TIES_SCHEMA,
    identifier_problems,
    node_identifiers,
    parse_identifiers,
    tie_parties,
)

KYC_OWNER_FIELDS = ("parent_company", "ultimate_parent", "beneficial_owners")
SHARE_IN_NAME = r"^(.*?)\s*\(\s*(\d+(?:[.,]\d+)?)\s*%\s*\)\s*$"

EDGE_SCHEMA = pl.Schema(
    {
        "owner_id": pl.String(),
        "owned_id": pl.String(),
        "lo": pl.Float64(),  # the least the share can be, 0-100
        "hi": pl.Float64(),  # the most it can be
        "lo_exclusive": pl.Boolean(),
        "hi_exclusive": pl.Boolean(),
        "stated": pl.Boolean(),  # the source gave a share or range (False: unknown, 0-100)
        # Categorical: a handful of distinct values over millions of rows (a text column cost 16
        # bytes a row, a categorical 4).
        "interest": pl.Categorical(),
        "start_date": pl.Datetime("us", "UTC"),
        "end_date": pl.Datetime("us", "UTC"),
        "source": pl.Categorical(),
        "source_ref": pl.String(),
        "origin": pl.Categorical(),  # "ownership" (the file) or "kyc:<field>"
        "row": pl.Int32(),  # the row a person would count in that file
        # owner_id and owned_id as node numbers (the row of `nodes`); 32 bits hold 2 billion nodes.
        "src": pl.Int32(),
        "dst": pl.Int32(),
    }
)
NODE_IDENTIFIERS_SCHEMA = pl.Schema(
    {"node_id": pl.String(), "identifier": pl.String(), "party_id": pl.String()}
)
PARTY_SCHEMA = pl.Schema(
    {
        "node_id": pl.String(),  # the id edges use: the tenant_id for tenants, else the party_id
        "name": pl.String(),
        "kind": pl.String(),
        "country": pl.String(),
        "aliases": pl.List(pl.String()),
        "identifiers": pl.List(pl.String()),
        "is_tenant": pl.Boolean(),
        "origin": pl.String(),  # "tenants", "parties" or "kyc"
    }
)


@dataclass(frozen=True)
class OwnershipInput:
    """Edges and nodes of the ownership graph, before the as-of date is applied."""

    edges: pl.DataFrame  # EDGE_SCHEMA
    nodes: pl.DataFrame  # PARTY_SCHEMA: every tenant and party that can own or be owned
    sources: dict[str, str]  # table -> path as shown to users
    given: bool  # an ownership or parties file was supplied (not only KYC names)
    # parties made one with another by a shared LEI or USCC: party_id, same_as, identifier, name
    ties: pl.DataFrame = dataclasses.field(default_factory=lambda: pl.DataFrame(schema=TIES_SCHEMA))
    # every valid LEI/USCC on the node it ends up as (a tenant's own, a tied party's): node_id,
    # identifier ("LEI:..."), party_id -- matched to list entries' codes (seeds.identifier_matches)
    identifiers: pl.DataFrame = dataclasses.field(
        default_factory=lambda: pl.DataFrame(schema=NODE_IDENTIFIERS_SCHEMA)
    )

    def same_party(self) -> dict[str, list[str]]:
        """node id -> the parties tied into it, as "party_id 'name' (LEI:...)" (for proofs)."""
        out: dict[str, list[str]] = {}
        for party, same_as, identifier, name in self.ties.iter_rows():
            out.setdefault(same_as, []).append(f"{party} '{name}' ({identifier})")
        return out


def name_key(expr: pl.Expr) -> pl.Expr:
    """How KYC names are joined to parties: case and spacing ignored, nothing else."""
    return expr.str.to_lowercase().str.replace_all(r"[\s,.]+", " ").str.strip_chars()


def _row_offset(path: Path) -> int:
    return 2 if detect_format(path) == "csv" else 1


def _problems(
    frame: pl.DataFrame, bad: pl.Expr, source: str, subject: str, message: pl.Expr
) -> list[Problem]:
    rows = (
        frame.filter(bad.fill_null(False))
        .select("row", message.alias("message"))
        .head(MAX_PROBLEMS_PER_FILE)
    )
    return [
        Problem(SourceLocation(source, row=row), text, subject=subject)
        for row, text in rows.iter_rows()
    ]


def _check_edges(raw: pl.DataFrame, source: str) -> None:
    """Every refusal in one pass over the rows (ids already numbered: null = unknown id); only checks that found something are located."""
    checks: list[tuple[pl.Expr, str, pl.Expr]] = []
    for column in ("share", "share_min", "share_max"):
        value = pl.col(column)
        bad = value.is_not_null() & (value.is_nan() | (value < 0) | (value > 100))
        checks.append(
            (
                bad,
                f"column '{column}'",
                pl.format("expected a percentage from 0 to 100, got {}", value),
            )
        )
    lo, hi = pl.col("share_min"), pl.col("share_max")
    empty_band = (lo == hi) & (
        pl.col("share_min_exclusive").fill_null(False)
        | pl.col("share_max_exclusive").fill_null(False)
    )
    checks.append(
        (
            (lo > hi) | empty_band,
            "column 'share_min'",
            pl.format("share_min {} is above share_max {} (or the band is empty)", lo, hi),
        )
    )
    checks.append(
        (
            pl.col("owner_id") == pl.col("owned_id"),
            "column 'owned_id'",
            pl.format("'{}' cannot own itself", "owner_id"),
        )
    )
    checks.append(
        (
            pl.col("end_date") < pl.col("start_date"),
            "column 'end_date'",
            pl.lit("the interest ends before it starts"),
        )
    )
    for column, number in (("owner_id", "src"), ("owned_id", "dst")):
        checks.append(
            (
                pl.col(number).is_null(),
                f"column '{column}'",
                pl.format(
                    "'{}' is neither a tenant_id nor a party_id; expected an id from the tenants or parties table",
                    pl.col(column),
                ),
            )
        )
    counts = raw.select(
        [bad.fill_null(False).sum().alias(str(i)) for i, (bad, _, _) in enumerate(checks)]
    ).row(0)
    problems: list[Problem] = []
    for count, (bad, subject, message) in zip(counts, checks):
        if count:
            problems += _problems(raw, bad, source, subject, message)
    if problems:
        raise InputError(
            sorted(problems, key=lambda p: (p.location.row if p.location else None) or 0)[
                :MAX_PROBLEMS_PER_FILE
            ]
        )


def _file_edges(raw: pl.DataFrame) -> pl.DataFrame:
    """Rows of the ownership file as edges with bounds."""
    share, lo, hi = pl.col("share"), pl.col("share_min"), pl.col("share_max")
    stated = share.is_not_null() | lo.is_not_null() | hi.is_not_null()
    return raw.select(
        "owner_id",
        "owned_id",
        pl.coalesce(share, lo, pl.lit(0.0)).alias("lo"),
        pl.coalesce(share, hi, pl.lit(100.0)).alias("hi"),
        (share.is_null() & pl.col("share_min_exclusive").fill_null(False) & lo.is_not_null()).alias(
            "lo_exclusive"
        ),
        (share.is_null() & pl.col("share_max_exclusive").fill_null(False) & hi.is_not_null()).alias(
            "hi_exclusive"
        ),
        stated.alias("stated"),
        pl.col("interest").fill_null("shareholding"),
        "start_date",
        "end_date",
        "source",
        "source_ref",
        pl.lit("ownership").alias("origin"),
        "row",
        "src",
        "dst",
    )


def _hash(ids: pl.Series) -> pl.Series:
    return ids.hash()


def node_numbers(
    ids: list[pl.Series], node_ids: pl.Series, hash_ids: Callable[[pl.Series], pl.Series] = _hash
) -> list[pl.Series]:
    """The row of each id in `node_ids` (null when it is not there), as Int64, for each series of ids.

    A join on 64-bit hashes of the ids rather than on the text: the text join cost seconds at
    millions of edges, the integer one a fraction. It stays exact: every match is compared with
    the id itself, and since the node ids' hashes are checked to be distinct, a hash that meets a
    node with other text means the id is not a node. Should two node ids ever share a hash, the
    text join is used instead. All the series go through one join, so the nodes' side is built
    once. (`hash_ids` is there so a test can force collisions.)
    """
    lengths = [s.len() for s in ids]
    every = pl.concat([s.cast(pl.String).rename("id") for s in ids], rechunk=True)
    # A gather from a Parquet read's many chunks cost 8x one from a single chunk.
    node_ids = node_ids.rechunk()
    node_hash = hash_ids(node_ids)
    if node_hash.n_unique() != node_hash.len():
        found = every.to_frame().join(
            node_ids.rename("id").to_frame().with_row_index("idx"),
            on="id",
            how="left",
            maintain_order="left",
        )["idx"]
        numbers = found.cast(pl.Int64)
    else:
        rows = pl.DataFrame({"h": node_hash, "idx": pl.int_range(0, node_hash.len(), eager=True)})
        found = (
            hash_ids(every)
            .rename("h")
            .to_frame()
            .join(rows, on="h", how="left", maintain_order="left")["idx"]
        )
        same = node_ids.gather(found) == every
        numbers = pl.select(pl.when(same).then(found)).to_series().cast(pl.Int64)
    offsets = [sum(lengths[:i]) for i in range(len(lengths))]
    return [numbers.slice(o, n) for o, n in zip(offsets, lengths)]


def _numbered(
    frame: pl.DataFrame, nodes: pl.DataFrame, owner: str = "owner_id", owned: str = "owned_id"
) -> pl.DataFrame:
    """Adds `src` and `dst`, the node numbers of the owner and the owned (null when an id is unknown)."""
    src, dst = node_numbers([frame[owner], frame[owned]], nodes["node_id"])
    return frame.with_columns(
        src.cast(EDGE_SCHEMA["src"]).alias("src"), dst.cast(EDGE_SCHEMA["dst"]).alias("dst")
    )


def _kyc_edges(tenants: pl.DataFrame, nodes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """KYC owner names as edges of unknown share (or the share written after the name), and their new parties."""
    parts = []
    for field in KYC_OWNER_FIELDS:
        if field not in tenants.columns:
            continue
        frame = tenants.select("tenant_id", pl.col(field).alias("raw"))
        if frame.schema["raw"] == pl.List(pl.String):
            frame = frame.explode("raw")
        parts.append(frame.with_columns(pl.lit(f"kyc:{field}").alias("origin")))
    named = (
        pl.concat(parts).filter(
            pl.col("raw").is_not_null() & (pl.col("raw").str.strip_chars() != "")
        )
        if parts
        else None
    )
    if named is None or named.height == 0:
        return pl.DataFrame(schema=EDGE_SCHEMA), pl.DataFrame(schema=PARTY_SCHEMA)
    named = (
        named.with_columns(
            pl.col("raw")
            .str.extract(SHARE_IN_NAME, 2)
            .str.replace(",", ".")
            .cast(pl.Float64, strict=False)
            .alias("pct"),
        )
        .with_columns(
            pl.when(pl.col("pct").is_not_null())
            .then(pl.col("raw").str.extract(SHARE_IN_NAME, 1))
            .otherwise(pl.col("raw"))
            .str.strip_chars()
            .alias("name")
        )
        .with_columns(
            pl.when(pl.col("pct") <= 100).then(pl.col("pct")).alias("pct"),
            name_key(pl.col("name")).alias("key"),
        )
    )
    # A KYC name is the same node as a tenant or party whose name or alias is written the same way.
    known = (
        pl.concat(
            [
                nodes.select("node_id", "name"),
                nodes.select("node_id", pl.col("aliases").alias("name")).explode("name"),
            ]
        )
        .drop_nulls("name")
        .select("node_id", name_key(pl.col("name")).alias("key"))
        .unique(subset="key", keep="first", maintain_order=True)
    )
    named = named.join(known, on="key", how="left").with_columns(
        pl.coalesce("node_id", pl.lit("kyc:") + pl.col("key")).alias("node_id")
    )
    named = named.filter(pl.col("node_id") != pl.col("tenant_id"))
    new_parties = (
        named.filter(pl.col("node_id").str.starts_with("kyc:"))
        .unique(subset="node_id", keep="first", maintain_order=True)
        .select(
            "node_id",
            "name",
            pl.lit("unknown").alias("kind"),
            pl.lit(None, dtype=pl.String).alias("country"),
            pl.lit([], dtype=pl.List(pl.String)).alias("aliases"),
            pl.lit([], dtype=pl.List(pl.String)).alias("identifiers"),
            pl.lit(False).alias("is_tenant"),
            pl.lit("kyc").alias("origin"),
        )
    )
    # parent_company and ultimate_parent often name the same company: one edge per (owner, tenant, source field).
    edges = named.unique(
        subset=["node_id", "tenant_id", "origin"], keep="first", maintain_order=True
    ).select(
        pl.col("node_id").alias("owner_id"),
        pl.col("tenant_id").alias("owned_id"),
        pl.col("pct").fill_null(0.0).alias("lo"),
        pl.col("pct").fill_null(100.0).alias("hi"),
        pl.lit(False).alias("lo_exclusive"),
        pl.lit(False).alias("hi_exclusive"),
        pl.col("pct").is_not_null().alias("stated"),
        pl.lit("shareholding").alias("interest"),
        pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("start_date"),
        pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("end_date"),
        pl.lit("KYC record").alias("source"),
        (pl.col("tenant_id") + "." + pl.col("origin").str.strip_prefix("kyc:")).alias("source_ref"),
        "origin",
        pl.lit(None, dtype=pl.Int64).alias("row"),
        pl.lit(None, dtype=pl.Int64).alias("src"),
        pl.lit(None, dtype=pl.Int64).alias("dst"),
    )
    return edges.cast(EDGE_SCHEMA), new_parties.cast(PARTY_SCHEMA)


def _tenant_nodes(tenants: pl.DataFrame) -> pl.DataFrame:
    aliases = (
        pl.col("aliases") if "aliases" in tenants.columns else pl.lit([], dtype=pl.List(pl.String))
    )
    country = pl.col("country") if "country" in tenants.columns else pl.lit(None, dtype=pl.String)
    return tenants.select(
        pl.col("tenant_id").alias("node_id"),
        pl.col("legal_name").alias("name"),
        pl.lit("entity").alias("kind"),
        country.alias("country"),
        aliases.fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("aliases"),
        pl.lit([], dtype=pl.List(pl.String)).alias("identifiers"),
        pl.lit(True).alias("is_tenant"),
        pl.lit("tenants").alias("origin"),
    ).cast(PARTY_SCHEMA)


def _load_parties(
    path: Path | None, tenant_ids: pl.Series
) -> tuple[pl.DataFrame, dict[str, str], pl.DataFrame, pl.DataFrame]:
    """The parties as nodes, party_id -> the node it is (a tenant, or the party it is tied to),
    the ties, and each valid code on its node (NODE_IDENTIFIERS_SCHEMA)."""
    if path is None:
        return (
            pl.DataFrame(schema=PARTY_SCHEMA),
            {},
            pl.DataFrame(schema=TIES_SCHEMA),
            pl.DataFrame(schema=NODE_IDENTIFIERS_SCHEMA),
        )
    table, _ = read_table(path, PARTIES)
    source, offset = display_path(path), _row_offset(Path(path))
    table = table.with_row_index("row", offset=offset).with_columns(pl.col("row").cast(pl.Int64))
    # Membership in the tenant ids through node_numbers' hashed join (an `is_in` on text cost more).
    as_party, as_tenant = node_numbers([table["party_id"], table["tenant_id"]], tenant_ids)
    table = table.with_columns(
        as_party.is_not_null().alias("__party_is_tenant"),
        as_tenant.is_not_null().alias("__tenant_known"),
    )
    checks = [
        (
            pl.col("tenant_id").is_not_null() & ~pl.col("__tenant_known"),
            "column 'tenant_id'",
            pl.format("'{}' is not a tenant_id of the tenant table", "tenant_id"),
        ),
        (
            pl.col("__party_is_tenant")
            & (pl.col("tenant_id").is_null() | (pl.col("tenant_id") != pl.col("party_id"))),
            "column 'party_id'",
            pl.format(
                "'{}' is also a tenant_id; set tenant_id to it if the party is that tenant, or use another party_id",
                "party_id",
            ),
        ),
    ]
    counts = table.select(
        [bad.fill_null(False).sum().alias(str(i)) for i, (bad, _, _) in enumerate(checks)]
    ).row(0)
    problems = [
        p
        for count, (bad, subject, message) in zip(counts, checks)
        if count
        for p in _problems(table, bad, source, subject, message)
    ]
    parsed = parse_identifiers(table)
    problems += identifier_problems(parsed, source, MAX_PROBLEMS_PER_FILE)
    if problems:
        raise InputError(
            sorted(problems, key=lambda p: (p.location.row if p.location else None) or 0)[
                :MAX_PROBLEMS_PER_FILE
            ]
        )
    party_node = {
        p: t for p, t in table.select("party_id", "tenant_id").drop_nulls().iter_rows() if p != t
    }
    ties = tie_parties(parsed, table)
    party_node.update(ties.same_as)
    parties = table.filter(
        pl.col("tenant_id").is_null()
        & ~pl.col("party_id").is_in(pl.Series(list(ties.same_as), dtype=pl.String).implode())
    ).select(
        pl.col("party_id").alias("node_id"),
        "name",
        pl.col("kind").fill_null("unknown"),
        "country",
        pl.col("aliases").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.col("identifiers").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.lit(False).alias("is_tenant"),
        pl.lit("parties").alias("origin"),
    )
    if ties.rows.height:  # a tied party's names and codes live on in the party it is one with
        absorbed = (
            ties.rows.join(table.select("party_id", "aliases", "identifiers"), on="party_id")
            .group_by("same_as")
            .agg(
                pl.concat_list(pl.col("name"), pl.col("aliases").fill_null([]))
                .explode()
                .alias("more_aliases"),
                pl.col("identifiers").fill_null([]).explode().alias("more_identifiers"),
            )
        )
        parties = (
            parties.join(absorbed, left_on="node_id", right_on="same_as", how="left")
            .with_columns(
                pl.concat_list("aliases", pl.col("more_aliases").fill_null([])).list.unique(
                    maintain_order=True
                ),
                pl.concat_list("identifiers", pl.col("more_identifiers").fill_null([])).list.unique(
                    maintain_order=True
                ),
            )
            .drop("more_aliases", "more_identifiers")
        )
    codes = node_identifiers(parsed, party_node).cast(NODE_IDENTIFIERS_SCHEMA)
    return parties.cast(PARTY_SCHEMA), party_node, ties.rows, codes


def load_ownership(
    tenants: pl.DataFrame, ownership: str | Path | None = None, parties: str | Path | None = None
) -> OwnershipInput:
    """The ownership graph's input from the files (either may be absent) and the tenants' KYC owner names."""
    tenant_ids = tenants["tenant_id"]
    party_frame, party_node, ties, codes = _load_parties(
        Path(parties) if parties is not None else None, tenant_ids
    )
    nodes = pl.concat([_tenant_nodes(tenants), party_frame])
    sources = {"parties": str(parties)} if parties is not None else {}
    file_edges = pl.DataFrame(schema=EDGE_SCHEMA)
    if ownership is not None:
        path = Path(ownership)
        raw, _ = read_table(path, OWNERSHIP)
        raw = raw.with_row_index("row", offset=_row_offset(path)).with_columns(
            pl.col("row").cast(pl.Int64)
        )
        if party_node:  # a party that is a tenant is that tenant's node
            raw = raw.with_columns(
                pl.col("owner_id").replace(party_node), pl.col("owned_id").replace(party_node)
            )
        raw = _numbered(raw, nodes)
        _check_edges(raw, display_path(path))
        file_edges = _file_edges(raw).cast(EDGE_SCHEMA)
        sources["ownership"] = str(ownership)
    kyc_edges, kyc_parties = _kyc_edges(tenants, nodes)
    all_nodes = pl.concat([nodes, kyc_parties])
    kyc_edges = _numbered(kyc_edges.drop("src", "dst"), all_nodes).select(list(EDGE_SCHEMA))
    return OwnershipInput(
        edges=pl.concat([file_edges, kyc_edges]),
        nodes=all_nodes,
        sources=sources,
        given=ownership is not None or parties is not None,
        ties=ties,
        identifiers=codes,
    )
