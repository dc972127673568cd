"""Source address -> the network it stands for: an exact IPv4 address, or an IPv6 /64.

Polars expressions only, so the sign-in table (tens of millions of rows) is never walked in
Python: IPv6's compressed forms are expanded by splitting at `::` and filling the gap with
zero groups. Blank, malformed, private, loopback, link-local, unique-local and CGNAT
addresses give null: they are reused on every private network, so sharing one links
nobody. An IPv4-mapped IPv6 address (`::ffff:198.51.100.7`) is its IPv4 address.
"""

from __future__ import annotations

import polars as pl

_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"^({_OCTET}\.){{3}}{_OCTET}$"
_PRIVATE_V4 = r"^(10\.|127\.|0\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)"
_FULL_V6 = r"^([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$"
_ZERO_GROUPS = {k: "0:" * k for k in range(0, 8)}
_G = "[0-9a-f]{1,4}"
# The first four groups written out, then either four more or a `::` with at most seven
# groups in all: the address is well formed and its /64 is the captured text.
_FOUR_GROUPS_FIRST = (
    rf"^({_G}:{_G}:{_G}:{_G})"
    rf"(?::{_G}:{_G}:{_G}:{_G}|::(?:{_G}(?::{_G}){{0,2}})?|:{_G}::(?:{_G}(?::{_G})?)?"
    rf"|:{_G}:{_G}::(?:{_G})?|:{_G}:{_G}:{_G}::)$"
)


_CANONICAL_GROUP = "(?:0|[1-9a-f][0-9a-f]{0,3})"
_V6_QUICK = rf"^({_CANONICAL_GROUP}:{_CANONICAL_GROUP}:{_CANONICAL_GROUP}:{_CANONICAL_GROUP}:)"


def quick_network(address: pl.Expr) -> pl.Expr:
    """The network an address stands for *if it is well formed*, without checking that it is,
    for the usual spellings only: a text of digits and dots as it is (`198.51.100.7`), an
    IPv6 address whose first four groups are written in lower case without leading zeros
    as those groups and a colon (`2001:db8:1:2:`, its /64 less `:/64`); null for every
    other text. Cheap (one plain match and one anchored regex), so it can run on every
    distinct (tenant, address) pair and find the networks only one tenant signs in from,
    which need no real parsing: whatever such an address turns out to be, it links nobody.
    """
    return (
        pl.when(address.str.contains(r"^[0-9.]+$"))
        .then(address)
        .otherwise(address.str.extract(_V6_QUICK, 1))
    )


def quick_form(network: pl.Expr) -> pl.Expr:
    """A `with_networks` network in the form `quick_network` gives it (`a:b:c:d::/64` ->
    `a:b:c:d:`; an IPv4 address unchanged), to meet it among the quick keys."""
    return network.str.strip_suffix(":/64")


