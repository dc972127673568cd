"""Feature computations on small tables where the right answer can be worked out by hand."""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl

from auditor.features.links import find_links
from auditor.features.usage import usage_features
from auditor.model.schema import TENANTS, USAGE

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)


def ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def usage(rows: list[tuple]) -> pl.DataFrame:
    data = [dict(zip(("tenant_id", "instance_type", "start", "end", "region"), r)) for r in rows]
    frame = pl.DataFrame([{**d, "start": ts(d["start"]), "end": ts(d["end"])} for d in data])
    return frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in USAGE.polars_schema().items()
        if name not in frame.columns
    ).cast(USAGE.polars_schema())


def test_gpu_hours_are_clipped_to_windows_and_running_instances_count_to_as_of():
    frame = usage(
        [
            (
                "a",
                "p5.48xlarge",
                "2026-10-31 00:00:00",
                "2026-10-31 10:00:00",
                "us-east-1",
            ),  # 10 h x 8 H100
            ("a", "p5.48xlarge", "2026-10-31 20:00:00", None, "us-west-2"),  # running: 4 h x 8
            (
                "a",
                "g4dn.xlarge",
                "2026-10-30 00:00:00",
                "2026-10-31 00:00:00",
                "us-east-1",
            ),  # T4: not restricted
            (
                "a",
                "p4d.24xlarge",
                "2026-07-01 00:00:00",
                "2026-09-01 00:00:00",
                "eu-west-1",
            ),  # ends before 30 d window
            (
                "b",
                "p7.48xlarge",
                "2026-10-31 00:00:00",
                "2026-10-31 05:00:00",
                "us-east-1",
            ),  # unknown GPU type
        ]
    )
    features = {r["tenant_id"]: r for r in usage_features(frame, AS_OF).features.to_dicts()}
    a = features["a"]
    assert a["restricted_gpu_hours_30d"] == 14 * 8
    assert (
        a["restricted_gpu_hours_90d"] == 14 * 8 + 29 * 24 * 8
    )  # p4d clipped at the 90-day window start (Aug 3 to Sep 1)
    assert a["gpu_hours_90d"] == a["restricted_gpu_hours_90d"] + 24
    assert a["peak_restricted_gpus"] == 8  # the two p5 runs never overlap
    assert a["restricted_models"] == ["A100-40GB", "H100-80GB"]
    assert a["regions_used"] == ["eu-west-1", "us-east-1", "us-west-2"]
    b = features["b"]
    assert b["restricted_gpu_hours_90d"] == 0 and b["unknown_gpu_hours_90d"] == 5


def test_peak_concurrency_sums_overlapping_runs_but_not_back_to_back_ones():
    frame = usage(
        [
            ("a", "p5.48xlarge", "2026-10-01 00:00:00", "2026-10-02 00:00:00", "r"),
            ("a", "p5.48xlarge", "2026-10-01 12:00:00", "2026-10-03 00:00:00", "r"),
            ("a", "p5.48xlarge", "2026-10-01 18:00:00", "2026-10-01 20:00:00", "r"),
            (
                "a",
                "p5.48xlarge",
                "2026-10-03 00:00:00",
                "2026-10-04 00:00:00",
                "r",
            ),  # starts as the second ends
        ]
    )
    features = usage_features(frame, AS_OF).features.to_dicts()[0]
    assert features["peak_restricted_gpus"] == 24


def tenants(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in TENANTS.polars_schema().items()
        if name not in frame.columns
    )


def test_links_follow_shared_values_transitively_but_not_freemail():
    frame = tenants(
        [
            {
                "tenant_id": "a",
                "legal_name": "A",
                "payment_fingerprint": "card-1",
                "email_domain": "gmail.com",
            },
            {
                "tenant_id": "b",
                "legal_name": "B",
                "payment_fingerprint": "card-1",
                "phone": "+86 10 1234 5678",
            },
            {"tenant_id": "c", "legal_name": "C", "phone": "+86-10-1234-5678"},
            {"tenant_id": "d", "legal_name": "D", "email_domain": "gmail.com"},
        ]
    )
    links = {r["tenant_id"]: r for r in find_links(frame, ["gmail.com"]).features.to_dicts()}
    assert links["a"]["cluster_id"] == links["b"]["cluster_id"] == links["c"]["cluster_id"] == "a"
    assert links["a"]["cluster_size"] == 3
    assert links["b"]["linked_tenant_ids"] == ["a", "c"]
    assert links["b"]["link_reasons"] == ["payment_fingerprint", "phone"]
    assert links["d"]["cluster_size"] == 1 and links["d"]["linked_tenant_ids"] == []


def test_values_shared_by_too_many_tenants_do_not_link_and_are_reported():
    n = 200
    frame = tenants(
        [
            {"tenant_id": f"t{i:03}", "legal_name": "x", "email_domain": "bigcorp.example"}
            for i in range(n)
        ]
    )
    result = find_links(frame, [], max_group=50)
    assert result.features["cluster_size"].max() == 1
    assert result.common_values.to_dicts() == [{"kind": "email_domain", "values": 1, "tenants": n}]


def test_the_report_of_too_common_values_adds_up_the_tenants_of_every_such_value():
    # Two domains over the limit of 3 (4 and 6 tenants) and one within it (2 tenants, linked):
    # 2 common values holding 10 tenant rows between them, counted by hand.
    domains = ["big.example"] * 4 + ["bigger.example"] * 6 + ["small.example"] * 2
    frame = tenants(
        [
            {"tenant_id": f"t{i:02}", "legal_name": "x", "email_domain": d}
            for i, d in enumerate(domains)
        ]
    )
    result = find_links(frame, [], max_group=3)
    assert result.common_values.to_dicts() == [{"kind": "email_domain", "values": 2, "tenants": 10}]
    sizes = dict(zip(*result.features.select("tenant_id", "cluster_size"), strict=True))
    assert sizes["t10"] == sizes["t11"] == 2 and sizes["t00"] == 1


def test_peak_concurrency_is_the_same_when_tenants_are_taken_in_partitions(monkeypatch):
    import auditor.features.usage as usage_module

    rows = []
    for t in range(20):
        for k in range(4):
            rows.append(
                (
                    f"t{t}",
                    "p5.48xlarge",
                    f"2026-10-0{1 + k % 3} 0{k}:00:00",
                    f"2026-10-0{2 + k % 3} 00:00:00",
                    "r",
                )
            )
    frame = usage(rows)
    whole = usage_features(frame, AS_OF).features.sort("tenant_id")
    monkeypatch.setattr(usage_module, "ROWS_PER_PEAK_PASS", 7)
    parts = usage_features(frame, AS_OF).features.sort("tenant_id")
    assert parts["peak_restricted_gpus"].to_list() == whole["peak_restricted_gpus"].to_list()
    # By hand: runs k=0 (Oct 1 00:00-Oct 2) and k=3 (Oct 1 03:00-Oct 2) overlap; k=1 and k=2 start after them.
    assert set(whole["peak_restricted_gpus"].to_list()) == {16.0}
