"""The sender over a real store and real receivers: dedup per event and channel, retries on the
backoff schedule, dead after the channel's attempts (or at once when refused), a channel-failing
notice to the other channels, and the dead reported by the next run's commit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from notify_receivers import SECRET, HttpReceiver

from auditor.cases.changes import Changes
from auditor.notify.config import WebhookChannel
from auditor.notify.run_notices import run_notices
from auditor.notify.sender import backoff, drain, drain_until
from auditor.store import RunRecord, open_store
from auditor.store.outbox import OutboxMessage

T0 = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _fresh_now():
    """Each test's T0 is its own start: webhook timestamps older than 5 minutes fail verification."""
    global T0
    T0 = datetime.now(timezone.utc).replace(microsecond=0)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(new_store):
    """The outbox on each backend in turn (a SQLite file, then a PostgreSQL database)."""
    with open_store(new_store("cases.db")) as s:
        yield s


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)


def channel(name, url, **extra):
    return WebhookChannel(
        name=name, kind="webhook", url=url, secret_env="AUDITOR_TEST_SECRET", **extra
    )


def msg(event_id="run-digest.r1", channel="soc", kind="run-digest"):
    return OutboxMessage(event_id, channel, kind, {"run_id": "r1"}, "r1")


def test_the_same_event_for_the_same_channel_is_kept_once(store):
    assert store.enqueue_notifications([msg(), msg(), msg(channel="chat")]) == 2
    assert store.enqueue_notifications([msg()], T0) == 0
    assert [(m.event_id, m.channel) for m in store.notifications()] == [
        ("run-digest.r1", "soc"),
        ("run-digest.r1", "chat"),
    ]


def test_failures_are_retried_on_a_doubling_schedule_then_delivered(store):
    r = HttpReceiver(fail=[503, 502]).start()
    clock = Clock(T0)
    soc = channel("soc", r.url, backoff_seconds=60)
    try:
        store.enqueue_notifications([msg()], T0)
        first = drain(store, [soc], clock=clock)
        assert [when for _, _, when in first.retrying] == [T0 + timedelta(seconds=60)], (
            first.dead,
            [d.why for d in r.rejected],
        )
        clock.now = T0 + timedelta(seconds=59)
        assert (
            drain(store, [soc], clock=clock).summary() == "notify: 0 delivered"
        )  # not due yet: no attempt
        assert len(r.rejected) == 1
        clock.now = T0 + timedelta(seconds=60)
        second = drain(store, [soc], clock=clock)
        assert [when for _, _, when in second.retrying] == [clock.now + timedelta(seconds=120)]
        clock.now += timedelta(seconds=120)
        assert len(drain(store, [soc], clock=clock).delivered) == 1
    finally:
        r.stop()
    (row,) = store.notifications()
    assert row.state == "delivered" and row.attempts == 3 and row.last_error is None
    assert len(r.deliveries) == 1 and len(r.rejected) == 2
    assert drain(store, [soc], clock=clock).delivered == []  # delivered once, never again


