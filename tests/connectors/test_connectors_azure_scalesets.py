"""Azure power state and scale sets, with the real management clients against a local server serving ARM's JSON shapes."""

from __future__ import annotations

from typing import Any

import pytest

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.connectors import collect

from test_connectors_azure import vm

SUB = "00000000-0000-0000-0000-0000000000c1"
COMPUTE = f"/subscriptions/{SUB}/providers/Microsoft.Compute"
FAST_RETRY = {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02}


def statuses(power: str, when: str | None = "2026-03-01T12:00:00+00:00") -> list[dict[str, Any]]:
    provisioning: dict[str, Any] = {"code": "ProvisioningState/succeeded", "level": "Info"}
    if when:
        provisioning["time"] = when
    return [provisioning, {"code": f"PowerState/{power}", "level": "Info", "displayStatus": power}]


def with_status(
    body: dict[str, Any], power: str, when: str | None = "2026-03-01T12:00:00+00:00"
) -> dict[str, Any]:
    return {
        **body,
        "properties": {**body["properties"], "instanceView": {"statuses": statuses(power, when)}},
    }


def scale_set(group: str, name: str, size: str, mode: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}",
        "name": name,
        "location": "eastus",
        "sku": {"name": size, "capacity": 2},
        "properties": {"orchestrationMode": mode, "timeCreated": "2026-01-05T00:00:00+00:00"},
    }


def scale_set_vm(group: str, name: str, index: int, size: str, power: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}/virtualMachines/{index}",
        "name": f"{name}_{index}",
        "instanceId": str(index),
        "location": "eastus",
        "sku": {"name": size, "tier": "Standard"},
        "properties": {
            "vmId": f"vmss-{name}-{index}",
            "timeCreated": "2026-01-06T00:00:00+00:00",
            "instanceView": {"statuses": statuses(power, None)},
        },
    }


class ScaleSetArm:
    """One subscription: three plain VMs (running, deallocated, stopped), a flexible-set VM, and scale sets of each kind."""

    def __init__(self, url: str = "", status_fails: bool = False) -> None:
        self.url, self.status_fails = url, status_fails
        flex = vm(SUB, "flex1", "Standard_ND96isr_H100_v5")
        flex["properties"]["virtualMachineScaleSet"] = {
            "id": scale_set("ml", "flexpool", "Standard_ND96isr_H100_v5", "Flexible")["id"]
        }
        self.vms = [
            vm(SUB, "up", "Standard_NC24ads_A100_v4"),
            vm(SUB, "off", "Standard_NC24ads_A100_v4"),
            vm(SUB, "paused", "Standard_NC24ads_A100_v4"),
            flex,
            vm(SUB, "web", "Standard_D4s_v5"),
        ]
        self.power = {
            "up": "running",
            "off": "deallocated",
            "paused": "stopped",
            "flex1": "running",
            "web": "running",
        }

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        page = query.get("page", [""])[0]
        if path == f"/subscriptions/{SUB}":
            return 200, {
                "id": path,
                "subscriptionId": SUB,
                "displayName": "ML",
                "state": "Enabled",
                "tags": {"tenant_id": "T-ML"},
            }
        if path == f"{COMPUTE}/virtualMachines":
            if query.get("statusOnly") == ["true"]:
                if self.status_fails:
                    return 403, {"error": {"code": "AuthorizationFailed", "message": "no"}}
                return 200, {"value": [with_status(v, self.power[v["name"]]) for v in self.vms]}
            return 200, {"value": self.vms}
        if path == f"{COMPUTE}/virtualMachineScaleSets":
            return 200, {
                "value": [
                    scale_set("aks-nodes", "gpupool", "Standard_ND96asr_v4", "Uniform"),
                    scale_set("aks-nodes", "syspool", "Standard_D8s_v5", "Uniform"),
                    scale_set("ml", "flexpool", "Standard_ND96isr_H100_v5", "Flexible"),
                ]
            }
        members = f"/subscriptions/{SUB}/resourceGroups/aks-nodes/providers/Microsoft.Compute/virtualMachineScaleSets/gpupool/virtualMachines"
        if path == members:
            assert query.get("$expand") == ["instanceView"]
            if not page:
                return 200, {
                    "value": [
                        scale_set_vm("aks-nodes", "gpupool", 0, "Standard_ND96asr_v4", "running")
                    ],
                    "nextLink": f"{self.url}{members}?api-version={query['api-version'][0]}&$expand=instanceView&page=2",
                }
            return 200, {
                "value": [
                    scale_set_vm("aks-nodes", "gpupool", 1, "Standard_ND96asr_v4", "deallocated")
                ]
            }
        if path.endswith("/providers/Microsoft.Insights/eventtypes/management/values"):
            return 200, {"value": []}
        if path.endswith("/providers/Microsoft.MachineLearningServices/workspaces"):
            return 200, {"value": []}  # Azure ML: none here (see test_connectors_azure_ml)
        return 404, {"error": {"code": "NotFound", "message": path}}


def _collect(api: Any) -> Any:
    endpoint = {"url": api.url, "allow_http": True, "auth": "none"}
    return collect(
        "azure", {"subscriptions": [SUB], "endpoint": endpoint, "retry": FAST_RETRY}, progress=False
    )


@pytest.fixture
def arm(local_api: Any) -> Any:
    route = ScaleSetArm()
    api = local_api(route)
    route.url = api.url
    return api


def test_power_state_ends_deallocated_vms_only(arm: Any) -> None:
    result = _collect(arm)
    assert result.complete, result.gaps
    usage = {r["instance_id"]: r for r in result.usage.iter_rows(named=True)}
    assert usage["vmid-up"]["end"] is None
    assert usage["vmid-off"]["end"] is not None and usage["vmid-off"]["end"].isoformat().startswith(
        "2026-03-01T12:00:00"
    )
    assert usage["vmid-paused"]["end"] is None  # stopped but allocated: still holds its GPUs
    assert "vmid-web" not in usage


def test_uniform_scale_set_vms_are_read_paged_and_flexible_ones_once(arm: Any) -> None:
    result = _collect(arm)
    usage = {r["instance_id"]: r for r in result.usage.iter_rows(named=True)}
    assert {"vmss-gpupool-0", "vmss-gpupool-1"} <= set(usage)  # page 2 read
    assert (
        usage["vmss-gpupool-0"]["instance_type"] == "Standard_ND96asr_v4"
        and usage["vmss-gpupool-0"]["end"] is None
    )
    assert (
        usage["vmss-gpupool-1"]["end"] is not None
    )  # deallocated, no time known: ended by the collection time
    assert not any(i.startswith("vmss-syspool") for i in usage)  # a CPU scale set is not listed
    assert (
        result.usage["instance_id"].to_list().count("vmid-flex1") == 1
    )  # flexible: from the VM listing only
    assert (
        arm.count("/virtualMachineScaleSets/syspool/") == 0
        and arm.count("/virtualMachineScaleSets/flexpool/") == 0
    )
    assert set(result.usage["tenant_id"].to_list()) == {"T-ML"}


def test_unreadable_power_state_is_a_gap_not_a_silent_running(local_api: Any) -> None:
    route = ScaleSetArm(status_fails=True)
    api = local_api(route)
    route.url = api.url
    result = _collect(api)
    assert [(g.scope, g.operation) for g in result.gaps] == [
        (SUB, "virtualMachines.listAll(statusOnly)")
    ]
    assert not result.complete
