"""Scheduled audits against a store: what changed between two runs over changed data, dismissals,
exit codes a scheduler acts on, a second run refused while one holds the lock, and a run killed
inside its commit that loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from store_testkit import audit_args

from auditor.store import Decision, open_store
from auditor.store.lock import StoreLock
from auditor_testkit import REPO, assert_no_traceback

HOOKED = Path(__file__).with_name("hooked_auditor.py")


def read_cases(out: Path) -> dict[str, dict]:
    return {
        c["case_id"]: c for c in map(json.loads, (out / "cases.jsonl").read_text().splitlines())
    }


def case_of(cases: dict[str, dict], tenant_id: str) -> dict | None:
    return next((c for c in cases.values() if tenant_id in c["tenant_ids"]), None)


def rules_of(case: dict) -> set[str]:
    return {h["rule_id"] for h in case["hits"]}


@pytest.fixture(scope="module")
def changed(small_provider, one_run_store, tmp_path_factory):
    """Run 1 over the small provider; analysts dismiss two cases; run 2 over changed data.

    Changes: a hub front company's usage is dropped (its case should resolve), a benign SG
    startup gets a +86 phone (a new case), an offshore front with one rule starts signing in
    from China and doubles its usage (escalated: a new rule fires).
    """
    from auditor.cli.main import main

    work = tmp_path_factory.mktemp("changed")
    store = work / "cases.db"
    shutil.copy(one_run_store, store)
    first = read_cases(one_run_store.parent / "out")
    planted = pl.read_csv(small_provider / "planted.csv")
    by_pattern = {
        p: planted.filter(pl.col("pattern") == p)["tenant_id"].to_list()
        for p in planted["pattern"].unique()
    }

    def single(tenant_id: str) -> dict | None:
        case = case_of(first, tenant_id)
        return case if case and case["tenant_ids"] == [tenant_id] else None

    gone = next(
        t
        for t in by_pattern["hub-front"]
        if single(t) and rules_of(single(t)) == {"hub-operated-from-d5", "operated-from-d5"}
    )
    rising = next(  # one whose sign-ins are not from D:5 yet (CIP rules may fire beside it)
        t
        for t in by_pattern["offshore-front"]
        if single(t)
        and "offshore-undisclosed-owners" in rules_of(single(t))
        and not rules_of(single(t)) & {"operated-from-d5", "hub-operated-from-d5"}
    )
    newcomer = by_pattern["benign-sg-startup"][0]
    quiet = next(t for t in by_pattern["new-ramp"] if single(t))
    assert case_of(first, newcomer) is None

    data = work / "provider"
    shutil.copytree(small_provider, data)
    tenants = pl.read_csv(data / "tenants.csv", infer_schema=False)
    tenants = tenants.with_columns(
        pl.when(pl.col("tenant_id") == newcomer)
        .then(pl.lit("+86 10 5555 0101"))
        .otherwise(pl.col("phone"))
        .alias("phone")
    )
    tenants.write_csv(data / "tenants.csv")
    usage = pl.read_csv(data / "usage.csv", infer_schema=False)
    extra = usage.filter(pl.col("tenant_id") == rising).with_columns(
        (pl.col("instance_id") + "-b").alias("instance_id")
    )
    pl.concat([usage.filter(pl.col("tenant_id") != gone), extra]).write_csv(data / "usage.csv")
    access = pl.read_csv(data / "access.csv", infer_schema=False)
    # A CN address no other tenant signs in from, so the move links the front to nobody.
    used = set(access["source_ip"].drop_nulls())
    cn_ip = next(ip for ip in (f"203.0.113.{i}" for i in range(254, 0, -1)) if ip not in used)
    access.with_columns(
        pl.when(pl.col("tenant_id") == rising)
        .then(pl.lit("CN"))
        .otherwise(pl.col("ip_country"))
        .alias("ip_country"),
        pl.when(pl.col("tenant_id") == rising)
        .then(pl.lit(cn_ip))
        .otherwise(pl.col("source_ip"))
        .alias("source_ip"),
    ).write_csv(data / "access.csv")

    with open_store(store) as st:
        now = datetime.now(timezone.utc)
        for tenant in (rising, quiet):
            c = case_of(first, tenant)
            rules = sorted(rules_of(c))  # what the analyst saw
            st.add_decision(
                Decision(
                    c["case_id"],
                    "dismissed",
                    "reviewed: known customer",
                    "alice",
                    now,
                    date.today() + timedelta(days=30),
                    rules,
                    c["priority"],
                    c["score"],
                    c["run_id"],
                )
            )
    out = work / "out"
    code = main(audit_args(data, out, store))
    return {
        "code": code,
        "out": out,
        "store": store,
        "first": first,
        "second": read_cases(out),
        "gone": gone,
        "rising": rising,
        "newcomer": newcomer,
        "quiet": quiet,
    }


def test_two_runs_over_changed_data_classify_new_escalated_resolved(changed):
    second, first = changed["second"], changed["first"]
    new = case_of(second, changed["newcomer"])
    assert new["change"]["status"] == "new" and new["change"]["previous"] is None
    assert "rule 'hub-operated-from-d5' firing" in new["change"]["why"]

    up = case_of(second, changed["rising"])
    before = case_of(first, changed["rising"])
    assert up["change"]["status"] == "escalated"
    assert "rule 'operated-from-d5' started firing" in up["change"]["why"]
    assert f"score {before['score']:.1f} -> {up['score']:.1f}" in up["change"]["why"]
    hours = [w for w in up["change"]["why"] if w.startswith("restricted GPU-hours (90 d) ")]
    assert hours, up["change"]["why"]
    assert up["change"]["previous"] == {
        "score": before["score"],
        "priority": before["priority"],
        "rank": before["rank"],
    }

    manifest = json.loads((changed["out"] / "run.json").read_text())
    resolved = {r["case_id"]: r for r in manifest["changes"]["resolved"]}
    gone = case_of(first, changed["gone"])
    assert set(resolved) == {gone["case_id"]}
    assert resolved[gone["case_id"]]["why"] == [
        "rule 'hub-operated-from-d5' stopped firing",
        "rule 'operated-from-d5' stopped firing",
    ]
    assert (
        resolved[gone["case_id"]]["tenant_ids"] == [changed["gone"]]
        and resolved[gone["case_id"]]["previous_priority"] == gone["priority"]
    )

    counts = manifest["changes"]["counts"]
    assert (
        counts["new"] == 1
        and counts["escalated"] == 1
        and counts["resolved"] == 1
        and counts["suppressed"] == 1
    )
    assert counts["unchanged"] + counts["de-escalated"] == len(second) - 2
    with open_store(changed["store"]) as st:
        assert manifest["changes"]["previous_run_id"] == st.runs()[0].run_id
        assert [r.run_id for r in st.runs()][-1] == manifest["run_id"]
        assert st.latest_run().changes == manifest["changes"]
        # The store keeps each case as cases.jsonl has it, what changed included (the two share
        # one serialisation: jsonwrite.record_lines).
        stored = {s.case_id: s.record for s in st.cases_in_run(manifest["run_id"])}
        assert stored == second


def test_dismissed_case_stays_quiet_and_one_that_worsens_comes_back_early(changed):
    quiet = case_of(changed["second"], changed["quiet"])["change"]
    assert (
        quiet["suppressed"] is True
        and quiet["decision"]["status"] == "dismissed"
        and quiet["decision"]["by"] == "alice"
    )
    back = case_of(changed["second"], changed["rising"])["change"]
    assert back["suppressed"] is False
    assert "returned early: rule 'operated-from-d5' fired after the dismissal" in back["why"]


def test_new_or_escalated_case_at_the_alert_priority_exits_10_and_prints_the_summary(
    changed, small_provider, tmp_path, cli
):
    assert changed["code"] == 10
    store = tmp_path / "cases.db"
    shutil.copy(changed["store"], store)
    # the same data again: nothing new, nothing escalated
    code, out, err = cli(*audit_args(changed["out"].parent / "provider", tmp_path / "out", store))
    assert code == 0, err
    assert (
        "0 new, 0 escalated, 0 de-escalated" in out
        and "no new or escalated case at or above high" in out
    )
    assert_no_traceback(out + err)


def test_dismissal_past_its_date_no_longer_suppresses(small_provider, store_copy, tmp_path, cli):
    with open_store(store_copy) as st:
        snap = st.cases_in_run(st.latest_run().run_id)[-1]
        st.add_decision(
            Decision(
                snap.case_id,
                "dismissed",
                "seasonal",
                "alice",
                datetime.now(timezone.utc) - timedelta(days=40),
                date.today() - timedelta(days=1),
                snap.rules,
                snap.priority,
                snap.score,
                snap.run_id,
            )
        )
    code, out, err = cli(
        *audit_args(small_provider, tmp_path / "out", store_copy, "--alert-priority", "critical")
    )
    assert code == 0, err  # nothing new: same data
    change = read_cases(tmp_path / "out")[snap.case_id]["change"]
    assert change["suppressed"] is False
    assert (
        change["why"][-1]
        == f"dismissal expired on {(date.today() - timedelta(days=1)).isoformat()}"
    )


def test_a_second_run_is_refused_while_one_holds_the_lock(
    small_provider, store_copy, tmp_path, cli
):
    before = store_copy.read_bytes()
    with StoreLock(store_copy.with_name("cases.db.lock")):
        code, out, err = cli(*audit_args(small_provider, tmp_path / "out", store_copy))
    assert code == 4
    assert "another audit holds the store lock at" in err and f"(pid {os.getpid()} since " in err
    assert_no_traceback(err)
    assert store_copy.read_bytes() == before
    assert not (
        tmp_path / "out" / "run.json"
    ).exists()  # refused before running, so nothing half-written either
    code, _, err = cli(
        *audit_args(small_provider, tmp_path / "out", store_copy, "--lock-timeout", "1")
    )
    assert code == 0, err  # once the holder is gone the next run goes through


def test_a_run_killed_inside_its_commit_loses_nothing(small_provider, store_copy, tmp_path, cli):
    with open_store(store_copy) as st:
        runs_before = [r.run_id for r in st.runs()]
        cases_before = st.cases_in_run(runs_before[-1])
        st.add_decision(
            Decision(
                cases_before[0].case_id,
                "confirmed",
                "listed entity",
                "bob",
                datetime.now(timezone.utc),
            )
        )
        decisions_before = st.decisions()
    # The run SIGKILLs itself as its COMMIT starts: every insert done, nothing committed (tests/store/hooked_auditor.py).
    proc = subprocess.run(
        [
            sys.executable,
            str(HOOKED),
            "--kill-at",
            "commit",
            "--",
            *audit_args(small_provider, tmp_path / "out", store_copy),
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not (
        tmp_path / "out"
    ).exists()  # the reports of a run the store never recorded are not shown

    raw = sqlite3.connect(store_copy)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with open_store(store_copy) as st:
        assert [r.run_id for r in st.runs()] == runs_before
        assert st.cases_in_run(runs_before[-1]) == cases_before
        assert st.decisions() == decisions_before
    with StoreLock(store_copy.with_name("cases.db.lock")):  # the OS released the dead run's lock
        pass
    code, out, err = cli(*audit_args(small_provider, tmp_path / "out", store_copy))
    assert code == 0, err
    with open_store(store_copy) as st:
        runs = st.runs()
        assert [r.run_id for r in runs[:-1]] == runs_before and runs[-1].changes[
            "previous_run_id"
        ] == runs_before[-1]
        assert len(st.cases_in_run(runs[-1].run_id)) == len(cases_before)


def test_without_a_store_nothing_changes(small_provider, tmp_path, cli):
    args = audit_args(small_provider, tmp_path / "out", tmp_path / "unused.db")
    code, _, err = cli(*args[: args.index("--store")])
    assert code == 0, err
    assert "changes" not in json.loads((tmp_path / "out" / "run.json").read_text())
    assert all("change" not in c for c in read_cases(tmp_path / "out").values())
    assert not (tmp_path / "unused.db").exists()
