"""Which cases the people-facing reports show: what an analyst reads in a sitting.

cases.jsonl, the CSV and Parquet tables keep every case; report.html and report.md show
the top of the queue (`report_cases`, 500 by default), every critical case, and -- when
the run was compared with an earlier one -- every case it alerts on (those below the top
as one line each), then say how many cases are left out and in which files they are. Records arrive in review order, and a
critical case outranks every other band, so the shown cases are always a prefix of the
queue plus the alerting cases below it.

Within a detailed case the same holds: a farm case can gather thousands of tenants and ten
thousand hits (one at 1M tenants had 3,132 and 10,702), which nobody reads as table rows and
which made that one case most of both reports' bytes and time. A case shows its first
`CASE_TENANTS_SHOWN` tenants (highest tenant score first) and `CASE_HITS_SHOWN` hits
(strongest first), then says how many more there are, of which rules, and that its record in
cases.jsonl holds every one (`case_overflow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_REPORT_CASES = 500
FULL_QUEUE_FILES = ("cases.jsonl", "cases.csv", "cases.parquet")
CASE_TENANTS_SHOWN = 25
CASE_HITS_SHOWN = 50


@dataclass(frozen=True)
class ReportQueue:
    """The cases a report shows, and how many it leaves to the machine-readable files.

    `top` get full queue rows and evidence; `beyond` (critical or alerting cases below the
    top) get one compact line each, so a run with many thousands of critical cases still
    gives a page a browser lays out in a moment.
    """

    top: list[dict[str, Any]]  # the first `limit` cases, in review order
    beyond: list[dict[str, Any]]  # critical or alerting cases below them, in review order
    total: int  # cases in the run
    limit: int  # the `report_cases` setting

    @property
    def omitted(self) -> int:
        return self.total - len(self.top) - len(self.beyond)

    def omitted_note(self) -> str:
        """Plain text: how many cases the report leaves out and where every case is."""
        if not self.omitted:
            return ""
        files = ", ".join(FULL_QUEUE_FILES)
        return (
            f"Showing {len(self.top) + len(self.beyond):,} of {self.total:,} cases (the top {self.limit:,} of the queue, every "
            f"critical case and every alert). The other {self.omitted:,} cases are in {files} in this folder, which hold all "
            f"{self.total:,} in review order."
        )


def report_queue(
    records: list[dict[str, Any]],
    limit: int = DEFAULT_REPORT_CASES,
    always: frozenset[str] = frozenset(),
) -> ReportQueue:
    """The top `limit` records, then every critical one and every one whose case id is in `always`."""
    beyond = [r for r in records[limit:] if r["priority"] == "critical" or r["case_id"] in always]
    return ReportQueue(records[:limit], beyond, len(records), limit)


def report_queue_for(records: list[dict[str, Any]], result: Any) -> ReportQueue:
    """The run's report queue: its `report_cases` setting and, against a previous run, its alerts."""
    config = getattr(result, "config", None)
    limit = getattr(config, "report_cases", DEFAULT_REPORT_CASES)
    changes = getattr(result, "changes", None)
    always: frozenset[str] = frozenset()
    if changes is not None and changes.previous_run_id is not None:
        # On a first run every case is new; the alerts only narrow the queue once there is a past.
        always = frozenset(
            c.case_id for c in changes.alerts(getattr(config, "alert_priority", "high"))
        )
    return report_queue(records, limit, always)


@dataclass(frozen=True)
class CaseOverflow:
    """What a detailed case shows of its tenants and hits, and what it leaves to cases.jsonl."""

    tenants: list[dict[str, Any]]  # the shown ones, in the record's order
    hits: list[dict[str, Any]]
    more_tenants: int
    more_hits: int
    more_hits_by_rule: list[tuple[str, int]]  # rule id and hidden hits, most first

    def note(self) -> str:
        """Plain text, empty when the case shows everything."""
        if not self.more_tenants and not self.more_hits:
            return ""
        parts = []
        if self.more_tenants:
            parts.append(_counted(self.more_tenants, "more tenant"))
        if self.more_hits:
            rules = ", ".join(f"{rule} {count:,}" for rule, count in self.more_hits_by_rule)
            parts.append(f"{_counted(self.more_hits, 'more hit')} ({rules})")
        return (
            f"This case has {' and '.join(parts)} than shown here; its record in cases.jsonl "
            "holds every one."
        )


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def case_overflow(
    record: dict[str, Any],
    tenants_shown: int = CASE_TENANTS_SHOWN,
    hits_shown: int = CASE_HITS_SHOWN,
) -> CaseOverflow:
    """The first `tenants_shown` tenants and `hits_shown` hits of `record`, and the count of the rest."""
    tenants, hits = record["tenants"], record["hits"]
    hidden: dict[str, int] = {}
    for hit in hits[hits_shown:]:
        hidden[hit["rule_id"]] = hidden.get(hit["rule_id"], 0) + 1
    return CaseOverflow(
        tenants[:tenants_shown],
        hits[:hits_shown],
        max(len(tenants) - tenants_shown, 0),
        max(len(hits) - hits_shown, 0),
        sorted(hidden.items(), key=lambda item: (-item[1], item[0])),
    )
