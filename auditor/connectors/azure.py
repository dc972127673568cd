"""Azure connector: subscriptions as tenants (tags mapped to tenant fields), GPU VMs per subscription.

Subscriptions come from the Subscriptions API (every one the credential sees, or a configured
list); VMs from `virtual_machines.list_all`, one subscription per worker, following `nextLink`,
their power state from the `statusOnly` listing, and the VMs of Uniform scale sets from the
scale-set VM listing; Azure ML computes (`azure_ml`) and the activity log
(`azure_activity_log`) go through the management client's pipeline.
The SDKs are imported lazily; azure-core's own retries are off so `call_with_retry` rules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from auditor.connectors.base import (
    Collection,
    Progress,
    RetryingConnector,
    ScopeFailed,
    matches_any,
    parse_time,
    require_sdk,
    tenant_row,
)
from auditor.connectors.config import AzureSettings
from auditor.errors import ConnectorError

log = logging.getLogger("auditor.connectors.azure")

DEFAULT_VM_SIZES = ["Standard_N*"]  # NC, ND, NG, NV: the GPU families


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx and connection faults are retried; 401/403/404 are not."""
    from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(
        exc, (ServiceRequestError, ServiceResponseError, ConnectionError, TimeoutError)
    )


@dataclass
class AzureClients:
    """How the connector makes its SDK clients; inject one to point at another endpoint.

    `request_options` go to every list call (e.g. `{"enforce_https": False}` for a local
    plain-http endpoint); `client_options` to every client constructor.
    """

    credential: Any = None
    base_url: str | None = None
    request_options: dict[str, Any] = field(default_factory=dict)
    client_options: dict[str, Any] = field(default_factory=lambda: {"retry_total": 0})

    def __post_init__(self) -> None:
        if self.credential is None:
            try:
                from azure.identity import DefaultAzureCredential
            except ImportError as exc:
                from auditor.errors import InputError

                raise InputError(
                    "the azure connector needs azure-identity; install it with: pip install 'auditor[azure]'"
                ) from exc
            self.credential = DefaultAzureCredential()

    def _url(self) -> dict[str, Any]:
        return {"base_url": self.base_url} if self.base_url else {}

    def subscriptions(self) -> Any:
        try:
            from azure.mgmt.resource.subscriptions import SubscriptionClient
        except ImportError as exc:
            from auditor.errors import InputError

            raise InputError(
                "the azure connector needs azure-mgmt-resource-subscriptions; install it with: pip install 'auditor[azure]'"
            ) from exc
        return SubscriptionClient(self.credential, **self._url(), **self.client_options)

    def compute(self, subscription_id: str) -> Any:
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(
            self.credential, subscription_id, **self._url(), **self.client_options
        )


