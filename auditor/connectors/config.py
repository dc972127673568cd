"""Settings for each cloud connector, and loading them from a YAML file with located errors.

One model per provider, strict (`extra="forbid"`) and frozen. A config file holds one
section per provider (`aws:`, `gcp:`, `azure:`); `collect --provider aws` reads `aws:`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from auditor.errors import ConfigError, InputError, Problem, SourceLocation, display_path
from auditor.model.schema import TENANTS
from auditor.yamlsource import parse_yaml

if TYPE_CHECKING:
    from auditor.storage.settings import StorageConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetrySettings(_Strict):
    """Retries for throttling and transient faults: exponential backoff with jitter."""

    attempts: int = Field(5, ge=1, le=20, description="Tries per call, the first included.")
    base_delay: float = Field(
        0.5, ge=0, description="Seconds before the second try; doubles each time."
    )
    max_delay: float = Field(20.0, ge=0, description="Upper bound of one wait, in seconds.")


def _check_field_map(value: dict[str, str]) -> dict[str, str]:
    known = set(TENANTS.names)
    for key, field in value.items():
        if field not in known:
            raise ValueError(
                f"tag '{key}' maps to unknown tenant field '{field}'; expected one of {', '.join(TENANTS.names)}"
            )
    return value


class EndpointSettings(_Strict):
    """Where a connector's SDK clients connect: a proxy, a private CA, an emulator or a private endpoint.

    Sovereign clouds have their own switch per provider (`partition`, `cloud`, `universe_domain`);
    `url` overrides the service endpoint itself, e.g. for an emulator or a VPC/private-link endpoint.
    """

    url: str | None = Field(
        None, description="Base URL of the cloud's API (all services); https unless allow_http."
    )
    allow_http: bool = Field(
        False,
        description="Permit a plain-http url: for local emulators and tests only, since credentials would travel unencrypted.",
    )
    proxy: str | None = Field(None, description="HTTP(S) proxy URL every call goes through.")
    ca_bundle: str | None = Field(
        None,
        description="PEM file of CA certificates to trust instead of the system's (a TLS-inspecting proxy, a private endpoint).",
    )
    auth: Literal["default", "none"] = Field(
        "default",
        description="'default' uses the SDK's own credential chain; 'none' sends a placeholder credential, for emulators only.",
    )

    @model_validator(mode="after")
    def _check_urls(self) -> EndpointSettings:
        for name in ("url", "proxy"):
            value = getattr(self, name)
            if value is None:
                continue
            scheme, sep, rest = value.partition("://")
            if not sep or scheme not in ("http", "https") or not rest.strip("/"):
                raise ValueError(f"{name} must be an http:// or https:// URL, got '{value}'")
        if self.url is not None and self.url.startswith("http://") and not self.allow_http:
            raise ValueError(
                f"url '{self.url}' is plain http; set allow_http: true to permit it (emulators and tests only)"
            )
        return self


class ConnectorSettings(_Strict):
    """Settings every connector shares."""

    endpoint: EndpointSettings = EndpointSettings()

    max_workers: int = Field(8, ge=1, le=64, description="Accounts/regions read at once.")
    retry: RetrySettings = RetrySettings()
    instance_types: list[str] = Field(
        default_factory=list,
        description="Glob patterns of instance types to collect; empty means the provider default (GPU families).",
    )


class CloudTrailSettings(_Strict):
    enabled: bool = True
    regions: list[str] = Field(
        default_factory=list,
        description="Regions whose CloudTrail is read for ConsoleLogin events; empty means the home region.",
    )
    lookback_days: int = Field(90, ge=1, le=90)


class CurSettings(_Strict):
    path: str = Field(
        description="CUR 2.0 Parquet export: a local file or folder, or s3://bucket/prefix/."
    )
    merge_gap_hours: float = Field(
        1.0, ge=0, description="Hourly line items closer than this join one run."
    )


class ManagedMlSettings(_Strict):
    """GPU capacity rented through the provider's managed ML service (SageMaker, Vertex AI, Azure ML)."""

    enabled: bool = Field(
        True, description="Read the managed ML service's jobs, endpoints and compute."
    )
    lookback_days: int = Field(
        90, ge=1, le=365, description="Jobs created within this many days are read."
    )


