"""`auditor screen`: batch-screen a file of names against restricted-party lists.

Writes one JSON line per input name with its matches, best first, and beside the output
`<out>.meta.json` recording which list files (path, sha256, list date) and which
algorithm and threshold the run used, so a result can be traced to a list version.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
import polars as pl

from auditor.cli.paths import PATH_OR_URL, storage_config_option, storage_of
from auditor.cli.safe_text import echo, plain
from auditor.errors import InputError, Problem, SourceLocation, display_path
from auditor.jsonlines import parse_json_lines
from auditor.screening import ScreeningIndex, load_lists
from auditor.screening.affiliate import (
    AFFILIATE_ALGORITHM,
    AFFILIATE_EXPLANATION_DTYPE,
    AffiliateIndex,
    without_name_matches,
)
from auditor.screening.aliases import explain_alias_matches, with_aliases
from auditor.screening.index import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    DEFAULT_THRESHOLDS,
    MAX_SCREENED_CHARS,
    NAME_V1,
)
from auditor.screening.matcher import NAME_EXPLANATION_DTYPE
from auditor.screening.name_v2 import EXPLANATION_DTYPE as NAME_V2_EXPLANATION_DTYPE

MAX_PROBLEMS = 20


@click.command()
@click.option(
    "--list",
    "list_files",
    required=True,
    multiple=True,
    type=PATH_OR_URL,
    help="CSL file (CSV or JSON as trade.gov publishes), or its s3://, gs://, az:// URL; repeat for several.",
)
@click.option(
    "--names",
    "names_file",
    required=True,
    type=PATH_OR_URL,
    help="CSV or JSONL with columns id, name and optional country (a file or a URL).",
)
@click.option(
    "--out",
    "out_file",
    required=True,
    type=PATH_OR_URL,
    help="JSON Lines output, with OUT.meta.json beside it (a file or a URL).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Lowest score reported (default: the algorithm's, "
    + ", ".join(f"{k} {v}" for k, v in DEFAULT_THRESHOLDS.items())
    + ").",
)
@click.option(
    "--algorithm",
    type=click.Choice(list(ALGORITHMS)),
    default=DEFAULT_ALGORITHM,
    show_default=True,
    help="Name-matching algorithm; name-v1 is kept for comparison.",
)
@click.option(
    "--sources", default=None, help="Only these list codes, comma-separated: EL,MEU,UVL,SDN,..."
)
@click.option(
    "--aliases",
    "alias_files",
    multiple=True,
    type=PATH_OR_URL,
    help="Alias file (YAML/CSV: entry, alias, source) adding names to list entries; repeatable.",
)
@storage_config_option
def screen(
    list_files: tuple[Path | str, ...],
    names_file: Path | str,
    out_file: Path | str,
    threshold: float | None,
    algorithm: str,
    sources: str | None,
    alias_files: tuple[Path | str, ...] = (),
    config_path: Path | str | None = None,
) -> int:
    """Screen names against restricted-party lists; one JSON line per name.

    Every file may be an s3://, gs://, az:// URL (docs/object-storage.md): inputs are copied
    whole to a private folder first, and OUT goes up as one object with OUT.meta.json after it.
    """
    from auditor.storage.inputs import copies, url_errors
    from auditor.storage.outputs import output_file

    storage = storage_of(config_path)
    staged = copies(storage)
    try:
        with url_errors(staged):
            local_lists = [staged.local(p, "list", sidecar=True) for p in list_files]
            local_aliases = [staged.local(p, "aliases") for p in alias_files]
            local_names = staged.local(names_file, "names")
            with output_file(out_file, storage) as local_out:
                meta = _screen(
                    local_lists,
                    local_aliases,
                    local_names,
                    local_out,
                    threshold,
                    algorithm,
                    sources,
                    names_shown=str(names_file) if isinstance(names_file, str) else None,
                )
                entries = meta.pop("entries")
                meta["names_file"] = str(names_file)
                meta["lists"] = [
                    {
                        k: staged.url_of(v) if k == "path" and isinstance(v, str) else v
                        for k, v in p.items()
                    }
                    for p in meta["lists"]
                ]
                write_meta(local_out, meta)
    finally:
        staged.close()
    echo(
        f"screened names={meta['names']} matched={meta['names_matched']} matches={meta['matches']} "
        f"affiliates={meta['affiliate_matches']} "
        f"entries={entries} out={plain(display_path(out_file))}",
        err=True,
    )
    return 0


def write_meta(out: Path, meta: dict[str, Any]) -> None:
    """OUT.meta.json, after OUT itself, with OUT's checksum: a reader pairs the two by it."""
    import hashlib

    meta["out_sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    Path(str(out) + ".meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def _screen(
    list_files: list[Path],
    alias_files: list[Path],
    names_file: Path,
    out_file: Path,
    threshold: float | None,
    algorithm: str,
    sources: str | None,
    names_shown: str | None = None,
) -> dict[str, Any]:
    """Screens the local files and writes OUT; returns the meta record (written after by the caller)."""
    wanted = {s.strip().upper() for s in sources.split(",") if s.strip()} if sources else None
    lists = with_aliases(load_lists(list(list_files)), alias_files)
    if wanted:
        known = set(lists.entries["source_code"].unique().to_list())
        unknown = sorted(wanted - known)
        if unknown:
            raise InputError(
                f"--sources: no entries for {', '.join(unknown)} in the list files; they hold {', '.join(sorted(known))}"
            )
    names = read_names(names_file)
    warn_long_names(names, names_file, names_shown)
    index = ScreeningIndex.build(lists.entries, wanted, algorithm=algorithm)
    queries = names.select(query_id="id", name="name", country="country")
    matches = explain_alias_matches(index.match_names(queries, threshold), index.entries)
    # Relatives of listed parties: rarity of each term among the names screened here.
    affiliates = AffiliateIndex.build(index.entries, names["name"]).match(queries)
    affiliates = without_name_matches(affiliates, matches)
    write_results(names, matches, out_file, affiliates, algorithm)
    meta = {
        "command": "screen",
        "run_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "algorithm": index.algorithm,
        "affiliate_algorithm": AFFILIATE_ALGORITHM,
        "threshold": index.default_threshold if threshold is None else threshold,
        "sources": sorted(wanted) if wanted else None,
        "lists": lists.provenance,
        "names_file": str(names_file),
        "names": names.height,
        "names_matched": matches["query_id"].n_unique(),
        "matches": matches.height,
        "names_with_affiliates": affiliates["query_id"].n_unique(),
        "affiliate_matches": affiliates.height,
        "entries": index.entries.height,
    }
    return meta


def read_names(path: Path) -> pl.DataFrame:
    """id, name, country (String) from CSV or JSONL; every problem located by line."""
    shown = display_path(path)
    if not path.exists():
        raise InputError("names file not found", location=SourceLocation(shown))
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        frame, offset = _read_jsonl(path, shown), 1
    else:
        try:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
        except (
            pl.exceptions.ComputeError,
            pl.exceptions.NoDataError,
            UnicodeDecodeError,
            OSError,
        ) as exc:
            raise InputError(
                f"cannot parse CSV: {str(exc).splitlines()[0]}", location=SourceLocation(shown)
            ) from None
        offset = 2  # header is line 1
    missing = [c for c in ("id", "name") if c not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    SourceLocation(shown, line=1),
                    "missing column; expected id, name and optional country",
                    subject=f"column '{c}'",
                )
                for c in missing
            ]
        )
    if "country" not in frame.columns:
        frame = frame.with_columns(country=pl.lit(None, dtype=pl.String))
    frame = frame.select(pl.col("id", "name", "country").cast(pl.String)).with_columns(
        pl.col("id").str.strip_chars()
    )
    problems: list[Problem] = []
    flagged = frame.with_row_index("i")
    for (i,) in (
        flagged.filter(pl.col("id").is_null() | (pl.col("id") == ""))
        .select("i")
        .head(MAX_PROBLEMS)
        .iter_rows()
    ):
        problems.append(
            Problem(
                SourceLocation(shown, row=i + offset),
                "empty id; every name needs an id",
                subject="column 'id'",
            )
        )
    dupes = (
        flagged.filter(pl.col("id").is_duplicated() & pl.col("id").is_not_null())
        .select("i", "id")
        .head(MAX_PROBLEMS)
    )
    for i, value in dupes.iter_rows():
        problems.append(
            Problem(
                SourceLocation(shown, row=i + offset),
                f"duplicate id '{value}'; ids must be unique",
                subject="column 'id'",
            )
        )
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return frame


