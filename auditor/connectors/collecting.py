"""`collect`: runs one connector of the `CONNECTORS` registry and returns what it read, with its gaps."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from auditor.connectors.aws import AwsConnector
from auditor.connectors.azure import AzureConnector
from auditor.connectors.base import CollectResult
from auditor.connectors.progress import make_progress
from auditor.connectors.config import ConnectorSettings, GeoIpSettings, settings_for
from auditor.connectors.gcp import GcpConnector
from auditor.errors import InputError

log = logging.getLogger("auditor.connectors")

# provider name -> connector class. One spelling per name.
CONNECTORS: dict[str, type[Any]] = {
    "aws": AwsConnector,
    "gcp": GcpConnector,
    "azure": AzureConnector,
}


def collect(
    provider: str,
    settings: dict[str, Any] | ConnectorSettings | None = None,
    clients: Any = None,
    progress: bool | None = None,
    geoip: GeoIpSettings | None = None,
) -> CollectResult:
    """Collect one provider. A scope that keeps failing is a gap in the result, not an exception;
    only a provider that yields nothing at all raises ConnectorError. With `geoip`, sign-ins
    get their country from that database, and the manifest says which database it was."""
    if provider not in CONNECTORS:
        raise InputError(f"unknown provider '{provider}'; expected one of {', '.join(CONNECTORS)}")
    model = settings_for(provider, settings)
    database = None
    if geoip is not None:  # opened first: a wrong path fails before any cloud call
        from auditor.geoip import open_geoip

        database = open_geoip(geoip.path)
    started = datetime.now(UTC)
    connector = CONNECTORS[provider](model, clients)
    bar = make_progress(provider, progress)
    try:
        collection = connector.collect(bar)
        for kind, scope in bar.pending():
            collection.gap(kind, scope, "collect", RuntimeError("planned but never finished"))
    finally:
        bar.close()
    result = collection.to_result(started)
    result.manifest["coverage"] = bar.coverage()
    if database is not None:
        from auditor.geoip import add_ip_country

        result.access, counts = add_ip_country(result.access, database)
        result.manifest["geoip"] = {**database.describe(), **counts}
    log.info(
        "event=collected provider=%s tenants=%d usage=%d access=%d gaps=%d",
        provider,
        result.tenants.height,
        result.usage.height,
        result.access.height,
        len(result.gaps),
    )
    return result
