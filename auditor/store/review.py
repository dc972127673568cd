"""Roles and the four-eyes rule: who may decide, which decisions wait for a second person, who may approve.

Pure functions over plain values, so the store applies them inside the transaction that
records the decision; the console, the API, bulk actions and `auditor cases decide` all
reach them through the store's one `record_decision` (there is no other way to write a
decision), so no path can skip them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditor.errors import InputError

ROLES = ("viewer", "analyst", "reviewer", "admin")  # ascending rights
# By default, dismissing a high or critical case needs a second person's approval.
DEFAULT_FOUR_EYES: dict[str, list[str]] = {"dismissed": ["high", "critical"]}
FOUR_EYES_SETTING = "four_eyes"


class ReviewRefused(InputError):
    """The actor may not do this (role too low, self-approval, nothing to approve). The API answers 403."""


@dataclass(frozen=True)
class Actor:
    """Who acts. `role` None: an operator of a store that has no accounts (the CLI before a team exists)."""

    name: str
    role: str | None

    def at_least(self, role: str) -> bool:
        return self.role is None or ROLES.index(self.role) >= ROLES.index(role)


def parse_four_eyes(text: str | None) -> dict[str, list[str]]:
    """The stored four-eyes setting: decision status -> priority bands whose decisions need review."""
    if text is None:
        return {k: list(v) for k, v in DEFAULT_FOUR_EYES.items()}
    value = json.loads(text)
    return {str(k): [str(b) for b in v] for k, v in value.items()}


def four_eyes_setting(rules: Mapping[str, Iterable[str]]) -> str:
    """A setting as the store keeps it; unknown statuses or bands are refused."""
    from auditor.store.base import DECISION_STATUSES, PRIORITIES

    for status, bands in rules.items():
        if status not in DECISION_STATUSES:
            raise InputError(
                f"four-eyes: unknown decision status {status!r}; expected one of {', '.join(DECISION_STATUSES)}"
            )
        for band in bands:
            if band not in PRIORITIES:
                raise InputError(
                    f"four-eyes: unknown priority {band!r}; expected one of {', '.join(PRIORITIES)}"
                )
    return json.dumps({k: sorted(set(v)) for k, v in rules.items()}, sort_keys=True)


def needs_review(
    status: str, priority: str | None, rules: dict[str, list[str]], team: bool
) -> bool:
    """Whether a decision waits for a reviewer. A store without accounts has nobody to ask."""
    return team and priority is not None and priority in rules.get(status, [])


def check_may_decide(actor: Actor) -> None:
    if not actor.at_least("analyst"):
        raise ReviewRefused(f"{actor.name} ({actor.role}) may not record decisions")


def check_may_approve(actor: Actor, proposed_by: str, what: str = "decision") -> None:
    """The approver has the reviewer role (or admin) and is not the author: self-approval is refused.

    The same rule for decisions and for allowlist entries made in the console (`what`).
    """
    if actor.name == proposed_by:
        raise ReviewRefused(
            f"{actor.name} proposed this {what} and may not approve it: four-eyes needs a second person"
        )
    if actor.role is None or not actor.at_least("reviewer"):
        raise ReviewRefused(
            f"{actor.name} ({actor.role or 'no account'}) may not approve a {what}: the reviewer role is needed"
        )
