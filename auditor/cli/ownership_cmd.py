"""`auditor ownership import FORMAT FILE --out DIR`: published ownership data as the ownership and parties tables."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.paths import PATH_OR_URL, storage_config_option, storage_of
from auditor.cli.safe_text import echo, plain
from auditor.errors import display_path


@click.group()
def ownership() -> None:
    """Ownership data: import registers and relationship files into the tables `audit --ownership` reads."""


@ownership.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["bods", "gleif", "ftm"]))
@click.argument("file", type=PATH_OR_URL)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=PATH_OR_URL,
    help="Folder for ownership.csv and parties.csv, or an s3://, gs://, az:// prefix (with _SUCCESS last).",
)
@click.option(
    "--tenants",
    "tenants_file",
    type=PATH_OR_URL,
    help="Tenant file: parties named like a tenant get its tenant_id.",
)
@storage_config_option
def import_cmd(
    fmt: str,
    file: Path | str,
    out_dir: Path | str,
    tenants_file: Path | str | None,
    config_path: Path | str | None = None,
) -> int:
    """Read FILE (BODS 0.2-0.4 JSON/JSON Lines, GLEIF Level 2 relationship records, FollowTheMoney JSON Lines).

    Writes OUT/ownership.csv and OUT/parties.csv; prints what was skipped or checked
    (declared indirect interests are checked against the direct edges, never added).
    FILE, --tenants and OUT may be s3://, gs://, az:// URLs (docs/object-storage.md).
    """
    from auditor.ownership.importers import IMPORTERS, write_tables
    from auditor.storage.inputs import copies, url_errors
    from auditor.storage.outputs import output_folder

    storage = storage_of(config_path)
    staged = copies(storage)
    try:
        with url_errors(staged):
            imported = IMPORTERS[fmt](staged.local(file, "register"))
            if tenants_file is not None:
                from auditor.model.load import load_table
                from auditor.model.schema import TENANTS
                from auditor.ownership.importers.common import link_tenants

                tenants = load_table(staged.local(tenants_file, "tenants"), TENANTS)
                linked = link_tenants(imported, tenants)
                imported.notes.append(f"{linked} parties linked to tenants by name")
        with output_folder(out_dir, ("ownership.csv", "parties.csv"), storage) as local_out:
            written = write_tables(imported, local_out)
    finally:
        staged.close()
    shown = {
        name: f"{out_dir}/{name}.csv" if isinstance(out_dir, str) else display_path(path)
        for name, path in written.items()
    }
    for note in imported.notes:
        echo(f"note: {plain(staged.url_of(note))}")
    echo(
        f"imported format={fmt} file={plain(display_path(file))} parties={len(imported.parties)} edges={len(imported.ownership)} "
        f"notes={len(imported.notes)} ownership={plain(shown['ownership'])} parties_file={plain(shown['parties'])}"
    )
    return 0
