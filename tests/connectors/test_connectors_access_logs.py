"""GCP Admin Activity audit logs (Logging entries:list) and the Azure activity log into the access table, with GeoIP countries.

Local servers serve the documented REST shapes and are reached only through the config's
`endpoint:` settings; the countries come from a tiny .mmdb (see geoip_files).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.connectors import GeoIpSettings, collect
from auditor.model.schema import ACCESS

from geoip_files import write_country_mmdb
from test_connectors_azure import subscription
from test_connectors_gcp import project

FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
SUB, SUB_DENIED = "00000000-0000-0000-0000-0000000000c1", "00000000-0000-0000-0000-0000000000c2"
ACTIVITY = "/providers/Microsoft.Insights/eventtypes/management/values"


def entry(ts: str, ip: str | None) -> dict[str, Any]:
    meta = {"callerIp": ip} if ip else {}
    return {
        "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity",
        "timestamp": ts,
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "methodName": "v1.compute.instances.insert",
            "authenticationInfo": {"principalEmail": "someone@example.com"},
            "requestMetadata": meta,
        },
    }


class GcpLogs:
    """alpha: 3 entries on 2 pages; beta: denied; gamma: throttled once, then 1 entry."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.gamma_calls = 0

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        for pid in ("alpha", "beta", "gamma"):
            if path == f"/v3/projects/{pid}":
                return 200, project(pid, {"tenant_id": f"t-{pid}"})
        if path.endswith("/aggregated/instances"):
            return 200, {"items": {}}
        if path.endswith("/locations"):
            return 200, {"locations": []}
        if path == "/v2/entries:list" and method == "POST":
            body = json.loads(query["__body__"][0])
            self.bodies.append(body)
            (resource,) = body["resourceNames"]
            if resource == "projects/alpha":
                if "pageToken" not in body:
                    return 200, {
                        "entries": [
                            entry("2026-11-30T01:00:00Z", "203.0.113.7"),
                            entry("2026-11-30T02:00:00Z", "198.51.100.9"),
                        ],
                        "nextPageToken": "e2",
                    }
                assert body["pageToken"] == "e2"
                return 200, {"entries": [entry("2026-11-30T03:00:00Z", None)]}
            if resource == "projects/beta":
                return 403, {"error": {"code": 403, "message": "no", "status": "PERMISSION_DENIED"}}
            self.gamma_calls += 1
            if self.gamma_calls == 1:
                return 429, {
                    "error": {"code": 429, "message": "slow", "status": "RESOURCE_EXHAUSTED"}
                }
            return 200, {"entries": [entry("2026-11-29T00:00:00Z", "203.0.113.8")]}
        return 404, {"error": {"code": 404, "message": path, "status": "NOT_FOUND"}}


@pytest.fixture
def mmdb(tmp_path: Path) -> Path:
    return write_country_mmdb(tmp_path / "countries.mmdb")


def _endpoint(api: Any) -> dict[str, Any]:
    return {"url": api.url, "allow_http": True, "auth": "none"}


def test_gcp_admin_activity_entries_are_access_rows_with_countries(
    local_api: Any, mmdb: Path
) -> None:
    routes = GcpLogs()
    api = local_api(routes)
    settings = {
        "projects": ["alpha", "beta", "gamma"],
        "endpoint": _endpoint(api),
        "retry": FAST_RETRY,
    }
    result = collect("gcp", settings, progress=False, geoip=GeoIpSettings(path=str(mmdb)))
    assert dict(result.access.schema) == ACCESS.polars_schema()
    rows = sorted(result.access.iter_rows(named=True), key=lambda r: r["timestamp"])
    assert [(r["tenant_id"], r["source_ip"], r["ip_country"]) for r in rows] == [
        ("t-gamma", "203.0.113.8", "CN"),
        ("t-alpha", "203.0.113.7", "CN"),
        ("t-alpha", "198.51.100.9", "US"),
        ("t-alpha", None, None),  # no caller IP: an access, country unknown
    ]
    alpha = next(b for b in routes.bodies if b["resourceNames"] == ["projects/alpha"])
    assert 'logName="projects/alpha/logs/cloudaudit.googleapis.com%2Factivity"' in alpha["filter"]
    assert "timestamp>=" in alpha["filter"] and alpha["orderBy"] == "timestamp asc"
    assert routes.gamma_calls == 2  # throttled once, retried
    assert [(g.scope, g.operation, g.attempts) for g in result.gaps] == [
        ("beta/audit-logs", "logging.entries.list", 1)
    ]
    assert result.manifest["geoip"]["rows_resolved"] == 3


