"""AWS connector: Organizations accounts as tenants, EC2 GPU instances and CloudTrail sign-ins.

Accounts come from `organizations:ListAccounts` with their tags mapped to tenant fields; each
member account is read through an assumed role, every enabled region concurrently, and
SageMaker in the same regions (see `aws_sagemaker`). Usage history comes from a CUR 2.0
Parquet export when one is configured.
boto3 is imported lazily; the SDK's own retries are off so `call_with_retry` is the one policy.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from collections.abc import Callable

from auditor.connectors.base import (
    Collection,
    Progress,
    RetryingConnector,
    ScopeFailed,
    matches_any,
    parse_time,
    require_sdk,
    tenant_row,
)
from auditor.connectors.config import AwsSettings
from auditor.errors import ConnectorError

log = logging.getLogger("auditor.connectors.aws")

DEFAULT_INSTANCE_TYPES = ["p*", "g*", "trn*", "inf*", "dl*"]
THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
}
_TRANSITION_TIME = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")
_ENDED_STATES = {"stopping", "stopped", "shutting-down", "terminated"}
# The region each partition's global services (Organizations, STS) answer in.
HOME_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


def is_retryable(exc: BaseException) -> bool:
    """Throttling, 5xx and connection faults are retried; denials and bad requests are not."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError as BotoConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in THROTTLING_CODES or status == 429 or status >= 500
    return isinstance(exc, (BotoConnectionError, ReadTimeoutError))


@dataclass
class AwsClients:
    """Where the connector gets its boto3 sessions and clients; inject one to point it elsewhere.

    `session_hook` is called on the base session and every assumed-role session, e.g. to
    register botocore event handlers.
    """

    session: Any = None
    endpoint_url: str | None = None
    session_hook: Callable[[Any], None] | None = None
    botocore_config: Any = None
    verify: str | bool | None = None  # a CA bundle path; None is the SDK default

    def __post_init__(self) -> None:
        import boto3
        from botocore.config import Config

        if self.session is None:
            self.session = boto3.Session()
        if self.botocore_config is None:
            self.botocore_config = Config(
                retries={"mode": "standard", "total_max_attempts": 1},
                connect_timeout=10,
                read_timeout=60,
            )
        if self.session_hook:
            self.session_hook(self.session)

    def client(self, session: Any, service: str, region: str) -> Any:
        return session.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            config=self.botocore_config,
            verify=self.verify,
        )

    def assumed_session(self, credentials: dict[str, Any]) -> Any:
        import boto3

        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        if self.session_hook:
            self.session_hook(session)
        return session


def clients_from_settings(settings: AwsSettings) -> AwsClients:
    """boto3 sessions and clients as the config's `endpoint:` and `partition:` say: no code path is test-only."""
    import boto3
    from botocore.config import Config

    from auditor.connectors.endpoints import ca_bundle_path, proxies

    endpoint = settings.endpoint
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=10,
        read_timeout=60,
        proxies=proxies(endpoint),
    )
    region = settings.home_region or HOME_REGIONS[settings.partition]
    session = (
        boto3.Session(profile_name=settings.profile, region_name=region)
        if settings.profile
        else boto3.Session(region_name=region)
    )
    if endpoint.auth == "none":
        session = boto3.Session(
            aws_access_key_id="emulator", aws_secret_access_key="emulator", region_name=region
        )
    return AwsClients(
        session=session,
        endpoint_url=endpoint.url,
        botocore_config=config,
        verify=ca_bundle_path(endpoint),
    )


@dataclass
class _Account:
    account_id: str
    tenant_id: str
    partition: str
    session: Any = None
    regions: dict[str, Any] = field(default_factory=dict)  # region -> ec2 client
    sagemaker: dict[str, Any] = field(default_factory=dict)  # region -> sagemaker client


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


