"""jsonwrite.record_lines: one serialisation of a run's records for cases.jsonl and the case store."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from auditor.jsonwrite import json_lines, record_lines


@pytest.fixture(autouse=True)
def forgotten():
    record_lines.forget()
    yield
    record_lines.forget()


def test_lines_are_the_json_lines_of_each_record_in_order():
    records = [
        {"case_id": "C-1", "at": datetime(2026, 1, 2, tzinfo=timezone.utc), "n": 1},
        {"case_id": "C-2", "hits": [], 3: "non-string key"},
    ]
    lines = record_lines(records)
    assert b"".join(lines) == json_lines(records)
    assert [json.loads(line) for line in lines] == [
        {"case_id": "C-1", "at": "2026-01-02 00:00:00+00:00", "n": 1},
        {"case_id": "C-2", "hits": [], "3": "non-string key"},
    ]
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines)


def test_kept_for_the_same_list_only():
    records = [{"case_id": "C-1"}]
    first = record_lines(records)
    assert record_lines(records) is first
    equal = [{"case_id": "C-1"}]  # equal, but another list: its own lines
    assert record_lines(equal) is not first and record_lines(equal) == first
    changed = [{"case_id": "C-2"}]
    assert record_lines(changed) == [b'{"case_id":"C-2"}\n']


def test_forget_drops_the_kept_lines():
    records = [{"case_id": "C-1"}]
    first = record_lines(records)
    record_lines.forget()
    assert record_lines(records) is not first


def test_empty():
    assert record_lines([]) == []
