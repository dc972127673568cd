"""SageMaker usage: GPU instances rented through training and processing jobs, endpoints, notebook instances and HyperPod clusters.

None of them appear in `ec2:DescribeInstances`. Each resource becomes usage rows with
`service = "sagemaker"`, one row per instance (a training job on 4 x ml.p5.48xlarge is four
rows), keeping SageMaker's own `ml.` type names, which the catalog resolves. Each listing is
read on its own: one that keeps failing (denied, throttled past its retries) is a gap naming
the account, region and operation, and the others are still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from datetime import datetime
from typing import Any, TypeVar

from auditor.connectors.base import ScopeFailed, matches_any, parse_time

T = TypeVar("T")
SERVICE = "sagemaker"
_ENDED_JOBS = {"Completed", "Failed", "Stopped"}
_LIVE_ENDPOINTS = {"Creating", "InService", "Updating", "SystemUpdating", "RollingBack"}
_LIVE_NOTEBOOKS = {"Pending", "InService", "Updating"}


@dataclass(frozen=True)
class SageMakerScope:
    """One account's SageMaker in one region."""

    account_id: str
    tenant_id: str
    region: str

    @property
    def name(self) -> str:
        return f"{self.account_id}/{self.region}/{SERVICE}"


class _Failed(Exception):
    """A SageMaker call that failed for good, with the operation it was."""

    def __init__(self, operation: str, failure: ScopeFailed) -> None:
        super().__init__(operation)
        self.operation = operation
        self.failure = failure


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