def test_backoff_doubles_and_is_capped():
    soc = channel("soc", "https://x.example", backoff_seconds=60)
    assert [backoff(soc, n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(soc, 30) == timedelta(hours=6)


def test_a_message_dies_after_its_attempts_and_the_other_channels_hear_of_it(store):
    broken = HttpReceiver(fail=[500, 500, 500]).start()
    healthy = HttpReceiver().start()
    clock = Clock(T0)
    channels = [
        channel("soc", broken.url, max_attempts=2, backoff_seconds=1),
        channel("ops", healthy.url),
    ]
    try:
        store.enqueue_notifications([msg()], T0)
        drain(store, channels, clock=clock)
        clock.now += timedelta(seconds=1)
        report = drain(store, channels, clock=clock)
        assert [m.event_id for m, _ in report.dead] == ["run-digest.r1"]
        clock.now += timedelta(seconds=1)
        assert [m.kind for m in drain(store, channels, clock=clock).delivered] == [
            "channel-failing"
        ]
    finally:
        broken.stop()
        healthy.stop()
    states = {(m.event_id, m.channel): (m.state, m.attempts) for m in store.notifications()}
    assert states[("run-digest.r1", "soc")] == ("dead", 2)
    assert states[("channel-failing.soc.run-digest.r1", "ops")] == ("delivered", 1)
    assert len(broken.rejected) == 2  # no third attempt once dead
    notice = healthy.deliveries[0].json()["data"]
    assert notice["failed_channel"] == "soc" and "HTTP 500" in notice["last_error"]


def test_a_refused_request_is_dead_at_once_and_a_failure_notice_raises_no_further_notice(store):
    refusing = HttpReceiver(fail=[400, 400]).start()
    clock = Clock(T0)
    channels = [channel("soc", refusing.url), channel("ops", refusing.url)]
    try:
        store.enqueue_notifications([msg()], T0)
        assert len(drain(store, channels, clock=clock).dead) == 1  # soc's digest, first attempt
        assert len(drain(store, channels, clock=clock).dead) == 1  # ops's channel-failing notice
        assert drain(store, channels, clock=clock).dead == []
    finally:
        refusing.stop()
    assert sorted(m.kind for m in store.notifications(state="dead")) == [
        "channel-failing",
        "run-digest",
    ]
    assert len(store.notifications()) == 2  # no notice about the notice


def test_messages_for_a_channel_no_longer_configured_wait(store):
    store.enqueue_notifications([msg(channel="gone")], T0)
    report = drain(store, [], clock=Clock(T0))
    assert report.unconfigured == {"gone"} and store.notifications()[0].state == "pending"


def test_drain_until_follows_the_backoff_and_stops_at_its_deadline(store):
    r = HttpReceiver(fail=[503]).start()
    clock = Clock(T0)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += timedelta(seconds=seconds)

    try:
        store.enqueue_notifications([msg()], T0)
        report = drain_until(
            store, [channel("soc", r.url, backoff_seconds=5)], 30, clock=clock, sleep=sleep
        )
        assert len(report.delivered) == 1 and not report.retrying and slept == [5.0]
        r.fail = [503]
        store.enqueue_notifications([msg("run-digest.r2")], clock.now)
        report = drain_until(
            store, [channel("soc", r.url, backoff_seconds=60)], 30, clock=clock, sleep=sleep
        )
        assert len(report.retrying) == 1 and slept == [
            5.0
        ]  # the retry falls after the deadline: no wait
    finally:
        r.stop()


def test_the_next_run_reports_the_dead_in_its_digest_and_its_commit(store):
    store.enqueue_notifications([msg()], T0)
    (pending,) = store.notifications()
    store.settle_notification(
        pending, at=T0, delivered=False, error="HTTP 500"
    )  # no retry time: dead
    dead = store.notifications(unreported_dead=True)
    notices = run_notices(
        run_id="r2",
        as_of=T0,
        today=T0.date(),
        complete=True,
        coverage_gaps=0,
        changes=Changes(previous_run_id="r1"),
        records=[],
        decisions=[],
        dead=dead,
        channels=[channel("soc", "https://x.example")],
    )
    (digest,) = notices.messages
    assert (
        digest.payload["dead"][0]["event_id"] == "run-digest.r1" and digest.payload["cases"] == []
    )
    assert "was never delivered" in notices.lines[0]
    run = RunRecord(
        "r2", T0, T0, T0, True, "1", "x", "weighted-v1", [], [], [], {}, None, {"run_id": "r2"}
    )
    store.commit_run(
        run, [], [], "high", notifications=notices.messages, reported_dead=notices.reported_dead
    )
    assert store.notifications(unreported_dead=True) == []  # reported once
    assert {m.event_id for m in store.notifications(state="pending")} == {"run-digest.r2"}


def test_after_a_run_without_channels_the_waiting_are_named_and_nothing_else_said(store):
    from auditor.notify.run_notices import send_after_run

    assert send_after_run(store, []) == []  # no channels, nothing waiting: silence
    store.enqueue_notifications([msg(channel="gone")], T0)
    (line,) = send_after_run(store, [])
    assert "unconfigured channel(s) gone" in line
    assert store.notifications()[0].state == "pending"
