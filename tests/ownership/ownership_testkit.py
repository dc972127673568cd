"""Small ownership worlds for tests: tenants, parties and stakes written as the files a user gives."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from auditor.model.schema import TENANTS
from auditor.ownership.assess import OwnershipAssessment, assess
from auditor.ownership.inputs import load_ownership
from auditor.ownership.regimes import Regime, Period
from auditor.ownership.seeds import SEED_SCHEMA

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
TEST_REGIME = Regime(
    id="test-50",
    title="Test 50% rule",
    lists=["SDN"],
    in_force=[Period(start=datetime(2000, 1, 1).date())],
)


def tenants_frame(ids: list[str], **columns: list) -> pl.DataFrame:
    data = {"tenant_id": ids, "legal_name": [f"Tenant {i}" for i in ids], **columns}
    frame = pl.DataFrame(data)
    for c in TENANTS.columns:
        if c.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=c.dtype).alias(c.name))
    return frame.select(TENANTS.names).cast(TENANTS.polars_schema())


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def listed(*node_ids: str, score: float = 1.0, code: str = "SDN") -> pl.DataFrame:
    """Seed matches as the screening would give them: each node matched to an entry of the list `code`."""
    return pl.DataFrame(
        [(n, n, f"E-{n}", f"Entry {n}", n, code, "", score, "{}") for n in node_ids],
        schema=SEED_SCHEMA,
        orient="row",
    )


def world(
    tmp_path: Path,
    tenants: list[str],
    parties: list[str],
    stakes: list[str],
    seeds: pl.DataFrame,
    regime: Regime = TEST_REGIME,
    as_of: datetime = AS_OF,
    tenant_columns: dict | None = None,
) -> OwnershipAssessment:
    """stakes: CSV rows `owner_id,owned_id,share,share_min,share_max,interest,start_date,end_date,source,source_ref`."""
    parties_file = write_csv(
        tmp_path / "parties.csv", "party_id,name,kind", [f"{p},Party {p},entity" for p in parties]
    )
    stakes_file = write_csv(
        tmp_path / "ownership.csv",
        "owner_id,owned_id,share,share_min,share_max,interest,start_date,end_date,source,source_ref",
        stakes,
    )
    data = load_ownership(
        tenants_frame(tenants, **(tenant_columns or {})), stakes_file, parties_file
    )
    return assess(data, seeds, [regime], as_of, certain_score=0.93, minority_share=25.0)


def verdict(result: OwnershipAssessment, node: str) -> str:
    a = result.regimes[0]
    idx = a.graph.nodes["node_id"].to_list().index(node)
    return str(a.verdicts()[idx])
