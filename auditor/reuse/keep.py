"""Keeping a computed answer for the next run, and letting go of answers no run can reuse.

`keep_answer` runs after the reports are staged (the answer-only ones go in the bundle too)
and before the store's commit, so the bundle exists before any run.json names it; a run that
dies between the two leaves a bundle no stored run names, which the next committed run removes
(`forget_other_answers`). Failing to write a bundle never fails the run: the answer is simply
not reusable, and run.json says why.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from auditor.reuse.bundle import KEPT_OUTPUTS, prune_bundles, write_bundle
from auditor.reuse.decide import bundle_root, keep_blocker

log = logging.getLogger("auditor.reuse")


def keep_answer(result: Any, records: list[dict[str, Any]], staged: Any = None) -> Any:
    """`result` with its `reuse` naming the bundle its answer is now in (or why it is not kept).

    `staged` is the run's staged output folder: its KEPT_OUTPUTS go into the bundle too.
    """
    reuse = result.reuse
    if reuse is None or reuse.fingerprint is None or reuse.reused_from is not None:
        return result  # nothing to fingerprint by, or the answer is already in a bundle
    why_not = keep_blocker(result)
    if why_not is None:
        root = bundle_root(result.config)
        assert root is not None  # a fingerprint is only taken when there is a bundle root
        try:
            sha = write_bundle(
                root / result.run_id, result, records, reuse.fingerprint, _staged_outputs(staged)
            )
        except OSError as exc:
            why_not = f"its answer could not be kept for the next run ({exc.strerror or exc})"
            log.warning(
                "run=%s stage=reuse.keep event=failed error=%s", result.run_id, type(exc).__name__
            )
        else:
            return dataclasses.replace(
                result, reuse=dataclasses.replace(reuse, bundle_run=result.run_id, bundle=sha)
            )
    reason = f"{reuse.reason}; {why_not}"
    return dataclasses.replace(result, reuse=dataclasses.replace(reuse, reason=reason))


def _staged_outputs(staged: Any) -> dict[str, Path]:
    folder = getattr(staged, "path", None)
    if not isinstance(folder, Path):
        return {}
    return {name: folder / name for name in KEPT_OUTPUTS if (folder / name).is_file()}


def forget_other_answers(result: Any) -> None:
    """After the commit: every bundle but the one this run's run.json names is removed.

    Also after a run with reuse turned off: the earlier bundles can no longer stand for a later
    run (only the latest committed run's answer is reused), and a user who turned reuse off may
    not want copies of the answer kept beside the store.
    """
    reuse = result.reuse
    if reuse is None:
        return
    root = bundle_root(result.config)
    if root is not None:
        prune_bundles(root, reuse.bundle_run)
