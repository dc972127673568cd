"""The case store's interface: what a run, a case as seen in a run, and a decision are.

Scheduled audits need memory between runs: which cases the last run saw, and what analysts
decided about them. Every backend (SQLite by default; PostgreSQL for a team) implements
`CaseStore` and is found through `STORES` by URL scheme, so nothing outside `auditor/store/`
knows which database holds the data.
"""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from auditor.errors import InputError
from auditor.redact import redact_url
from auditor.store.outbox import OutboxMessage

PRIORITIES = ("low", "medium", "high", "critical")  # ascending, so an index compares bands
DECISION_STATUSES = ("confirmed", "dismissed", "escalated")
# The alert channel every run has: its printed summary and exit code, delivered to whoever ran it.
ALERT_CHANNEL = "exit"


def band_rank(priority: str) -> int:
    """Position of a priority band, low = 0; comparing ranks says whether a case rose."""
    return PRIORITIES.index(priority)


@dataclass(frozen=True)
class RunRecord:
    """One committed audit: what it read (with checksums), with what rules, and what it found."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    as_of: datetime
    complete: bool
    rule_pack_version: str
    rule_pack_sha256: str
    scoring: str
    inputs: list[dict[str, Any]]
    lists: list[dict[str, Any]]
    coverage_gaps: list[dict[str, Any]]
    counts: dict[str, Any]
    changes: dict[str, Any] | None
    manifest: dict[str, Any]  # the whole run.json, so a run stays explainable after code changes
    committed_at: datetime | None = None  # set by the store

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> RunRecord:
        """A run as its run.json describes it (see `auditor.run.run_manifest`)."""

        def when(key: str) -> datetime:
            value = manifest[key]
            return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

        pack = manifest.get("rule_pack") or {}
        return cls(
            run_id=manifest["run_id"],
            started_at=when("started_at"),
            finished_at=when("finished_at"),
            as_of=when("as_of"),
            complete=bool(manifest.get("complete", True)),
            rule_pack_version=str(pack.get("version", "")),
            rule_pack_sha256=str(pack.get("sha256", "")),
            scoring=str(manifest.get("scoring", "")),
            inputs=list(manifest.get("inputs") or []),
            lists=list(manifest.get("lists") or []),
            coverage_gaps=list(manifest.get("coverage_gaps") or []),
            counts=dict(manifest.get("counts") or {}),
            changes=manifest.get("changes"),
            manifest=manifest,
        )


@dataclass(frozen=True)
class CaseSnapshot:
    """A case as one run saw it; `record` is the full case record written to cases.jsonl."""

    run_id: str
    case_id: str
    rank: int
    priority: str
    score: float
    tenant_ids: list[str]
    rules: list[str]  # distinct rule ids that fired for the case's tenants
    restricted_gpu_hours_90d: float
    record: dict[str, Any] = field(default_factory=dict)
    # `record` as JSON text when the caller has it already (cases.jsonl's line for it): the
    # store writes it instead of serialising the record again. Never compared.
    record_json: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_record(cls, run_id: str, record: dict[str, Any]) -> CaseSnapshot:
        return cls(
            run_id=run_id,
            case_id=record["case_id"],
            rank=int(record["rank"]),
            priority=record["priority"],
            score=float(record["score"]),
            tenant_ids=list(record["tenant_ids"]),
            rules=sorted({hit["rule_id"] for hit in record.get("hits", [])}),
            restricted_gpu_hours_90d=float(
                record.get("exposure", {}).get("restricted_gpu_hours_90d") or 0.0
            ),
            record=record,
        )


@dataclass(frozen=True)
class Decision:
    """An analyst's decision, appended and never edited.

    The case's rules and band at decision time are kept with it, so a later run can tell
    whether a dismissed case got worse than what the analyst saw (and must come back early).
    """

    case_id: str
    status: str  # confirmed | dismissed | escalated
    reason: str
    by: str
    at: datetime
    until: date | None = None
    rules_at_decision: list[str] = field(default_factory=list)
    priority_at_decision: str | None = None
    score_at_decision: float | None = None
    run_id_at_decision: str | None = None
    decision_id: int | None = None  # set by the store
    approved_by: str | None = None  # the reviewer, when four-eyes held it for approval

    def summary(self) -> dict[str, Any]:
        """The `decision` object of a case record's `change`."""
        return {
            "status": self.status,
            "reason": self.reason,
            "by": self.by,
            "at": self.at.isoformat(),
            "until": self.until.isoformat() if self.until else None,
        }


