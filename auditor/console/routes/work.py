"""The forms that work on cases: decide, comment, assign, snooze, attach, review, next case, bulk (POST, then redirect).

Each checks its policy action and the CSRF token (`common.read_post`), makes one store call and
redirects back, so a reload never repeats an action.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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
from auditor.console.notifying import announce as notify_announce
from auditor.console.policy import requires
from auditor.console.routes.forms import decision_from
from auditor.errors import InputError
from auditor.store.sqlite_attachments import MAX_ATTACHMENT_BYTES


def _case_action(action: str, verb: str) -> Any:
    """A POST on one case: policy, CSRF, one store call, then back to the case page."""

    @requires(action)
    async def route(request: Request) -> Response:
        case_id = request.path_params["case_id"]
        form, identity, denied = await read_post(request, action)
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
                    notify_announce(request),
                )
        except LookupError:
            return render(request, "error.html", identity, {"message": "no such case"}, 404)
        except InputError as exc:
            return redirect(request, f"/cases/{case_id}", error=str(exc))
        return redirect(request, f"/cases/{case_id}", notice=notice)

    return route


def _do(
    verb: str,
    st: Any,
    case_id: str,
    form: Any,
    me: str,
    reasons: tuple[str, ...],
    rid: str,
    announce: Any = None,
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
        outcome = st.record_decision(decision, rid, announce=announce)
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
        st.assign([case_id], target, me, rid, announce=announce)
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
        identity = admit(request, st, "view-case")
        if isinstance(identity, Response):
            return identity
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
    form, identity, denied = await read_post(request, "approve-decision")
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
    form, identity, denied = await read_post(request, "claim-case")
    if denied is not None:
        return denied
    with request_store(request) as st:
        run = st.latest_run()
        case_id = (
            st.claim_next(
                identity.username, run.run_id, request_id(request), notify_announce(request)
            )
            if run
            else None
        )
    if case_id is None:
        return redirect(request, "/", notice="no unassigned open case left")
    return redirect(request, f"/cases/{case_id}", notice="assigned to you")


@requires("record-decision")
async def bulk(request: Request) -> Response:
    """One reason for many cases; each case gets its own decision (and four-eyes check) and its own event."""
    form, identity, denied = await read_post(request, "record-decision")
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
                states.append(
                    st.record_decision(d, request_id(request), notify_announce(request)).state
                )
            except (LookupError, InputError) as exc:
                return redirect(request, "/", notice=f"stopped at {case_id[:40]}: {exc}")
    return redirect(
        request,
        "/",
        notice=f"{states.count('in-force')} in force, {states.count('pending-review')} pending review",
    )


def routes() -> list[Route]:
    return [
        Route("/next", next_case, methods=["POST"]),
        Route("/bulk", bulk, methods=["POST"]),
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
