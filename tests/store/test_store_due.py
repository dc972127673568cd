"""Due days by priority: the config's `console.due_days`, validated with located errors, drive the overdue view and each row's due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from auditor.store import open_store
from auditor.store.due import DEFAULT_DUE_DAYS, DueDays, due_date
from auditor.store.team import QueueFilter
from team_testkit import team_store


def overdue_bands(st, due_days=None) -> set[str]:
    rows = st.queue("run-1", QueueFilter(view="overdue", limit=100), "x", due_days=due_days)[0]
    return {r.priority for r in rows}


def test_configured_due_days_move_cases_into_and_out_of_the_overdue_view(new_store):
    with open_store(team_store(new_store(), 40, days_ago=3)) as st:
        assert overdue_bands(st) == {"critical"}  # defaults: critical 2 days, high 5
        assert overdue_bands(st, {"critical": 1, "high": 2, "medium": 2, "low": 2}) == {
            "critical", "high", "medium", "low",
        }  # fmt: skip
        assert overdue_bands(st, {"critical": 3}) == set()  # due today: not yet overdue
        assert overdue_bands(st, {"critical": 2}) == {"critical"}  # due yesterday: overdue


def test_each_row_carries_its_due_date_from_the_day_it_was_first_seen(new_store):
    with open_store(team_store(new_store(), 40, days_ago=3)) as st:
        rows = st.queue("run-1", QueueFilter(limit=100), "x", due_days={"high": 4})[0]
    first = date.today() - timedelta(days=3)
    by_band = {r.priority: r.due for r in rows}
    assert by_band["critical"] == first + timedelta(days=2)
    assert by_band["high"] == first + timedelta(days=4)
    assert by_band["low"] == first + timedelta(days=30)
    assert all(r.first_seen is not None and r.first_seen.date() == first for r in rows)


def test_due_date_without_a_first_run_is_unknown():
    assert due_date(None, "critical", DEFAULT_DUE_DAYS) is None
    assert due_date(date(2026, 1, 30), "medium", DEFAULT_DUE_DAYS) == date(2026, 2, 9)


@pytest.mark.parametrize(
    "section, line, message",
    [
        ("console:\n  due_days:\n    critical: 0\n", 4, "greater than or equal to 1"),
        ("console:\n  due_days:\n    urgent: 3\n", 4, "console.due_days.urgent: unknown setting"),
        ("console:\n  due_days:\n    high: two\n", 4, "console.due_days.high"),
        ("console:\n  due_days:\n    critical: 9\n", 4, "critical cases would be due later (9 days) than high cases (5 days)"),
        ("console:\n  due_dayz: {}\n", 3, "console.due_dayz: unknown setting"),
    ],
)  # fmt: skip
def test_a_bad_due_days_setting_is_a_located_config_error(tmp_path, section, line, message):
    path = tmp_path / "audit.yaml"
    path.write_text("store: s.db\n" + section)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert f"audit.yaml:{line}:" in text and message in text, text


def test_bands_left_out_keep_their_defaults_and_equal_days_are_allowed(tmp_path):
    path = tmp_path / "audit.yaml"
    path.write_text("store: s.db\nconsole:\n  due_days: {critical: 1, high: 1}\n")
    assert load_config(path).console.due_days.as_dict() == {
        "low": 30, "medium": 10, "high": 1, "critical": 1,
    }  # fmt: skip
    assert DueDays().as_dict() == DEFAULT_DUE_DAYS