def test_a_log_longer_than_max_entries_is_kept_in_part_and_reported(local_api: Any) -> None:
    api = local_api(GcpLogs())
    settings = {
        "projects": ["alpha"],
        "endpoint": _endpoint(api),
        "retry": FAST_RETRY,
        "audit_logs": {"max_entries": 2},
    }
    result = collect("gcp", settings, progress=False)
    assert result.access.height == 2
    (gap,) = result.gaps
    assert gap.scope == "alpha/audit-logs" and "more than 2 entries" in gap.error
    assert result.manifest["coverage"]["service"]["partial"] == 1
    whole = collect("gcp", {**settings, "audit_logs": {"max_entries": 3}}, progress=False)
    assert whole.complete and whole.access.height == 3  # exactly at the limit is whole


class AzureLogs:
    """SUB: 4 events on 2 pages (one platform event without caller); SUB_DENIED: 403."""

    def __init__(self) -> None:
        self.url = ""
        self.filters: list[str] = []

    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        assert "api-version" in query
        for sub in (SUB, SUB_DENIED):
            if path == f"/subscriptions/{sub}":
                return 200, subscription(sub, sub[-2:], {"tenant_id": f"T-{sub[-2:]}"})
        if path.endswith(("/virtualMachines", "/virtualMachineScaleSets", "/workspaces")):
            return 200, {"value": []}
        if path == f"/subscriptions/{SUB}{ACTIVITY}":
            self.filters += query.get("$filter", [])
            if query.get("page") != ["2"]:
                return 200, {
                    "value": [
                        {
                            "eventTimestamp": "2026-11-30T01:00:00Z",
                            "caller": "a@example.com",
                            "httpRequest": {"clientIpAddress": "203.0.113.50"},
                        },
                        {
                            "eventTimestamp": "2026-11-30T02:00:00Z",
                            "caller": "b@example.com",
                            "claims": {"ipaddr": "198.51.100.7"},
                        },
                    ],
                    "nextLink": f"{self.url}/subscriptions/{SUB}{ACTIVITY}?api-version=2015-04-01&page=2",
                }
            return 200, {
                "value": [
                    {"eventTimestamp": "2026-11-30T03:00:00Z"},  # the platform's own: no caller
                    {"eventTimestamp": "2026-11-30T04:00:00Z", "caller": "c@example.com"},
                ]
            }
        if path == f"/subscriptions/{SUB_DENIED}{ACTIVITY}":
            return 403, {"error": {"code": "AuthorizationFailed", "message": "denied"}}
        return 404, {"error": {"code": "NotFound", "message": path}}


def test_azure_activity_log_events_are_access_rows_with_countries(
    local_api: Any, mmdb: Path
) -> None:
    routes = AzureLogs()
    api = local_api(routes)
    routes.url = api.url
    settings = {
        "subscriptions": [SUB, SUB_DENIED],
        "endpoint": _endpoint(api),
        "retry": FAST_RETRY,
    }
    result = collect("azure", settings, progress=False, geoip=GeoIpSettings(path=str(mmdb)))
    rows = sorted(result.access.iter_rows(named=True), key=lambda r: r["timestamp"])
    assert [(r["tenant_id"], r["source_ip"], r["ip_country"]) for r in rows] == [
        ("T-c1", "203.0.113.50", "CN"),
        ("T-c1", "198.51.100.7", "US"),
        ("T-c1", None, None),
    ]
    assert routes.filters and routes.filters[0].startswith("eventTimestamp ge '")
    assert [(g.scope, g.operation, g.attempts) for g in result.gaps] == [
        (f"{SUB_DENIED}/activity-log", "activityLogs.list", 1)
    ]
    assert not result.manifest["complete"]


def test_logs_can_be_switched_off(local_api: Any) -> None:
    routes = AzureLogs()
    api = local_api(routes)
    routes.url = api.url
    settings = {
        "subscriptions": [SUB_DENIED],
        "endpoint": _endpoint(api),
        "retry": FAST_RETRY,
        "activity_log": {"enabled": False},
    }
    result = collect("azure", settings, progress=False)
    assert result.complete and result.access.height == 0


def test_a_gcp_snapshot_audited_end_to_end_has_signin_countries(
    local_api: Any, mmdb: Path, tmp_path: Path, capsys: Any
) -> None:
    from auditor.cli.main import main

    api = local_api(GcpLogs())
    config = tmp_path / "collect.yaml"
    section = {"projects": ["alpha"], "endpoint": _endpoint(api), "retry": FAST_RETRY}
    config.write_text(json.dumps({"geoip": {"path": str(mmdb)}, "gcp": section}))
    snap, out = tmp_path / "snap", tmp_path / "audit"
    assert main(["collect", "--provider", "gcp", "--config", str(config), "--out", str(snap)]) == 0
    code = main(["audit", "--snapshot", str(snap), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    run = json.loads((out / "run.json").read_text())
    assert "d5_signin_share" not in run["unavailable_features"]
    (entry,) = [i for i in run["inputs"] if i["table"] == "snapshot"]
    assert entry["geoip"]["rows_resolved"] == 2  # the entry without a caller IP is not looked up
