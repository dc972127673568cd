"""The team tables: four-eyes in the store, roles from the store's accounts, the audit chain, claiming, sessions, keys.

Every test runs on both backends (`new_store`: a SQLite file, then a PostgreSQL database).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from auditor.store import Decision, open_store
from auditor.store.review import ReviewRefused
from auditor.store.team import LOCKOUT_FAILURES, QueueFilter
from store_raw import tamper
from team_testkit import team_store


@pytest.fixture
def store(new_store):
    st = open_store(team_store(new_store(), 40))
    yield st
    st.close()


def team(st) -> None:
    for name, role in (
        ("ana", "analyst"),
        ("bo", "analyst"),
        ("rita", "reviewer"),
        ("adm", "admin"),
        ("vic", "viewer"),
    ):
        st.add_user(name, role, None, "setup")


def proposal(st, case_id: str, by: str, status: str = "dismissed") -> Decision:
    snap = st.case_history(case_id)[-1]
    return Decision(
        case_id, status, "known lab", by, datetime.now(timezone.utc), date.today() + timedelta(days=30),
        snap.rules, snap.priority, snap.score, snap.run_id,
    )  # fmt: skip


def open_ids(st) -> list[str]:
    return [r.case_id for r in st.queue("run-1", QueueFilter(limit=100), "x")[0]]


def test_without_accounts_a_dismissal_is_in_force_at_once(store):
    outcome = store.record_decision(proposal(store, "C-000000", "solo"))
    assert outcome.state == "in-force" and outcome.decision.by == "solo"
    assert "C-000000" not in open_ids(store)


def test_four_eyes_holds_a_high_dismissal_until_a_second_reviewer_approves(store):
    team(store)
    outcome = store.record_decision(proposal(store, "C-000000", "ana"))
    assert outcome.state == "pending-review" and outcome.decision is None
    assert store.decisions("C-000000") == [] and "C-000000" in open_ids(store)  # stays in the queue
    with pytest.raises(ReviewRefused, match="may not approve it"):
        store.review_decision(outcome.pending_id, "ana", approve=True)  # self-approval
    with pytest.raises(ReviewRefused, match="reviewer role"):
        store.review_decision(outcome.pending_id, "bo", approve=True)  # an analyst
    assert store.decisions("C-000000") == []
    reviewed = store.review_decision(outcome.pending_id, "rita", approve=True)
    assert reviewed.outcome == "approved"
    (decision,) = store.decisions("C-000000")
    assert (decision.by, decision.approved_by, decision.status) == ("ana", "rita", "dismissed")
    assert "C-000000" not in open_ids(store)
    with pytest.raises(ReviewRefused, match="already reviewed"):
        store.review_decision(outcome.pending_id, "adm", approve=True)


def test_self_approval_is_refused_even_for_a_reviewer(store):
    team(store)
    outcome = store.record_decision(proposal(store, "C-000001", "rita"))
    with pytest.raises(ReviewRefused, match="second person"):
        store.review_decision(outcome.pending_id, "rita", approve=True)


def test_decisions_outside_the_bands_are_in_force_and_viewers_and_strangers_cannot_decide(store):
    team(store)
    low = [
        r.case_id for r in store.queue("run-1", QueueFilter(priorities=("low",), limit=1), "x")[0]
    ][0]
    assert store.record_decision(proposal(store, low, "ana")).state == "in-force"
    assert (
        store.record_decision(proposal(store, "C-000000", "ana", "confirmed")).state == "in-force"
    )
    with pytest.raises(ReviewRefused, match="may not record"):
        store.record_decision(proposal(store, "C-000002", "vic"))
    with pytest.raises(ReviewRefused, match="no active account"):
        store.record_decision(proposal(store, "C-000002", "mallory"))
    store.update_user("ana", "adm", disabled=True)
    with pytest.raises(ReviewRefused, match="no active account"):
        store.record_decision(proposal(store, "C-000002", "ana"))


def test_add_decision_cannot_go_around_four_eyes(store):
    team(store)
    with pytest.raises(ReviewRefused, match="needs a reviewer's approval"):
        store.add_decision(proposal(store, "C-000000", "ana"))
    assert store.decisions() == [] and len(store.pending_decisions(open_only=True)) == 1


def test_four_eyes_bands_are_a_store_setting_only_an_admin_changes(store):
    team(store)
    with pytest.raises(ReviewRefused, match="admin"):
        store.set_four_eyes({"dismissed": ["critical"]}, "rita")
    store.set_four_eyes({"dismissed": ["critical"], "confirmed": ["critical"]}, "adm")
    assert store.record_decision(proposal(store, "C-000002", "ana")).state == "in-force"  # high
    assert (
        store.record_decision(proposal(store, "C-000000", "ana", "confirmed")).state
        == "pending-review"
    )


def test_verify_finds_an_edited_decision_a_deleted_one_and_an_edited_event(new_store):
    path = team_store(new_store(), 10)
    with open_store(path) as st:
        team(st)
        p = st.record_decision(proposal(st, "C-000000", "ana")).pending_id
        st.review_decision(p, "rita", approve=True)
        st.record_decision(proposal(st, "C-000005", "ana", "escalated"))
        st.add_comment("C-000005", "bo", "asked the account team")
        assert st.verify().ok and st.verify().rows_checked == 5
    tamper(
        path,
        "DROP TRIGGER decisions_no_update",
        "UPDATE decisions SET reason = 'nothing to see' WHERE case_id = 'C-000000'",
    )
    with open_store(path) as st:
        found = st.verify()
    assert not found.ok and any("decisions row 1 was edited" in p for p in found.problems)
    tamper(
        path,
        "DROP TRIGGER decisions_no_delete",
        "DELETE FROM decisions WHERE case_id = 'C-000005'",
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET actor = 'someone' WHERE seq = 3",
    )
    with open_store(path) as st:
        problems = st.verify().problems
    assert any("decisions row 2 was deleted" in p for p in problems)
    assert any("audit event #3" in p and "edited" in p for p in problems)


def test_verify_finds_a_deleted_event_and_a_row_added_around_the_store(new_store):
    path = team_store(new_store(), 10)
    with open_store(path) as st:
        st.add_comment("C-000001", "solo", "first")
        st.add_comment("C-000001", "solo", "second")
    tamper(
        path,
        "DROP TRIGGER audit_events_no_delete",
        "DELETE FROM audit_events WHERE seq = 2",
        "INSERT INTO comments (case_id, author, body, at) VALUES ('C-000001', 'x', 'forged', '2026')",
    )
    with open_store(path) as st:
        problems = st.verify().problems
    assert any("#2 is missing" in p for p in problems)
    assert any("comments row 3 is not in the audit trail" in p for p in problems)


def test_decisions_older_than_the_trail_are_reported_as_unchained_not_as_tampering(new_store):
    path = team_store(new_store(), 10)
    with open_store(path) as st:
        st.add_decision(
            proposal(st, "C-000000", "solo")
        )  # the first event starts the trail after it
        st.add_comment("C-000000", "solo", "x")
        found = st.verify()
    assert found.ok and found.rows_checked == 2  # the decision made the trail start with it


def test_next_case_is_claimed_by_one_analyst_only(new_store):
    path = team_store(new_store(), 40)
    with open_store(path) as st:
        team(st)
    claimed: list[str | None] = []

    def claim(name: str) -> None:
        with open_store(path) as st:
            for _ in range(5):
                claimed.append(st.claim_next(name, "run-1"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("ana", "bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 10 and len(set(claimed)) == 10  # no case claimed twice
    assert set(claimed) == {f"C-{i:06d}" for i in range(10)}  # highest priority first
    with open_store(path) as st:
        mine = st.queue("run-1", QueueFilter(view="mine"), "ana")[0]
        assert len(mine) == 5 and all(r.assignee == "ana" for r in mine)
        assert st.claim_next("ana", "run-1") not in claimed


def test_snooze_hides_a_case_until_a_new_rule_fires(store):
    snap = store.case_history("C-000003")[-1]
    store.snooze(
        "C-000003",
        date.today() + timedelta(days=5),
        "waiting on KYC",
        "solo",
        snap.rules[:1],
        snap.priority,
    )
    # The snooze saw only one of the case's rules, so the other counts as newly firing: awake.
    assert "C-000003" in open_ids(store)
    store.snooze(
        "C-000003",
        date.today() + timedelta(days=5),
        "waiting on KYC",
        "solo",
        snap.rules,
        snap.priority,
    )
    assert "C-000003" not in open_ids(store)
    assert [r.case_id for r in store.queue("run-1", QueueFilter(view="snoozed"), "x")[0]] == [
        "C-000003"
    ]
    store.snooze("C-000003", None, "back", "solo", [], None)
    assert "C-000003" in open_ids(store)


def test_keyset_pages_cover_the_queue_once(store):
    seen, cursor = [], None
    while True:
        page, cursor = store.queue("run-1", QueueFilter(limit=7, after_rank=cursor), "x")
        seen += [r.case_id for r in page]
        if cursor is None:
            break
    assert seen == [f"C-{i:06d}" for i in range(40)]


def test_sessions_end_on_logout_and_on_disable_and_expire(store):
    team(store)
    token, session = store.start_session("ana", timedelta(hours=1))
    assert store.session(token).username == "ana" and store.session("") is None
    store.end_session(token)
    assert store.session(token) is None
    token, _ = store.start_session("ana", timedelta(hours=1))
    store.update_user("ana", "adm", disabled=True)
    assert store.session(token) is None
    token, _ = store.start_session("bo", timedelta(seconds=-1))
    assert store.session(token) is None


def test_lockout_after_repeated_failures_and_every_attempt_recorded(store):
    team(store)
    for _ in range(LOCKOUT_FAILURES):
        store.record_login("bo", False, "password", "127.0.0.1", "wrong password")
    assert store.user("bo").locked_until > datetime.now(timezone.utc)
    assert len(store.login_attempts("bo")) == LOCKOUT_FAILURES
    store.update_user("bo", "adm", password_hash="x")
    assert store.user("bo").locked_until is None


def test_api_keys_are_stored_hashed_expire_and_revoke(store):
    team(store)
    key, made = store.create_api_key("ana", "siem", timedelta(days=1), "adm")
    assert key.startswith("adk_" + made.prefix) and store.api_key_owner(key) == ("ana", "analyst")
    raw = store._conn.execute("SELECT key_hash FROM api_keys").fetchone()[0]
    assert key not in raw and made.prefix in key
    assert store.api_key_owner(key[:-1] + ("x" if key[-1] != "x" else "y")) is None
    store.update_user("ana", "adm", role="reviewer")
    assert store.api_key_owner(key) == ("ana", "reviewer")  # acts with the owner's current role
    store.revoke_api_key(made.prefix, "adm")
    assert store.api_key_owner(key) is None
    expired, _ = store.create_api_key("bo", "old", timedelta(seconds=-1), "adm")
    assert store.api_key_owner(expired) is None


def test_overdue_by_priority_due_days(new_store):
    with open_store(team_store(new_store(), 40, days_ago=3)) as st:
        overdue = st.queue("run-1", QueueFilter(view="overdue", limit=100), "x")[0]
        assert {r.priority for r in overdue} == {"critical"}  # due in 2 days; high has 5
        st.add_decision(proposal(st, "C-000000", "solo", "confirmed"))
        assert [r.case_id for r in st.queue("run-1", QueueFilter(view="overdue"), "x")[0]] == [
            "C-000001"
        ]
    with open_store(team_store(new_store("t.db"), 40, days_ago=1)) as st:
        assert st.queue("run-1", QueueFilter(view="overdue"), "x")[0] == []


def test_filters_by_rule_country_text_score_and_expiry(store):
    def page(**kw):
        return [r.case_id for r in store.queue("run-1", QueueFilter(limit=100, **kw), "x")[0]]

    assert page(country="sg") == [f"C-{i:06d}" for i in range(40) if i % 6 == 2]
    assert page(text="TENANT 7 ") == ["C-000007"] and page(text="t-000039") == ["C-000039"]
    assert (
        all(store.case_history(c)[-1].score >= 90 for c in page(min_score=90))
        and page(max_score=-1) == []
    )
    assert "C-000003" in page(rule="shared-payment-card")
    assert page(expiring_within_days=40) == []
    store.add_decision(proposal(store, "C-000039", "solo", "escalated"))
    assert page(view="escalated") == ["C-000039"]


def test_the_resolved_view_lists_the_cases_the_run_no_longer_has(store):
    (gone,) = store.queue("run-1", QueueFilter(view="resolved"), "x")[0]
    assert (gone.case_id, gone.change, gone.top_reason) == (
        "C-GONE",
        "resolved",
        "no rule fires any more",
    )
    assert store.queue("run-1", QueueFilter(view="resolved", priorities=("low",)), "x")[0] == []


def test_four_eyes_reads_the_band_from_the_store_not_from_the_caller(store):
    team(store)
    understated = replace(proposal(store, "C-000000", "ana"), priority_at_decision="low")
    assert store.record_decision(understated).state == "pending-review"
