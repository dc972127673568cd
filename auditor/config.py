"""The audit configuration: what `auditor audit --config audit.yaml` reads, validated strictly.

Command-line options and the config file fill the same model; relative paths in a config
file are taken relative to that file, so a config can travel with its data.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auditor.connectors.config import ConnectorsConfig
from auditor.errors import ConfigError, Problem
from auditor.model.load import parse_datetime
from auditor.notify.config import NotifyChannel
from auditor.ownership.regimes import DEFAULT_REGIMES, Regime
from auditor.spark.settings import EngineConfig
from auditor.storage.inputs import FILE_SETTINGS, FOLDER_SETTINGS
from auditor.storage.location import Location, ObjectURL, names_object_store
from auditor.storage.settings import StorageConfig
from auditor.store.due import ConsoleSection
from auditor.yamlsource import load_yaml


class AuditConfig(BaseModel):
    """Inputs and settings of one audit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenants: Location | None = Field(
        default=None, description="Tenant (KYC) file: CSV, Parquet or JSON Lines."
    )
    usage: Location | None = Field(default=None, description="Instance usage file.")
    access: Location | None = Field(
        default=None, description="Sign-in file (optional; without it sign-in rules are unknown)."
    )
    snapshot: Location | None = Field(
        default=None,
        description="A folder written by `auditor collect`, instead of tenants/usage/access files.",
    )
    connectors: ConnectorsConfig | None = Field(
        default=None,
        description="Collect live from these providers (aws:, gcp:, azure: sections, as in a connectors config) when no tenants/usage files or snapshot are given.",
    )
    lists: list[Location] = Field(
        default_factory=list, description="Restricted-party list files (CSL CSV/JSON layout)."
    )
    aliases: list[Location] = Field(
        default_factory=list,
        description="Alias files (YAML or CSV: entry, alias, source) attaching further names to list entries; the shipped Chinese-names table is always used.",
    )
    list_sources: list[str] | None = Field(
        default=None, description="Screen only against these list codes (EL, MEU, SDN...)."
    )
    ownership: Location | None = Field(
        default=None,
        description="Ownership file: one stated interest a row (docs/input-format.md).",
    )
    parties: Location | None = Field(
        default=None, description="Parties file: owners and intermediaries that are not tenants."
    )
    ownership_regimes: list[Regime] = Field(
        default_factory=lambda: list(DEFAULT_REGIMES),
        description="Ownership regimes (ofac-50, bis-affiliates): seed lists, threshold, counted interests, in-force dates (docs/ownership.md).",
    )
    ownership_seed_score: float = Field(
        default=0.93,
        ge=0,
        le=1,
        description="A party's list match at or above this is a listed seed; weaker matches are possible seeds.",
    )
    ownership_minority_share: float = Field(
        default=25.0,
        gt=0,
        le=100,
        description="Restricted holders with at least this share, but under the threshold, are a minority-stake red flag.",
    )
    rules: Location | None = Field(
        default=None, description="Rule pack directory; the built-in pack when absent."
    )
    out: Location | None = Field(default=None, description="Output directory.")
    as_of: datetime | None = Field(
        default=None,
        description="End of the audit window; the latest event in the data when absent.",
    )
    screening_threshold: float | None = Field(
        default=None, ge=0, le=1, description="Minimum match score to keep."
    )
    max_link_group: int = Field(
        default=50, ge=2, description="Values shared by more tenants than this do not link them."
    )
    network_database: Location | None = Field(
        default=None,
        description="Offline ASN database (.mmdb: GeoLite2-ASN, GeoIP2 ISP or Connection-Type, ipinfo): the kind of each shared sign-in network (hosting, business, residential, education) weighs its network links.",
    )
    max_network_tenants: int = Field(
        default=10,
        ge=2,
        description="A sign-in address (IPv4, IPv6 /64) shared by more tenants than this is a NAT, VPN, cloud egress or campus and links nobody.",
    )
    scoring: str = Field(default="weighted-v1", description="Scoring algorithm.")
    unknown_instance_types: Literal["report", "error"] = Field(
        default="report",
        description="GPU-looking instance types missing from the catalog: list them in the report, or fail the run (exit 2) naming the rows.",
    )
    allow_empty_tenants: bool = Field(
        default=False,
        description="Accept a tenant table with no rows. Off by default: an empty table (a header-only export) would mark every stored case resolved.",
    )
    store: Path | str | None = Field(
        default=None,
        description="Case store (a SQLite file, created if absent, or a postgresql:// URL for a team): remembers runs and analysts' decisions so each run says what changed. None: no memory between runs.",
    )
    reuse: bool = Field(
        default=True,
        description="With a store: when the files, settings, rules, lists and code are all as the last stored run's, load that run's answer from its bundle instead of computing it again (`--no-reuse` turns this off; docs/performance.md).",
    )
    reuse_cache: Path | None = Field(
        default=None,
        description="Folder of the bundles runs leave for reuse (default: beside a SQLite store, `<store>.reuse`; a PostgreSQL store needs this set to reuse).",
    )
    report_cases: int = Field(
        default=500,
        ge=1,
        description="Cases report.html and report.md show: the top of the queue, plus every critical case and every alert; cases.jsonl/CSV/Parquet keep all.",
    )
    alert_priority: Literal["critical", "high", "medium", "low"] = Field(
        default="high",
        description="With a store: `auditor audit` exits 10 when a new or escalated, not suppressed case reaches this priority.",
    )
    downstream: Location | None = Field(
        default=None,
        description="Downstream-customer file: one row per customer a reseller identified (docs/input-format.md); without it every reseller's customers count as unidentified (a CIP gap).",
    )
    list_officers: Location | None = Field(
        default=None,
        description="Officers (present or former) of restricted-party list entries, for `listed_officer_match` (docs/input-format.md).",
    )
    home_country: str = Field(
        default="US",
        pattern=r"^[A-Za-z]{2}$",
        description="ISO alpha-2 country of the provider: accounts owned from elsewhere are foreign persons for the CIP checks (docs/cip.md).",
    )
    training_utilisation: float = Field(
        default=0.4,
        gt=0,
        le=1,
        description="Share of the dense BF16 rate a training job sustains, in the training estimate (docs/cip.md).",
    )
    training_reporting_threshold: float = Field(
        default=1e26,
        gt=0,
        description="Estimated training operations at which a foreign tenant is a reporting candidate in training.jsonl (EO 14110's interim figure; the order was revoked, see docs/cip.md).",
    )
    training_review_threshold: float = Field(
        default=1e23,
        gt=0,
        description="Estimated training operations at which a foreign tenant is listed for review in training.jsonl (`--training-threshold`).",
    )

    allowlist: Location | None = Field(
        default=None,
        description="allowlist.yaml: reviewed entries (tenants, tenant fields, rules) that suppress cases until they expire (docs/allowlist.md).",
    )
    allowlist_max_days: int = Field(
        default=180,
        ge=1,
        description="Longest an allowlist entry may live, from created to expires.",
    )
    notify: list[NotifyChannel] = Field(
        default_factory=list,
        description="Notification channels (webhook, slack, teams, email) the run's digest goes to through the store's outbox (docs/scheduling.md).",
    )

    console: ConsoleSection = Field(
        default_factory=ConsoleSection,
        description="The analysts' console: `due_days` by priority for the queue's overdue view (docs/console.md).",
    )

    @field_validator("notify")
    @classmethod
    def _unique_channels(cls, value: list[Any]) -> list[Any]:
        names = [c.name for c in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"channel name(s) {', '.join(twice)} given twice; each channel needs its own name"
            )
        return value

    engine: EngineConfig = Field(
        default_factory=EngineConfig,
        description="Engine of the usage and sign-in stages: `name: polars` (default) or `name: spark` with `master:`, `conf:` and lake table URIs (docs/spark.md).",
    )

    storage: StorageConfig = Field(
        default_factory=StorageConfig,
        description="How s3://, gs://, az:// and abfss:// paths are reached: endpoints, profile, account (docs/object-storage.md).",
    )

    @field_validator("store", mode="before")
    @classmethod
    def _local_store(cls, value: Any) -> Any:
        if names_object_store(value):
            raise ValueError(
                "the case store is a local SQLite file, not an object-storage URL: a store in a "
                "bucket cannot be locked or updated in a transaction (put the outputs there with `out:`)"
            )
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _parse_as_of(cls, value: Any) -> Any:
        if isinstance(value, str):
            import polars as pl

            parsed = pl.select(parse_datetime(pl.lit(value))).item()
            if parsed is None:
                raise ValueError(
                    f"expected an ISO 8601 date-time such as 2026-11-01T00:00:00Z, got {value!r}"
                )
            return parsed
        return value

    @field_validator("store", mode="before")
    @classmethod
    def _store_path_or_url(cls, value: Any) -> Any:
        """A database URL stays text (a Path folds `postgresql://` into `postgresql:/`); anything else is a file path."""
        if isinstance(value, str):
            return value if "://" in value else Path(value)
        return value

    def resolved(self, base: Path | ObjectURL) -> AuditConfig:
        """Paths made relative to `base`: the config file's folder, or the prefix of a config read from a URL."""
        if isinstance(base, ObjectURL):
            return self._resolved_under(base)

        def fix(p: Path | str | None) -> Path | str | None:
            if p is None or isinstance(p, str):  # an object-store URL, as given
                return p
            return p if p.is_absolute() else Path(os.path.normpath(base / p))

        connectors = self.connectors
        aws_settings = connectors.aws if connectors is not None else None
        cur = aws_settings.cur if aws_settings is not None else None
        if (
            connectors is not None
            and aws_settings is not None
            and cur is not None
            and "://" not in cur.path
            and not Path(cur.path).is_absolute()
        ):
            aws = aws_settings.model_copy(
                update={"cur": cur.model_copy(update={"path": str(base / cur.path)})}
            )
            connectors = connectors.model_copy(update={"aws": aws})
        connectors = connectors.resolved(base) if connectors is not None else None
        return self.model_copy(
            update={
                "connectors": connectors,
                "tenants": fix(self.tenants),
                "usage": fix(self.usage),
                "access": fix(self.access),
                "ownership": fix(self.ownership),
                "parties": fix(self.parties),
                "downstream": fix(self.downstream),
                "list_officers": fix(self.list_officers),
                "snapshot": fix(self.snapshot),
                "rules": fix(self.rules),
                "out": fix(self.out),
                "store": self.store if isinstance(self.store, str) else fix(self.store),
                "reuse_cache": fix(self.reuse_cache),
                "network_database": fix(self.network_database),
                "allowlist": fix(self.allowlist),
                "notify": [c.resolved(base) for c in self.notify],
                "lists": [fix(p) for p in self.lists],
                "aliases": [fix(p) for p in self.aliases],
            }
        )

    def _resolved_under(self, prefix: ObjectURL) -> AuditConfig:
        """A URL config's relative input and output paths as URLs under its prefix (checked by `local_only_problems`)."""
        from auditor.storage.configs import under

        def fix(p: Path | str | None) -> Path | str | None:
            if p is None or isinstance(p, str) or p.is_absolute():
                return p
            return under(prefix, p) or p

        return self.model_copy(
            update={name: fix(getattr(self, name)) for name in URL_RESOLVED}
            | {name: [fix(p) for p in getattr(self, name)] for name in ("lists", "aliases")}
        )


