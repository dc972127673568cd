"""Cloud connectors: read a provider's accounts into the canonical tenants, usage and access tables.

`collect(provider, settings)` runs one connector from the `CONNECTORS` registry and returns a
`CollectResult` whose gaps say what could not be read; `write_snapshot` / `read_snapshot`
store a collection as Parquet plus a manifest. SDKs are imported only by the connector that
needs them.

The names below are imported when first asked for (PEP 562): `auditor.config` imports
`auditor.connectors.config` for its settings model, which must not load every connector's
code (0.4 s of every audit, a run that reused its answer included).
"""

from __future__ import annotations

from auditor.lazyexports import lazy_attributes

_WHERE = {
    "CONNECTORS": "collecting",
    "collect": "collecting",
    "AwsClients": "aws",
    "AwsConnector": "aws",
    "AzureClients": "azure",
    "AzureConnector": "azure",
    "GcpClients": "gcp",
    "GcpConnector": "gcp",
    "CollectResult": "base",
    "Connector": "base",
    "CoverageGap": "base",
    "AwsSettings": "config",
    "AzureSettings": "config",
    "ConnectorSettings": "config",
    "ConnectorsConfig": "config",
    "GcpSettings": "config",
    "GeoIpSettings": "config",
    "load_connectors_config": "config",
    "settings_for": "config",
    "read_snapshot": "snapshot",
    "write_snapshot": "snapshot",
}

__all__ = sorted(_WHERE)

__getattr__ = lazy_attributes(__name__, _WHERE)
