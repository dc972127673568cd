"""The queue's text search: words of case ids, tenant ids and names in an index, whole words and a last-word prefix."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from auditor.store import CaseSnapshot, RunRecord, open_store
from auditor.store import sqlite_search
from auditor.store.schema import MIGRATIONS, SCHEMA_VERSION
from auditor.store.search import MAX_TERM, case_terms, parse_query, words
from auditor.store.team import QueueFilter
from team_testkit import case_record, team_store

NAMES = {
    0: "ACME Compute Ltd.",
    1: "Acme Research GmbH",
    2: "Straße Rechenzentrum AG",
    3: "ＦＵＬＬＷＩＤＴＨ Holdings",  # NFKC: fullwidth letters are the plain ones
    4: "<script>alert(1)</script>",
    5: "Acme\u202egnp.exe",
    6: "A" * 10_000,
    7: "深圳算力科技有限公司",
    8: "Tenant 70 Compute Ltd",
}


def run(n: int, run_id: str, names: dict[int, str], extra_tenant: dict[int, str] | None = None):
    now = datetime.now(timezone.utc)
    record = RunRecord(run_id, now - timedelta(minutes=1), now, now, True, "t", "0" * 64, "weighted-v1",
                       [], [], [], {}, None, {"run_id": run_id})  # fmt: skip
    snaps = []
    for i in range(n):
        r = case_record(i, n, run_id, names.get(i))
        if extra_tenant and i in extra_tenant:
            r["tenants"].append({"tenant_id": f"t-x{i}", "legal_name": extra_tenant[i]})
            r["tenant_ids"].append(f"t-x{i}")
        snaps.append(CaseSnapshot.from_record(run_id, r))
    return record, snaps


@pytest.fixture
def store(new_store):
    """On each backend in turn (a SQLite file, then a PostgreSQL database)."""
    st = open_store(new_store())
    st.commit_run(*run(20, "run-1", NAMES, {9: "Hidden Partner Pte"}))
    yield st
    st.close()


def found(st, text: str, run_id: str = "run-1", **kw) -> list[str]:
    return [r.case_id for r in st.queue(run_id, QueueFilter(text=text, limit=100, **kw), "x")[0]]


def test_words_are_folded_normalised_and_capped():
    assert words("ACME Compute Ltd.") == ["acme", "compute", "ltd"]
    assert words("ＦＵＬＬＷＩＤＴＨ") == ["fullwidth"] and words("STRASSE") == words("straße")
    assert words("t-000039") == ["t", "000039"] and words("<script>") == ["script"]
    assert len(words("A" * 10_000)[0]) == MAX_TERM and words("!!! ...") == []
    terms = case_terms(
        {"case_id": "C-1", "tenant_ids": ["t-9"], "tenants": [{"legal_name": "Acme Acme"}]}
    )
    assert terms == {"c", "1", "t", "9", "acme"}


def test_the_last_word_is_a_prefix_unless_the_query_ends_with_a_space():
    assert parse_query("acme comp") == parse_query("ACME Comp")
    assert (parse_query("acme comp").whole, parse_query("acme comp").prefix) == (("acme",), "comp")
    assert (parse_query("tenant 7 ").whole, parse_query("tenant 7 ").prefix) == (
        ("tenant", "7"),
        None,
    )
    assert parse_query("  ").empty and parse_query("<>").empty


def test_search_finds_whole_words_prefixes_and_every_tenant_of_a_case(store):
    assert found(store, "acme") == ["C-000000", "C-000001", "C-000005"]
    assert found(store, "acme comp") == ["C-000000"]  # both words
    assert found(store, "acme compute ltd ") == ["C-000000"]
    assert found(store, "comp") == ["C-000000"] + [f"C-{i:06d}" for i in range(8, 20)]
    assert found(store, "tenant 7 ") == [] and found(store, "tenant 70 ") == ["C-000008"]
    assert found(store, "tenant 1") == [f"C-{i:06d}" for i in range(10, 20)]  # 10..19 start with 1
    assert found(store, "hidden partner") == ["C-000009"]  # the case's second tenant
    assert found(store, "t-x9") == ["C-000009"] and found(store, "C-000012") == ["C-000012"]
    assert found(store, "strasse") == ["C-000002"] and found(store, "fullwidth") == ["C-000003"]
    assert found(store, "深圳") == ["C-000007"]  # a name without spaces: found by its start


def test_hostile_names_are_only_words_and_find_nothing_else(store):
    assert found(store, "<script>") == ["C-000004"] and found(store, "alert(1)") == ["C-000004"]
    assert found(store, "A" * 10_000) == ["C-000006"] and found(store, "a" * 64) == ["C-000006"]
    # The right-to-left override is no letter: it splits words and is never part of one.
    assert found(store, "gnp exe") == ["C-000005"] and found(store, "acme\u202egnp") == ["C-000005"]
    assert found(store, "' OR 1=1 --") == [] and found(store, "%") == [] and found(store, "_") == []
    assert found(store, "zzz") == [] and found(store, "nothing here ") == []


@pytest.mark.parametrize("drive_below", [1, 3, 2000])
def test_the_rare_word_plan_and_the_rank_walk_give_the_same_answer(store, monkeypatch, drive_below):
    monkeypatch.setattr(sqlite_search, "DRIVE_BELOW", drive_below)
    assert found(store, "acme") == ["C-000000", "C-000001", "C-000005"]
    assert found(store, "tenant") == [f"C-{i:06d}" for i in range(8, 20)]
    assert found(store, "compute ltd") == ["C-000000"] + [f"C-{i:06d}" for i in range(8, 20)]
    page = store.queue("run-1", QueueFilter(text="comp", limit=3), "x")
    assert [r.case_id for r in page[0]] == ["C-000000", "C-000008", "C-000009"] and page[1] == 10
    after = store.queue("run-1", QueueFilter(text="comp", limit=3, after_rank=page[1]), "x")[0]
    assert [r.case_id for r in after] == ["C-000010", "C-000011", "C-000012"]
    assert found(store, "acme", view="unassigned", priorities=("critical",)) == ["C-000000"]


def test_search_reads_the_latest_runs_words_and_keeps_no_others(store):
    store.commit_run(*run(5, "run-2", {0: "Renamed Holdings"}))
    assert found(store, "renamed", "run-2") == ["C-000000"] and found(store, "acme", "run-2") == []
    runs = {r[0] for r in store._conn.execute("SELECT DISTINCT run_id FROM case_search_terms")}
    assert runs == {"run-2"}  # the latest run's only: the store does not grow by every run's words


def test_a_store_made_before_the_search_index_gets_its_latest_run_indexed(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version in range(1, 7):
        for statement in MIGRATIONS[version]:
            raw.execute(statement)
        raw.execute("INSERT INTO schema_version VALUES (?)", (version,))
    raw.execute(
        "INSERT INTO runs (run_id, started_at, finished_at, as_of, committed_at, complete, rule_pack_version, "
        "rule_pack_sha256, scoring, inputs, lists, coverage_gaps, counts, manifest) "
        "VALUES ('old', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', "
        "'2026-11-01T00:00:00+00:00', 1, 't', '', 'weighted-v1', '[]', '[]', '[]', '{}', '{}')"
    )
    record = case_record(0, 1, "old", "Pre Index Trading")
    raw.execute(
        "INSERT INTO case_snapshots VALUES ('old', 'C-000000', 1, 'critical', 100.0, ?, ?, 1.0, ?)",
        (json.dumps(record["tenant_ids"]), json.dumps(["r"]), json.dumps(record)),
    )
    raw.commit()
    raw.close()
    with open_store(path) as st:
        assert st.schema_version() == SCHEMA_VERSION
        assert found(st, "pre index", "old") == ["C-000000"]


def test_a_large_run_is_searched_through_the_index(new_store, monkeypatch):
    import auditor.store.sqlite_queue as queue_module

    plans = []
    real = sqlite_search.plan_search
    monkeypatch.setattr(queue_module, "plan_search", lambda *a: plans.append(real(*a)) or plans[-1])
    with open_store(team_store(new_store("big.db"), 3000)) as st:
        assert found(st, "tenant 2999 ") == ["C-002999"]
        assert plans[-1].driver is not None  # a rare word drives
        assert len(found(st, "tenant")) == 100
        assert plans[-1].driver is None  # every case has it: the rank walk


def test_a_runs_terms_come_in_key_order_as_python_orders_texts():
    """The index's rows go in (term, case id) order, sorted by Polars: the same order as Python's
    code-point order, also for words outside the Basic Multilingual Plane and with accents."""
    from auditor.store.search import run_terms

    names = ["Zeta Ltd", "Ärger GmbH", "𝔄lpha 𝔅eta", "alpha beta", "北京 科技", "Émile", "zeta 2"]
    cases = [
        (
            f"C-{i:02d}",
            {"case_id": f"C-{i:02d}", "tenants": [{"tenant_id": f"t{9 - i}", "legal_name": n}]},
        )
        for i, n in enumerate(names)
    ]
    rows = run_terms(cases)
    assert rows == sorted(rows)
    assert len(rows) == len(set(rows)) and ("alpha", "C-03") in rows


def test_a_run_with_the_last_runs_cases_carries_its_words_over(store):
    # A reused answer (auditor.reuse) has the cases of the run it came from: its words are
    # that run's, relabelled, and the earlier run keeps none.
    # that run's, named by the new run (never copied), and a third reused run names the same.
    record, snaps = run(20, "run-2", NAMES, {9: "Hidden Partner Pte"})
    store.commit_run(record, snaps, terms_from="run-1")
    assert found(store, "hidden partner", "run-2") == ["C-000009"]
    assert found(store, "acme", "run-2") == ["C-000000", "C-000001", "C-000005"]
    assert found(store, "comp", "run-2")[:3] == ["C-000000", "C-000008", "C-000009"]
    record, snaps = run(20, "run-3", NAMES, {9: "Hidden Partner Pte"})
    store.commit_run(record, snaps, terms_from="run-2")
    assert found(store, "hidden partner", "run-3") == ["C-000009"]
    assert found(store, "hidden partner", "run-2") == []  # only the latest run is searched
    rows = store._conn.execute("SELECT run_id, terms_run_id FROM case_search_runs").fetchall()
    assert [tuple(r) for r in rows] == [("run-3", "run-1")]
    runs = {r[0] for r in store._conn.execute("SELECT DISTINCT run_id FROM case_search_terms")}
    assert runs == {"run-1"}
    # A computed run writes its own words and drops the pointer.
    store.commit_run(*run(5, "run-4", {0: "Renamed Holdings"}))
    assert found(store, "renamed", "run-4") == ["C-000000"]
    assert tuple(store._conn.execute("SELECT COUNT(*) FROM case_search_runs").fetchone()) == (0,)


def test_words_are_built_afresh_when_the_named_run_has_none(store):
    record, snaps = run(3, "run-2", {0: "Renamed Holdings"})
    store.commit_run(record, snaps, terms_from="no-such-run")
    assert found(store, "renamed", "run-2") == ["C-000000"] and found(store, "acme", "run-2") == []


def test_a_case_with_too_many_words_keeps_its_first_ones_every_time():
    from auditor.store.search import MAX_TERMS_PER_CASE, run_terms

    tenants = [{"tenant_id": f"t-{i:04d}", "legal_name": f"Name{i} Lab"} for i in range(600)]
    record = {
        "case_id": "C-big",
        "tenant_ids": [t["tenant_id"] for t in tenants],
        "tenants": tenants,
    }
    first = run_terms([("C-big", record)])
    assert len(first) == MAX_TERMS_PER_CASE
    kept = {term for term, _ in first}
    assert {"c", "big", "t", "0000"} <= kept  # the case's id, its first tenant
    assert "0599" not in kept  # the last tenants' words are the ones dropped
    for _ in range(5):
        assert run_terms([("C-big", record)]) == first
