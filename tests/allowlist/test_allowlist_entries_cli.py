"""`auditor allowlist entries`: the console's entries without the console -- listed, filtered, exported as the console exports them."""

from __future__ import annotations

import json
from datetime import date, timedelta

import yaml

from auditor.allowlist.spec import load_allowlist
from auditor.store import open_store
from auditor_testkit import assert_no_traceback
from team_testkit import team_store


def _entry(tenants: list[str], created: date, days: int) -> dict:
    return {
        "tenants": tenants,
        "reason": "vetted reseller",
        "owner": "ana",
        "created": created.isoformat(),
        "expires": (created + timedelta(days=days)).isoformat(),
    }


def _store_with_every_standing(path):
    """Entries 1 in force, 2 pending, 3 rejected, 4 revoked, 5 approved but expired."""
    today = date.today()
    store = team_store(path, 5)
    with open_store(store) as st:
        st.add_user("ana", "analyst", None, "setup")
        st.add_user("rita", "reviewer", None, "setup")
        st.propose_allowlist_entry(_entry(["t-000001"], today, 30), "ana", "C-000001")
        st.review_allowlist_entry(1, "rita", approve=True)
        st.propose_allowlist_entry(_entry(["t-000002"], today, 30), "ana", "C-000002")
        st.propose_allowlist_entry(_entry(["t-000003"], today, 30), "ana")
        st.review_allowlist_entry(3, "rita", approve=False, note="no contract")
        st.propose_allowlist_entry(_entry(["t-000004"], today, 30), "ana")
        st.review_allowlist_entry(4, "rita", approve=True)
        st.revoke_allowlist_entry(4, "ana", "reseller lost its licence")
        st.propose_allowlist_entry(_entry(["t-000005"], today - timedelta(days=40), 30), "ana")
        st.review_allowlist_entry(5, "rita", approve=True)
    return store


def test_entries_are_listed_with_their_standing_and_filtered(tmp_path, cli):
    store = _store_with_every_standing(tmp_path / "s.db")
    code, out, err = cli("allowlist", "entries", "--store", store)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "5 of 5 console allowlist entries"
    standing = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert standing == {
        "console:1": "in-force",
        "console:2": "pending",
        "console:3": "rejected",
        "console:4": "revoked",
        "console:5": "expired",
    }
    assert "reviewed by rita" in lines[1] and "case C-000001" in lines[1]
    code, out, _ = cli("allowlist", "entries", "--store", store, "--status", "pending")
    assert out.splitlines()[0] == "1 of 5 console allowlist entries" and "console:2" in out
    code, out, _ = cli("allowlist", "entries", "--store", store, "--status", "approved")
    assert {line.split()[0] for line in out.splitlines()[1:]} == {"console:1", "console:5"}


def test_exports_are_the_consoles_and_the_yaml_is_a_valid_allowlist(tmp_path, cli):
    store = _store_with_every_standing(tmp_path / "s.db")
    code, out, err = cli("allowlist", "entries", "--store", store, "--format", "jsonl")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["state"] for r in records] == [
        "approved",
        "pending",
        "rejected",
        "revoked",
        "approved",
    ]
    assert records[2]["note"] == "no contract" and records[3]["revoke_reason"]
    # YAML: the approved ones in allowlist.yaml's format; it validates as a file.
    target = tmp_path / "from-console.yaml"
    code, _, err = cli(
        "allowlist", "entries", "--store", store, "--format", "yaml", "--status", "in-force",
        "--out", target,
    )  # fmt: skip
    assert code == 0, err
    doc = yaml.safe_load(target.read_text())
    assert [e["id"] for e in doc["entries"]] == ["console-1"]
    assert "approved by rita" in target.read_text()
    assert [e.id for e in load_allowlist(target).entries] == ["console-1"]
    code, out, _ = cli("allowlist", "entries", "--store", store, "--format", "yaml")
    assert [e["id"] for e in yaml.safe_load(out)["entries"]] == ["console-1", "console-5"]
    # The exports are in the audit trail, as the console's downloads are.
    with open_store(store) as st:
        exports = [e for e in st.audit_events() if e.action == "export-allowlist"]
    assert len(exports) == 3 and all(e.actor.startswith("cli:") for e in exports)


def test_pending_entries_never_leave_as_allowlist_yaml_and_a_missing_store_is_clear(tmp_path, cli):
    store = _store_with_every_standing(tmp_path / "s.db")
    code, _, err = cli(
        "allowlist", "entries", "--store", store, "--format", "yaml", "--status", "pending"
    )
    assert code == 2 and "approved entries only" in err
    code, _, err = cli("allowlist", "entries", "--store", tmp_path / "none.db")
    assert code == 2 and "no case store" in err
    code, _, err = cli("allowlist", "entries", "--store", store, "--out", tmp_path / "x")
    assert code == 2 and "--format jsonl or yaml" in err
    assert_no_traceback(err)


def test_a_store_without_entries_lists_none(tmp_path, cli):
    code, out, err = cli("allowlist", "entries", "--store", team_store(tmp_path / "s.db", 3))
    assert code == 0 and out.splitlines() == ["0 of 0 console allowlist entries"], err