class SageMakerReader:
    """Reads one region's SageMaker; `retry(fn, what)` is the connector's retry policy, `gap` its gap recorder."""

    def __init__(
        self,
        client: Any,
        scope: SageMakerScope,
        instance_types: list[str],
        since: datetime,
        retry: Callable[[Callable[[], Any], str], Any],
        gap: Callable[[str, BaseException], None],
    ) -> None:
        self.client = client
        self.scope = scope
        self.instance_types = instance_types
        self.since = since
        self._retry = retry
        self._gap = gap

    def read(self) -> list[dict[str, Any]]:
        """Every listing's rows; a listing that fails is a gap and the next one is still read."""
        rows: list[dict[str, Any]] = []
        for read in (
            self._training_jobs,
            self._processing_jobs,
            self._endpoints,
            self._notebooks,
            self._clusters,
        ):
            try:
                rows.extend(read())
            except _Failed as failed:
                self._gap(failed.operation, failed.failure)
        return rows

    def _call(self, fn: Callable[[], T], operation: str) -> T:
        try:
            return self._retry(fn, operation)
        except ScopeFailed as exc:
            raise _Failed(operation, exc) from exc

    def _each(self, fn: Callable[[], T], operation: str) -> T | None:
        """One resource's describe call: its failure is a gap, and the other resources are still read."""
        try:
            return self._call(fn, operation)
        except _Failed as failed:
            self._gap(failed.operation, failed.failure)
            return None

    def _wanted(self, itype: str | None) -> bool:
        return itype is not None and matches_any(itype.removeprefix("ml."), self.instance_types)

    def _rows(
        self,
        resource_id: str,
        itype: str,
        count: int,
        start: Any,
        end: Any,
    ) -> list[dict[str, Any]]:
        base = {
            "tenant_id": self.scope.tenant_id,
            "provider": "aws",
            "account_id": self.scope.account_id,
            "region": self.scope.region,
            "instance_type": itype,
            "start": parse_time(start),
            "end": parse_time(end),
            "service": SERVICE,
        }
        return [{**base, "instance_id": f"{resource_id}#{n}"} for n in range(max(int(count), 0))]

    def _training_jobs(self) -> list[dict[str, Any]]:
        client = self.client
        jobs = self._call(
            lambda: _paginate(
                client, "list_training_jobs", "TrainingJobSummaries", CreationTimeAfter=self.since
            ),
            "sagemaker:ListTrainingJobs",
        )
        rows: list[dict[str, Any]] = []
        for job in jobs:
            name = job["TrainingJobName"]
            detail = self._each(
                partial(client.describe_training_job, TrainingJobName=name),
                "sagemaker:DescribeTrainingJob",
            )
            if detail is None:
                continue
            config = detail.get("ResourceConfig") or {}
            groups = config.get("InstanceGroups") or [
                {
                    "InstanceType": config.get("InstanceType"),
                    "InstanceCount": config.get("InstanceCount", 1),
                }
            ]
            ended = detail.get("TrainingJobStatus") in _ENDED_JOBS
            start = detail.get("TrainingStartTime") or detail.get("CreationTime")
            end = (
                (detail.get("TrainingEndTime") or detail.get("LastModifiedTime")) if ended else None
            )
            for group in groups:
                itype = group.get("InstanceType")
                if self._wanted(itype):
                    rows += self._rows(
                        detail.get("TrainingJobArn") or name,
                        itype,
                        group.get("InstanceCount") or 1,
                        start,
                        end,
                    )
        return rows

    def _processing_jobs(self) -> list[dict[str, Any]]:
        """Processing jobs run any container on any instance type, so GPU work can hide there too."""
        client = self.client
        jobs = self._call(
            lambda: _paginate(
                client,
                "list_processing_jobs",
                "ProcessingJobSummaries",
                CreationTimeAfter=self.since,
            ),
            "sagemaker:ListProcessingJobs",
        )
        rows: list[dict[str, Any]] = []
        for job in jobs:
            name = job["ProcessingJobName"]
            detail = self._each(
                partial(client.describe_processing_job, ProcessingJobName=name),
                "sagemaker:DescribeProcessingJob",
            )
            if detail is None:
                continue
            cluster = (detail.get("ProcessingResources") or {}).get("ClusterConfig") or {}
            # with InstancePreferences, SageMaker records the type it actually chose
            itype = cluster.get("SelectedInstanceType") or cluster.get("InstanceType")
            if not self._wanted(itype):
                continue
            count = cluster.get("SelectedInstanceCount") or cluster.get("InstanceCount") or 1
            ended = detail.get("ProcessingJobStatus") in _ENDED_JOBS
            end = (
                (detail.get("ProcessingEndTime") or detail.get("LastModifiedTime"))
                if ended
                else None
            )
            rows += self._rows(
                detail.get("ProcessingJobArn") or name,
                str(itype),
                count,
                detail.get("ProcessingStartTime") or detail.get("CreationTime"),
                end,
            )
        return rows

    def _endpoints(self) -> list[dict[str, Any]]:
        client = self.client
        endpoints = self._call(
            lambda: _paginate(client, "list_endpoints", "Endpoints"), "sagemaker:ListEndpoints"
        )
        configs: dict[str, dict[str, str]] = {}  # endpoint config -> variant -> instance type
        rows: list[dict[str, Any]] = []
        for summary in endpoints:
            name = summary["EndpointName"]
            detail = self._each(
                partial(client.describe_endpoint, EndpointName=name),
                "sagemaker:DescribeEndpoint",
            )
            if detail is None:
                continue
            config_name = detail.get("EndpointConfigName")
            if config_name and config_name not in configs:
                config = self._each(
                    partial(client.describe_endpoint_config, EndpointConfigName=config_name),
                    "sagemaker:DescribeEndpointConfig",
                )
                if config is None:
                    continue
                configs[config_name] = {
                    v["VariantName"]: v.get("InstanceType")
                    for v in config.get("ProductionVariants", [])
                }
            live = detail.get("EndpointStatus") in _LIVE_ENDPOINTS
            end = None if live else detail.get("LastModifiedTime")
            for variant in detail.get("ProductionVariants", []):
                itype = configs.get(config_name or "", {}).get(variant.get("VariantName"))
                if self._wanted(itype):
                    count = variant.get(
                        "CurrentInstanceCount", variant.get("DesiredInstanceCount", 1)
                    )
                    rows += self._rows(
                        f"{detail.get('EndpointArn') or name}/{variant.get('VariantName')}",
                        str(itype),
                        count or 0,
                        detail.get("CreationTime"),
                        end,
                    )
        return rows

    def _notebooks(self) -> list[dict[str, Any]]:
        client = self.client
        notebooks = self._call(
            lambda: _paginate(client, "list_notebook_instances", "NotebookInstances"),
            "sagemaker:ListNotebookInstances",
        )
        rows: list[dict[str, Any]] = []
        for notebook in notebooks:
            itype = notebook.get("InstanceType")
            if not self._wanted(itype):
                continue
            live = notebook.get("NotebookInstanceStatus") in _LIVE_NOTEBOOKS
            rows += self._rows(
                notebook.get("NotebookInstanceArn") or notebook["NotebookInstanceName"],
                str(itype),
                1,
                notebook.get("CreationTime"),
                None if live else notebook.get("LastModifiedTime"),
            )
        return rows

    def _clusters(self) -> list[dict[str, Any]]:
        """HyperPod: each node is listed with its own id, type and launch time."""
        client = self.client
        clusters = self._call(
            lambda: _paginate(client, "list_clusters", "ClusterSummaries"), "sagemaker:ListClusters"
        )
        rows: list[dict[str, Any]] = []
        for cluster in clusters:
            name = cluster["ClusterName"]
            nodes = self._each(
                partial(
                    _paginate,
                    client,
                    "list_cluster_nodes",
                    "ClusterNodeSummaries",
                    ClusterName=name,
                ),
                "sagemaker:ListClusterNodes",
            )
            for node in nodes or []:
                itype = node.get("InstanceType")
                if not self._wanted(itype):
                    continue
                row = self._rows(
                    cluster.get("ClusterArn") or name, str(itype), 1, node.get("LaunchTime"), None
                )[0]
                row["instance_id"] = node.get("InstanceId") or row["instance_id"]
                rows.append(row)
        return rows
