"""Azure access: the Azure Monitor activity log per subscription, by its ARM REST shape.

Each control-plane event carries the caller's IP (`httpRequest.clientIpAddress`, else the
token's `claims.ipaddr`); each becomes an access row and the connector's GeoIP step adds
the country. Events without a caller (the platform's own) are skipped. Reading stops one
event past `limit`, so the caller can tell a longer log (a gap, never a silent cut).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from auditor.connectors.azure_ml import ArmRest
from auditor.connectors.base import parse_time

API_VERSION = "2015-04-01"
FIELDS = "eventTimestamp,caller,claims,httpRequest"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def activity_url(subscription_id: str, since: datetime, until: datetime) -> str:
    flt = f"eventTimestamp ge '{_stamp(since)}' and eventTimestamp le '{_stamp(until)}'"
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Insights/eventtypes/management/values"
        f"?api-version={API_VERSION}&$filter={quote(flt)}&$select={quote(FIELDS)}"
    )


def read_activity_log(
    rest: ArmRest,
    subscription_id: str,
    tenant_id: str,
    since: datetime,
    until: datetime,
    limit: int,
) -> tuple[list[dict[str, Any]], bool]:
    """Access rows of one subscription's activity log, and whether it holds more than `limit` events."""
    events = rest.list(activity_url(subscription_id, since, until), limit=limit + 1)
    more = len(events) > limit
    rows = []
    for event in events[:limit]:
        if not event.get("caller"):
            continue
        ip = (event.get("httpRequest") or {}).get("clientIpAddress") or (
            event.get("claims") or {}
        ).get("ipaddr")
        rows.append(
            {
                "tenant_id": tenant_id,
                "timestamp": parse_time(event.get("eventTimestamp")),
                "source_ip": ip or None,
            }
        )
    return rows, more
