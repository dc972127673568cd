"""Source network -> kind of network (hosting, residential, education...), offline, from an ASN `.mmdb` file.

A sign-in address shared by a few new accounts means more when it is a hosting or VPN
exit than when it is a home broadband line or a university campus, where unrelated people
share addresses every day. This module reads an operator's GeoLite2-ASN, GeoIP2 ISP /
Connection-Type, ipinfo or any MaxMind-format database, the same way `geoip` reads the
country database, and never calls a web service. A record that states its network type
(`network_type`, `type`, `traits.user_type`, `connection_type`) is taken at its word; else
the kind is read from the organisation's name (GeoLite2-ASN carries only the name).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.geoip import open_geoip

NETWORK_KINDS = ("hosting", "business", "residential", "education", "unknown")

# Stated types (several vendors' spellings) -> our kind.
_STATED: dict[str, str] = {
    "hosting": "hosting",
    "vpn": "hosting",
    "proxy": "hosting",
    "tor": "hosting",
    "datacenter": "hosting",
    "data center": "hosting",
    "content_delivery_network": "hosting",
    "business": "business",
    "corporate": "business",
    "government": "business",
    "isp": "residential",
    "residential": "residential",
    "cable/dsl": "residential",
    "cellular": "residential",
    "dialup": "residential",
    "consumer_privacy_network": "hosting",
    "education": "education",
    "university": "education",
    "college": "education",
    "school": "education",
    "library": "education",
    "cafe": "business",
}
_ORG_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "hosting",
        re.compile(
            r"\b(hosting|host|vpn|proxy|data ?cent(er|re)|datacenter|cloud|servers?|vps|colo)\b",
            re.I,
        ),
    ),
    (
        "education",
        re.compile(
            r"\b(universit(y|ies|é|at|ät)|college|campus|academ(y|ic)|school|education|research network)\b",
            re.I,
        ),
    ),
    (
        "residential",
        re.compile(r"\b(telecom|broadband|cable|mobile|wireless|dsl|fib(er|re)|isp)\b", re.I),
    ),
)


def kind_of_record(record: Any) -> str:
    """Our kind for one database record; `unknown` when it says nothing we can read."""
    if not isinstance(record, dict):
        return "unknown"
    found = record.get("traits")
    traits: dict[str, Any] = found if isinstance(found, dict) else {}
    for stated in (
        record.get("network_type"),
        record.get("type"),
        traits.get("user_type"),
        record.get("user_type"),
        record.get("connection_type"),
    ):
        if isinstance(stated, str) and stated.strip().lower() in _STATED:
            return _STATED[stated.strip().lower()]
    org = record.get("autonomous_system_organization") or record.get("organization")
    org = org or traits.get("autonomous_system_organization") or record.get("isp")
    if isinstance(org, str):
        for kind, pattern in _ORG_PATTERNS:
            if pattern.search(org):
                return kind
    return "unknown"


@dataclass(frozen=True)
class NetworkKinds:
    """An open ASN database: what it is (for run.json) and the kind of one network."""

    path: Path
    reader: Any  # maxminddb.Reader
    database_type: str
    build_date: str

    def describe(self) -> dict[str, Any]:
        return {
            "file": self.path.name,
            "database_type": self.database_type,
            "build_date": self.build_date,
        }

    def kind(self, address: str | None) -> str:
        """Kind of the network holding `address` (an IPv4 address or an IPv6 /64's first address)."""
        if not address:
            return "unknown"
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return "unknown"
        try:
            record = self.reader.get(ip)
        except ValueError:  # an IPv6 address asked of an IPv4-only database
            return "unknown"
        return kind_of_record(record)


def open_network_kinds(path: str | Path) -> NetworkKinds:
    """Open an ASN `.mmdb`; a missing or unreadable file is an InputError naming it (as for geoip)."""
    db = open_geoip(path)
    return NetworkKinds(db.path, db.reader, db.database_type, db.build_date)
