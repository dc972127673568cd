"""Terminal output for people: short summaries with rich, quiet when not on a terminal."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

TOP_IN_SUMMARY = 10


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_summary(result, written: dict[str, Path]) -> None:
    out = console()
    cases = result.cases.cases
    by_priority = dict(cases.group_by("priority").len().iter_rows()) if cases.height else {}
    out.print(
        f"{cases.height} cases ("
        + ", ".join(f"{by_priority.get(p, 0)} {p}" for p in ("critical", "high", "medium", "low"))
        + f") from {result.inputs.tenants.height} tenants; rule pack {result.rule_pack.version}, {result.config.scoring}"
    )
    table = Table(title=f"Top {min(TOP_IN_SUMMARY, cases.height)} cases", show_lines=False)
    for column, width in (("#", 3), ("case", 14), ("priority", 8), ("score", 5), ("tenants", 7)):
        table.add_column(column, no_wrap=True, min_width=width)
    table.add_column("top reason", overflow="ellipsis", no_wrap=True, ratio=1)
    table.add_column("GPU-h 90d", justify="right", no_wrap=True, min_width=9)
    for row in cases.head(TOP_IN_SUMMARY).iter_rows(named=True):
        table.add_row(
            str(row["rank"]),
            row["case_id"],
            row["priority"],
            f"{row['score']:.1f}",
            str(len(row["tenant_ids"])),
            row["top_reasons"][0] if row["top_reasons"] else "",
            f"{row['restricted_gpu_hours_90d']:,.0f}",
        )
    if cases.height:
        out.print(table)
    unknown_types = result.features.unknown_instance_types
    if unknown_types.height:
        out.print(f"[yellow]{unknown_types.height} unknown GPU-looking instance type(s)[/] not scored as restricted: "
                  + ", ".join(unknown_types["instance_type"].to_list()[:10]))
    for path in written.values():
        out.print(f"wrote {path}")
