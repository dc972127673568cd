"""Test helper: write a tiny MaxMind DB (.mmdb) with mmdb-writer, as a GeoLite2-Country file would lay it out."""

from __future__ import annotations

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

# network -> ISO country; TEST-NET and documentation ranges, so no real address is implied
NETWORKS = {
    "203.0.113.0/24": "CN",
    "198.51.100.0/24": "US",
    "192.0.2.0/25": "MO",
    "2001:db8:cafe::/48": "IR",
}


def write_country_mmdb(
    path: Path, networks: dict[str, str] | None = None, database_type: str = "GeoLite2-Country"
) -> Path:
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=database_type,
        description="test countries",
    )
    for network, code in (networks or NETWORKS).items():
        writer.insert_network(
            IPSet([network]), {"country": {"iso_code": code, "names": {"en": code}}}
        )
    writer.to_db_file(str(path))
    return path
