"""Due dates in the console: the config's `console.due_days` reach the queue, the case page, the API and `console serve`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from auditor.console.app import create_app
from auditor.console.common import ConsoleConfig
from auditor.store import open_store
from console_testkit import api_key, sign_in
from team_testkit import team_store


@pytest.fixture
def late_store(tmp_path, password_hash):
    path = team_store(tmp_path / "late.db", 40, days_ago=3)
    with open_store(path) as st:
        st.add_user("ana", "analyst", password_hash, "setup")
    return path


def test_the_queue_and_the_case_page_show_due_dates_from_the_configured_days(late_store):
    app = create_app(
        ConsoleConfig(
            store=str(late_store), due_days={"critical": 2, "high": 2, "medium": 10, "low": 30}
        )
    )
    c = sign_in(app, "ana")
    first = date.today() - timedelta(days=3)
    overdue = c.get("/?view=overdue").text
    assert "C-000000" in overdue and "C-000003" in overdue  # critical and high, both 2 days
    assert "C-000010" not in overdue  # medium: 10 days
    assert f'<span class="overdue">{(first + timedelta(days=2)).isoformat()}</span>' in overdue
    page = c.get("/cases/C-000010").text
    assert f"due {(first + timedelta(days=10)).isoformat()};" in page and "overdue" not in page
    page = c.get("/cases/C-000000").text
    assert f"due {(first + timedelta(days=2)).isoformat()} (" in page and "overdue" in page


def test_the_api_lists_each_cases_due_date(late_store):
    app = create_app(
        ConsoleConfig(
            store=str(late_store), due_days={"critical": 1, "high": 5, "medium": 10, "low": 30}
        )
    )
    from console_testkit import client

    key = api_key(late_store, "ana")
    body = (
        client(app)
        .get("/api/v1/cases?view=overdue", headers={"authorization": f"Bearer {key}"})
        .json()
    )
    first = date.today() - timedelta(days=3)
    assert {c["due"] for c in body["cases"]} == {(first + timedelta(days=1)).isoformat()}


def test_console_serve_reads_due_days_from_the_config(tmp_path):
    from auditor.cli.console_cmd import _due_days
    from auditor.errors import ConfigError

    path = tmp_path / "audit.yaml"
    path.write_text("store: s.db\nconsole:\n  due_days: {critical: 1}\n")
    assert _due_days(path)["critical"] == 1 and _due_days(None)["critical"] == 2
    path.write_text("store: s.db\nconsole:\n  due_days: {critical: -1}\n")
    with pytest.raises(ConfigError, match="audit.yaml:3:"):
        _due_days(path)
