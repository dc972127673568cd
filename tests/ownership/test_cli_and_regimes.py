"""--ownership / --parties on audit, investigate and rules backtest; config keys; regimes' status on a date."""

from __future__ import annotations

import json
from datetime import date

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from auditor.ownership.regimes import BIS_AFFILIATES, OFAC_50
from auditor_testkit import EXAMPLES, assert_no_traceback

PROVIDER = EXAMPLES / "provider"
LISTS = PROVIDER / "lists" / "restricted-parties.csv"


@pytest.mark.parametrize(
    "day, status",
    [
        (date(2025, 9, 28), "not-yet-in-force"),
        (date(2025, 9, 29), "in-force"),
        (date(2025, 11, 9), "in-force"),
        (date(2025, 11, 10), "suspended"),
        (date(2026, 11, 9), "suspended"),
        (date(2026, 11, 10), "in-force-unconfirmed"),
        (date(2027, 6, 1), "in-force-unconfirmed"),
    ],
)
def test_affiliates_rule_dates(day, status):
    assert BIS_AFFILIATES.status(day) == status
    assert BIS_AFFILIATES.in_force_on(day) == status.startswith("in-force")


def test_ofac_always_in_force_and_a_confirmed_return_is_plain_in_force():
    assert OFAC_50.status(date(2026, 11, 1)) == "in-force"
    assert (
        BIS_AFFILIATES.model_copy(update={"confirmed": True}).status(date(2026, 12, 1))
        == "in-force"
    )


def _base_args(tmp_path, *extra):
    return [
        "--tenants",
        PROVIDER / "tenants.csv",
        "--usage",
        PROVIDER / "usage.csv",
        "--lists",
        LISTS,
        "--as-of",
        "2026-11-01T00:00:00Z",
        *extra,
    ]


def test_audit_flags_read_the_files_and_a_bad_row_exits_2(tmp_path, cli):
    code, _, err = cli(
        "audit",
        *_base_args(
            tmp_path,
            "--ownership",
            PROVIDER / "ownership.csv",
            "--parties",
            PROVIDER / "parties.csv",
            "--out",
            tmp_path / "a",
        ),
    )
    assert code == 0, err
    run = json.loads((tmp_path / "a" / "run.json").read_text())
    assert run["ownership"]["verdicts"]["ofac-50"]["tenants"]["restricted"] == 3
    bad = tmp_path / "own.csv"
    bad.write_text("owner_id,owned_id,share\nP-SIGMA,t000001,120\n")
    code, _, err = cli(
        "audit",
        *_base_args(
            tmp_path,
            "--ownership",
            bad,
            "--parties",
            PROVIDER / "parties.csv",
            "--out",
            tmp_path / "b",
        ),
    )
    assert (
        code == 2
        and "own.csv: row 2: column 'share': expected a percentage from 0 to 100, got 120" in err
    )
    assert_no_traceback(err)


def test_without_ownership_files_kyc_owner_names_still_make_edges(tmp_path, cli):
    code, _, err = cli("audit", *_base_args(tmp_path, "--out", tmp_path / "a"))
    assert code == 0, err
    run = json.loads((tmp_path / "a" / "run.json").read_text())
    assert run["ownership"]["edges"] == run["ownership"]["edges_from_kyc"] > 0


def test_backtest_with_the_flags_shows_what_the_ownership_rules_add(tmp_path, cli):
    import shutil

    from auditor_testkit import REPO

    baseline = tmp_path / "baseline"
    shutil.copytree(REPO / "rules", baseline, ignore=shutil.ignore_patterns("ownership"))
    args = _base_args(
        tmp_path, "--ownership", PROVIDER / "ownership.csv", "--parties", PROVIDER / "parties.csv"
    )
    code, out, err = cli(
        "rules",
        "backtest",
        "--rules",
        REPO / "rules",
        "--baseline-rules",
        baseline,
        *args,
        "--json",
    )
    assert code == 0, err
    assert "listed-ownership-50" in out


def test_config_regimes_can_be_changed_and_are_validated(tmp_path):
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(
        "tenants: t.csv\nownership: o.csv\nparties: p.csv\nownership_regimes:\n"
        "  - id: bis-affiliates\n    title: BIS Affiliates Rule\n    lists: [EL, MEU]\n    confirmed: true\n"
        "    in_force: [{start: 2025-09-29, end: 2025-11-09}, {start: 2026-11-10}]\n"
    )
    config = load_config(cfg)
    assert config.ownership == tmp_path / "o.csv" and config.parties == tmp_path / "p.csv"
    assert [r.id for r in config.ownership_regimes] == [
        "bis-affiliates"
    ] and config.ownership_regimes[0].confirmed
    cfg.write_text(
        "ownership_regimes:\n  - id: x\n    title: X\n    lists: [EL]\n    threshold: 0\n    in_force: [{start: 2026-01-01}]\n"
    )
    with pytest.raises(ConfigError, match="threshold"):
        load_config(cfg)


def test_the_bis_sdn_programmes_are_marked_unconfirmed_until_the_operator_confirms():
    day = date(2026, 11, 1)
    described = BIS_AFFILIATES.describe(day)
    assert described["sdn_programs_status"].startswith("unconfirmed")
    assert "744.8(a)(1)" in described["sdn_programs_status"]
    confirmed = BIS_AFFILIATES.model_copy(update={"sdn_programs_confirmed": True})
    assert confirmed.describe(day)["sdn_programs_status"] == "confirmed"
    assert OFAC_50.describe(day)["sdn_programs_status"] is None  # every SDN programme counts


def test_investigate_flags_read_the_files_and_without_them_the_stake_is_unseen(tmp_path, cli):
    import polars as pl

    planted = pl.read_csv(PROVIDER / "planted.csv")
    tenant = planted.filter(pl.col("pattern") == "ownership-cycle")["tenant_id"][0]
    files = ("--ownership", PROVIDER / "ownership.csv", "--parties", PROVIDER / "parties.csv")
    code, out, err = cli("investigate", tenant, *_base_args(tmp_path, *files, "--json"))
    assert code == 0, err
    proof = next(p for p in json.loads(out)["ownership"] if p["regime"] == "ofac-50")
    assert proof["verdict"] == "restricted"
    code, out, err = cli("investigate", tenant, *_base_args(tmp_path, "--json"))
    assert code == 0, err
    assert not any(p["verdict"] == "restricted" for p in json.loads(out).get("ownership") or [])
