"""The one place where the stages meet: audit(), investigate() and backtest().

Data flows one way: inputs -> catalog -> features (with screening) -> rules -> scoring ->
cases. Every stage is a function of explicit values; a run is a value (`AuditResult`)
that reports render and, later, the store persists.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from auditor import __version__
from auditor.cases.build import CaseTables, build_cases
from auditor.checksum import file_sha256
from auditor.cases.compare import Comparison, compare_runs, rule_table, tables_from_records
from auditor.config import AuditConfig
from auditor.engine.evaluate import Evaluation, evaluate
from auditor.engine.loader import RulePack, builtin_rules_dir, load_rule_pack
from auditor.errors import InputError
from auditor.features.vocabulary import feature_kinds
from auditor.gcpause import collector_paused
from auditor.model.badrows import FUTURE_TOLERANCE
from auditor.model.inputs import (
    InputTables,
    empty_tenants_error,
    from_frames,
    load_inputs,
    unreadable_input,
)
from auditor.scoring import ScoringAlgorithm, get_algorithm
from auditor.stagelog import logged_stage

if TYPE_CHECKING:  # the feature stack is imported by the runs that compute features
    from auditor.features.table import FeatureTable

log = logging.getLogger("auditor.run")


@dataclass(frozen=True)
class AuditResult:
    run_id: str
    started_at: datetime
    finished_at: datetime
    as_of: datetime
    config: AuditConfig
    inputs: InputTables
    rule_pack: RulePack
    features: FeatureTable
    evaluation: Evaluation
    cases: CaseTables
    lists: list[dict[str, Any]]
    input_files: list[dict[str, Any]]
    coverage_gaps: list[dict[str, Any]] = field(default_factory=list)
    sources_complete: bool = True
    changes: Any = None  # cases.changes.Changes when the run was classified against a stored run
    stages: dict[str, float] = field(
        default_factory=dict
    )  # wall seconds per stage, in run order (run.json `stages`)
    screening: dict[str, Any] | None = (
        None  # texts screened and reused (screening.cache.ScreeningCounts.manifest)
    )
    allowlist: Any = None  # allowlist.spec.Allowlist when the config names one
    suppressions: dict[str, list[str]] | None = None  # case id -> allowlist entries suppressing it
    reuse: Any = None  # reuse.decide.Reuse: computed or taken from an earlier run, and why

    @property
    def complete(self) -> bool:
        """False when any part of the data is known to be missing (a coverage gap)."""
        return self.sources_complete and not self.coverage_gaps


def sha256_file(path: Path) -> str:
    """Checksum of an input: a file's bytes, or a folder of Parquet parts.

    A folder's is the sha256 of one line per part, in name order: its name, a NUL, the part's
    own sha256 (hex) and a newline -- so `sha256sum` of each part gives it too. The parts are
    hashed on several threads (hashlib runs outside the GIL): at 1M tenants the 808 MB usage
    folder is most of a second run's fingerprint, and a hash over the parts' bytes in turn
    could only ever use one core.
    """
    path = Path(path)
    if not path.is_dir():
        return file_sha256(path)
    parts = sorted(path.glob("*.parquet"))
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1, len(parts) or 1)) as pool:
        digests = list(pool.map(file_sha256, parts))
    listing = "".join(f"{p.name}\0{d}\n" for p, d in zip(parts, digests, strict=True))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def default_as_of(inputs: InputTables, observed_at: datetime | None = None) -> datetime:
    """The latest event in the data, so re-running an old snapshot gives the same answer.

    A collection also knows when it looked: instances still running were running then, so
    its time counts as an event (otherwise a run that started last would count zero hours).
    """
    now = datetime.now(timezone.utc)
    # Future-dated rows are already set aside (model.badrows); a collection time in the future is ignored too.
    candidates = [
        inputs.latest_event,
        observed_at if observed_at is None or observed_at <= now + FUTURE_TOLERANCE else None,
    ]
    known = [c for c in candidates if c is not None]
    return max(known) if known else now


@dataclass(frozen=True)
class AuditInputs:
    """The canonical tables of one run and what is known about their coverage and origin."""

    tables: InputTables
    gaps: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    observed_at: datetime | None = None
    provenance: list[dict[str, Any]] = field(default_factory=list)


def _gap_dicts(gaps: list[Any]) -> list[dict[str, Any]]:
    return [g if isinstance(g, dict) else g.to_dict() for g in gaps]


def _parse_observed(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _from_snapshot(directory: Path) -> AuditInputs:
    from auditor.connectors import read_snapshot

    snap = read_snapshot(directory)
    gaps = _gap_dicts(snap.gaps)
    manifest_path = Path(directory) / "manifest.json"
    provenance = {
        "table": "snapshot",
        "path": str(directory),
        "sha256": sha256_file(manifest_path),
        "provider": snap.manifest.get("provider"),
        "collected_at": snap.manifest.get("collected_at"),
        "complete": bool(snap.manifest.get("complete", not gaps)) and not gaps,
        "geoip": snap.manifest.get(
            "geoip"
        ),  # which IP -> country database placed the sign-ins, if any
        # an earlier snapshot format read in today's layout, if it was one
        "upgraded": snap.manifest.get("upgraded"),
    }
    return AuditInputs(
        tables=from_frames(
            snap.tenants,
            snap.usage,
            snap.access,
            observed_at=_parse_observed(snap.manifest.get("collected_at")),
        ),
        gaps=gaps,
        complete=provenance["complete"],
        observed_at=_parse_observed(snap.manifest.get("collected_at")),
        provenance=[provenance],
    )


def _from_connectors(config: AuditConfig, clients: dict[str, Any] | None) -> AuditInputs:
    """Collect each provider named in `connectors:`; a provider's gaps make the run incomplete."""
    from auditor.connectors import collect

    connectors = config.connectors
    if connectors is None:
        raise InputError("`connectors:` is empty; give an aws:, gcp: or azure: section")
    clients = clients or {}
    results = []
    for provider in ("aws", "gcp", "azure"):
        settings = getattr(connectors, provider)
        if settings is None:
            continue
        results.append(
            (
                provider,
                collect(
                    provider,
                    settings,
                    clients=clients.get(provider),
                    progress=False,
                    geoip=connectors.geoip,
                ),
            )
        )
    if not results:
        raise InputError("`connectors:` names no provider; give an aws:, gcp: or azure: section")
    # One customer on several clouds is one tenant: its KYC row is taken from the first
    # provider that has it (aws, gcp, azure order), its usage from all of them.
    tenants = pl.concat([r.tenants for _, r in results], how="vertical").unique(
        subset="tenant_id", keep="first", maintain_order=True
    )
    usage = pl.concat([r.usage for _, r in results], how="vertical")
    access = pl.concat([r.access for _, r in results], how="vertical")
    gaps = [gap for _, r in results for gap in _gap_dicts(r.gaps)]
    observed = [_parse_observed(r.manifest.get("collected_at")) for _, r in results]
    provenance = [
        {
            "table": "collection",
            "provider": provider,
            "collected_at": r.manifest.get("collected_at"),
            "scope": r.manifest.get("scope"),
            "counts": r.manifest.get("counts"),
            "complete": r.complete,
            "geoip": r.manifest.get("geoip"),
        }
        for provider, r in results
    ]
    observed_at = max((o for o in observed if o is not None), default=None)
    return AuditInputs(
        tables=from_frames(tenants, usage, access, observed_at=observed_at),
        gaps=gaps,
        complete=all(r.complete for _, r in results),
        observed_at=observed_at,
        provenance=provenance,
    )


