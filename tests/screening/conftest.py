"""Shared fixtures: the real list data in ../shared/data/screening, skipped when absent.

`AUDITOR_SHARED` points elsewhere (a git worktree's ../shared is not the project's);
under CI (`CI=true`) missing data fails instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("AUDITOR_SHARED") or REPO.parent / "shared") / "data" / "screening"


def shared_file(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared screening data missing under CI: {path}")
        pytest.skip(f"shared screening data not present: {path}")
    return path


@pytest.fixture(scope="session")
def sdn_path() -> Path:
    return shared_file("sdn-2021-csl-layout.csv")


@pytest.fixture(scope="session")
def csl_paths() -> list[Path]:
    return [shared_file("csl-sample-2025.csv"), shared_file("csl-sample-2019.csv")]