def _v6_slash_64(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (with the cleaned address in `_text`) with `network` = `a:b:c:d::/64`, leading
    zeros dropped; null when malformed or private.

    String work only, one column at a time (each step reads the previous one's column, so
    nothing is computed twice): the one `::` is replaced by as many zero groups as are
    missing (8 minus the colons left once a leading or trailing `::` has a 0 beside it), the
    result must be eight groups of 1-4 hex digits, and its first four groups are the /64.
    """
    text = pl.col("_text")
    edged = pl.col("_edged")
    halves = pl.col("_halves")
    expanded = pl.col("_expanded")
    prefix = pl.col("_prefix")
    staged = (
        frame.with_columns(
            pl.when(text.str.starts_with("::"))
            .then(pl.lit("0") + text)
            .otherwise(text)
            .alias("_edged")
        )
        .with_columns(pl.when(edged.str.ends_with("::")).then(edged + pl.lit("0")).otherwise(edged))
        .with_columns(
            edged.str.split_exact("::", 1).alias("_halves"),
            (8 - edged.str.count_matches(":", literal=True).cast(pl.Int64))
            .replace_strict(_ZERO_GROUPS, default=None, return_dtype=pl.String)
            .alias("_zeros"),
        )
        .with_columns(
            pl.when(halves.struct.field("field_1").is_not_null())
            .then(
                halves.struct.field("field_0")
                + pl.lit(":")
                + pl.col("_zeros")
                + halves.struct.field("field_1")
            )
            .otherwise(edged)
            .alias("_expanded")
        )
        .with_columns(
            expanded.str.extract(r"^([0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}):", 1)
            .str.replace_all(r"(^|:)0+([0-9a-f])", "${1}${2}")
            .alias("_prefix"),
            (
                expanded.str.contains(_FULL_V6)
                & (text.str.count_matches("::", literal=True) <= 1)
                & ~text.str.contains(":::", literal=True)
            ).alias("_well_formed"),
        )
    )
    private = (
        prefix.str.contains(r"^fe[89ab][0-9a-f]:")  # link-local fe80::/10
        | prefix.str.contains(r"^f[cd][0-9a-f]{2}:")  # unique local fc00::/7
        | (prefix == "0:0:0:0")  # unspecified, loopback, IPv4-compatible
    )
    return staged.with_columns(
        pl.when(pl.col("_well_formed") & ~private)
        .then(prefix + pl.lit("::/64"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("network")
    ).drop("_edged", "_halves", "_zeros", "_expanded", "_prefix", "_well_formed")


def _v6_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """`_v6_slash_64` for every row, but the usual spellings -- the first four groups written
    out -- take one regex (`_FOUR_GROUPS_FIRST`, which also checks the whole address) and
    only the rest go through the general string work. The same answer either way (a test
    compares the two on every spelling it can make)."""
    prefix = pl.col("_text").str.extract(_FOUR_GROUPS_FIRST, 1)
    quick = frame.with_columns(prefix.alias("_prefix"))
    fast = quick.filter(pl.col("_prefix").is_not_null()).with_columns(
        pl.col("_prefix").str.replace_all(r"(^|:)0+([0-9a-f])", "${1}${2}")
    )
    private = pl.col("_prefix").str.contains(r"^(fe[89ab][0-9a-f]|f[cd][0-9a-f]{2}):") | (
        pl.col("_prefix") == "0:0:0:0"
    )
    fast = fast.with_columns(
        pl.when(private)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("_prefix") + pl.lit("::/64"))
        .alias("network")
    ).drop("_prefix")
    slow = _v6_slash_64(quick.filter(pl.col("_prefix").is_null()).drop("_prefix"))
    return pl.concat([fast, slow])


def with_networks(frame: pl.DataFrame, column: str = "source_ip") -> pl.DataFrame:
    """`frame` with a `network` column: each row's network key, null when it cannot link anyone.

    IPv4 rows (by far the most) take one regex; only the IPv6 rows go through the string
    work of `_v6_slash_64` -- a when/then would compute it for every row.
    """
    text = pl.col("_text")
    marked = (
        frame.with_columns(pl.col(column).str.strip_chars().str.to_lowercase().alias("_text"))
        .with_columns(
            pl.coalesce(text.str.extract(r"^::ffff:(\d+\.\d+\.\d+\.\d+)$", 1), text).alias("_v4"),
            (text.str.contains(":", literal=True) & ~text.str.contains(".", literal=True)).alias(
                "_v6"
            ),
        )
        .with_columns(pl.col("_v4").str.contains(_IPV4).alias("_is_v4"))
    )
    v4_rows = marked.filter("_is_v4").with_columns(
        pl.when(pl.col("_v4").str.contains(_PRIVATE_V4))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("_v4"))
        .alias("network")
    )
    v6_rows = _v6_rows(marked.filter(pl.col("_v6")))
    rest = marked.filter(~pl.col("_is_v4") & ~pl.col("_v6")).with_columns(
        pl.lit(None, dtype=pl.String).alias("network")
    )
    return pl.concat([v4_rows, v6_rows, rest]).drop("_text", "_v4", "_v6", "_is_v4")
