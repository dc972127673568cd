"""Who is asking: a server-side session from the `__Host-` cookie, a trusted proxy's SSO header, or an API key.

Sessions are rows in the store (logout really ends them); the cookie holds only a random
token. The SSO header is believed only from the configured proxy addresses. CSRF: every
state-changing form carries the session's token (an empty token never matches), and a
cross-site `Sec-Fetch-Site` or a foreign `Origin` is refused outright.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.requests import Request

SESSION_LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class Identity:
    username: str
    role: str
    csrf_token: str | None  # None for API keys (no cookie, so no CSRF)
    via: str  # session | sso | api-key


def cookie_name(secure: bool) -> str:
    return "__Host-auditor-session" if secure else "auditor-session"


def set_session_cookie(response: Any, token: str, secure: bool) -> None:
    response.set_cookie(
        cookie_name(secure),
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def session_identity(request: Request, store: Any, secure: bool) -> Identity | None:
    token = request.cookies.get(cookie_name(secure), "")
    session = store.session(token) if token else None
    if session is None:
        return None
    return Identity(session.username, session.role, session.csrf_token, "session")


def sso_user(request: Request, trusted: tuple[str, ...], header: str) -> str | None:
    """The proxy's user header, only when the connection comes from a configured proxy address."""
    client = request.client.host if request.client else None
    if not trusted or client not in trusted:
        return None
    value = request.headers.get(header, "").strip()
    return value or None


def bearer_identity(request: Request, store: Any) -> Identity | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    owner = store.api_key_owner(key.strip())
    if owner is None:
        return None
    return Identity(owner[0], owner[1], None, "api-key")


def same_origin(request: Request) -> bool:
    """Not sent by another site: the browser's Sec-Fetch-Site, else the Origin header, must say so."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def csrf_ok(request: Request, form_token: str | None, identity: Identity) -> bool:
    """A state-changing browser request: same-origin, and the form's token equals the session's (never empty)."""
    if not same_origin(request):
        return False
    expected = identity.csrf_token or ""
    given = form_token or ""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
