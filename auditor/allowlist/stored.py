"""The audit's allowlist: allowlist.yaml's entries and the console's approved ones, read together.

Entries approved in the console (store/allowlist_entries.py, ids `console:N`) suppress,
lift on a material change and expire exactly as the file's do, because from here on they
are the same `AllowlistEntry` values in the same `Allowlist`. The file keeps its path and
checksum in run.json; the console's entries are counted beside them.
"""

from __future__ import annotations

from typing import Any

from auditor.allowlist.spec import Allowlist
from auditor.store.allowlist_entries import STORED_PREFIX


def with_stored_entries(allowlist: Allowlist | None, store: Any) -> Allowlist | None:
    """`allowlist` (the file's, or None) plus the store's approved console entries; None when neither has any."""
    if store is None:
        return allowlist
    stored = store.allowlist_entries()
    if not stored:
        return allowlist
    if allowlist is None:
        return Allowlist("", "", list(stored))
    return Allowlist(allowlist.path, allowlist.sha256, [*allowlist.entries, *stored])


def console_entry_count(allowlist: Allowlist) -> int:
    return sum(1 for e in allowlist.entries if e.id.startswith(STORED_PREFIX))
