"""The console's ASGI app: routes plus security headers, nothing else.

Refuses to start when a route does not declare its policy action (policy.py), so no page
is open by accident. Every response carries a strict CSP (no script at all; styles and
images only from the console itself), nosniff, no framing, no caching, and a request id
that the audit trail records beside each action.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from auditor.console.common import ConsoleConfig
from auditor.console.policy import action_of
from auditor.console.routes import allowlist, api, exports, pages, work

CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (
        b"referrer-policy",
        b"same-origin",
    ),  # no-referrer would make Chromium send `Origin: null` on our own forms
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = uuid.uuid4().hex
        scope["request_id"] = rid

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    *HEADERS,
                    (b"x-request-id", rid.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(config: ConsoleConfig) -> Any:
    routes: list[Any] = [
        *pages.routes(),
        *work.routes(),
        *exports.routes(),
        *api.routes(),
        *allowlist.routes(),
    ]
    undeclared = [r.path for r in routes if isinstance(r, Route) and action_of(r.endpoint) is None]
    if undeclared:
        raise RuntimeError(f"console routes without a policy action: {', '.join(undeclared)}")
    routes.append(
        Mount(
            "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
        )
    )
    app = Starlette(routes=routes)
    app.state.config = config
    return SecurityHeaders(app)


__all__ = ["ConsoleConfig", "create_app"]
