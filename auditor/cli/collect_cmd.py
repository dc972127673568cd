"""`auditor collect`: read one cloud provider's accounts into a Parquet snapshot folder.

Exit 0 when the collection is complete. When some accounts, regions, projects or
subscriptions could not be read, the snapshot is still written, its manifest says
`complete: false`, a line `INCOMPLETE: N coverage gaps` goes to stderr, and the exit code is
still 0 -- the gaps are data for the audit, not a failure of the command. A provider that
yields nothing at all exits 3 (ConnectorError); a bad config exits 2 (ConfigError).
"""

from __future__ import annotations


from pathlib import Path

import click

from auditor.cli.paths import CONFIG

from auditor.cli.options import PathOrURL
from auditor.cli.output import info, quiet
from auditor.cli.safe_text import echo, plain

from auditor.connectors import (
    CONNECTORS,
    collect as collect_provider,
    write_snapshot,
)
from auditor.connectors.progress import shows_progress, summary_line


@click.command("collect")
@click.option(
    "--provider", type=click.Choice(sorted(CONNECTORS)), required=True, help="Cloud to read."
)
@click.option(
    "--config",
    "config_path",
    type=CONFIG,
    help="YAML with an aws:, gcp: or azure: section (and storage: for an object-store --out); a file or a URL.",
)
@click.option(
    "--out",
    "out_dir",
    type=PathOrURL(),
    required=True,
    help="Snapshot folder to write, or an s3://, gs://, az:// prefix (docs/object-storage.md).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar; by default only on a terminal."
)
def collect(
    provider: str, config_path: Path | str | None, out_dir: Path | str, progress: bool | None
) -> int:
    """Collect tenants, GPU usage and sign-ins from a cloud provider into a snapshot folder."""
    from auditor.connectors.config import load_collect_config
    from auditor.connectors.snapshot import MANIFEST, TABLE_FILES
    from auditor.storage import StorageConfig, check_output

    settings = geoip = None
    storage = StorageConfig()
    if config_path is not None:
        config, storage = load_collect_config(config_path)
        settings, geoip = getattr(config, provider), config.geoip
    # A missing or denied bucket, or a prefix of other objects, fails before the collection.
    check_output(out_dir, [*(f for _, f in TABLE_FILES.values()), MANIFEST], storage)
    if quiet() and progress is None:
        progress = False
    result = collect_provider(provider, settings, progress=progress, geoip=geoip)
    write_snapshot(result, out_dir, storage)
    counts = result.manifest["counts"]
    info(
        f"{provider}: {counts['tenants']} tenants, {counts['usage']} usage rows, {counts['access']} sign-ins -> {plain(out_dir)}"
    )
    if not shows_progress(progress):  # the live display already showed each scope
        info(plain(summary_line(provider, result.manifest.get("coverage", {}))))
    for gap in result.gaps:
        echo(f"gap: {plain(gap)}", err=True)
    if result.gaps:
        echo(
            f"INCOMPLETE: {len(result.gaps)} coverage gaps; the snapshot does not cover them (see manifest.json)",
            err=True,
        )
    return 0
