"""Scheduled runs and a crashing sender against a receiver that checks signatures (`standardwebhooks`)
and deduplicates on `webhook-id`: every new case reaches it exactly once.

Issue 20's "done when": two scheduled runs, the first with its standard output closed early,
deliver each new case exactly once. And the outbox's promise under a crash: a sender killed
after the receiver took a message but before the outbox recorded it sends that message again
under the same id after the restart, so the deduplicating receiver keeps each event once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from notify_receivers import SECRET

from auditor.notify.events import MAX_CASES
from auditor.store import open_store
from auditor_testkit import EXAMPLES, REPO, assert_no_traceback

HOOKED = REPO / "tests" / "store" / "hooked_auditor.py"
AS_OF = "2026-11-01T00:00:00Z"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "AUDITOR_WEBHOOK_SECRET": SECRET}
HIGH = ("high", "critical")


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("provider")
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "generate.py"),
            "--tenants",
            "300",
            "--out",
            str(out),
            "--as-of",
            AS_OF,
        ],
        check=True,
        capture_output=True,
    )
    return out


def first_tenants(provider: Path, out: Path, share: float) -> Path:
    """The provider with only its first tenants (and their usage and sign-ins): the estate before some arrived."""
    out.mkdir()
    tenants = pl.read_csv(provider / "tenants.csv", infer_schema_length=0)
    kept = tenants.head(int(tenants.height * share))
    # A planted group (one card, one phone, one farm) arrives whole: half a group in the first
    # estate would make the second run's alert an escalation of a case the first run sent.
    groups = pl.read_csv(provider / "planted.csv").filter(pl.col("group").is_not_null())
    split = groups.filter(
        pl.col("tenant_id").is_in(kept["tenant_id"].implode()).any().over("group")
        & ~pl.col("tenant_id").is_in(kept["tenant_id"].implode()).all().over("group")
    )
    kept = kept.filter(~pl.col("tenant_id").is_in(split["tenant_id"].implode()))
    kept.write_csv(out / "tenants.csv")
    ids = kept["tenant_id"].implode()
    for name in ("usage.csv", "access.csv"):
        table = pl.read_csv(provider / name, infer_schema_length=0)
        table.filter(pl.col("tenant_id").is_in(ids)).write_csv(out / name)
    (out / "lists").symlink_to(provider / "lists")
    return out


def audit_args(provider: Path, out: Path, store: Path, config: Path) -> list[str]:
    return [
        "audit",
        "--config",
        str(config),
        "--tenants",
        str(provider / "tenants.csv"),
        "--usage",
        str(provider / "usage.csv"),
        "--access",
        str(provider / "access.csv"),
        "--lists",
        str(provider / "lists" / "restricted-parties.csv"),
        "--as-of",
        AS_OF,
        "--out",
        str(out),
        "--store",
        str(store),
    ]


def hooked(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HOOKED), *args],
        env=ENV,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )


def write_config(path: Path, receiver_url: str, channels=("soc",)) -> Path:
    lines = ["notify:"]
    for name in channels:
        lines += [
            f"  - name: {name}",
            "    kind: webhook",
            f"    url: {receiver_url}/{name}",
            "    secret_env: AUDITOR_WEBHOOK_SECRET",
            "    min_priority: high",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def alerted_cases(out: Path) -> set[str]:
    """The run's own new or escalated, not suppressed cases at high or above, from its cases.jsonl."""
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    return {
        c["case_id"]
        for c in cases
        if c["change"]["status"] in ("new", "escalated")
        and not c["change"]["suppressed"]
        and c["priority"] in HIGH
    }


def new_in(out: Path) -> set[str]:
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    return {c["case_id"] for c in cases if c["change"]["status"] == "new"}


def digested(receiver) -> Counter:
    """How often each case was named, over the events the deduplicating receiver kept."""
    named: Counter = Counter()
    for delivery in receiver.unique().values():
        body = delivery.json()
        if body["type"] == "auditor.run-digest":
            named.update(c["case_id"] for c in body["data"]["cases"])
    return named


