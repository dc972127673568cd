"""The HTML pages: login and logout, the queue, a case, and the forms that work on cases (POST, then redirect)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from auditor.console.auth import SESSION_LIFETIME, cookie_name, csrf_ok, same_origin, session_identity
from auditor.console.common import (
    config_of,
    finish,
    identify,
    redirect,
    refuse,
    render,
    request_id,
    request_store,
)
from auditor.console.passwords import check_password
from auditor.console.policy import allowed, requires
from auditor.console.routes.forms import decision_from, queue_filter
from auditor.errors import InputError
from auditor.store.sqlite_attachments import MAX_ATTACHMENT_BYTES
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


async def _posted(request: Request, action: str) -> tuple[Any, Any, Response | None]:
    """Form, identity and a refusal (login, 403, or CSRF) for a state-changing request."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_ATTACHMENT_BYTES + 64 * 1024:
        return (
            None,
            None,
            Response("a request body of known size, at most 5 MB, is expected", status_code=413),
        )
    form = await request.form(max_files=1, max_fields=600)
    with request_store(request) as st:
        identity = identify(request, st)
    denied = refuse(request, identity, action)
    if denied is not None or identity is None:
        return form, identity, denied or redirect(request, "/login")
    if not csrf_ok(request, str(form.get("csrf") or ""), identity):
        return (
            form,
            identity,
            render(
                request,
                "error.html",
                identity,
                {"message": "the form expired or came from another site; reload and try again"},
                403,
            ),
        )
    return form, identity, None


@requires("sign-out")
async def logout(request: Request) -> Response:
    form, identity, denied = await _posted(request, "sign-out")
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
        identity = identify(request, st)
        denied = refuse(request, identity, "view-queue")
        if denied is not None or identity is None:
            return denied or redirect(request, "/login")
        try:
            f = queue_filter(request.query_params, config_of(request).page_size)
        except InputError as exc:
            return render(request, "error.html", identity, {"message": str(exc)}, 400)
        run = st.latest_run()
        rows, cursor = st.queue(run.run_id, f, identity.username) if run else ([], None)
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
        },
    )


def _query(params: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params)


@requires("view-case")
async def case_page(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    with request_store(request) as st:
        identity = identify(request, st)
        denied = refuse(request, identity, "view-case")
        if denied is not None or identity is None:
            return denied or redirect(request, "/login")
        history = st.case_history(case_id)
        if not history:
            return render(request, "error.html", identity, {"message": "no such case"}, 404)
        snap = history[-1]
        pending = st.pending_decisions(case_id=case_id, open_only=True)
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
            "chart": _score_chart(history),
            "error": request.query_params.get("error"),
            "notice": request.query_params.get("notice"),
        }
    return render(request, "case.html", identity, context)


def _score_chart(history: list[Any]) -> dict[str, Any]:
    """Points of an inline SVG line of restricted GPU-hours per run, computed here so the template only draws."""
    values = [s.restricted_gpu_hours_90d for s in history]
    if len(values) == 1:
        values = values * 2  # one run: a flat line across, not an invisible point
    top = max(values) or 1.0
    width, height = 300, 60
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    return {"points": points, "width": width, "height": height, "last": values[-1] if values else 0}


def _case_action(action: str, verb: str) -> Any:
    """A POST on one case: policy, CSRF, one store call, then back to the case page."""

    @requires(action)
    async def route(request: Request) -> Response:
        case_id = request.path_params["case_id"]
        form, identity, denied = await _posted(request, action)
        if denied is not None:
            return denied
        try:
            with request_store(request) as st:
                notice = _do(
                    verb,
                    st,
                    case_id,
                    form,
                    identity.username,
                    config_of(request).reasons,
                    request_id(request),
                )
        except LookupError:
            return render(request, "error.html", identity, {"message": "no such case"}, 404)
        except InputError as exc:
            return redirect(request, f"/cases/{case_id}", error=str(exc))
        return redirect(request, f"/cases/{case_id}", notice=notice)

    return route


def _do(
    verb: str, st: Any, case_id: str, form: Any, me: str, reasons: tuple[str, ...], rid: str
) -> str:
    if verb == "decide":
        code = str(form.get("reason_code") or "")
        if code not in reasons:
            raise InputError("reason: choose one from the list")
        text = str(form.get("reason_text") or "").strip()
        decision = decision_from(
            st,
            case_id,
            me,
            str(form.get("status") or ""),
            f"{code}: {text}" if text else code,
            str(form.get("until") or ""),
        )
        outcome = st.record_decision(decision, rid)
        return (
            "decision recorded"
            if outcome.state == "in-force"
            else f"decision #{outcome.pending_id} waits for a reviewer (four-eyes)"
        )
    if not st.case_history(case_id):
        raise LookupError(case_id)
    if verb == "attach":
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("choose a file to attach")
        data = upload.file.read(MAX_ATTACHMENT_BYTES + 1)
        st.add_attachment(case_id, upload.filename or "attachment", data, me, rid)
        return "file attached"
    if verb == "comment":
        st.add_comment(case_id, me, str(form.get("body") or ""), rid)
        return "comment added"
    if verb == "assign":
        target = str(form.get("assignee") or "").strip() or None
        st.assign([case_id], target, me, rid)
        return f"assigned to {target}" if target else "unassigned"
    if verb == "snooze":
        text = str(form.get("until") or "")
        try:
            until = date.fromisoformat(text) if text else None
        except ValueError:
            raise InputError("until: expected an ISO date") from None
        snap = st.case_history(case_id)[-1]
        st.snooze(
            case_id,
            until,
            str(form.get("reason") or "").strip() or "snoozed",
            me,
            snap.rules,
            snap.priority,
            rid,
        )
        return "snoozed" if until else "woken"
    raise AssertionError(verb)


