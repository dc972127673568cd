"""Shared fixtures: the real list data in ../shared/data/screening, skipped when absent (failed under CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor_testkit import shared_path


def shared_file(name: str) -> Path:
    return shared_path("data", "screening", name)


@pytest.fixture(scope="session")
def sdn_path() -> Path:
    return shared_file("sdn-2021-csl-layout.csv")


@pytest.fixture(scope="session")
def csl_paths() -> list[Path]:
    return [shared_file("csl-sample-2025.csv"), shared_file("csl-sample-2019.csv")]
