"""Helpers for the case store tests (a module, not conftest.py, so tests can import them by a unique name)."""

from __future__ import annotations

from pathlib import Path

AS_OF = "2026-11-01T00:00:00Z"


def audit_args(provider: Path, out: Path, store: Path, *extra) -> list[str]:
    """`auditor audit` arguments over a provider folder, recording into `store`."""
    return [
        "audit",
        "--tenants",
        str(provider / "tenants.csv"),
        "--usage",
        str(provider / "usage.csv"),
        "--access",
        str(provider / "access.csv"),
        "--lists",
        str(provider / "lists" / "restricted-parties.csv"),
        "--as-of",
        AS_OF,
        "--out",
        str(out),
        "--store",
        str(store),
        *map(str, extra),
    ]
