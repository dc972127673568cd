"""Shared test helpers: paths to the repository, the bundled example and the shared data."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Runs the real `auditor` entry point in-process and returns (exit code, stdout, stderr)."""
    from auditor.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def cli(capsys):
    def invoke(*args):
        return run_cli(list(args), capsys)

    return invoke


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


__all__ = ["REPO", "EXAMPLES", "SHARED", "run_cli", "assert_no_traceback", "traceback"]
