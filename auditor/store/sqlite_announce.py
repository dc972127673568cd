"""Work events into the outbox, inside the transaction that recorded the work (store/outbox.py's WorkEvent).

The event carries the case as the store's latest run saw it (band, score, tenant names),
read here rather than taken from the caller, so a notification says what the store says.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from auditor.store import outbox
from auditor.store.outbox import Announce, WorkEvent


def announce_work(
    c: sqlite3.Connection,
    announce: Announce | None,
    kind: str,
    ref: int,
    case_id: str,
    actor: str,
    **details: Any,
) -> None:
    """Builds the event, asks `announce` for its messages and adds them to the outbox (nothing without `announce`)."""
    if announce is None:
        return
    latest = c.execute(
        """SELECT s.priority, s.score, s.record FROM case_snapshots s JOIN runs r ON r.run_id = s.run_id
           WHERE s.case_id = ? ORDER BY r.seq DESC LIMIT 1""",
        (case_id,),
    ).fetchone()
    names: tuple[str, ...] = ()
    if latest is not None:
        tenants = json.loads(latest["record"]).get("tenants") or []
        names = tuple(str(t.get("legal_name")) for t in tenants if t.get("legal_name"))
    at = datetime.now(timezone.utc)
    event = WorkEvent(
        kind=kind,
        ref=ref,
        case_id=case_id,
        actor=actor,
        at=at,
        priority=latest["priority"] if latest else None,
        score=latest["score"] if latest else None,
        names=names,
        **details,
    )
    outbox.insert(c, announce(event), at)