@logged_stage(
    "inputs",
    lambda loaded: {
        "tenants": loaded.tables.tenants.height,
        **{f"{t}_rows": n for t, n in loaded.tables.rows.items() if t != "tenants"},
    },
)
def load_audit_inputs(config: AuditConfig, clients: dict[str, Any] | None = None) -> AuditInputs:
    """Inputs from a collected snapshot, from files, or collected live from `connectors:`, in that order."""
    # Usage and sign-ins read and checked on Spark (docs/spark.md).
    if config.engine.name == "spark":
        return _from_spark(config)
    if config.snapshot is not None:
        return _from_snapshot(config.snapshot)
    if config.connectors is not None and config.tenants is None and config.usage is None:
        return _from_connectors(config, clients)
    missing = [name for name in ("tenants", "usage") if getattr(config, name) is None]
    if missing:
        raise InputError(
            f"missing input: give --{missing[0]} FILE (or --snapshot DIR, or a --config file that names them or has `connectors:`)"
        )
    return AuditInputs(load_inputs(config.tenants, config.usage, config.access))


def _from_spark(config: AuditConfig) -> AuditInputs:
    from auditor.spark.inputs import load_spark_inputs

    if config.snapshot is not None or config.tenants is None:
        raise InputError(
            "the Spark engine reads a tenants file and usage/access files or lake tables; "
            "give --tenants and --usage (or `engine: {usage: URI}`), or drop --engine spark for a snapshot or live collection"
        )
    tables, provenance = load_spark_inputs(
        config.tenants, config.usage, config.access, config.engine
    )
    return AuditInputs(tables, provenance=provenance)


