"""`auditor cases list` shows each case's due date and the overdue ones, as the console's queue does."""

from __future__ import annotations

import json
from datetime import date, timedelta

from auditor.store import open_store
from auditor.store.team import QueueFilter
from auditor_testkit import assert_no_traceback
from team_testkit import team_store


def _rows(cli, *args) -> dict[str, dict]:
    code, out, err = cli("cases", "list", *args, "--json")
    assert code == 0, err
    return {r["case_id"]: r for r in map(json.loads, out.splitlines())}


def test_due_dates_and_overdue_match_the_consoles_queue(new_store, tmp_path, cli):
    store = team_store(new_store(), 40, days_ago=3)
    first = date.today() - timedelta(days=3)
    rows = _rows(cli, "--store", store)
    # Defaults: critical 2 days (due yesterday: overdue), high 5, medium 10.
    assert rows["C-000000"]["priority"] == "critical"
    assert rows["C-000000"]["due"] == (first + timedelta(days=2)).isoformat()
    assert rows["C-000000"]["overdue"] is True
    assert rows["C-000003"]["priority"] == "high" and rows["C-000003"]["overdue"] is False
    assert rows["C-000003"]["due"] == (first + timedelta(days=5)).isoformat()
    with open_store(store) as st:
        console = {
            r.case_id for r in st.queue("run-1", QueueFilter(view="overdue", limit=100), "x")[0]
        }
    assert {c for c, r in rows.items() if r["overdue"]} == console
    # The config's console.due_days, as `console serve --config` reads them.
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"store: '{store}'\nconsole:\n  due_days: {{critical: 1, high: 2, medium: 3, low: 30}}\n"
    )
    rows = _rows(cli, "--config", config)
    assert rows["C-000003"]["overdue"] is True  # high: 2 days now
    assert rows["C-000010"]["due"] == (first + timedelta(days=3)).isoformat()
    assert rows["C-000010"]["overdue"] is False  # medium: due today, not yet overdue
    late = _rows(cli, "--config", config, "--status", "overdue")
    assert set(late) == {c for c, r in rows.items() if r["overdue"]} and late
    assert all(rows[c]["priority"] in ("critical", "high") for c in late)
    # The table: a due column, OVERDUE beside the late ones, and the count in the heading.
    code, out, err = cli("cases", "list", "--config", config)
    assert code == 0, err
    lines = out.splitlines()
    assert f"{len(late)} overdue" in lines[0]
    assert lines[1].split()[:8] == [
        "case", "rank", "priority", "score", "change", "decision", "due", "top",
    ]  # fmt: skip
    assert sum("OVERDUE" in line for line in lines[2:]) == len(late)
    resolved = _rows(cli, "--store", store, "--status", "resolved")
    assert resolved["C-GONE"]["due"] is None and resolved["C-GONE"]["overdue"] is False


def test_a_bad_due_days_setting_is_located(tmp_path, cli):
    store = team_store(tmp_path / "s.db", 5)
    config = tmp_path / "audit.yaml"
    config.write_text(f"store: {store}\nconsole:\n  due_days: {{critical: 0}}\n")
    code, _, err = cli("cases", "list", "--config", config)
    assert code == 2 and "audit.yaml:3" in err and "due_days.critical" in err, err
    assert_no_traceback(err)