def test_two_scheduled_runs_the_first_with_stdout_closed_deliver_each_new_case_once(
    provider, tmp_path, receiver
):
    config = write_config(tmp_path / "audit.yaml", receiver.url)
    store = tmp_path / "cases.db"
    before = first_tenants(provider, tmp_path / "before", 0.6)

    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0`: the reader is gone before the summary is written
    try:
        first = hooked(
            "--", *audit_args(before, tmp_path / "out1", store, config), stdout=write_end
        )
    finally:
        os.close(write_end)
    assert first.returncode == 10, first.stderr
    assert "standard output was closed" in first.stderr and "notify: 1 delivered" in first.stderr
    assert_no_traceback(first.stderr)

    second = hooked("--", *audit_args(provider, tmp_path / "out2", store, config))
    assert second.returncode == 10, second.stderr
    assert "notify: 1 delivered" in second.stderr

    expected1, expected2 = alerted_cases(tmp_path / "out1"), alerted_cases(tmp_path / "out2")
    assert expected1 and expected2
    assert (
        len(expected1) <= MAX_CASES and len(expected2) <= MAX_CASES
    )  # every case named, none only counted
    assert not receiver.rejected and all(d.verified for d in receiver.deliveries)
    assert (
        len(receiver.deliveries) == len(receiver.unique()) == 2
    )  # one digest per run, no redelivery needed
    digests = [d.json()["data"] for d in receiver.unique().values()]
    for digest, expected in zip(digests, (expected1, expected2)):
        named = Counter(c["case_id"] for c in digest["cases"])
        assert set(named) == expected and max(named.values()) == 1
    # A case is new once: a case of run 1 that run 2 names again is escalated (say, a new tenant linked to it).
    new_named = Counter(c["case_id"] for d in digests for c in d["cases"] if c["status"] == "new")
    assert new_named and max(new_named.values()) == 1
    assert set(new_named) == (new_in(tmp_path / "out1") & expected1) | (
        new_in(tmp_path / "out2") & expected2
    )

    third = hooked("--", *audit_args(provider, tmp_path / "out3", store, config))
    assert third.returncode == 0, third.stderr  # the exit-code alert was delivered by run 2
    assert len(receiver.deliveries) == 2  # nothing new: no digest at all


def test_a_sender_killed_mid_delivery_delivers_each_event_exactly_once_after_restart(
    provider, tmp_path, receiver, cli, monkeypatch
):
    monkeypatch.setenv("AUDITOR_WEBHOOK_SECRET", SECRET)
    config = write_config(tmp_path / "audit.yaml", receiver.url, channels=("soc", "ops"))
    store = tmp_path / "cases.db"
    killed = hooked(
        "--kill-at",
        "notify-delivered:1",
        "--",
        *audit_args(provider, tmp_path / "out", store, config),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (
        len(receiver.deliveries) == 1
    )  # the receiver has soc's digest; the outbox does not know it
    with open_store(store) as st:
        assert [m.state for m in st.notifications()] == ["pending", "pending"]

    code, out, err = cli("notify", "drain", "--config", config, "--store", store)
    assert code == 0, out + err
    assert "notify: 2 delivered" in out
    assert len(receiver.deliveries) == 3  # soc's digest went again, under the same webhook-id
    unique = receiver.unique()
    assert len(unique) == 2 and {d.path for d in unique.values()} == {"/soc", "/ops"}
    ids = [d.headers["webhook-id"] for d in receiver.deliveries]
    assert (
        Counter(ids).most_common(1)[0][1] == 2 and len(set(ids)) == 2
    )  # one id, twice: the receiver's dedup holds
    assert not receiver.rejected

    code, out, err = cli("notify", "drain", "--config", config, "--store", store)
    assert code == 0 and "notify: 0 delivered" in out and len(receiver.deliveries) == 3
    with open_store(store) as st:
        assert {m.state for m in st.notifications()} == {"delivered"}


def test_a_run_killed_after_its_commit_has_its_digest_sent_by_the_next_drain_once(
    provider, tmp_path, receiver, cli, monkeypatch
):
    monkeypatch.setenv("AUDITOR_WEBHOOK_SECRET", SECRET)
    config = write_config(tmp_path / "audit.yaml", receiver.url)
    store = tmp_path / "cases.db"
    killed = hooked(
        "--kill-at", "after-commit", "--", *audit_args(provider, tmp_path / "out", store, config)
    )
    assert killed.returncode == -signal.SIGKILL and receiver.deliveries == []
    code, out, err = cli("notify", "drain", "--config", config, "--store", store)
    assert code == 0, out + err
    assert len(receiver.deliveries) == len(receiver.unique()) == 1


def test_a_failing_channel_leaves_the_message_for_drain_and_the_exit_code_alone(
    provider, tmp_path, cli, monkeypatch
):
    monkeypatch.setenv("AUDITOR_WEBHOOK_SECRET", SECRET)
    config = write_config(
        tmp_path / "audit.yaml", "http://127.0.0.1:9"
    )  # nothing listens on the discard port
    store = tmp_path / "cases.db"
    code, out, err = cli(*audit_args(provider, tmp_path / "out", store, config))
    assert code == 10, out + err  # the run's own result; the sender's trouble is on stderr
    assert "1 to retry" in err
    code, out, err = cli("notify", "drain", "--config", config, "--store", store)
    assert code == 3 and "0 delivered" in out  # not due yet: the backoff holds
    code, out, err = cli("notify", "outbox", "--store", store)
    assert "attempts=1" in out and "127.0.0.1:9" in out


def test_channels_without_a_store_say_nothing_was_sent(provider, tmp_path, receiver, cli):
    config = write_config(tmp_path / "audit.yaml", receiver.url)
    args = [a for a in audit_args(provider, tmp_path / "out", tmp_path / "cases.db", config)][
        :-2
    ]  # no --store
    code, out, err = cli(*args)
    assert code == 0 and "no case store; nothing was sent" in err and receiver.deliveries == []
