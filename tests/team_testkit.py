"""A case store with one committed run of synthetic cases, built without running an audit.

The console, API and team-store tests (and bench/console_bench.py at 100,000 cases) need
a queue to work, not a realistic provider; committing snapshots directly takes a second.
`names` puts hostile strings into tenants' names so tests can check they stay inert.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from auditor.store import CaseSnapshot, RunRecord, open_store

PRIORITY_OF_RANK = ((0.05, "critical"), (0.2, "high"), (0.5, "medium"), (1.01, "low"))
RULES = (
    "offshore-undisclosed-owners",
    "new-unverified-ramp",
    "restricted-country-signins",
    "shared-payment-card",
)
COUNTRIES = ("US", "DE", "SG", "AE", "HK", "CN")


def case_record(i: int, n: int, run_id: str, name: str | None = None) -> dict:
    priority = next(p for share, p in PRIORITY_OF_RANK if i / n < share)
    score = round(100.0 * (1 - i / n), 3)
    tenant = f"t-{i:06d}"
    rules = [RULES[i % len(RULES)], RULES[(i // 3) % len(RULES)]]
    hits = [
        {
            "rule_id": r,
            "rule_version": 1,
            "tenant_id": tenant,
            "contribution": 10.0,
            "evidence": {
                "restricted_gpu_hours_90d": 1000.0 + i,
                "country": COUNTRIES[i % len(COUNTRIES)],
            },
        }
        for r in sorted(set(rules))
    ]
    return {
        "case_id": f"C-{i:06d}",
        "run_id": run_id,
        "rank": i + 1,
        "priority": priority,
        "score": score,
        "tenant_ids": [tenant],
        "tenants": [
            {
                "tenant_id": tenant,
                "legal_name": name if name is not None else f"Tenant {i} Compute Ltd",
                "country": COUNTRIES[i % len(COUNTRIES)],
                "kyc_status": "verified" if i % 2 else "pending",
                "tenant_score": score,
                "signin_count_90d": 10.0 + i % 7,
                "d5_signin_share": 0.5 if i % 5 == 0 else 0.0,
                "signin_countries": sorted(
                    {COUNTRIES[i % len(COUNTRIES)], "CN"}
                    if i % 5 == 0
                    else {COUNTRIES[i % len(COUNTRIES)]}
                ),
            }
        ],
        "hits": hits,
        "top_reasons": [f"{hits[0]['rule_id']} on {tenant}"],
        "exposure": {
            "restricted_gpu_hours_90d": 1000.0 + i,
            "peak_restricted_gpus": 8,
            "restricted_models": ["H100"],
        },
        "change": {"status": "new", "why": ["first seen"], "suppressed": False},
    }


def team_store(
    path: Path | str,
    n: int = 40,
    names: dict[int, str] | None = None,
    run_id: str = "run-1",
    days_ago: float = 0,
) -> Path | str:
    """A store at `path` (a file or a database URL) holding one run of `n` cases ranked by score (5% critical, 15% high, ...), run `days_ago`."""
    now = datetime.now(timezone.utc) - timedelta(days=days_ago)
    run = RunRecord(
        run_id=run_id,
        started_at=now - timedelta(minutes=5),
        finished_at=now,
        as_of=now,
        complete=True,
        rule_pack_version="test",
        rule_pack_sha256="0" * 64,
        scoring="weighted-v1",
        inputs=[],
        lists=[],
        coverage_gaps=[],
        counts={"cases": n},
        changes={
            "resolved": [
                {
                    "case_id": "C-GONE",
                    "previous_priority": "high",
                    "previous_score": 70.0,
                    "why": ["no rule fires any more"],
                }
            ]
        },
        manifest={"run_id": run_id},
    )
    snaps = [
        CaseSnapshot.from_record(run_id, case_record(i, n, run_id, (names or {}).get(i)))
        for i in range(n)
    ]
    with open_store(path) as st:
        st.commit_run(run, snaps)
    return path
