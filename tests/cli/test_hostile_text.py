"""Tenant names, cloud tags and rule titles are untrusted: the CLI prints them as plain text.

A name or rule title with rich markup (`[/bold]`) used to crash `investigate` and the audit
summary; names with ANSI and OSC 8 sequences reached the terminal as they were through
`investigate` and `cases show`, piped or not (issue 16 item 4, issue 14 item 1).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from auditor_testkit import EXAMPLES, REPO, assert_no_traceback


def _d5_tenant() -> str:
    """A planted China-headquartered tenant: its case does not depend on its name."""
    with (EXAMPLES / "provider" / "planted.csv").open(newline="", encoding="utf-8") as f:
        return next(
            r["tenant_id"]
            for r in csv.DictReader(f)
            if r["pattern"] == "d5-hq" and r["note"] == "incorporated and HQ in CN"
        )


TENANT = _d5_tenant()
RULE = "d5-headquarters-restricted"
MARKUP = "[/bold] [link=http://evil.example]x[/link] [red]"
ANSI = "\x1b[31mRED\x1b[0m"
OSC8 = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
C1_CSI = "\x9b2J"
BIDI = "\u202eevil"
HOSTILE_NAME = f"Hostile {MARKUP} {ANSI} {OSC8} {C1_CSI} {BIDI} Ltd\r\nALERT: fake line"
RAW_CONTROLS = ("\x1b", "\x9b", "\u202e", "\r")


@pytest.fixture(scope="module")
def hostile_provider(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example provider with one tenant renamed and one rule retitled to hostile text."""
    root = tmp_path_factory.mktemp("hostile")
    provider = root / "provider"
    shutil.copytree(EXAMPLES / "provider", provider)
    tenants = provider / "tenants.csv"
    with tenants.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["tenant_id"] == TENANT:
            row["legal_name"] = HOSTILE_NAME
            row["declared_use"] = MARKUP
    with tenants.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    rules = root / "rules"
    shutil.copytree(REPO / "rules", rules)
    rule_file = next(rules.rglob(f"{RULE}.yaml"))
    text = rule_file.read_text(encoding="utf-8")
    title = "China, Macau or D:5-headquartered company renting restricted accelerators"
    rule_file.write_text(
        text.replace(f"title: {title}", f"title: {json.dumps('[/bold] ' + ANSI + ' ' + title)}"),
        encoding="utf-8",
    )
    config = root / "audit.yaml"
    config.write_text(
        "tenants: provider/tenants.csv\nusage: provider/usage.csv\naccess: provider/access.csv\n"
        'lists: [provider/lists/restricted-parties.csv]\nrules: rules\nas_of: "2026-11-01T00:00:00Z"\n',
        encoding="utf-8",
    )
    return config


def assert_plain(text: str) -> None:
    assert_no_traceback(text)
    for raw in RAW_CONTROLS:
        assert raw not in text, f"raw {raw!r} reached the output"


def test_audit_summary_survives_markup_in_rule_titles(
    cli, hostile_provider: Path, tmp_path: Path
) -> None:
    code, out, err = cli(
        "audit",
        "--config",
        hostile_provider,
        "--out",
        tmp_path / "out",
        "--store",
        tmp_path / "s.db",
    )
    assert code in (0, 10), err
    assert_plain(out + err)
    assert "[/bold]" in out  # shown literally, as the title says
    assert "\\x1b[31mRED" in out  # the escape made visible, not sent


def test_investigate_prints_names_and_titles_as_plain_text(cli, hostile_provider: Path) -> None:
    code, out, err = cli("investigate", TENANT, "--config", hostile_provider)
    assert code == 0, err
    assert_plain(out + err)
    assert "[link=http://evil.example]x[/link]" in out
    assert "\\x1b]8;;http://evil.example" in out
    assert "\\u202eevil" in out
    assert "\\x0d\\x0aALERT: fake line" in out  # the name's line break cannot forge a line
    assert "\nALERT: fake line" not in out


def test_investigate_json_keeps_the_value_but_no_raw_control(cli, hostile_provider: Path) -> None:
    code, out, err = cli("investigate", TENANT, "--config", hostile_provider, "--json")
    assert code == 0, err
    assert_plain(out)
    assert json.loads(out)["profile"]["legal_name"] == HOSTILE_NAME  # same data, escaped as JSON


def test_cases_show_and_history_print_names_as_plain_text(
    cli, hostile_provider: Path, tmp_path: Path
) -> None:
    store = tmp_path / "s.db"
    code, _, err = cli(
        "audit", "--config", hostile_provider, "--out", tmp_path / "out", "--store", store
    )
    assert code in (0, 10), err
    code, out, err = cli("investigate", TENANT, "--config", hostile_provider, "--json")
    case_id = json.loads(out)["case"]["case_id"]
    code, out, err = cli(
        "cases",
        "decide",
        case_id,
        "--store",
        store,
        "--status",
        "confirmed",
        "--reason",
        f"checked {ANSI}",
        "--by",
        f"ana{BIDI}",
    )
    assert code == 0, err
    assert_plain(out)
    for args in (
        ("show", case_id),
        ("history", case_id),
        ("list",),
        ("show", case_id, "--json"),
        ("list", "--json"),
    ):
        code, out, err = cli("cases", *args, "--store", store)
        assert code == 0, err
        assert_plain(out + err)
    code, out, _ = cli("cases", "show", case_id, "--store", store)
    assert "Hostile [/bold]" in out and "\\x1b[31mRED" in out and "checked \\x1b[31mRED" in out


def test_located_errors_escape_the_values_they_quote(cli) -> None:
    code, out, err = cli("investigate", f"t{ANSI}", "--config", EXAMPLES / "audit.yaml")
    assert code == 2
    assert_plain(out + err)
    assert "tenant 't\\x1b[31mRED\\x1b[0m' is not in the tenant table" in err
