"""Writes a run's outputs into a folder: the registry of output formats lives here."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any
from collections.abc import Callable

from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.records import case_records
from auditor.report.tables import render_cases_csv, render_cases_parquet, render_hits_csv, render_hits_parquet
from auditor.run import run_manifest
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
}


def _write_atomically(path: Path, content: str | bytes) -> None:
    """Write-then-rename, so a reader (or a killed run) never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    os.replace(tmp, path)


@logged_stage("reports", lambda written: {"files": len(written)})
def write_reports(result, out_dir: str | Path, changes=None) -> dict[str, Path]:
    """Renders every registered format. `changes` (from the case store) makes records carry
    their `change` and run.json its `changes`, for every renderer alike."""
    if changes is not None:
        result = dataclasses.replace(result, changes=changes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = case_records(result)
    written = {}
    for name, render in RENDERERS.items():
        path = out / name
        _write_atomically(path, render(records, result))
        written[name] = path
    return written