class VertexSettings(ManagedMlSettings):
    """Vertex AI is regional: its jobs and endpoints are listed per location."""

    locations: list[str] = Field(
        default_factory=list,
        description="Vertex AI locations to read (e.g. us-central1); empty means every location the project lists.",
    )


class AuditLogSettings(_Strict):
    """Admin-activity and sign-in logs read into the access table (source IP, then GeoIP country)."""

    enabled: bool = Field(True, description="Read the log.")
    lookback_days: int = Field(30, ge=1, le=400, description="Entries of this many days are read.")
    max_entries: int = Field(
        100_000,
        ge=1,
        description="Entries read per project or subscription at most; more is a coverage gap, never a silent cut.",
    )


class AwsSettings(ConnectorSettings):
    """AWS: Organizations accounts, EC2 instances per region, CloudTrail sign-ins, CUR usage."""

    tag_map: dict[str, str] = Field(
        default_factory=lambda: {"tenant_id": "tenant_id", "legal_name": "legal_name"},
        description="Account tag key -> tenant field.",
    )
    role_name: str | None = Field(
        "OrganizationAccountAccessRole",
        description="Role assumed in each member account; null reads with the caller's own credentials.",
    )
    accounts: list[str] = Field(
        default_factory=list,
        description="Allow-list of account ids; empty means every ACTIVE account.",
    )
    regions: list[str] = Field(
        default_factory=list, description="Allow-list of regions; empty means every enabled region."
    )
    profile: str | None = None
    partition: Literal["aws", "aws-us-gov", "aws-cn"] = Field(
        "aws", description="AWS partition: commercial, GovCloud (US) or China."
    )
    home_region: str | None = Field(
        None,
        description="Region for Organizations, STS and DescribeRegions; default us-east-1, us-gov-west-1 or cn-north-1 by partition.",
    )
    cloudtrail: CloudTrailSettings = CloudTrailSettings()
    cur: CurSettings | None = None
    ml: ManagedMlSettings = Field(
        ManagedMlSettings(),
        description="SageMaker training and processing jobs, endpoints, notebook instances and HyperPod clusters, per region.",
    )

    _map = field_validator("tag_map")(_check_field_map)


class GcpSettings(ConnectorSettings):
    """GCP: projects under an organization/folders or a given list, instances by aggregated list."""

    label_map: dict[str, str] = Field(
        default_factory=lambda: {"tenant_id": "tenant_id", "legal_name": "legal_name"},
        description="Project label key -> tenant field.",
    )
    organization: str | None = Field(
        None,
        description="Organization id (digits); its projects are read, with those of its folders when nested.",
    )
    folders: list[str] = Field(
        default_factory=list,
        description="Folder ids whose projects are read, with those of their sub-folders when nested.",
    )
    nested: bool = Field(
        True,
        description="Also read the projects of every folder below the organization and folders, at any depth.",
    )
    projects: list[str] = Field(
        default_factory=list, description="Project ids to read, in addition to the above."
    )
    universe_domain: str | None = Field(
        None,
        description="Google Cloud universe (e.g. a sovereign cloud's domain); default googleapis.com.",
    )
    ml: VertexSettings = Field(
        VertexSettings(), description="Vertex AI custom jobs and endpoints, per location."
    )
    audit_logs: AuditLogSettings = Field(
        AuditLogSettings(),
        description="Cloud Audit Logs (Admin Activity) per project, by the Logging API's entries:list.",
    )

    _map = field_validator("label_map")(_check_field_map)


