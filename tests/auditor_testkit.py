"""Shared test helpers (importable from any test folder): repository paths and the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
# ../shared beside the repository; AUDITOR_SHARED points a worktree elsewhere at it.
SHARED = Path(os.environ.get("AUDITOR_SHARED") or REPO.parent / "shared")


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or a skip saying which one is absent -- a failure under CI.

    CI (env CI=true) runs beside ../shared, so there a missing file is a broken checkout,
    not a reason to pass quietly with the real-data tests unrun.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared data not present: {path} (it lives in ../shared beside the repository; AUDITOR_SHARED overrides)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; under CI it must be present", pytrace=False)
        pytest.skip(message)
    return path


def run_cli(args: list, capsys) -> tuple[int, str, str]:
    """Runs the real `auditor` entry point in-process and returns (exit code, stdout, stderr)."""
    from auditor.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


def case_table(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    """A case table of (case_id, priority, score) rows in rank order, one tenant each: for comparing runs."""
    return pl.DataFrame(
        [
            {
                "case_id": c,
                "rank": i + 1,
                "priority": p,
                "score": s,
                "tenant_ids": [c.lower()],
                "top_reasons": ["r"],
            }
            for i, (c, p, s) in enumerate(rows)
        ],
        schema={
            "case_id": pl.String,
            "rank": pl.UInt32,
            "priority": pl.String,
            "score": pl.Float64,
            "tenant_ids": pl.List(pl.String),
            "top_reasons": pl.List(pl.String),
        },
    )
