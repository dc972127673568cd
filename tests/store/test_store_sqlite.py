"""The case store: runs commit whole or not at all, decisions are append-only, the schema is versioned.

Tests taking `new_store` run on both backends (a SQLite file, then a PostgreSQL database).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.store import CaseSnapshot, Decision, RunRecord, open_store
from auditor.store.sqlite import SCHEMA_VERSION, SQLiteStore
from store_raw import INTEGRITY_ERRORS, refused, tamper

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def run_record(run_id: str) -> RunRecord:
    manifest = {
        "run_id": run_id,
        "started_at": T0.isoformat(),
        "finished_at": T0.isoformat(),
        "as_of": T0.isoformat(),
        "complete": True,
        "inputs": [{"table": "tenants", "path": "t.csv", "sha256": "ab"}],
        "rule_pack": {"version": "v1", "sha256": "cd"},
        "scoring": "weighted-v1",
        "lists": [{"path": "l.csv", "sha256": "ef"}],
        "coverage_gaps": [],
        "counts": {"cases": 1},
        "changes": {"previous_run_id": None, "counts": {}, "resolved": []},
    }
    return RunRecord.from_manifest(manifest)


def case(run_id: str, case_id: str = "C-1", score: float = 60.0) -> CaseSnapshot:
    record = {
        "case_id": case_id,
        "rank": 1,
        "priority": "high",
        "score": score,
        "tenant_ids": ["t1"],
        "hits": [{"rule_id": "b"}, {"rule_id": "a"}],
        "exposure": {"restricted_gpu_hours_90d": 12.5},
    }
    return CaseSnapshot.from_record(run_id, record)


def test_runs_and_cases_round_trip(new_store):
    with open_store(new_store()) as store:
        assert store.latest_run() is None
        store.commit_run(run_record("r1"), [case("r1")])
        store.commit_run(run_record("r2"), [case("r2", score=70)])
        latest = store.latest_run()
        assert (
            latest.run_id == "r2"
            and latest.rule_pack_version == "v1"
            and latest.rule_pack_sha256 == "cd"
        )
        assert (
            latest.inputs[0]["sha256"] == "ab"
            and latest.lists[0]["sha256"] == "ef"
            and latest.scoring == "weighted-v1"
        )
        assert latest.committed_at is not None
        assert [r.run_id for r in store.runs()] == ["r1", "r2"]
        (snap,) = store.cases_in_run("r2")
        assert (
            snap.rules == ["a", "b"] and snap.score == 70 and snap.restricted_gpu_hours_90d == 12.5
        )
        assert [s.run_id for s in store.case_history("C-1")] == ["r1", "r2"]
        assert store.case_ids() == ["C-1"]


def test_latest_rules_are_each_cases_newest_snapshot(new_store):
    def with_rules(run_id: str, case_id: str, rules: list[str]) -> CaseSnapshot:
        snap = case(run_id, case_id)
        return CaseSnapshot(**{**snap.__dict__, "rules": rules})

    with open_store(new_store()) as store:
        assert store.latest_rules() == {}
        # r9 is committed first under an id that sorts last: order is by commit, not by id.
        store.commit_run(
            run_record("r9"), [with_rules("r9", "C-1", ["a"]), with_rules("r9", "C-2", ["x"])]
        )
        store.commit_run(run_record("r1"), [with_rules("r1", "C-1", ["a", "b"])])
        assert store.latest_rules() == {"C-1": ["a", "b"], "C-2": ["x"]}
        assert store.latest_rules()["C-1"] == store.case_history("C-1")[-1].rules


def test_a_failed_commit_leaves_no_trace(new_store):
    with open_store(new_store()) as store:
        store.commit_run(run_record("r1"), [case("r1")])
        with pytest.raises(INTEGRITY_ERRORS):
            store.commit_run(
                run_record("r2"), [case("r2"), case("r2")]
            )  # duplicate case: the whole run rolls back
        assert [r.run_id for r in store.runs()] == ["r1"]
        assert store.cases_in_run("r2") == []


def test_decisions_are_append_only(new_store):
    path = new_store()
    with open_store(path) as store:
        first = store.add_decision(
            Decision(
                "C-1",
                "dismissed",
                "known lab",
                "alice",
                T0,
                date(2027, 1, 1),
                ["a"],
                "high",
                60.0,
                "r1",
            )
        )
        store.add_decision(Decision("C-1", "confirmed", "owner is listed", "bob", T0))
        assert (
            first.decision_id == 1
            and first.until == date(2027, 1, 1)
            and first.rules_at_decision == ["a"]
        )
        assert [d.status for d in store.decisions("C-1")] == ["dismissed", "confirmed"]
        assert store.latest_decisions()["C-1"].by == "bob"
    assert "append-only" in refused(
        path, "UPDATE decisions SET status = 'confirmed' WHERE decision_id = 1"
    )
    assert "append-only" in refused(path, "DELETE FROM decisions")
    assert refused(
        path,
        "INSERT INTO decisions (case_id, status, reason, decided_by, decided_at, rules_at_decision) "
        "VALUES ('C-1', 'ignored', 'x', 'y', 'z', '[]')",
    )  # status outside the three
    if "://" in str(path):
        assert "append-only" in refused(path, "TRUNCATE decisions CASCADE")
    with open_store(path) as store:
        assert [d.status for d in store.decisions()] == ["dismissed", "confirmed"]


def test_schema_is_versioned(new_store):
    path = new_store()
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
    with open_store(path) as store:  # reopening does not migrate twice
        assert store.schema_version() == SCHEMA_VERSION
    tamper(path, f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION + 1})")
    with pytest.raises(InputError, match="newer than this auditor supports"):
        open_store(path)


def test_open_store_by_path_or_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for spec, expected in (
        ("a.db", tmp_path / "a.db"),
        ("sqlite:///b.db", tmp_path / "b.db"),
        (f"sqlite:///{tmp_path}/c.db", tmp_path / "c.db"),
    ):
        store = open_store(spec)
        store.close()
        assert expected.exists(), spec
    with pytest.raises(InputError, match="unknown case store scheme 'mysql'"):
        open_store("mysql://db/cases")
    with pytest.raises(InputError, match="lost its slashes"):
        open_store(Path("sqlite:///d.db"))


def test_a_file_that_is_not_a_store_is_an_input_error(tmp_path):
    path = tmp_path / "s.db"
    path.write_text("not sqlite at all, " * 100)
    with pytest.raises(
        InputError,
        match="cannot open the case store: file is not a database; give the path of an auditor case store",
    ):
        SQLiteStore(path)


def test_every_registered_store_implements_the_protocol(tmp_path):
    import importlib
    import inspect

    from auditor.store import STORES, CaseStore

    wanted = [
        name
        for name, _ in inspect.getmembers(CaseStore, inspect.isfunction)
        if not name.startswith("_")
    ]
    for scheme, target in STORES.items():
        module_name, attr = target.split(":")
        cls = getattr(importlib.import_module(module_name), attr)
        assert cls.__doc__ and importlib.import_module(module_name).__doc__, scheme
        missing = [name for name in wanted if not callable(getattr(cls, name, None))]
        assert not missing, (scheme, missing)


def test_a_store_url_with_a_password_is_never_shown_with_it():
    with pytest.raises(InputError) as caught:
        open_store("postgres://auditor:hunter2@db.internal/cases")
    assert "hunter2" not in str(caught.value) and "postgres://REDACTED@db.internal/cases" in str(
        caught.value
    )
