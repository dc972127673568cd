"""Downloads: the current view as CSV (formula guard), Parquet or JSONL, and a one-file case dossier (HTML).

Exports read the same queue query as the page (every page of it, up to EXPORT_LIMIT rows)
and reuse the report's CSV and Parquet writers, so a name starting with `=` reaches a
spreadsheet as text. Each download is an audit event.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import polars as pl
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auditor.console.common import (
    TEMPLATES,
    admit,
    config_of,
    finish,
    render,
    request_id,
    request_store,
)
from auditor.console.policy import requires
from auditor.console.routes.forms import queue_filter
from auditor.errors import InputError
from auditor.report.tables import _csv, _parquet

EXPORT_LIMIT = 100_000
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/x-ndjson",
}


def _frame(rows: list[Any]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case_id": [r.case_id for r in rows],
            "rank": [r.rank for r in rows],
            "priority": [r.priority for r in rows],
            "score": [r.score for r in rows],
            "tenant_ids": [r.tenant_ids for r in rows],
            "name": [r.names[0] if r.names else None for r in rows],
            "rules": [r.rules for r in rows],
            "top_reason": [r.top_reason for r in rows],
            "change": [r.change for r in rows],
            "assignee": [r.assignee for r in rows],
            "decision_status": [r.decision_status for r in rows],
            "pending_decision_id": [r.pending_id for r in rows],
            "due": [r.due for r in rows],
        },
        schema={
            "case_id": pl.String, "rank": pl.Int64, "priority": pl.String, "score": pl.Float64,
            "tenant_ids": pl.List(pl.String), "name": pl.String, "rules": pl.List(pl.String),
            "top_reason": pl.String, "change": pl.String, "assignee": pl.String,
            "decision_status": pl.String, "pending_decision_id": pl.Int64, "due": pl.Date,
        },
    )  # fmt: skip


@requires("export-view")
async def export_view(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        return Response("unknown export format", status_code=404)
    with request_store(request) as st:
        identity = admit(request, st, "export-view")
        if isinstance(identity, Response):
            return identity
        try:
            f = replace(
                queue_filter(request.query_params, config_of(request).page_size),
                limit=EXPORT_LIMIT,
                after_rank=None,
            )
        except InputError as exc:
            return render(request, "error.html", identity, {"message": str(exc)}, 400)
        run = st.latest_run()
        rows = (
            st.queue(run.run_id, f, identity.username, due_days=config_of(request).due_days)[0]
            if run
            else []
        )
        st.record_action(
            identity.username,
            "export-view",
            f"view:{f.view}",
            request_id(request),
            {"format": fmt, "rows": len(rows)},
        )
    frame = _frame(rows)
    if fmt == "csv":
        body: bytes = _csv(frame).encode("utf-8")
    elif fmt == "parquet":
        body = _parquet(frame)
    else:
        body = "".join(
            json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in frame.to_dicts()
        ).encode("utf-8")
    response = Response(
        body,
        media_type=MEDIA[fmt],
        headers={"content-disposition": f'attachment; filename="queue.{fmt}"'},
    )
    finish(request, response)
    return response


@requires("view-case")
async def dossier(request: Request) -> Response:
    """The case, its run's rule-pack checksum, and every decision with its reviewer, in one HTML file."""
    case_id = request.path_params["case_id"]
    with request_store(request) as st:
        identity = admit(request, st, "view-case")
        if isinstance(identity, Response):
            return identity
        history = st.case_history(case_id)
        if not history:
            return render(request, "error.html", identity, {"message": "no such case"}, 404)
        snap = history[-1]
        run = next((r for r in st.runs() if r.run_id == snap.run_id), None)
        context = {
            "case": snap,
            "record": snap.record,
            "run": run,
            "decisions": st.decisions(case_id),
            "comments": st.comments(case_id),
            "history": history,
        }
        st.record_action(
            identity.username, "download-dossier", f"case:{case_id}", request_id(request)
        )
    response = TEMPLATES.TemplateResponse(request, "dossier.html", context)
    response.headers["content-disposition"] = f'attachment; filename="dossier-{case_id[:60]}.html"'
    finish(request, response)
    return response


def routes() -> list[Route]:
    return [
        Route("/export.{fmt}", export_view, methods=["GET"]),
        Route("/cases/{case_id}/dossier.html", dossier, methods=["GET"]),
    ]
