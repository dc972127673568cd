"""The allowlist in a scheduled audit: a covered case stays in cases.jsonl with `suppressed_by` and is
never an alert; an expired entry stops suppressing and is listed with those expiring soon; and
`rules backtest --allowlist` shows what a new file would suppress before it goes live."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from auditor.engine.loader import builtin_rules_dir
from auditor_testkit import EXAMPLES, assert_no_traceback

AS_OF = "2026-11-01T00:00:00Z"


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


def inputs(provider: Path) -> list[str]:
    return [
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
    ]


def read_cases(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]


def alert_ids(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ALERT:"))
    return [
        line.split()[0]
        for line in lines[start + 1 :]
        if line.startswith("  ") and "..." not in line
    ]


def write_allowlist(path: Path, entries: list[tuple[str, list[str], int, int]]) -> Path:
    """(id, tenant ids, days since created, days until expiry) per entry."""
    today = datetime.now(timezone.utc).date()
    lines = ["entries:"]
    for entry_id, tenants, age, left in entries:
        lines += [
            f"  - id: {entry_id}",
            f"    tenants: [{', '.join(tenants)}]",
            "    reason: reviewed in a test",
            "    owner: ana@provider.example",
            f"    created: {today - timedelta(days=age)}",
            f"    expires: {today + timedelta(days=left)}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def queue(provider, tmp_path_factory) -> list[dict]:
    """The cases of an audit without an allowlist: what the entries below are written against."""
    from auditor.cli.main import main

    out = tmp_path_factory.mktemp("plain") / "out"
    assert main(["audit", *inputs(provider), "--out", str(out)]) == 0
    return [c for c in read_cases(out) if c["priority"] in ("high", "critical")]


def test_covered_cases_are_suppressed_never_alerted_and_expired_entries_stop(
    provider, queue, tmp_path, cli
):
    covered, expired, soon = queue[0], queue[1], queue[2]
    allowlist = write_allowlist(
        tmp_path / "allowlist.yaml",
        [
            ("vetted", covered["tenant_ids"], 10, 60),
            ("gone", expired["tenant_ids"], 100, 0),  # expires today: no longer suppresses
            ("soon", soon["tenant_ids"], 10, 5),
        ],
    )
    config = tmp_path / "audit.yaml"
    config.write_text(f"allowlist: {allowlist.name}\n")  # relative to the config file
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        "audit",
        "--config",
        config,
        *inputs(provider),
        "--out",
        out,
        "--store",
        tmp_path / "cases.db",
    )
    assert code == 10, stdout + stderr
    assert_no_traceback(stderr)
    cases = {c["case_id"]: c for c in read_cases(out)}
    assert cases[covered["case_id"]]["suppressed_by"] == ["vetted"]
    assert cases[covered["case_id"]]["change"]["suppressed"] is True
    assert "suppressed by allowlist vetted" in cases[covered["case_id"]]["change"]["why"]
    assert cases[soon["case_id"]]["suppressed_by"] == ["soon"]
    assert (
        cases[expired["case_id"]]["suppressed_by"] == []
        and not cases[expired["case_id"]]["change"]["suppressed"]
    )
    alerted = alert_ids(stdout)
    assert covered["case_id"] not in alerted and soon["case_id"] not in alerted
    assert expired["case_id"] in alerted
    assert (
        "ALLOWLIST: entry gone expired on" in stderr
        and "ALLOWLIST: entry soon expires in 5 day(s)" in stderr
    )
    assert "vetted" not in stderr
    manifest = json.loads((out / "run.json").read_text())["allowlist"]
    assert (
        manifest["entries"] == 3 and manifest["active"] == 2 and manifest["suppressed_cases"] == 2
    )
    assert [e["id"] for e in manifest["expired_or_expiring"]] == ["gone", "soon"]


def test_a_bad_allowlist_stops_the_audit_before_any_data_is_read(provider, tmp_path, cli):
    allowlist = tmp_path / "allowlist.yaml"
    allowlist.write_text(
        "entries:\n  - id: x\n    rules: [no-such-rule]\n    reason: r\n    owner: o\n    created: 2026-11-01\n    expires: 2026-12-31\n"
    )
    config = tmp_path / "audit.yaml"
    config.write_text("allowlist: allowlist.yaml\n")
    code, stdout, stderr = cli(
        "audit", "--config", config, *inputs(provider), "--out", tmp_path / "out"
    )
    assert code == 2 and "allowlist.yaml:3:13" in stderr and "unknown rule 'no-such-rule'" in stderr
    assert not (tmp_path / "out").exists()


def test_backtest_shows_which_cases_a_new_allowlist_would_suppress(provider, queue, tmp_path, cli):
    target = queue[0]
    new = write_allowlist(tmp_path / "new.yaml", [("proposed", target["tenant_ids"], 0, 30)])
    code, stdout, stderr = cli(
        "rules",
        "backtest",
        "--rules",
        builtin_rules_dir(),
        *inputs(provider),
        "--allowlist",
        new,
        "--json",
    )
    assert code == 0, stdout + stderr
    report = json.loads(stdout)["allowlist"]
    assert report["by_entry"] == {"proposed": [target["case_id"]]}
    assert (
        report["newly_suppressed"] == [target["case_id"]] and report["no_longer_suppressed"] == []
    )
    code, stdout, stderr = cli(
        "rules", "backtest", "--rules", builtin_rules_dir(), *inputs(provider), "--allowlist", new
    )
    assert code == 0 and f"entry proposed: 1 case(s): {target['case_id']}" in stdout


def test_a_rule_that_starts_firing_lifts_the_suppression_and_keep_holds_it(provider, tmp_path, cli):
    """Run 1 without the sign-in file (sign-in rules unknown), run 2 with it: a case whose sign-in rule
    now fires has changed materially since its entry was made."""
    from auditor.cli.main import main

    no_access = [
        a
        for i, a in enumerate(inputs(provider))
        if a != "--access" and inputs(provider)[i - 1] != "--access"
    ]
    before_out, after_out = tmp_path / "before", tmp_path / "after"
    assert main(["audit", *no_access, "--out", str(before_out)]) == 0
    assert main(["audit", *inputs(provider), "--out", str(after_out)]) == 0
    before = {c["case_id"]: {h["rule_id"] for h in c["hits"]} for c in read_cases(before_out)}
    worse = [
        c
        for c in read_cases(after_out)
        if c["case_id"] in before and {h["rule_id"] for h in c["hits"]} - before[c["case_id"]]
    ]
    assert len(worse) >= 2, (
        "the example data should have cases whose sign-in rules fire only with access.csv"
    )
    lifted, held = worse[0], worse[1]
    allowlist = tmp_path / "allowlist.yaml"
    write_allowlist(
        allowlist,
        [("lift-me", lifted["tenant_ids"], 0, 30), ("hold-me", held["tenant_ids"], 0, 30)],
    )
    allowlist.write_text(
        allowlist.read_text().replace(
            "  - id: hold-me\n", "  - id: hold-me\n    on_material_change: keep\n"
        )
    )
    config = tmp_path / "audit.yaml"
    config.write_text("allowlist: allowlist.yaml\n")
    store = tmp_path / "cases.db"
    cli("audit", "--config", config, *no_access, "--out", tmp_path / "run1", "--store", store)
    run1 = {c["case_id"]: c for c in read_cases(tmp_path / "run1")}
    assert run1[lifted["case_id"]]["suppressed_by"] == ["lift-me"] and run1[held["case_id"]][
        "suppressed_by"
    ] == ["hold-me"]

    code, stdout, stderr = cli(
        "audit", "--config", config, *inputs(provider), "--out", tmp_path / "run2", "--store", store
    )
    run2 = {c["case_id"]: c for c in read_cases(tmp_path / "run2")}
    back = run2[lifted["case_id"]]
    assert back["suppressed_by"] == [] and back["change"]["suppressed"] is False
    assert any(w.startswith("allowlist lift-me lifted: rule '") for w in back["change"]["why"]), (
        back["change"]["why"]
    )
    assert run2[held["case_id"]]["suppressed_by"] == ["hold-me"]
    if back["priority"] in ("high", "critical"):
        assert lifted["case_id"] in alert_ids(stdout)  # escalated and no longer silenced: an alert

    cli(
        "audit", "--config", config, *inputs(provider), "--out", tmp_path / "run3", "--store", store
    )
    run3 = {c["case_id"]: c for c in read_cases(tmp_path / "run3")}
    assert (
        run3[lifted["case_id"]]["suppressed_by"] == []
    )  # stays lifted: the baseline is the entry's, not the last run's
