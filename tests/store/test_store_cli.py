"""`auditor cases list|show|decide|history` against a store with one run."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from auditor.store import open_store
from auditor_testkit import assert_no_traceback


@pytest.fixture
def store_copy(each_store_copy):
    """These tests run on both backends."""
    return each_store_copy


@pytest.fixture
def first_case(store_copy):
    with open_store(store_copy) as st:
        return st.cases_in_run(st.latest_run().run_id)[0]


def test_list_shows_the_latest_run_with_filters(store_copy, cli):
    code, out, err = cli("cases", "list", "--store", store_copy)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].split()[:8] == [
        "case",
        "rank",
        "priority",
        "score",
        "change",
        "decision",
        "due",
        "top",
    ]
    assert all(" new " in line and " open " in line for line in lines[2:])
    code, out, _ = cli("cases", "list", "--store", store_copy, "--priority", "critical", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and {r["priority"] for r in rows} == {"critical"}
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    code, out, _ = cli("cases", "list", "--store", store_copy, "--status", "unchanged", "--json")
    assert code == 0 and out == ""


def test_decide_then_show_list_and_history(store_copy, first_case, cli, monkeypatch):
    monkeypatch.setenv("USER", "carol")
    until = (date.today() + timedelta(days=60)).isoformat()
    code, out, err = cli(
        "cases",
        "decide",
        first_case.case_id,
        "--store",
        store_copy,
        "--status",
        "dismissed",
        "--reason",
        "verified research lab",
        "--until",
        until,
    )
    assert code == 0, err
    assert f"{first_case.case_id} dismissed until {until} by carol" in out
    code, out, _ = cli(
        "cases",
        "decide",
        first_case.case_id,
        "--store",
        store_copy,
        "--status",
        "escalated",
        "--reason",
        "new owner data",
        "--by",
        "dave",
    )
    assert code == 0

    with open_store(store_copy) as st:
        first, second = st.decisions(first_case.case_id)
    assert (first.by, first.status, first.until.isoformat()) == ("carol", "dismissed", until)
    assert (
        first.rules_at_decision == first_case.rules
        and first.priority_at_decision == first_case.priority
    )
    assert second.by == "dave" and second.status == "escalated"

    code, out, _ = cli("cases", "show", first_case.case_id, "--store", store_copy)
    assert code == 0 and f"case {first_case.case_id}: rank 1" in out
    assert "carol: dismissed until" in out and "dave: escalated — new owner data" in out
    assert out.index("carol") < out.index("dave")
    code, out, _ = cli("cases", "show", first_case.case_id, "--store", store_copy, "--json")
    shown = json.loads(out)
    assert (
        shown["record"]["case_id"] == first_case.case_id
        and shown["record"]["change"]["status"] == "new"
    )
    assert [d["by"] for d in shown["decisions"]] == ["carol", "dave"]

    code, out, _ = cli("cases", "history", first_case.case_id, "--store", store_copy)
    assert code == 0
    assert (
        out.index("run ")
        < out.index("decision #1 by carol: dismissed")
        < out.index("decision #2 by dave: escalated")
    )

    code, out, _ = cli("cases", "list", "--store", store_copy, "--status", "escalated", "--json")
    assert [json.loads(line)["case_id"] for line in out.splitlines()] == [
        first_case.case_id
    ]  # an analyst's escalation
    code, out, _ = cli("cases", "list", "--store", store_copy, "--status", "dismissed", "--json")
    assert out == ""  # the later escalation is in force, not the dismissal


def test_dismissed_case_leaves_the_open_queue(store_copy, first_case, cli):
    until = (date.today() + timedelta(days=10)).isoformat()
    cli(
        "cases",
        "decide",
        first_case.case_id,
        "--store",
        store_copy,
        "--status",
        "dismissed",
        "--reason",
        "ok",
        "--until",
        until,
        "--by",
        "x",
    )
    _, out, _ = cli("cases", "list", "--store", store_copy, "--status", "dismissed", "--json")
    assert [json.loads(line)["case_id"] for line in out.splitlines()] == [first_case.case_id]
    _, out, _ = cli("cases", "list", "--store", store_copy, "--status", "open", "--json")
    assert first_case.case_id not in out


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--status", "dismissed", "--reason", "r", "--until", "2020-01-01"],
            "must be a date in the future",
        ),
        (
            ["--status", "dismissed", "--reason", "r", "--until", "next week"],
            "expected an ISO date",
        ),
        (
            ["--status", "confirmed", "--reason", "r", "--until", "2999-01-01"],
            "--until only applies to --status dismissed",
        ),
        (["--status", "confirmed", "--reason", "  "], "--reason must say why"),
    ],
)
def test_decide_validates_its_inputs(store_copy, first_case, cli, args, message):
    code, out, err = cli(
        "cases", "decide", first_case.case_id, "--store", store_copy, "--by", "x", *args
    )
    assert code == 2 and message in err
    assert_no_traceback(err)
    with open_store(store_copy) as st:
        assert st.decisions() == []


def test_unknown_case_id_suggests_the_nearest(store_copy, first_case, cli):
    typo = first_case.case_id[:-1] + ("0" if first_case.case_id[-1] != "0" else "1")
    for command in (
        ["decide", typo, "--status", "confirmed", "--reason", "r", "--by", "x"],
        ["show", typo],
        ["history", typo],
    ):
        code, _, err = cli("cases", *command, "--store", store_copy)
        assert (
            code == 2 and f"unknown case id '{typo}' (did you mean '{first_case.case_id}'?)" in err
        )


def test_store_from_config_and_missing_store(store_copy, tmp_path, cli):
    config = tmp_path / "audit.yaml"
    named = (
        store_copy.name if isinstance(store_copy, Path) else f'"{store_copy}"'
    )  # a file beside it, or a URL
    config.write_text(f"store: {named}\n")
    code, out, err = cli("cases", "list", "--config", config)
    assert code == 0 and "case(s)" in out, err
    code, _, err = cli("cases", "list", "--store", tmp_path / "nope.db")
    assert code == 2 and "no case store at" in err and not (tmp_path / "nope.db").exists()
    code, _, err = cli("cases", "list")
    assert code == 2 and "give --store PATH" in err