@logged_stage("lists")
def load_screening(config: AuditConfig):
    """The restricted-party lists and their index, or (None, []) when no list was given."""
    if not config.lists:
        return None, []
    from auditor.screening import ScreeningIndex, load_lists

    from auditor.screening.aliases import with_aliases
    from auditor.screening.lists import require_sources

    lists = with_aliases(load_lists(list(config.lists)), config.aliases)
    sources = set(config.list_sources) if config.list_sources else None
    require_sources(lists.entries, sources)
    return ScreeningIndex.build(lists.entries, sources=sources), list(lists.provenance)


def raise_unknown_instance_types(inputs: InputTables, unknown: pl.DataFrame) -> None:
    """Strict mode: name the usage rows whose GPU-looking instance type the catalog lacks."""
    from auditor.errors import Problem, SourceLocation
    from auditor.model.load import MAX_PROBLEMS_PER_FILE

    source = inputs.sources.get("usage", "usage")
    offset = 2 if source.lower().endswith(".csv") else 1
    rows = (
        inputs.engine.rows_of_types(unknown["instance_type"].to_list())
        if inputs.engine is not None
        else inputs.usage.with_row_index("__row")
        .filter(pl.col("instance_type").is_in(unknown["instance_type"].implode()))
        .select("__row", "instance_type")
        .head(MAX_PROBLEMS_PER_FILE)
        .collect()
        .rows()
    )
    raise InputError(
        [
            Problem(
                SourceLocation(source, row=row + offset),
                f"unknown GPU instance type '{itype}'; expected a type in the catalog (`auditor catalog list`), "
                "or `accelerator` and `accelerator_count` columns naming a known accelerator",
                subject="column 'instance_type'",
            )
            for row, itype in rows
        ]
    )


@logged_stage(
    "scoring", lambda scored: {"hits": scored[0].hits.height, "cases": scored[1].cases.height}
)
def score_features(
    features: FeatureTable, pack: RulePack, algorithm: ScoringAlgorithm
) -> tuple[Evaluation, CaseTables]:
    """Rules -> hits -> cases over a feature table built once, so one table can be scored by several packs."""
    evaluation = evaluate(features.frame, pack.rules, set(features.unavailable))
    cases = build_cases(features.frame, evaluation.hits, evaluation.unknowns, algorithm)
    return evaluation, cases


