"""Exports of the current view (CSV with the formula guard, Parquet, JSONL) and the one-file case dossier."""

from __future__ import annotations

import csv
import io
import json

import polars as pl

from auditor.store import open_store
from console_testkit import HOSTILE, client, csrf_of, sign_in


def test_csv_export_guards_formulas_and_keeps_hostile_text_as_text(app, store_path):
    c = sign_in(app, "vic")
    r = c.get("/export.csv?view=all")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 40
    names = {row["case_id"]: row["name"] for row in rows}
    assert names["C-000002"] == "'" + HOSTILE[2]  # =HYPERLINK(...) reaches a spreadsheet as text
    assert names["C-000000"] == HOSTILE[0] and names["C-000004"] == HOSTILE[4]
    with open_store(store_path) as st:
        assert st.audit_events()[-1].action == "export-view"


def test_parquet_and_jsonl_exports_follow_the_filters(app):
    c = sign_in(app, "vic")
    frame = pl.read_parquet(io.BytesIO(c.get("/export.parquet?priority=critical").content))
    assert frame["priority"].unique().to_list() == ["critical"] and frame.height == 2
    lines = [json.loads(x) for x in c.get("/export.jsonl?priority=high").text.splitlines()]
    assert {x["priority"] for x in lines} == {"high"} and len(lines) == 6
    assert c.get("/export.xlsx").status_code == 404
    assert client(app).get("/export.csv").status_code == 303  # signed out


def test_the_dossier_carries_the_rule_pack_checksum_and_every_decision_with_its_reviewer(app):
    ana = sign_in(app, "ana")
    ana.post(
        "/cases/C-000000/decide",
        data={"csrf": csrf_of(ana), "status": "dismissed", "reason_code": "other"},
    )
    rita = sign_in(app, "rita")
    rita.post("/decisions/1/review", data={"csrf": csrf_of(rita), "outcome": "approve"})
    r = rita.get("/cases/C-000000/dossier.html")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "0" * 64 in r.text and "<td>ana</td><td>rita</td>" in r.text
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
