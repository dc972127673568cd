"""Inputs for the storage tests: the example provider whole, or a small slice of it, and config text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from auditor_testkit import EXAMPLES

PROVIDER = EXAMPLES / "provider"
# What examples/audit.yaml reads, as (setting, file under examples/provider).
EXAMPLE_FILES = [
    ("tenants", "tenants.csv"),
    ("usage", "usage.csv"),
    ("access", "access.csv"),
    ("ownership", "ownership.csv"),
    ("parties", "parties.csv"),
    ("downstream", "downstream.csv"),
    ("list_officers", "list-officers.csv"),
]
LIST_FILE = "lists/restricted-parties.csv"


def small_inputs(folder: Path, tenants: int = 60) -> dict[str, Path]:
    """The first `tenants` tenants of the example with their usage and sign-ins, and the list file."""
    folder.mkdir(parents=True, exist_ok=True)
    t = pl.read_csv(PROVIDER / "tenants.csv", infer_schema=False).head(tenants)
    ids = t["tenant_id"].implode()
    out = {
        "tenants": folder / "tenants.csv",
        "usage": folder / "usage.csv",
        "access": folder / "access.csv",
    }
    t.write_csv(out["tenants"])
    for name in ("usage", "access"):
        frame = pl.read_csv(PROVIDER / f"{name}.csv", infer_schema=False)
        frame.filter(pl.col("tenant_id").is_in(ids)).write_csv(out[name])
    out["lists"] = PROVIDER / LIST_FILE
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def storage_yaml(cloud: str, url: str, extra: str = "", auth: str = "default") -> str:
    """A `storage:` section pointing `cloud` at an emulator over plain http."""
    return f"storage:\n  {cloud}:\n    endpoint: {{url: '{url}', allow_http: true, auth: {auth}}}\n{extra}"
