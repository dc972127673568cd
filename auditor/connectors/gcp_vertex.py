"""Vertex AI usage: GPU machines rented through custom training jobs and endpoints, read by their REST shapes.

Vertex AI is regional: each project's locations are listed (or configured), then each
location's `customJobs` and `endpoints`. A worker pool of N replicas is N usage rows with
`service = "vertex-ai"`, carrying the machine type and the accelerator spec (Vertex spells
accelerators `NVIDIA_TESLA_A100`; the catalog reads that spelling). A location that keeps
failing is a gap naming the project, location and operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.connectors.base import matches_any, parse_time
from auditor.connectors.gcp_rest import GcpRest

SERVICE = "vertex-ai"
_ENDED_JOBS = {
    "JOB_STATE_SUCCEEDED",
    "JOB_STATE_FAILED",
    "JOB_STATE_CANCELLED",
    "JOB_STATE_EXPIRED",
}


@dataclass(frozen=True)
class VertexScope:
    """One project's Vertex AI in one location."""

    project_id: str
    tenant_id: str
    location: str

    @property
    def name(self) -> str:
        return f"{self.project_id}/{self.location}/{SERVICE}"


def list_locations(rest: GcpRest, project_id: str) -> list[str]:
    url = f"{rest.base('aiplatform')}/v1/projects/{project_id}/locations"
    return sorted(
        str(loc.get("locationId"))
        for loc in rest.list_get(url, "locations")
        if loc.get("locationId")
    )


def _int(value: Any, default: int = 0) -> int:
    """int64 fields arrive as JSON strings."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class VertexReader:
    """Reads one location's custom jobs and endpoints into usage rows."""

    def __init__(
        self, rest: GcpRest, scope: VertexScope, machine_types: list[str], since: datetime
    ) -> None:
        self.rest = rest
        self.scope = scope
        self.machine_types = machine_types
        self.since = since

    @property
    def _parent(self) -> str:
        s = self.scope
        return f"{self.rest.base('aiplatform', s.location)}/v1/projects/{s.project_id}/locations/{s.location}"

    def custom_jobs(self) -> list[dict[str, Any]]:
        since = self.since.strftime("%Y-%m-%dT%H:%M:%SZ")
        jobs = self.rest.list_get(
            f"{self._parent}/customJobs", "customJobs", {"filter": f'create_time>"{since}"'}
        )
        rows: list[dict[str, Any]] = []
        for job in jobs:
            ended = job.get("state") in _ENDED_JOBS
            start = job.get("startTime") or job.get("createTime")
            end = (job.get("endTime") or job.get("updateTime")) if ended else None
            pools = (job.get("jobSpec") or {}).get("workerPoolSpecs") or []
            for index, pool in enumerate(pools):
                rows += self._rows(
                    f"{job.get('name')}/pool{index}",
                    pool.get("machineSpec") or {},
                    _int(pool.get("replicaCount"), 1),
                    start,
                    end,
                )
        return rows

    def endpoints(self) -> list[dict[str, Any]]:
        """Deployed models on dedicated machines; the minimum replica count is what surely runs."""
        endpoints = self.rest.list_get(f"{self._parent}/endpoints", "endpoints")
        rows: list[dict[str, Any]] = []
        for endpoint in endpoints:
            for model in endpoint.get("deployedModels") or []:
                resources = model.get("dedicatedResources")
                if not resources:
                    continue  # automatic resources name no machine
                rows += self._rows(
                    f"{endpoint.get('name')}/deployedModels/{model.get('id')}",
                    resources.get("machineSpec") or {},
                    _int(resources.get("minReplicaCount"), 1),
                    model.get("createTime") or endpoint.get("createTime"),
                    None,
                )
        return rows

    def _rows(
        self, resource: str, spec: dict[str, Any], replicas: int, start: Any, end: Any
    ) -> list[dict[str, Any]]:
        machine = spec.get("machineType")
        accelerator = spec.get("acceleratorType")
        if accelerator in (None, "", "ACCELERATOR_TYPE_UNSPECIFIED"):
            accelerator = None
        if accelerator is None and not matches_any(machine, self.machine_types):
            return []
        base = {
            "tenant_id": self.scope.tenant_id,
            "provider": "gcp",
            "account_id": self.scope.project_id,
            "region": self.scope.location,
            "instance_type": machine,
            "start": parse_time(start),
            "end": parse_time(end),
            "accelerator": accelerator,
            "accelerator_count": _int(spec.get("acceleratorCount"), 1) if accelerator else None,
            "service": SERVICE,
        }
        return [{**base, "instance_id": f"{resource}#{n}"} for n in range(max(replicas, 0))]