class AwsConnector(RetryingConnector):
    """Reads an AWS Organization: accounts, GPU instances per region, sign-ins, CUR usage."""

    name: ClassVar[str] = "aws"
    settings_model: ClassVar[type[AwsSettings]] = AwsSettings
    settings: AwsSettings
    retryable = staticmethod(is_retryable)

    def __init__(self, settings: AwsSettings, clients: AwsClients | None = None) -> None:
        require_sdk("boto3", "aws")
        self.settings = settings
        if clients is None:
            clients = clients_from_settings(settings)
        self.clients = clients
        self.home_region = (
            settings.home_region or clients.session.region_name or HOME_REGIONS[settings.partition]
        )
        self.instance_types = settings.instance_types or DEFAULT_INSTANCE_TYPES
        self._account_tenants: dict[str, str] = {}

    def collect(self, progress: Progress) -> Collection:
        out = Collection("aws", progress=progress)
        base = self.clients.session
        org = self.clients.client(base, "organizations", self.home_region)
        try:
            accounts = self._retry(
                lambda: _paginate(org, "list_accounts", "Accounts"), "organizations:ListAccounts"
            )
        except ScopeFailed as exc:
            raise ConnectorError(f"aws: cannot list the organization's accounts: {exc}") from exc
        accounts = [a for a in accounts if a.get("Status", a.get("State", "ACTIVE")) == "ACTIVE"]
        accounts = self._allowed(accounts, out)
        log.info("event=accounts_listed provider=aws count=%d", len(accounts))
        for account in accounts:
            progress.plan("account", account["Id"])
        sts = self.clients.client(base, "sts", self.home_region)

        def open_account(account: dict[str, Any]) -> _Account:
            return self._open_account(account, org, sts, out)

        opened = out.fan_out(
            open_account,
            accounts,
            scope_kind="account",
            scope_of=lambda a: a["Id"],
            max_workers=self.settings.max_workers,
        )
        tasks = [
            (acct, region, ec2) for acct in opened for region, ec2 in sorted(acct.regions.items())
        ]
        for acct, region, _ in tasks:
            progress.plan("region", f"{acct.account_id}/{region}")

        def read_region(task: tuple[_Account, str, Any]) -> list[dict[str, Any]]:
            acct, region, ec2 = task
            try:
                reservations = self._retry(
                    lambda: _paginate(ec2, "describe_instances", "Reservations"),
                    "ec2:DescribeInstances",
                )
            except ScopeFailed as exc:
                out.gap("region", f"{acct.account_id}/{region}", "ec2:DescribeInstances", exc)
                return []
            progress.done("region", f"{acct.account_id}/{region}")
            rows = self._instance_rows(acct, region, reservations)
            log.info(
                "event=region_read provider=aws account=%s region=%s instances=%d",
                acct.account_id,
                region,
                len(rows),
            )
            return rows

        region_of = lambda task: f"{task[0].account_id}/{task[1]}"  # noqa: E731
        for rows in out.fan_out(
            read_region,
            tasks,
            scope_kind="region",
            scope_of=region_of,
            max_workers=self.settings.max_workers,
        ):
            out.usage.extend(rows)
        if self.settings.ml.enabled:
            self._read_sagemaker(opened, out)
        if self.settings.cloudtrail.enabled:
            self._read_cloudtrail(opened, out)
        if self.settings.cur is not None:
            self._read_cur(out)
        out.scope = {
            "accounts": sorted(a.account_id for a in opened),
            "regions": sorted({r for a in opened for r in a.regions}),
            "instance_types": self.instance_types,
            "cloudtrail": self.settings.cloudtrail.enabled,
            "services": ["sagemaker"] if self.settings.ml.enabled else [],
            "cur": self.settings.cur.path if self.settings.cur else None,
        }
        return out

    def _allowed(self, accounts: list[dict[str, Any]], out: Collection) -> list[dict[str, Any]]:
        """The ACTIVE accounts to read; an allow-listed id the organization lacks is a gap, none at all an error.

        A typo in `accounts:` must not pass for a clean, complete collection of nothing.
        """
        if not self.settings.accounts:
            if not accounts:
                raise ConnectorError("aws: the organization lists no ACTIVE accounts to read")
            return accounts
        allowed = set(self.settings.accounts)
        listed = {a["Id"] for a in accounts}
        missing = [
            account_id
            for account_id in dict.fromkeys(self.settings.accounts)
            if account_id not in listed
        ]
        kept = [a for a in accounts if a["Id"] in allowed]
        if not kept:
            raise ConnectorError(
                f"aws: none of the {len(allowed)} account(s) in `accounts:` is an ACTIVE account of the organization "
                f"(not found: {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); check the ids in the config"
            )
        for account_id in missing:
            out.gap(
                "account",
                account_id,
                "organizations:ListAccounts",
                LookupError(
                    "not an ACTIVE account of the organization; check `accounts:` in the config"
                ),
            )
        return kept

    def _open_account(
        self, account: dict[str, Any], org: Any, sts: Any, out: Collection
    ) -> _Account:
        account_id = account["Id"]
        try:
            tags_list = self._retry(
                lambda: _paginate(org, "list_tags_for_resource", "Tags", ResourceId=account_id),
                "organizations:ListTagsForResource",
            )
        except ScopeFailed as exc:
            out.gap("account", account_id, "organizations:ListTagsForResource", exc)
            tags_list = []
        tags = {t["Key"]: t["Value"] for t in tags_list}
        row = tenant_row(
            account_id,
            account.get("Name"),
            tags,
            self.settings.tag_map,
            account.get("JoinedTimestamp"),
        )
        out.tenants.append(row)
        self._account_tenants[account_id] = row["tenant_id"]
        partition = (account.get("Arn") or f"arn:{self.settings.partition}:").split(":")[
            1
        ] or self.settings.partition
        acct = _Account(account_id, row["tenant_id"], partition)
        try:
            if self.settings.role_name:
                arn = f"arn:{partition}:iam::{account_id}:role/{self.settings.role_name}"
                creds = self._retry(
                    lambda: sts.assume_role(RoleArn=arn, RoleSessionName="auditor-collect")[
                        "Credentials"
                    ],
                    "sts:AssumeRole",
                )
                acct.session = self.clients.assumed_session(creds)
            else:
                acct.session = self.clients.session
        except ScopeFailed as exc:
            out.gap("account", account_id, "sts:AssumeRole", exc)
            return acct
        home = self.clients.client(acct.session, "ec2", self.home_region)
        try:
            enabled = self._retry(
                lambda: [r["RegionName"] for r in home.describe_regions()["Regions"]],
                "ec2:DescribeRegions",
            )
        except ScopeFailed as exc:
            out.gap("account", account_id, "ec2:DescribeRegions", exc)
            return acct
        wanted = [r for r in enabled if not self.settings.regions or r in self.settings.regions]
        # Clients are made here, on one thread per session: boto3 sessions are not thread-safe.
        acct.regions = {
            region: self.clients.client(acct.session, "ec2", region) for region in wanted
        }
        if self.settings.ml.enabled:
            acct.sagemaker = {
                region: self.clients.client(acct.session, "sagemaker", region) for region in wanted
            }
        out.progress.done("account", account_id)
        return acct

    def _instance_rows(
        self, acct: _Account, region: str, reservations: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        rows = []
        for reservation in reservations:
            for inst in reservation.get("Instances", []):
                itype = inst.get("InstanceType")
                if not matches_any(itype, self.instance_types):
                    continue
                state = inst.get("State", {}).get("Name")
                end = None
                if state in _ENDED_STATES:
                    found = _TRANSITION_TIME.search(inst.get("StateTransitionReason") or "")
                    end = parse_time(found.group(1) + "+00:00") if found else None
                rows.append(
                    {
                        "tenant_id": acct.tenant_id,
                        "provider": "aws",
                        "account_id": acct.account_id,
                        "region": region,
                        "instance_id": inst.get("InstanceId"),
                        "instance_type": itype,
                        "start": parse_time(inst.get("LaunchTime")),
                        "end": end,
                    }
                )
        return rows

    def _read_sagemaker(self, accounts: list[_Account], out: Collection) -> None:
        """SageMaker's GPU instances per account and region: training and processing jobs, endpoints, notebooks, HyperPod."""
        from auditor.connectors.aws_sagemaker import SageMakerReader, SageMakerScope

        since = datetime.now(UTC) - timedelta(days=self.settings.ml.lookback_days)
        tasks = [
            (SageMakerScope(a.account_id, a.tenant_id, region), client)
            for a in accounts
            for region, client in sorted(a.sagemaker.items())
        ]
        for scope, _ in tasks:
            out.progress.plan("service", scope.name)

        def read(task: tuple[SageMakerScope, Any]) -> list[dict[str, Any]]:
            scope, client = task

            def gap(operation: str, failure: BaseException) -> None:
                out.gap("service", scope.name, operation, failure)

            reader = SageMakerReader(client, scope, self.instance_types, since, self._retry, gap)
            rows = reader.read()
            out.progress.done("service", scope.name)
            log.info(
                "event=service_read provider=aws service=sagemaker account=%s region=%s instances=%d",
                scope.account_id,
                scope.region,
                len(rows),
            )
            return rows

        for rows in out.fan_out(
            read,
            tasks,
            scope_kind="service",
            scope_of=lambda task: task[0].name,
            max_workers=self.settings.max_workers,
        ):
            out.usage.extend(rows)

    def _read_cloudtrail(self, accounts: list[_Account], out: Collection) -> None:
        ct = self.settings.cloudtrail
        end = datetime.now(UTC)
        start = end - timedelta(days=ct.lookback_days)
        regions = ct.regions or [self.home_region]
        tasks = [
            (a, region, self.clients.client(a.session, "cloudtrail", region))
            for a in accounts
            if a.session is not None
            for region in regions
        ]

        for acct, region, _ in tasks:
            out.progress.plan("service", f"{acct.account_id}/{region}/cloudtrail")

        def read(task: tuple[_Account, str, Any]) -> list[dict[str, Any]]:
            acct, region, client = task
            attrs = [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]
            try:
                events = self._retry(
                    lambda: _paginate(
                        client,
                        "lookup_events",
                        "Events",
                        LookupAttributes=attrs,
                        StartTime=start,
                        EndTime=end,
                    ),
                    "cloudtrail:LookupEvents",
                )
            except ScopeFailed as exc:
                out.gap(
                    "service",
                    f"{acct.account_id}/{region}/cloudtrail",
                    "cloudtrail:LookupEvents",
                    exc,
                )
                return []
            out.progress.done("service", f"{acct.account_id}/{region}/cloudtrail")
            rows = []
            for event in events:
                try:
                    detail = json.loads(event.get("CloudTrailEvent") or "{}")
                except ValueError:
                    detail = {}
                rows.append(
                    {
                        "tenant_id": acct.tenant_id,
                        "timestamp": parse_time(event.get("EventTime")),
                        "source_ip": detail.get("sourceIPAddress"),
                    }
                )
            log.info(
                "event=signins_read provider=aws account=%s region=%s events=%d",
                acct.account_id,
                region,
                len(rows),
            )
            return rows

        trail_of = lambda task: f"{task[0].account_id}/{task[1]}/cloudtrail"  # noqa: E731
        for rows in out.fan_out(
            read,
            tasks,
            scope_kind="service",
            scope_of=trail_of,
            max_workers=self.settings.max_workers,
        ):
            out.access.extend(rows)

    def _read_cur(self, out: Collection) -> None:
        cur = self.settings.cur
        assert cur is not None
        tenant_of = dict(self._account_tenants)
        s3 = (
            self.clients.client(self.clients.session, "s3", self.home_region)
            if cur.path.startswith("s3://")
            else None
        )
        out.progress.plan("service", cur.path)
        try:
            history = self._retry(
                lambda: read_cur_usage(
                    cur.path, s3, tenant_of, self.instance_types, cur.merge_gap_hours
                ),
                "cur:read",
            )
        except ScopeFailed as exc:
            out.gap("service", cur.path, "cur:read", exc)
            return
        out.progress.done("service", cur.path)
        out.extra_usage.append(merge_with_live(history, out.usage))


# --- CUR 2.0 usage history -------------------------------------------------------------

_CUR_START = "line_item_usage_start_date"
_CUR_END = "line_item_usage_end_date"


def _glob_regex(patterns: list[str]) -> str:
    parts = [re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") for p in patterns]
    return "^(?:" + "|".join(parts) + ")$"


def _read_cur_frames(path: str, s3: Any) -> Any:
    import io
    from pathlib import Path

    import polars as pl

    if path.startswith("s3://"):
        bucket, _, prefix = path[5:].partition("/")
        keys = [
            o["Key"]
            for o in _paginate(s3, "list_objects_v2", "Contents", Bucket=bucket, Prefix=prefix)
            if o["Key"].endswith(".parquet")
        ]
        frames = [
            pl.read_parquet(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
            for key in keys
        ]
    else:
        local = Path(path)
        if not local.exists():
            raise FileNotFoundError(f"CUR export not found: {path}")
        files = sorted(local.rglob("*.parquet")) if local.is_dir() else [local]
        frames = [pl.read_parquet(f) for f in files]
    if not frames:
        raise FileNotFoundError(f"no Parquet files in CUR export {path}")
    return pl.concat(frames, how="diagonal_relaxed")


def _as_utc(expr: Any, dtype: Any) -> Any:
    import polars as pl

    if dtype == pl.String:
        expr = expr.str.to_datetime(time_zone="UTC", time_unit="us")
    elif isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        expr = expr.dt.replace_time_zone("UTC")
    return expr.cast(pl.Datetime("us", "UTC"))


def read_cur_usage(
    path: str, s3: Any, tenant_of: dict[str, str], instance_types: list[str], merge_gap_hours: float
) -> Any:
    """Usage runs from a CUR 2.0 export: hourly EC2 line items per instance joined into runs.

    The instance type is `product_instance_type`, else `product['instance_type']` in the
    CUR 2.0 map column. Line items of one resource less than `merge_gap_hours` apart are one run.
    """
    import polars as pl

    from auditor.connectors.base import frame
    from auditor.model.schema import USAGE

    raw = _read_cur_frames(path, s3)
    cols = raw.schema
    missing = [
        c
        for c in ("line_item_usage_account_id", "line_item_resource_id", _CUR_START, _CUR_END)
        if c not in cols
    ]
    if missing:
        raise ValueError(
            f"not a CUR 2.0 export with resource ids: missing column(s) {', '.join(missing)}"
        )
    type_exprs = []
    if "product_instance_type" in cols:
        type_exprs.append(pl.col("product_instance_type").replace("", None))
    if "product" in cols:
        entries = pl.col("product").cast(pl.List(pl.Struct({"key": pl.String, "value": pl.String})))
        type_exprs.append(
            entries.list.eval(
                pl.element()
                .filter(pl.element().struct.field("key") == "instance_type")
                .struct.field("value")
            ).list.first()
        )
    if not type_exprs:
        raise ValueError("not a CUR 2.0 export: neither product_instance_type nor product column")
    region = (
        pl.col("product_region_code") if "product_region_code" in cols else pl.lit(None, pl.String)
    )
    items = raw.select(
        account_id=pl.col("line_item_usage_account_id").cast(pl.String),
        instance_id=pl.col("line_item_resource_id").cast(pl.String),
        instance_type=pl.coalesce(type_exprs),
        region=region.cast(pl.String),
        start=_as_utc(pl.col(_CUR_START), cols[_CUR_START]),
        end=_as_utc(pl.col(_CUR_END), cols[_CUR_END]),
    ).filter(
        pl.col("instance_id").str.starts_with("i-")
        & pl.col("instance_type").str.contains(_glob_regex(instance_types))
    )
    gap = pl.duration(microseconds=int(merge_gap_hours * 3_600_000_000))
    keys = ["account_id", "instance_id", "instance_type", "region"]
    runs = (
        items.sort([*keys, "start"], nulls_last=True)
        .with_columns(
            run=((pl.col("start") - pl.col("end").cum_max().shift(1)) > gap)
            .fill_null(True)
            .cum_sum()
            .over(keys)
        )
        .group_by([*keys, "run"], maintain_order=True)
        .agg(pl.col("start").min(), pl.col("end").max())
    )
    tenants = pl.DataFrame(
        {"account_id": list(tenant_of), "tenant_id": list(tenant_of.values())},
        schema={"account_id": pl.String, "tenant_id": pl.String},
    )
    runs = runs.join(tenants, on="account_id", how="left").with_columns(
        tenant_id=pl.coalesce("tenant_id", "account_id"), provider=pl.lit("aws")
    )
    return pl.concat(
        [frame(USAGE, []), runs.select([c for c in USAGE.names if c in runs.columns])],
        how="diagonal_relaxed",
    ).select([pl.col(n).cast(t) for n, t in USAGE.polars_schema().items()])


def merge_with_live(history: Any, live: list[dict[str, Any]]) -> Any:
    """CUR runs minus those the live instance listing already reports (same instance, overlapping)."""
    import polars as pl

    if not live:
        return history
    starts = (
        pl.DataFrame(
            {
                "instance_id": [r["instance_id"] for r in live],
                "live_start": [r["start"] for r in live],
            },
            schema={"instance_id": pl.String, "live_start": pl.Datetime("us", "UTC")},
        )
        .group_by("instance_id")
        .agg(pl.col("live_start").min())
    )
    kept = history.join(starts, on="instance_id", how="left").filter(
        pl.col("live_start").is_null() | (pl.col("end") < pl.col("live_start"))
    )
    return kept.drop("live_start")
