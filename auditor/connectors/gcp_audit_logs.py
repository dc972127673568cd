"""GCP access: Cloud Audit Logs (Admin Activity) per project, by the Logging API's `entries:list` REST shape.

Every Admin Activity entry is an authenticated control-plane call with the caller's IP in
`protoPayload.requestMetadata.callerIp`; each becomes an access row (tenant, time, source
IP), and the connector's GeoIP step adds the country. Admin Activity logs are always on
and free, so every project has them. Reading stops one entry past `limit`, so the caller
can tell a log longer than it reads (a gap, never a silently shortened table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditor.connectors.base import parse_time
from auditor.connectors.gcp_rest import GcpRest

PAGE_SIZE = 1000
LOG_ID = "cloudaudit.googleapis.com%2Factivity"


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def entries_filter(project_id: str, since: datetime, until: datetime) -> str:
    return (
        f'logName="projects/{project_id}/logs/{LOG_ID}" '
        f'AND timestamp>="{_rfc3339(since)}" AND timestamp<"{_rfc3339(until)}"'
    )


def read_admin_activity(
    rest: GcpRest,
    project_id: str,
    tenant_id: str,
    since: datetime,
    until: datetime,
    limit: int,
) -> tuple[list[dict[str, Any]], bool]:
    """Access rows of one project's Admin Activity log between `since` and `until`, paged, and whether it holds more than `limit`."""
    url = f"{rest.base('logging')}/v2/entries:list"
    request: dict[str, Any] = {
        "resourceNames": [f"projects/{project_id}"],
        "filter": entries_filter(project_id, since, until),
        "orderBy": "timestamp asc",
        "pageSize": PAGE_SIZE,
    }
    rows: list[dict[str, Any]] = []
    while True:
        page = rest.post(url, request)
        for entry in page.get("entries") or []:
            if len(rows) == limit:
                return rows, True
            payload = entry.get("protoPayload") or {}
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "timestamp": parse_time(entry.get("timestamp")),
                    "source_ip": (payload.get("requestMetadata") or {}).get("callerIp") or None,
                }
            )
        token = page.get("nextPageToken")
        if not token:
            return rows, False
        request["pageToken"] = str(token)
