"""Vertex AI custom jobs and endpoints by their REST shapes, from a local server reached only through `endpoint:`."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.catalog import resolve_usage
from auditor.connectors import collect
from auditor.model.schema import USAGE

from test_connectors_gcp import project

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
JOBS = "/v1/projects/alpha/locations/{loc}/customJobs"
ENDPOINTS = "/v1/projects/alpha/locations/{loc}/endpoints"


def pool(machine: str, replicas: str, accel: tuple[str, int] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"machineType": machine}
    if accel:
        spec |= {"acceleratorType": accel[0], "acceleratorCount": accel[1]}
    return {"machineSpec": spec, "replicaCount": replicas}


def job(name: str, state: str, *pools: dict[str, Any]) -> dict[str, Any]:
    body = {
        "name": f"projects/alpha/locations/us-central1/customJobs/{name}",
        "state": state,
        "createTime": "2026-11-01T00:00:00Z",
        "startTime": "2026-11-01T00:05:00Z",
        "jobSpec": {"workerPoolSpecs": list(pools)},
    }
    if state == "JOB_STATE_SUCCEEDED":
        body["endTime"] = "2026-11-02T00:05:00Z"
    return body


class Vertex:
    """alpha in three locations: us-central1 read whole (jobs paged), europe-west4 endpoints denied, asia-east1 down."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.filters: list[str] = []

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        self.calls[path] = self.calls.get(path, 0) + 1
        token = query.get("pageToken", [""])[0]
        if path == "/v3/projects/alpha":
            return 200, project("alpha", {"tenant_id": "t-alpha"})
        if path == "/compute/v1/projects/alpha/aggregated/instances":
            return 200, {"items": {}}
        if path == "/v2/entries:list":
            return 200, {}
        if path == "/v1/projects/alpha/locations":
            return 200, {
                "locations": [
                    {"locationId": loc} for loc in ("us-central1", "europe-west4", "asia-east1")
                ]
            }
        if path == JOBS.format(loc="us-central1"):
            self.filters += query.get("filter", [])
            if not token:
                return 200, {
                    "customJobs": [
                        job(
                            "train",
                            "JOB_STATE_RUNNING",
                            pool("a2-highgpu-8g", "2", ("NVIDIA_TESLA_A100", 8)),
                            pool("n1-standard-4", "3"),  # CPU-only workers: left out
                        )
                    ],
                    "nextPageToken": "j2",
                }
            return 200, {
                "customJobs": [
                    job(
                        "small",
                        "JOB_STATE_SUCCEEDED",
                        pool("n1-standard-8", "1", ("NVIDIA_TESLA_T4", 2)),
                    )
                ]
            }
        if path == ENDPOINTS.format(loc="us-central1"):
            return 200, {
                "endpoints": [
                    {
                        "name": "projects/alpha/locations/us-central1/endpoints/7",
                        "deployedModels": [
                            {
                                "id": "m1",
                                "createTime": "2026-10-01T00:00:00Z",
                                "dedicatedResources": {
                                    "machineSpec": {
                                        "machineType": "g2-standard-8",
                                        "acceleratorType": "NVIDIA_L4",
                                        "acceleratorCount": 1,
                                    },
                                    "minReplicaCount": 3,
                                    "maxReplicaCount": 5,
                                },
                            },
                            {"id": "m2", "automaticResources": {"minReplicaCount": 1}},
                        ],
                    }
                ]
            }
        if path == JOBS.format(loc="europe-west4"):
            if self.calls[path] == 1:
                return 429, {
                    "error": {"code": 429, "message": "slow", "status": "RESOURCE_EXHAUSTED"}
                }
            return 200, {}
        if path == ENDPOINTS.format(loc="europe-west4"):
            return 403, {"error": {"code": 403, "message": "denied", "status": "PERMISSION_DENIED"}}
        if "/locations/asia-east1/" in path:
            return 503, {"error": {"code": 503, "message": "down", "status": "UNAVAILABLE"}}
        return 404, {"error": {"code": 404, "message": path, "status": "NOT_FOUND"}}


def _collect(api: Any, **ml: Any) -> Any:
    settings = {
        "projects": ["alpha"],
        "endpoint": {"url": api.url, "allow_http": True, "auth": "none"},
        "retry": FAST_RETRY,
        "ml": ml,
    }
    return collect("gcp", settings, progress=False)


@pytest.fixture
def vertex(local_api: Any) -> tuple[Vertex, Any]:
    routes = Vertex()
    return routes, local_api(routes)


def test_vertex_jobs_and_endpoints_are_usage_rows_per_replica(vertex: tuple[Vertex, Any]) -> None:
    routes, api = vertex
    result = _collect(api)
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    rows = result.usage.filter(pl.col("service") == "vertex-ai")
    assert set(rows["region"]) == {"us-central1"}
    counts = dict(rows.group_by("instance_type").len().iter_rows())
    assert counts == {"a2-highgpu-8g": 2, "n1-standard-8": 1, "g2-standard-8": 3}
    assert rows["instance_id"].n_unique() == rows.height
    small = rows.filter(pl.col("instance_type") == "n1-standard-8").row(0, named=True)
    assert small["end"] is not None and small["accelerator_count"] == 2
    assert rows.filter(pl.col("instance_type") == "a2-highgpu-8g")["end"].null_count() == 2
    assert routes.filters and routes.filters[0].startswith('create_time>"')
    assert routes.calls[JOBS.format(loc="europe-west4")] == 2  # throttled once, retried

    resolved = resolve_usage(rows).usage.sort("instance_type")
    got = dict(zip(resolved["instance_type"], zip(resolved["gpu_model"], resolved["gpu_count"])))
    assert got == {
        "a2-highgpu-8g": ("A100-40GB", 8),
        "g2-standard-8": ("L4", 1),
        "n1-standard-8": ("T4", 2),
    }


def test_denied_and_down_locations_are_gaps_naming_project_location_and_operation(
    vertex: tuple[Vertex, Any],
) -> None:
    _, api = vertex
    result = _collect(api)
    gaps = [(g.scope_kind, g.scope, g.operation, g.attempts) for g in result.gaps]
    assert gaps == [
        ("service", "alpha/asia-east1/vertex-ai", "aiplatform.customJobs.list", 3),
        ("service", "alpha/asia-east1/vertex-ai", "aiplatform.endpoints.list", 3),
        ("service", "alpha/europe-west4/vertex-ai", "aiplatform.endpoints.list", 1),
    ]
    assert result.manifest["complete"] is False
    service = result.manifest["coverage"]["service"]
    assert [n["scope"] for n in service["not_whole"]] == [
        "alpha/asia-east1/vertex-ai",
        "alpha/europe-west4/vertex-ai",
    ]


def test_configured_locations_skip_the_listing_and_ml_can_be_off(
    vertex: tuple[Vertex, Any],
) -> None:
    routes, api = vertex
    result = _collect(api, locations=["us-central1"])
    assert result.complete and "/v1/projects/alpha/locations" not in routes.calls
    assert result.usage.filter(pl.col("service") == "vertex-ai").height == 6
    off = _collect(api, enabled=False)
    assert off.complete and off.usage.height == 0 and off.manifest["scope"]["services"] == []
