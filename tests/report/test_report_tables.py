"""cases.csv/.parquet and hits.csv/.parquet read back with Polars say what cases.jsonl says."""

from __future__ import annotations

import copy
import io
import json

import polars as pl
import pytest

from auditor.report.tables import (
    LIST_SEPARATOR,
    case_table,
    render_cases_csv,
    render_cases_parquet,
    render_hits_csv,
    render_hits_parquet,
)

LIST_COLUMNS = (
    "tenant_ids",
    "top_reasons",
    "restricted_models",
    "rules_hit",
    "unknown_rules",
    "weak_links",
)


def expected_case_rows(records):
    """The case table written out by hand from the records, independent of tables.py."""
    rows = []
    for r in records:
        rules_hit = []
        for h in r["hits"]:
            if h["rule_id"] not in rules_hit:
                rules_hit.append(h["rule_id"])
        rows.append(
            {
                "case_id": r["case_id"],
                "rank": r["rank"],
                "priority": r["priority"],
                "score": r["score"],
                "primary_tenant": r["primary_tenant"],
                "tenant_ids": r["tenant_ids"],
                "top_reasons": r["top_reasons"],
                "restricted_gpu_hours_30d": r["exposure"]["restricted_gpu_hours_30d"],
                "restricted_gpu_hours_90d": r["exposure"]["restricted_gpu_hours_90d"],
                "peak_restricted_gpus": r["exposure"]["peak_restricted_gpus"],
                "restricted_models": r["exposure"]["restricted_models"],
                "rules_hit": rules_hit,
                "unknown_rules": r["unknown_rules"],
                "complete": r["complete"],
                "weak_links": r["weak_links"],
            }
        )
    return rows


def split_lists(rows):
    """CSV lists come back as ';'-joined text (an empty list as null)."""
    for row in rows:
        for name in LIST_COLUMNS:
            row[name] = row[name].split(LIST_SEPARATOR) if row[name] else []
    return rows


def test_example_run_writes_the_table_files(example_out):
    for name in ("cases.csv", "cases.parquet", "hits.csv", "hits.parquet"):
        assert (example_out / name).stat().st_size > 0, name


def test_cases_parquet_reads_back_equal_to_the_records(example_out, example_records):
    assert example_records, "the example audit should produce cases"
    assert pl.read_parquet(example_out / "cases.parquet").to_dicts() == expected_case_rows(
        example_records
    )


def test_cases_csv_reads_back_equal_to_the_records(example_out, example_records):
    back = pl.read_csv(example_out / "cases.csv", infer_schema_length=0).with_columns(
        pl.col("rank").cast(pl.Int64),
        pl.col(
            "score", "restricted_gpu_hours_30d", "restricted_gpu_hours_90d", "peak_restricted_gpus"
        ).cast(pl.Float64),
        pl.col("complete") == "true",
    )
    assert split_lists(back.to_dicts()) == expected_case_rows(example_records)


@pytest.mark.parametrize("name", ["hits.csv", "hits.parquet"])
def test_hits_read_back_one_row_per_hit_with_its_evidence(example_out, example_records, name):
    path = example_out / name
    back = pl.read_parquet(path) if name.endswith(".parquet") else pl.read_csv(path)
    expected = [
        {
            "case_id": r["case_id"],
            "tenant_id": h["tenant_id"],
            "rule_id": h["rule_id"],
            "rule_version": h["rule_version"],
            "title": h["title"],
            "severity": h["severity"],
            "weight": h["weight"],
            "contribution": h["contribution"],
            "evidence": h["evidence"],
        }
        for r in example_records
        for h in r["hits"]
    ]
    rows = back.to_dicts()
    for row in rows:
        row["evidence"] = json.loads(row["evidence"])
    assert rows == expected


def test_change_status_column_only_when_the_run_was_compared(example_records):
    assert "change_status" not in case_table(example_records).columns
    changed = copy.deepcopy(example_records[:3])
    for record, status in zip(changed, ["new", "escalated", "unchanged"]):
        record["change"] = {
            "status": status,
            "why": [],
            "previous": None,
            "suppressed": False,
            "decision": None,
        }
    csv = pl.read_csv(io.StringIO(render_cases_csv(changed, None)))
    assert csv["change_status"].to_list() == ["new", "escalated", "unchanged"]
    assert pl.read_parquet(io.BytesIO(render_cases_parquet(changed, None)))[
        "change_status"
    ].to_list() == ["new", "escalated", "unchanged"]


def test_an_empty_queue_still_writes_the_columns():
    cases = pl.read_parquet(io.BytesIO(render_cases_parquet([], None)))
    assert cases.height == 0 and cases.schema["tenant_ids"] == pl.List(pl.String)
    assert render_cases_csv([], None).startswith("case_id,rank,priority,score,")
    assert render_hits_csv([], None).startswith("case_id,tenant_id,rule_id,rule_version,")
    assert pl.read_parquet(io.BytesIO(render_hits_parquet([], None))).columns[:3] == [
        "case_id",
        "tenant_id",
        "rule_id",
    ]


DANGEROUS = [
    '=HYPERLINK("http://x.invalid","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\tTAB",
    "\rCR",
]


