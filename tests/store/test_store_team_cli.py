"""Four-eyes on the CLI path (`cases decide` / `cases approve`), `auditor store verify`, console users and keys."""

from __future__ import annotations

import io
import sqlite3

from auditor.store import open_store
from team_testkit import team_store


def add_user(cli, monkeypatch, store, name, role):
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    code, out, err = cli(
        "console",
        "user",
        "add",
        name,
        "--role",
        role,
        "--store",
        store,
        "--password-stdin",
        "--by",
        "setup",
    )
    assert code == 0, err


def test_cases_decide_goes_through_four_eyes_and_cases_approve_needs_a_second_reviewer(
    tmp_path, cli, monkeypatch
):
    store = team_store(tmp_path / "s.db", 20)
    add_user(cli, monkeypatch, store, "ana", "analyst")
    add_user(cli, monkeypatch, store, "rita", "reviewer")
    decide = (
        "cases",
        "decide",
        "C-000000",
        "--store",
        store,
        "--status",
        "dismissed",
        "--reason",
        "lab",
    )
    code, out, err = cli(*decide, "--by", "ana")
    assert code == 0 and "pending review" in out and "cases approve 1" in out
    with open_store(store) as st:
        assert st.decisions("C-000000") == []
    code, out, _ = cli("cases", "show", "C-000000", "--store", store)
    assert "pending review #1: ana proposes dismissed" in out
    code, out, err = cli("cases", "approve", "1", "--store", store, "--by", "ana")
    assert code == 2 and "may not approve it" in err
    code, out, err = cli(*decide, "--by", "nobody")
    assert code == 2 and "no active account" in err
    code, out, err = cli("cases", "approve", "1", "--store", store, "--by", "rita")
    assert code == 0 and "approved by rita" in out
    with open_store(store) as st:
        (d,) = st.decisions("C-000000")
    assert (d.by, d.approved_by) == ("ana", "rita")
    code, out, _ = cli("cases", "show", "C-000000", "--store", store)
    assert "approved by rita" in out and "pending review" not in out
    code, out, _ = cli("store", "verify", "--store", store)
    assert code == 0 and "OK" in out


def test_store_verify_exits_5_on_an_edited_decision(tmp_path, cli):
    store = team_store(tmp_path / "s.db", 5)
    code, _, err = cli(
        "cases",
        "decide",
        "C-000004",
        "--store",
        store,
        "--status",
        "confirmed",
        "--reason",
        "r",
        "--by",
        "x",
    )
    assert code == 0, err
    raw = sqlite3.connect(store)
    raw.execute("DROP TRIGGER decisions_no_update")
    raw.execute("UPDATE decisions SET status = 'dismissed'")
    raw.commit()
    code, out, _ = cli("store", "verify", "--store", store)
    assert code == 5 and "TAMPERED: decisions row 1 was edited" in out


def test_console_user_and_key_commands(tmp_path, cli, monkeypatch):
    store = team_store(tmp_path / "s.db", 5)
    add_user(cli, monkeypatch, store, "ana", "analyst")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = cli(
        "console", "user", "add", "bo", "--role", "analyst", "--store", store, "--password-stdin"
    )
    assert code == 2 and "at least 12 characters" in err
    code, out, err = cli(
        "console", "key", "create", "ana", "--store", store, "--label", "siem", "--by", "adm"
    )
    assert code == 0 and out.startswith("adk_") and "shown once" in err
    key = out.strip()
    with open_store(store) as st:
        assert st.api_key_owner(key) == ("ana", "analyst")
        prefix = st.api_keys()[0].prefix
    assert cli("console", "key", "revoke", prefix, "--store", store)[0] == 0
    assert cli("console", "user", "disable", "ana", "--store", store)[0] == 0
    with open_store(store) as st:
        assert st.api_key_owner(key) is None and st.user("ana").disabled
        actions = [e.action for e in st.audit_events()]
    assert actions[-3:] == ["create-api-key", "revoke-api-key", "change-user"]


def test_four_eyes_setting_from_the_cli_needs_an_admin(tmp_path, cli, monkeypatch):
    store = team_store(tmp_path / "s.db", 20)
    add_user(cli, monkeypatch, store, "adm", "admin")
    add_user(cli, monkeypatch, store, "ana", "analyst")
    code, out, _ = cli("console", "four-eyes", "--store", store)
    assert code == 0 and "dismissed: high, critical need" in out
    code, _, err = cli(
        "console", "four-eyes", "--store", store, "--require", "dismissed=critical", "--by", "ana"
    )
    assert code == 2 and "admin role" in err
    code, _, err = cli(
        "console", "four-eyes", "--store", store, "--require", "dismissed=severe", "--by", "adm"
    )
    assert code == 2 and "unknown priority 'severe'" in err
    code, out, _ = cli(
        "console", "four-eyes", "--store", store, "--require", "dismissed=critical", "--by", "adm"
    )
    assert code == 0 and "dismissed: critical need" in out
    decide = (
        "cases",
        "decide",
        "C-000002",
        "--store",
        store,
        "--status",
        "dismissed",
        "--reason",
        "r",
    )
    code, out, _ = cli(*decide, "--by", "ana")
    assert "recorded decision" in out  # high no longer needs review
