"""Shared test helpers (importable from any test folder): repository paths and the CLI runner."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"


def run_cli(args: list, capsys) -> tuple[int, str, str]:
    """Runs the real `auditor` entry point in-process and returns (exit code, stdout, stderr)."""
    from auditor.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text, text
