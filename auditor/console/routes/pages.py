"""The HTML pages: login and logout, the queue, a case, the audit download (the forms that work on cases are in work.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from auditor.console.charts import score_chart, signin_chart
from auditor.console.auth import (
    SESSION_LIFETIME,
    cookie_name,
    same_origin,
    session_identity,
)
from auditor.console.common import (
    admit,
    config_of,
    finish,
    read_post,
    redirect,
    render,
    request_id,
    request_store,
)
from auditor.console.passwords import check_password
from auditor.console.policy import allowed, requires
from auditor.console.routes.forms import queue_filter
from auditor.errors import InputError
from auditor.store.due import due_date
from auditor.store.team import VIEWS


@requires("sign-in")
async def login_page(request: Request) -> Response:
    return render(request, "login.html", None, {"error": request.query_params.get("error")})


@requires("sign-in")
async def login(request: Request) -> Response:
    if not same_origin(request):  # login CSRF: another site signing the browser in as someone else
        return render(
            request, "error.html", None, {"message": "sign in from the console's own page"}, 403
        )
    form = await request.form()
    name, password = str(form.get("username") or "")[:200], str(form.get("password") or "")
    source = request.client.host if request.client else None
    with request_store(request) as st:
        user = st.user(name)
        if user is not None and user.locked_until is not None and user.locked_until > _now():
            st.record_login(name, False, "password", source, "locked", request_id(request))
            return redirect(
                request,
                "/login",
                error="account locked after repeated failures; try later or ask an admin",
            )
        ok = check_password(user.password_hash if user and not user.disabled else None, password)
        st.record_login(
            name,
            ok,
            "password",
            source,
            "ok" if ok else "wrong user or password",
            request_id(request),
        )
        if not ok:
            return redirect(request, "/login", error="wrong user name or password")
        token, _ = st.start_session(name, SESSION_LIFETIME)
    request.state.new_session = token
    return redirect(request, "/")


def _now() -> Any:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


@requires("sign-out")
async def logout(request: Request) -> Response:
    form, identity, denied = await read_post(request, "sign-out")
    if denied is not None:
        return denied
    with request_store(request) as st:
        st.end_session(
            request.cookies.get(cookie_name(config_of(request).secure_cookies), ""),
            request_id(request),
        )
    response = redirect(request, "/login")
    response.delete_cookie(
        cookie_name(config_of(request).secure_cookies),
        path="/",
        secure=config_of(request).secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


@requires("view-queue")
async def queue(request: Request) -> Response:
    with request_store(request) as st:
        identity = admit(request, st, "view-queue")
        if isinstance(identity, Response):
            return identity
        try:
            f = queue_filter(request.query_params, config_of(request).page_size)
        except InputError as exc:
            return render(request, "error.html", identity, {"message": str(exc)}, 400)
        run = st.latest_run()
        rows, cursor = (
            st.queue(run.run_id, f, identity.username, due_days=config_of(request).due_days)
            if run
            else ([], None)
        )
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
    return render(
        request,
        "queue.html",
        identity,
        {
            "run": run,
            "rows": rows,
            "views": VIEWS,
            "filter": f,
            "export_query": _query(params),
            "next_query": _query(params + [("after", str(cursor))]) if cursor is not None else None,
            "view_query": {
                v: _query([(k, x) for k, x in params if k != "view"] + [("view", v)]) for v in VIEWS
            },
            "can_work": allowed("record-decision", identity.role),
            "reasons": config_of(request).reasons,
            "notice": request.query_params.get("notice"),
            "overdue": {r.case_id for r in rows if r.due is not None and r.due < date.today()},
        },
    )


def _query(params: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params)


@requires("view-case")
async def case_page(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    with request_store(request) as st:
        identity = admit(request, st, "view-case")
        if isinstance(identity, Response):
            return identity
        history = st.case_history(case_id)
        if not history:
            return render(request, "error.html", identity, {"message": "no such case"}, 404)
        snap = history[-1]
        pending = st.pending_decisions(case_id=case_id, open_only=True)
        started = {r.run_id: r.started_at.date() for r in st.runs()}
        due = due_date(started.get(history[0].run_id), snap.priority, config_of(request).due_days)
        context = {
            "case": snap,
            "record": snap.record,
            "hits": [
                {
                    **h,
                    "evidence_items": [
                        (k, round(v, 2) if isinstance(v, float) else v)
                        for k, v in (h.get("evidence") or {}).items()
                    ],
                }
                for h in snap.record.get("hits", [])
            ],
            "history": history,
            "decisions": st.decisions(case_id),
            "pending": [
                {
                    "p": p,
                    "can_approve": allowed("approve-decision", identity.role)
                    and p.decision.by != identity.username,
                }
                for p in pending
            ],
            "comments": st.comments(case_id),
            "attachments": st.attachments(case_id),
            "work": st.case_work(case_id),
            "can_work": allowed("record-decision", identity.role),
            "reasons": config_of(request).reasons,
            "chart": score_chart(history),
            "signins": signin_chart(history),
            "due": due,
            "allowlist": st.allowlist_proposals(case_id=case_id),
            "allowlist_expires": (date.today() + timedelta(days=90)).isoformat(),
            "overdue": due is not None and due < date.today(),
            "error": request.query_params.get("error"),
            "notice": request.query_params.get("notice"),
        }
    return render(request, "case.html", identity, context)


@requires("download-audit")
async def audit_download(request: Request) -> Response:
    with request_store(request) as st:
        identity = admit(request, st, "download-audit")
        if isinstance(identity, Response):
            return identity
        st.record_action(identity.username, "download-audit", "audit_events", request_id(request))
        lines = [
            json.dumps(e.as_dict(), ensure_ascii=False, sort_keys=True) + "\n"
            for e in st.audit_events()
        ]
    response = StreamingResponse(
        iter(lines),
        media_type="application/x-ndjson",
        headers={"content-disposition": 'attachment; filename="audit.jsonl"'},
    )
    finish(request, response)
    return response


def routes() -> list[Route]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", queue, methods=["GET"]),
        Route("/audit.jsonl", audit_download, methods=["GET"]),
        Route("/cases/{case_id}", case_page, methods=["GET"]),
    ]


__all__ = ["routes", "session_identity"]
