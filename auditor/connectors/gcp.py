"""GCP connector: projects as tenants (labels mapped to tenant fields), GPU instances per project.

Projects come from the Resource Manager (children of the configured organization and folders
and, when `nested`, of every folder below them) and/or a configured project list; instances from `InstancesClient.aggregated_list`,
one project per worker. A zone the aggregated list reports as unreachable is a region gap.
Vertex AI (`gcp_vertex`) and the Admin Activity audit logs (`gcp_audit_logs`) are read by
their REST shapes through `gcp_rest`.
The SDKs are imported lazily; their own retries are switched off so `call_with_retry` rules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
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
from auditor.connectors.config import GcpSettings
from auditor.errors import ConnectorError

log = logging.getLogger("auditor.connectors.gcp")

DEFAULT_MACHINE_TYPES = ["a2-*", "a3-*", "a4-*", "a4x-*", "g2-*", "g4-*"]
_ENDED = {"STOPPING", "STOPPED", "SUSPENDING", "SUSPENDED", "TERMINATED"}
_QUIET_WARNINGS = {"", "NO_RESULTS_ON_PAGE"}
CALL_TIMEOUT_S = 60.0


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx, deadlines and connection faults are retried; 403/404 are not."""
    from google.api_core import exceptions as gexc
    from google.auth.exceptions import TransportError

    retryable: tuple[type[BaseException], ...] = (
        gexc.TooManyRequests,
        gexc.ServerError,
        gexc.DeadlineExceeded,
        TransportError,
        ConnectionError,
        TimeoutError,
    )
    try:
        import requests

        retryable += (requests.ConnectionError, requests.Timeout)
    except ImportError:  # pragma: no cover - requests comes with google-auth's transport
        pass
    return isinstance(exc, retryable)


def short_name(url: str | None) -> str | None:
    """`.../zones/us-central1-a/machineTypes/a2-highgpu-1g` -> `a2-highgpu-1g`."""
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None


@dataclass
class GcpClients:
    """The SDK clients the connector uses; inject them to point at another endpoint."""

    instances: Any = None  # compute_v1.InstancesClient
    projects: Any = (
        None  # resourcemanager_v3.ProjectsClient, needed for org/folder listing and labels
    )
    folders: Any = (
        None  # resourcemanager_v3.FoldersClient, for the folders nested under the organization
    )
    rest: Any = None  # GcpRest for Vertex AI and Cloud Logging; None builds one from the settings

    def __post_init__(self) -> None:
        if self.instances is None:
            from google.cloud import compute_v1

            self.instances = compute_v1.InstancesClient()
        if self.projects is None:
            try:
                from google.cloud import resourcemanager_v3
            except ImportError as exc:
                from auditor.errors import InputError

                raise InputError(
                    "the gcp connector needs google-cloud-resource-manager; install it with: pip install 'auditor[gcp]'"
                ) from exc
            self.projects = resourcemanager_v3.ProjectsClient()
        if self.folders is None:
            from google.cloud import resourcemanager_v3

            self.folders = resourcemanager_v3.FoldersClient()


