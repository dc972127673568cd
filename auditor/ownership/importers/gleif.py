"""GLEIF Level 2 relationship records (who owns whom among LEIs) -> ownership and parties.

Accepts the golden-copy JSON (`RelationshipRecords.RelationshipRecord[]`, values possibly
wrapped as {"$": value}), the API's JSON:API shape (`data[].attributes.relationship`), and
JSON Lines of either record. A direct-parent link (`IS_DIRECTLY_CONSOLIDATED_BY`) is an edge
from the parent to the child, its share unknown unless a percentage quantifier is given;
ultimate-parent links summarise a chain and are not edges. A reporting exception (the child
declares no parent: non-consolidating, natural persons, non-public...) becomes an owner
"parent not disclosed" with an interest of unknown kind, so the gap shows in the proof.
Parties are named by their LEI; give names in a parties file from the Level 1 records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.ownership.importers.common import Imported, percent, read_json_records

DIRECT = "IS_DIRECTLY_CONSOLIDATED_BY"
ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY"


def _v(value: Any) -> Any:
    """Golden-copy JSON wraps scalars as {"$": value}."""
    if isinstance(value, dict) and "$" in value:
        return value["$"]
    return value


def _get(d: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key) if key in d else d.get(key[:1].lower() + key[1:])
    return _v(d)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _records(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    relationships, exceptions = [], []
    for _, obj in read_json_records(path):
        if "RelationshipRecords" in obj:
            relationships += _list(_get(obj, "RelationshipRecords", "RelationshipRecord"))
        if "ReportingExceptions" in obj:
            exceptions += _list(_get(obj, "ReportingExceptions", "Exception"))
        for item in _list(obj.get("data")):
            attrs = item.get("attributes") or {}
            (relationships if "relationship" in attrs else exceptions).append(attrs)
        if "Relationship" in obj or "relationship" in obj:
            relationships.append(obj)
        if "ExceptionCategory" in obj or "exceptionCategory" in obj or "category" in obj:
            exceptions.append(obj)
    return relationships, exceptions


def _period(rel: dict[str, Any]) -> tuple[str | None, str | None]:
    periods = _list(_get(rel, "RelationshipPeriods", "RelationshipPeriod")) or _list(
        rel.get("periods")
    )
    for p in periods:
        kind = _v(p.get("PeriodType") or p.get("type"))
        if kind in (None, "RELATIONSHIP_PERIOD"):
            start, end = (
                _v(p.get("StartDate") or p.get("startDate")),
                _v(p.get("EndDate") or p.get("endDate")),
            )
            return (str(start)[:10] if start else None), (str(end)[:10] if end else None)
    return None, None


def import_gleif(path: Path) -> Imported:
    imported = Imported()
    relationships, exceptions = _records(path)
    for record in relationships:
        rel = record.get("Relationship") or record.get("relationship") or {}
        child = _get(rel, "StartNode", "NodeID") or _get(rel, "startNode", "id")
        parent = _get(rel, "EndNode", "NodeID") or _get(rel, "endNode", "id")
        kind = _get(rel, "RelationshipType") or _v(rel.get("type"))
        if not child or not parent:
            imported.notes.append("relationship record without start or end node; not added")
            continue
        if kind != DIRECT:
            if kind == ULTIMATE:
                imported.notes.append(
                    f"ultimate parent {parent} of {child}: a summary of a chain; not added as an edge"
                )
            continue
        share = None
        for q in _list(_get(rel, "RelationshipQuantifiers", "RelationshipQuantifier")) or _list(
            rel.get("quantifiers")
        ):
            units = _v(q.get("QuantifierUnits") or q.get("units"))
            if units == "PERCENTAGE":
                share = percent(_v(q.get("QuantifierAmount") or q.get("amount")))
        start, end = _period(rel)
        status = _get(rel, "RelationshipStatus") or _v(rel.get("status"))
        registration = record.get("Registration") or record.get("registration") or {}
        for lei in (parent, child):
            imported.party(f"LEI:{lei}", str(lei), "entity", identifiers=[f"LEI:{lei}"])
        if status == "INACTIVE" and not end:
            imported.notes.append(
                f"inactive relationship {parent} -> {child} without an end date; kept with the date unknown"
            )
        imported.stake(
            f"LEI:{parent}",
            f"LEI:{child}",
            share=share,
            interest="shareholding",
            start_date=start,
            end_date=end,
            as_of=(str(_get(registration, "LastUpdateDate") or "")[:10] or None),
            source="GLEIF Level 2",
            source_ref=f"RR {child}->{parent}",
        )
    for exc in exceptions:
        lei = _v(exc.get("LEI") or exc.get("lei"))
        category = _v(
            exc.get("ExceptionCategory") or exc.get("exceptionCategory") or exc.get("category")
        )
        reason = _v(exc.get("ExceptionReason") or exc.get("exceptionReason") or exc.get("reason"))
        if isinstance(reason, list):
            reason = ", ".join(str(_v(r)) for r in reason)
        if not lei or category not in ("DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", None):
            continue
        placeholder = f"undisclosed-parent:{lei}"
        imported.party(f"LEI:{lei}", str(lei), "entity", identifiers=[f"LEI:{lei}"])
        imported.party(
            placeholder, f"parent not disclosed ({reason or 'no reason given'})", "unknown"
        )
        imported.stake(
            placeholder,
            f"LEI:{lei}",
            interest="unknown",
            source="GLEIF Level 2 reporting exception",
            source_ref=f"{lei} {reason or ''}".strip(),
        )
    return imported
