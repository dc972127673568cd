"""Writes a run's outputs into a folder: the registry of output formats lives here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from auditor.report.markdown import render_markdown
from auditor.report.records import case_records
from auditor.run import run_manifest


def _jsonl(records: list[dict[str, Any]], result) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)


def _manifest(records: list[dict[str, Any]], result) -> str:
    return json.dumps(run_manifest(result), indent=2, ensure_ascii=False, default=str) + "\n"


# file name -> renderer(records, result) -> text. One spelling per format.
RENDERERS: dict[str, Callable[[list[dict[str, Any]], Any], str]] = {
    "cases.jsonl": _jsonl,
    "report.md": render_markdown,
    "run.json": _manifest,
}


def _write_atomically(path: Path, text: str) -> None:
    """Write-then-rename, so a reader (or a killed run) never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_reports(result, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = case_records(result)
    written = {}
    for name, render in RENDERERS.items():
        path = out / name
        _write_atomically(path, render(records, result))
        written[name] = path
    return written