def clients_from_settings(settings: GcpSettings) -> GcpClients:
    """REST clients as `endpoint:` and `universe_domain:` say (emulator, proxy, CA bundle, sovereign universe)."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import compute_v1

    from auditor.connectors.endpoints import ca_bundle_path, proxies

    try:
        from google.cloud import resourcemanager_v3
    except ImportError as exc:
        from auditor.errors import InputError

        raise InputError(
            "the gcp connector needs google-cloud-resource-manager; install it with: pip install 'auditor[gcp]'"
        ) from exc
    endpoint = settings.endpoint
    options = ClientOptions(api_endpoint=endpoint.url, universe_domain=settings.universe_domain)
    kwargs: dict[str, Any] = {"transport": "rest", "client_options": options}
    if endpoint.auth == "none":
        from google.auth.credentials import AnonymousCredentials

        kwargs["credentials"] = AnonymousCredentials()
    from auditor.connectors.gcp_rest import rest_from_settings

    clients = GcpClients(
        instances=compute_v1.InstancesClient(**kwargs),
        projects=resourcemanager_v3.ProjectsClient(**kwargs),
        folders=resourcemanager_v3.FoldersClient(**kwargs),
        rest=rest_from_settings(endpoint, settings.universe_domain),
    )
    bundle, proxy_map = ca_bundle_path(endpoint), proxies(endpoint)
    for client in (clients.instances, clients.projects, clients.folders):
        # The REST transport's requests session has no constructor knob for these; set them on it.
        session = client._transport._session  # noqa: SLF001 - google's REST transports all keep it here
        if proxy_map:
            session.proxies.update(proxy_map)
        if bundle:
            session.verify = bundle
    return clients


class GcpConnector(RetryingConnector):
    """Reads GCP projects and their GPU instances."""

    name: ClassVar[str] = "gcp"
    settings_model: ClassVar[type[GcpSettings]] = GcpSettings
    settings: GcpSettings
    retryable = staticmethod(is_retryable)

    def __init__(self, settings: GcpSettings, clients: GcpClients | None = None) -> None:
        require_sdk("google.cloud.compute_v1", "gcp")
        self.settings = settings
        self.clients = clients or clients_from_settings(settings)
        self.machine_types = settings.instance_types or DEFAULT_MACHINE_TYPES

    def collect(self, progress: Progress) -> Collection:
        out = Collection("gcp", progress=progress)
        projects = self._list_projects(out)
        if not projects:
            if out.gaps:
                raise ConnectorError(f"gcp: no project could be listed: {out.gaps[0]}")
            raise ConnectorError(
                "gcp: no projects to read; set organization, folders or projects in the config"
            )
        log.info("event=projects_listed provider=gcp count=%d", len(projects))
        for project in projects:
            progress.plan("project", project["project_id"])

        def read(project: dict[str, Any]) -> list[dict[str, Any]]:
            return self._read_project(project, out)

        for rows in out.fan_out(
            read,
            projects,
            scope_kind="project",
            scope_of=lambda p: p["project_id"],
            max_workers=self.settings.max_workers,
        ):
            out.usage.extend(rows)
        if self.settings.ml.enabled:
            self._read_vertex(projects, out)
        if self.settings.audit_logs.enabled:
            self._read_audit_logs(projects, out)
        out.scope = {
            "organization": self.settings.organization,
            "folders": list(self.settings.folders),
            "nested": self.settings.nested,
            "projects": sorted(p["project_id"] for p in projects),
            "instance_types": self.machine_types,
            "services": ["vertex-ai"] if self.settings.ml.enabled else [],
            "audit_logs": self.settings.audit_logs.enabled,
        }
        return out

    def _rest(self) -> Any:
        if self.clients.rest is None:
            from auditor.connectors.gcp_rest import rest_from_settings

            self.clients.rest = rest_from_settings(
                self.settings.endpoint, self.settings.universe_domain
            )
        return self.clients.rest

    def _read_audit_logs(self, projects: list[dict[str, Any]], out: Collection) -> None:
        """Admin Activity entries per project into the access table; a log longer than `max_entries` is a gap."""
        from datetime import UTC, datetime, timedelta

        from auditor.connectors.gcp_audit_logs import read_admin_activity

        rest = self._rest()
        settings = self.settings.audit_logs
        until = datetime.now(UTC)
        since = until - timedelta(days=settings.lookback_days)
        operation = "logging.entries.list"
        for project in projects:
            out.progress.plan("service", f"{project['project_id']}/audit-logs")

        def read(project: dict[str, Any]) -> list[dict[str, Any]]:
            pid, scope = project["project_id"], f"{project['project_id']}/audit-logs"
            return self._read_capped_log(
                out,
                scope,
                operation,
                lambda: read_admin_activity(
                    rest, pid, project["tenant_id"], since, until, settings.max_entries
                ),
                f"more than {settings.max_entries} entries; only the first were read "
                "(raise audit_logs.max_entries or shorten lookback_days)",
            )

        for rows in out.fan_out(
            read,
            projects,
            scope_kind="service",
            scope_of=lambda p: f"{p['project_id']}/audit-logs",
            max_workers=self.settings.max_workers,
        ):
            out.access.extend(rows)

    def _read_vertex(self, projects: list[dict[str, Any]], out: Collection) -> None:
        """Vertex AI custom jobs and endpoints, per project and location."""
        from datetime import UTC, datetime, timedelta

        from auditor.connectors.gcp_vertex import SERVICE, VertexReader, VertexScope, list_locations

        rest = self._rest()
        since = datetime.now(UTC) - timedelta(days=self.settings.ml.lookback_days)

        def locations(project: dict[str, Any]) -> list[VertexScope]:
            pid = project["project_id"]
            found = list(self.settings.ml.locations)
            if not found:
                scope = f"{pid}/{SERVICE}"
                out.progress.plan("service", scope)
                try:
                    found = self._retry(
                        lambda: list_locations(rest, pid), "aiplatform.locations.list"
                    )
                except ScopeFailed as exc:
                    out.gap("service", scope, "aiplatform.locations.list", exc)
                    return []
                out.progress.done("service", scope)
            return [VertexScope(pid, project["tenant_id"], loc) for loc in found]

        scopes = [
            s
            for found in out.fan_out(
                locations,
                projects,
                scope_kind="service",
                scope_of=lambda p: f"{p['project_id']}/{SERVICE}",
                max_workers=self.settings.max_workers,
            )
            for s in found
        ]
        for scope in scopes:
            out.progress.plan("service", scope.name)

        def read(scope: VertexScope) -> list[dict[str, Any]]:
            reader = VertexReader(rest, scope, self.machine_types, since)
            rows: list[dict[str, Any]] = []
            for listing, operation in (
                (reader.custom_jobs, "aiplatform.customJobs.list"),
                (reader.endpoints, "aiplatform.endpoints.list"),
            ):
                try:
                    rows += self._retry(listing, operation)
                except ScopeFailed as exc:
                    out.gap("service", scope.name, operation, exc)
            out.progress.done("service", scope.name)
            return rows

        for rows in out.fan_out(
            read,
            scopes,
            scope_kind="service",
            scope_of=lambda s: s.name,
            max_workers=self.settings.max_workers,
        ):
            out.usage.extend(rows)

    def _list_projects(self, out: Collection) -> list[dict[str, Any]]:
        """Projects by id, with the tenant row made from each one's labels."""
        found: dict[str, dict[str, Any]] = {}
        parents = (
            [f"organizations/{self.settings.organization}"] if self.settings.organization else []
        ) + [f"folders/{f}" for f in self.settings.folders]
        if self.settings.nested:
            parents = self._nested_parents(parents, out)
        for parent in parents:
            out.progress.plan("service", parent)
            try:
                listed = self._retry(
                    lambda: list(
                        self.clients.projects.list_projects(
                            request={"parent": parent},
                            retry=None,
                            timeout=CALL_TIMEOUT_S,
                        )
                    ),
                    "resourcemanager.projects.list",
                )
            except ScopeFailed as exc:
                out.gap("service", parent, "resourcemanager.projects.list", exc)
                continue
            out.progress.done("service", parent)
            for project in listed:
                if _state_name(project.state) == "ACTIVE":
                    found.setdefault(project.project_id, _project_dict(project))
        for project_id in self.settings.projects:
            if project_id in found:
                continue
            try:
                project = self._retry(
                    lambda: self.clients.projects.get_project(
                        name=f"projects/{project_id}",
                        retry=None,
                        timeout=CALL_TIMEOUT_S,
                    ),
                    "resourcemanager.projects.get",
                )
                found[project_id] = _project_dict(project)
            except ScopeFailed as exc:
                # Still read its instances; only its labels (tenant fields) are unknown.
                out.gap("project", project_id, "resourcemanager.projects.get", exc)
                found[project_id] = {
                    "project_id": project_id,
                    "display_name": None,
                    "labels": {},
                    "create_time": None,
                }
        result = []
        for project in found.values():
            row = tenant_row(
                project["project_id"],
                project["display_name"],
                project["labels"],
                self.settings.label_map,
                project["create_time"],
            )
            out.tenants.append(row)
            result.append({**project, "tenant_id": row["tenant_id"]})
        return result

    def _nested_parents(self, roots: list[str], out: Collection) -> list[str]:
        """The roots and every ACTIVE folder below them, breadth first, each once.

        GCP allows folders ten deep; the `seen` set also ends any cycle a bad server could
        describe. A folder whose children cannot be listed is a gap: its sub-folders' projects
        are not covered.
        """
        seen = dict.fromkeys(roots)
        queue = list(roots)
        while queue:
            parent = queue.pop(0)
            try:
                children = self._retry(
                    lambda: list(
                        self.clients.folders.list_folders(
                            request={"parent": parent},
                            retry=None,
                            timeout=CALL_TIMEOUT_S,
                        )
                    ),
                    "resourcemanager.folders.list",
                )
            except ScopeFailed as exc:
                out.gap("service", parent, "resourcemanager.folders.list", exc)
                continue
            for folder in children:
                if _state_name(folder.state) == "ACTIVE" and folder.name not in seen:
                    seen[folder.name] = None
                    queue.append(folder.name)
        log.info("event=folders_listed provider=gcp parents=%d", len(seen))
        return list(seen)

    def _read_project(self, project: dict[str, Any], out: Collection) -> list[dict[str, Any]]:
        project_id = project["project_id"]

        def fetch() -> list[Any]:
            pager = self.clients.instances.aggregated_list(
                request={"project": project_id}, retry=None, timeout=CALL_TIMEOUT_S
            )
            return list(pager.pages)

        try:
            pages = self._retry(fetch, "compute.instances.aggregatedList")
        except ScopeFailed as exc:
            out.gap("project", project_id, "compute.instances.aggregatedList", exc)
            return []
        out.progress.done("project", project_id)
        rows: list[dict[str, Any]] = []
        for page in pages:
            for unreachable in page.unreachables:
                out.gap(
                    "region",
                    f"{project_id}/{unreachable}",
                    "compute.instances.aggregatedList",
                    RuntimeError("unreachable"),
                )
            for scope_key, scoped in page.items.items():
                code = scoped.warning.code if "warning" in scoped else ""
                if code not in _QUIET_WARNINGS:
                    out.gap(
                        "region",
                        f"{project_id}/{scope_key}",
                        "compute.instances.aggregatedList",
                        RuntimeError(f"warning {code}"),
                    )
                for inst in scoped.instances:
                    row = self._instance_row(project, scope_key, inst)
                    if row is not None:
                        rows.append(row)
        log.info(
            "event=project_read provider=gcp project=%s pages=%d instances=%d",
            project_id,
            len(pages),
            len(rows),
        )
        return rows

    def _instance_row(
        self, project: dict[str, Any], scope_key: str, inst: Any
    ) -> dict[str, Any] | None:
        machine = short_name(inst.machine_type)
        accelerators = [
            (short_name(a.accelerator_type), a.accelerator_count) for a in inst.guest_accelerators
        ]
        if not accelerators and not matches_any(machine, self.machine_types):
            return None
        end = None
        if inst.status in _ENDED:
            end = parse_time(inst.last_stop_timestamp) or parse_time(inst.last_suspended_timestamp)
        return {
            "tenant_id": project["tenant_id"],
            "provider": "gcp",
            "account_id": project["project_id"],
            "region": short_name(inst.zone) or scope_key.removeprefix("zones/"),
            "instance_id": str(inst.id) if inst.id else inst.name,
            "instance_type": machine,
            "start": parse_time(inst.last_start_timestamp) or parse_time(inst.creation_timestamp),
            "end": end,
            "accelerator": accelerators[0][0] if accelerators else None,
            "accelerator_count": sum(int(c or 0) for _, c in accelerators)
            if accelerators
            else None,
        }


def _state_name(state: Any) -> str:
    return getattr(state, "name", str(state))


def _project_dict(project: Any) -> dict[str, Any]:
    return {
        "project_id": project.project_id,
        "display_name": project.display_name or None,
        "labels": dict(project.labels),
        "create_time": project.create_time or None,
    }
