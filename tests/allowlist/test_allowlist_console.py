"""Console allowlist entries in a scheduled audit: once approved they suppress beside allowlist.yaml, with
`suppressed_by` naming `console:N`; a pending one suppresses nothing; expiry and lifting are the file's."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import polars as pl

from auditor.allowlist.apply import expiring_entries, suppress_cases
from auditor.allowlist.spec import Allowlist
from auditor.allowlist.stored import with_stored_entries
from auditor.store import open_store
from auditor.store.allowlist_entries import check_entry
from test_allowlist_audit import alert_ids, inputs, provider, read_cases, write_allowlist  # noqa: F401

TODAY = datetime.now(timezone.utc).date()


def entry_for(tenants: list[str], days: int = 60) -> dict:
    return {
        "tenants": tenants,
        "reason": "vetted from the console",
        "owner": "ana",
        "created": TODAY.isoformat(),
        "expires": (TODAY + timedelta(days=days)).isoformat(),
    }


def test_an_approved_console_entry_suppresses_beside_the_file_and_a_pending_one_does_not(
    provider, tmp_path, cli
):
    store = tmp_path / "cases.db"
    first = tmp_path / "first"
    code, stdout, stderr = cli("audit", *inputs(provider), "--out", first, "--store", store)
    assert code == 10, stdout + stderr
    queue = [c for c in read_cases(first) if c["priority"] in ("high", "critical")]
    approved, pending, in_file = queue[0], queue[1], queue[2]
    with open_store(store) as st:
        st.add_user("ana", "analyst", None, "setup")
        st.add_user("rita", "reviewer", None, "setup")
        st.propose_allowlist_entry(entry_for(approved["tenant_ids"]), "ana", approved["case_id"])
        st.review_allowlist_entry(1, "rita", approve=True)
        st.propose_allowlist_entry(entry_for(pending["tenant_ids"]), "ana", pending["case_id"])
    allowlist = write_allowlist(
        tmp_path / "allowlist.yaml", [("vetted", in_file["tenant_ids"], 1, 30)]
    )
    config = tmp_path / "audit.yaml"
    config.write_text(f"allowlist: {allowlist.name}\n")
    second = tmp_path / "second"
    code, stdout, stderr = cli(
        "audit", "--config", config, *inputs(provider), "--out", second, "--store", store
    )
    assert code in (0, 10), stdout + stderr
    cases = {c["case_id"]: c for c in read_cases(second)}
    assert cases[approved["case_id"]]["suppressed_by"] == ["console:1"]
    assert cases[approved["case_id"]]["change"]["suppressed"] is True
    assert cases[in_file["case_id"]]["suppressed_by"] == ["vetted"]
    assert cases[pending["case_id"]]["suppressed_by"] == []  # waiting for a reviewer: no effect
    manifest = json.loads((second / "run.json").read_text())["allowlist"]
    assert manifest["entries"] == 2 and manifest["console_entries"] == 1
    assert manifest["suppressed_cases"] == 2 and manifest["path"].endswith("allowlist.yaml")


def test_console_entries_alone_make_an_allowlist_and_none_leave_the_file_as_it_is(tmp_path):
    from team_testkit import team_store

    with open_store(team_store(tmp_path / "s.db", 3)) as st:
        assert with_stored_entries(None, st) is None
        file_list = Allowlist("allowlist.yaml", "abc", [])
        assert with_stored_entries(file_list, st) is file_list
        st.add_user("ana", "analyst", None, "setup")
        st.add_user("rita", "reviewer", None, "setup")
        st.propose_allowlist_entry(entry_for(["t-000001"]), "ana")
        st.review_allowlist_entry(1, "rita", approve=True)
        merged = with_stored_entries(None, st)
    assert merged is not None and [e.id for e in merged.entries] == ["console:1"]
    assert with_stored_entries(merged, None) is merged


def test_a_console_entry_expires_and_is_listed_as_a_file_entry_is():
    entry = check_entry(entry_for(["t1"], days=10)).model_copy(update={"id": "console:4"})
    allowlist = Allowlist("", "", [entry])
    hits = pl.DataFrame({"case_id": ["C-1"], "tenant_id": ["t1"], "rule_id": ["r"]})
    tenants = pl.DataFrame({"tenant_id": ["t1"]})
    assert suppress_cases(allowlist, hits, tenants, TODAY) == {"C-1": ["console:4"]}
    assert suppress_cases(allowlist, hits, tenants, TODAY + timedelta(days=10)) == {}  # expired
    (soon,) = expiring_entries(allowlist, TODAY)
    assert (soon.ref, soon.days_left) == ("console:4", 10)
    assert date.fromisoformat(soon.until) == TODAY + timedelta(days=10)
