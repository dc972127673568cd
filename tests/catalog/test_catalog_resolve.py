"""resolve_usage: catalog first, then a named accelerator, else unknown or CPU-only."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.catalog import ResolvedUsage, resolve_usage

MIXED = pl.DataFrame(
    {
        "tenant_id": ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"],
        "provider": ["aws", "gcp", "aws", "aws", "gcp", None, "azure", "gcp"],
        "instance_type": [
            "p5.48xlarge",
            "n1-standard-8",
            "p7.48xlarge",
            "m5.large",
            "n1-standard-4",
            "Standard_ND96isr_H100_v5",
            "Standard_D4s_v5",
            "n1-standard-2",
        ],
        "accelerator": [None, "nvidia-tesla-t4", None, None, None, None, None, "nvidia-tesla-k80"],
        "accelerator_count": [None, 2, None, None, None, None, None, 1],
    }
)

# tenant -> (gpu_model, gpu_count, classification, restricted)
EXPECTED = {
    "t1": ("H100-80GB", 8, "3A090.a", True),
    "t2": ("T4", 2, "not-controlled", False),
    "t3": (None, None, None, None),  # GPU-looking, unknown: never a guess
    "t4": (None, 0, "not-controlled", False),
    "t5": (None, 0, "not-controlled", False),  # N1 without guest accelerator
    "t6": ("H100-80GB", 8, "3A090.a", True),
    "t7": (None, 0, "not-controlled", False),
    "t8": (None, None, None, None),  # unknown accelerator name
}


@pytest.fixture(scope="module")
def resolved() -> ResolvedUsage:
    return resolve_usage(MIXED)


def test_columns_and_types(resolved: ResolvedUsage) -> None:
    schema = resolved.usage.schema
    assert resolved.usage.columns[: len(MIXED.columns)] == MIXED.columns
    assert schema["gpu_model"] == pl.String and schema["gpu_count"] == pl.Int64
    assert schema["classification"] == pl.String and schema["restricted"] == pl.Boolean
    assert schema["tpp"] == pl.Float64
    assert resolved.usage.height == MIXED.height


@pytest.mark.parametrize("tenant", sorted(EXPECTED))
def test_row(resolved: ResolvedUsage, tenant: str) -> None:
    row = resolved.usage.filter(pl.col("tenant_id") == tenant).row(0, named=True)
    got = (row["gpu_model"], row["gpu_count"], row["classification"], row["restricted"])
    assert got == EXPECTED[tenant]


def test_reports_only_unknown_accelerators(resolved: ResolvedUsage) -> None:
    unknown = resolved.unknown_types.sort("instance_type")
    assert unknown.select("provider", "instance_type", "accelerator", "rows").rows() == [
        ("gcp", "n1-standard-2", "nvidia-tesla-k80", 1),
        ("aws", "p7.48xlarge", None, 1),
    ]


def test_minimal_input_infers_provider_and_matches_case_insensitively() -> None:
    frame = pl.DataFrame(
        {
            "instance_type": [
                " G6.XLARGE ",
                "a3-ultragpu-16g",
                "standard_nd96isr_h200_v5",
                "Standard_NC999_v9",
                "c7g.large",
            ]
        }
    )
    result = resolve_usage(frame)
    assert result.usage["gpu_model"].to_list() == ["L4", None, "H200-141GB", None, None]
    assert result.usage["restricted"].to_list() == [True, None, True, None, False]
    assert sorted(result.unknown_types.select("provider", "instance_type").rows()) == [
        ("azure", "Standard_NC999_v9"),
        ("gcp", "a3-ultragpu-16g"),
    ]


def test_catalog_type_wins_over_accelerator_column() -> None:
    frame = pl.DataFrame(
        {
            "instance_type": ["g4dn.xlarge"],
            "accelerator": ["nvidia-h100-80gb"],
            "accelerator_count": [8],
        }
    )
    row = resolve_usage(frame).usage.row(0, named=True)
    assert (row["gpu_model"], row["gpu_count"]) == ("T4", 1)


def test_accelerator_count_defaults_to_one_and_url_names_resolve() -> None:
    frame = pl.DataFrame(
        {
            "instance_type": ["n1-standard-8"],
            "accelerator": ["projects/p/zones/us-central1-a/acceleratorTypes/nvidia-tesla-v100"],
        }
    )
    row = resolve_usage(frame).usage.row(0, named=True)
    assert (row["gpu_model"], row["gpu_count"], row["restricted"]) == ("V100-16GB", 1, False)


def test_rejects_input_without_instance_type_or_with_output_columns() -> None:
    with pytest.raises(ValueError, match="instance_type"):
        resolve_usage(pl.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="restricted"):
        resolve_usage(pl.DataFrame({"instance_type": ["m5.large"], "restricted": [True]}))


def test_empty_input() -> None:
    result = resolve_usage(pl.DataFrame({"instance_type": []}, schema={"instance_type": pl.String}))
    assert result.usage.height == 0 and result.unknown_types.height == 0


def test_managed_service_spellings_resolve_through_the_same_catalog() -> None:
    """SageMaker's ml.-prefixed EC2 types, Vertex AI's upper-case accelerator enums, Azure ML's upper-case sizes."""
    frame = pl.DataFrame(
        {
            "instance_type": [
                "ml.p5.48xlarge",
                "ml.g5.xlarge",
                "ml.m5.large",
                "ml.p9.48xlarge",
                "n1-standard-8",
                "STANDARD_NC24ADS_A100_V4",
                "mlp5.48xlarge",
            ],
            "accelerator": [None, None, None, None, "NVIDIA_TESLA_A100", None, None],
            "accelerator_count": [None, None, None, None, 2, None, None],
        }
    )
    result = resolve_usage(frame)
    got = result.usage.select("gpu_model", "gpu_count", "restricted").rows()
    assert got == [
        ("H100-80GB", 8, True),
        ("A10G", 1, False),
        (None, 0, False),  # a CPU-only SageMaker type
        (None, None, None),  # GPU-looking and unknown: never a guess
        ("A100-40GB", 2, True),
        ("A100-80GB", 1, True),
        (None, 0, False),  # only the `ml.` prefix is removed, not any `ml`
    ]
    assert result.unknown_types["instance_type"].to_list() == ["ml.p9.48xlarge"]
