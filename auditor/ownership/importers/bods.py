"""BODS (Beneficial Ownership Data Standard) statements -> ownership and parties.

Reads 0.4 (`recordType`, `recordId`, `recordDetails`, `directOrIndirect`) and the 0.2/0.3
field names (`statementType`, `statementID`, `subject.describedByEntityStatement`,
`interestLevel`), as a JSON array or JSON Lines. Only direct interests and components of an
indirect chain become edges; an interest declared indirect is a summary of a chain, so it is
checked against the direct edges and never added (adding it would count the chain twice).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.ownership.importers.common import Imported, percent, read_json_records

INTEREST_TYPES = {
    "shareholding": "shareholding",
    "votingRights": "voting",
    "appointmentOfBoard": "control",
    "otherInfluenceOrControl": "control",
    "seniorManagingOfficial": "control",
    "boardMember": "control",
    "boardChair": "control",
    "controlViaCompanyRulesOrArticles": "control",
    "controlByLegalFramework": "control",
    "nominee": "nominee",
    "nominator": "nominee",
    "settlor": "trust",
    "trustee": "trust",
    "protector": "trust",
    "beneficiaryOfLegalArrangement": "trust",
    "enjoymentAndUseOfAssets": "unknown",
    "rightToProfitOrIncomeFromAssets": "unknown",
    "rightsToSurplusAssetsOnDissolution": "unknown",
    "rightsToProfitOrIncome": "unknown",
    "unknownInterest": "unknown",
    "unpublishedInterest": "unknown",
}


def _kind(statement: dict[str, Any]) -> str:
    record_type = statement.get("recordType")
    if record_type:
        return {"entity": "entity", "person": "person", "relationship": "relationship"}.get(
            record_type, "other"
        )
    return {
        "entityStatement": "entity",
        "personStatement": "person",
        "ownershipOrControlStatement": "relationship",
    }.get(statement.get("statementType", ""), "other")


def _details(statement: dict[str, Any]) -> dict[str, Any]:
    return statement.get("recordDetails") or statement


def _id(statement: dict[str, Any]) -> str:
    return "bods:" + str(
        statement.get("recordId") or statement.get("statementID") or statement.get("statementId")
    )


def _ref(side: Any) -> str | None:
    """A relationship's subject or interested party: a record id (0.4) or a described-by reference (0.2/0.3)."""
    if isinstance(side, str):
        return "bods:" + side
    if isinstance(side, dict):
        for key in ("describedByEntityStatement", "describedByPersonStatement"):
            if side.get(key):
                return "bods:" + str(side[key])
    return None


def _name(kind: str, d: dict[str, Any]) -> str | None:
    if kind == "entity":
        return d.get("name")
    names = d.get("names") or []
    for n in names:
        if n.get("fullName"):
            return n["fullName"]
    return None


def _party(imported: Imported, statement: dict[str, Any], kind: str) -> None:
    d = _details(statement)
    jurisdiction = d.get("jurisdiction") or d.get("incorporatedInJurisdiction") or {}
    nationalities = d.get("nationalities") or []
    country = jurisdiction.get("code") if isinstance(jurisdiction, dict) else None
    if not country and nationalities:
        country = nationalities[0].get("code")
    aliases = [a for a in d.get("alternateNames") or [] if isinstance(a, str)]
    aliases += [n["fullName"] for n in (d.get("names") or [])[1:] if n.get("fullName")]
    identifiers = [
        f"{i.get('scheme') or i.get('schemeName')}:{i['id']}"
        for i in d.get("identifiers") or []
        if i.get("id")
    ]
    imported.party(
        _id(statement),
        _name(kind, d),
        kind,
        country=country,
        aliases=aliases,
        identifiers=identifiers,
    )


def import_bods(path: Path) -> Imported:
    imported = Imported()
    records = read_json_records(path)
    relationships = []
    for _, statement in records:
        kind = _kind(statement)
        if kind in ("entity", "person"):
            _party(imported, statement, kind)
        elif kind == "relationship":
            relationships.append(statement)
    declared: list[tuple[str, str, str]] = []
    for statement in relationships:
        d = _details(statement)
        subject, party = _ref(d.get("subject")), _ref(d.get("interestedParty"))
        ref = str(statement.get("statementId") or statement.get("statementID") or "")
        if subject is None or party is None:
            imported.notes.append(
                f"relationship {ref}: subject or interested party is unspecified; not added"
            )
            continue
        component = bool(d.get("isComponent"))
        for interest in d.get("interests") or [{}]:
            level = interest.get("directOrIndirect") or interest.get("interestLevel") or "unknown"
            if level == "indirect" and not component:
                declared.append((party, subject, ref))
                continue
            if level != "direct" and not component:
                imported.notes.append(
                    f"relationship {ref}: interest of {party} in {subject} is neither direct nor a component; not added"
                )
                continue
            share = interest.get("share") or {}
            exact = percent(share.get("exact"))
            lo = percent(share.get("minimum", share.get("exclusiveMinimum")))
            hi = percent(share.get("maximum", share.get("exclusiveMaximum")))
            for known in (party, subject):
                imported.party(known, None)
            imported.stake(
                party,
                subject,
                share=exact,
                share_min=None if exact is not None else lo,
                share_max=None if exact is not None else hi,
                share_min_exclusive="true"
                if exact is None and "exclusiveMinimum" in share and "minimum" not in share
                else None,
                share_max_exclusive="true"
                if exact is None and "exclusiveMaximum" in share and "maximum" not in share
                else None,
                interest=INTEREST_TYPES.get(interest.get("type", ""), "unknown"),
                start_date=interest.get("startDate"),
                end_date=interest.get("endDate"),
                as_of=(statement.get("statementDate") or "")[:10] or None,
                source="BODS"
                + (
                    f" ({(statement.get('source') or {}).get('description')})"
                    if (statement.get("source") or {}).get("description")
                    else ""
                ),
                source_ref=ref,
            )
    imported.check_paths(declared)
    return imported
