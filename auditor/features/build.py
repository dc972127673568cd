"""Builds the feature table: one row per tenant, every column in `vocabulary.FEATURES`.

This is the only place the per-facet feature frames meet. It also decides which features
are unavailable in this run (their input columns were not supplied), which the rule
evaluator turns into "unknown".
"""

from __future__ import annotations

import logging
import resource
import time
from datetime import datetime

import polars as pl

from auditor import geo
from auditor.cip.gaps import CipSettings, cip_features, foreign_owners
from auditor.cip.training import TRAINING_ZERO_FILLS
from auditor.features.access import access_features
from auditor.features.declared_use import declared_use_kind
from auditor.features.hub_move import hub_move_candidates, hub_move_features
from auditor.features.list_officers import list_officer_features
from auditor.features.affiliates import affiliate_features, no_affiliate_features
from auditor.features.identity import identity_features
from auditor.features.farm_links import farm_links
from auditor.features.links import DEFAULT_MAX_GROUP, find_links
from auditor.features.network_links import NetworkSettings
from auditor.features.ownership import OwnershipSettings, ownership_features
from auditor.features.screening import SCREENING_COLUMNS, ScreeningResult, screen_tenants
from auditor.features.usage import USAGE_ZERO_FILLS
from auditor.features.usage_scan import usage_and_training
from auditor.features.table import FeatureTable
from auditor.features.vocabulary import FEATURES, unavailable_features
from auditor.model.inputs import InputTables
from auditor.stagelog import logged_stage

log = logging.getLogger("auditor.features")
LIST_COLUMNS = ("restricted_models", "regions_used", "providers_used", "signin_countries")