# Path settings a config read from a URL resolves under its prefix (they may be URLs): the
# inputs the storage layer fetches, and the output folder.
URL_RESOLVED = (*FILE_SETTINGS, *FOLDER_SETTINGS, "out")


def local_only_problems(config: AuditConfig, doc: Any, prefix: ObjectURL) -> list[Problem]:
    """Relative paths a URL config cannot resolve: settings read only from a local disk, and paths out of the bucket."""
    from auditor.storage.configs import under

    why = (
        f"a relative path in a config read from {prefix.scheme}:// resolves under the config's prefix, "
        "and this setting is read only from a local disk: give an absolute path"
    )
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(config.store, Path) and not config.store.is_absolute():
        found.append((("store",), why))
    for i, channel in enumerate(config.notify):
        for key, value in channel:
            if key.endswith("_file") and isinstance(value, Path) and not value.is_absolute():
                found.append((("notify", i, key), why))
    connectors = config.connectors
    if (
        connectors is not None
        and connectors.geoip is not None
        and not Path(connectors.geoip.path).is_absolute()
    ):
        found.append((("connectors", "geoip", "path"), why))
    cur = connectors.aws.cur if connectors is not None and connectors.aws is not None else None
    if cur is not None and "://" not in cur.path and not Path(cur.path).is_absolute():
        found.append((("connectors", "aws", "cur", "path"), why + " or an s3:// URL"))
    for name in URL_RESOLVED:
        value = getattr(config, name)
        if isinstance(value, Path) and not value.is_absolute() and under(prefix, value) is None:
            found.append(((name,), f"'{value}' climbs out of the bucket the config is in"))
    for name in ("lists", "aliases"):
        for i, value in enumerate(getattr(config, name)):
            if isinstance(value, Path) and not value.is_absolute() and under(prefix, value) is None:
                found.append(((name, i), f"'{value}' climbs out of the bucket the config is in"))
    return [
        Problem(doc.location(_data_path(doc.data, loc)), message, subject=".".join(map(str, loc)))
        for loc, message in found
    ]


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's error location as a path in the YAML: a tagged union's tag (`notify.0.webhook.url`) is not a key."""
    path: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part not in node and i + 1 < len(loc) and loc[i + 1] in node:
            continue  # the discriminator's tag, e.g. `webhook` for kind: webhook
        path.append(part)
        node = (
            node.get(part)
            if isinstance(node, dict)
            else (
                node[part]
                if isinstance(node, list) and isinstance(part, int) and part < len(node)
                else None
            )
        )
    return tuple(path)


def load_config(path: str | Path) -> AuditConfig:
    """Reads an audit config YAML, a local file or an s3://, gs://, az:// URL; errors name the file, line and field.

    Relative paths resolve beside a local file, and under the prefix of a config read from a
    URL (auditor/storage/configs.py).
    """
    from auditor.storage.configs import config_url, parent, read_yaml
    from auditor.storage.location import LocationError

    try:
        url = config_url(path)
    except LocationError as exc:
        raise ConfigError([Problem(None, str(exc), subject="--config")]) from None
    if url is not None:
        doc = read_yaml(url)
        config = _validated(doc)
        problems = local_only_problems(config, doc, parent(url))
        if problems:
            raise ConfigError(problems)
        return config.resolved(parent(url))
    path = Path(path)
    return _validated(load_yaml(path)).resolved(path.parent)


def _validated(doc: Any) -> AuditConfig:
    """The document as an AuditConfig, every problem located at its line and key."""
    if not isinstance(doc.data, dict):
        raise ConfigError([Problem(doc.location(()), "expected a mapping of settings")])
    try:
        config = AuditConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = _data_path(doc.data, tuple(error["loc"]))
            if error["type"] == "union_tag_invalid":  # a `kind:` no channel has: point at it
                loc += ("kind",)
            message = (
                "unknown setting"
                if error["type"] == "extra_forbidden"
                else error["msg"].removeprefix("Value error, ")
            )
            at_key = error["type"] == "extra_forbidden"
            problems.append(
                Problem(
                    doc.location(loc, key=at_key), message, subject=".".join(str(p) for p in loc)
                )
            )
        raise ConfigError(problems) from None
    return config
