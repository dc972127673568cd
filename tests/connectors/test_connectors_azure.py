"""The Azure connector with the real management clients against a local server serving ARM's JSON shapes."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.connectors import AzureClients, collect
from auditor.model.schema import TENANTS, USAGE

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
SUB_A, SUB_B, SUB_DOWN = (
    "00000000-0000-0000-0000-00000000000a",
    "00000000-0000-0000-0000-00000000000b",
    "00000000-0000-0000-0000-0000000000dd",
)


class StaticToken:
    """Any credential with get_token / get_token_info will do for a local endpoint."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", 4_102_444_800)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> AccessTokenInfo:
        return AccessTokenInfo("token", 4_102_444_800)


def vm(sub: str, name: str, size: str, location: str = "eastus") -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}",
        "name": name,
        "type": "Microsoft.Compute/virtualMachines",
        "location": location,
        "tags": {"owner": "ml"},
        "properties": {
            "vmId": f"vmid-{name}",
            "hardwareProfile": {"vmSize": size},
            "timeCreated": "2026-02-03T04:05:06.0000000+00:00",
            "provisioningState": "Succeeded",
        },
    }


def subscription(sub: str, name: str, tags: dict[str, str]) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}",
        "subscriptionId": sub,
        "displayName": name,
        "state": "Enabled",
        "tags": tags,
    }


class Arm:
    """Subscriptions paged by nextLink; A's VMs on two pages; B throttled once; DOWN always 500."""

    def __init__(self, url: str = "") -> None:
        self.url = url
        self.b_calls = 0

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        assert "api-version" in query
        page = query.get("page", [""])[0]
        if path == "/subscriptions":
            if not page:
                return 200, {
                    "value": [
                        subscription(
                            SUB_A, "Acme Sub", {"tenant_id": "T-A", "legal_name": "Acme Cloud LLC"}
                        )
                    ],
                    "nextLink": f"{self.url}/subscriptions?api-version={query['api-version'][0]}&page=2",
                }
            return 200, {
                "value": [
                    subscription(SUB_B, "Beta Sub", {}),
                    subscription(SUB_DOWN, "Down Sub", {"tenant_id": "T-D"}),
                ]
            }
        vms = "/providers/Microsoft.Compute/virtualMachines"
        if path.endswith(
            "/providers/Microsoft.Compute/virtualMachineScaleSets"
        ) and not path.endswith(f"{SUB_DOWN}/providers/Microsoft.Compute/virtualMachineScaleSets"):
            return 200, {"value": []}
        if path == f"/subscriptions/{SUB_A}{vms}":
            if not page:
                return 200, {
                    "value": [
                        vm(SUB_A, "gpu1", "Standard_ND96isr_H100_v5"),
                        vm(SUB_A, "web", "Standard_D4s_v5"),
                    ],
                    "nextLink": f"{self.url}/subscriptions/{SUB_A}{vms}?api-version={query['api-version'][0]}&page=2",
                }
            return 200, {"value": [vm(SUB_A, "gpu2", "Standard_NC24ads_A100_v4", "westeurope")]}
        if path == f"/subscriptions/{SUB_B}{vms}":
            if query.get("statusOnly") == ["true"]:
                return 200, {"value": [vm(SUB_B, "gpu3", "Standard_NV36ads_A10_v5")]}
            self.b_calls += 1
            if self.b_calls == 1:
                return 429, {"error": {"code": "TooManyRequests", "message": "throttled"}}
            return 200, {"value": [vm(SUB_B, "gpu3", "Standard_NV36ads_A10_v5")]}
        if path == f"/subscriptions/{SUB_DOWN}{vms}":
            return 500, {"error": {"code": "InternalServerError", "message": "down"}}
        if path.endswith("/providers/Microsoft.Insights/eventtypes/management/values"):
            return 200, {"value": []}  # no activity-log events (see test_connectors_access_logs)
        if path.endswith("/providers/Microsoft.MachineLearningServices/workspaces"):
            return 200, {"value": []}  # Azure ML: none here (see test_connectors_azure_ml)
        return 404, {"error": {"code": "NotFound", "message": path}}


def azure_clients(url: str) -> AzureClients:
    return AzureClients(
        credential=StaticToken(),
        base_url=url,
        request_options={"enforce_https": False},
        client_options={"retry_total": 0},
    )


@pytest.fixture
def arm_api(local_api: Any) -> Any:
    arm = Arm()
    api = local_api(arm)
    arm.url = api.url
    api.arm = arm
    return api


def test_subscriptions_and_gpu_vms_with_paging_retry_and_gaps(arm_api: Any) -> None:
    settings = {
        "retry": FAST_RETRY,
        "tag_map": {"tenant_id": "tenant_id", "legal_name": "legal_name"},
    }
    result = collect("azure", settings, clients=azure_clients(arm_api.url), progress=False)
    assert result.tenants.schema == pl.Schema(TENANTS.polars_schema())
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    assert sorted(result.tenants["tenant_id"]) == sorted(["T-A", SUB_B, "T-D"])

    usage = result.usage.sort("instance_id")
    assert usage["instance_id"].to_list() == [
        "vmid-gpu1",
        "vmid-gpu2",
        "vmid-gpu3",
    ]  # D-series left out, page 2 read
    assert usage["instance_type"].to_list() == [
        "Standard_ND96isr_H100_v5",
        "Standard_NC24ads_A100_v4",
        "Standard_NV36ads_A10_v5",
    ]
    assert usage["tenant_id"].to_list() == ["T-A", "T-A", SUB_B]
    assert usage["region"].to_list() == ["eastus", "westeurope", "eastus"]
    assert usage["start"][0].isoformat().startswith("2026-02-03T04:05:06")
    assert arm_api.arm.b_calls == 2  # 429 then success

    assert [(g.scope_kind, g.scope, g.attempts) for g in result.gaps] == [
        ("subscription", SUB_DOWN, 3)
    ]
    assert result.manifest["complete"] is False


def test_configured_subscription_list(arm_api: Any) -> None:
    def route(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        if path == f"/subscriptions/{SUB_B}":
            return 200, subscription(SUB_B, "Beta Sub", {"tenant_id": "T-B"})
        return arm_api.arm(method, path, query)

    arm_api.route = route
    settings = {"subscriptions": [SUB_B], "retry": FAST_RETRY}
    result = collect("azure", settings, clients=azure_clients(arm_api.url), progress=False)
    assert result.tenants["tenant_id"].to_list() == ["T-B"]
    assert result.usage["tenant_id"].to_list() == ["T-B"] and result.complete
