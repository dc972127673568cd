"""Which cases an allowlist suppresses, and which suppressions a material change lifts.

A hit (tenant, rule) is covered by an active entry when the tenant is among its `tenants`
(if given), matches all its `where` fields (if given), and the rule is among its `rules`
(if given). A case is suppressed when every one of its hits is covered: a rule an entry does
not cover that starts firing brings the case back by itself. An entry that covers any rule
cannot see that, so with a case store the case is also compared with how it looked when the
entry was made (the last stored run of a day before `created`, else the case's first stored
snapshot since): a rule that fired since, or a higher band, lifts the suppression unless the entry
says `on_material_change: keep`. Polars over the whole hit table; no loop over tenants.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import polars as pl

from auditor.allowlist.spec import Allowlist, AllowlistEntry
from auditor.notify.events import EXPIRY_HORIZON_DAYS, Expiring
from auditor.store.base import CaseSnapshot, band_rank


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _covers(entry: AllowlistEntry, columns: set[str]) -> pl.Expr:
    cond = pl.lit(True)
    if entry.tenants:
        cond = cond & pl.col("tenant_id").is_in(entry.tenants)
    for name, wanted in entry.where.items():
        values = [_text(v) for v in (wanted if isinstance(wanted, list) else [wanted])]
        if name not in columns:
            return pl.lit(False)  # the data has no such column: nothing matches it
        cond = cond & pl.col(name).cast(pl.Utf8).str.to_lowercase().is_in(
            [v.lower() for v in values]
        )
    if entry.rules:
        cond = cond & pl.col("rule_id").is_in(entry.rules)
    return cond.fill_null(False)


def suppress_cases(
    allowlist: Allowlist, hits: pl.DataFrame, tenants: pl.DataFrame, today: date
) -> dict[str, list[str]]:
    """case id -> the active entries that together cover every hit of the case (cases with any uncovered hit are absent)."""
    active = allowlist.active(today)
    if not active or hits.height == 0:
        return {}
    fields = sorted({name for e in active for name in e.where} & set(tenants.columns))
    table = hits.select("case_id", "tenant_id", "rule_id").join(
        tenants.select("tenant_id", *fields), on="tenant_id", how="left"
    )
    columns = set(table.columns)
    flags = [_covers(e, columns).alias(f"__e{i}") for i, e in enumerate(active)]
    names = [f"__e{i}" for i in range(len(active))]
    per_case = (
        table.with_columns(flags)
        .with_columns(pl.any_horizontal(names).alias("__covered"))
        .group_by("case_id")
        .agg(pl.col("__covered").all(), *[pl.col(n).any() for n in names])
        .filter(pl.col("__covered"))
    )
    return {
        row["case_id"]: sorted(active[i].id for i, n in enumerate(names) if row[n])
        for row in per_case.to_dicts()
    }


def material_change(current: CaseSnapshot, baseline: CaseSnapshot) -> list[str]:
    """Why the case is worse than when the entry was made: rules firing since, a higher band."""
    why = [
        f"rule '{r}' fired after the allowlist entry was made"
        for r in sorted(set(current.rules) - set(baseline.rules))
    ]
    if band_rank(current.priority) > band_rank(baseline.priority):
        why.append(
            f"priority {baseline.priority} -> {current.priority} since the allowlist entry was made"
        )
    return why


def lift_on_change(
    suppressed: Mapping[str, list[str]],
    allowlist: Allowlist,
    current: Mapping[str, CaseSnapshot],
    baseline: Callable[[str, date], CaseSnapshot | None],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(suppressions kept, case id -> why lifted). `baseline(case_id, created)` reads the store."""
    by_id = {e.id: e for e in allowlist.entries}
    kept: dict[str, list[str]] = {}
    lifted: dict[str, list[str]] = {}
    for case_id, entry_ids in suppressed.items():
        entries = [by_id[i] for i in entry_ids]
        if all(e.on_material_change == "keep" for e in entries):
            kept[case_id] = entry_ids
            continue
        base = baseline(case_id, min(e.created for e in entries))
        why = (
            material_change(current[case_id], base)
            if base is not None and case_id in current
            else []
        )
        if why:
            lifted[case_id] = [f"allowlist {', '.join(entry_ids)} lifted: {w}" for w in why]
        else:
            kept[case_id] = entry_ids
    return kept, lifted


def expiring_entries(allowlist: Allowlist, today: date) -> list[Expiring]:
    """Entries already expired (still in the file) or expiring within the horizon: the run lists them."""
    return [
        Expiring("allowlist", e.id, e.expires.isoformat(), e.days_left(today), e.owner, e.reason)
        for e in sorted(allowlist.entries, key=lambda e: (e.expires, e.id))
        if e.days_left(today) <= EXPIRY_HORIZON_DAYS
    ]


def allowlist_manifest(
    allowlist: Allowlist, suppressed: Mapping[str, list[str]], today: date
) -> dict[str, Any]:
    """run.json's `allowlist`: which file, how many entries are active, what they suppressed, what expires."""
    from auditor.allowlist.stored import console_entry_count

    return {
        "path": allowlist.path,
        "sha256": allowlist.sha256,
        "entries": len(allowlist.entries),
        "console_entries": console_entry_count(allowlist),  # approved in the console
        "active": len(allowlist.active(today)),
        "suppressed_cases": len(suppressed),
        "expired_or_expiring": [
            {"id": i.ref, "expires": i.until, "days_left": i.days_left}
            for i in expiring_entries(allowlist, today)
        ],
    }


def store_baseline(store: Any) -> Callable[[str, date], CaseSnapshot | None]:
    """How a case looked when an entry was made: its snapshot in the last stored run of a day before `created`
    (what the entry's author saw), else its first snapshot since (the run that first applied the entry).

    Either way the baseline stays put as later runs are stored, so a lifted suppression stays
    lifted; run days, not times, since `created` is a date.
    """
    started = {r.run_id: r.started_at.date() for r in store.runs()}

    def baseline(case_id: str, created: date) -> CaseSnapshot | None:
        history = store.case_history(case_id)
        before = [s for s in history if started.get(s.run_id, date.max) < created]
        return before[-1] if before else (history[0] if history else None)

    return baseline


def suppress_changes(
    changes: Any, kept: Mapping[str, list[str]], lifted: Mapping[str, list[str]]
) -> Any:
    """The run's classification with allowlisted cases suppressed (never an alert) and lifted ones saying why."""
    from dataclasses import replace

    cases = {}
    for case_id, change in changes.cases.items():
        if case_id in kept:
            change = replace(
                change,
                suppressed=True,
                why=[*change.why, f"suppressed by allowlist {', '.join(kept[case_id])}"],
            )
        elif case_id in lifted:
            change = replace(change, why=[*change.why, *lifted[case_id]])
        cases[case_id] = change
    return replace(changes, cases=cases)


def apply_with_store(
    store: Any, result: Any, changes: Any, current: list[CaseSnapshot]
) -> tuple[Any, Any]:
    """`audit --store`: lifts suppressions the case outgrew since its entry, then folds them into the changes.

    Returns (result with its final `suppressions`, changes)."""
    from dataclasses import replace

    if result.allowlist is None:
        return result, changes
    kept, lifted = lift_on_change(
        result.suppressions or {},
        result.allowlist,
        {s.case_id: s for s in current},
        store_baseline(store),
    )
    return replace(result, suppressions=kept), suppress_changes(changes, kept, lifted)
