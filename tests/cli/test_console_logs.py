"""-v / -vv / -q / --log-format: what each shows, and that no KYC value reaches the log at any level."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from auditor_testkit import EXAMPLES, assert_no_traceback

CONFIG = EXAMPLES / "audit.yaml"
STAGES = ("inputs", "lists", "features", "scoring", "reports")


def kyc_values() -> set[str]:
    """Every name, alias, owner, officer, address, e-mail domain and phone of the example
    tenants, every party's name, and every sign-in IP: none may appear in a log line."""
    values: set[str] = set()
    with (EXAMPLES / "provider" / "tenants.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for column in (
                "legal_name",
                "aliases",
                "address",
                "email_domain",
                "phone",
                "parent_company",
                "ultimate_parent",
                "beneficial_owners",
                "officers",
                "payment_fingerprint",
            ):
                values |= {v.strip() for v in (row[column] or "").split(";") if len(v.strip()) >= 6}
    with (EXAMPLES / "provider" / "access.csv").open(newline="", encoding="utf-8") as f:
        values |= {row["source_ip"] for row in csv.DictReader(f) if row["source_ip"]}
    parties = EXAMPLES / "provider" / "parties.csv"
    if parties.exists():  # the owners and parties behind the ownership edges
        with parties.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                values |= {
                    v.strip()
                    for v in [row["name"], *(row["aliases"] or "").split(";")]
                    if len(v.strip()) >= 6
                }
    return values


def example_tenants() -> int:
    with (EXAMPLES / "provider" / "tenants.csv").open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_vv_logs_stages_and_never_a_kyc_value(cli, tmp_path: Path, log_format: str) -> None:
    code, out, err = cli(
        "-vv",
        "--log-format",
        log_format,
        "audit",
        "--config",
        CONFIG,
        "--out",
        tmp_path / "out",
        "--store",
        tmp_path / "s.db",
    )
    assert code in (0, 10), err
    assert_no_traceback(err)
    for stage in STAGES:
        assert re.search(rf"stage={stage} event=start\b", err), f"no start line for {stage}"
        assert re.search(rf"stage={stage} event=end seconds=\d+\.\d\d", err), (
            f"no end line for {stage}"
        )
    assert re.search(
        rf"stage=inputs event=end seconds=\S+ cpu=\d+\.\d\d tenants={example_tenants()} usage_rows=\d+ access_rows=\d+",
        err,
    )
    assert "DEBUG auditor.cli event=config" in err or '"level": "debug"' in err
    leaked = sorted(v for v in kyc_values() if v in err)
    assert not leaked, f"KYC values in the log: {leaked[:5]}"
    assert len(kyc_values()) > 3000  # the check above looked at real values


def test_json_log_lines_are_json_with_the_key_value_fields(cli, tmp_path: Path) -> None:
    code, _, err = cli(
        "--log-format", "json", "-v", "audit", "--config", CONFIG, "--out", tmp_path / "out"
    )
    assert code == 0, err
    lines = [json.loads(line) for line in err.splitlines()]
    ends = {d["stage"]: d for d in lines if d.get("event") == "end"}
    assert set(STAGES) <= set(ends)
    assert (
        isinstance(ends["features"]["seconds"], float)
        and ends["features"]["tenants"] == example_tenants()
    )
    assert {d["level"] for d in lines} <= {"info", "warning"}


def test_default_shows_warnings_and_the_summary_but_no_stage_log(cli, tmp_path: Path) -> None:
    code, out, err = cli("audit", "--config", CONFIG, "--out", tmp_path / "out")
    assert code == 0, err
    assert "stage=" not in err
    assert (
        "WARNING auditor.cli event=unknown_instance_types count=2 types=p7.48xlarge,p7e.48xlarge"
        in err
    )
    assert re.search(
        rf"^\d+ cases \(\d+ critical, \d+ high, \d+ medium, \d+ low\) from {example_tenants()} tenants$",
        out,
        re.M,
    )
    assert "wrote " in out


def test_quiet_shows_only_warnings_and_errors(cli, tmp_path: Path) -> None:
    code, out, err = cli("-q", "audit", "--config", CONFIG, "--out", tmp_path / "out")
    assert code == 0, err
    assert out == ""
    assert err.splitlines() and all(" WARNING " in line for line in err.splitlines())
    code, out, err = cli(
        "audit",
        "--config",
        CONFIG,
        "--out",
        tmp_path / "file-as-dir" / "x",
        "-q",
        "--tenants",
        tmp_path / "none.csv",
    )
    assert code == 2 and out == "" and "error:" in err


def test_options_work_after_the_subcommand_and_nested(cli, tmp_path: Path) -> None:
    code, _, err = cli("audit", "--config", CONFIG, "--out", tmp_path / "out", "-v")
    assert code == 0 and "stage=features event=end" in err
    code, out, err = cli("rules", "validate", "-q")
    assert code == 0 and out.startswith("ok: ")  # what the command was asked for still prints
    code, _, err = cli("rules", "validate", "-v", "--log-format", "json")
    assert code == 0


def test_verbose_and_quiet_together_is_a_usage_error(cli) -> None:
    code, _, err = cli("-v", "-q", "rules", "validate")
    assert code == 2 and "contradict" in err
    code, _, err = cli("-q", "rules", "validate", "-v")
    assert code == 2 and "contradict" in err


def test_each_run_starts_from_default_settings(cli, tmp_path: Path) -> None:
    cli("-vv", "rules", "validate")
    code, _, err = cli("audit", "--config", CONFIG, "--out", tmp_path / "out")
    assert code == 0 and "stage=" not in err
