"""What every console route shares: the store for this request, who is asking, the policy check, rendering.

Routes stay thin: parse, `identify` + `refuse`, one call into the store, render or redirect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from auditor.console.auth import (
    SESSION_LIFETIME,
    Identity,
    csrf_ok,
    session_identity,
    set_session_cookie,
    sso_user,
)
from auditor.console.policy import allowed
from auditor.store import open_store
from auditor.store.due import DEFAULT_DUE_DAYS
from auditor.store.sqlite_attachments import MAX_ATTACHMENT_BYTES

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
DEFAULT_REASONS = (
    "verified customer",
    "known research lab",
    "false positive: name match",
    "ownership checked",
    "restricted party confirmed",
    "other",
)


@dataclass(frozen=True)
class ConsoleConfig:
    store: str
    trusted_proxies: tuple[str, ...] = ()
    sso_header: str = "X-Forwarded-User"
    secure_cookies: bool = True
    reasons: tuple[str, ...] = DEFAULT_REASONS
    page_size: int = 50
    due_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    # The audit config's channels: assignments and review requests go there.
    notify: tuple[Any, ...] = ()
    allowlist_max_days: int = (
        180  # the audit config's allowlist_max_days: console entries obey it too
    )
    extra: dict[str, Any] = field(default_factory=dict)


def config_of(request: Request) -> ConsoleConfig:
    config: ConsoleConfig = request.app.state.config
    return config


def request_id(request: Request) -> str:
    return str(request.scope.get("request_id", ""))


@contextmanager
def request_store(request: Request) -> Iterator[Any]:
    st = open_store(config_of(request).store)
    try:
        yield st
    finally:
        st.close()


def identify(request: Request, store: Any) -> Identity | None:
    """The signed-in user: their session, or (from a trusted proxy) the SSO header's account, given a session now."""
    config = config_of(request)
    found = session_identity(request, store, config.secure_cookies)
    name = sso_user(request, config.trusted_proxies, config.sso_header)
    if name is None:
        return found
    if found is not None and found.username == name:
        return found
    user = store.user(name)
    if user is None or user.disabled:
        store.record_login(name, False, "sso", request.client.host if request.client else None,
                           "no active account", request_id(request))  # fmt: skip
        return None
    store.record_login(
        name,
        True,
        "sso",
        request.client.host if request.client else None,
        "proxy header",
        request_id(request),
    )
    token, session = store.start_session(name, SESSION_LIFETIME)
    request.state.new_session = token
    return Identity(name, session.role, session.csrf_token, "sso")


def refuse(request: Request, identity: Identity | None, action: str) -> Response | None:
    """None when the identity may do `action`; else the login redirect or a 403 page."""
    if allowed(action, identity.role if identity else None):
        return None
    if identity is None:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        "error.html",
        identity,
        {"message": f"your role ({identity.role}) may not {action.replace('-', ' ')}"},
        403,
    )


def admit(request: Request, st: Any, action: str) -> Identity | Response:
    """The signed-in identity when it may do `action`; else the response to send instead.

    Every page and download starts here, so who may see what is decided in one place.
    """
    identity = identify(request, st)
    denied = refuse(request, identity, action)
    if denied is not None or identity is None:
        return denied or redirect(request, "/login")
    return identity


def render(
    request: Request,
    template: str,
    identity: Identity | None,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"me": identity, "csrf": identity.csrf_token if identity else "", **context},
        status_code=status,
    )
    finish(request, response)
    return response


def redirect(request: Request, url: str, **params: str) -> Response:
    response = RedirectResponse(
        url + (("?" + urlencode(params)) if params else ""), status_code=303
    )
    finish(request, response)
    return response


def finish(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_session", None)
    if token:
        set_session_cookie(response, token, config_of(request).secure_cookies)
    if getattr(
        request.state, "announced", False
    ):  # notifying.announce: deliver once the response is out
        from auditor.console.notifying import deliver_after

        deliver_after(request, response)


async def read_post(request: Request, action: str) -> tuple[Any, Any, Response | None]:
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