class _StageClock:
    """Wall seconds of consecutive stages: each `lap` closes the stage that ran since the last one."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._last, 3)
        self._last = now

    def split_features(self, parts: dict[str, float]) -> None:
        """Replaces the `features` lap with its parts (features.usage, ...) and the rest (features.other)."""
        total = self.seconds.pop("features", 0.0)
        for name, seconds in parts.items():
            self.seconds[f"features.{name}"] = round(seconds, 3)
        self.seconds["features.other"] = round(max(total - sum(parts.values()), 0.0), 3)


def _features_for(
    config: AuditConfig,
    loaded: AuditInputs,
    run_id: str,
    store: Any = None,
    clock: _StageClock | None = None,
) -> tuple[datetime, FeatureTable, list[dict[str, Any]], dict[str, Any] | None]:
    """The feature table of one run's inputs: as-of, screening, features, strict instance types.

    Screening goes through a `ScreeningCache`: each distinct text once per run, and with a
    case store (`store`), texts screened by an earlier run over the same lists not again.
    """
    from auditor.screening.cache import ScreeningCache

    clock = clock or _StageClock()
    inputs = loaded.tables
    if inputs.tenants.height == 0 and not config.allow_empty_tenants:
        raise empty_tenants_error(inputs)
    as_of = config.as_of or default_as_of(inputs, loaded.observed_at)
    index, list_provenance = load_screening(config)
    cache = (
        ScreeningCache.for_store(index, config.screening_threshold, store)
        if index is not None
        else None
    )
    clock.lap("screening_index")
    log.info(
        "run=%s stage=inputs tenants=%d usage_rows=%d access_rows=%d",
        run_id,
        inputs.tenants.height,
        inputs.rows.get("usage", 0),
        inputs.rows.get("access", 0),
    )

    from auditor.features.build import build_features

    try:
        features = build_features(
            inputs,
            as_of,
            cache,
            config.screening_threshold,
            config.max_link_group,
            ownership_settings(config, inputs),
            network_settings(config),
            cip_settings(config),
            list_officers_table(config),
            listing_dates_table(config),
        )
    except (
        pl.exceptions.ComputeError
    ) as exc:  # a streamed input's column that cannot be decoded: the user's file
        located = unreadable_input(inputs, exc)
        if located is None:
            raise
        raise located from None
    clock.lap("features")
    clock.split_features(features.stage_seconds)
    screening = cache.counts.manifest() if cache is not None else None
    if cache is not None and store is not None:
        from auditor.errors import StoreError

        try:
            cache.save(store, run_id)
        except StoreError as exc:  # a memo, not the run: the store's own commit reports a store that cannot be written
            log.warning(
                "run=%s stage=screening_save event=failed error=%s", run_id, type(exc).__name__
            )
        clock.lap("screening_save")
    if screening is not None:
        log.info(
            "run=%s stage=screening screened=%d reused_from_store=%d reused_in_run=%d",
            run_id,
            screening["screened"],
            screening["reused_from_store"],
            screening["reused_in_run"],
        )
    for warning in (features.ownership.warnings if features.ownership is not None else [])[:20]:
        log.warning("run=%s stage=ownership %s", run_id, warning)
    log.info(
        "run=%s stage=features tenants=%d unavailable=%d",
        run_id,
        features.frame.height,
        len(features.unavailable),
    )
    if config.unknown_instance_types == "error" and features.unknown_instance_types.height:
        raise_unknown_instance_types(inputs, features.unknown_instance_types)
    return as_of, features, list_provenance, screening


def network_settings(config: AuditConfig) -> Any:
    """The network-link settings (issue 21): the rarity cut-off and, when configured, the ASN database."""
    from auditor.asn import open_network_kinds
    from auditor.features.network_links import NetworkSettings

    kinds = open_network_kinds(config.network_database) if config.network_database else None
    return NetworkSettings(max_network_tenants=config.max_network_tenants, kinds=kinds)


def ownership_settings(config: AuditConfig, inputs: InputTables) -> Any:
    """The ownership stage's settings: the ownership/parties files (checked now, before any scoring) and the regimes."""
    from auditor.features.ownership import OwnershipSettings
    from auditor.ownership.inputs import load_ownership

    data = (
        load_ownership(inputs.tenants, config.ownership, config.parties)
        if (config.ownership or config.parties)
        else None
    )
    return OwnershipSettings(
        data,
        list(config.ownership_regimes),
        config.ownership_seed_score,
        config.ownership_minority_share,
    )


def cip_settings(config: AuditConfig) -> Any:
    """The CIP stage's settings: home country, utilisation and the downstream file (checked now)."""
    from auditor.cip.gaps import CipSettings
    from auditor.model.load import load_table
    from auditor.model.schema import DOWNSTREAM

    downstream = load_table(config.downstream, DOWNSTREAM) if config.downstream else None
    return CipSettings(config.home_country.upper(), downstream, config.training_utilisation)


def list_officers_table(config: AuditConfig) -> pl.DataFrame | None:
    """The `--list-officers` file, checked now (before any scoring), or None."""
    from auditor.model.load import load_table
    from auditor.model.schema import LIST_OFFICERS

    return load_table(config.list_officers, LIST_OFFICERS) if config.list_officers else None


def listing_dates_table(config: AuditConfig) -> pl.DataFrame | None:
    """Each list entry's listing date (start_date), for the renaming-after-listing feature."""
    from auditor.features.hub_move import listing_dates

    return listing_dates(list(config.lists)) if config.lists else None


def _ownership_files(config: AuditConfig, hashed: bool = True) -> list[dict[str, Any]]:
    return [
        {"table": t, "path": str(p), **({"sha256": sha256_file(Path(p))} if hashed else {})}
        for t, p in (
            ("ownership", config.ownership),
            ("parties", config.parties),
            ("downstream", config.downstream),
            ("list_officers", config.list_officers),
        )
        if p
    ]


def ownership_manifest(result: Any) -> dict[str, Any]:
    """run.json's `ownership`: each regime and its status on the as-of date, verdict counts, warnings."""
    from auditor.ownership.report import manifest

    if result.reuse is not None and result.reuse.ownership is not None:
        return result.reuse.ownership  # the earlier run's, whose answer this run reused
    return manifest(result.features.ownership, result.config.ownership_regimes, result.as_of)


def _new_run_id(started: datetime) -> str:
    return started.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def audit(
    config: AuditConfig, clients: dict[str, Any] | None = None, store: Any = None
) -> AuditResult:
    """Runs the whole audit; inputs named by URL are read from local copies (auditor.storage)."""
    from auditor.storage.inputs import stage_inputs, url_errors

    staged = stage_inputs(config)
    with url_errors(staged):
        return staged.relabel(_audit_local(staged.config, clients, store))


