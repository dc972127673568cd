"""auditor: finds the tenants through whom export-restricted AI accelerators reach barred parties."""

__version__ = "0.1.0"
