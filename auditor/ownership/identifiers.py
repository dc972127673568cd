"""Registry identifiers that tie parties across sources: the LEI and China's Unified Social Credit Code.

A party's `identifiers` are `SCHEME:value`. Two schemes are checked and used to tie parties:
* `LEI` (ISO 17442): 20 letters or digits, the last two check digits under ISO 7064 MOD 97-10
  (letters read as 10-35, the whole as one number, which must leave 1 modulo 97).
* `USCC` (GB 32100-2015): 18 characters from the 31 it allows (digits and capitals without
  I, O, S, V, Z), the 3rd to 8th an administrative-division code of digits, the last a check
  character: 31 minus the weighted sum (weights 3^i mod 31) modulo 31.
Written other ways -- BODS's and org-id's `XI-LEI`, `CN-SAMR`, or lower case with spaces -- they
are read as the same scheme and value. A malformed LEI or USCC is refused with its row, so a
mistyped code never silently fails to tie; other schemes pass through and tie nothing.

Parties sharing a valid LEI or USCC are one party (linked through any chain of shared codes):
a party that is a tenant wins, else the first in file order; the others' stakes point at it,
and their names become its aliases so the screening still sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

import numpy as np
import polars as pl

from auditor.errors import Problem, SourceLocation

SCHEMES = {
    "LEI": "LEI",
    "XI-LEI": "LEI",
    "USCC": "USCC",
    "CN-USCC": "USCC",
    "CN-SAMR": "USCC",
}
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
LEI_SHAPE = r"^[0-9A-Z]{18}[0-9]{2}$"
USCC_SHAPE = rf"^[{USCC_CHARS}]{{2}}[0-9]{{6}}[{USCC_CHARS}]{{10}}$"
CHECK_NAME = {
    "LEI": "check digits do not match (ISO 7064 MOD 97-10)",
    "USCC": "check character does not match (GB 32100-2015)",
}
EXPECTED = {
    "LEI": "20 letters or digits ending in two check digits (ISO 17442)",
    "USCC": (
        "18 characters from 0-9 and A-Y without I, O, S, V, Z, the 3rd to 8th digits, "
        "ending in a check character (GB 32100-2015)"
    ),
}


TIES_SCHEMA = pl.Schema(
    {
        "party_id": pl.String(),
        "same_as": pl.String(),
        "identifier": pl.String(),
        "name": pl.String(),
    }
)


@dataclass(frozen=True)
class Ties:
    """Which parties are the same party, and by what code."""

    same_as: dict[str, str]  # party_id -> the party_id or tenant_id it is one with
    rows: pl.DataFrame  # TIES_SCHEMA: one row per tied party


def _codes(values: pl.Series) -> np.ndarray:
    """Equal-length ASCII strings as a (rows, length) byte array, with no Python loop over rows."""
    if values.len() == 0:
        return np.zeros((0, 0), dtype=np.uint8)
    joined = values.str.join("").item().encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(values.len(), -1)


def lei_check_ok(values: pl.Series) -> np.ndarray:
    """ISO 7064 MOD 97-10 over LEIs already of the right shape: one numpy step per character."""
    codes = _codes(values)
    digits = np.where(codes <= ord("9"), codes - ord("0"), codes - ord("A") + 10).astype(np.int64)
    remainder = np.zeros(codes.shape[0], dtype=np.int64)
    for column in digits.T:
        remainder = (remainder * np.where(column >= 10, 100, 10) + column) % 97
    return remainder == 1


def uscc_check_ok(values: pl.Series) -> np.ndarray:
    """The GB 32100-2015 check character over codes already of the right shape."""
    codes = _codes(values)
    table = np.full(256, -1, dtype=np.int64)
    table[np.frombuffer(USCC_CHARS.encode("ascii"), dtype=np.uint8)] = np.arange(31)
    if codes.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    value = table[codes]
    check = (31 - (value[:, :17] @ USCC_WEIGHTS) % 31) % 31
    return check == value[:, 17]


def parse_identifiers(parties: pl.DataFrame) -> pl.DataFrame:
    """One row per identifier: row, party_id, tenant_id, text (as written), scheme, value, valid, why.

    `valid` is null for schemes not checked here and False for a malformed LEI or USCC, whose
    `why` is "shape" (wrong length or characters) or "check" (the check digits disagree).
    """
    listed = parties.select("row", "party_id", "tenant_id", pl.col("identifiers").alias("text"))
    listed = listed.explode("text").drop_nulls("text")
    listed = listed.filter(pl.col("text").str.strip_chars() != "")
    value = pl.col("text").str.extract(r"^[^:]*:(.*)$").str.to_uppercase()
    split = listed.with_columns(
        pl.col("text")
        .str.extract(r"^\s*([^:]+?)\s*:")
        .str.to_uppercase()
        .replace_strict(SCHEMES, default=None)
        .alias("scheme"),
        value.str.replace_all(r"[\s\-]", "").alias("value"),
    ).with_row_index("i")
    scheme = pl.col("scheme")
    shaped = (
        pl.when(scheme == "LEI")
        .then(pl.col("value").str.contains(LEI_SHAPE))
        .when(scheme == "USCC")
        .then(pl.col("value").str.contains(USCC_SHAPE))
        .fill_null(False)
    )
    split = split.with_columns(shaped.alias("shaped"))
    checks = []
    for name, check in (("LEI", lei_check_ok), ("USCC", uscc_check_ok)):
        rows = split.filter((scheme == name) & pl.col("shaped"))
        checks.append(rows.select("i", pl.Series("check", check(rows["value"]), dtype=pl.Boolean)))
    split = split.join(pl.concat(checks), on="i", how="left")
    checked = scheme.is_not_null()
    return split.select(
        "row",
        "party_id",
        "tenant_id",
        "text",
        pl.coalesce(scheme, pl.col("text").str.extract(r"^\s*([^:]+?)\s*:")).alias("scheme"),
        "value",
        pl.when(checked).then(pl.col("check").fill_null(False)).alias("valid"),
        pl.when(checked & ~pl.col("shaped"))
        .then(pl.lit("shape"))
        .when(checked & ~pl.col("check").fill_null(False))
        .then(pl.lit("check"))
        .alias("why"),
    ).sort("row", maintain_order=True)


def identifier_problems(parsed: pl.DataFrame, source: str, limit: int) -> list[Problem]:
    """A located problem for each malformed LEI or USCC: the row, the text, what was expected."""
    bad = parsed.filter(pl.col("valid") == False).head(limit)  # noqa: E712 - null is "not checked"
    problems = []
    for row, text, scheme, why in bad.select("row", "text", "scheme", "why").iter_rows():
        reason = (
            f"expected {EXPECTED[scheme]}"
            if why == "shape"
            else f"its {CHECK_NAME[scheme]}: a character is mistyped or missing"
        )
        problems.append(
            Problem(
                SourceLocation(source, row=row),
                f"'{text}' is not a valid {scheme}: {reason}",
                subject="column 'identifiers'",
            )
        )
    return problems


def tie_parties(parsed: pl.DataFrame, parties: pl.DataFrame) -> Ties:
    """Parties linked by shared valid codes, each mapped to its group's representative.

    The groups are connected components, found by propagating the least priority (tenant
    parties first, then file order) through shared codes until it settles -- a few whole-table
    steps, not a loop over parties.
    """
    keys = (
        parsed.filter(pl.col("valid").fill_null(False))
        .select("party_id", (pl.col("scheme") + ":" + pl.col("value")).alias("key"))
        .unique()
    )
    shared = keys.filter(pl.col("key").is_duplicated())
    empty = pl.DataFrame(schema=TIES_SCHEMA)
    if shared.height == 0:
        return Ties({}, empty)
    n = parties.height
    priority = parties.select(
        "party_id",
        (
            pl.int_range(0, pl.len(), dtype=pl.Int64)
            + pl.col("tenant_id").is_null().cast(pl.Int64) * n
        ).alias("label"),
    ).join(shared.select("party_id").unique(), on="party_id", how="semi")
    label = priority
    while True:
        by_key = shared.join(label, on="party_id").group_by("key").agg(pl.col("label").min())
        moved = (
            shared.join(by_key, on="key")
            .group_by("party_id")
            .agg(pl.col("label").min())
            .join(label, on="party_id", suffix="_was")
            .select("party_id", pl.min_horizontal("label", "label_was").alias("label"))
        )
        if moved.sort("party_id").equals(label.sort("party_id")):
            break
        label = moved
    target = parties.select(
        pl.col("party_id").alias("rep"),
        pl.coalesce("tenant_id", "party_id").alias("same_as"),
        (
            pl.int_range(0, pl.len(), dtype=pl.Int64)
            + pl.col("tenant_id").is_null().cast(pl.Int64) * n
        ).alias("label"),
    )
    why = shared.group_by("party_id").agg(pl.col("key").min().alias("identifier"))
    rows = (
        label.join(target, on="label")
        .join(
            parties.filter(pl.col("tenant_id").is_null()).select("party_id"),
            on="party_id",
            how="semi",
        )
        .filter(pl.col("party_id") != pl.col("rep"))
        .join(why, on="party_id")
        .join(parties.select("party_id", "name"), on="party_id")
        .select(list(TIES_SCHEMA))
        .sort("party_id")
    )
    return Ties(dict(rows.select("party_id", "same_as").iter_rows()), rows)


# How the lists label the two codes. OFAC's SDN data writes "Legal Entity Number" (also for
# national numbers that are not ISO LEIs, so only a code passing the LEI check is taken) and
# "Unified Social Credit Code (USCC)", older entries "United Social Credit Code Certificate
# (USCCC)". The CSL CSV's `ids` column gives "type, number[, country]" (older files
# "country, number, type"), the SDN legacy layout the same labels inside `remarks`.
LIST_LABELS = {
    "LEI": re.compile(r"\b(?:legal entity (?:number|identifier)|LEI)\b", re.IGNORECASE),
    "USCC": re.compile(
        r"\b(?:unified social credit code|united social credit code(?: certificate)?|USCCC?)\b",
        re.IGNORECASE,
    ),
}
CHECKS = {"LEI": (LEI_SHAPE, lei_check_ok), "USCC": (USCC_SHAPE, uscc_check_ok)}


def code_is_valid(scheme: str, value: str) -> bool:
    """One LEI or USCC (upper case, no spaces) checked: shape, then check digits."""
    shape, check = CHECKS[scheme]
    return bool(re.fullmatch(shape, value)) and bool(check(pl.Series([value]))[0])


def codes_in_list_text(text: str | None) -> list[str]:
    """`LEI:...` / `USCC:...` for each labelled, valid code in a list entry's ids or remarks.

    The text is split at ";" into statements; a statement whose label names a scheme gives
    every word in it that passes that scheme's check. An unlabelled 20-character word is never
    taken, nor a labelled one that fails the check (a Dutch "Legal Entity Number 852496527").
    """
    found: list[str] = []
    for part in (text or "").split(";"):
        for scheme, label in LIST_LABELS.items():
            if not label.search(part):
                continue
            for word in re.findall(r"[0-9A-Za-z]+", label.sub(" ", part)):
                code = f"{scheme}:{word.upper()}"
                if code not in found and code_is_valid(scheme, word.upper()):
                    found.append(code)
    return found


def node_identifiers(parsed: pl.DataFrame, party_node: dict[str, str]) -> pl.DataFrame:
    """node_id, identifier (`SCHEME:VALUE`), party_id: each valid code on the node it ends up as.

    A party that is a tenant, or is tied into another party, carries its codes to that node, so
    a tenant written in the parties file with its LEI is found by that LEI.
    """
    valid = parsed.filter(pl.col("valid").fill_null(False))
    mapping = pl.DataFrame(
        {"party_id": list(party_node), "node_id": list(party_node.values())},
        schema={"party_id": pl.String, "node_id": pl.String},
    )
    return (
        valid.join(mapping, on="party_id", how="left")
        .select(
            pl.coalesce("node_id", "party_id").alias("node_id"),
            (pl.col("scheme") + ":" + pl.col("value")).alias("identifier"),
            "party_id",
        )
        .unique(maintain_order=True)
    )
