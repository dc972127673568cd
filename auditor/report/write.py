"""Writes a run's outputs into a folder: the registry of output formats lives here.

The files are staged in a fresh folder and swapped in whole (`auditor.report.folder`), so
the output folder holds one run's files, never a mix; `stage_reports` lets the caller
publish only after the case store has committed the run.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

from auditor.report.cip import render_cip_csv, render_training_jsonl
from auditor.report.folder import StagedFolder, check_output_folder, output_errors
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.records import case_records
from auditor.report.tables import (
    forget_tables,
    render_cases_csv,
    render_cases_parquet,
    render_hits_csv,
    render_hits_parquet,
)
from auditor.run import AuditResult, run_manifest
from auditor.stagelog import logged_stage


def _jsonl(records: list[dict[str, Any]], result) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)


def _manifest(records: list[dict[str, Any]], result) -> str:
    return json.dumps(run_manifest(result), indent=2, ensure_ascii=False, default=str) + "\n"


# file name -> renderer(records, result) -> text (or bytes, for binary formats). One spelling per format.
RENDERERS: dict[str, Callable[[list[dict[str, Any]], Any], str | bytes]] = {
    "cases.jsonl": _jsonl,
    "report.md": render_markdown,
    "run.json": _manifest,
    "cases.csv": render_cases_csv,
    "cases.parquet": render_cases_parquet,
    "hits.csv": render_hits_csv,
    "hits.parquet": render_hits_parquet,
    "report.html": render_html,
    "cip.csv": render_cip_csv,
    "training.jsonl": render_training_jsonl,
}


@logged_stage("reports", lambda staged: {"files": len(RENDERERS)})
def stage_reports(
    result, out_dir: str | Path, changes=None, records: list[dict[str, Any]] | None = None
) -> StagedFolder:
    """Renders every registered format into a staging folder beside `out_dir`; nothing is visible until `.publish()`.

    `changes` (from the case store) makes records carry their `change` and run.json its
    `changes`, for every renderer alike. `records` are the result's `case_records`, when the
    caller has built them already (`audit --store` needs them for the store too). On any
    error the staging folder is removed.
    """
    if changes is not None:
        result = dataclasses.replace(result, changes=changes)
    staged = StagedFolder(out_dir, RENDERERS)
    try:
        started = time.perf_counter()
        if records is None:
            records = case_records(result)
        for name, render in RENDERERS.items():
            if name != "run.json":
                staged.write(name, render(records, result))
        # run.json last, so that its `stages` include the writing of the reports themselves.
        if "run.json" in RENDERERS:
            if isinstance(result, AuditResult):
                result = dataclasses.replace(
                    result,
                    stages={**result.stages, "reports": round(time.perf_counter() - started, 3)},
                )
            staged.write("run.json", RENDERERS["run.json"](records, result))
    except BaseException:
        staged.discard()
        raise
    finally:
        forget_tables()
    return staged


def check_out_dir(out_dir: str | Path) -> None:
    """Fails at once on an `--out` that is a file or a folder of other files, before any work."""
    with output_errors(Path(out_dir), "use the output folder"):
        check_output_folder(Path(out_dir), RENDERERS)


def write_reports(result, out_dir: str | Path, changes=None) -> dict[str, Path]:
    """Renders every registered format and swaps the folder in at once."""
    staged = stage_reports(result, out_dir, changes)
    try:
        return staged.publish()
    except BaseException:
        staged.discard()
        raise
