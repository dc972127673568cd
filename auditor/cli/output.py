"""Terminal output for people: the audit summary, warnings, and the quiet switch.

The summary's columns are laid out here, not by rich's table (which squeezes rank, score
and tenants to nothing in a narrow terminal): the narrow columns keep their width and the
top reason gets what is left of the line, cut with an ellipsis. On a terminal the lines
carry a little colour; piped, they are plain text of the same layout, `COLUMNS` wide (80
when unset). User data is always printed through safe_text, never as markup.
"""

from __future__ import annotations

import logging
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.cli.console_settings import settings
from auditor.cli.safe_text import echo, plain, safe_console

if TYPE_CHECKING:
    from rich.console import Console

TOP_IN_SUMMARY = 10
MIN_REASON_WIDTH = 20
UNKNOWN_TYPES_SHOWN = 10
PRIORITY_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": ""}
log = logging.getLogger("auditor.cli")


def console(stderr: bool = False) -> Console:
    """A rich console for this command's output: markup off, control characters escaped."""
    return safe_console(soft_wrap=True, stderr=stderr)


def quiet() -> bool:
    """True under -q: informational output (summaries, "wrote ...") is not printed."""
    return settings().quiet


def info(message: str) -> None:
    """An informational line on stdout, dropped under -q."""
    if not quiet():
        echo(message)


def _is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def display_width(text: str) -> int:
    """Terminal cells: East Asian wide and fullwidth characters take two (a Chinese rule title)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for c in text:
        used += display_width(c)
        if used > width - 3:
            break
        kept.append(c)
    return "".join(kept) + "..."


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column but the last as wide as its widest value."""
    return [
        max([display_width(header[i]), *(display_width(r[i]) for r in rows)])
        for i in range(len(header) - 1)
    ]


def layout_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int], width: int
) -> list[str]:
    """Fixed-width text lines, two spaces apart: the last column takes the rest of `width`
    (at least MIN_REASON_WIDTH) and is cut with '...'."""
    widths = column_widths(header, rows)
    rest = max(MIN_REASON_WIDTH, width - sum(widths) - 2 * len(widths))
    lines = []
    for values in (header, *rows):
        pads = [" " * (w - display_width(values[i])) for i, w in enumerate(widths)]
        cells = [
            pads[i] + values[i] if i in right else values[i] + pads[i] for i in range(len(widths))
        ]
        lines.append("  ".join([*cells, _clip(values[-1], rest)]).rstrip())
    return lines


def warn_about(result: Any) -> None:
    """Warnings the run produced that are not coverage gaps: shown always, also under -q."""
    unknown_types = result.features.unknown_instance_types
    if unknown_types.height:
        names = [plain(t) for t in unknown_types["instance_type"].to_list()[:UNKNOWN_TYPES_SHOWN]]
        log.warning(
            "event=unknown_instance_types count=%d types=%s note=not_scored_as_restricted",
            unknown_types.height,
            ",".join(names),
        )


def print_summary(result: Any, written: dict[str, Path]) -> None:
    """Counts by priority, the top cases, and where the outputs went."""
    settings().stop_progress()
    warn_about(result)
    if quiet():
        return
    cases = result.cases.cases
    by_priority = dict(cases.group_by("priority").len().iter_rows()) if cases.height else {}
    echo(
        f"{cases.height} cases ("
        + ", ".join(f"{by_priority.get(p, 0)} {p}" for p in ("critical", "high", "medium", "low"))
        + f") from {result.inputs.tenants.height} tenants"
    )
    echo(f"rule pack {plain(result.rule_pack.version)}, scoring {plain(result.config.scoring)}")
    reuse = getattr(result, "reuse", None)
    if reuse is not None and reuse.reused_from is not None:
        # The whole answer, not just screening: say so before the screening counts it carries.
        echo(
            f"answer reused from run {plain(reuse.reused_from)}: {plain(reuse.reason)} (run.json `reuse`)"
        )
    screening = getattr(result, "screening", None)
    if screening:
        # Distinct names and addresses: matched now, taken from an earlier run over the same lists, asked again this run.
        echo(
            f"screening: {screening['screened']:,} screened, {screening['reused_from_store']:,} reused from the store, "
            f"{screening['reused_in_run']:,} repeats"
        )
    if cases.height:
        _print_top_cases(
            cases.head(TOP_IN_SUMMARY).iter_rows(named=True), min(TOP_IN_SUMMARY, cases.height)
        )
    for path in written.values():
        echo(f"wrote {plain(path)}")


def _print_top_cases(top: Any, shown: int) -> None:
    header = ("#", "case", "priority", "score", "tenants", "GPU-h 90d", "top reason")
    rows = [
        (
            str(row["rank"]),
            plain(row["case_id"]),
            plain(row["priority"]),
            f"{row['score']:.1f}",
            str(len(row["tenant_ids"])),
            f"{row['restricted_gpu_hours_90d']:,.0f}",
            plain(row["top_reasons"][0] if row["top_reasons"] else ""),
        )
        for row in top
    ]
    width = shutil.get_terminal_size(fallback=(80, 24)).columns
    lines = layout_table(header, rows, right={0, 3, 4, 5}, width=width)
    echo(f"Top {shown} cases")
    if not _is_terminal():
        for line in lines:
            echo(line)
        return
    from rich.text import Text

    out = console()
    widths = column_widths(header, rows)
    start = widths[0] + 2 + widths[1] + 2  # where the priority column begins
    out.print(Text(lines[0], style="bold"))
    for line, row in zip(lines[1:], rows, strict=True):
        text = Text(line)
        text.stylize(PRIORITY_STYLES.get(row[2], ""), start, start + len(row[2]))
        out.print(text)
