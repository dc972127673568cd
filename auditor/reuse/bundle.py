"""The bundle a run leaves beside the case store: its answer, in files a later run can load.

One folder per run: every table of the answer as Arrow IPC (Polars' own types round-trip,
lists, structs and time zones included), the case records as JSON Lines, and `bundle.json`
with the rest and each file's sha256. The store records the sha256 of `bundle.json` with the
run, so a bundle edited or swapped after the run is not loaded (`read_bundle` checks every
file against it). Nothing here is executable: IPC and JSON only, never pickle.

The tables hold what the reports hold (tenant names among them), so the folder is created
readable by its owner only, like the store file beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from auditor.checksum import file_sha256
from auditor.gcpause import collector_paused, keep_out_of_collections
from auditor.jsonwrite import json_lines

FORMAT = 1
MANIFEST = "bundle.json"
RECORDS = "records.jsonl"
OUTPUTS = "outputs"
# Output files whose bytes are the answer's alone: no `change`, allowlist, run id or clock is in
# them, so a run that reuses the answer copies them instead of rendering them again (2 s of
# 150 MB at 1M tenants). Tested: a reused run's copies equal a computed run's files.
REUSABLE_OUTPUTS = ("hits.csv", "hits.parquet", "cip.csv", "training.jsonl")
# Output files a reused run builds on: cases.parquet is the case table with the computing run's
# `change_status`, which a reused run replaces with its own (report.tables.case_table_from).
BASE_OUTPUTS = ("cases.parquet",)
KEPT_OUTPUTS = REUSABLE_OUTPUTS + BASE_OUTPUTS


class BundleError(Exception):
    """A bundle that cannot stand for a run: missing, unreadable, or not the one the store recorded."""


def _frames(result: Any) -> dict[str, pl.DataFrame | None]:
    f, e, c = result.features, result.evaluation, result.cases
    return {
        "features": f.frame,
        "unknown_instance_types": f.unknown_instance_types,
        "common_link_values": f.common_link_values,
        "screening_matches": f.screening_matches,
        "training": f.training,
        "outcomes": e.outcomes,
        "hits": e.hits,
        "unknowns": e.unknowns,
        "cases": c.cases,
        "case_hits": c.hits,
        "tenant_scores": c.tenant_scores,
    }


def _facts(result: Any) -> dict[str, Any]:
    """The answer's values that are not tables."""
    from auditor.run import ownership_manifest

    inputs = result.inputs
    return {
        "as_of": result.as_of.isoformat(),
        "lists": result.lists,
        "coverage_gaps": result.coverage_gaps,
        "sources_complete": result.sources_complete,
        "screening": result.screening,
        "unavailable": sorted(result.features.unavailable),
        "orphan_usage_tenants": result.features.orphan_usage_tenants,
        "ownership": ownership_manifest(result),
        "present": sorted(inputs.present),
        "rows": inputs.rows,
        "latest_event": inputs.latest_event.isoformat() if inputs.latest_event else None,
        "exclusions": [e.to_dict() for e in inputs.exclusions],
    }


