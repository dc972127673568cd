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

from auditor.gcpause import collector_paused
from auditor.jsonwrite import record_lines
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
    seed_case_table,
)
from auditor.run import AuditResult, run_manifest
from auditor.stagelog import logged_stage
from auditor.storage import check_output, staged_output


def _jsonl(records: list[dict[str, Any]], result) -> bytes:
    # The lines are kept for the case store's snapshots of the same records (audit --store).
    return b"".join(record_lines(records))


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
    result,
    out_dir: str | Path,
    changes=None,
    records: list[dict[str, Any]] | None = None,
    keep_lines: bool = False,
) -> StagedFolder:
    """Renders every registered format into a staging folder beside `out_dir`; nothing is visible until `.publish()`.

    `changes` (from the case store) makes records carry their `change` and run.json its
    `changes`, for every renderer alike. `records` are the result's `case_records`, when the
    caller has built them already (`audit --store` needs them for the store too). On any
    error the staging folder is removed. `keep_lines` keeps the records' cases.jsonl lines
    (`jsonwrite.record_lines`) for the caller, who then forgets them.
    """
    if changes is not None:
        result = dataclasses.replace(result, changes=changes)
    staged = staged_output(out_dir, RENDERERS, getattr(result.config, "storage", None))
    if hasattr(staged, "run_id"):  # an object-store folder names the run in its _SUCCESS marker
        staged.run_id = result.run_id
    try:
        with collector_paused():  # the renderers build rows and texts per case (auditor.gcpause)
            _stage_files(staged, result, records)
    except BaseException:
        staged.discard()
        raise
    finally:
        forget_tables()
        if not keep_lines:
            record_lines.forget()
    return staged


def _stage_files(staged: Any, result: Any, records: list[dict[str, Any]] | None) -> None:
    """Every registered format into `staged`, run.json last."""
    started = time.perf_counter()
    if records is None:
        records = case_records(result)
    kept = _kept_outputs(result)
    base = kept.pop("cases.parquet", None)
    if base is not None:  # the reused answer's case table, with this run's changes
        seed_case_table(records, base)
    for name, render in RENDERERS.items():
        if name in kept:
            staged.copy(name, kept[name])
        elif name != "run.json":
            staged.write(name, render(records, result))
    # run.json last, so that its `stages` include the writing of the reports themselves.
    if "run.json" in RENDERERS:
        if isinstance(result, AuditResult):
            result = dataclasses.replace(
                result,
                stages={**result.stages, "reports": round(time.perf_counter() - started, 3)},
            )
        staged.write("run.json", RENDERERS["run.json"](records, result))
        staged.stages = dict(getattr(result, "stages", {}) or {})


def _kept_outputs(result: Any) -> dict[str, Path]:
    """The reused answer's output files, kept with it (auditor.reuse.bundle.KEPT_OUTPUTS): those
    of REUSABLE_OUTPUTS are this run's as they are; cases.parquet is built on."""
    reuse = getattr(result, "reuse", None)
    return dict(reuse.outputs) if reuse is not None else {}


def restage_manifest(staged: Any, result: Any, stages: dict[str, float]) -> None:
    """Writes the staged run.json again with `stages` added to the ones it had: work timed after
    the reports were staged (the case store's commit, which must come before publishing), so
    that run.json still says where the whole run's time went."""
    if "run.json" not in RENDERERS or not isinstance(result, AuditResult):
        return
    result = dataclasses.replace(result, stages={**staged.stages, **stages})
    staged.write("run.json", RENDERERS["run.json"]([], result))
    staged.stages = dict(result.stages)


def check_out_dir(out_dir: str | Path, storage: Any = None) -> None:
    """Fails at once on an `--out` that is a file or a folder of other files, before any work."""
    if check_output(out_dir, RENDERERS, storage):  # a URL: its prefix checked, and its bucket
        return
    with output_errors(Path(out_dir), "use the output folder"):
        check_output_folder(Path(out_dir), RENDERERS)


def write_reports(result, out_dir: str | Path, changes=None) -> dict[str, Any]:
    """Renders every registered format and swaps the folder in at once."""
    staged = stage_reports(result, out_dir, changes)
    try:
        return staged.publish()
    except BaseException:
        staged.discard()
        raise