class AzureSettings(ConnectorSettings):
    """Azure: subscriptions and their VMs."""

    tag_map: dict[str, str] = Field(
        default_factory=lambda: {"tenant_id": "tenant_id", "legal_name": "legal_name"},
        description="Subscription tag key -> tenant field.",
    )
    subscriptions: list[str] = Field(
        default_factory=list,
        description="Subscription ids; empty means every subscription the credential can see.",
    )
    cloud: Literal["public", "china", "usgov"] = Field(
        "public", description="Azure cloud: global, Azure China (21Vianet) or Azure US Government."
    )
    ml: ManagedMlSettings = Field(
        ManagedMlSettings(),
        description="Azure Machine Learning compute instances and clusters, per workspace.",
    )
    activity_log: AuditLogSettings = Field(
        AuditLogSettings(),
        description="Azure Monitor activity log (control-plane calls with their caller IP), per subscription.",
    )

    _map = field_validator("tag_map")(_check_field_map)


class GeoIpSettings(_Strict):
    """Offline IP -> country for sign-ins: a MaxMind/DB-IP `.mmdb` file (GeoLite2-Country, dbip-country-lite, ...)."""

    path: str = Field(
        description="The .mmdb file; a relative path is read from the config file's folder."
    )


class ConnectorsConfig(_Strict):
    """A connectors config file: one optional section per provider, and the sign-in geolocation database."""

    aws: AwsSettings | None = None
    gcp: GcpSettings | None = None
    azure: AzureSettings | None = None
    geoip: GeoIpSettings | None = None

    def resolved(self, base: Path) -> ConnectorsConfig:
        """File paths made relative to `base` (the config file's folder)."""
        if self.geoip is None or Path(self.geoip.path).is_absolute():
            return self
        return self.model_copy(update={"geoip": GeoIpSettings(path=str(base / self.geoip.path))})


SETTINGS_MODELS: dict[str, type[ConnectorSettings]] = {
    "aws": AwsSettings,
    "gcp": GcpSettings,
    "azure": AzureSettings,
}
ProviderName = Literal["aws", "gcp", "azure"]


def _locate(
    marks: dict[tuple[Any, ...], tuple[int, int]], shown: str, loc: tuple[Any, ...]
) -> SourceLocation:
    while loc and loc not in marks:
        loc = loc[:-1]
    line, column = marks.get(loc, (1, 1))
    return SourceLocation(shown, line=line, column=column)


def load_connectors_config(path: str | Path) -> ConnectorsConfig:
    """Read a YAML connectors config (a file or an s3://, gs://, az:// URL); every problem is reported with file, line and field."""
    return load_collect_config(path)[0]


def load_collect_config(path: str | Path) -> tuple[ConnectorsConfig, StorageConfig]:
    """`auditor collect --config`: the connector sections and the `storage:` section that reaches an object-store `--out`.

    A connectors config has `storage:` beside `aws:`, `gcp:`, `azure:`; an audit config has
    it at the top, beside `connectors:`. Both are validated strictly with located errors.
    """
    from auditor.storage.settings import StorageConfig

    data, marks, shown, base = _read_config(path)
    prefix: tuple[str, ...]
    if "connectors" in data:
        # An audit config nests the connector sections under `connectors:`; other keys are its own.
        sections, prefix = data["connectors"] or {}, ("connectors",)
        storage_data = data.get("storage")
    else:
        sections = {k: v for k, v in data.items() if k != "storage"}
        prefix = ()
        storage_data = data.get("storage")
    problems: list[Problem] = []
    connectors = None
    try:
        connectors = ConnectorsConfig.model_validate(sections)
    except ValidationError as exc:
        problems += _problems(exc, marks, shown, prefix)
    storage = StorageConfig()
    try:
        storage = StorageConfig.model_validate(storage_data or {})
    except ValidationError as exc:
        problems += _problems(exc, marks, shown, ("storage",))
    if problems:
        raise ConfigError(problems)
    assert connectors is not None
    storage = _with_aws_chain(storage, connectors.aws)
    if isinstance(base, Path):
        return connectors.resolved(base), storage
    _refuse_relative(connectors, marks, shown, prefix)
    return connectors, storage