class _StageTimer:
    """Logs each feature stage's wall time as a key=value line (counts and seconds only, never values)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str, fn, *args):
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        result = fn(*args)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.seconds[name] = time.perf_counter() - started
        # CPU seconds (user + sys, every thread) beside wall: on a loaded machine wall time
        # says more about the neighbours than about the stage.
        log.info(
            "stage=features part=%s seconds=%.2f cpu_seconds=%.2f peak_rss_mb=%.0f",
            name,
            self.seconds[name],
            _cpu_seconds() - cpu_started,
            peak_mb,
        )
        return result


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@logged_stage(
    "features",
    lambda features: {"tenants": features.frame.height, "features": features.frame.width - 1},
)
def build_features(
    inputs: InputTables,
    as_of: datetime,
    screening_index=None,
    screening_threshold: float | None = None,
    max_link_group: int = DEFAULT_MAX_GROUP,
    ownership: OwnershipSettings | None = None,
    network: NetworkSettings | None = None,
    cip: CipSettings | None = None,
    list_officers: pl.DataFrame | None = None,
    listing_dates: pl.DataFrame | None = None,
) -> FeatureTable:
    """Computes every feature for every tenant over the whole tables."""
    tenants = inputs.tenants
    present = set(inputs.present)
    if screening_index is not None:
        present.add("lists")
    if list_officers is not None:
        present.add("list_officers")

    timer = _StageTimer()
    identity = timer("identity", identity_features, tenants, as_of)
    # None: Polars over inputs.usage/access; else the engine holding them (spark.inputs.SparkTables).
    engine = inputs.engine
    access_stage = engine.access_features if engine is not None else access_features
    cip = cip or CipSettings()
    if engine is not None:
        usage_result = timer("usage", engine.usage_features, inputs.usage, as_of)
        training = None  # on Spark, its own passes on the cluster (below)
    else:  # one read of the usage rows for the usage features and the training estimates
        usage_result, training = timer(
            "usage", usage_and_training, inputs.usage, as_of, cip.training_utilisation
        )
    usage = usage_result.features
    access = timer("access", access_stage, inputs.access, as_of, frozenset(geo.D5_OR_MACAU))
    # Account farms (issue 21): network, launch-rhythm and creation-burst links join clusters too.
    # On Spark, farm links still read the rows on the driver (docs/spark.md: the next stage to
    # move); the CIP sign-in counts, training estimates and hub moves run on the cluster.
    rows = engine.driver_tables() if engine is not None else (inputs.usage, inputs.access)
    farm = timer("farm_links", farm_links, rows[1], rows[0], tenants, as_of, network)
    links = timer(
        "links", find_links, tenants, sorted(geo.FREEMAIL_DOMAINS), max_link_group, farm.edges
    )

    frame = (
        identity.join(usage, on="tenant_id", how="left")
        .join(access, on="tenant_id", how="left")
        .join(links.features, on="tenant_id", how="left")
        .join(farm.features, on="tenant_id", how="left")
        .with_columns(
            pl.concat_list("link_reasons", "network_link_kinds").list.unique().list.sort()
        )
        .with_columns(
            *[pl.col(c).fill_null(v) for c, v in USAGE_ZERO_FILLS.items()],
            *[
                pl.col(c).fill_null(pl.lit([], dtype=pl.List(pl.String)))
                for c in ("restricted_models", "regions_used", "providers_used")
            ],
            pl.col("signin_count_90d").fill_null(0.0),
        )
    )
    unverified = pl.col("kyc_verified").not_().fill_null(True)
    frame = frame.with_columns(
        pl.col("restricted_gpu_hours_90d")
        .sum()
        .over("cluster_id")
        .alias("cluster_restricted_gpu_hours_90d"),
        unverified.cast(pl.Float64).sum().over("cluster_id").alias("cluster_unverified_count"),
        (pl.col("network_linked_tenant_ids").list.len() > 0)
        .cast(pl.Float64)
        .sum()
        .over("cluster_id")
        .alias("cluster_network_linked_count"),
    )

    if screening_index is not None:
        screening = timer(
            "screening", screen_tenants, tenants, screening_index, screening_threshold
        )
    else:
        screening = ScreeningResult(
            tenants.select(
                "tenant_id", *[pl.lit(None, dtype=t).alias(c) for c, t in SCREENING_COLUMNS.items()]
            ),
            pl.DataFrame(),
        )
    frame = frame.join(screening.features, on="tenant_id", how="left")
    screening_matches = screening.matches
    if screening_index is not None:  # relatives of listed parties by name (affiliates.py)
        affiliates = timer(
            "affiliates", affiliate_features, tenants, screening_index, screening.matches
        )
        frame = frame.join(affiliates.features, on="tenant_id", how="left")
        screening_matches = pl.concat(
            [screening_matches, affiliates.matches], how="diagonal_relaxed"
        )
    else:
        frame = frame.join(no_affiliate_features(tenants), on="tenant_id", how="left")
    tenant_matches = screening.matches if screening_index is not None else None
    owned, assessment = timer(
        "ownership",
        ownership_features,
        tenants,
        as_of,
        screening_index,
        screening_threshold,
        tenant_matches,
        ownership,
    )
    frame = frame.join(owned, on="tenant_id", how="left")
    ips_known = "access.source_ip" in present
    ip_counts = engine.signin_ips(inputs.access, as_of) if engine and ips_known else None
    gaps = timer(
        "cip",
        cip_features,
        identity,
        tenants,
        inputs.access,
        as_of,
        cip,
        ips_known,
        foreign_owners(ownership.data if ownership else None, cip.home_country),
        ip_counts,
    )
    if engine is not None:
        training = timer(
            "training", engine.training_features, inputs.usage, as_of, cip.training_utilisation
        )
    assert training is not None
    officers = timer("list_officers", list_officer_features, tenants, list_officers)
    moves = timer(
        "hub_move",
        hub_move_features,
        tenants,
        screening_matches,
        listing_dates if screening_index is not None else None,
        _hub_signins(engine, inputs.access, screening_matches, listing_dates, as_of)
        if screening_index is not None and listing_dates is not None
        else inputs.access,
        as_of,
    )
    frame = (
        frame.join(gaps, on="tenant_id", how="left")
        .join(training.features, on="tenant_id", how="left")
        .join(officers, on="tenant_id", how="left")
        .join(moves, on="tenant_id", how="left")
        .with_columns(
            *[pl.col(c).fill_null(v) for c, v in TRAINING_ZERO_FILLS.items()],
            pl.col("signin_countries").list.len().cast(pl.Float64).alias("signin_country_count"),
            declared_use_kind(pl.col("declared_use")).alias("declared_use_kind"),
        )
    )

    missing = [name for name in FEATURES if name not in frame.columns]
    if missing:  # a vocabulary entry without a computation is a bug, not a user error
        raise AssertionError(f"features declared but not computed: {missing}")
    orphans = usage_result.usage_tenants.join(
        tenants.select("tenant_id"), on="tenant_id", how="anti"
    ).height
    return FeatureTable(
        frame=frame.select(*FEATURES, "cluster_id"),
        unavailable=frozenset(unavailable_features(present)),
        unknown_instance_types=usage_result.unknown_types,
        common_link_values=pl.concat([links.common_values, farm.common], how="vertical_relaxed"),
        screening_matches=screening_matches,
        orphan_usage_tenants=orphans,
        ownership=assessment,
        stage_seconds=dict(timer.seconds),
        training=training.breakdown,
        cip=cip,
    )


def _hub_signins(
    engine, access: pl.LazyFrame, matches: pl.DataFrame, dates: pl.DataFrame, as_of: datetime
) -> pl.LazyFrame:
    """The sign-ins hub_move reads: all of them on Polars; on Spark only the candidates' rows."""
    if engine is None:
        return access
    candidates = hub_move_candidates(matches, dates, as_of)
    return engine.signins_of(access, candidates["tenant_id"].unique().sort().to_list())