class CaseStore(Protocol):
    """Runs, case snapshots and decisions. Runs commit atomically; decisions only append."""

    location: str

    def lock(self, timeout: float = 0) -> AbstractContextManager[Any]:
        """Exclusive right to commit a run; raises StoreLockedError when another run holds it."""

    def commit_run(
        self,
        run: RunRecord,
        cases: list[CaseSnapshot],
        alerts: list[dict[str, Any]] | None = None,
        alert_priority: str = "high",
        notifications: list[OutboxMessage] | None = None,
        reported_dead: list[tuple[str, str]] | None = None,
        terms_from: str | None = None,
    ) -> None:
        """The run, all its snapshots and (when given) its alerts, `pending`, in one transaction: all or nothing.

        `terms_from` names the stored run whose cases are this run's (a reused answer,
        auditor.reuse): its search words are relabelled as this run's instead of rebuilt.

        Recording alerts settles every earlier pending alert as carried into this run. The
        run's `notifications` enter the outbox in the same transaction, and the dead
        messages (event id, channel) it `reported_dead` are marked reported by it.
        """

    def undelivered_alerts(self, channel: str = ALERT_CHANNEL) -> list[dict[str, Any]]:
        """Alerts of committed runs that were never marked delivered (each with its `run_id`), oldest first."""

    def mark_alerts_delivered(self, run_id: str, channel: str = ALERT_CHANNEL) -> None:
        """Called once the run's summary and exit code have gone out."""

    def alert_state(self, run_id: str, channel: str = ALERT_CHANNEL) -> str | None:
        """pending | delivered | carried, or None when the run recorded no alerts."""

    def enqueue_notifications(
        self, messages: list[OutboxMessage], at: datetime | None = None
    ) -> int:
        """Adds messages to the outbox outside a run; an (event, channel) already there is kept as it is."""

    def notifications(
        self,
        state: str | None = None,
        due_by: datetime | None = None,
        unreported_dead: bool = False,
    ) -> list[OutboxMessage]:
        """Outbox messages, oldest first: by state, due by a time, or dead and not yet reported by a run."""

    def settle_notification(
        self,
        message: OutboxMessage,
        *,
        at: datetime,
        delivered: bool,
        error: str | None = None,
        retry_at: datetime | None = None,
        raised: list[OutboxMessage] | None = None,
    ) -> None:
        """One delivery attempt: delivered, failed with a retry time, or dead (no retry time), plus the events it raised."""

    def screening_results(self, fingerprint: str) -> dict[str, tuple[bytes, bytes]]:
        """kind (name, address) -> Parquet of the texts screened and of their matches (screening/cache.py)."""

    def save_screening_results(
        self,
        fingerprint: str,
        run_id: str,
        parts: dict[str, tuple[int, bytes, bytes]],
        keep: int = 2,
    ) -> None:
        """Replaces the results saved under `fingerprint`; older fingerprints beyond `keep` are dropped."""

    def latest_run(self) -> RunRecord | None: ...

    def runs(self) -> list[RunRecord]:
        """Oldest first."""

    def cases_in_run(self, run_id: str) -> list[CaseSnapshot]:
        """In rank order."""

    def case_summaries_in_run(self, run_id: str) -> list[CaseSnapshot]:
        """In rank order, each without its `record` (empty): what classifying a run against this one reads."""

    def case_history(self, case_id: str) -> list[CaseSnapshot]:
        """Every snapshot of a case, oldest run first."""

    def case_ids(self) -> list[str]:
        """Every case id any run has seen."""

    def latest_rules(self) -> dict[str, list[str]]:
        """Case id -> the rules of its latest snapshot, for every case any run has seen."""

    def add_decision(self, decision: Decision) -> Decision:
        """Appends; returns the decision with its id."""

    def decisions(self, case_id: str | None = None) -> list[Decision]:
        """Oldest first."""

    def latest_decisions(self) -> dict[str, Decision]:
        """Each case's most recent decision: the one that is in force."""

    def close(self) -> None: ...


# URL scheme -> "module:class" of a CaseStore. One spelling per scheme; a plain path is sqlite.
STORES: dict[str, str] = {
    "sqlite": "auditor.store.sqlite:SQLiteStore",
    "postgresql": "auditor.store.postgres:PostgresStore",
    "postgres": "auditor.store.postgres:PostgresStore",  # libpq's own short spelling, not an alias of ours
}


def open_store(path_or_url: str | Path) -> CaseStore:
    """Opens (creating or migrating if needed) the store a path or URL names.

    A plain path is a SQLite file; so is `sqlite:///relative.db` or `sqlite:////abs/cases.db`
    (SQLAlchemy's spelling). Other schemes name backends registered in STORES.
    """
    text = str(path_or_url)
    shown = redact_url(text)  # a database URL may carry user:password@
    scheme, sep, rest = text.partition("://")
    if not sep:
        head = text.split("/", 1)[0]
        if len(head) > 2 and head.endswith(":"):
            # pathlib turns "sqlite:///x.db" into "sqlite:/x.db": relative and absolute can no longer be told apart.
            raise InputError(
                f"case store {shown!r} looks like a URL that lost its slashes (a Path collapses '//'); give a file path"
            )
        scheme, rest = "sqlite", text
    elif scheme == "sqlite":
        rest = rest[1:]  # sqlite:///x.db -> x.db, sqlite:////abs/x.db -> /abs/x.db
    target = STORES.get(scheme)
    if target is None:
        raise InputError(
            f"unknown case store scheme '{scheme}' in {shown!r}; expected one of {', '.join(sorted(STORES))} or a file path"
        )
    module_name, attr = target.split(":")
    if module_name == "auditor.store.postgres":
        rest = text  # libpq reads the whole URL
    return getattr(importlib.import_module(module_name), attr)(rest)
