"""Source IP -> country, offline, from a MaxMind DB (`.mmdb`) file the operator points at.

Cloud sign-in logs (CloudTrail, GCP and Azure audit logs) carry IP addresses, not countries,
so `d5_signin_share` is unknown for collected data until the IPs are placed. This module
reads a local GeoLite2/GeoIP2 Country, DB-IP (lite) country or any MaxMind-format database
with a `country.iso_code` (or a flat `country`) field; it never calls a web service. Which
database answered, and when it was built, goes into the snapshot manifest and run.json,
since an IP's country changes as address blocks move.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from auditor.errors import InputError, SourceLocation, display_path

log = logging.getLogger("auditor.geoip")


@dataclass(frozen=True)
class GeoIpDatabase:
    """An open `.mmdb` reader and what it is (for the manifest)."""

    path: Path
    reader: Any  # maxminddb.Reader
    database_type: str
    build_date: str  # ISO date the file was built

    def describe(self) -> dict[str, Any]:
        return {
            "file": self.path.name,
            "database_type": self.database_type,
            "build_date": self.build_date,
        }

    def country(self, ip: str | None) -> str | None:
        """ISO alpha-2 country of one address; None for a blank, malformed, private or unlisted one."""
        if not ip:
            return None
        try:
            address = ipaddress.ip_address(ip.strip())
        except ValueError:
            return None  # CloudTrail writes a service name (e.g. "AWS Internal") for some events
        try:
            record = self.reader.get(address)
        except ValueError:  # an IPv6 address asked of an IPv4-only database
            return None
        return _iso_code(record)


def _iso_code(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    country = record.get("country")
    code = country.get("iso_code") if isinstance(country, dict) else country
    if isinstance(code, str) and len(code) == 2 and code.isalpha():
        return code.upper()
    return None


def open_geoip(path: str | Path) -> GeoIpDatabase:
    """Open a `.mmdb` file; a missing, unreadable or non-MaxMind file is an InputError naming it."""
    try:
        import maxminddb
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise InputError("geoip needs the maxminddb package: pip install maxminddb") from exc
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise InputError(
            "geoip database not found; expected a MaxMind DB (.mmdb) file",
            location=SourceLocation(shown),
        )
    try:
        reader = maxminddb.open_database(str(path), maxminddb.MODE_MEMORY)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        raise InputError(
            f"not a MaxMind DB (.mmdb) file: {type(exc).__name__}", location=SourceLocation(shown)
        ) from exc
    meta = reader.metadata()
    built = datetime.fromtimestamp(int(meta.build_epoch), UTC).date().isoformat()
    return GeoIpDatabase(path, reader, str(meta.database_type), built)


def add_ip_country(
    access: pl.DataFrame, database: GeoIpDatabase
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Fill `ip_country` from `source_ip` where it is empty; a country already given is kept.

    Each distinct address is looked up once (the reader works per address) and joined back,
    so a table of many sign-ins from few IPs costs few lookups. Returns the counts of rows
    resolved and left unknown, for the manifest.
    """
    todo = access.filter(pl.col("ip_country").is_null() & pl.col("source_ip").is_not_null())
    ips = todo["source_ip"].unique().to_list()
    found = pl.DataFrame(
        {"source_ip": ips, "_country": [database.country(ip) for ip in ips]},
        schema={"source_ip": pl.String, "_country": pl.String},
    )
    filled = (
        access.with_row_index("_row")
        .join(found, on="source_ip", how="left")
        .with_columns(ip_country=pl.coalesce("ip_country", "_country"))
        .sort("_row")
        .drop("_row", "_country")
    )
    resolved = todo.height - int(
        found.join(todo.select("source_ip"), on="source_ip")["_country"].null_count()
    )
    counts = {"rows_resolved": resolved, "rows_unknown": todo.height - resolved}
    log.info(
        "event=geoip_resolved addresses=%d rows_resolved=%d rows_unknown=%d",
        len(ips),
        counts["rows_resolved"],
        counts["rows_unknown"],
    )
    return filled.select(access.columns), counts
