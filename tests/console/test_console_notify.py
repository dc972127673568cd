"""The console's notifications: assigning a case and a decision waiting for review reach a webhook, once, after the response."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))  # the loopback receivers

from notify_receivers import SECRET, HttpReceiver  # noqa: E402

from auditor.console.app import create_app  # noqa: E402
from auditor.console.common import ConsoleConfig  # noqa: E402
from auditor.notify.config import WebhookChannel  # noqa: E402
from auditor.store import open_store  # noqa: E402
from console_testkit import api_key, client, csrf_of, sign_in  # noqa: E402


@pytest.fixture
def receiver(monkeypatch):
    monkeypatch.setenv("AUDITOR_TEST_SECRET", SECRET)
    r = HttpReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def notifying_app(store_path, receiver):
    soc = WebhookChannel(name="soc", kind="webhook", url=receiver.url + "/hook",
                         secret_env="AUDITOR_TEST_SECRET", min_priority="high")  # fmt: skip
    return create_app(ConsoleConfig(store=str(store_path), notify=(soc,)))


def test_assigning_a_case_to_someone_else_sends_one_signed_message(
    notifying_app, receiver, store_path
):
    c = sign_in(notifying_app, "ana")
    token = csrf_of(c, "/cases/C-000001")
    r = c.post("/cases/C-000001/assign", data={"csrf": token, "assignee": "bo"})
    assert r.status_code == 303
    (delivery,) = receiver.deliveries  # the sender ran after the response
    assert delivery.verified and delivery.headers["webhook-id"] == "case-assigned.1.soc"
    data = delivery.json()["data"]
    assert (data["case_id"], data["assignee"], data["assigned_by"]) == ("C-000001", "bo", "ana")
    c.post(
        "/cases/C-000001/assign", data={"csrf": token, "assignee": "ana"}
    )  # to herself: nobody told
    c.post("/next", data={"csrf": token})  # next case: taken by herself
    c.post(
        "/cases/C-000030/assign", data={"csrf": token, "assignee": "bo"}
    )  # a low case: below the channel
    assert len(receiver.deliveries) == 1
    with open_store(store_path) as st:
        assert [m.state for m in st.notifications()] == ["delivered"] and st.verify().ok


def test_a_dismissal_waiting_for_review_asks_for_one_and_bulk_asks_per_case(
    notifying_app, receiver
):
    c = sign_in(notifying_app, "ana")
    token = csrf_of(c, "/cases/C-000000")
    r = c.post(
        "/cases/C-000000/decide",
        data={"csrf": token, "status": "dismissed", "reason_code": "other"},
    )
    assert "waits+for+a+reviewer" in r.headers["location"]
    (delivery,) = receiver.deliveries
    assert delivery.headers["webhook-id"] == "review-requested.1.soc"
    assert (
        delivery.json()["data"]["proposed_by"] == "ana" and "reason" not in delivery.json()["data"]
    )
    c.post(
        "/bulk",
        data={
            "csrf": token,
            "case_id": ["C-000001", "C-000002"],
            "status": "dismissed",
            "reason_code": "other",
        },
    )
    assert [d.headers["webhook-id"] for d in receiver.deliveries[1:]] == [
        "review-requested.2.soc", "review-requested.3.soc",
    ]  # fmt: skip
    rita = sign_in(notifying_app, "rita")
    rita.post(
        "/decisions/1/review", data={"csrf": csrf_of(rita, "/cases/C-000000"), "outcome": "approve"}
    )
    assert len(receiver.deliveries) == 3  # an approval asks nobody


def test_the_api_decision_waiting_for_review_is_announced(notifying_app, receiver, store_path):
    key = api_key(store_path, "ana")
    r = client(notifying_app).post(
        "/api/v1/cases/C-000000/decisions",
        json={"status": "dismissed", "reason": "known lab"},
        headers={"authorization": f"Bearer {key}"},
    )
    assert r.status_code == 201 and r.json()["state"] == "pending-review"
    (delivery,) = receiver.deliveries
    assert delivery.headers["webhook-id"] == f"review-requested.{r.json()['decision_id']}.soc"


def test_a_failing_receiver_leaves_the_message_for_its_retries(notifying_app, receiver, store_path):
    receiver.fail = [500]
    c = sign_in(notifying_app, "ana")
    r = c.post(
        "/cases/C-000001/assign", data={"csrf": csrf_of(c, "/cases/C-000001"), "assignee": "bo"}
    )
    assert (
        r.status_code == 303 and receiver.deliveries == []
    )  # the analyst's work is done regardless
    with open_store(store_path) as st:
        (waiting,) = st.notifications(state="pending")
        assert waiting.attempts == 1 and waiting.event_id == "case-assigned.1"


def test_without_channels_the_console_writes_nothing_to_the_outbox(app, store_path):
    c = sign_in(app, "ana")
    c.post("/cases/C-000001/assign", data={"csrf": csrf_of(c, "/cases/C-000001"), "assignee": "bo"})
    with open_store(store_path) as st:
        assert st.notifications() == []


def test_cases_decide_with_a_config_announces_the_review_it_needs(
    store_path, receiver, tmp_path, cli
):
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"store: {store_path}\nnotify:\n  - name: soc\n    kind: webhook\n    url: {receiver.url}/hook\n"
        "    secret_env: AUDITOR_TEST_SECRET\n"
    )
    code, out, err = cli("cases", "decide", "C-000000", "--config", str(config), "--status", "dismissed",
                         "--reason", "known lab", "--by", "ana")  # fmt: skip
    assert code == 0 and "pending review" in out and "1 delivered" in err
    (delivery,) = receiver.deliveries
    assert delivery.headers["webhook-id"] == "review-requested.1.soc"
