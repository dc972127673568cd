"""Case records: each case as one self-contained, explainable JSON object.

A record carries what an analyst needs to act without opening the data: who (tenants,
names, countries, KYC), why (each hit with its rule, version, weight, contribution and the
input values that fired it), how much (restricted exposure), what could not be judged
(unknown rules), what links too weak to cluster touch its tenants (weak links), and what
scored it (algorithm, rule pack version).
"""

from __future__ import annotations

from typing import Any

import orjson
import polars as pl

from auditor.gcpause import collector_paused
from auditor.report.ownership import case_ownership

TENANT_SUMMARY = (
    "tenant_id",
    "legal_name",
    "country",
    "hq_country",
    "kyc_status",
    "is_reseller",
    "account_age_days",
    "restricted_gpu_hours_90d",
    "peak_restricted_gpus",
    # Where the tenant signed in from in the last 90 days: the console's sign-in chart, run by run.
    "signin_count_90d",
    "d5_signin_share",
    "signin_countries",
)


def case_records(result, changes=None) -> list[dict[str, Any]]:
    """All cases in review order, as dicts ready for JSON.

    With `changes` (a `cases.changes.Changes`, given or carried by the result) each record
    also says what changed since the last stored run: its `change`. Built with the cyclic
    garbage collector paused (auditor.gcpause): records are trees, and its passes over their
    millions of objects cost as much as building them.
    """
    with collector_paused():
        return _case_records(result, changes)


def _case_records(result, changes=None) -> list[dict[str, Any]]:
    changes = changes if changes is not None else getattr(result, "changes", None)
    cases = result.cases.cases
    if cases.height == 0:
        return []
    hits = result.cases.hits.sort(
        ["case_id", "contribution", "rule_id", "tenant_id"], descending=[False, True, False, False]
    )
    # One conversion for the whole hit table, grouped here: a frame operation per case costs
    # more than the case's own work once there are tens of thousands of cases.
    hits_by_case: dict[str, list[dict[str, Any]]] = {}
    hit_rows = hits.to_dicts()
    # Every hit's evidence (a JSON object per hit) parsed by one call, as one JSON array
    # (orjson: a third of the standard library's time, the same values).
    evidence = orjson.loads("[" + ",".join(hit["evidence"] for hit in hit_rows) + "]")
    for hit, values in zip(hit_rows, evidence, strict=True):
        hit["evidence"] = values
        hits_by_case.setdefault(hit.pop("case_id"), []).append(hit)
    tscores = result.cases.tenant_scores.select("tenant_id", pl.col("score").alias("tenant_score"))
    members = (
        result.features.frame.select(*TENANT_SUMMARY)
        .join(tscores, on="tenant_id", how="left")
        .with_columns(
            pl.col("tenant_score").fill_null(0.0),
            pl.col("account_age_days").round(1),
            pl.col("restricted_gpu_hours_90d").round(1),
            pl.col("d5_signin_share").round(3),
        )
    )
    member_rows = {
        row["tenant_id"]: row
        for row in members.filter(
            pl.col("tenant_id").is_in(cases["tenant_ids"].explode().implode())
        ).to_dicts()
    }
    weak = weak_links_by_tenant(result.features.frame, member_rows)
    records = []
    for case in cases.to_dicts():
        case_hits = hits_by_case.get(case["case_id"], [])
        tenants = sorted(
            (member_rows[t] for t in case["tenant_ids"]),
            key=lambda r: (-r["tenant_score"], r["tenant_id"]),
        )
        records.append(
            {
                "case_id": case["case_id"],
                "rank": case["rank"],
                "priority": case["priority"],
                "score": case["score"],
                "scoring": case["scoring"],
                "rule_pack": result.rule_pack.version,
                "run_id": result.run_id,
                "as_of": result.as_of.isoformat(),
                "primary_tenant": tenants[0]["tenant_id"],
                "tenant_ids": case["tenant_ids"],
                "tenants": tenants,
                "top_reasons": case["top_reasons"],
                "exposure": {
                    "restricted_gpu_hours_30d": case["restricted_gpu_hours_30d"],
                    "restricted_gpu_hours_90d": case["restricted_gpu_hours_90d"],
                    "peak_restricted_gpus": case["peak_restricted_gpus"],
                    "restricted_models": case["restricted_models"],
                },
                "link_reasons": case["link_reasons"],
                "weak_links": [
                    f"{tenant}: {reason}"
                    for tenant in case["tenant_ids"]
                    for reason in weak.get(tenant, [])
                ],
                "hits": case_hits,
                "unknown_rules": case["unknown_rules"],
                "complete": result.complete,
            }
        )
        ownership = case_ownership(result, case["tenant_ids"])
        if ownership:
            records[-1]["ownership"] = ownership
        if changes is not None:
            records[-1]["change"] = changes.record_for(case["case_id"])
        suppressions = getattr(result, "suppressions", None)
        if suppressions is not None:  # an allowlist was given: say which entries silence the case
            records[-1]["suppressed_by"] = suppressions.get(case["case_id"], [])
    return records


WEAK = "weak: "


def weak_links_by_tenant(frame: pl.DataFrame, members: dict[str, Any]) -> dict[str, list[str]]:
    """Each case member's network, launch or creation-burst links too weak to cluster, without
    the `weak: ` mark: shown on the case (issue 21), never joining anybody to it. Empty
    when the features have no network links (a feature table built without them)."""
    if "network_link_reasons" not in frame.columns:
        return {}
    rows = (
        frame.filter(pl.col("tenant_id").is_in(list(members)))
        .select(
            "tenant_id",
            pl.col("network_link_reasons")
            .list.eval(
                pl.element().filter(pl.element().str.starts_with(WEAK)).str.strip_prefix(WEAK)
            )
            .alias("weak"),
        )
        .filter(pl.col("weak").list.len() > 0)
    )
    return {row["tenant_id"]: row["weak"] for row in rows.to_dicts()}
