"""report.html and report.md show the top of the queue, every critical case and every alert;
cases.jsonl, CSV and Parquet keep every case, and the reports say how many more there are and where."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import polars as pl
import pytest

from auditor.cases.changes import CaseChange, Changes
from auditor.report.html import render_html_page
from auditor.report.markdown import _changes as markdown_changes
from auditor.report.selection import report_queue, report_queue_for
from auditor_testkit import EXAMPLES


def queue_records(priorities: list[str], example: dict) -> list[dict]:
    """A queue in review order, one record per priority, cloned from a real example record."""
    return [
        {**example, "case_id": f"C-{i:012d}", "rank": i + 1, "priority": p}
        for i, p in enumerate(priorities)
    ]


@pytest.fixture
def twelve(example_records):
    # Critical cases sit at the top of a real queue; ranks 8-9 being critical too tests that
    # the selection never relies on that ordering.
    priorities = ["critical"] * 3 + ["high"] * 4 + ["critical"] * 2 + ["medium"] * 3
    return queue_records(priorities, example_records[0])


def test_top_of_queue_then_every_critical_case_below_it(twelve):
    queue = report_queue(twelve, limit=5)
    assert [r["rank"] for r in queue.top] == [1, 2, 3, 4, 5]
    assert [r["rank"] for r in queue.beyond] == [8, 9]
    assert queue.omitted == 12 - 7
    note = queue.omitted_note()
    assert "Showing 7 of 12 cases" in note and "other 5 cases" in note
    assert all(name in note for name in ("cases.jsonl", "cases.csv", "cases.parquet"))


@pytest.mark.parametrize("limit, omitted", [(12, 0), (13, 0), (11, 1), (1, 12 - 1 - 4)])
def test_limit_boundaries(twelve, limit, omitted):
    queue = report_queue(twelve, limit=limit)
    assert queue.omitted == omitted
    assert (queue.omitted_note() == "") is (omitted == 0)
    assert len(queue.top) == min(limit, 12)


def test_alerting_cases_below_the_top_are_shown_once_there_is_a_previous_run(twelve):
    alert = twelve[10]["case_id"]  # a medium case, far below the top
    changes = Changes(
        previous_run_id="r1",
        cases={alert: CaseChange(alert, "escalated", "medium", 40.0, ["score up"], None)},
    )
    result = SimpleNamespace(
        config=SimpleNamespace(report_cases=5, alert_priority="medium"), changes=changes
    )
    assert [r["rank"] for r in report_queue_for(twelve, result).beyond] == [8, 9, 11]
    first_run = SimpleNamespace(
        config=result.config, changes=Changes(previous_run_id=None, cases=changes.cases)
    )
    assert [r["rank"] for r in report_queue_for(twelve, first_run).beyond] == [8, 9]
    quieter = SimpleNamespace(
        config=SimpleNamespace(report_cases=5, alert_priority="high"), changes=changes
    )
    assert [r["rank"] for r in report_queue_for(twelve, quieter).beyond] == [8, 9]


def test_html_rows_for_the_top_lines_for_the_critical_rest_and_a_note(twelve, example_manifest):
    page = render_html_page(twelve, example_manifest, report_queue(twelve, limit=5))
    queue = page.split('id="queue"', 1)[1].split("</table>", 1)[0]
    assert queue.count("<tr>") == 5 + 1
    beyond = page.split('id="beyond"', 1)[1].split("</details>", 1)[0]
    assert re.findall(r'<li value="(\d+)">', beyond) == ["8", "9"]
    assert "2 more critical or alerting cases below the top 5" in beyond
    assert "The other 5 cases are in cases.jsonl, cases.csv, cases.parquet" in page
    assert twelve[11]["case_id"] not in page
    everything = render_html_page(twelve, example_manifest, report_queue(twelve, limit=12))
    assert 'id="beyond"' not in everything and "The other" not in everything


def test_resolved_cases_are_capped_with_a_pointer_to_run_json(example_records, example_manifest):
    resolved = [
        {
            "case_id": f"C-gone{i:08d}",
            "previous_priority": "high",
            "previous_score": 60.0,
            "tenant_ids": ["t"],
            "why": ["no hits"],
        }
        for i in range(7)
    ]
    manifest = {
        **example_manifest,
        "changes": {"previous_run_id": "r1", "counts": {"resolved": 7}, "resolved": resolved},
    }
    page = render_html_page(example_records, manifest, report_queue(example_records, limit=3))
    assert "C-gone00000002" in page and "C-gone00000003" not in page
    assert "other 4 resolved cases are in run.json" in page
    text = "\n".join(markdown_changes(manifest, limit=3))
    assert (
        "C-gone00000002" in text and "C-gone00000003" not in text and "4 more, in run.json" in text
    )


def test_audit_report_cases_flag_cuts_the_reports_not_the_data(tmp_path, example_records):
    from auditor.cli.main import main

    critical = sum(r["priority"] == "critical" for r in example_records)
    assert 2 < critical < len(example_records), (
        "the example queue should have critical and other cases"
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--config",
                str(EXAMPLES / "audit.yaml"),
                "--out",
                str(out),
                "--report-cases",
                "2",
            ]
        )
        == 0
    )
    records = [
        json.loads(line) for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == len(example_records)
    assert (
        pl.read_csv(out / "cases.csv").height
        == pl.read_parquet(out / "cases.parquet").height
        == len(records)
    )
    assert pl.read_parquet(out / "hits.parquet").height == sum(len(r["hits"]) for r in records)
    omitted = len(records) - critical
    md = (out / "report.md").read_text(encoding="utf-8")
    queue_rows = md.split("## Review queue", 1)[1].split("\n\n", 2)[1].count("\n| ")
    assert queue_rows == 2 + 1  # separator row + the top two
    assert f"### {critical - 2:,} more critical or alerting cases below the top 2" in md
    assert f"The other {omitted:,} cases are in cases.jsonl" in md
    assert all(r["case_id"] in md for r in records if r["priority"] == "critical")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"The other {omitted:,} cases are in cases.jsonl" in html
    assert all(r["case_id"] in html for r in records if r["priority"] == "critical")
    assert not any(r["case_id"] in html for r in records if r["priority"] != "critical")


def test_report_cases_setting_is_validated(tmp_path):
    from auditor.cli.main import main

    assert (
        main(
            [
                "audit",
                "--config",
                str(EXAMPLES / "audit.yaml"),
                "--out",
                str(tmp_path),
                "--report-cases",
                "0",
            ]
        )
        == 2
    )


def test_the_default_is_the_top_500_the_readme_names(example_records):
    queue = report_queue(queue_records(["medium"] * 501, example_records[0]))
    assert queue.limit == 500 and len(queue.top) == 500 and queue.omitted == 1
