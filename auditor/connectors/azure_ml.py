"""Azure Machine Learning usage: GPU VMs of compute instances, compute clusters and online deployments.

Their VMs run in Microsoft-managed subscriptions, so neither `virtualMachines.listAll` nor
the scale-set listing of the tenant's own subscription shows them. They are read through the
workspace's ARM REST shapes (`Microsoft.MachineLearningServices`), sent by the management
client's own pipeline (`send_request`: the same credential, endpoint, proxy and CA bundle),
into usage rows with `service = "azure-ml"`, one per node.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.connectors.base import matches_any, parse_time

SERVICE = "azure-ml"
API_VERSION = "2024-04-01"
MAX_PAGES = 10_000
_STOPPED_INSTANCES = {"Stopped", "Stopping", "Deleting", "Unusable", "Failed"}


@dataclass(frozen=True)
class Workspace:
    subscription_id: str
    tenant_id: str
    resource_id: str
    name: str
    location: str | None

    @property
    def scope(self) -> str:
        """`SUB/GROUP/WORKSPACE/azure-ml`: workspace names are unique only within a resource group."""
        parts = self.resource_id.split("/")
        lowered = [p.lower() for p in parts]
        group = parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else ""
        return f"{self.subscription_id}/{group}/{self.name}/{SERVICE}"


class ArmRest:
    """GET listings through a management client's pipeline, following `nextLink`."""

    def __init__(self, client: Any, request_options: dict[str, Any]) -> None:
        self.client = client
        self.options = request_options

    def list(self, url: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Every item, or the first `limit` of them."""
        from azure.core.rest import HttpRequest

        items: list[dict[str, Any]] = []
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None or (limit is not None and len(items) >= limit):
                return items[:limit] if limit is not None else items
            response = self.client.send_request(HttpRequest("GET", next_url), **self.options)
            response.raise_for_status()  # HttpResponseError with the status: the retry test reads it
            body = response.json()
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object from Resource Manager")
            items.extend(v for v in body.get("value") or [] if isinstance(v, dict))
            next_url = body.get("nextLink") or None
        raise RuntimeError(f"more than {MAX_PAGES} pages")


def list_workspaces(rest: ArmRest, subscription_id: str, tenant_id: str) -> list[Workspace]:
    url = f"/subscriptions/{subscription_id}/providers/Microsoft.MachineLearningServices/workspaces?api-version={API_VERSION}"
    return [
        Workspace(subscription_id, tenant_id, str(w["id"]), str(w.get("name")), w.get("location"))
        for w in rest.list(url)
        if w.get("id")
    ]


class AzureMlReader:
    """One workspace's computes and online deployments as usage rows."""

    def __init__(
        self,
        rest: ArmRest,
        workspace: Workspace,
        vm_sizes: list[str],
        now: datetime,
    ) -> None:
        self.rest = rest
        self.workspace = workspace
        self.vm_sizes = vm_sizes
        self.now = now

    def computes(self) -> list[dict[str, Any]]:
        """Clusters (AmlCompute: their current nodes) and compute instances (one VM, its state)."""
        ws = self.workspace
        rows: list[dict[str, Any]] = []
        for compute in self.rest.list(f"{ws.resource_id}/computes?api-version={API_VERSION}"):
            outer = compute.get("properties") or {}
            inner = outer.get("properties") or {}
            kind = outer.get("computeType")
            size = inner.get("vmSize")
            created = outer.get("createdOn")
            if kind == "AmlCompute":
                nodes = int(inner.get("currentNodeCount") or 0)
                start = inner.get("allocationStateTransitionTime") or created
                rows += self._rows(str(compute.get("id")), size, nodes, start, None, compute)
            elif kind == "ComputeInstance":
                stopped = inner.get("state") in _STOPPED_INSTANCES
                end = (outer.get("modifiedOn") or self.now) if stopped else None
                rows += self._rows(str(compute.get("id")), size, 1, created, end, compute)
        return rows

    def online_deployments(self) -> list[dict[str, Any]]:
        """Managed online endpoints: each deployment's `sku.capacity` instances of its `instanceType`."""
        ws = self.workspace
        rows: list[dict[str, Any]] = []
        endpoints = self.rest.list(f"{ws.resource_id}/onlineEndpoints?api-version={API_VERSION}")
        for endpoint in endpoints:
            deployments = self.rest.list(
                f"{endpoint.get('id')}/deployments?api-version={API_VERSION}"
            )
            for deployment in deployments:
                props = deployment.get("properties") or {}
                capacity = int((deployment.get("sku") or {}).get("capacity") or 1)
                created = (deployment.get("systemData") or {}).get("createdAt")
                rows += self._rows(
                    str(deployment.get("id")),
                    props.get("instanceType"),
                    capacity,
                    created,
                    None,
                    deployment,
                )
        return rows

    def _rows(
        self,
        resource_id: str,
        size: Any,
        count: int,
        start: Any,
        end: Any,
        resource: dict[str, Any],
    ) -> list[dict[str, Any]]:
        size = str(size) if size else None
        # Azure ML spells sizes in any case (STANDARD_NC24ADS_A100_V4); the catalog ignores case too.
        if size is None or not matches_any(size.lower(), [p.lower() for p in self.vm_sizes]):
            return []
        base = {
            "tenant_id": self.workspace.tenant_id,
            "provider": "azure",
            "account_id": self.workspace.subscription_id,
            "region": resource.get("location") or self.workspace.location,
            "instance_type": size,
            "start": parse_time(start),
            "end": parse_time(end),
            "service": SERVICE,
        }
        return [{**base, "instance_id": f"{resource_id}#{n}"} for n in range(max(count, 0))]
