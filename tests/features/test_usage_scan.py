"""One read for the usage features and the training estimates gives each stage's own answer, to the last digit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from auditor.cip.training import training_features
from auditor.features import usage as usage_module
from auditor.features.usage import usage_features
from auditor.features.usage_scan import usage_and_training
from auditor.model.schema import USAGE

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
H100 = 989.5e12  # dense BF16 operations per second (catalog.throughput)


def _same(usage: pl.DataFrame | pl.LazyFrame, utilisation: float = 0.4) -> None:
    alone_usage = usage_features(usage, AS_OF)
    alone_training = training_features(usage, AS_OF, utilisation)
    shared_usage, shared_training = usage_and_training(usage, AS_OF, utilisation)
    assert_frame_equal(
        shared_usage.features.sort("tenant_id"),
        alone_usage.features.sort("tenant_id"),
        check_exact=True,
    )
    assert_frame_equal(shared_usage.unknown_types, alone_usage.unknown_types)
    assert shared_usage.usage_tenants.sort("tenant_id").equals(
        alone_usage.usage_tenants.sort("tenant_id")
    )
    assert_frame_equal(
        shared_training.features.sort("tenant_id"),
        alone_training.features.sort("tenant_id"),
        check_exact=True,
    )
    keys = ["tenant_id", "gpu_model", "region"]
    assert_frame_equal(
        shared_training.breakdown.sort(keys),
        alone_training.breakdown.sort(keys),
        check_exact=True,
    )


def _rows(rows: list[tuple[str, str, float, float | None]]) -> pl.DataFrame:
    """(tenant, instance type, start days before as-of, hours or None for a running run)."""
    schema = USAGE.polars_schema()
    data: dict[str, list] = {name: [None] * len(rows) for name in schema}
    data["tenant_id"] = [r[0] for r in rows]
    data["instance_type"] = [r[1] for r in rows]
    data["provider"] = ["aws"] * len(rows)
    data["region"] = ["us-east-1"] * len(rows)
    data["start"] = [AS_OF - timedelta(days=r[2]) for r in rows]
    data["end"] = [
        None if r[3] is None else AS_OF - timedelta(days=r[2]) + timedelta(hours=r[3]) for r in rows
    ]
    return pl.DataFrame(data, schema=schema)


# Restricted with a known rate (p5, p4d), restricted GPUs, CPU-only, unknown, outside the
# window, straddling its start, still running, starting after as-of.
ROWS = [
    ("a", "p5.48xlarge", 10, 10.0),
    ("a", "p5.48xlarge", 10, 5.0),  # overlaps the first: peak 16 GPUs
    ("a", "p4d.24xlarge", 30, 2.0),
    ("b", "g4dn.xlarge", 5, 3.0),  # T4: not restricted
    ("b", "p5.48xlarge", 95, 24 * 10.0),  # starts before the window, ends inside it
    ("c", "m5.large", 1, 1.0),  # CPU only
    ("c", "p9.mystery", 2, 1.0),  # unknown GPU type
    ("d", "p5.48xlarge", 200, 1.0),  # outside the window: a usage row, no hours
    ("e", "p5.48xlarge", 0.5, None),  # running at as-of
    ("f", "p5.48xlarge", -1, 2.0),  # starts after as-of
]


def test_the_shared_read_equals_each_stage_alone() -> None:
    _same(_rows(ROWS))
    _same(_rows(ROWS).lazy(), utilisation=0.55)


def test_the_shared_read_counts_what_the_stages_count() -> None:
    usage, training = usage_and_training(_rows(ROWS), AS_OF)
    by_tenant = {r["tenant_id"]: r for r in usage.features.to_dicts()}
    assert by_tenant["a"]["peak_restricted_gpus"] == 16
    estimate = {r["tenant_id"]: r for r in training.features.to_dicts()}
    assert estimate["a"]["peak_cluster_flops"] == pytest.approx(16 * H100)
    assert set(estimate) == {"a", "b", "e"}  # restricted hours in the window, a known rate
    assert "d" in usage.usage_tenants["tenant_id"].to_list()


@pytest.mark.parametrize("rows_per_pass", [1, 3, 7])
def test_tenant_partitions_give_the_same_answers(monkeypatch, rows_per_pass: int) -> None:
    whole = usage_and_training(_rows(ROWS), AS_OF)
    monkeypatch.setattr(usage_module, "ROWS_PER_PEAK_PASS", rows_per_pass)
    parts = usage_and_training(_rows(ROWS), AS_OF)
    assert whole[0].features.sort("tenant_id").equals(parts[0].features.sort("tenant_id"))
    assert whole[1].features.sort("tenant_id").equals(parts[1].features.sort("tenant_id"))


def test_no_usage_rows_give_empty_stages() -> None:
    usage, training = usage_and_training(_rows([]), AS_OF)
    assert usage.features.height == 0 and usage.usage_tenants.height == 0
    assert training.features.height == 0 and training.breakdown.height == 0


def test_the_example_provider_gives_each_stage_its_own_answer() -> None:
    from auditor.model.inputs import load_inputs
    from auditor_testkit import EXAMPLES

    provider = EXAMPLES / "provider"
    inputs = load_inputs(provider / "tenants.csv", provider / "usage.csv")
    _same(inputs.usage)
