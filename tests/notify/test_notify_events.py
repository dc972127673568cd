"""What a run puts in the outbox: one digest per run and channel (never one per case), cut to the
channel's detail and priority before it is stored; expiring dismissals; and the `notify:` config,
whose mistakes are located in the YAML."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from auditor.notify.config import SlackChannel, WebhookChannel
from auditor.notify.events import DigestCase, Expiring, RunFacts, expiring_event_id, run_messages
from auditor.notify.run_notices import expiring_decisions
from auditor.store import Decision

AT = datetime(2026, 12, 1, tzinfo=timezone.utc)
CASES = [
    DigestCase("C-1", "new", "critical", 95.0, 1, ["Shell Co Ltd"], ["rule 'a' firing"]),
    DigestCase("C-2", "escalated", "high", 70.0, 2, ["Front Org"], ["priority medium -> high"]),
    DigestCase("C-3", "new", "medium", 40.0, 3, ["Small Fry"], ["rule 'b' firing"]),
]


def facts(cases=CASES, **extra):
    return RunFacts(
        "r1",
        AT,
        True,
        0,
        {"new": 2, "escalated": 1, "resolved": 0, "suppressed": 0},
        cases,
        **extra,
    )


def slack(**extra):
    return SlackChannel(name="chat", kind="slack", url="https://hooks.example/x", **extra)


def hook(**extra):
    return WebhookChannel(
        name="soc", kind="webhook", url="https://soc.example/h", secret_env="S", **extra
    )


def test_one_digest_per_channel_names_the_cases_at_or_above_its_priority():
    messages = run_messages(facts(), [slack(), hook(min_priority="medium")])
    assert [(m.channel, m.event_id) for m in messages] == [
        ("chat", "run-digest.r1"),
        ("soc", "run-digest.r1"),
    ]
    assert [c["case_id"] for c in messages[0].payload["cases"]] == ["C-1", "C-2"]
    assert [c["case_id"] for c in messages[1].payload["cases"]] == ["C-1", "C-2", "C-3"]


def test_a_minimal_channel_gets_no_names_or_reasons_and_a_full_one_does():
    (minimal,) = run_messages(facts(), [slack()])
    assert "Shell Co" not in str(minimal.payload) and "firing" not in str(minimal.payload)
    assert set(minimal.payload["cases"][0]) == {"case_id", "status", "priority", "score", "rank"}
    (full,) = run_messages(facts(), [slack(detail="full", link="https://c.example/{case_id}")])
    assert full.payload["cases"][0]["names"] == ["Shell Co Ltd"]
    assert full.payload["cases"][0]["link"] == "https://c.example/C-1"


def test_a_quiet_run_sends_nothing_unless_asked_but_an_incomplete_one_always_says_so():
    quiet = facts(cases=[CASES[2]])  # only a medium case; channel hears high and up
    assert run_messages(quiet, [slack()]) == []
    assert len(run_messages(quiet, [slack(send_empty_digest=True)])) == 1
    incomplete = RunFacts("r1", AT, False, 3, {}, [])
    (msg,) = run_messages(incomplete, [slack()])
    assert msg.payload["complete"] is False and msg.payload["coverage_gaps"] == 3


def test_a_channel_hears_only_its_events():
    items = [Expiring("decision", "C-9", "2026-12-05", 4)]
    both = run_messages(facts(expiring=items), [slack()])
    assert [m.kind for m in both] == ["run-digest", "expiring"]
    only = run_messages(facts(expiring=items), [slack(events=["expiring"])])
    assert [m.kind for m in only] == ["expiring"]


def test_expiring_dismissals_within_fourteen_days_either_side():
    def dismissed(case_id, until):
        return Decision(case_id, "dismissed", "known reseller", "ana", AT, until)

    decisions = [
        dismissed("C-soon", date(2026, 12, 15)),  # 14 days left: in
        dismissed("C-later", date(2026, 12, 16)),  # 15 days: not yet
        dismissed("C-gone", date(2026, 11, 17)),  # expired 14 days ago: in
        dismissed("C-old", date(2026, 11, 16)),  # expired 15 days ago: out
        dismissed("C-forever", None),
        Decision("C-conf", "confirmed", "r", "ana", AT, date(2026, 12, 2)),
    ]
    got = expiring_decisions(decisions, date(2026, 12, 1))
    assert [(i.ref, i.days_left) for i in got] == [("C-gone", -14), ("C-soon", 14)]


def test_the_expiring_reminder_has_the_same_id_while_its_items_are_the_same():
    a = [
        Expiring("decision", "C-1", "2026-12-05", 4),
        Expiring("allowlist", "e-1", "2026-12-09", 8),
    ]
    assert expiring_event_id(a) == expiring_event_id(list(reversed(a)))
    assert expiring_event_id(a) != expiring_event_id(a[:1])


# ---- the notify: config -----------------------------------------------------------------------
def config_problems(tmp_path, text):
    path = tmp_path / "audit.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(p) for p in caught.value.problems]


def test_config_mistakes_are_located(tmp_path):
    problems = config_problems(
        tmp_path,
        "notify:\n"
        "  - name: soc\n"
        "    kind: webhook\n"
        "    url: http://soc.example/hook\n"
        "    secret_env: S\n"
        "  - name: chat\n"
        "    kind: pager\n",
    )
    assert any("audit.yaml:4:10" in p and "https:// URL" in p for p in problems), problems
    assert any("audit.yaml:7:" in p and "webhook" in p for p in problems), problems


def test_a_webhook_without_a_secret_and_two_channels_of_one_name_are_refused(tmp_path):
    problems = config_problems(
        tmp_path, "notify:\n  - name: soc\n    kind: webhook\n    url: https://soc.example/h\n"
    )
    assert any("secret_env, secret_file" in p for p in problems), problems
    twice = "  - name: soc\n    kind: slack\n    url_env: U\n"
    problems = config_problems(tmp_path, "notify:\n" + twice + twice)
    assert any("given twice" in p for p in problems), problems


def test_secret_files_are_relative_to_the_config(tmp_path):
    (tmp_path / "audit.yaml").write_text(
        "notify:\n  - name: soc\n    kind: webhook\n    url: https://soc.example/h\n    secret_file: secrets/hook\n"
    )
    (channel,) = load_config(tmp_path / "audit.yaml").notify
    assert channel.secret_file == tmp_path / "secrets" / "hook"
    assert channel.detail == "minimal"  # the default everywhere


@pytest.mark.parametrize("count", [50, 51])
def test_a_digest_names_fifty_cases_and_counts_the_rest_in_its_words(count):
    from auditor.notify.text import message_text

    many = [
        DigestCase(f"C-{i:03d}", "new", "critical", 90.0, i, [f"N{i}"], ["r"])
        for i in range(1, count + 1)
    ]
    (msg,) = run_messages(facts(cases=many), [slack()])
    assert len(msg.payload["cases"]) == 50 and msg.payload["cases_total"] == count
    text = message_text("run-digest", msg.payload)
    named = [line for line in text.lines if line.startswith("#")]
    assert len(named) == 50
    more = [line for line in text.lines if "more (cases.jsonl)" in line]
    assert more == ([] if count == 50 else ["... and 1 more (cases.jsonl)"])
    assert not any("INCOMPLETE" in line for line in text.lines)


def test_a_full_digest_line_shows_three_names_and_three_reasons():
    from auditor.notify.text import message_text

    case = DigestCase(
        "C-9", "new", "critical", 91.25, 1, ["A", "B", "C", "D"], ["r1", "r2", "r3", "r4"]
    )
    (msg,) = run_messages(facts(cases=[case]), [slack(detail="full")])
    (line,) = [x for x in message_text("run-digest", msg.payload).lines if x.startswith("#")]
    assert line == "#1 C-9 new critical 91.2 - A, B, C - r1; r2; r3"
