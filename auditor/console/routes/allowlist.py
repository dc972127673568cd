"""Allowlist entries from the console: propose one from a case, a second person approves, list and export them.

The entry is validated and four-eyes is checked in the store (sqlite_allowlist.py), the
same functions for every path; an approved entry suppresses from the next audit on, read
beside allowlist.yaml (allowlist/stored.py). The exports are a YAML file in allowlist.yaml's
own format (to move an entry into the reviewed file) and JSON Lines with every field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auditor.allowlist.export import as_jsonl, as_yaml, standing
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
from auditor.console.notifying import announce
from auditor.console.policy import allowed, requires
from auditor.errors import InputError


def entry_fields(form: Any, tenant_ids: list[str], rules: list[str], me: str) -> dict[str, Any]:
    """The proposed entry from the case page's form: only the case's own tenants and rules can be chosen."""
    tenants = [t for t in form.getlist("tenant") if t in tenant_ids]
    if not tenants:
        raise InputError("allowlist entry: choose at least one of the case's tenants")
    chosen_rules = [r for r in form.getlist("rule") if r in rules]
    expires = str(form.get("expires") or "").strip()
    if not expires:
        raise InputError("allowlist entry: expires: give the date the entry stops suppressing")
    fields: dict[str, Any] = {
        "tenants": tenants,
        "rules": chosen_rules,
        "reason": str(form.get("reason") or "").strip()[:2000],
        "owner": str(form.get("owner") or "").strip()[:200] or me,
        "created": date.today().isoformat(),
        "expires": expires,
        "on_material_change": str(form.get("on_material_change") or "lift"),
    }
    ticket = str(form.get("ticket") or "").strip()[:200]
    if ticket:
        fields["ticket"] = ticket
    return fields


@requires("propose-allowlist")
async def propose(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    form, identity, denied = await read_post(request, "propose-allowlist")
    if denied is not None:
        return denied
    with request_store(request) as st:
        history = st.case_history(case_id)
        if not history:
            return render(request, "error.html", identity, {"message": "no such case"}, 404)
        snap = history[-1]
        try:
            made = st.propose_allowlist_entry(
                entry_fields(form, snap.tenant_ids, snap.rules, identity.username),
                identity.username,
                case_id=case_id,
                max_days=config_of(request).allowlist_max_days,
                request_id=request_id(request),
                announce=announce(request),
            )
        except InputError as exc:
            return redirect(request, f"/cases/{case_id}", error=str(exc))
    return redirect(
        request,
        f"/cases/{case_id}",
        notice=f"allowlist entry {made.id} waits for a reviewer (four-eyes)",
    )


@requires("approve-allowlist")
async def review(request: Request) -> Response:
    proposal_id = int(request.path_params["proposal_id"])
    form, identity, denied = await read_post(request, "approve-allowlist")
    if denied is not None:
        return denied
    with request_store(request) as st:
        try:
            done = st.review_allowlist_entry(
                proposal_id,
                identity.username,
                approve=form.get("outcome") != "reject",
                note=str(form.get("note") or ""),
                request_id=request_id(request),
            )
        except InputError as exc:
            return redirect(request, "/allowlist", error=str(exc))
    return redirect(request, "/allowlist", notice=f"allowlist entry {done.id} {done.state}")


@requires("revoke-allowlist")
async def revoke(request: Request) -> Response:
    proposal_id = int(request.path_params["proposal_id"])
    form, identity, denied = await read_post(request, "revoke-allowlist")
    if denied is not None:
        return denied
    with request_store(request) as st:
        try:
            done = st.revoke_allowlist_entry(
                proposal_id, identity.username, str(form.get("reason") or ""), request_id(request)
            )
        except InputError as exc:
            return redirect(request, "/allowlist", error=str(exc))
    return redirect(request, "/allowlist", notice=f"allowlist entry {done.id} revoked")


@requires("view-allowlist")
async def page(request: Request) -> Response:
    with request_store(request) as st:
        identity = admit(request, st, "view-allowlist")
        if isinstance(identity, Response):
            return identity
        entries = st.allowlist_proposals()
    today = date.today()
    reviewer = allowed("approve-allowlist", identity.role)
    analyst = allowed("revoke-allowlist", identity.role)
    rows = [
        {
            "s": s,
            "standing": standing(s, today).replace("-", " "),
            "can_review": reviewer and s.state == "pending" and s.proposed_by != identity.username,
            "can_revoke": analyst and s.in_force(today),
        }
        for s in reversed(entries)
    ]
    return render(
        request,
        "allowlist.html",
        identity,
        {
            "rows": rows,
            "error": request.query_params.get("error"),
            "notice": request.query_params.get("notice"),
        },
    )


@requires("export-allowlist")
async def export(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("yaml", "jsonl"):
        return Response("unknown export format", status_code=404)
    with request_store(request) as st:
        identity = admit(request, st, "export-allowlist")
        if isinstance(identity, Response):
            return identity
        entries = st.allowlist_proposals()
        st.record_action(identity.username, "export-allowlist", "allowlist", request_id(request),
                         {"format": fmt, "entries": len(entries)})  # fmt: skip
    if fmt == "jsonl":
        body, media = as_jsonl(entries), "application/x-ndjson"
    else:
        body, media = as_yaml(entries), "application/yaml; charset=utf-8"
    response = Response(
        body.encode("utf-8"),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="console-allowlist.{fmt}"'},
    )
    finish(request, response)
    return response


def routes() -> list[Route]:
    return [
        Route("/allowlist", page, methods=["GET"]),
        Route("/allowlist.{fmt}", export, methods=["GET"]),
        Route("/allowlist/{proposal_id:int}/review", review, methods=["POST"]),
        Route("/allowlist/{proposal_id:int}/revoke", revoke, methods=["POST"]),
        Route("/cases/{case_id}/allowlist", propose, methods=["POST"]),
    ]
