"""The JSON API (`/api/v1`): the same queue, cases, decisions and approvals, for SIEM and ticketing tools.

Bearer API keys only (no cookies, so no CSRF); a key acts with its owner's current role.
401 without a valid key, 403 when the role may not act or four-eyes refuses (self-approval).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auditor.console.auth import Identity, bearer_identity
from auditor.console.common import config_of, request_id, request_store
from auditor.console.notifying import announce, deliver_after
from auditor.console.policy import allowed, requires
from auditor.console.routes.forms import decision_from, queue_filter
from auditor.errors import InputError
from auditor.store.review import ReviewRefused


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _check(request: Request, st: Any, action: str) -> tuple[Identity | None, Response | None]:
    identity = bearer_identity(request, st)
    if identity is None:
        return None, _error(401, "a valid API key is needed: Authorization: Bearer KEY")
    if not allowed(action, identity.role):
        return identity, _error(403, f"role {identity.role} may not {action.replace('-', ' ')}")
    return identity, None


def _row(r: Any) -> dict[str, Any]:
    return {
        "case_id": r.case_id,
        "rank": r.rank,
        "priority": r.priority,
        "score": r.score,
        "tenant_ids": r.tenant_ids,
        "rules": r.rules,
        "top_reason": r.top_reason,
        "change": r.change,
        "assignee": r.assignee,
        "decision_status": r.decision_status,
        "pending_decision_id": r.pending_id,
        "snoozed_until": r.snoozed_until.isoformat() if r.snoozed_until else None,
        "due": r.due.isoformat() if r.due else None,
    }


@requires("view-queue")
async def list_cases(request: Request) -> Response:
    with request_store(request) as st:
        identity, denied = _check(request, st, "view-queue")
        if denied is not None or identity is None:
            return denied or _error(401, "")
        try:
            f = queue_filter(request.query_params, config_of(request).page_size)
        except InputError as exc:
            return _error(400, str(exc))
        run = st.latest_run()
        rows, cursor = (
            st.queue(run.run_id, f, identity.username, due_days=config_of(request).due_days)
            if run
            else ([], None)
        )
    return JSONResponse(
        {
            "run_id": run.run_id if run else None,
            "cases": [_row(r) for r in rows],
            "next_cursor": cursor,
        }
    )


def _decision(d: Any) -> dict[str, Any]:
    return {**d.summary(), "decision_id": d.decision_id, "approved_by": d.approved_by}


@requires("view-case")
async def get_case(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    with request_store(request) as st:
        _, denied = _check(request, st, "view-case")
        if denied is not None:
            return denied
        history = st.case_history(case_id)
        if not history:
            return _error(404, "no such case")
        body = {
            "record": history[-1].record,
            "decisions": [_decision(d) for d in st.decisions(case_id)],
            "pending": [
                {"decision_id": p.pending_id, **p.decision.summary()}
                for p in st.pending_decisions(case_id=case_id, open_only=True)
            ],
            "comments": [
                {"author": c.author, "body": c.body, "at": c.at.isoformat()}
                for c in st.comments(case_id)
            ],
        }
    return Response(
        json.dumps(body, ensure_ascii=False, default=str), media_type="application/json"
    )


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise InputError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object")
    return body


@requires("record-decision")
async def post_decision(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    with request_store(request) as st:
        identity, denied = _check(request, st, "record-decision")
        if denied is not None or identity is None:
            return denied or _error(401, "")
        try:
            body = await _json_body(request)
            if body.get("until") is not None and not isinstance(body.get("until"), str):
                raise InputError("until: expected an ISO date string or null")
            decision = decision_from(
                st,
                case_id,
                identity.username,
                str(body.get("status") or ""),
                str(body.get("reason") or ""),
                body.get("until"),
            )
            outcome = st.record_decision(decision, request_id(request), announce(request))
        except LookupError:
            return _error(404, "no such case")
        except ReviewRefused as exc:
            return _error(403, str(exc))
        except InputError as exc:
            return _error(400, str(exc))
    return deliver_after(
        request,
        JSONResponse({"decision_id": outcome.decision_id, "state": outcome.state}, status_code=201),
    )


@requires("approve-decision")
async def approve(request: Request) -> Response:
    pending_id = int(request.path_params["decision_id"])
    with request_store(request) as st:
        identity, denied = _check(request, st, "approve-decision")
        if denied is not None or identity is None:
            return denied or _error(401, "")
        if not st.pending_decisions(pending_id=pending_id):
            return _error(404, "no such pending decision")
        try:
            reviewed = st.review_decision(
                pending_id, identity.username, approve=True, request_id=request_id(request)
            )
        except ReviewRefused as exc:
            return _error(403, str(exc))
    return JSONResponse(
        {
            "decision_id": pending_id,
            "state": "in-force",
            "in_force_decision_id": reviewed.decision_id,
        }
    )


@requires("sign-in")
async def openapi(request: Request) -> Response:
    from auditor.console.openapi import OPENAPI

    return JSONResponse(OPENAPI)


def routes() -> list[Route]:
    return [
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        Route("/api/v1/cases", list_cases, methods=["GET"]),
        Route("/api/v1/cases/{case_id}", get_case, methods=["GET"]),
        Route("/api/v1/cases/{case_id}/decisions", post_decision, methods=["POST"]),
        Route("/api/v1/decisions/{decision_id:int}/approve", approve, methods=["POST"]),
    ]