def warn_long_names(names: pl.DataFrame, path: Path, shown: str | None = None) -> None:
    """A name longer than the screened length is cut, not refused: say where."""
    offset = 1 if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else 2
    long = names.with_row_index("i").filter(pl.col("name").str.len_chars() > MAX_SCREENED_CHARS)
    for i, length in (
        long.select("i", pl.col("name").str.len_chars()).head(MAX_PROBLEMS).iter_rows()
    ):
        location = SourceLocation(shown or display_path(path), row=i + offset)
        echo(
            f"warning: {location}: column 'name': {length:,} characters; only the first "
            f"{MAX_SCREENED_CHARS} are screened",
            err=True,
        )
    if long.height > MAX_PROBLEMS:
        echo(
            f"warning: {long.height - MAX_PROBLEMS} more names cut to {MAX_SCREENED_CHARS} characters",
            err=True,
        )


def _read_jsonl(path: Path, shown: str) -> pl.DataFrame:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", location=SourceLocation(shown)) from None
    rows: list[dict[str, Any]] = [
        {k: (None if obj.get(k) is None else str(obj.get(k))) for k in ("id", "name", "country")}
        | {"_has": tuple(k for k in ("id", "name") if k in obj)}
        for _, obj in parse_json_lines(text, shown)
    ]
    if rows and not any("name" in r["_has"] for r in rows):
        raise InputError(
            [
                Problem(
                    SourceLocation(shown, line=1),
                    "missing key; expected id, name and optional country",
                    subject="column 'name'",
                )
            ]
        )
    return pl.DataFrame(
        [{k: r[k] for k in ("id", "name", "country")} for r in rows],
        schema={"id": pl.String, "name": pl.String, "country": pl.String},
    )


