"""Whether this run may take the last stored run's answer, and whether its own answer may be kept.

Reuse is decided against the store's latest committed run only: its run.json `reuse` says
which fingerprint its answer had and which bundle holds it. Any difference in any part of the
fingerprint, a bundle that is gone or fails its check, or a run the user asked to compute
(`--no-reuse`) means the run computes its answer, and run.json says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.model.badrows import FUTURE
from auditor.reuse.bundle import Bundle, BundleError, read_bundle
from auditor.reuse.fingerprint import Fingerprint


@dataclass(frozen=True)
class Reuse:
    """run.json `reuse`: how this run got its answer, and where that answer is kept for the next run."""

    fingerprint: Fingerprint | None
    reason: str  # why the answer was computed, or that it was reused
    reused_from: str | None = None  # the run whose answer this is, when reused
    bundle_run: str | None = (
        None  # the run whose folder holds the bundle (this run's, once written)
    )
    bundle: str | None = None  # that bundle's bundle.json sha256, as the store records it
    records: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    # The bundle's records as the JSON lines it keeps them in, and the run id they carry.
    lines: list[bytes] | None = field(default=None, repr=False, compare=False)
    lines_run_id: str | None = field(default=None, repr=False, compare=False)
    ownership: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # The bundle's kept output files (bundle.KEPT_OUTPUTS): linked in or built on by the reports.
    outputs: dict[str, Path] = field(default_factory=dict, repr=False, compare=False)

    def manifest(self) -> dict[str, Any]:
        return {
            "reused_from": self.reused_from,
            "reason": self.reason,
            "fingerprint": self.fingerprint.digest if self.fingerprint else None,
            "parts": self.fingerprint.parts if self.fingerprint else None,
            "bundle_run": self.bundle_run,
            "bundle": self.bundle,
        }


def bundle_root(config: Any) -> Path | None:
    """Where bundles are kept: `reuse_cache`, else beside a SQLite store file; None for a PostgreSQL store without one."""
    if config.reuse_cache is not None:
        return Path(config.reuse_cache)
    if isinstance(config.store, Path):
        return config.store.with_name(config.store.name + ".reuse")
    return None


def reuse_blocker(config: Any, store: Any) -> str | None:
    """Why this run (of `config`, with the open `store` or None) can neither reuse nor be reused; None when it can."""
    if not config.reuse:
        return "reuse is turned off (--no-reuse or `reuse: false`): the answer was computed"
    if store is None:
        return "no case store: there is no earlier run to reuse"
    if config.engine.name != "polars":
        return f"the {config.engine.name} engine reads tables that have no file checksum here"
    if config.snapshot is None and (config.tenants is None or config.usage is None):
        return "only a run over files or a snapshot folder is reused, not a live collection"
    if bundle_root(config) is None:
        return "a PostgreSQL store keeps no files: set `reuse_cache:` to a folder to reuse answers"
    return None


def find_bundle(config: Any, store: Any, fingerprint: Fingerprint) -> tuple[Bundle | None, str]:
    """The latest stored run's bundle when its fingerprint is this run's, else None and the reason."""
    previous = store.latest_run()
    if previous is None:
        return None, "no earlier run in the store"
    earlier = previous.manifest.get("reuse") or {}
    if not earlier.get("bundle"):
        why = earlier.get("reason") or "it predates reuse"
        return None, f"the last run ({previous.run_id}) left no answer to reuse: {why}"
    if earlier.get("fingerprint") != fingerprint.digest:
        changed = fingerprint.changed_parts(earlier.get("parts") or {})
        return None, f"changed since the last run ({previous.run_id}): {', '.join(changed)}"
    root = bundle_root(config)
    assert root is not None  # reuse_blocker said so
    try:
        bundle = read_bundle(root / str(earlier["bundle_run"]), str(earlier["bundle"]))
    except BundleError as exc:
        return None, f"the last run's ({previous.run_id}) answer cannot be reused: {exc}"
    if bundle.fingerprint != fingerprint.digest:
        return None, f"the last run's ({previous.run_id}) bundle holds another answer"
    return bundle, f"nothing changed since run {bundle.run_id}: its answer was reused"


def keep_blocker(result: Any) -> str | None:
    """Why this computed answer may not stand for a later run; None when it may."""
    future = [e for e in result.inputs.exclusions if e.reason == FUTURE]
    if future:
        return "rows dated in the future of the clock were set aside; a later run may keep them"
    if result.config.as_of is None and result.inputs.latest_event is None:
        return "the as-of time is the clock (no event in the data), so a later run differs"
    return None
