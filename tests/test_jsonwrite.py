"""The fast JSON writer must give back the values the standard library wrote before it.

cases.jsonl, training.jsonl and hits' evidence moved from `json.dumps(default=str)` to orjson
for speed; a reader (the case store's history, a warehouse load, `jq`) must see the same
values, so each kind of value a record holds is compared with the old spelling's.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from decimal import Decimal

from auditor.jsonwrite import json_lines, json_text


def _old(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def test_record_values_read_back_as_the_standard_library_wrote_them():
    record = {
        "case_id": "C-1",
        "score": 97.5,
        "hours": 49752.55111111111,
        "rank": 2**53 + 1,
        "as_of": datetime(2026, 11, 1, 12, 30, tzinfo=timezone.utc),
        "day": date(2026, 11, 1),
        "share": Decimal("0.5"),
        "tenant_ids": ("t1", "t2"),
        "by_id": {7: "seven"},
        "missing": None,
        "flags": [True, False],
        "empty": {},
    }
    assert json.loads(json_text(record)) == _old(record)
    # Timestamps keep str()'s spelling (a space, not orjson's RFC 3339 'T').
    assert json.loads(json_text(record))["as_of"] == "2026-11-01 12:30:00+00:00"


def test_non_ascii_text_is_written_as_itself():
    assert json_text({"legal_name": "曙光信息产业股份有限公司"}) == (
        '{"legal_name":"曙光信息产业股份有限公司"}'
    )


def test_a_non_finite_number_is_written_as_null_which_is_valid_json():
    assert json.loads(json_text({"x": math.nan, "y": math.inf})) == {"x": None, "y": None}


def test_json_lines_writes_one_value_a_line_and_nothing_for_no_values():
    text = json_lines([{"a": 1}, {"b": "x\ny"}]).decode("utf-8")
    assert text.endswith("\n")
    assert [json.loads(line) for line in text.splitlines()] == [{"a": 1}, {"b": "x\ny"}]
    assert json_lines([]) == b""
