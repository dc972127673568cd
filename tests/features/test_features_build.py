"""build_features: a tenant with no usage or sign-ins has zero usage, not unknown and not one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl

from auditor.features.build import build_features
from auditor.features.usage import USAGE_ZERO_FILLS
from auditor.model.inputs import InputTables
from auditor.model.schema import ACCESS, TENANTS, USAGE, empty_table

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)


def test_tenants_without_usage_get_zero_usage_features_and_empty_lists():
    tenants = pl.DataFrame({"tenant_id": ["busy", "idle"], "legal_name": ["Busy", "Idle"]})
    tenants = tenants.with_columns(
        pl.lit(None, dtype=d).alias(n)
        for n, d in TENANTS.polars_schema().items()
        if n not in tenants.columns
    ).select(TENANTS.names)
    usage = pl.DataFrame(
        {
            "tenant_id": ["busy"],
            "instance_type": ["p5.48xlarge"],
            "start": [AS_OF - timedelta(hours=2)],
            "end": [AS_OF],
            "region": ["r"],
        }
    )
    usage = usage.with_columns(
        pl.lit(None, dtype=d).alias(n)
        for n, d in USAGE.polars_schema().items()
        if n not in usage.columns
    ).cast(USAGE.polars_schema())
    present = frozenset(
        {
            "tenants.tenant_id",
            "tenants.legal_name",
            "usage.tenant_id",
            "usage.instance_type",
            "usage.start",
            "usage.end",
            "usage.region",
        }
    )
    inputs = InputTables(tenants, usage.lazy(), empty_table(ACCESS).lazy(), present)
    frame = build_features(inputs, AS_OF).frame
    rows = {r["tenant_id"]: r for r in frame.to_dicts()}
    idle, busy = rows["idle"], rows["busy"]
    assert {name: idle[name] for name in USAGE_ZERO_FILLS} == dict.fromkeys(USAGE_ZERO_FILLS, 0.0)
    assert (
        idle["restricted_models"] == []
        and idle["regions_used"] == []
        and idle["providers_used"] == []
    )
    assert (
        idle["signin_count_90d"] == 0.0 and idle["d5_signin_share"] is None
    )  # nothing observed: unknown share
    assert (
        busy["restricted_gpu_hours_90d"] == 16.0
        and busy["peak_restricted_gpus"] == 8.0
        and busy["region_count"] == 1.0
    )
    assert (
        busy["cluster_restricted_gpu_hours_90d"] == 16.0
        and idle["cluster_restricted_gpu_hours_90d"] == 0.0
    )
    assert idle["cluster_unverified_count"] == 1.0  # no KYC status on record counts as unverified
    # no sign-ins, so no network links: a cluster counts none of its members as linked
    assert idle["cluster_network_linked_count"] == 0.0 == busy["cluster_network_linked_count"]
