"""An unexpected fault while turning one scope's reply into rows is that scope's coverage gap.

The SDK call succeeds but the reply is not what the row builder expects (here a botocore
hook corrupts one region's DescribeInstances reply after parsing): that region's GPUs are
unknown, so the collection must say so -- never drop them and report itself complete.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from connector_servers import aws_env  # noqa: F401 - fixture
from auditor.connectors import AwsClients, collect
from auditor.connectors.base import Collection

REGIONS = ["us-east-1", "us-west-2"]


@pytest.fixture
def account(aws_env: None) -> Any:
    """The management account with one p5 in each of two regions."""
    with mock_aws():
        boto3.client("organizations").create_organization(FeatureSet="ALL")
        for region in REGIONS:
            boto3.client("ec2", region_name=region).run_instances(
                ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="p5.48xlarge"
            )
        yield


def corrupt(region: str) -> Any:
    def after_describe(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if context.get("client_region") == region:
            for reservation in parsed.get("Reservations", []):
                for inst in reservation.get("Instances", []):
                    inst["State"] = "running"  # a string where the row builder reads State.Name

    def hook(session: boto3.Session) -> None:
        session.events.register("after-call.ec2.DescribeInstances", after_describe)

    return hook


def settings() -> dict[str, Any]:
    return {
        "regions": REGIONS,
        "role_name": None,
        "cloudtrail": {"enabled": False},
        "retry": {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02},
    }


def test_a_region_whose_rows_fail_to_build_is_a_gap_and_the_rest_is_kept(account: None) -> None:
    clients = AwsClients(
        session=boto3.Session(region_name="us-east-1"), session_hook=corrupt("us-west-2")
    )
    result = collect("aws", settings(), clients=clients, progress=False)
    assert result.usage["region"].to_list() == ["us-east-1"]
    gaps = [(g.scope_kind, g.scope.split("/")[1], g.operation) for g in result.gaps]
    assert gaps == [("region", "us-west-2", "collect")]
    assert "AttributeError" in result.gaps[0].error
    assert result.complete is False and result.manifest["complete"] is False


def test_the_same_collection_without_the_fault_is_complete(account: None) -> None:
    result = collect(
        "aws",
        settings(),
        clients=AwsClients(session=boto3.Session(region_name="us-east-1")),
        progress=False,
    )
    assert sorted(result.usage["region"].to_list()) == REGIONS
    assert result.gaps == [] and result.manifest["complete"] is True


def test_fan_out_keeps_every_good_scope_in_order_and_records_each_failure() -> None:
    out = Collection("test")

    def read(n: int) -> int:
        if n % 3 == 0:
            raise ValueError(f"bad {n}")
        return n * 10

    kept = out.fan_out(
        read, list(range(1, 8)), scope_kind="region", scope_of=lambda n: f"r{n}", max_workers=3
    )
    assert kept == [10, 20, 40, 50, 70]
    assert [(g.scope, g.operation, g.error, g.attempts) for g in out.gaps] == [
        ("r3", "collect", "ValueError: bad 3", 1),
        ("r6", "collect", "ValueError: bad 6", 1),
    ]
    assert out.fan_out(read, [], scope_kind="region", scope_of=str, max_workers=2) == []
