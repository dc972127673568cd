"""What every connector needs from `endpoint:` settings: a checked CA bundle path and the sovereign-cloud tables.

Kept apart from the SDK code so each connector turns the same settings into its own SDK's
options (botocore Config, azure-core kwargs, google ClientOptions) without importing the others.
"""

from __future__ import annotations

from pathlib import Path

from auditor.connectors.config import EndpointSettings
from auditor.errors import ConfigError

# Azure cloud -> (Resource Manager URL, Entra ID authority host).
AZURE_CLOUDS: dict[str, tuple[str, str]] = {
    "public": ("https://management.azure.com", "login.microsoftonline.com"),
    "china": ("https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    "usgov": ("https://management.usgovcloudapi.net", "login.microsoftonline.us"),
}


def ca_bundle_path(endpoint: EndpointSettings) -> str | None:
    """The configured CA bundle, refused with its name if it is not a readable file."""
    if endpoint.ca_bundle is None:
        return None
    path = Path(endpoint.ca_bundle)
    if not path.is_file():
        raise ConfigError(
            f"endpoint.ca_bundle '{endpoint.ca_bundle}' is not a file; expected a PEM file of CA certificates"
        )
    return str(path)


def proxies(endpoint: EndpointSettings) -> dict[str, str] | None:
    """requests/azure-core style proxy map, or None for no proxy."""
    return {"http": endpoint.proxy, "https": endpoint.proxy} if endpoint.proxy else None