@requires("view-case")
async def attachment(request: Request) -> Response:
    """An attachment, always as a download of opaque bytes: never rendered by the browser."""
    case_id, ident = request.path_params["case_id"], int(request.path_params["attachment_id"])
    with request_store(request) as st:
        identity = identify(request, st)
        denied = refuse(request, identity, "view-case")
        if denied is not None or identity is None:
            return denied or redirect(request, "/login")
        found = st.attachment_data(case_id, ident)
        if found is None:
            return render(request, "error.html", identity, {"message": "no such attachment"}, 404)
        st.record_action(
            identity.username, "download-attachment", f"attachments:{ident}", request_id(request)
        )
    meta, data = found
    ascii_name = (
        meta.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    )
    response = Response(
        data,
        media_type="application/octet-stream",
        headers={
            "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(meta.filename)}"
        },
    )
    finish(request, response)
    return response


@requires("approve-decision")
async def review(request: Request) -> Response:
    pending_id = int(request.path_params["pending_id"])
    form, identity, denied = await _posted(request, "approve-decision")
    if denied is not None:
        return denied
    with request_store(request) as st:
        found = st.pending_decisions(pending_id=pending_id)
        if not found:
            return render(request, "error.html", identity, {"message": "no such decision"}, 404)
        case_id = found[0].decision.case_id
        try:
            st.review_decision(
                pending_id,
                identity.username,
                approve=form.get("outcome") != "reject",
                note=str(form.get("note") or ""),
                request_id=request_id(request),
            )
        except InputError as exc:
            return redirect(request, f"/cases/{case_id}", error=str(exc))
    return redirect(request, f"/cases/{case_id}", notice="review recorded")


@requires("claim-case")
async def next_case(request: Request) -> Response:
    form, identity, denied = await _posted(request, "claim-case")
    if denied is not None:
        return denied
    with request_store(request) as st:
        run = st.latest_run()
        case_id = st.claim_next(identity.username, run.run_id, request_id(request)) if run else None
    if case_id is None:
        return redirect(request, "/", notice="no unassigned open case left")
    return redirect(request, f"/cases/{case_id}", notice="assigned to you")


@requires("record-decision")
async def bulk(request: Request) -> Response:
    """One reason for many cases; each case gets its own decision (and four-eyes check) and its own event."""
    form, identity, denied = await _posted(request, "record-decision")
    if denied is not None:
        return denied
    ids = [str(x) for x in form.getlist("case_id")][:500]
    code = str(form.get("reason_code") or "")
    if not ids or code not in config_of(request).reasons:
        return redirect(request, "/", notice="choose cases and a reason")
    states: list[str] = []
    with request_store(request) as st:
        for case_id in ids:
            try:
                d = decision_from(
                    st, case_id, identity.username, str(form.get("status") or ""), code, None
                )
                states.append(st.record_decision(d, request_id(request)).state)
            except (LookupError, InputError) as exc:
                return redirect(request, "/", notice=f"stopped at {case_id[:40]}: {exc}")
    return redirect(
        request,
        "/",
        notice=f"{states.count('in-force')} in force, {states.count('pending-review')} pending review",
    )


@requires("download-audit")
async def audit_download(request: Request) -> Response:
    with request_store(request) as st:
        identity = identify(request, st)
        denied = refuse(request, identity, "download-audit")
        if denied is not None or identity is None:
            return denied or redirect(request, "/login")
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
        Route("/next", next_case, methods=["POST"]),
        Route("/bulk", bulk, methods=["POST"]),
        Route("/audit.jsonl", audit_download, methods=["GET"]),
        Route("/cases/{case_id}", case_page, methods=["GET"]),
        Route(
            "/cases/{case_id}/decide", _case_action("record-decision", "decide"), methods=["POST"]
        ),
        Route(
            "/cases/{case_id}/comment", _case_action("comment-case", "comment"), methods=["POST"]
        ),
        Route("/cases/{case_id}/assign", _case_action("assign-case", "assign"), methods=["POST"]),
        Route("/cases/{case_id}/snooze", _case_action("snooze-case", "snooze"), methods=["POST"]),
        Route("/cases/{case_id}/attach", _case_action("attach-file", "attach"), methods=["POST"]),
        Route("/cases/{case_id}/attachments/{attachment_id:int}", attachment, methods=["GET"]),
        Route("/decisions/{pending_id:int}/review", review, methods=["POST"]),
    ]


__all__ = ["routes", "session_identity"]
