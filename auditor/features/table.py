"""The feature table: what the feature stages hand to the rules and the reports.

Its own module, light on imports, so that a run whose answer is reused (auditor.reuse) can
hold one without importing the feature stages themselves (features.build).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from auditor.cip.gaps import CipSettings


@dataclass(frozen=True)
class FeatureTable:
    frame: pl.DataFrame  # tenant_id + every feature
    unavailable: frozenset[str]  # features whose inputs were absent in this run
    unknown_instance_types: (
        pl.DataFrame
    )  # provider, instance_type, rows: GPU-looking types the catalog lacks
    common_link_values: pl.DataFrame  # kind, values, tenants: shared values too common to link
    screening_matches: pl.DataFrame  # every screening match, for investigation
    orphan_usage_tenants: int  # usage rows whose tenant_id is not in the tenant table
    ownership: Any = (
        None  # ownership.assess.OwnershipAssessment: the regimes' verdicts and their proofs
    )
    stage_seconds: dict[str, float] = field(
        default_factory=dict
    )  # wall time of each feature stage, for run.json
    training: pl.DataFrame | None = None  # cip.training's breakdown: tenant, model, region terms
    cip: CipSettings | None = None  # the CIP settings the cip_* features were built with
