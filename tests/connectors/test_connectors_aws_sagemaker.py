"""SageMaker's GPU instances (training jobs, endpoints, notebooks, HyperPod) against moto, with the real boto3 client."""

from __future__ import annotations

from typing import Any

import boto3
import polars as pl
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from connector_servers import aws_env  # noqa: F401 - fixture
from auditor.catalog import resolve_usage
from auditor.connectors import AwsClients, collect
from auditor.model.schema import USAGE

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
ROLE = "arn:aws:iam::123456789012:role/sagemaker"
ACCOUNT = "123456789012"


def _error(code: str, status: int, op: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        op,
    )


def _training_job(sm: Any, name: str, itype: str, count: int) -> None:
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://b/o"},
        ResourceConfig={"InstanceType": itype, "InstanceCount": count, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )


def _populate(region: str) -> None:
    sm = boto3.client("sagemaker", region_name=region)
    _training_job(sm, "train-h100", "ml.p5.48xlarge", 2)
    _training_job(sm, "train-cpu", "ml.m5.large", 4)  # not a GPU type: left out
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"})
    sm.create_endpoint_config(
        EndpointConfigName="ec",
        ProductionVariants=[
            {
                "VariantName": "v1",
                "ModelName": "m",
                "InstanceType": "ml.g4dn.12xlarge",
                "InitialInstanceCount": 3,
            }
        ],
    )
    sm.create_endpoint(EndpointName="serve", EndpointConfigName="ec")
    sm.create_notebook_instance(
        NotebookInstanceName="nb", InstanceType="ml.p3.2xlarge", RoleArn=ROLE
    )
    sm.create_cluster(
        ClusterName="hyperpod",
        InstanceGroups=[
            {
                "InstanceCount": 2,
                "InstanceGroupName": "workers",
                "InstanceType": "ml.p5.48xlarge",
                "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-b/x", "OnCreate": "x.sh"},
                "ExecutionRole": ROLE,
                "ThreadsPerCore": 1,
            }
        ],
    )


@pytest.fixture
def sagemaker(aws_env: None) -> Any:
    with mock_aws():
        boto3.client("organizations").create_organization(FeatureSet="ALL")
        _populate("us-east-1")
        _populate("us-west-2")
        yield


def _hooks(calls: dict[str, int]) -> Any:
    """us-west-2: ListTrainingJobs throttled once (retried), ListClusters denied (a gap)."""

    def training(context: dict[str, Any], **_: Any) -> None:
        region = context.get("client_region")
        calls[region] = calls.get(region, 0) + 1
        if region == "us-west-2" and calls[region] == 1:
            raise _error("ThrottlingException", 400, "ListTrainingJobs")

    def clusters(context: dict[str, Any], **_: Any) -> None:
        if context.get("client_region") == "us-west-2":
            raise _error("AccessDeniedException", 400, "ListClusters")

    def hook(session: boto3.Session) -> None:
        session.events.register("before-call.sagemaker.ListTrainingJobs", training)
        session.events.register("before-call.sagemaker.ListClusters", clusters)

    return hook


def _collect(calls: dict[str, int], **extra: Any) -> Any:
    clients = AwsClients(session=boto3.Session(region_name="us-east-1"), session_hook=_hooks(calls))
    settings = {
        "regions": ["us-east-1", "us-west-2"],
        "role_name": None,
        "retry": FAST_RETRY,
        "cloudtrail": {"enabled": False},
        **extra,
    }
    return collect("aws", settings, clients=clients, progress=False)


def test_sagemaker_rows_one_per_instance_with_service_set(sagemaker: None) -> None:
    calls: dict[str, int] = {}
    result = _collect(calls)
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    east = result.usage.filter(pl.col("region") == "us-east-1", pl.col("service") == "sagemaker")
    counts = dict(east.group_by("instance_type").len().iter_rows())
    # 2 training + 2 HyperPod nodes of p5, 3 endpoint instances of g4dn, 1 notebook of p3; no m5
    assert counts == {"ml.p5.48xlarge": 4, "ml.g4dn.12xlarge": 3, "ml.p3.2xlarge": 1}
    assert east["account_id"].unique().to_list() == [ACCOUNT]
    assert east["instance_id"].n_unique() == east.height  # each instance its own row
    assert (
        east.filter(pl.col("instance_id").str.contains("training-job/train-h100"))[
            "end"
        ].null_count()
        == 0
    )
    assert (
        east.filter(pl.col("instance_id").str.contains("endpoint/serve"))["end"].null_count() == 3
    )
    assert calls["us-west-2"] >= 2  # the throttled listing was retried

    resolved = resolve_usage(east).usage
    p5 = resolved.filter(pl.col("instance_type") == "ml.p5.48xlarge")
    assert set(p5["gpu_model"]) == {"H100-80GB"} and set(p5["gpu_count"]) == {8}
    assert set(p5["restricted"]) == {True}


def test_a_denied_sagemaker_listing_is_a_gap_naming_account_region_and_operation(
    sagemaker: None,
) -> None:
    result = _collect({})
    assert [(g.scope_kind, g.scope, g.operation) for g in result.gaps] == [
        ("service", f"{ACCOUNT}/us-west-2/sagemaker", "sagemaker:ListClusters")
    ]
    assert result.gaps[0].attempts == 1  # a denial is not retried
    assert not result.manifest["complete"]
    west = result.usage.filter(pl.col("region") == "us-west-2", pl.col("service") == "sagemaker")
    # the other listings of that region are still read; only HyperPod is missing
    assert dict(west.group_by("instance_type").len().iter_rows()) == {
        "ml.p5.48xlarge": 2,
        "ml.g4dn.12xlarge": 3,
        "ml.p3.2xlarge": 1,
    }
    service = result.manifest["coverage"]["service"]
    assert service["partial"] == 1 and service["read"] == 1
    assert service["not_whole"][0]["scope"] == f"{ACCOUNT}/us-west-2/sagemaker"


def test_sagemaker_can_be_switched_off(sagemaker: None) -> None:
    result = _collect({}, ml={"enabled": False})
    assert result.usage.filter(pl.col("service") == "sagemaker").height == 0
    assert result.manifest["complete"] and result.manifest["scope"]["services"] == []
