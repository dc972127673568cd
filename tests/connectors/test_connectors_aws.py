"""The AWS connector against moto: an organization with tagged member accounts and GPU instances."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import polars as pl
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.connectors import AwsClients, collect
from auditor.connectors.aws import read_cur_usage
from auditor.model.schema import ACCESS, TENANTS, USAGE

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}

REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
ROLE = "OrganizationAccountAccessRole"


def _error(code: str, status: int, op: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        op,
    )


class _Http:
    status_code = 200
    headers: dict[str, str] = {}
    content = b""


def _member_session(account_id: str) -> boto3.Session:
    creds = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="setup"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def _run(session: boto3.Session, region: str, itype: str, count: int = 1) -> list[str]:
    ec2 = session.client("ec2", region_name=region)
    reply = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=count, MaxCount=count, InstanceType=itype
    )
    return [i["InstanceId"] for i in reply["Instances"]]


@pytest.fixture
def org(aws_env: None) -> Any:
    """Three tagged members: acme (GPUs in two regions, one stopped), globex (6 GPUs, paged), denied."""
    with mock_aws():
        client = boto3.client("organizations")
        client.create_organization(FeatureSet="ALL")
        ids = {}
        for name, tags in [
            (
                "acme",
                {
                    "tenant_id": "T-ACME",
                    "legal_name": "Acme Compute Ltd",
                    "aliases": "Acme;ACME HK",
                },
            ),
            ("globex", {"tenant_id": "T-GLOBEX", "legal_name": "Globex GmbH"}),
            ("denied", {"tenant_id": "T-DENIED", "legal_name": "Denied Inc"}),
        ]:
            status = client.create_account(
                Email=f"{name}@example.com",
                AccountName=name,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )
            ids[name] = status["CreateAccountStatus"]["AccountId"]
        acme = _member_session(ids["acme"])
        _run(acme, "us-east-1", "p5.48xlarge")
        _run(acme, "us-east-1", "m5.large")  # not a GPU type: left out
        stopped = _run(acme, "us-west-2", "g5.xlarge")[0]
        acme.client("ec2", region_name="us-west-2").stop_instances(InstanceIds=[stopped])
        _run(acme, "eu-west-1", "p4d.24xlarge")  # in the region that always fails
        _run(_member_session(ids["globex"]), "us-east-1", "p4d.24xlarge", count=6)
        yield ids


def _faults(calls: dict[str, int]) -> Any:
    """Botocore hooks: small pages, one throttle in us-west-2, eu-west-1 down, 'denied' unreachable."""

    def small_pages(params: dict[str, Any], **_: Any) -> None:
        params["MaxResults"] = params.get("MaxResults", 2)

    def small_ec2_pages(params: dict[str, Any], **_: Any) -> None:
        params.setdefault("MaxResults", 5)

    def assume(params: dict[str, Any], **_: Any) -> None:
        if (
            ":role/" in params["RoleArn"]
            and calls.setdefault("denied_arn", "")
            and calls["denied_arn"] in params["RoleArn"]
        ):
            raise _error("AccessDenied", 403, "AssumeRole")

    def describe(context: dict[str, Any], **_: Any) -> None:
        region = context.get("client_region")
        calls[region] = calls.get(region, 0) + 1
        if region == "eu-west-1":
            raise _error("ServiceUnavailable", 503, "DescribeInstances")
        if region == "us-west-2" and calls[region] == 1:
            raise _error("RequestLimitExceeded", 503, "DescribeInstances")

    def lookup(context: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]]:
        event = {
            "EventId": "e1",
            "EventName": "ConsoleLogin",
            "EventTime": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
            "CloudTrailEvent": '{"sourceIPAddress": "203.0.113.7"}',
        }
        return _Http(), {"Events": [event]}

    def hook(session: boto3.Session) -> None:
        events = session.events
        events.register("before-parameter-build.organizations.ListAccounts", small_pages)
        events.register("before-parameter-build.ec2.DescribeInstances", small_ec2_pages)
        events.register("before-parameter-build.sts.AssumeRole", assume)
        events.register("before-call.ec2.DescribeInstances", describe)
        events.register("before-call.cloudtrail.LookupEvents", lookup)

    return hook


def _settings(**extra: Any) -> dict[str, Any]:
    base = {
        "regions": REGIONS,
        "role_name": ROLE,
        "retry": FAST_RETRY,
        "tag_map": {"tenant_id": "tenant_id", "legal_name": "legal_name", "aliases": "aliases"},
    }
    return {**base, **extra}


def test_collects_tenants_usage_and_signins_with_gaps(org: dict[str, str]) -> None:
    calls: dict[str, Any] = {"denied_arn": org["denied"]}
    clients = AwsClients(
        session=boto3.Session(region_name="us-east-1"), session_hook=_faults(calls)
    )
    result = collect("aws", _settings(), clients=clients, progress=False)

    assert result.tenants.schema == pl.Schema(TENANTS.polars_schema())
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    assert result.access.schema == pl.Schema(ACCESS.polars_schema())
    tenants = {r["tenant_id"]: r for r in result.tenants.iter_rows(named=True)}
    assert tenants["T-ACME"]["legal_name"] == "Acme Compute Ltd"
    assert tenants["T-ACME"]["aliases"] == ["Acme", "ACME HK"]
    assert {"T-GLOBEX", "T-DENIED", "123456789012"} <= set(
        tenants
    )  # paged past the first 2 accounts

    usage = result.usage
    acme = usage.filter(pl.col("tenant_id") == "T-ACME").sort("region")
    assert acme["instance_type"].to_list() == [
        "p5.48xlarge",
        "g5.xlarge",
    ]  # m5 left out, eu-west-1 unread
    assert acme["region"].to_list() == ["us-east-1", "us-west-2"]
    assert (
        acme["end"].to_list()[0] is None and acme["end"].to_list()[1] is not None
    )  # the stopped one has ended
    assert (
        usage.filter(pl.col("tenant_id") == "T-GLOBEX").height == 6
    )  # two pages of describe_instances
    assert calls["us-west-2"] >= 2  # the throttled call was retried and then succeeded

    gaps = {(g.scope_kind, g.scope, g.operation): g for g in result.gaps}
    assert ("account", org["denied"], "sts:AssumeRole") in gaps
    assert (
        gaps[("account", org["denied"], "sts:AssumeRole")].attempts == 1
    )  # a denial is not retried
    region_gaps = [g for g in result.gaps if g.scope_kind == "region"]
    assert {g.scope.split("/")[1] for g in region_gaps} == {"eu-west-1"}
    assert all(g.attempts == FAST_RETRY["attempts"] for g in region_gaps)
    assert not any(g.scope.startswith(org["denied"] + "/") for g in region_gaps)
    assert result.manifest["complete"] is False and result.manifest["counts"]["gaps"] == len(
        result.gaps
    )

    assert "203.0.113.7" in result.access["source_ip"].to_list()
    assert set(result.access["tenant_id"]) >= {"T-ACME", "T-GLOBEX"}

    # Progress per scope: each account and region is counted, and the ones not read whole are named.
    coverage = result.manifest["coverage"]
    assert coverage["account"]["planned"] == 4 and coverage["account"]["failed"] == 1
    assert [n["scope"] for n in coverage["account"]["not_whole"]] == [org["denied"]]
    opened = sorted(set(tenant_ids := [org["acme"], org["globex"], "123456789012"]))
    assert coverage["region"]["planned"] == 3 * len(tenant_ids)
    assert [n["scope"] for n in coverage["region"]["not_whole"]] == [
        f"{a}/eu-west-1" for a in opened
    ]
    # one CloudTrail per opened account, and SageMaker in each of its regions
    assert coverage["service"]["read"] == 3 + 3 * len(tenant_ids)


def _cur_items(account: str, resource: str, itype: str, hours: list[int]) -> list[dict[str, Any]]:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        {
            "line_item_usage_account_id": account,
            "line_item_resource_id": resource,
            "product_instance_type": itype,
            "product_region_code": "us-east-1",
            "line_item_usage_start_date": t0 + timedelta(hours=h),
            "line_item_usage_end_date": t0 + timedelta(hours=h + 1),
        }
        for h in hours
    ]


def _cur_parquet(rows: list[dict[str, Any]], as_map: bool = False) -> bytes:
    df = pl.DataFrame(rows)
    if as_map:  # CUR 2.0 keeps non-static product attributes in the `product` map column
        df = df.with_columns(
            product=pl.concat_list(
                pl.struct(key=pl.lit("instance_type"), value=pl.col("product_instance_type"))
            )
        ).with_columns(product_instance_type=pl.lit(None, pl.String))
    buf = io.BytesIO()
    df.write_parquet(buf)
    return buf.getvalue()


def test_cur_hourly_items_become_runs(tmp_path: Any) -> None:
    (tmp_path / "a.parquet").write_bytes(
        _cur_parquet(_cur_items("111", "i-aaa", "p5.48xlarge", [0, 1, 2, 6, 7]))
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.parquet").write_bytes(
        _cur_parquet(
            _cur_items("222", "i-bbb", "h100-map.xl", [3])
            + _cur_items("222", "i-ccc", "m5.large", [3]),
            as_map=True,
        )
    )
    runs = read_cur_usage(
        str(tmp_path), None, {"111": "T-1"}, ["p*", "h100-*"], merge_gap_hours=1.0
    )
    assert runs.schema == pl.Schema(USAGE.polars_schema())
    aaa = runs.filter(pl.col("instance_id") == "i-aaa").sort("start")
    assert aaa["tenant_id"].to_list() == ["T-1", "T-1"]
    assert [(e - s).total_seconds() / 3600 for s, e in zip(aaa["start"], aaa["end"])] == [3.0, 2.0]
    bbb = runs.filter(pl.col("instance_id") == "i-bbb")
    assert bbb["instance_type"].to_list() == ["h100-map.xl"] and bbb["tenant_id"].to_list() == [
        "222"
    ]  # type from the map column
    assert runs.filter(pl.col("instance_id") == "i-ccc").is_empty()


def test_cur_on_s3_adds_history_and_a_bad_cur_is_a_gap(org: dict[str, str]) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="billing")
    s3.put_object(
        Bucket="billing",
        Key="cur/data/part-0.parquet",
        Body=_cur_parquet(_cur_items(org["acme"], "i-old", "p4d.24xlarge", [0, 1])),
    )
    settings = _settings(
        regions=["us-east-1"], cloudtrail={"enabled": False}, cur={"path": "s3://billing/cur/"}
    )
    result = collect(
        "aws",
        settings,
        clients=AwsClients(session=boto3.Session(region_name="us-east-1")),
        progress=False,
    )
    old = result.usage.filter(pl.col("instance_id") == "i-old")
    assert old["tenant_id"].to_list() == ["T-ACME"] and old["provider"].to_list() == ["aws"]
    assert result.complete

    missing = collect(
        "aws",
        {**settings, "cur": {"path": "s3://billing/nothing-here/"}},
        clients=AwsClients(session=boto3.Session(region_name="us-east-1")),
        progress=False,
    )
    assert [(g.scope_kind, g.operation) for g in missing.gaps] == [("service", "cur:read")]
    assert not missing.manifest["complete"]
