"""Collection progress per scope: which accounts, projects, subscriptions and regions were read, and which were not.

A connector plans each scope before reading it and marks it done afterwards; a coverage gap
marks the exact scope it names. `ScopeTally` keeps that record (thread-safe, no display) and
becomes the manifest's `coverage` and the one-line summary printed when stderr is not a
terminal; `RichProgress` also draws it live on a terminal, one line per top scope (an
account with its regions, a project, a subscription). A scope id is hierarchical
(`111111111111/us-east-1`): its first part names the top scope it belongs to.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

READ, PARTIAL, FAILED, PENDING = "read", "partial", "failed", "pending"


class Progress(Protocol):
    """What a connector tells about its scopes while it reads them."""

    def plan(self, kind: str, scope: str) -> None: ...
    def done(self, kind: str, scope: str) -> None: ...
    def failed(self, kind: str, scope: str, operation: str) -> None: ...


@dataclass
class _Scope:
    kind: str
    finished: bool = False
    failures: list[str] = field(default_factory=list)  # operations that left a gap

    @property
    def status(self) -> str:
        if self.failures:
            return PARTIAL if self.finished else FAILED
        return READ if self.finished else PENDING


def top_scope(scope: str) -> str:
    """`111/us-east-1/cloudtrail` -> `111`: the account, project or subscription a scope lies in."""
    return scope.split("/", 1)[0]


class ScopeTally:
    """Every planned scope and what became of it; what the manifest and the summary line say."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self._scopes: dict[str, _Scope] = {}
        self._lock = threading.Lock()

    def _get(self, kind: str, scope: str) -> _Scope:
        return self._scopes.setdefault(scope, _Scope(kind))

    def plan(self, kind: str, scope: str) -> None:
        with self._lock:
            self._get(kind, scope)

    def done(self, kind: str, scope: str) -> None:
        with self._lock:
            self._get(kind, scope).finished = True

    def failed(self, kind: str, scope: str, operation: str) -> None:
        with self._lock:
            self._get(kind, scope).failures.append(operation)

    def pending(self) -> list[tuple[str, str]]:
        """(kind, scope) of every planned scope that neither finished nor failed: a connector bug, never complete."""
        with self._lock:
            return [(r.kind, s) for s, r in sorted(self._scopes.items()) if r.status == PENDING]

    def coverage(self) -> dict[str, Any]:
        """Per kind of scope: how many were planned, read whole, read in part, failed or never finished; and which were not whole."""
        with self._lock:
            items = sorted(self._scopes.items())
        out: dict[str, Any] = {}
        for scope, record in items:
            entry = out.setdefault(
                record.kind,
                {"planned": 0, READ: 0, PARTIAL: 0, FAILED: 0, PENDING: 0, "not_whole": []},
            )
            entry["planned"] += 1
            entry[record.status] += 1
            if record.status != READ:
                entry["not_whole"].append(
                    {"scope": scope, "status": record.status, "operations": record.failures}
                )
        return out

    def summary(self) -> str:
        return summary_line(self.provider, self.coverage())

    def close(self) -> None:
        pass


def summary_line(provider: str, coverage: dict[str, Any]) -> str:
    """One line from a manifest's `coverage`: counts per kind, then the first scopes not read whole, each named."""
    parts = []
    for kind, entry in coverage.items():
        text = f"{entry[READ]}/{entry['planned']} {kind}(s) read"
        extra = [f"{entry[s]} {s}" for s in (PARTIAL, FAILED, PENDING) if entry[s]]
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    line = f"{provider}: " + ("; ".join(parts) if parts else "no scopes")
    missing = [n["scope"] for e in coverage.values() for n in e["not_whole"]]
    if missing:
        shown = ", ".join(missing[:5]) + (f", +{len(missing) - 5} more" if len(missing) > 5 else "")
        line += f"; not whole: {shown}"
    return line


class RichProgress(ScopeTally):
    """The tally drawn live on stderr: a line per kind, and a line per top scope while it is read or if it has gaps.

    A finished top scope without gaps is hidden, so a thousand accounts do not fill the
    screen; one with a gap stays, naming the scope and the operation that failed.
    """

    def __init__(self, provider: str, console: Any = None) -> None:
        super().__init__(provider)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as _Bar, TextColumn

        self._bar = _Bar(
            TextColumn(f"{provider} {{task.description}}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._kinds: dict[str, Any] = {}
        self._tops: dict[str, tuple[Any, str]] = {}  # top scope -> (task, its kind)
        self._gaps: dict[Any, int] = {}  # task -> gaps in its top scope
        self._draw = threading.Lock()
        self._bar.start()

    def _task(self, kind: str, scope: str, grow: int) -> None:
        top = top_scope(scope)
        if kind not in self._kinds:
            self._kinds[kind] = self._bar.add_task(f"{kind}s", total=0)
        self._bar.update(
            self._kinds[kind], total=(self._bar.tasks[self._kinds[kind]].total or 0) + grow
        )
        if top not in self._tops:
            self._tops[top] = (self._bar.add_task(f"  {kind} {top}", total=0), kind)
        task = self._tops[top][0]
        self._bar.update(task, total=(self._bar.tasks[task].total or 0) + grow, visible=True)

    def plan(self, kind: str, scope: str) -> None:
        super().plan(kind, scope)
        with self._draw:
            self._task(kind, scope, 1)

    def done(self, kind: str, scope: str) -> None:
        super().done(kind, scope)
        with self._draw:
            if kind in self._kinds:
                self._bar.advance(self._kinds[kind])
            entry = self._tops.get(top_scope(scope))
            if entry is None:
                return
            task = entry[0]
            self._bar.advance(task)
            state = self._bar.tasks[task]
            if state.finished and task not in self._gaps:
                self._bar.update(task, visible=False)

    def failed(self, kind: str, scope: str, operation: str) -> None:
        super().failed(kind, scope, operation)
        with self._draw:
            entry = self._tops.get(top_scope(scope))
            if entry is None:
                entry = (self._bar.add_task(f"  {kind} {top_scope(scope)}", total=0), kind)
                self._tops[top_scope(scope)] = entry
            task, top_kind = entry
            self._gaps[task] = self._gaps.get(task, 0) + 1
            more = f" (+{self._gaps[task] - 1} more)" if self._gaps[task] > 1 else ""
            self._bar.update(
                task,
                description=f"  {top_kind} {top_scope(scope)} [red]gap: {scope} {operation}{more}[/red]",
                visible=True,
            )

    def close(self) -> None:
        self._bar.stop()


def shows_progress(progress: bool | None) -> bool:
    """A live display when asked, or by default only when stderr is a terminal."""
    return sys.stderr.isatty() if progress is None else progress


def make_progress(provider: str, progress: bool | None) -> ScopeTally:
    """The live display or, off a terminal, the tally alone."""
    return RichProgress(provider) if shows_progress(progress) else ScopeTally(provider)
