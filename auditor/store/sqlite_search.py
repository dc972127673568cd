"""The SQLite side of the queue's text search (search.py): writing a run's words, and the query that reads them.

Everything SQL about search is here, so another backend writes its twin from this file
(the table holds the words of the latest run only, a disposable index like the screening memo):
the table (migration 7: `case_search_terms(run_id, term, case_id)`, primary key in that
order, and an index on `(run_id, case_id, term)`; migration 8: `case_search_runs`, the run
whose words a reused answer's run searches), `index_run_terms` inside the run's
commit, and `plan_search`, what the queue adds for `q=`. Each query word is a condition on
the queue's snapshot `s`, a point lookup of the second index (`term = ?` for a whole word,
`term >= ? AND term < ? || U+10FFFF` for the prefix). A word few cases have (under
DRIVE_BELOW, found by a capped read of the key) also drives the query: its cases, read
once, are the only ones joined to the run and sorted (a JSON array here; `unnest` of an
array in PostgreSQL), instead of walking the
run in rank order until a page is full, which is the faster way when every word is common.
Plain SQL, no FTS5. The table is `WITHOUT ROWID` here, which only saves SQLite a copy of
the key; PostgreSQL's twin needs the key's text compared bytewise (`COLLATE "C"`) for the
prefix range to use its index.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.store.dialect import JsonDialect, SQLiteJson
from auditor.store.search import PREFIX_END, TextQuery, run_terms

CASE_INDEX = "case_search_terms_case"
SEARCH_MIGRATION: list[str] = [
    """CREATE TABLE case_search_terms (
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        term TEXT NOT NULL,
        case_id TEXT NOT NULL,
        PRIMARY KEY (run_id, term, case_id)
    ) WITHOUT ROWID""",
    f"CREATE INDEX {CASE_INDEX} ON case_search_terms(run_id, case_id, term)",
]
# PostgreSQL's twin (store/postgres.py): the key's text compared bytewise, for the prefix range.
SEARCH_MIGRATION_PG: list[str] = [
    """CREATE TABLE case_search_terms (
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        term TEXT COLLATE "C" NOT NULL,
        case_id TEXT NOT NULL,
        PRIMARY KEY (run_id, term, case_id)
    )""",
    "CREATE INDEX case_search_terms_case ON case_search_terms(run_id, case_id, term)",
]
# Migration 8: which run's words a run's queue searches, when they are another run's. A run that
# reused an earlier run's answer (auditor.reuse) has that run's cases, so it names that run's
# words here instead of copying them (3.5 s for 345,000 words at 1M tenants). One row at most:
# the latest run's, as the words are.
SEARCH_RUNS_MIGRATION: list[str] = [
    """CREATE TABLE case_search_runs (
        run_id TEXT PRIMARY KEY REFERENCES runs(run_id),
        terms_run_id TEXT NOT NULL REFERENCES runs(run_id)
    )""",
]
SEARCH_RUNS_MIGRATION_PG = SEARCH_RUNS_MIGRATION  # the same types in both
SEARCH_TABLES = {"case_search_terms", "case_search_runs"}
SQLITE_JSON = SQLiteJson()
DRIVE_BELOW = 2000  # a word with fewer cases than this drives the query


def index_run_terms(
    conn: sqlite3.Connection, run_id: str, cases: Iterable[tuple[str, Any]]
) -> None:
    """Writes the words of a run's cases ((case id, record) pairs), inside the caller's transaction.

    The words of earlier runs go: the queue searches the latest run, and a 100,000-case run
    has some 700,000 words, which every run would otherwise add to the store for good.
    This function writes the run's whole set, so the table is emptied outright (SQLite
    truncates a DELETE without WHERE instead of visiting each row), the rows go in key
    order (appends to the primary key's tree) and the second index is rebuilt once after
    them by one sort: 7.8 s -> 3.3 s for 700,000 synthetic words on an idle machine (the
    write alone in a scratch database, not a whole run's commit).
    """
    conn.execute("DELETE FROM case_search_runs")  # every run naming other words named these
    _write_terms(conn, run_id, cases)


def _write_terms(conn: sqlite3.Connection, run_id: str, cases: Iterable[tuple[str, Any]]) -> None:
    conn.execute("DELETE FROM case_search_terms")
    conn.execute(f"DROP INDEX IF EXISTS {CASE_INDEX}")
    conn.executemany(
        "INSERT OR IGNORE INTO case_search_terms (run_id, term, case_id) VALUES (?, ?, ?)",
        [(run_id, term, case_id) for term, case_id in run_terms(cases)],  # in key order
    )
    conn.execute(SEARCH_MIGRATION[1])


def terms_run(conn: sqlite3.Connection, run_id: str) -> str:
    """The run whose words `run_id`'s queue searches: its own, or those of the run it reused."""
    row = conn.execute(
        "SELECT terms_run_id FROM case_search_runs WHERE run_id = ?", (run_id,)
    ).fetchone()
    return run_id if row is None else row[0]


def carry_run_terms(conn: sqlite3.Connection, run_id: str, from_run_id: str) -> bool:
    """Names `from_run_id`'s words as `run_id`'s, inside the caller's transaction; False when it has none.

    For a run whose cases are that run's (a reused answer, auditor.reuse): the words come
    from each case's id, tenant ids and legal names, which are the same, so re-deriving them
    (2 s at 37,699 cases) or copying them (3.5 s) would only give the same rows. The words
    stay under the run that wrote them; `case_search_runs` points the new run there, and
    only there (the earlier run's pointer goes, as its words would have). A run with no
    words left (a store whose index was emptied) is indexed afresh by the caller.
    """
    source = terms_run(conn, from_run_id)
    if (
        conn.execute(
            "SELECT 1 FROM case_search_terms WHERE run_id = ? LIMIT 1", (source,)
        ).fetchone()
        is None
    ):
        return False
    conn.execute("DELETE FROM case_search_runs")
    conn.execute(
        "INSERT INTO case_search_runs (run_id, terms_run_id) VALUES (?, ?)", (run_id, source)
    )
    return True


@dataclass(frozen=True)
class SearchPlan:
    """The queue's condition on `s` for a text query, and (for a rare word) the rows that drive it."""

    clause: str
    driver: str | None = None  # a subquery of the few case ids to join the run's snapshots to


def _word_condition(name: str, exact: bool, alias: str) -> str:
    if exact:
        return f"{alias}.term = :{name}"
    return f"{alias}.term >= :{name} AND {alias}.term < :{name}_end"


def plan_search(
    conn: sqlite3.Connection,
    run_id: str,
    query: TextQuery,
    params: dict[str, Any],
    d: JsonDialect = SQLITE_JSON,
) -> SearchPlan:
    """The search part of the queue's query; adds its parameters to `params` (`:run` is the queue's run).

    A query without words matches nothing (it cannot name a case).
    """
    words = [(f"qw{i}", w, True) for i, w in enumerate(query.whole)]
    if query.prefix is not None:
        words.append(("qp", query.prefix, False))
    if not words:
        return SearchPlan("FALSE")
    params["terms_run"] = terms_run(conn, run_id)  # `s` is the queue's run: its words' run
    for name, word, exact in words:
        params[name] = word
        if not exact:
            params[f"{name}_end"] = word + PREFIX_END
    clause = " AND ".join(
        f"EXISTS (SELECT 1 FROM case_search_terms x WHERE x.run_id = :terms_run AND x.case_id = s.case_id "
        f"AND {_word_condition(name, exact, 'x')})"
        for name, _, exact in words
    )
    fewest: list[str] | None = None
    for name, _, exact in words:
        rows = conn.execute(
            f"SELECT t.case_id FROM case_search_terms t WHERE t.run_id = :terms_run AND "
            f"{_word_condition(name, exact, 't')} LIMIT {DRIVE_BELOW}",
            params,
        ).fetchall()
        if len(rows) < DRIVE_BELOW:  # every case with the word, and few
            ids = list(dict.fromkeys(r[0] for r in rows))
            if fewest is None or len(ids) < len(fewest):
                fewest = ids
    if fewest is None:
        return SearchPlan(clause)
    if not fewest:
        return SearchPlan("FALSE")
    params["q_ids"] = json.dumps(fewest)
    return SearchPlan(clause, d.id_list(":q_ids"))


def backfill_search_terms(conn: sqlite3.Connection) -> None:
    """Migration 7's data step: the words of the latest run's cases (the run the queue searches)."""
    row = conn.execute("SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return
    run_id = row[0]
    rows = conn.execute(
        "SELECT case_id, record FROM case_snapshots WHERE run_id = ?", (run_id,)
    ).fetchall()
    # Migration 7's step: case_search_runs (migration 8) does not exist yet, and names nothing.
    _write_terms(conn, run_id, ((r[0], json.loads(r[1])) for r in rows))