def _audit_local(
    config: AuditConfig, clients: dict[str, Any] | None = None, store: Any = None
) -> AuditResult:
    """Runs the whole audit over one set of inputs and returns the run as a value.

    `clients` maps a provider name to its SDK clients for live collection (tests hand in
    clients pointed at moto or a local server); absent providers build their defaults.
    `store` (an open case store) lends earlier runs' screening results and keeps this one's.
    """
    started = datetime.now(timezone.utc)
    clock = _StageClock()
    run_id = _new_run_id(started)
    algorithm = get_algorithm(config.scoring)
    pack = load_rule_pack(config.rules or builtin_rules_dir(), feature_kinds())
    allowlist = _load_allowlist(config, pack)  # checked before any data is read
    if store is not None:  # and the entries approved in the console (allowlist/stored.py)
        from auditor.allowlist.stored import with_stored_entries

        allowlist = with_stored_entries(allowlist, store)
    clock.lap("rules")
    reuse, bundle = _reuse_for(config, store, run_id, clock)
    if bundle is not None:
        return _reused_result(config, bundle, reuse, run_id, started, pack, allowlist, clock)
    loaded = load_audit_inputs(config, clients)
    inputs = loaded.tables
    clock.lap("inputs")
    as_of, features, list_provenance, screening = _features_for(
        config, loaded, run_id, store, clock
    )
    evaluation, cases = score_features(features, pack, algorithm)
    clock.lap("scoring")
    log.info(
        "run=%s stage=cases rules=%d hits=%d cases=%d",
        run_id,
        len(pack.rules),
        evaluation.hits.height,
        cases.cases.height,
    )

    input_files = _input_files(inputs, reuse, config, loaded.provenance)
    clock.lap("checksums")
    suppressions = _suppressions(allowlist, cases, inputs, started)
    return AuditResult(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(timezone.utc),
        as_of=as_of,
        config=config,
        inputs=inputs,
        rule_pack=pack,
        features=features,
        evaluation=evaluation,
        cases=cases,
        lists=list_provenance,
        input_files=input_files,
        coverage_gaps=loaded.gaps,
        sources_complete=loaded.complete,
        stages=clock.seconds,
        screening=screening,
        allowlist=allowlist,
        suppressions=suppressions,
        reuse=reuse,
    )


