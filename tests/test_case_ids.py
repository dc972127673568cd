"""Case ids follow the group's smallest tenant id: what that keeps stable and what it does not.

A newcomer whose id sorts after the anchor leaves the case id alone; one that sorts first
gives the case a new id, and the change report links the two (old resolved, 'tenants now
in case ...'; new, 'tenants were in case ...'). The README and cases/build.py say so.
"""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl

from auditor.cases.build import build_cases, case_id_for
from auditor.cases.changes import classify_changes
from auditor.engine.evaluate import HITS_SCHEMA, UNKNOWNS_SCHEMA
from auditor.features.links import find_links
from auditor.model.schema import TENANTS
from auditor.store import CaseSnapshot

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def run(tenant_ids: list[str]) -> list[CaseSnapshot]:
    """Cases for tenants sharing one card, with a rule hit on tenant 'm'."""
    frame = pl.DataFrame(
        {
            "tenant_id": tenant_ids,
            "legal_name": tenant_ids,
            "payment_fingerprint": ["card-1"] * len(tenant_ids),
        }
    )
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in TENANTS.polars_schema().items()
        if name not in frame.columns
    )
    features = find_links(frame, []).features.with_columns(
        pl.lit(0.0).alias("restricted_gpu_hours_30d"),
        pl.lit(0.0).alias("restricted_gpu_hours_90d"),
        pl.lit(0.0).alias("peak_restricted_gpus"),
        pl.lit([], dtype=pl.List(pl.String)).alias("restricted_models"),
    )
    hits = pl.DataFrame(
        [
            {
                "tenant_id": "m",
                "rule_id": "r1",
                "rule_version": 1,
                "severity": "high",
                "title": "r1",
                "weight": 60.0,
                "evidence": "{}",
            }
        ],
        schema=HITS_SCHEMA,
    )
    cases = build_cases(features, hits, pl.DataFrame(schema=UNKNOWNS_SCHEMA)).cases
    return [
        CaseSnapshot(
            "run", c["case_id"], c["rank"], c["priority"], c["score"], c["tenant_ids"], ["r1"], 0.0
        )
        for c in cases.to_dicts()
    ]


def test_a_new_member_sorting_after_the_anchor_keeps_the_case_id():
    before, after = run(["m", "q"]), run(["m", "q", "z"])
    assert [c.case_id for c in before] == [c.case_id for c in after] == [case_id_for("m")]
    change = classify_changes(before, after, {}, NOW, previous_run_id="r0").cases[case_id_for("m")]
    assert change.status == "unchanged" and change.why == ["tenants joined: z"]


def test_a_new_member_sorting_first_gives_a_new_id_and_the_report_links_the_two():
    before, after = run(["m", "q"]), run(["a", "m", "q"])
    old, new = case_id_for("m"), case_id_for("a")
    assert [c.case_id for c in after] == [new] != [c.case_id for c in before]
    changes = classify_changes(before, after, {}, NOW, previous_run_id="r0")
    assert (
        changes.cases[new].status == "new"
        and f"tenants were in case {old}" in changes.cases[new].why
    )
    assert [(r.case_id, r.why) for r in changes.resolved] == [(old, [f"tenants now in case {new}"])]