def _with_aws_chain(storage: StorageConfig, aws: AwsSettings | None) -> StorageConfig:
    """s3:// snapshots reach S3 through the aws: connector's profile and endpoint unless `storage.s3` names its own.

    The AWS connector's `endpoint.url` serves every AWS API (an emulator, a gateway), S3
    included, so the snapshot goes where the collection came from. GCP's and Azure's
    connector endpoints are their management APIs, not the storage endpoints, so gs:// and
    az:// keep `storage:` alone (their credential chains are the same ones: ADC and
    DefaultAzureCredential).
    """
    if aws is None:
        return storage
    s3 = storage.s3
    update: dict[str, Any] = {}
    if "profile" not in s3.model_fields_set and aws.profile:
        update["profile"] = aws.profile
    if "endpoint" not in s3.model_fields_set and aws.endpoint.url:
        update["endpoint"] = aws.endpoint
    if not update:
        return storage
    return storage.model_copy(update={"s3": s3.model_copy(update=update)})


def _problems(
    exc: ValidationError,
    marks: dict[tuple[Any, ...], tuple[int, int]],
    shown: str,
    prefix: tuple[str, ...],
) -> list[Problem]:
    return [
        Problem(
            _locate(marks, shown, prefix + tuple(err["loc"])),
            "unknown setting" if err["type"] == "extra_forbidden" else err["msg"],
            subject=".".join(str(p) for p in prefix + tuple(err["loc"])),
        )
        for err in exc.errors()
    ]


def _read_config(path: str | Path) -> tuple[dict[str, Any], dict[Any, Any], str, Any]:
    """The config's mapping, its marks, how it is named, and what relative paths resolve against."""
    from auditor.storage.configs import config_url, parent, read_text
    from auditor.storage.location import LocationError

    try:
        url = config_url(path)
    except LocationError as exc:
        raise ConfigError([Problem(None, str(exc), subject="--config")]) from None
    base: Any
    if url is not None:
        shown, base = str(url), parent(url)
        text = read_text(url)
    else:
        shown, base = display_path(path), Path(path).parent
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot read config: {exc.strerror}", location=SourceLocation(shown)
            ) from exc
    try:  # the same hardened reader as rules and audit configs: no aliases, bounded size and depth
        doc = parse_yaml(text, shown, allow_empty=True)
    except InputError as exc:
        raise ConfigError(exc.problems) from None
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "a connectors config is a mapping with sections aws, gcp, azure, geoip, storage",
            location=SourceLocation(shown, 1, 1),
        )
    return data, doc.marks, shown, base


def _refuse_relative(
    connectors: ConnectorsConfig, marks: dict[Any, Any], shown: str, prefix: tuple[str, ...]
) -> None:
    """A config read from a URL: its local-only files (the GeoIP database, a local CUR export) must be absolute."""
    why = (
        "a relative path in a config read from a URL would resolve under the config's prefix, and "
        "this file is read only from a local disk: give an absolute path"
    )
    found = []
    if connectors.geoip is not None and not Path(connectors.geoip.path).is_absolute():
        found.append((prefix + ("geoip", "path"), why))
    cur = connectors.aws.cur if connectors.aws is not None else None
    if cur is not None and "://" not in cur.path and not Path(cur.path).is_absolute():
        found.append((prefix + ("aws", "cur", "path"), why + " or an s3:// URL"))
    if found:
        raise ConfigError(
            [Problem(_locate(marks, shown, loc), msg, subject=".".join(loc)) for loc, msg in found]
        )


def settings_for(
    provider: str, settings: dict[str, Any] | ConnectorSettings | None
) -> ConnectorSettings:
    """The provider's settings model from a dict or model; a dict's errors name the field."""
    model = SETTINGS_MODELS[provider]
    if isinstance(settings, model):
        return settings
    if isinstance(settings, ConnectorSettings):
        raise ConfigError(
            f"settings for '{provider}' must be {model.__name__}, not {type(settings).__name__}"
        )
    try:
        return model.model_validate(settings or {})
    except ValidationError as exc:
        raise ConfigError(
            [
                Problem(
                    None, err["msg"], subject=f"{provider}." + ".".join(str(p) for p in err["loc"])
                )
                for err in exc.errors()
            ]
        ) from None
