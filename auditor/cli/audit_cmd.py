"""`auditor audit`: collect inputs, score every tenant, write the review queue and report."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import audit_input_options, build_config
from auditor.cli.output import print_summary
from auditor.errors import InputError


@click.command()
@audit_input_options
@click.option("--out", type=click.Path(path_type=Path), help="Output folder for cases.jsonl, report.md and run.json.")
@click.option("--max-link-group", type=int, default=None, help="Values shared by more tenants than this do not link them (default 50).")
@click.option(
    "--unknown-instance-types",
    type=click.Choice(["report", "error"]),
    default=None,
    help="GPU-looking types missing from the catalog: list them in the report (default) or fail with their rows.",
)
def audit(config_path, out, max_link_group, unknown_instance_types, **inputs) -> int:
    """Score every tenant and write the prioritized review queue.

    Writes OUT/cases.jsonl (one case a line, in review order), OUT/report.md (for
    analysts) and OUT/run.json (what was read, with checksums, and what was missing).
    When parts of the estate could not be read, prints `INCOMPLETE: N coverage gaps` to
    stderr and still exits 0.
    """
    from auditor.report import write_reports
    from auditor.run import audit as run_audit

    config = build_config(config_path, out=out, max_link_group=max_link_group, unknown_instance_types=unknown_instance_types, **inputs)
    if config.out is None:
        raise InputError("no output folder: give --out DIR or `out:` in the config")
    result = run_audit(config)
    written = write_reports(result, config.out)
    print_summary(result, written)
    if not result.complete:
        # Still exit 0: the gaps are data the report states, not a failure of the command.
        # A scheduler that must not accept partial data checks this line or run.json's `complete`.
        click.echo(f"INCOMPLETE: {len(result.coverage_gaps)} coverage gaps; the cases cover only what was read (see report.md)", err=True)
    return 0
