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


def test_attachments_are_capped_stored_by_checksum_downloaded_and_verified(app, store_path):
    from store_raw import tamper

    c = sign_in(app, "ana")
    token = csrf_of(c)
    body = b"<html><script>alert(1)</script></html>"
    for case in ("C-000005", "C-000006"):
        r = c.post(
            f"/cases/{case}/attach",
            data={"csrf": token},
            files={"file": ("../../evil\u202egpj.html", body, "text/html")},
        )
        assert r.status_code == 303 and "notice=file" in r.headers["location"]
    with open_store(store_path) as st:
        (a,) = st.attachments("C-000005")
        assert a.filename == "evilgpj.html" and a.size == len(body)  # no folders, no bidi override
        assert (
            st._conn.execute("SELECT count(*) FROM attachment_blobs").fetchone()[0] == 1
        )  # stored once
    r = c.get(f"/cases/C-000005/attachments/{a.attachment_id}")
    assert r.content == body and r.headers["content-type"] == "application/octet-stream"
    assert (
        r.headers["content-disposition"].startswith("attachment;")
        and r.headers["x-content-type-options"] == "nosniff"
    )
    assert (
        c.get(f"/cases/C-000006/attachments/{a.attachment_id}").status_code == 404
    )  # another case's id
    big = b"x" * (5 * 1024 * 1024 + 1)
    r = c.post("/cases/C-000005/attach", data={"csrf": token}, files={"file": ("big.bin", big)})
    assert r.status_code in (303, 413) and "error" in r.headers.get("location", "error")
    vic = sign_in(app, "vic")
    r = vic.post(
        "/cases/C-000005/attach", data={"csrf": csrf_of(vic)}, files={"file": ("x.txt", b"x")}
    )
    assert r.status_code == 403
    with open_store(store_path) as st:
        assert st.verify().ok
    tamper(
        store_path,
        "DROP TRIGGER attachment_blobs_no_update",
        "UPDATE attachment_blobs SET data = "
        + ("'\\x00'" if "://" in str(store_path) else "x'00'"),
    )
    with open_store(store_path) as st:
        assert any("attachment content" in p for p in st.verify().problems)
