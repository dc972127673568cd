"""Console allowlist entries as files: allowlist.yaml's own format (approved only) and JSON Lines (everything).

One rendering for the console's `/allowlist.yaml` and `/allowlist.jsonl` and for
`auditor allowlist entries`, so an operator without the console gets the same bytes. The
YAML holds only approved entries, ids `console-N` and the approver in a comment, to be
moved into the reviewed file; a pending entry never leaves as file text, since that would
skip its second person's approval.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import yaml

from auditor.store.allowlist_entries import StoredEntry

# Where an entry stands today: the state, with an approved entry split by its expiry.
STANDINGS = ("pending", "in-force", "expired", "rejected", "revoked")


def standing(entry: StoredEntry, today: date) -> str:
    if entry.state == "approved":
        return "in-force" if entry.in_force(today) else "expired"
    return entry.state


def as_jsonl(entries: Iterable[StoredEntry]) -> str:
    return "".join(
        json.dumps(s.record(), ensure_ascii=False, sort_keys=True) + "\n" for s in entries
    )


def as_yaml(entries: Iterable[StoredEntry]) -> str:
    """The approved entries among `entries`, as allowlist.yaml spells them."""
    approved = [s for s in entries if s.state == "approved"]
    head = "".join(
        f"# console-{s.proposal_id}: proposed by {s.proposed_by}, approved by {s.reviewed_by} "
        f"on {s.reviewed_at.date().isoformat() if s.reviewed_at else '?'}\n"
        for s in approved
    )
    return (
        "# Allowlist entries approved in the auditor console (four-eyes).\n"
        + head
        + yaml.safe_dump(
            {"entries": [s.file_entry() for s in approved]}, sort_keys=False, allow_unicode=True
        )
    )
