"""A resolved case says whether its tenants left the data: `audit --store` asks the tenants table
only about the last run's case tenants (`_still_present`), both sides tested here."""

from __future__ import annotations

import json
import shutil

import polars as pl

from auditor.cli.audit_cmd import _still_present
from auditor.cli.main import main
from auditor.store import CaseSnapshot
from store_testkit import audit_args


def _summary(case_id: str, tenants: list[str]) -> CaseSnapshot:
    return CaseSnapshot("r1", case_id, 1, "high", 60.0, tenants, ["a"], 10.0)


def test_still_present_keeps_the_earlier_case_tenants_found_in_the_table() -> None:
    tenants = pl.DataFrame({"tenant_id": ["t1", "t3", "t9"]})
    earlier = [_summary("C-1", ["t1", "t2"]), _summary("C-2", ["t3", "t1"])]
    assert _still_present(tenants, earlier) == {"t1", "t3"}
    assert _still_present(tenants, []) == set()
    assert _still_present(tenants.clear(), earlier) == set()


def test_a_case_whose_tenants_left_the_tenants_file_is_resolved_saying_so(
    small_provider, tmp_path
) -> None:
    provider = tmp_path / "provider"
    shutil.copytree(small_provider, provider)
    store = tmp_path / "cases.db"
    assert main(audit_args(provider, tmp_path / "out-1", store)) == 10
    first = [json.loads(line) for line in (tmp_path / "out-1" / "cases.jsonl").open()]
    single = [c for c in first if len(c["tenant_ids"]) == 1]
    gone = single[0]["tenant_ids"][0]
    tenants = pl.read_csv(provider / "tenants.csv", infer_schema=False)
    tenants.filter(pl.col("tenant_id") != gone).write_csv(provider / "tenants.csv")
    main(audit_args(provider, tmp_path / "out-2", store))
    changes = json.loads((tmp_path / "out-2" / "run.json").read_text())["changes"]
    resolved = {r["case_id"]: r for r in changes["resolved"]}
    why = " ".join(resolved[single[0]["case_id"]]["why"])
    assert f"tenants no longer in the data: {gone}" in why
