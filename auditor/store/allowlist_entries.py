"""Allowlist entries made in the console: proposed by one person, in force once a second approves (four-eyes).

An entry proposed from a case is the same `AllowlistEntry` as one in allowlist.yaml (the
same model validates it, with the same expiry limit), so the audit applies both alike:
suppression, lifting on a material change, expiry and the expiring-soon notices. Its id
in the audit is `console:N` (N the proposal's number), which no file entry can have (a
file id has no colon), so `suppressed_by` says where an entry came from. Backend-neutral:
the SQLite store's tables are in sqlite_allowlist.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from auditor.allowlist.spec import DEFAULT_MAX_DAYS, MATCHABLE_FIELDS, AllowlistEntry
from auditor.errors import InputError

STORED_PREFIX = "console:"
STATES = ("pending", "approved", "rejected", "revoked")


def stored_id(proposal_id: int) -> str:
    return f"{STORED_PREFIX}{proposal_id}"


def check_entry(fields: dict[str, Any], max_days: int = DEFAULT_MAX_DAYS) -> AllowlistEntry:
    """A proposed entry validated as allowlist.yaml's are; InputError naming the field otherwise."""
    try:
        entry = AllowlistEntry.model_validate({"id": "proposal", **fields})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "entry"
        raise InputError(
            f"allowlist entry: {where}: {first['msg'].removeprefix('Value error, ')}"
        ) from None
    unknown = sorted(set(entry.where) - set(MATCHABLE_FIELDS))
    if unknown:
        raise InputError(
            f"allowlist entry: where: unknown tenant field(s) {', '.join(unknown)}; "
            f"expected one of {', '.join(MATCHABLE_FIELDS)}"
        )
    days = (entry.expires - entry.created).days
    if days > max_days:
        raise InputError(
            f"allowlist entry: expires {days} days after created; the limit is {max_days} "
            "(`allowlist_max_days` in the audit config)"
        )
    return entry


@dataclass(frozen=True)
class StoredEntry:
    """A console entry and where it stands: pending, approved (in force until it expires), rejected or revoked."""

    proposal_id: int
    entry: AllowlistEntry  # its `id` is `console:N`
    case_id: str | None
    proposed_by: str
    proposed_at: datetime
    state: str = "pending"
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    note: str = ""
    revoked_by: str | None = None
    revoked_at: datetime | None = None
    revoke_reason: str = ""

    @property
    def id(self) -> str:
        return self.entry.id

    def in_force(self, today: date) -> bool:
        return self.state == "approved" and not self.entry.expired(today)

    def file_entry(self) -> dict[str, Any]:
        """The entry as allowlist.yaml spells it (id `console-N`), for moving it into the reviewed file."""
        body = self.entry.model_dump(mode="json", exclude_defaults=True)
        body["id"] = f"console-{self.proposal_id}"
        body["created"] = self.entry.created.isoformat()
        body["expires"] = self.entry.expires.isoformat()
        return body

    def record(self) -> dict[str, Any]:
        """Everything about the entry, for the JSON Lines export and the API."""
        return {
            "id": self.id,
            "proposal_id": self.proposal_id,
            "state": self.state,
            "case_id": self.case_id,
            "proposed_by": self.proposed_by,
            "proposed_at": self.proposed_at.isoformat(),
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "note": self.note,
            "revoked_by": self.revoked_by,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoke_reason": self.revoke_reason,
            "entry": self.entry.model_dump(mode="json"),
        }
