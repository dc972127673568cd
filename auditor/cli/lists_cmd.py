"""`auditor lists`: fetch restricted-party lists and show what a list file holds."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from auditor.cli.safe_text import echo, plain
from auditor.errors import display_path
from auditor.screening import load_lists
from auditor.screening.fetch import update_list


@click.group()
def lists() -> None:
    """Restricted-party list files: download and inspect."""


@lists.command()
@click.option(
    "--url",
    required=True,
    help="Where the list is published, e.g. trade.gov's consolidated.csv or .json.",
)
@click.option(
    "--out", "out_file", required=True, type=click.Path(path_type=Path), help="File to write."
)
def update(url: str, out_file: Path) -> int:
    """Download a list, refuse it unless it parses, record its date and sha256 beside it."""
    meta = update_list(url, out_file)
    echo(
        f"list updated path={plain(display_path(out_file))} rows={meta['rows']} list_date={meta['list_date']} "
        f"sha256={meta['sha256']}"
    )
    return 0


@lists.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def show(files: tuple[Path, ...]) -> int:
    """Entries per list (source code) and each file's provenance."""
    loaded = load_lists(list(files))
    for prov in loaded.provenance:
        echo(
            f"file={plain(display_path(prov['path']))} format={plain(prov['format'])} rows={prov['rows']} "
            f"list_date={plain(prov.get('list_date') or 'unknown')} sha256={prov['sha256']}"
        )
    counts = (
        loaded.entries.group_by("source_code")
        .agg(pl.len().alias("entries"))
        .sort("entries", descending=True)
    )
    for code, count in counts.iter_rows():
        echo(f"source={plain(code)} entries={count}")
    return 0
