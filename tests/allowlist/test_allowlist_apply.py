"""Which cases an allowlist suppresses (every hit covered by an active entry), when it stops (expiry),
and when a material change lifts it (a rule firing since the entry, a higher band) -- table-driven
on small frames, and the baseline read from a real store."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from auditor.allowlist.apply import (
    expiring_entries,
    lift_on_change,
    store_baseline,
    suppress_cases,
)
from auditor.allowlist.spec import Allowlist, AllowlistEntry
from auditor.store import CaseSnapshot, RunRecord, open_store

TODAY = date(2026, 12, 1)
TENANTS = pl.DataFrame(
    {
        "tenant_id": ["t1", "t2", "t3", "t4"],
        "country": ["SG", "HK", "US", None],
        "kyc_status": ["verified", "verified", "pending", "verified"],
        "is_reseller": [True, False, True, None],
    }
)
# case A: t1 with rules a and b; case B: t2 (a) and t3 (a) linked; case C: t4 (c)
HITS = pl.DataFrame(
    {
        "case_id": ["A", "A", "B", "B", "C"],
        "tenant_id": ["t1", "t1", "t2", "t3", "t4"],
        "rule_id": ["a", "b", "a", "a", "c"],
    }
)


def entry(id="e", created=date(2026, 11, 1), expires=date(2027, 1, 1), **kw):
    return AllowlistEntry(id=id, reason="r", owner="o", created=created, expires=expires, **kw)


def suppressed(*entries, today=TODAY):
    return suppress_cases(Allowlist("allowlist.yaml", "x", list(entries)), HITS, TENANTS, today)


@pytest.mark.parametrize(
    "entries, expected",
    [
        ([entry(tenants=["t1"])], {"A": ["e"]}),
        ([entry(tenants=["t2"])], {}),  # B has t3 too: one uncovered tenant keeps the case
        ([entry(tenants=["t2", "t3"])], {"B": ["e"]}),
        ([entry(tenants=["t1"], rules=["a"])], {}),  # A's rule b is not covered
        ([entry("x", tenants=["t1"], rules=["a"]), entry("y", rules=["b"])], {"A": ["x", "y"]}),
        ([entry(rules=["a"])], {"B": ["e"]}),
        ([entry(where={"country": ["SG", "HK"]})], {"A": ["e"]}),  # B's t3 is US
        ([entry(where={"kyc_status": "verified", "is_reseller": True})], {"A": ["e"]}),
        ([entry(where={"country": "sg"})], {"A": ["e"]}),  # country codes compare case-blind
        ([entry(where={"is_reseller": False})], {}),  # t4's unknown flag is not False
        ([entry(where={"country": "US"}, tenants=["t4"])], {}),  # all conditions must hold
        ([entry(where={"no_such_column": "x"})], {}),
    ],
)
def test_a_case_is_suppressed_only_when_every_hit_is_covered(entries, expected):
    assert suppressed(*entries) == expected


def test_an_entry_suppresses_until_the_day_it_expires():
    e = entry(tenants=["t1"], expires=date(2026, 12, 2))
    assert suppressed(e, today=date(2026, 12, 1)) == {"A": ["e"]}
    assert suppressed(e, today=date(2026, 12, 2)) == {}  # the expiry day: no longer
    assert suppressed() == {}


def test_the_run_lists_entries_expired_or_expiring_within_14_days():
    entries = [
        entry("gone", expires=date(2026, 11, 20), tenants=["t1"]),
        entry("today", expires=TODAY, tenants=["t1"]),
        entry("soon", expires=date(2026, 12, 15), tenants=["t1"]),
        entry("later", expires=date(2026, 12, 16), tenants=["t1"]),
    ]
    got = expiring_entries(Allowlist("a", "x", entries), TODAY)
    assert [(i.ref, i.days_left) for i in got] == [("gone", -11), ("today", 0), ("soon", 14)]


def snap(case_id, rules, priority="high", run_id="r0"):
    return CaseSnapshot(run_id, case_id, 1, priority, 50.0, ["t1"], sorted(rules), 0.0)


@pytest.mark.parametrize(
    "current, change, lifted",
    [
        (snap("A", ["a"]), "lift", False),
        (snap("A", ["a", "b"]), "lift", True),  # a rule fired since the entry
        (snap("A", ["a"], "critical"), "lift", True),  # the band went up
        (snap("A", ["a"], "medium"), "lift", False),  # down is not worse
        (snap("A", ["a", "b"], "critical"), "keep", False),  # the entry said so
    ],
)
def test_a_material_change_lifts_the_suppression_unless_the_entry_keeps_it(current, change, lifted):
    allowlist = Allowlist("a", "x", [entry(tenants=["t1"], on_material_change=change)])
    kept, why = lift_on_change(
        {"A": ["e"]}, allowlist, {"A": current}, lambda case_id, created: snap("A", ["a"])
    )
    assert ("A" in why) is lifted and ("A" in kept) is not lifted
    if lifted:
        assert why["A"][0].startswith("allowlist e lifted: ")


def test_without_a_baseline_nothing_is_lifted():
    allowlist = Allowlist("a", "x", [entry(tenants=["t1"])])
    kept, why = lift_on_change({"A": ["e"]}, allowlist, {"A": snap("A", ["z"])}, lambda c, d: None)
    assert kept == {"A": ["e"]} and why == {}


def test_the_baseline_is_the_last_stored_run_before_the_entry_else_the_first_since(tmp_path: Path):
    with open_store(tmp_path / "cases.db") as store:
        for run_id, day, rules in (
            ("r1", 1, ["a"]),
            ("r2", 10, ["a", "b"]),
            ("r3", 20, ["a", "b", "c"]),
        ):
            at = datetime(2026, 11, day, tzinfo=timezone.utc)
            record = RunRecord(
                run_id,
                at,
                at,
                at,
                True,
                "1",
                "x",
                "weighted-v1",
                [],
                [],
                [],
                {},
                None,
                {"run_id": run_id},
            )
            store.commit_run(record, [snap("A", rules, run_id=run_id)])
        baseline = store_baseline(store)
        assert baseline("A", date(2026, 11, 15)).run_id == "r2"
        assert baseline("A", date(2026, 11, 11)).run_id == "r2"
        assert (
            baseline("A", date(2026, 11, 10)).run_id == "r1"
        )  # a run that same day may postdate the entry
        assert (
            baseline("A", date(2026, 10, 1)).run_id == "r1"
        )  # made before any run: the first snapshot
        assert baseline("Z", date(2026, 11, 15)) is None