def write_results(
    names: pl.DataFrame,
    matches: pl.DataFrame,
    out: Path,
    affiliates: pl.DataFrame | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
) -> None:
    """One line per input name, in input order; `matches` empty when nothing reached the threshold.

    `matches` are name matches (kind "name"); `affiliates` (kind "affiliate" or "acronym")
    are names that carry a listed name's distinctive token or acronym, each with its `detail`.
    `algorithm` names the name matcher, whose explanation layout the JSON follows.
    """
    dtype = NAME_EXPLANATION_DTYPE if algorithm == NAME_V1 else NAME_V2_EXPLANATION_DTYPE
    per_query = (
        matches.with_columns(explanation=pl.col("explanation").str.json_decode(dtype))
        .group_by("query_id", maintain_order=True)
        .agg(
            matches=pl.struct(
                "entry_id",
                "entry_name",
                pl.lit("name").alias("kind"),
                "matched_name",
                "source",
                "source_code",
                pl.col("score").round(4),
                "explanation",
                "alias_origin",
            )
        )
    )
    lines = names.select("id", "name").join(
        per_query, left_on="id", right_on="query_id", how="left", maintain_order="left"
    )
    empty = pl.lit([], dtype=per_query.schema["matches"])
    lines = lines.with_columns(pl.col("matches").fill_null(empty))
    if affiliates is not None:
        per_affiliate = (
            affiliates.with_columns(
                explanation=pl.col("explanation").str.json_decode(AFFILIATE_EXPLANATION_DTYPE)
            )
            .group_by("query_id", maintain_order=True)
            .agg(
                affiliates=pl.struct(
                    "entry_id",
                    "entry_name",
                    "kind",
                    "via",
                    "term",
                    "source",
                    "source_code",
                    pl.col("score").round(4),
                    "detail",
                    "explanation",
                )
            )
        )
        lines = lines.join(
            per_affiliate, left_on="id", right_on="query_id", how="left", maintain_order="left"
        )
        lines = lines.with_columns(
            pl.col("affiliates").fill_null(pl.lit([], dtype=per_affiliate.schema["affiliates"]))
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    lines.write_ndjson(out)
