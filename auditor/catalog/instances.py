"""Cloud instance types -> accelerator model and count, and accelerator names -> model.

Instance types come from each provider's published instance-type pages (AWS EC2
accelerated computing, GCP accelerator-optimized machine family, Azure GPU VM sizes);
whole-GPU sizes only, since fractional sizes (Azure NVadsA10 v5 below 36 vCPU, AWS g6f)
share a GPU. `ACCELERATOR_ALIASES` maps the names accelerators go by in data -- GCP guest
accelerator types above all, which is how N1 machines carry GPUs -- to canonical models.

`GPU_TYPE_PATTERNS` says which instance-type names look like accelerator types, so that
a type the catalog does not know is reported as unknown instead of being taken for a
plain CPU machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from collections.abc import Mapping

import polars as pl

from auditor.catalog.accelerators import ACCELERATORS


@dataclass(frozen=True)
class InstanceType:
    """One instance, machine or VM size with the accelerators attached to it."""

    provider: str
    instance_type: str
    gpu_model: str
    gpu_count: int


def _sizes(
    provider: str, model: str, family: str, sep: str, counts: dict[str, int]
) -> list[InstanceType]:
    return [InstanceType(provider, f"{family}{sep}{size}", model, n) for size, n in counts.items()]


_ONE_TO_16 = {"xlarge": 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1}
_AWS_G = {**_ONE_TO_16, "12xlarge": 4, "24xlarge": 4, "48xlarge": 8}  # g5, g6, g6e share this shape

_AWS: list[InstanceType] = [
    *_sizes("aws", "V100-16GB", "p3", ".", {"2xlarge": 1, "8xlarge": 4, "16xlarge": 8}),
    *_sizes("aws", "V100-32GB", "p3dn", ".", {"24xlarge": 8}),
    *_sizes("aws", "A100-40GB", "p4d", ".", {"24xlarge": 8}),
    *_sizes("aws", "A100-80GB", "p4de", ".", {"24xlarge": 8}),
    *_sizes("aws", "H100-80GB", "p5", ".", {"4xlarge": 1, "48xlarge": 8}),
    *_sizes("aws", "H200-141GB", "p5e", ".", {"48xlarge": 8}),
    *_sizes("aws", "H200-141GB", "p5en", ".", {"48xlarge": 8}),
    *_sizes("aws", "B200", "p6-b200", ".", {"48xlarge": 8}),
    *_sizes("aws", "GB200", "p6e-gb200", ".", {"36xlarge": 4}),  # sold as UltraServer capacity
    *_sizes("aws", "T4", "g4dn", ".", {**_ONE_TO_16, "12xlarge": 4, "metal": 8}),
    *_sizes("aws", "A10G", "g5", ".", _AWS_G),
    *_sizes(
        "aws",
        "T4G",
        "g5g",
        ".",
        {"xlarge": 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 2, "metal": 2},
    ),
    *_sizes("aws", "L4", "g6", ".", _AWS_G),
    *_sizes("aws", "L4", "gr6", ".", {"4xlarge": 1, "8xlarge": 1}),
    *_sizes("aws", "L40S", "g6e", ".", _AWS_G),
    *_sizes("aws", "Trainium", "trn1", ".", {"2xlarge": 1, "32xlarge": 16}),
    *_sizes("aws", "Trainium", "trn1n", ".", {"32xlarge": 16}),
    *_sizes("aws", "Trainium2", "trn2", ".", {"48xlarge": 16}),
    *_sizes("aws", "Trainium2", "trn2u", ".", {"48xlarge": 16}),
    *_sizes(
        "aws", "Inferentia", "inf1", ".", {"xlarge": 1, "2xlarge": 1, "6xlarge": 4, "24xlarge": 16}
    ),
    *_sizes(
        "aws",
        "Inferentia2",
        "inf2",
        ".",
        {"xlarge": 1, "8xlarge": 1, "24xlarge": 6, "48xlarge": 12},
    ),
    *_sizes("aws", "Gaudi", "dl1", ".", {"24xlarge": 8}),
]

_GCP: list[InstanceType] = [
    *_sizes("gcp", "A100-40GB", "a2-highgpu", "-", {"1g": 1, "2g": 2, "4g": 4, "8g": 8}),
    *_sizes("gcp", "A100-40GB", "a2-megagpu", "-", {"16g": 16}),
    *_sizes("gcp", "A100-80GB", "a2-ultragpu", "-", {"1g": 1, "2g": 2, "4g": 4, "8g": 8}),
    *_sizes("gcp", "H100-80GB", "a3-highgpu", "-", {"1g": 1, "2g": 2, "4g": 4, "8g": 8}),
    *_sizes("gcp", "H100-80GB", "a3-edgegpu", "-", {"8g": 8}),
    *_sizes(
        "gcp", "H100-80GB", "a3-megagpu", "-", {"8g": 8}
    ),  # "H100 Mega": H100 80GB, more network
    *_sizes("gcp", "H200-141GB", "a3-ultragpu", "-", {"8g": 8}),
    *_sizes("gcp", "B200", "a4-highgpu", "-", {"8g": 8}),
    *_sizes("gcp", "GB200", "a4x-highgpu", "-", {"4g": 4}),
    *_sizes(
        "gcp",
        "L4",
        "g2-standard",
        "-",
        {"4": 1, "8": 1, "12": 1, "16": 1, "32": 1, "24": 2, "48": 4, "96": 8},
    ),
]

_AZURE_SIZES: dict[str, tuple[str, int]] = {
    "Standard_NC6s_v3": ("V100-16GB", 1),
    "Standard_NC12s_v3": ("V100-16GB", 2),
    "Standard_NC24s_v3": ("V100-16GB", 4),
    "Standard_NC24rs_v3": ("V100-16GB", 4),
    "Standard_ND40rs_v2": ("V100-32GB", 8),
    "Standard_NC4as_T4_v3": ("T4", 1),
    "Standard_NC8as_T4_v3": ("T4", 1),
    "Standard_NC16as_T4_v3": ("T4", 1),
    "Standard_NC64as_T4_v3": ("T4", 4),
    "Standard_NV36ads_A10_v5": ("A10", 1),
    "Standard_NV36adms_A10_v5": ("A10", 1),
    "Standard_NV72ads_A10_v5": ("A10", 2),
    "Standard_NC24ads_A100_v4": ("A100-80GB", 1),
    "Standard_NC48ads_A100_v4": ("A100-80GB", 2),
    "Standard_NC96ads_A100_v4": ("A100-80GB", 4),
    "Standard_ND96asr_v4": ("A100-40GB", 8),
    "Standard_ND96amsr_A100_v4": ("A100-80GB", 8),
    "Standard_NC40ads_H100_v5": ("H100-NVL", 1),
    "Standard_NC80adis_H100_v5": ("H100-NVL", 2),
    "Standard_ND96isr_H100_v5": ("H100-80GB", 8),
    "Standard_ND96isr_H200_v5": ("H200-141GB", 8),
    "Standard_ND96isr_MI300X_v5": ("MI300X", 8),
    "Standard_ND128isr_GB200_v6": ("GB200", 4),
}
_AZURE = [InstanceType("azure", name, model, n) for name, (model, n) in _AZURE_SIZES.items()]

INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {t.instance_type: t for t in (*_AWS, *_GCP, *_AZURE)}
)
"""Instance type, spelled as its provider spells it -> InstanceType. Read-only."""

# GCP guest accelerator types (N1 machines and the `acceleratorTypes` API), plus a few
# names other tools report. Canonical model names are accepted too (see alias_table).
_NAMED_ALIASES: dict[str, str] = {
    "nvidia-tesla-t4": "T4",
    "nvidia-tesla-t4-vws": "T4",
    "nvidia-tesla-v100": "V100-16GB",
    "nvidia-tesla-p100": "P100",
    "nvidia-tesla-p100-vws": "P100",
    "nvidia-tesla-p4": "P4",
    "nvidia-tesla-p4-vws": "P4",
    "nvidia-tesla-a100": "A100-40GB",
    "nvidia-a100-80gb": "A100-80GB",
    "nvidia-l4": "L4",
    "nvidia-l4-vws": "L4",
    "nvidia-h100-80gb": "H100-80GB",
    "nvidia-h100-mega-80gb": "H100-80GB",
    "nvidia-h200-141gb": "H200-141GB",
    "nvidia-b200": "B200",
    "nvidia-gb200": "GB200",
    # nvidia-smi product names
    "tesla t4": "T4",
    "nvidia a10g": "A10G",
    "nvidia a10": "A10",
    "nvidia l4": "L4",
    "nvidia l40s": "L40S",
    "nvidia a100-sxm4-40gb": "A100-40GB",
    "nvidia a100-sxm4-80gb": "A100-80GB",
    "nvidia h100 80gb hbm3": "H100-80GB",
    "nvidia h100 nvl": "H100-NVL",
    "nvidia h200": "H200-141GB",
    "nvidia geforce rtx 4090": "RTX-4090",
}

ACCELERATOR_ALIASES: Mapping[str, str] = MappingProxyType(
    {**{m.lower(): m for m in ACCELERATORS}, **_NAMED_ALIASES}
)
"""Lower-case accelerator name as found in data -> canonical model. Read-only."""

# Lower-case instance-type names that carry accelerators. A type matching one of these and
# absent from INSTANCE_TYPES is unknown, never assumed CPU-only.
GPU_TYPE_PATTERNS: dict[str, str] = {
    "aws": r"^(?:p|g|gr|trn|inf|dl)\d[a-z0-9-]*\.[a-z0-9-]+$",
    "gcp": r"^(?:a\d+x?|g\d+|ct\d+[a-z]*)-[a-z0-9-]+$",  # a2/a3/a4/a4x, g2/g4, ct5lp/ct6e TPU hosts
    "azure": r"^standard_n[a-z0-9_-]*$",
}

# Loose shape of each provider's type names, used only to name the provider of an unknown
# type when the usage row does not say.
PROVIDER_PATTERNS: dict[str, str] = {
    "aws": r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$",
    "gcp": r"^[a-z][a-z0-9]*-[a-z0-9-]+$",
    "azure": r"^(?:standard|basic)_",
}


def instance_table() -> pl.DataFrame:
    """One row per known instance type: provider, instance_type, gpu_model, gpu_count."""
    return pl.DataFrame(
        {
            "provider": [t.provider for t in INSTANCE_TYPES.values()],
            "instance_type": [t.instance_type for t in INSTANCE_TYPES.values()],
            "gpu_model": [t.gpu_model for t in INSTANCE_TYPES.values()],
            "gpu_count": [t.gpu_count for t in INSTANCE_TYPES.values()],
        },
        schema={
            "provider": pl.String,
            "instance_type": pl.String,
            "gpu_model": pl.String,
            "gpu_count": pl.Int64,
        },
    )


def alias_table() -> pl.DataFrame:
    """Accelerator names as found in data (lower-case) -> canonical gpu_model."""
    return pl.DataFrame(
        {"alias": list(ACCELERATOR_ALIASES), "gpu_model": list(ACCELERATOR_ALIASES.values())},
        schema={"alias": pl.String, "gpu_model": pl.String},
    )
