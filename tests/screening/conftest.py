"""Shared fixtures: the real list data in ../shared/data/screening, skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "screening"


def shared_file(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared screening data not present: {path}")
    return path


@pytest.fixture(scope="session")
def sdn_path() -> Path:
    return shared_file("sdn-2021-csl-layout.csv")


@pytest.fixture(scope="session")
def csl_paths() -> list[Path]:
    return [shared_file("csl-sample-2025.csv"), shared_file("csl-sample-2019.csv")]
