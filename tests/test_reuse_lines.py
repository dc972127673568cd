"""auditor.reuse.lines: a reused run's cases.jsonl lines spliced from the bundle's equal the lines
serialising its records would give, or are not used at all."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import orjson
import pytest

from auditor.jsonwrite import json_lines
from auditor.reuse.lines import spliced_lines

OLD, NEW = "20261101T000000Z-aaaaaa", "20261102T000000Z-bbbbbb"


@pytest.fixture
def pure():
    """Bundle records as write_bundle keeps them (no change, no suppressed_by), hostile text in them."""
    return [
        {
            "case_id": "C-1",
            "rank": 1,
            "score": 99.4,
            "scoring": 'quoted "run_id":"' + OLD + '" inside a name',
            "run_id": OLD,
            "tenants": [{"legal_name": "Ünïcode \u202e Ltd", "hours": 0.1 + 0.2}],
            "hits": [{"evidence": {"run_id": OLD, "x": None}}],
        },
        {"case_id": "C-2", "rank": 2, "score": 1e-300, "run_id": OLD, "hits": []},
    ]


def bundle_lines(records):
    return json_lines(records).splitlines()


def reused(pure, **added):
    records = [{**r, "run_id": NEW} for r in copy.deepcopy(pure)]
    for key, values in added.items():
        records = [{**r, key: v} for r, v in zip(records, values, strict=True)]
    return records


@pytest.mark.parametrize(
    "added",
    [
        {},
        {"change": [{"status": "unchanged", "why": []}, {"status": "new", "previous": None}]},
        {"suppressed_by": [["A-1"], []], "change": [{"status": "unchanged"}, {"status": "new"}]},
        # What json_lines does with a datetime (its str) and a key that is not a string.
        {"change": [{"at": datetime(2026, 11, 1, tzinfo=timezone.utc)}, {1: "one"}]},
    ],
)
def test_spliced_lines_are_the_serialised_lines(pure, added):
    records = reused(pure, **added)
    lines = spliced_lines(records, bundle_lines(pure), OLD, NEW)
    assert lines is not None and b"".join(lines) == json_lines(records)
    first = orjson.loads(lines[0])
    assert first["scoring"] == pure[0]["scoring"]  # the quoted look-alike is left as it was
    assert first["hits"][0]["evidence"]["run_id"] == OLD  # only the top-level id is this run's


def test_records_that_are_not_the_bundles_are_serialised_instead(pure):
    records = reused(pure, change=[{"status": "new"}, {"status": "new"}])
    lines = bundle_lines(pure)
    assert spliced_lines(records[:1], lines, OLD, NEW) is None  # one fewer
    assert spliced_lines(records, lines, OLD, "another-run") is None  # records of another run id
    assert spliced_lines(records, lines, "not-the-bundles", NEW) is None  # lines of another run
    assert spliced_lines(records, [line + b" " for line in lines], OLD, NEW) is None
    assert spliced_lines([], [], OLD, NEW) == []


def _result(reuse, run_id=NEW):
    from types import SimpleNamespace

    return SimpleNamespace(run_id=run_id, reuse=reuse)


def _reuse(lines, reused_from=OLD):
    from types import SimpleNamespace

    return SimpleNamespace(lines=lines, lines_run_id=OLD, reused_from=reused_from)


def test_a_reused_runs_lines_are_kept_for_cases_jsonl_and_the_store(pure):
    """Told apart by key order: a bundle line keeps its own, serialising keeps the dict's."""
    from auditor.jsonwrite import record_lines
    from auditor.reuse.lines import seed_reused_lines

    record_lines.forget()
    records = reused(pure, change=[{"status": "unchanged"}, {"status": "unchanged"}])
    reordered = [dict(reversed(list(r.items()))) for r in pure]  # same values, keys reversed
    lines = bundle_lines(reordered)
    try:
        seed_reused_lines(_result(_reuse(lines)), records)
        assert record_lines(records) == spliced_lines(records, lines, OLD, NEW)
        assert record_lines(records) != json_lines(records).splitlines(keepends=True)
        for not_reused in (None, _reuse(None), _reuse(lines, reused_from=None)):
            record_lines.forget()
            seed_reused_lines(_result(not_reused), records)
            assert b"".join(record_lines(records)) == json_lines(records)
    finally:
        record_lines.forget()
