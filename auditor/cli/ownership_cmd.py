"""`auditor ownership import FORMAT FILE --out DIR`: published ownership data as the ownership and parties tables."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.safe_text import echo, plain
from auditor.errors import display_path


@click.group()
def ownership() -> None:
    """Ownership data: import registers and relationship files into the tables `audit --ownership` reads."""


@ownership.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["bods", "gleif", "ftm"]))
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for ownership.csv and parties.csv.",
)
@click.option(
    "--tenants",
    "tenants_file",
    type=click.Path(path_type=Path),
    help="Tenant file: parties named like a tenant get its tenant_id.",
)
def import_cmd(fmt: str, file: Path, out_dir: Path, tenants_file: Path | None) -> int:
    """Read FILE (BODS 0.2-0.4 JSON/JSON Lines, GLEIF Level 2 relationship records, FollowTheMoney JSON Lines).

    Writes OUT/ownership.csv and OUT/parties.csv; prints what was skipped or checked
    (declared indirect interests are checked against the direct edges, never added).
    """
    from auditor.ownership.importers import IMPORTERS, write_tables

    imported = IMPORTERS[fmt](file)
    if tenants_file is not None:
        from auditor.model.load import load_table
        from auditor.model.schema import TENANTS
        from auditor.ownership.importers.common import link_tenants

        linked = link_tenants(imported, load_table(tenants_file, TENANTS))
        imported.notes.append(f"{linked} parties linked to tenants by name")
    written = write_tables(imported, out_dir)
    for note in imported.notes:
        echo(f"note: {plain(note)}")
    echo(
        f"imported format={fmt} file={plain(display_path(file))} parties={len(imported.parties)} edges={len(imported.ownership)} "
        f"notes={len(imported.notes)} ownership={plain(display_path(written['ownership']))} parties_file={plain(display_path(written['parties']))}"
    )
    return 0
