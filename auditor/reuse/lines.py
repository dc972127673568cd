"""A reused run's cases.jsonl lines, spliced from the bundle's lines instead of serialised again.

A reused run's record is the bundle's record with this run's `run_id`, then the keys the run
adds after it (`suppressed_by` when an allowlist is given, `change` with a store). The bundle
keeps each record as the JSON line orjson wrote, and orjson reads and writes the same text back
(floats in their shortest form, keys in their order), so this run's line is the bundle's line
with the run id's value replaced and the added keys written before its closing brace: the
bytes `json_lines` would give, at a tenth of the cost (at 1M tenants 37,699 records of 156 MB,
0.5 s to serialise whole). The top-level `"run_id":"..."` is the first in its line: the keys
before it are ids, numbers and names, whose quotes JSON escapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from auditor.jsonwrite import record_lines

ADDED_KEYS = (
    "suppressed_by",
    "change",
)  # what a run adds to a bundle's record (bundle.write_bundle)
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def spliced_lines(
    records: Sequence[dict[str, Any]],
    bundle_lines: Sequence[bytes],
    bundle_run_id: str,
    run_id: str,
) -> list[bytes] | None:
    """Each record's line (newline included), or None when the records are not the bundle's
    in its order (the caller then serialises them as usual)."""
    if len(records) != len(bundle_lines):
        return None
    old = orjson.dumps({"run_id": bundle_run_id})[1:-1]
    new = orjson.dumps({"run_id": run_id})[1:-1]
    lines = []
    for record, line in zip(records, bundle_lines, strict=True):
        if record.get("run_id") != run_id or not line.endswith(b"}") or old not in line:
            return None
        added = {key: record[key] for key in record if key in ADDED_KEYS}
        body = line.replace(old, new, 1)[:-1]
        if added:
            body += b"," + orjson.dumps(added, default=str, option=_OPTIONS)[1:-1]
        lines.append(body + b"}\n")
    return lines


def seed_reused_lines(result: Any, records: Sequence[dict[str, Any]]) -> None:
    """When `result` reused a bundle, its records' lines are spliced and kept for cases.jsonl and
    the store (jsonwrite.record_lines); otherwise nothing is kept and they are serialised."""
    reuse = getattr(result, "reuse", None)
    if reuse is None or reuse.lines is None or reuse.reused_from is None:
        return
    lines = spliced_lines(records, reuse.lines, reuse.lines_run_id, result.run_id)
    if lines is not None:
        record_lines.seed(records, lines)
