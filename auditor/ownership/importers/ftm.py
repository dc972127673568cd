"""FollowTheMoney entities (JSON Lines, as OpenSanctions and Aleph publish them) -> ownership and parties.

`Ownership` entities (owner -> asset, `percentage`, `startDate`, `endDate`) become edges;
`Directorship` entities (director -> organization) become `control` interests, which the 50%
test does not count but the shared-officer signal reads. Companies, organisations, legal
entities and people become parties with their names, aliases, country and registry ids.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auditor.ownership.importers.common import Imported, percent, read_json_records

PARTY_SCHEMATA = {
    "Company": "entity",
    "Organization": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
    "Person": "person",
}
IDENTIFIERS = {
    "leiCode": "LEI",
    "registrationNumber": "REG",
    "innCode": "INN",
    "ogrnCode": "OGRN",
    "uniformSocialCreditCode": "USCC",
}
RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*[-–]\s*(\d+(?:\.\d+)?)\s*%?\s*$")


def _first(props: dict[str, Any], key: str) -> Any:
    values = props.get(key) or []
    return values[0] if values else None


def import_ftm(path: Path) -> Imported:
    imported = Imported()
    links = []
    for line, entity in read_json_records(path):
        schema, props = entity.get("schema"), entity.get("properties") or {}
        if schema in PARTY_SCHEMATA:
            names = props.get("name") or []
            country = (
                _first(props, "country")
                or _first(props, "jurisdiction")
                or _first(props, "nationality")
            )
            ids = [
                f"{scheme}:{v}" for key, scheme in IDENTIFIERS.items() for v in props.get(key) or []
            ]
            imported.party(
                f"ftm:{entity['id']}",
                names[0] if names else None,
                PARTY_SCHEMATA[schema],
                country=country.upper() if isinstance(country, str) else None,
                aliases=names[1:] + list(props.get("alias") or []),
                identifiers=ids,
            )
        elif schema in ("Ownership", "Directorship"):
            links.append((line, entity))
    for line, entity in links:
        props = entity.get("properties") or {}
        owner, owned = (
            (_first(props, "owner"), _first(props, "asset"))
            if entity["schema"] == "Ownership"
            else (_first(props, "director"), _first(props, "organization"))
        )
        if isinstance(owner, dict):
            owner = owner.get("id")
        if isinstance(owned, dict):
            owned = owned.get("id")
        if not owner or not owned:
            imported.notes.append(
                f"{entity['schema']} {entity.get('id')}: owner or asset missing; not added"
            )
            continue
        share = lo = hi = None
        text = str(_first(props, "percentage") or "")
        ranged = RANGE.match(text)
        if ranged:
            lo, hi = float(ranged.group(1)), float(ranged.group(2))
        else:
            share = percent(text)
        for node in (owner, owned):
            imported.party(f"ftm:{node}", None)
        imported.stake(
            f"ftm:{owner}",
            f"ftm:{owned}",
            share=share,
            share_min=lo,
            share_max=hi,
            interest="shareholding" if entity["schema"] == "Ownership" else "control",
            start_date=_first(props, "startDate"),
            end_date=_first(props, "endDate"),
            source="FollowTheMoney"
            + (f" ({_first(props, 'publisher')})" if _first(props, "publisher") else ""),
            source_ref=str(entity.get("id") or (f"line {line}" if line else "")),
        )
    return imported
