"""`auditor catalog`: show the instance-type catalog and explain a classification."""

from __future__ import annotations

import click
import polars as pl

from auditor.catalog import (
    ACCELERATOR_ALIASES,
    ACCELERATORS,
    INSTANCE_TYPES,
    accelerator_table,
    instance_table,
)
from auditor.cli.safe_text import safe_console, styled
from auditor.errors import InputError


@click.group()
def catalog() -> None:
    """Instance types, the accelerators they carry and their export classification."""


@catalog.command("list")
@click.option(
    "--provider", type=click.Choice(["aws", "gcp", "azure"]), default=None, help="Only this cloud."
)
@click.option(
    "--restricted", is_flag=True, help="Only types whose accelerator is export-restricted."
)
def list_types(provider: str | None, restricted: bool) -> None:
    """List known instance types with accelerator, count, classification and TPP."""
    table = instance_table().join(accelerator_table(), on="gpu_model", how="left")
    if provider:
        table = table.filter(pl.col("provider") == provider)
    if restricted:
        table = table.filter(pl.col("restricted"))
    from rich.table import Table

    out = Table("provider", "instance type", "accelerator", "count", "classification", "TPP")
    for row in table.sort("provider", "instance_type").iter_rows(named=True):
        out.add_row(
            row["provider"],
            row["instance_type"],
            row["gpu_model"],
            str(row["gpu_count"]),
            row["classification"],
            f"{row['tpp']:,.0f}",
        )
    safe_console(width=160).print(out)


@catalog.command("explain")
@click.argument("name")
def explain(name: str) -> None:
    """Show the figures behind NAME: an instance type, accelerator model or GCP accelerator name."""
    lowered = name.strip().lower()
    itype = next((t for t in INSTANCE_TYPES.values() if t.instance_type.lower() == lowered), None)
    model = itype.gpu_model if itype else ACCELERATOR_ALIASES.get(lowered)
    if model is None:
        raise InputError(
            f"'{name}' is neither a known instance type nor a known accelerator name; see `auditor catalog list`"
        )
    acc = ACCELERATORS[model]
    console = safe_console(width=160)
    if itype:
        console.print(
            styled(
                (itype.instance_type, "bold"),
                f" ({itype.provider}): {itype.gpu_count} x {acc.model}",
            )
        )
    pd = acc.performance_density
    lines = [
        f"accelerator:         {acc.model} ({acc.vendor})",
        f"classification:      {acc.classification} ({'restricted' if acc.restricted else 'not restricted'}; basis: {acc.basis})",
        f"TPP:                 {acc.tpp:,.0f}",
        f"die area:            {f'{acc.die_area_mm2:g} mm2' if acc.die_area_mm2 else 'not published'}",
        f"performance density: {f'{pd:.2f}' if pd is not None else 'unknown'}",
        f"data-centre part:    {'yes' if acc.data_centre else 'no'}",
        f"note:                {acc.note}",
        f"source:              {acc.source}",
    ]
    for line in lines:
        console.print(line)
