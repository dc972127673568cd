"""The GCP connector with the real REST clients against a local server serving GCP's JSON shapes."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
import requests
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import compute_v1, resourcemanager_v3

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.connectors import GcpClients, collect
from auditor.connectors.gcp_rest import GcpRest
from auditor.model.schema import TENANTS, USAGE

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
ZONE = "https://www.googleapis.com/compute/v1/projects/{p}/zones/{z}"


def instance(
    p: str,
    z: str,
    iid: str,
    machine: str,
    status: str = "RUNNING",
    accel: tuple[str, int] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "kind": "compute#instance",
        "id": iid,
        "name": f"vm-{iid}",
        "zone": ZONE.format(p=p, z=z),
        "machineType": ZONE.format(p=p, z=z) + f"/machineTypes/{machine}",
        "status": status,
        "creationTimestamp": "2025-12-01T10:00:00.000-08:00",
        "labels": {"team": "ml"},
        **extra,
    }
    if accel:
        body["guestAccelerators"] = [
            {
                "acceleratorType": ZONE.format(p=p, z=z) + f"/acceleratorTypes/{accel[0]}",
                "acceleratorCount": accel[1],
            }
        ]
    return body


def project(pid: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "name": f"projects/{abs(hash(pid)) % 10**9}",
        "projectId": pid,
        "displayName": pid.title(),
        "state": "ACTIVE",
        "labels": labels,
        "createTime": "2024-05-06T07:08:09Z",
        "parent": "organizations/123",
    }


class Gcp:
    """Routes: org 123 holds alpha (2 pages) and beta (1 page), paged; gamma is listed by id; broken always fails."""

    def __init__(self) -> None:
        self.beta_calls = 0

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        token = query.get("pageToken", [""])[0]
        if path == "/v3/folders":
            return 200, {}
        if path == "/v3/projects":
            assert query["parent"] == ["organizations/123"]
            if not token:
                return 200, {
                    "projects": [
                        project("alpha", {"tenant_id": "t-alpha", "legal_name": "alpha-ai"})
                    ],
                    "nextPageToken": "p2",
                }
            return 200, {
                "projects": [project("beta", {}), project("broken", {"tenant_id": "t-broken"})]
            }
        if path == "/v3/projects/gamma":
            return 200, project("gamma", {"tenant_id": "t-gamma"})
        if path == "/compute/v1/projects/alpha/aggregated/instances":
            if not token:
                return 200, {
                    "kind": "compute#instanceAggregatedList",
                    "nextPageToken": "next",
                    "items": {
                        "zones/us-central1-a": {
                            "instances": [
                                instance(
                                    "alpha",
                                    "us-central1-a",
                                    "101",
                                    "a2-highgpu-1g",
                                    accel=("nvidia-tesla-a100", 1),
                                ),
                                instance(
                                    "alpha",
                                    "us-central1-a",
                                    "102",
                                    "n1-standard-8",
                                    accel=("nvidia-tesla-t4", 2),
                                ),
                            ]
                        },
                        "zones/europe-west4-a": {
                            "warning": {"code": "NO_RESULTS_ON_PAGE", "message": "none"}
                        },
                    },
                }
            assert token == "next"
            return 200, {
                "items": {
                    "zones/us-east1-b": {
                        "instances": [
                            instance("alpha", "us-east1-b", "103", "e2-standard-4"),
                            instance(
                                "alpha",
                                "us-east1-b",
                                "104",
                                "a3-highgpu-8g",
                                status="TERMINATED",
                                lastStartTimestamp="2026-01-01T00:00:00.000-00:00",
                                lastStopTimestamp="2026-01-02T00:00:00.000-00:00",
                            ),
                        ]
                    }
                }
            }
        if path == "/compute/v1/projects/beta/aggregated/instances":
            self.beta_calls += 1
            if self.beta_calls == 1:
                return 429, {
                    "error": {
                        "code": 429,
                        "message": "Rate Limit Exceeded",
                        "status": "RESOURCE_EXHAUSTED",
                    }
                }
            return 200, {
                "items": {
                    "zones/asia-east1-c": {
                        "instances": [
                            instance(
                                "beta",
                                "asia-east1-c",
                                "201",
                                "g2-standard-4",
                                accel=("nvidia-l4", 1),
                            )
                        ]
                    },
                    "zones/me-central2-a": {
                        "warning": {"code": "UNREACHABLE", "message": "zone unreachable"}
                    },
                }
            }
        if path == "/compute/v1/projects/gamma/aggregated/instances":
            return 200, {"items": {}}
        if path == "/compute/v1/projects/broken/aggregated/instances":
            return 503, {"error": {"code": 503, "message": "backend down", "status": "UNAVAILABLE"}}
        if path == "/v2/entries:list":
            return 200, {}  # no audit-log entries (see test_connectors_access_logs)
        if path.startswith("/v1/projects/") and path.endswith("/locations"):
            return 200, {"locations": []}  # Vertex AI: none here (see test_connectors_gcp_vertex)
        return 404, {"error": {"code": 404, "message": f"no route {path}", "status": "NOT_FOUND"}}


def gcp_clients(url: str) -> GcpClients:
    opts = ClientOptions(api_endpoint=url)
    return GcpClients(
        instances=compute_v1.InstancesClient(
            credentials=AnonymousCredentials(), transport="rest", client_options=opts
        ),
        projects=resourcemanager_v3.ProjectsClient(
            credentials=AnonymousCredentials(), transport="rest", client_options=opts
        ),
        folders=resourcemanager_v3.FoldersClient(
            credentials=AnonymousCredentials(), transport="rest", client_options=opts
        ),
        rest=GcpRest(requests.Session(), url),
    )


GCP_SETTINGS = {
    "organization": "123",
    "projects": ["gamma"],
    "retry": FAST_RETRY,
    "label_map": {"tenant_id": "tenant_id", "legal_name": "legal_name"},
}


@pytest.fixture
def gcp_api(local_api: Any) -> Any:
    return local_api(Gcp())


def test_projects_and_gpu_instances_with_paging_retry_and_gaps(gcp_api: Any) -> None:
    result = collect("gcp", GCP_SETTINGS, clients=gcp_clients(gcp_api.url), progress=False)
    assert result.tenants.schema == pl.Schema(TENANTS.polars_schema())
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    assert sorted(result.tenants["tenant_id"]) == ["beta", "t-alpha", "t-broken", "t-gamma"]
    assert result.tenants.filter(pl.col("tenant_id") == "beta")["legal_name"].to_list() == [
        "Beta"
    ]  # display name fallback

    usage = result.usage.sort("instance_id")
    assert usage["instance_id"].to_list() == [
        "101",
        "102",
        "104",
        "201",
    ]  # e2 without GPUs left out; page 2 read
    row = usage.row(1, named=True)
    assert (row["instance_type"], row["accelerator"], row["accelerator_count"], row["region"]) == (
        "n1-standard-8",
        "nvidia-tesla-t4",
        2,
        "us-central1-a",
    )
    assert row["tenant_id"] == "t-alpha" and row["account_id"] == "alpha" and row["end"] is None
    stopped = usage.row(2, named=True)
    assert stopped["end"] is not None and stopped["start"].isoformat().startswith("2026-01-01")
    assert gcp_api.count("/projects/beta/aggregated") == 2  # 429, then success

    gaps = {(g.scope_kind, g.scope): g for g in result.gaps}
    assert set(gaps) == {("project", "broken"), ("region", "beta/zones/me-central2-a")}
    assert gaps[("project", "broken")].attempts == 3
    assert result.manifest["complete"] is False
    assert result.manifest["scope"]["projects"] == ["alpha", "beta", "broken", "gamma"]