def _input_files(
    inputs: InputTables, reuse: Any, config: AuditConfig, provenance: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """run.json's input checksums; the files the fingerprint hashed are not read again."""
    known = reuse.fingerprint.file_digests if reuse is not None and reuse.fingerprint else {}

    def sha(path: str | Path) -> str:
        return known.get(str(path)) or sha256_file(Path(path))

    return (
        [
            {"table": table, "path": path, "sha256": sha(path)}
            for table, path in inputs.sources.items()
        ]
        + provenance
        + [{**f, "sha256": sha(f["path"])} for f in _ownership_files(config, hashed=False)]
    )


def _suppressions(
    allowlist: Any, cases: CaseTables, inputs: InputTables, started: datetime
) -> dict[str, list[str]] | None:
    if allowlist is None:
        return None
    from auditor.allowlist.apply import suppress_cases

    return suppress_cases(allowlist, cases.hits, inputs.tenants, started.date())


def _reuse_for(config: AuditConfig, store: Any, run_id: str, clock: _StageClock) -> tuple[Any, Any]:
    """This run's `Reuse` and, when the last stored run's answer stands for it, that run's bundle."""
    from auditor.reuse.decide import Reuse, find_bundle, reuse_blocker
    from auditor.reuse.fingerprint import run_fingerprint

    blocker = reuse_blocker(config, store)
    if blocker is not None:
        return Reuse(None, blocker), None
    fingerprint = run_fingerprint(config, sha256_file)
    clock.lap("fingerprint")
    if fingerprint is None:
        return Reuse(None, "a setting names a path that is not a local file"), None
    bundle, reason = find_bundle(config, store, fingerprint)
    clock.lap("reuse")
    log.info("run=%s stage=reuse reused=%s", run_id, bundle is not None)
    if bundle is None:
        return Reuse(fingerprint, reason), None
    return (
        Reuse(
            fingerprint,
            reason,
            reused_from=bundle.run_id,
            bundle_run=bundle.folder.name,
            bundle=bundle.sha256,
            ownership=bundle.facts.get("ownership"),
            outputs=bundle.outputs,
        ),
        bundle,
    )


def _reused_result(
    config: AuditConfig,
    bundle: Any,
    reuse: Any,
    run_id: str,
    started: datetime,
    pack: RulePack,
    allowlist: Any,
    clock: _StageClock,
) -> AuditResult:
    """This run as the earlier run's answer (`bundle`), with this run's id, clock, tenants and allowlist.

    The store needs who is still a customer: the earlier run's feature table has one row per
    tenant of the same bytes, so its `tenant_id` column stands for the tenants table. Only an
    allowlist, which matches tenants' own fields, has the tenants file read again (checked as
    always). Usage and sign-ins are not read from files (a snapshot's tables are read
    together): their bytes are the ones the earlier run read, and nothing after the features
    reads them.
    """
    import dataclasses

    from auditor.model.badrows import Exclusion
    from auditor.model.inputs import load_tenant_table
    from auditor.model.schema import ACCESS, USAGE, empty_table

    from auditor.features.table import FeatureTable

    facts, frames = bundle.facts, bundle.frames
    if config.snapshot is not None:  # its tables are read together; only the tenants are kept
        loaded = _from_snapshot(config.snapshot)
        tenants, sources, provenance = loaded.tables.tenants, {}, loaded.provenance
    else:
        tenants = (
            load_tenant_table(config.tenants)
            if allowlist is not None
            else frames["features"].select("tenant_id")
        )
        provenance = []
        sources = {
            name: str(path)
            for name, path in (
                ("tenants", config.tenants),
                ("usage", config.usage),
                ("access", config.access),
            )
            if path is not None
        }
    latest = facts.get("latest_event")
    inputs = InputTables(
        tenants,
        empty_table(USAGE).lazy(),
        empty_table(ACCESS).lazy(),
        frozenset(facts["present"]),
        sources,
        {str(k): int(v) for k, v in facts["rows"].items()},
        datetime.fromisoformat(latest) if latest else None,
        tuple(Exclusion.from_dict(e) for e in facts["exclusions"]),
    )
    clock.lap("inputs")
    features = FeatureTable(
        frame=frames["features"],
        unavailable=frozenset(facts["unavailable"]),
        unknown_instance_types=frames["unknown_instance_types"],
        common_link_values=frames["common_link_values"],
        screening_matches=frames["screening_matches"],
        orphan_usage_tenants=int(facts["orphan_usage_tenants"]),
        training=frames.get("training"),
        cip=cip_settings(config),
    )
    cases = CaseTables(frames["cases"], frames["case_hits"], frames["tenant_scores"])
    with collector_paused():  # a new dict per case, none in a cycle (auditor.gcpause)
        records = [{**r, "run_id": run_id} for r in bundle.records]
    input_files = _input_files(inputs, reuse, config, provenance)
    suppressions = _suppressions(allowlist, cases, inputs, started)
    clock.lap("checksums")
    log.info("run=%s stage=reuse from=%s cases=%d", run_id, bundle.run_id, cases.cases.height)
    return AuditResult(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(timezone.utc),
        as_of=bundle.as_of,
        config=config,
        inputs=inputs,
        rule_pack=pack,
        features=features,
        evaluation=Evaluation(frames["outcomes"], frames["hits"], frames["unknowns"]),
        cases=cases,
        lists=list(facts["lists"]),
        input_files=input_files,
        coverage_gaps=list(facts["coverage_gaps"]),
        sources_complete=bool(facts["sources_complete"]),
        stages=clock.seconds,
        screening=facts.get("screening"),
        allowlist=allowlist,
        suppressions=suppressions,
        reuse=dataclasses.replace(
            reuse, records=records, lines=bundle.lines, lines_run_id=bundle.run_id
        ),
    )


def _load_allowlist(config: AuditConfig, pack: RulePack) -> Any:
    if config.allowlist is None:
        return None
    from auditor.allowlist.spec import load_allowlist

    return load_allowlist(
        config.allowlist, max_days=config.allowlist_max_days, rule_ids={r.id for r in pack.rules}
    )


@dataclass(frozen=True)
class BacktestSide:
    """One side of a backtest: a rule pack scored on the shared features, or a stored run's cases."""

    source: str  # "rules" (a pack scored now) or "run" (cases a stored run recorded)
    name: str  # the rules directory or the run id
    rule_pack_version: str
    cases: (
        pl.DataFrame
    )  # case_id, rank, priority, score, tenant_ids, top_reasons (as CaseTables.cases)
    hits: pl.DataFrame  # case_id, tenant_id, rule_id, rule_version
    rules: pl.DataFrame | None  # RULE_TABLE_SCHEMA; None when only the rules that fired are known

    @classmethod
    def scored(cls, pack: RulePack, tables: CaseTables) -> BacktestSide:
        return cls(
            "rules", pack.directory, pack.version, tables.cases, tables.hits, rule_table(pack.rules)
        )


@dataclass(frozen=True)
class BacktestResult:
    """Two scorings of the same tenants, and what changed between them."""

    as_of: datetime
    config: AuditConfig
    tenants: int
    algorithm: str
    baseline: BacktestSide
    new: BacktestSide
    comparison: Comparison
    input_files: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    notes: list[str] = field(
        default_factory=list
    )  # caveats a reader must see, e.g. the data differ from the stored run's
    allowlists: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # "new" / "current" -> case id -> entries that would suppress it (rules backtest --allowlist)


def backtest(
    config: AuditConfig,
    new_rules_dir: str | Path,
    baseline_rules_dir: str | Path | None = None,
    clients: dict[str, Any] | None = None,
    against: tuple[Any, list[Any]] | None = None,
    allowlist: str | Path | None = None,
) -> BacktestResult:
    """`_backtest_local` over local copies of the inputs named by URL (auditor.storage)."""
    from auditor.storage.inputs import stage_inputs, url_errors

    staged = stage_inputs(config)
    with url_errors(staged):
        new_rules_dir = staged.local(new_rules_dir, "rules", folder=True)
        baseline_rules_dir = staged.local(baseline_rules_dir, "baseline_rules", folder=True)
        allowlist = staged.local(allowlist, "allowlist")
        return staged.relabel(
            _backtest_local(
                staged.config, new_rules_dir, baseline_rules_dir, clients, against, allowlist
            )
        )


def _backtest_local(
    config: AuditConfig,
    new_rules_dir: str | Path,
    baseline_rules_dir: str | Path | None = None,
    clients: dict[str, Any] | None = None,
    against: tuple[Any, list[Any]] | None = None,
    allowlist: str | Path | None = None,
) -> BacktestResult:
    """Scores one set of inputs under a new rule pack and compares it with a baseline; features are built once.

    The baseline is `against` (a stored run: its `RunRecord` and `CaseSnapshot`s), else
    `baseline_rules_dir`, else `config.rules`, else the built-in pack. Packs load through
    `load_rule_pack` (the same validation as `audit`) before any data is read, so a broken
    rule fails fast.
    """
    started = datetime.now(timezone.utc)
    run_id = _new_run_id(started)
    algorithm = get_algorithm(config.scoring)
    kinds = feature_kinds()
    new_pack = load_rule_pack(new_rules_dir, kinds)
    baseline_pack = (
        None
        if against
        else load_rule_pack(baseline_rules_dir or config.rules or builtin_rules_dir(), kinds)
    )
    # A new allowlist (`--allowlist`) is checked against the new pack, before any data is read;
    # the config's own allowlist (the one live now) names rules of the baseline.
    allowlists: dict[str, Any] = {}
    if allowlist is not None:
        from auditor.allowlist.spec import load_allowlist

        allowlists["new"] = load_allowlist(
            allowlist,
            max_days=config.allowlist_max_days,
            rule_ids={r.id for r in new_pack.rules},
        )
        if config.allowlist is not None:
            allowlists["current"] = load_allowlist(
                config.allowlist, max_days=config.allowlist_max_days
            )
    loaded = load_audit_inputs(config, clients)
    as_of, features, _, _ = _features_for(config, loaded, run_id)
    input_files = (
        [
            {"table": table, "path": path, "sha256": sha256_file(Path(path))}
            for table, path in loaded.tables.sources.items()
        ]
        + loaded.provenance
        + _ownership_files(config)
    )

    sides: dict[str, BacktestSide] = {}
    for name, pack in (("baseline", baseline_pack), ("new", new_pack)):
        if pack is None:
            continue
        evaluation, tables = score_features(features, pack, algorithm)
        log.info(
            "run=%s stage=backtest side=%s pack=%s rules=%d hits=%d cases=%d",
            run_id,
            name,
            pack.version,
            len(pack.rules),
            evaluation.hits.height,
            tables.cases.height,
        )
        sides[name] = BacktestSide.scored(pack, tables)
    notes: list[str] = []
    if against:
        record, snapshots = against
        cases, hits = tables_from_records([s.record for s in snapshots])
        sides["baseline"] = BacktestSide(
            "run", record.run_id, record.rule_pack_version, cases, hits, None
        )
        notes += _against_notes(record, input_files, as_of, algorithm.name)
    baseline, new = sides["baseline"], sides["new"]
    return BacktestResult(
        as_of=as_of,
        config=config,
        tenants=loaded.tables.tenants.height,
        algorithm=algorithm.name,
        baseline=baseline,
        new=new,
        comparison=compare_runs(
            baseline.cases, baseline.hits, baseline.rules, new.cases, new.hits, new.rules
        ),
        input_files=input_files,
        complete=loaded.complete and not loaded.gaps,
        notes=notes,
        allowlists=_backtest_suppressions(allowlists, new, loaded.tables.tenants, started),
    )


def _backtest_suppressions(
    allowlists: dict[str, Any], new: BacktestSide, tenants: pl.DataFrame, started: datetime
) -> dict[str, dict[str, list[str]]]:
    from auditor.allowlist.apply import suppress_cases

    return {
        name: suppress_cases(a, new.hits, tenants, started.date()) for name, a in allowlists.items()
    }


def _against_notes(
    record: Any, input_files: list[dict[str, Any]], as_of: datetime, algorithm: str
) -> list[str]:
    """Why a difference from a stored run may come from the data or scoring, not from the rules."""
    notes = []
    stored = sorted(i.get("sha256") for i in record.inputs if i.get("sha256"))
    current = sorted(i.get("sha256") for i in input_files if i.get("sha256"))
    if stored != current:
        notes.append(
            f"the inputs differ from run {record.run_id}'s (checksums); some changes may come from the data, not the rules"
        )
    if record.as_of != as_of:
        notes.append(
            f"run {record.run_id} was as of {record.as_of.isoformat()}, this backtest is as of {as_of.isoformat()}"
        )
    if record.scoring != algorithm:
        notes.append(
            f"run {record.run_id} was scored with {record.scoring}, this backtest with {algorithm}"
        )
    return notes


def _screening_record(threshold: float | None) -> dict[str, Any]:
    from auditor.screening.algorithms import algorithm_record

    return algorithm_record(threshold=threshold)


def run_manifest(result: AuditResult) -> dict[str, Any]:
    """What a run was: inputs and their checksums, rule pack, lists, algorithm, gaps, counts."""
    f = result.features
    return {
        "run_id": result.run_id,
        "auditor_version": __version__,
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "as_of": result.as_of.isoformat(),
        "complete": result.complete,
        "inputs": result.input_files,
        "rule_pack": {
            "directory": result.rule_pack.directory,
            "version": result.rule_pack.version,
            "sha256": result.rule_pack.checksum,
            "rules": len(result.rule_pack.rules),
        },
        "scoring": result.config.scoring,
        "lists": result.lists,
        # The matcher's settings, and how many texts were screened or reused (screening.cache).
        **(
            {
                "screening": {
                    **_screening_record(result.config.screening_threshold),
                    **(result.screening or {}),
                }
            }
            if result.lists
            else {}
        ),
        "coverage_gaps": result.coverage_gaps,
        "unavailable_features": sorted(f.unavailable),
        "unknown_instance_types": f.unknown_instance_types.to_dicts(),
        "excluded_rows": [e.to_dict() for e in result.inputs.exclusions],
        "common_link_values": f.common_link_values.to_dicts(),
        # Network links (issue 21): the rarity cut-off, and which ASN database weighed network kinds.
        "network_links": {
            "max_network_tenants": result.config.max_network_tenants,
            "network_database": (
                Path(result.config.network_database).name
                if result.config.network_database
                else None
            ),
        },
        "counts": {
            "tenants": result.inputs.tenants.height,
            "usage_rows": result.inputs.rows.get("usage", 0),
            "access_rows": result.inputs.rows.get("access", 0),
            "usage_tenants_not_in_tenant_table": f.orphan_usage_tenants,
            "hits": result.evaluation.hits.height,
            "unknown_outcomes": result.evaluation.unknowns.height,
            "cases": result.cases.cases.height,
            "cases_by_priority": {
                row["priority"]: row["len"]
                for row in result.cases.cases.group_by("priority").len().to_dicts()
            },
        },
        "ownership": ownership_manifest(result),
        **({"changes": result.changes.manifest()} if result.changes is not None else {}),
        **({"allowlist": _allowlist_manifest(result)} if result.allowlist is not None else {}),
        **({"reuse": result.reuse.manifest()} if result.reuse is not None else {}),
        "stages": result.stages,
    }


def _allowlist_manifest(result: AuditResult) -> dict[str, Any]:
    from auditor.allowlist.apply import allowlist_manifest

    return allowlist_manifest(result.allowlist, result.suppressions or {}, result.started_at.date())


def tenant_case(result: AuditResult, tenant_id: str) -> dict[str, Any] | None:
    rows = result.cases.cases.filter(pl.col("tenant_ids").list.contains(tenant_id))
    return rows.to_dicts()[0] if rows.height else None