def test_csv_cells_a_spreadsheet_would_run_are_prefixed_with_a_quote(example_records):
    """OWASP CSV injection: no CSV cell, and no item of a joined list, starts with = + - @ tab or CR."""
    import csv

    hostile = copy.deepcopy(example_records[:1])
    record = hostile[0]
    record["primary_tenant"] = DANGEROUS[0]
    record["tenant_ids"] = ["plain", *DANGEROUS]
    record["top_reasons"] = [DANGEROUS[3], "fine"]
    record["hits"][0]["tenant_id"] = DANGEROUS[1]
    record["hits"][0]["title"] = DANGEROUS[4]
    for render in (render_cases_csv, render_hits_csv):
        rows = list(csv.reader(io.StringIO(render(hostile, None), newline="")))
        cells = [cell for row in rows for cell in row]
        items = [item for cell in cells for item in cell.split(LIST_SEPARATOR)]
        assert not [c for c in items if c[:1] in ("=", "+", "-", "@", "\t", "\r")], render.__name__
    cases = list(csv.DictReader(io.StringIO(render_cases_csv(hostile, None), newline="")))[0]
    assert cases["primary_tenant"] == "'" + DANGEROUS[0]
    assert cases["tenant_ids"].split(LIST_SEPARATOR) == ["plain", *("'" + d for d in DANGEROUS)]
    assert cases["top_reasons"] == f"'{DANGEROUS[3]}{LIST_SEPARATOR}fine"
    assert float(cases["score"]) == record["score"]  # numbers are numbers, not text
    hits = list(csv.DictReader(io.StringIO(render_hits_csv(hostile, None), newline="")))[0]
    assert hits["tenant_id"] == "'" + DANGEROUS[1] and hits["title"] == "'" + DANGEROUS[4]
    # Parquet is for machines: the values stay as the tenant gave them.
    assert (
        pl.read_parquet(io.BytesIO(render_cases_parquet(hostile, None)))["primary_tenant"][0]
        == DANGEROUS[0]
    )


def test_ordinary_csv_cells_are_left_alone(example_records):
    text = render_cases_csv(example_records, None)
    assert "'" + example_records[0]["case_id"] not in text and example_records[0]["case_id"] in text


def test_hit_evidence_keeps_non_ascii_text_readable(example_records):
    record = copy.deepcopy(example_records[0])
    record["hits"][0]["evidence"] = {"legal_name": "曙光信息产业股份有限公司"}
    assert '"legal_name"":""曙光信息产业股份有限公司""' in render_hits_csv([record], None)


def test_the_csv_and_parquet_of_one_run_share_a_table_and_another_run_gets_its_own(
    example_records,
):
    """The table kept for the run's second renderer belongs to that records list only: a
    different list (another run, or the same cases with a change) is tabled afresh."""
    first = example_records[:2]
    other = copy.deepcopy(example_records[2:4])
    csv_first = render_cases_csv(first, None)
    assert render_cases_csv(other, None) != csv_first
    assert pl.read_parquet(io.BytesIO(render_cases_parquet(other, None)))["case_id"].to_list() == [
        r["case_id"] for r in other
    ]
    other[0]["rank"] = 999  # a new list of the same cases is not taken for the old one
    again = [dict(r) for r in other]
    back = pl.read_parquet(io.BytesIO(render_cases_parquet(again, None)))
    assert back["rank"].to_list()[0] == 999
    hits_first = pl.read_parquet(io.BytesIO(render_hits_parquet(first, None)))
    hits_other = pl.read_csv(io.StringIO(render_hits_csv(other, None)))
    assert set(hits_first["case_id"]) == {r["case_id"] for r in first if r["hits"]}
    assert set(hits_other["case_id"]) == {r["case_id"] for r in other if r["hits"]}


def _with_status(records, statuses):
    return [{**r, "change": {"status": s}} for r, s in zip(records, statuses, strict=True)]


@pytest.mark.parametrize("earlier_compared", [True, False])
def test_a_reused_run_builds_its_case_table_on_the_earlier_one(example_records, earlier_compared):
    """case_table_from: the earlier run's cases.parquet with this run's change_status equals the
    table built from this run's records, whether or not either run had changes."""
    from auditor.report.tables import case_table_from

    earlier = copy.deepcopy(example_records)
    if earlier_compared:
        earlier = _with_status(earlier, ["new"] * len(earlier))
    base = pl.read_parquet(io.BytesIO(render_cases_parquet(earlier, None)))
    now = _with_status(copy.deepcopy(example_records), ["unchanged"] * len(example_records))
    now[0]["change"]["status"] = "escalated"
    assert case_table_from(now, base).equals(case_table(now))
    plain = copy.deepcopy(example_records)  # a run without a store: no change column
    assert case_table_from(plain, base).equals(case_table(plain))
    assert "change_status" not in case_table_from(plain, base).columns


def test_a_case_table_of_other_cases_is_not_built_on(example_records):
    from auditor.report.tables import case_table_from

    records = copy.deepcopy(example_records)
    base = case_table(records)
    assert case_table_from(records, base) is not None
    assert case_table_from(records[:-1], base) is None  # one case fewer
    assert case_table_from(list(reversed(records)), base) is None  # another order
    assert case_table_from(records, base.drop("weak_links")) is None  # another schema
    assert case_table_from(records, base.with_columns(pl.col("rank").cast(pl.Float64))) is None
    assert case_table_from([], case_table([])) is not None
