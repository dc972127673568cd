"""Fixtures shared by every test folder; plain helpers live in auditor_testkit.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from auditor_testkit import run_cli  # noqa: E402


@pytest.fixture
def cli(capsys):
    """Calls the `auditor` CLI in-process: cli("audit", "--config", path) -> (code, stdout, stderr)."""

    def invoke(*args):
        return run_cli(list(args), capsys)

    return invoke