def write_bundle(
    folder: Path,
    result: Any,
    records: list[dict[str, Any]],
    fingerprint: Any,
    outputs: dict[str, Path] | None = None,
) -> str:
    """Writes `result`'s answer into `folder` (replacing it whole) and returns bundle.json's sha256.

    `records` are the run's case records; what the store adds (what changed) and the
    allowlist adds (who is silenced) is left out, as every run that reuses them decides it
    again. `outputs` are this run's staged files of KEPT_OUTPUTS, linked in (copied
    across file systems).
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    files: dict[str, str] = {}
    for name, frame in _frames(result).items():
        if frame is None:
            continue
        path = partial / f"{name}.arrow"
        frame.write_ipc(path, compression="lz4")
        files[path.name] = file_sha256(path)
    pure = [{k: v for k, v in r.items() if k not in ("change", "suppressed_by")} for r in records]
    (partial / RECORDS).write_bytes(json_lines(pure))
    files[RECORDS] = file_sha256(partial / RECORDS)
    kept: dict[str, str] = {}
    if outputs:
        (partial / OUTPUTS).mkdir(mode=0o700)
        for name, source in outputs.items():
            target = partial / OUTPUTS / name
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
            kept[name] = file_sha256(target)
    manifest = {
        "format": FORMAT,
        "run_id": result.run_id,
        "fingerprint": fingerprint.digest,
        "parts": fingerprint.parts,
        "facts": _facts(result),
        "files": files,
        "outputs": kept,
    }
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    (partial / MANIFEST).write_bytes(text)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    return hashlib.sha256(text).hexdigest()


@dataclass(frozen=True)
class Bundle:
    """A loaded, checked bundle: the earlier run's id, its answer's facts, tables and records."""

    run_id: str
    fingerprint: str
    facts: dict[str, Any]
    frames: dict[str, pl.DataFrame]
    records: list[dict[str, Any]]
    folder: Path  # where it was read from (named after the run that wrote it)
    sha256: str  # of its bundle.json, as the store recorded it
    outputs: dict[str, Path] = field(default_factory=dict)  # KEPT_OUTPUTS found unchanged
    lines: list[bytes] = field(
        default_factory=list, repr=False
    )  # `records` as written, a line each

    @property
    def as_of(self) -> datetime:
        return datetime.fromisoformat(self.facts["as_of"])


def read_bundle(folder: Path, expected_sha256: str) -> Bundle:
    """The bundle in `folder`, after checking bundle.json against the store's hash and each file against bundle.json."""
    folder = Path(folder)
    try:
        text = (folder / MANIFEST).read_bytes()
    except OSError as exc:
        raise BundleError(f"{folder / MANIFEST} cannot be read ({exc.strerror or exc})") from None
    if hashlib.sha256(text).hexdigest() != expected_sha256:
        raise BundleError(f"{folder / MANIFEST} is not the one the store recorded for its run")
    manifest = json.loads(text)
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{folder} has bundle format {manifest.get('format')}, not {FORMAT}")
    files = dict(manifest["files"])
    records_sha = files.pop(RECORDS, None)
    # The tables are hashed and read on a second thread while this one checks and parses the
    # records: hashing and Arrow reading run mostly outside the GIL, parsing JSON inside it. At
    # 1M tenants each takes about 1.3 s alone; together 1.8-2.2 s, from 2.4-2.6 s in turn.
    with ThreadPoolExecutor(max_workers=1) as pool:
        tables = pool.submit(_read_tables, folder, files)
        outputs = pool.submit(_unchanged_outputs, folder, manifest.get("outputs") or {})
        lines = [] if records_sha is None else _record_lines(folder / RECORDS, records_sha)
        records = _parsed(lines)
        frames = tables.result()
    return Bundle(
        manifest["run_id"],
        manifest["fingerprint"],
        manifest["facts"],
        frames,
        records,
        folder,
        expected_sha256,
        outputs.result(),
        lines,
    )


def _checked(path: Path, sha: str) -> bytes:
    """The file's bytes, when they are the ones bundle.json recorded."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise BundleError(f"{path} was changed after its run wrote it")
    return data


def _read_tables(folder: Path, files: dict[str, str]) -> dict[str, pl.DataFrame]:
    """Each table file, checked against its sha256 and read from the same bytes (no second read
    of the file, and no window in which it could change between the check and the read)."""
    return {
        name.removesuffix(".arrow"): pl.read_ipc(_checked(folder / name, sha))
        for name, sha in files.items()
    }


def _record_lines(path: Path, sha: str) -> list[bytes]:
    return [line for line in _checked(path, sha).splitlines() if line]


def _parsed(lines: list[bytes]) -> list[dict[str, Any]]:
    with collector_paused():  # millions of small objects, none in a cycle (auditor.gcpause)
        records = [orjson.loads(line) for line in lines]
    keep_out_of_collections()  # they live as long as the run
    return records


def _unchanged_outputs(folder: Path, expected: dict[str, str]) -> dict[str, Path]:
    """The kept output files whose bytes are still the ones recorded: a file edited or removed
    since (they are links to the output folder's files) is rendered again, not refused."""
    found: dict[str, Path] = {}
    for name, sha in expected.items():
        path = folder / OUTPUTS / name
        try:
            if name in KEPT_OUTPUTS and file_sha256(path) == sha:
                found[name] = path
        except OSError:
            continue
    return found


def prune_bundles(root: Path, keep: str | None) -> None:
    """Removes every bundle folder under `root` but `keep`'s: only the latest run's answer can be reused."""
    root = Path(root)
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
