"""`auditor lists`: fetch restricted-party lists and show what a list file holds."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from auditor.cli.paths import PATH_OR_URL, storage_config_option, storage_of
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
    "--out",
    "out_file",
    required=True,
    type=PATH_OR_URL,
    help="File to write, or an s3://, gs://, az:// URL (OUT.meta.json goes up after it).",
)
@storage_config_option
def update(url: str, out_file: Path | str, config_path: Path | str | None = None) -> int:
    """Download a list, refuse it unless it parses, record its date and sha256 beside it."""
    from auditor.storage.outputs import output_file

    with output_file(out_file, storage_of(config_path)) as local:
        meta = update_list(url, local)
    echo(
        f"list updated path={plain(display_path(out_file))} rows={meta['rows']} list_date={meta['list_date']} "
        f"sha256={meta['sha256']}"
    )
    return 0


@lists.command()
@click.argument("files", nargs=-1, required=True, type=PATH_OR_URL)
@storage_config_option
def show(files: tuple[Path | str, ...], config_path: Path | str | None = None) -> int:
    """Entries per list (source code) and each file's provenance (files or s3://, gs://, az:// URLs)."""
    from auditor.storage.inputs import copies, url_errors

    staged = copies(storage_of(config_path))
    try:
        with url_errors(staged):
            loaded = load_lists([staged.local(f, "list", sidecar=True) for f in files])
        for prov in loaded.provenance:
            echo(
                f"file={plain(display_path(staged.url_of(prov['path'])))} format={plain(prov['format'])} rows={prov['rows']} "
                f"list_date={plain(prov.get('list_date') or 'unknown')} sha256={prov['sha256']}"
            )
    finally:
        staged.close()
    counts = (
        loaded.entries.group_by("source_code")
        .agg(pl.len().alias("entries"))
        .sort("entries", descending=True)
    )
    for code, count in counts.iter_rows():
        echo(f"source={plain(code)} entries={count}")
    return 0
