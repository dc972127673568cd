"""Allowlist entries made in the console: validated as allowlist.yaml's are, in force only after a second person approves, chained."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from auditor.errors import InputError
from auditor.store import open_store
from auditor.store.review import ReviewRefused
from store_raw import INTEGRITY_ERRORS, tamper
from team_testkit import team_store

TODAY = date.today()


def fields(**over) -> dict:
    base = {
        "tenants": ["t-000001"],
        "reason": "reseller vetted in SEC-42",
        "owner": "ana@provider.example",
        "created": TODAY.isoformat(),
        "expires": (TODAY + timedelta(days=60)).isoformat(),
    }
    return {**base, **over}


@pytest.fixture
def store(new_store):
    """On each backend in turn (a SQLite file, then a PostgreSQL database)."""
    st = open_store(team_store(new_store(), 10))
    for name, role in (
        ("vic", "viewer"),
        ("ana", "analyst"),
        ("bo", "analyst"),
        ("rita", "reviewer"),
    ):
        st.add_user(name, role, None, "setup")
    yield st
    st.close()


@pytest.mark.parametrize(
    "over, message",
    [
        ({"expires": (TODAY + timedelta(days=181)).isoformat()}, "the limit is 180"),
        ({"expires": TODAY.isoformat()}, "must be after created"),
        ({"tenants": [], "where": {}, "rules": []}, "an entry matching every case is refused"),
        ({"where": {"contry": "SG"}}, "unknown tenant field(s) contry"),
        ({"reason": ""}, "reason"),
        ({"expires": "someday"}, "expires"),
        ({"on_material_change": "ignore"}, "on_material_change"),
    ],
)
def test_a_bad_entry_is_refused_and_nothing_is_recorded(store, over, message):
    with pytest.raises(InputError, match="allowlist entry") as caught:
        store.propose_allowlist_entry(fields(**over), "ana", "C-000001")
    assert message in str(caught.value)
    assert store.allowlist_proposals() == []


def test_the_limit_is_the_configs(store):
    long = fields(expires=(TODAY + timedelta(days=300)).isoformat())
    assert store.propose_allowlist_entry(long, "ana", max_days=365).state == "pending"
    with pytest.raises(InputError, match="the limit is 30"):
        store.propose_allowlist_entry(fields(), "ana", max_days=30)


def test_an_entry_is_in_force_only_once_someone_else_with_the_reviewer_role_approves(store):
    made = store.propose_allowlist_entry(fields(), "ana", "C-000001")
    assert (made.id, made.state, made.case_id) == ("console:1", "pending", "C-000001")
    assert store.allowlist_entries() == []  # pending: suppresses nothing
    with pytest.raises(ReviewRefused, match="proposed this allowlist entry and may not approve it"):
        store.review_allowlist_entry(1, "ana", approve=True)
    with pytest.raises(ReviewRefused, match="the reviewer role is needed"):
        store.review_allowlist_entry(1, "bo", approve=True)
    done = store.review_allowlist_entry(1, "rita", approve=True, note="checked SEC-42")
    assert (done.state, done.reviewed_by, done.note) == ("approved", "rita", "checked SEC-42")
    (entry,) = store.allowlist_entries()
    assert (
        entry.id == "console:1"
        and entry.tenants == ["t-000001"]
        and entry.expires == TODAY + timedelta(days=60)
    )
    with pytest.raises(ReviewRefused, match="already reviewed"):
        store.review_allowlist_entry(1, "rita", approve=False)
    store.propose_allowlist_entry(fields(tenants=["t-000002"]), "bo")
    assert store.review_allowlist_entry(2, "rita", approve=False).state == "rejected"
    assert [e.id for e in store.allowlist_entries()] == ["console:1"]
    with pytest.raises(InputError, match="no allowlist entry console:9"):
        store.review_allowlist_entry(9, "rita", approve=True)
    actions = [e.action for e in store.audit_events()]
    assert actions.count("propose-allowlist-entry") == 2
    assert "approve-allowlist-entry" in actions and "reject-allowlist-entry" in actions
    assert store.verify().ok


def test_viewers_and_stores_without_accounts_cannot_propose(store, tmp_path):
    with pytest.raises(ReviewRefused, match="may not record decisions"):
        store.propose_allowlist_entry(fields(), "vic")
    with (
        open_store(team_store(tmp_path / "solo.db", 3)) as solo,
        pytest.raises(ReviewRefused, match="need a second person's approval"),
    ):
        solo.propose_allowlist_entry(fields(), "someone")


def test_an_entry_edited_around_the_store_is_found_by_verify(store):
    store.propose_allowlist_entry(fields(), "ana")
    store.review_allowlist_entry(1, "rita", approve=True)
    tamper(
        store.location,
        "DROP TRIGGER allowlist_proposals_no_update",
        "UPDATE allowlist_proposals SET entry = replace(entry, 't-000001', 't-000009')",
    )
    problems = store.verify().problems
    assert any("allowlist_proposals row 1 was edited" in p for p in problems), problems


def test_the_tables_refuse_update_and_delete(store):
    store.propose_allowlist_entry(fields(), "ana")
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        store._conn.execute("DELETE FROM allowlist_proposals")
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        store._conn.execute("UPDATE allowlist_proposals SET proposed_by = 'rita'")


def test_the_export_form_is_a_loadable_allowlist_file(store, tmp_path):
    import yaml

    from auditor.allowlist.spec import load_allowlist

    store.propose_allowlist_entry(fields(rules=["shared-payment-card"], ticket="SEC-42"), "ana")
    store.review_allowlist_entry(1, "rita", approve=True)
    (s,) = store.allowlist_proposals()
    path = tmp_path / "allowlist.yaml"
    path.write_text(yaml.safe_dump({"entries": [s.file_entry()]}))
    (entry,) = load_allowlist(path).entries
    assert (
        entry.id == "console-1"
        and entry.rules == ["shared-payment-card"]
        and entry.ticket == "SEC-42"
    )
    assert s.record()["state"] == "approved" and s.record()["reviewed_by"] == "rita"


def test_an_approved_entry_can_be_revoked_by_one_person_and_stops_at_once(store):
    store.propose_allowlist_entry(fields(), "ana")
    with pytest.raises(InputError, match="not in force"):
        store.revoke_allowlist_entry(1, "bo", "wrong tenant")  # pending: nothing to revoke
    store.review_allowlist_entry(1, "rita", approve=True)
    with pytest.raises(InputError, match="say why"):
        store.revoke_allowlist_entry(1, "bo", "  ")
    with pytest.raises(ReviewRefused, match="may not record decisions"):
        store.revoke_allowlist_entry(1, "vic", "a viewer")
    done = store.revoke_allowlist_entry(1, "ana", "the reseller was not vetted after all")
    assert (done.state, done.revoked_by) == ("revoked", "ana") and not done.in_force(TODAY)
    assert store.allowlist_entries() == []  # the next audit no longer applies it
    with pytest.raises(InputError, match="already revoked"):
        store.revoke_allowlist_entry(1, "bo", "again")
    assert "revoke-allowlist-entry" in [e.action for e in store.audit_events()]
    assert store.verify().ok
