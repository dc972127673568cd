"""Nothing is lost between the commit and the exit: a run killed after its commit, or whose standard
output is closed, has its alerts repeated by the next run (exit 10); a second run arriving while
one commits exits 4; the output folder shows one whole run, never a mix and never a run the
store did not record."""

from __future__ import annotations

import filecmp
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from store_testkit import audit_args

from auditor.cases.alerts import decide_alerts
from auditor.cases.changes import classify_changes
from auditor.store import CaseSnapshot, Decision, open_store
from auditor.store.lock import StoreLock
from auditor_testkit import REPO, assert_no_traceback

HOOKED = Path(__file__).with_name("hooked_auditor.py")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def hooked(*args: str, stdout=subprocess.PIPE, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HOOKED), *args],
        env=ENV,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )


def alert_ids(out: str) -> list[str]:
    """Case ids of the ALERT block that `audit` prints."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ALERT:"))
    return [
        line.split()[0]
        for line in lines[start + 1 :]
        if line.startswith("  ") and not line.strip().startswith("...")
    ]


# ---- the decision, as a pure function ----------------------------------------------------------
def snap(case_id, priority="high", score=60.0, rank=1, rules=("a",)):
    return CaseSnapshot(
        "r2", case_id, rank, priority, score, [f"t-{case_id}"], sorted(rules), 100.0
    )


def stored(case_id, run_id="r1", status="new"):
    return {
        "case_id": case_id,
        "status": status,
        "priority": "high",
        "score": 60.0,
        "why": ["not in the previous run"],
        "raised_in": None,
        "run_id": run_id,
    }


def test_undelivered_alerts_are_carried_while_their_case_is_still_open():
    previous = [
        snap("C-kept"),
        snap("C-fell", rank=2),
        snap("C-quiet", rank=3),
        snap("C-gone", rank=4),
    ]
    current = [
        snap("C-new", rank=1),
        snap("C-kept", rank=2),
        snap("C-fell", "medium", 40.0, rank=3),
        snap("C-quiet", rank=4),
    ]
    quiet = Decision(
        "C-quiet", "dismissed", "known customer", "alice", NOW, None, ["a"], "high", 60.0, "r1"
    )
    changes = classify_changes(previous, current, [quiet], NOW, previous_run_id="r1")
    undelivered = [stored(c) for c in ("C-kept", "C-fell", "C-quiet", "C-gone", "C-new")]
    alerts = decide_alerts(changes, "high", undelivered)
    # C-new is this run's own; C-kept is carried; C-fell is below the floor now, C-quiet dismissed, C-gone resolved.
    assert [(a.case_id, a.raised_in) for a in alerts] == [("C-new", None), ("C-kept", "r1")]
    assert (
        alerts[1].why == ["alert of run r1 was never delivered", "not in the previous run"]
        and alerts[1].status == "new"
    )
    assert alerts[1].priority == "high" and alerts[1].record()["raised_in"] == "r1"
    assert [a.case_id for a in decide_alerts(changes, "medium", undelivered)] == [
        "C-new",
        "C-kept",
        "C-fell",
    ]
    assert [a.case_id for a in decide_alerts(changes, "high", [])] == [
        "C-new"
    ]  # nothing pending: only its own
    carried_twice = decide_alerts(changes, "high", [{**stored("C-kept", "r2"), "raised_in": "r0"}])
    assert (
        carried_twice[1].raised_in == "r0"
    )  # a twice-carried alert still names the run that raised it


# ---- a crash or a closed pipe after the commit ---------------------------------------------------
def test_a_run_killed_between_commit_and_exit_has_its_alerts_repeated(
    small_provider, tmp_path, cli
):
    store = tmp_path / "cases.db"
    killed = hooked(
        "--kill-at", "after-commit", "--", *audit_args(small_provider, tmp_path / "out", store)
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout == ""  # died before a word of the summary
    with open_store(store) as st:
        first = st.latest_run()
        assert first is not None and st.alert_state(first.run_id) == "pending"

    code, out, err = cli(*audit_args(small_provider, tmp_path / "out2", store))
    assert code == 10, (
        out + err
    )  # same data: every case unchanged, yet the first run's alert never went out
    assert (
        "0 new, 0 escalated" in out and "carried from a run whose alert was never delivered" in out
    )
    cases = {
        json.loads(line)["case_id"]: json.loads(line)
        for line in (tmp_path / "out2" / "cases.jsonl").read_text().splitlines()
    }
    expected = [cid for cid, c in cases.items() if c["priority"] in ("high", "critical")]
    assert expected and alert_ids(out)[:20] == expected[:20]
    with open_store(store) as st:
        assert (
            st.alert_state(first.run_id) == "carried"
            and st.alert_state(st.latest_run().run_id) == "delivered"
        )

    code, out, err = cli(*audit_args(small_provider, tmp_path / "out3", store))
    assert code == 0, out + err  # delivered once: the third run has nothing to say
    assert "no new or escalated case at or above high" in out


def test_a_closed_stdout_keeps_the_alert_for_the_next_run(small_provider, tmp_path, cli):
    store = tmp_path / "cases.db"
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: the reader is gone before the summary is written
    try:
        closed = hooked(
            "--", *audit_args(small_provider, tmp_path / "out", store), stdout=write_end
        )
    finally:
        os.close(write_end)
    assert closed.returncode == 10, closed.stderr  # the exit code still tells the scheduler
    assert "standard output was closed before the summary was written" in closed.stderr
    assert_no_traceback(closed.stderr)
    assert "Exception ignored" not in closed.stderr

    code, out, err = cli(*audit_args(small_provider, tmp_path / "out2", store))
    assert code == 10, out + err
    assert "carried from a run whose alert was never delivered" in out
    code, out, err = cli(*audit_args(small_provider, tmp_path / "out3", store))
    assert code == 0, out + err


# ---- the lock through the commit ---------------------------------------------------------------
def test_a_run_arriving_while_another_commits_exits_4_within_its_lock_timeout(
    small_provider, store_copy, tmp_path, cli
):
    # What a committing run holds: the store lock and SQLite's write lock (an open write transaction).
    with StoreLock(store_copy.with_name("cases.db.lock")):
        writer = sqlite3.connect(store_copy, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE runs SET scoring = scoring")
        try:
            started = time.monotonic()
            code, out, err = cli(
                *audit_args(small_provider, tmp_path / "out", store_copy, "--lock-timeout", "1")
            )
            waited = time.monotonic() - started
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    assert code == 4, err
    assert "another audit holds the store lock" in err and "after waiting 1 s" in err
    assert "database is locked" not in err
    assert waited < 15  # the lock timeout, not SQLite's 30 s busy timeout


# ---- the output folder: one whole run ------------------------------------------------------------
@pytest.mark.parametrize("kill_at", ["report:4", "commit", "after-commit"])
def test_a_killed_run_never_leaves_a_mixed_output_folder(
    small_provider, store_copy, tmp_path, cli, kill_at
):
    out = tmp_path / "out"
    code, _, err = cli(*audit_args(small_provider, out, store_copy))
    assert code == 0, err
    before = tmp_path / "before"
    before.mkdir()
    for f in out.iterdir():
        (before / f.name).write_bytes(f.read_bytes())
    killed = hooked("--kill-at", kill_at, "--", *audit_args(small_provider, out, store_copy))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    names = sorted(p.name for p in out.iterdir())
    if kill_at == "after-commit":
        # Committed, then killed: the folder is the new run's, whole (every file names the run the store holds).
        with open_store(store_copy) as st:
            latest = st.latest_run().run_id
        assert json.loads((out / "run.json").read_text())["run_id"] == latest
        assert {
            json.loads(line)["run_id"] for line in (out / "cases.jsonl").read_text().splitlines()
        } == {latest}
    else:
        # Not committed: the folder is exactly the previous run's.
        match, mismatch, errors = filecmp.cmpfiles(before, out, names, shallow=False)
        assert not mismatch and not errors, (mismatch, errors)
    assert names == sorted(p.name for p in before.iterdir())
    # The dead run's staging folder is cleared by the next run.
    code, _, err = cli(*audit_args(small_provider, out, store_copy))
    assert code == 0, err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
