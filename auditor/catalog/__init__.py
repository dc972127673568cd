"""Catalog stage: instance type -> accelerator model and count -> export classification.

`ACCELERATORS` holds each accelerator's TPP, die area and ECCN 3A090 band with the
arithmetic and its source; `INSTANCE_TYPES` maps AWS, GCP and Azure types to the
accelerators they carry; `resolve_usage` attaches both to a usage table, reporting what
it cannot resolve instead of guessing.
"""

from auditor.catalog.accelerators import (
    ACCELERATORS,
    Accelerator,
    accelerator_table,
    classify_by_thresholds,
)
from auditor.catalog.instances import (
    ACCELERATOR_ALIASES,
    INSTANCE_TYPES,
    InstanceType,
    alias_table,
    instance_table,
)
from auditor.catalog.resolve import ResolvedUsage, resolve_usage

__all__ = [
    "ACCELERATORS",
    "ACCELERATOR_ALIASES",
    "INSTANCE_TYPES",
    "Accelerator",
    "InstanceType",
    "ResolvedUsage",
    "accelerator_table",
    "alias_table",
    "classify_by_thresholds",
    "instance_table",
    "resolve_usage",
]