class PlaceholderToken:
    """The credential of `endpoint.auth: none`: a fixed bearer token an emulator accepts; never a real secret."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("emulator", 4_102_444_800)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo("emulator", 4_102_444_800)


def clients_from_settings(settings: AzureSettings) -> AzureClients:
    """Management clients as `cloud:` and `endpoint:` say (sovereign cloud, proxy, CA bundle, emulator)."""
    from auditor.connectors.endpoints import AZURE_CLOUDS, ca_bundle_path, proxies

    endpoint = settings.endpoint
    arm_url, authority = AZURE_CLOUDS[settings.cloud]
    credential: Any
    if endpoint.auth == "none":
        credential = PlaceholderToken()
    else:
        try:
            from azure.identity import DefaultAzureCredential
        except ImportError as exc:
            from auditor.errors import InputError

            raise InputError(
                "the azure connector needs azure-identity; install it with: pip install 'auditor[azure]'"
            ) from exc
        credential = DefaultAzureCredential(authority=authority)
    client_options: dict[str, Any] = {
        "retry_total": 0,
        "credential_scopes": [f"{arm_url}/.default"],
    }
    if endpoint.proxy:
        client_options["proxies"] = proxies(endpoint)
    bundle = ca_bundle_path(endpoint)
    if bundle:
        client_options["connection_verify"] = bundle
    base_url = endpoint.url or arm_url
    # azure-core's bearer-token policy refuses plain http unless told; allow_http is the operator saying so.
    request_options = {"enforce_https": False} if base_url.startswith("http://") else {}
    return AzureClients(
        credential=credential,
        base_url=base_url,
        request_options=request_options,
        client_options=client_options,
    )


def _get(obj: Any, *names: str) -> Any:
    """Walk attributes, tolerating models that nest fields under `properties` or not."""
    for name in names:
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


class AzureConnector(RetryingConnector):
    """Reads Azure subscriptions and their GPU VMs."""

    name: ClassVar[str] = "azure"
    settings_model: ClassVar[type[AzureSettings]] = AzureSettings
    settings: AzureSettings
    retryable = staticmethod(is_retryable)

    def __init__(self, settings: AzureSettings, clients: AzureClients | None = None) -> None:
        require_sdk("azure.mgmt.compute", "azure")
        self.settings = settings
        self.clients = clients or clients_from_settings(settings)
        self.vm_sizes = settings.instance_types or DEFAULT_VM_SIZES

    def collect(self, progress: Progress) -> Collection:
        out = Collection("azure", progress=progress)
        subs = self._list_subscriptions(out)
        if not subs:
            raise ConnectorError(
                f"azure: no subscription could be read{': ' + str(out.gaps[0]) if out.gaps else ''}"
            )
        log.info("event=subscriptions_listed provider=azure count=%d", len(subs))
        for sub in subs:
            progress.plan("subscription", sub["id"])

        def read(sub: dict[str, Any]) -> list[dict[str, Any]]:
            return self._read_subscription(sub, out)

        for rows in out.fan_out(
            read,
            subs,
            scope_kind="subscription",
            scope_of=lambda s: s["id"],
            max_workers=self.settings.max_workers,
        ):
            out.usage.extend(rows)
        if self.settings.ml.enabled:
            self._read_azure_ml(subs, out)
        if self.settings.activity_log.enabled:
            self._read_activity_log(subs, out)
        out.scope = {
            "subscriptions": sorted(s["id"] for s in subs),
            "instance_types": self.vm_sizes,
            "services": ["azure-ml"] if self.settings.ml.enabled else [],
            "activity_log": self.settings.activity_log.enabled,
        }
        return out

    def _read_activity_log(self, subs: list[dict[str, Any]], out: Collection) -> None:
        """Activity-log events with a caller per subscription into the access table; more than `max_entries` is a gap."""
        from datetime import timedelta

        from auditor.connectors.azure_activity_log import read_activity_log
        from auditor.connectors.azure_ml import ArmRest

        settings = self.settings.activity_log
        until = datetime.now(UTC)
        since = until - timedelta(days=settings.lookback_days)
        operation = "activityLogs.list"
        for sub in subs:
            out.progress.plan("service", f"{sub['id']}/activity-log")

        def read(sub: dict[str, Any]) -> list[dict[str, Any]]:
            scope = f"{sub['id']}/activity-log"
            rest = ArmRest(self.clients.compute(sub["id"]), self.clients.request_options)
            return self._read_capped_log(
                out,
                scope,
                operation,
                lambda: read_activity_log(
                    rest, sub["id"], sub["tenant_id"], since, until, settings.max_entries
                ),
                f"more than {settings.max_entries} events; only the first were read "
                "(raise activity_log.max_entries or shorten lookback_days)",
            )

        for rows in out.fan_out(
            read,
            subs,
            scope_kind="service",
            scope_of=lambda s: f"{s['id']}/activity-log",
            max_workers=self.settings.max_workers,
        ):
            out.access.extend(rows)

    def _read_azure_ml(self, subs: list[dict[str, Any]], out: Collection) -> None:
        """Azure ML workspaces per subscription, then each workspace's computes and online deployments."""
        from auditor.connectors.azure_ml import SERVICE, ArmRest, AzureMlReader, list_workspaces

        opts = self.clients.request_options

        def workspaces(sub: dict[str, Any]) -> list[Any]:
            scope = f"{sub['id']}/{SERVICE}"
            out.progress.plan("service", scope)
            rest = ArmRest(self.clients.compute(sub["id"]), opts)
            try:
                found = self._retry(
                    lambda: list_workspaces(rest, sub["id"], sub["tenant_id"]), "workspaces.list"
                )
            except ScopeFailed as exc:
                out.gap("service", scope, "workspaces.list", exc)
                return []
            out.progress.done("service", scope)
            return [(ws, rest) for ws in found]

        tasks = [
            task
            for found in out.fan_out(
                workspaces,
                subs,
                scope_kind="service",
                scope_of=lambda s: f"{s['id']}/{SERVICE}",
                max_workers=self.settings.max_workers,
            )
            for task in found
        ]
        for ws, _ in tasks:
            out.progress.plan("service", ws.scope)
        now = datetime.now(UTC)

        def read(task: tuple[Any, Any]) -> list[dict[str, Any]]:
            ws, rest = task
            reader = AzureMlReader(rest, ws, self.vm_sizes, now)
            rows: list[dict[str, Any]] = []
            for listing, operation in (
                (reader.computes, "computes.list"),
                (reader.online_deployments, "onlineEndpoints.list"),
            ):
                try:
                    rows += self._retry(listing, operation)
                except ScopeFailed as exc:
                    out.gap("service", ws.scope, operation, exc)
            out.progress.done("service", ws.scope)
            return rows

        for rows in out.fan_out(
            read,
            tasks,
            scope_kind="service",
            scope_of=lambda task: task[0].scope,
            max_workers=self.settings.max_workers,
        ):
            out.usage.extend(rows)

    def _list_subscriptions(self, out: Collection) -> list[dict[str, Any]]:
        client = self.clients.subscriptions()
        opts = self.clients.request_options
        found: list[Any] = []
        if self.settings.subscriptions:
            for sub_id in self.settings.subscriptions:
                try:
                    found.append(
                        self._retry(
                            lambda: client.subscriptions.get(sub_id, **opts),
                            "subscriptions.get",
                        )
                    )
                except ScopeFailed as exc:
                    out.gap("subscription", sub_id, "subscriptions.get", exc)
                    found.append(None)
            subs = [
                (s.subscription_id, s.display_name, dict(s.tags or {}))
                if s is not None
                else (sid, None, {})
                for sid, s in zip(self.settings.subscriptions, found)
            ]
        else:
            try:
                found = self._retry(
                    lambda: [
                        s
                        for s in client.subscriptions.list(**opts)
                        if (s.state or "Enabled") == "Enabled"
                    ],
                    "subscriptions.list",
                )
            except ScopeFailed as exc:
                raise ConnectorError(f"azure: cannot list subscriptions: {exc}") from exc
            subs = [(s.subscription_id, s.display_name, dict(s.tags or {})) for s in found]
        result = []
        for sub_id, name, tags in subs:
            row = tenant_row(sub_id, name, tags, self.settings.tag_map)
            out.tenants.append(row)
            result.append({"id": sub_id, "tenant_id": row["tenant_id"]})
        return result

    def _read_subscription(self, sub: dict[str, Any], out: Collection) -> list[dict[str, Any]]:
        compute = self.clients.compute(sub["id"])
        opts = self.clients.request_options
        try:
            vms = self._retry(
                lambda: list(compute.virtual_machines.list_all(**opts)), "virtualMachines.listAll"
            )
        except ScopeFailed as exc:
            out.gap("subscription", sub["id"], "virtualMachines.listAll", exc)
            return []
        out.progress.done("subscription", sub["id"])
        gpu_vms = [vm for vm in vms if matches_any(_vm_size(vm), self.vm_sizes)]
        # list_all's models carry no power state; the statusOnly listing does. Read it only when
        # there is a GPU VM to judge, and a failure is a gap: without it a deallocated VM looks running.
        states: dict[str, list[Any]] = {}
        if gpu_vms:
            try:
                listed = self._retry(
                    lambda: list(compute.virtual_machines.list_all(status_only="true", **opts)),
                    "virtualMachines.listAll(statusOnly)",
                )
                states = {
                    str(vm.id).lower(): list(
                        _get(vm, "properties", "instance_view", "statuses") or []
                    )
                    for vm in listed
                }
            except ScopeFailed as exc:
                out.gap("subscription", sub["id"], "virtualMachines.listAll(statusOnly)", exc)
        now = datetime.now(UTC)
        rows = []
        for vm in gpu_vms:
            props = _get(vm, "properties") or vm
            start, end = (
                parse_time(_get(props, "time_created")),
                _end_time(states.get(str(vm.id).lower()), now),
            )
            rows.append(
                {
                    "tenant_id": sub["tenant_id"],
                    "provider": "azure",
                    "account_id": sub["id"],
                    "region": vm.location,
                    "instance_id": _get(props, "vm_id") or vm.id,
                    "instance_type": _vm_size(vm),
                    "start": start,
                    "end": end,
                }
            )
        rows.extend(self._read_scale_sets(sub, compute, out, now))
        log.info(
            "event=subscription_read provider=azure subscription=%s vms=%d gpu_vms=%d",
            sub["id"],
            len(vms),
            len(rows),
        )
        return rows

    def _read_scale_sets(
        self, sub: dict[str, Any], compute: Any, out: Collection, now: datetime
    ) -> list[dict[str, Any]]:
        """GPU VMs of Uniform scale sets (AKS node pools, Azure ML clusters), by the scale-set VM listing.

        A Flexible scale set's VMs are ordinary VMs: `virtualMachines.listAll` already returns
        them, so listing them here again would count them twice.
        """
        opts = self.clients.request_options
        try:
            sets = self._retry(
                lambda: list(compute.virtual_machine_scale_sets.list_all(**opts)),
                "virtualMachineScaleSets.listAll",
            )
        except ScopeFailed as exc:
            out.gap("subscription", sub["id"], "virtualMachineScaleSets.listAll", exc)
            return []
        rows: list[dict[str, Any]] = []
        for vmss in sets:
            mode = _get(vmss, "properties", "orchestration_mode") or "Uniform"
            mode = str(
                getattr(mode, "value", mode)
            )  # the SDK's enums print as OrchestrationMode.FLEXIBLE
            size = _get(vmss, "sku", "name")
            if mode.lower() == "flexible" or not matches_any(
                str(size) if size else None, self.vm_sizes
            ):
                continue
            group = _resource_group(vmss.id)
            try:
                members = self._retry(
                    lambda: list(
                        compute.virtual_machine_scale_set_vms.list(
                            group,
                            vmss.name,
                            expand="instanceView",
                            **opts,
                        )
                    ),
                    "virtualMachineScaleSetVMs.list",
                )
            except ScopeFailed as exc:
                out.gap(
                    "scale_set",
                    f"{sub['id']}/{group}/{vmss.name}",
                    "virtualMachineScaleSetVMs.list",
                    exc,
                )
                continue
            for member in members:
                props = _get(member, "properties")
                member_size = (
                    _get(member, "sku", "name")
                    or _get(props, "hardware_profile", "vm_size")
                    or size
                )
                rows.append(
                    {
                        "tenant_id": sub["tenant_id"],
                        "provider": "azure",
                        "account_id": sub["id"],
                        "region": member.location or vmss.location,
                        "instance_id": _get(props, "vm_id") or member.id,
                        "instance_type": str(member_size),
                        "start": parse_time(_get(props, "time_created"))
                        or parse_time(_get(vmss, "properties", "time_created")),
                        "end": _end_time(list(_get(props, "instance_view", "statuses") or []), now),
                    }
                )
        return rows


_ENDED_POWER_STATES = {"PowerState/deallocated", "PowerState/deallocating"}


def _vm_size(vm: Any) -> str | None:
    size = _get(_get(vm, "properties") or vm, "hardware_profile", "vm_size")
    return str(size) if size is not None else None


def _resource_group(resource_id: str) -> str:
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else ""


def _end_time(statuses: list[Any] | None, now: datetime) -> datetime | None:
    """When a deallocated VM stopped: its last provisioning change, else (not known) the collection time.

    A stopped but allocated VM (`PowerState/stopped`) still holds its GPUs, so it counts as running.
    Without statuses nothing is known, and the VM is taken as running (the caller records that gap).
    """
    if not statuses:
        return None
    codes = {str(getattr(s, "code", "") or "") for s in statuses}
    if not codes & _ENDED_POWER_STATES:
        return None
    times = [
        parse_time(getattr(s, "time", None))
        for s in statuses
        if str(getattr(s, "code", "")).startswith("ProvisioningState/")
    ]
    known = [t for t in times if t is not None]
    return max(known) if known else now
