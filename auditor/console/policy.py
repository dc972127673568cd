"""The one answer to "may this role do this?": a registry of verb-noun actions and the least role each needs.

Every route declares its action (`@requires("record-decision")`); the app refuses to start
when a route does not, so nothing is open by accident. Four-eyes itself (approver is a
reviewer and not the author) is decided in the store, where every path meets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from auditor.store.review import ROLES

ACTIONS: dict[str, str | None] = {
    "sign-in": None,  # the login page and its form: anyone
    "view-queue": "viewer",
    "view-case": "viewer",
    "record-decision": "analyst",
    "comment-case": "analyst",
    "assign-case": "analyst",
    "claim-case": "analyst",
    "snooze-case": "analyst",
    "attach-file": "analyst",
    "approve-decision": "reviewer",
    "download-audit": "admin",
    "export-view": "viewer",
    "sign-out": "viewer",
    "view-allowlist": "viewer",
    "export-allowlist": "viewer",
    "propose-allowlist": "analyst",
    "approve-allowlist": "reviewer",
    "revoke-allowlist": "analyst",  # ending a suppression early only un-silences: one person may
}

F = TypeVar("F", bound=Callable[..., Any])


def allowed(action: str, role: str | None) -> bool:
    need = ACTIONS[action]
    if need is None:
        return True
    return role is not None and ROLES.index(role) >= ROLES.index(need)


def requires(action: str) -> Callable[[F], F]:
    if action not in ACTIONS:
        raise KeyError(f"unknown console action {action!r}")

    def mark(func: F) -> F:
        func.action = action  # type: ignore[attr-defined]
        return func

    return mark


def action_of(endpoint: Any) -> str | None:
    return getattr(endpoint, "action", None)
