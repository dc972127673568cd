"""Azure Machine Learning computes and online deployments by their ARM REST shapes, through the management client's pipeline."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.catalog import resolve_usage
from auditor.connectors import collect
from auditor.model.schema import USAGE

from test_connectors_azure import subscription

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
SUB, SUB_DOWN = "00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000a2"
ML = "providers/Microsoft.MachineLearningServices"


def ws_id(group: str, name: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{group}/{ML}/workspaces/{name}"


def compute(ws: str, name: str, kind: str, size: str, **inner: Any) -> dict[str, Any]:
    return {
        "id": f"{ws}/computes/{name}",
        "name": name,
        "location": "eastus",
        "properties": {
            "computeType": kind,
            "createdOn": "2026-09-01T00:00:00Z",
            "modifiedOn": "2026-11-20T00:00:00Z",
            "properties": {"vmSize": size, **inner},
        },
    }


class AzureMl:
    """SUB: ws1 (computes and a deployment), ws2 (computes throttled once, endpoints denied); SUB_DOWN's workspaces listing fails."""

    def __init__(self) -> None:
        self.url = ""
        self.calls: dict[str, int] = {}

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        assert "api-version" in query
        self.calls[path] = self.calls.get(path, 0) + 1
        ws1, ws2 = ws_id("ml", "ws1"), ws_id("ml2", "ws2")
        for sub in (SUB, SUB_DOWN):
            if path == f"/subscriptions/{sub}":
                return 200, subscription(sub, sub[-2:], {"tenant_id": f"T-{sub[-2:]}"})
        if path.endswith(
            ("/Microsoft.Compute/virtualMachines", "/Microsoft.Compute/virtualMachineScaleSets")
        ):
            return 200, {"value": []}
        if path.endswith("/providers/Microsoft.Insights/eventtypes/management/values"):
            return 200, {"value": []}
        if path == f"/subscriptions/{SUB}/{ML}/workspaces":
            if query.get("page") != ["2"]:
                return 200, {
                    "value": [{"id": ws1, "name": "ws1", "location": "eastus"}],
                    "nextLink": f"{self.url}/subscriptions/{SUB}/{ML}/workspaces?api-version=2024-04-01&page=2",
                }
            return 200, {"value": [{"id": ws2, "name": "ws2", "location": "westeurope"}]}
        if path == f"/subscriptions/{SUB_DOWN}/{ML}/workspaces":
            return 500, {"error": {"code": "InternalServerError", "message": "down"}}
        if path == f"{ws1}/computes":
            return 200, {
                "value": [
                    compute(
                        ws1,
                        "cluster",
                        "AmlCompute",
                        "STANDARD_ND96ASR_V4",
                        currentNodeCount=2,
                        allocationStateTransitionTime="2026-11-30T10:00:00Z",
                    ),
                    compute(
                        ws1, "idle", "AmlCompute", "Standard_NC24ads_A100_v4", currentNodeCount=0
                    ),
                    compute(
                        ws1, "nb", "ComputeInstance", "Standard_NC24ads_A100_v4", state="Running"
                    ),
                    compute(ws1, "old", "ComputeInstance", "Standard_NC6s_v3", state="Stopped"),
                    compute(ws1, "cpu", "AmlCompute", "Standard_D4s_v5", currentNodeCount=4),
                ]
            }
        if path == f"{ws1}/onlineEndpoints":
            return 200, {"value": [{"id": f"{ws1}/onlineEndpoints/ep1", "name": "ep1"}]}
        if path == f"{ws1}/onlineEndpoints/ep1/deployments":
            return 200, {
                "value": [
                    {
                        "id": f"{ws1}/onlineEndpoints/ep1/deployments/blue",
                        "location": "eastus",
                        "sku": {"name": "Default", "capacity": 2},
                        "properties": {"instanceType": "Standard_NC24ads_A100_v4"},
                        "systemData": {"createdAt": "2026-10-01T00:00:00Z"},
                    }
                ]
            }
        if path == f"{ws2}/computes":
            if self.calls[path] == 1:
                return 429, {"error": {"code": "TooManyRequests", "message": "slow"}}
            return 200, {"value": []}
        if path == f"{ws2}/onlineEndpoints":
            return 403, {"error": {"code": "AuthorizationFailed", "message": "denied"}}
        return 404, {"error": {"code": "NotFound", "message": path}}


@pytest.fixture
def ml_api(local_api: Any) -> tuple[AzureMl, Any]:
    routes = AzureMl()
    api = local_api(routes)
    routes.url = api.url
    return routes, api


def _collect(api: Any, **extra: Any) -> Any:
    settings = {
        "subscriptions": [SUB, SUB_DOWN],
        "endpoint": {"url": api.url, "allow_http": True, "auth": "none"},
        "retry": FAST_RETRY,
        **extra,
    }
    return collect("azure", settings, progress=False)


def test_azure_ml_nodes_are_usage_rows_resolved_by_the_catalog(ml_api: tuple[AzureMl, Any]) -> None:
    routes, api = ml_api
    result = _collect(api)
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    rows = result.usage.filter(pl.col("service") == "azure-ml")
    counts = dict(rows.group_by("instance_type").len().iter_rows())
    # cluster: 2 current nodes; instance "nb" and the deployment's 2; the stopped V100 instance; no CPU, no idle nodes
    assert counts == {
        "STANDARD_ND96ASR_V4": 2,
        "Standard_NC24ads_A100_v4": 3,
        "Standard_NC6s_v3": 1,
    }
    assert set(rows["account_id"]) == {SUB} and rows["instance_id"].n_unique() == rows.height
    old = rows.filter(pl.col("instance_type") == "Standard_NC6s_v3").row(0, named=True)
    assert old["end"] is not None  # a stopped compute instance holds no GPU
    assert rows.filter(pl.col("instance_type") != "Standard_NC6s_v3")["end"].null_count() == 5
    assert routes.calls[f"{ws_id('ml2', 'ws2')}/computes"] == 2  # throttled once, retried

    resolved = resolve_usage(rows).usage
    models = dict(zip(resolved["instance_type"], resolved["gpu_model"]))
    assert (
        models["STANDARD_ND96ASR_V4"] == "A100-40GB" and models["Standard_NC6s_v3"] == "V100-16GB"
    )


def test_failing_listings_are_gaps_naming_subscription_workspace_and_operation(
    ml_api: tuple[AzureMl, Any],
) -> None:
    _, api = ml_api
    result = _collect(api)
    assert [(g.scope_kind, g.scope, g.operation, g.attempts) for g in result.gaps] == [
        ("service", f"{SUB}/ml2/ws2/azure-ml", "onlineEndpoints.list", 1),
        ("service", f"{SUB_DOWN}/azure-ml", "workspaces.list", 3),
    ]
    assert not result.manifest["complete"]
    assert result.manifest["coverage"]["subscription"]["read"] == 2  # the VMs themselves were read


def test_azure_ml_can_be_switched_off(ml_api: tuple[AzureMl, Any]) -> None:
    routes, api = ml_api
    result = _collect(api, ml={"enabled": False})
    assert result.complete and result.usage.height == 0
    assert not any("MachineLearningServices" in p for p in routes.calls)
