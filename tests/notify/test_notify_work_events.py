"""Console work events through the outbox: a case assigned, a review requested — in the work's own transaction, sent once."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from notify_receivers import SECRET

from auditor.notify.config import WebhookChannel
from auditor.notify.sender import drain
from auditor.notify.work_events import announcer, work_messages
from auditor.store import Decision, open_store
from auditor.store.outbox import WorkEvent
from auditor.store.review import ReviewRefused
from team_testkit import team_store

AT = datetime(2026, 12, 1, tzinfo=timezone.utc)


def channel(url="http://127.0.0.1:9/hook", **extra) -> WebhookChannel:
    return WebhookChannel(name=extra.pop("name", "soc"), kind="webhook", url=url,
                          secret_env="AUDITOR_TEST_SECRET", **extra)  # fmt: skip


def event(kind="case-assigned", priority="critical", actor="ana", assignee="bo", **kw) -> WorkEvent:
    return WorkEvent(kind, 7, "C-000001", actor, AT, priority, 91.0, assignee=assignee,
                     names=("Acme <Ltd>",), **kw)  # fmt: skip


def test_a_channel_hears_the_kinds_it_lists_at_or_above_its_band():
    assert [m.event_id for m in work_messages(event(), [channel()])] == ["case-assigned.7"]
    assert work_messages(event(priority="medium"), [channel()]) == []  # min_priority high
    assert len(work_messages(event(priority="medium"), [channel(min_priority="low")])) == 1
    assert work_messages(event(), [channel(events=["run-digest"])]) == []
    assert work_messages(event(actor="bo"), [channel()]) == []  # took it themselves
    two = work_messages(event(), [channel(), channel(name="chat")])
    assert [(m.event_id, m.channel) for m in two] == [
        ("case-assigned.7", "soc"),
        ("case-assigned.7", "chat"),
    ]
    assert announcer([]) is None


def test_minimal_channels_get_no_names_or_reasons_and_full_ones_do():
    review = event("review-requested", assignee=None, status="dismissed", reason="known lab")
    (minimal,) = work_messages(review, [channel(link="https://console.example/cases/{case_id}")])
    assert minimal.payload == {
        "case_id": "C-000001", "priority": "critical", "score": 91.0, "at": AT.isoformat(),
        "detail": "minimal", "decision_id": 7, "status": "dismissed", "proposed_by": "ana",
        "link": "https://console.example/cases/C-000001",
    }  # fmt: skip
    (full,) = work_messages(review, [channel(detail="full")])
    assert full.payload["names"] == ["Acme <Ltd>"] and full.payload["reason"] == "known lab"


@pytest.fixture
def store(new_store):
    """On each backend in turn (a SQLite file, then a PostgreSQL database)."""
    st = open_store(team_store(new_store(), 40))
    for name, role in (("ana", "analyst"), ("bo", "analyst"), ("rita", "reviewer")):
        st.add_user(name, role, None, "setup")
    yield st
    st.close()


def proposal(st, case_id, by="ana", status="dismissed") -> Decision:
    snap = st.case_history(case_id)[-1]
    return Decision(case_id, status, "known lab", by, datetime.now(timezone.utc),
                    date.today() + timedelta(days=30), snap.rules, snap.priority, snap.score, snap.run_id)  # fmt: skip


def test_the_store_writes_the_messages_with_the_work_and_not_without_it(store):
    say = announcer([channel()])
    store.assign(["C-000000", "C-000001"], "bo", "ana", announce=say)
    assert [m.event_id for m in store.notifications()] == ["case-assigned.1", "case-assigned.2"]
    (first,) = [m for m in store.notifications() if m.event_id == "case-assigned.1"]
    assert (first.payload["assignee"], first.payload["priority"]) == ("bo", "critical")
    with pytest.raises(ReviewRefused):
        store.assign(["C-000003"], "nobody-here", "ana", announce=say)  # refused: nothing recorded
    store.assign(["C-000004"], None, "ana", announce=say)  # unassigning tells nobody
    store.claim_next("bo", "run-1", announce=say)  # taking a case yourself neither
    assert len(store.notifications()) == 2
    outcome = store.record_decision(proposal(store, "C-000000"), announce=say)
    assert outcome.state == "pending-review"
    assert store.notifications()[-1].event_id == f"review-requested.{outcome.pending_id}"
    assert (
        store.record_decision(proposal(store, "C-000005", status="escalated"), announce=say).state
        == "in-force"
    )
    assert len(store.notifications()) == 3  # a decision in force needs nobody's review
    assert store.verify().ok


def test_each_event_reaches_a_signature_checking_receiver_exactly_once(
    store, receiver, monkeypatch
):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)
    soc = channel(receiver.url + "/hook", backoff_seconds=1)
    say = announcer([soc])
    store.assign(["C-000001"], "bo", "ana", announce=say)
    pending = store.record_decision(proposal(store, "C-000000"), announce=say)
    receiver.fail = [503]  # the first attempt fails: retried, not lost
    first = drain(store, [soc])
    assert len(first.delivered) == 1 and len(first.retrying) == 1
    later = drain(store, [soc], clock=lambda: datetime.now(timezone.utc) + timedelta(minutes=5))
    assert len(later.delivered) == 1
    assert (
        drain(store, [soc], clock=lambda: datetime.now(timezone.utc) + timedelta(hours=1)).delivered
        == []
    )
    assert all(d.verified for d in receiver.deliveries)
    kept = receiver.unique()
    assert sorted(kept) == sorted(
        ["case-assigned.1.soc", f"review-requested.{pending.pending_id}.soc"]
    )
    assert len(receiver.deliveries) == 2  # each once
    body = kept["case-assigned.1.soc"].json()
    assert body["type"] == "auditor.case-assigned" and body["data"]["assignee"] == "bo"
    assert "names" not in body["data"]  # minimal: no tenant names leave


def test_a_sender_that_dies_after_sending_resends_under_the_same_id(store, receiver, monkeypatch):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)
    soc = channel(receiver.url + "/hook")
    store.assign(["C-000002"], "bo", "ana", announce=announcer([soc]))
    real = store.settle_notification

    def die(*a, **kw):
        raise KeyboardInterrupt("killed between the send and its record")

    monkeypatch.setattr(store, "settle_notification", die)
    with pytest.raises(KeyboardInterrupt):
        drain(store, [soc])
    monkeypatch.setattr(store, "settle_notification", real)
    assert store.notifications(state="pending")  # not marked: it goes again
    assert len(drain(store, [soc]).delivered) == 1
    assert [d.headers["webhook-id"] for d in receiver.deliveries] == ["case-assigned.1.soc"] * 2
    assert len(receiver.unique()) == 1  # a receiver deduplicating on webhook-id acts once


def test_chat_and_mail_words_for_both_events():
    from auditor.notify.channels.slack import slack_body
    from auditor.notify.channels.teams import teams_body
    from auditor.notify.text import message_text

    full = channel(detail="full", link="https://console.example/cases/{case_id}")
    (assigned,) = work_messages(event(), [full])
    text = message_text("case-assigned", assigned.payload)
    assert text.title == "auditor: case C-000001 assigned to bo"
    assert text.lines == ["critical case, score 91.0; assigned by ana", "tenants: Acme <Ltd>"]
    assert text.links == [("C-000001", "https://console.example/cases/C-000001")]
    (review,) = work_messages(
        event("review-requested", assignee=None, status="dismissed", reason="**x**"), [full]
    )
    lines = message_text("review-requested", review.payload).lines
    assert lines[0].startswith("ana proposes dismissed (decision #7) on a critical case")
    entry = event("review-requested", assignee=None, subject="allowlist", reason="vetted")
    (proposal,) = work_messages(entry, [full])
    assert (
        proposal.event_id == "review-requested.allowlist-7"
    )  # never the id of decision #7's request
    assert proposal.payload["entry_id"] == "console:7" and "decision_id" not in proposal.payload
    assert (
        message_text("review-requested", proposal.payload)
        .lines[0]
        .startswith("ana proposes allowlist entry console:7 for a critical case")
    )
    assert "Acme &lt;Ltd&gt;" in slack_body(review)["blocks"][1]["text"]["text"]
    card = teams_body(review)["attachments"][0]["content"]["body"]
    assert any(
        b["text"] == "reason: \\*\\*x\\*\\*" for b in card
    )  # the reason is analyst text: escaped


def test_slack_blocks_keep_within_slacks_limits_and_cut_only_what_is_over():
    """Slack refuses a header over 150 characters and a section over 3,000: an assignee name
    of 400 characters and a reason of 5,000 are cut, to exactly 150 in the header (all a
    header may hold) and under 3,000 in the section; short ones are whole."""
    from auditor.notify.channels.slack import slack_body

    full = channel(detail="full")
    (assigned,) = work_messages(event(assignee="b" * 400), [full])
    body = slack_body(assigned)
    header = body["blocks"][0]["text"]["text"]
    assert len(header) == 150 and body["text"].startswith(header)
    (review,) = work_messages(
        event("review-requested", assignee=None, status="dismissed", reason="r" * 5000), [full]
    )
    section = slack_body(review)["blocks"][1]["text"]["text"]
    assert 2_000 < len(section) <= 3_000
    (short,) = work_messages(event(), [full])
    short_body = slack_body(short)
    assert short_body["blocks"][0]["text"]["text"] == short_body["text"]  # nothing cut
