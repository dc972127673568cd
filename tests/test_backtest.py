"""`auditor rules backtest`: a rule change's effect on the queue, on the example provider's data."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from auditor.cases.compare import compare_cases
from auditor_testkit import EXAMPLES, REPO, assert_no_traceback, case_table

CONFIG = EXAMPLES / "audit.yaml"

BENIGN_RULE = """\
id: verified-restricted-user
version: 1
title: Verified tenant renting restricted accelerators
severity: low
weight: 20
rationale: A deliberately over-broad rule, to see what it would add to the queue.
when:
  all:
    - {field: kyc_status, op: eq, value: verified}
    - {field: restricted_gpu_hours_90d, op: gt, value: 0}
"""


@pytest.fixture
def pack(tmp_path):
    """A copy of the built-in pack, to edit."""
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target)
    return target


def backtest_json(cli, *args):
    code, out, err = cli("rules", "backtest", "--config", CONFIG, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def cases_by_change(report, change):
    return [c for c in report["cases"] if c["change"] == change]


def test_raising_a_threshold_removes_or_demotes_its_cases_and_says_which_rule_stopped(cli, pack):
    rule = pack / "screening" / "listed-address-match.yaml"
    rule.write_text(rule.read_text().replace("value: 0.9\n", "value: 0.99\n"))
    report = backtest_json(cli, "--rules", pack)

    delta = next(r for r in report["rules"] if r["rule_id"] == "listed-address-match")
    assert (
        delta["new_hits"] < delta["baseline_hits"]
        and delta["tenants_lost"]
        and not delta["tenants_gained"]
    )
    touched = [c for c in report["cases"] if "listed-address-match" in c["rules_stopped"]]
    assert touched, "no case lost the rule"
    for case in touched:
        assert case["change"] in ("removed", "moved")
        assert set(case["tenant_ids"]) & set(delta["tenants_lost"])
        if case["change"] == "moved":
            assert case["new_rank"] > case["old_rank"] and case["new_score"] < case["old_score"]
    assert not cases_by_change(report, "added")
    # Cases shifted only because others moved are not reported as moves.
    assert {
        c["case_id"] for c in cases_by_change(report, "moved") + cases_by_change(report, "removed")
    } == {c["case_id"] for c in touched}
    # Same logic under the same version is flagged: old cases would be misexplained.
    assert report["pack_changes"] == [
        {
            "rule_id": "listed-address-match",
            "change": "changed-without-version-bump",
            "old_version": 1,
            "new_version": 1,
        }
    ]

    code, out, err = cli("rules", "backtest", "--config", CONFIG, "--rules", pack)
    assert code == 0, err
    assert "stopped firing" in out and "listed-address-match" in out


def test_a_new_rule_firing_on_benign_tenants_addscase_table(cli, pack):
    (pack / "kyc").mkdir()
    (pack / "kyc" / "verified-restricted-user.yaml").write_text(BENIGN_RULE)
    report = backtest_json(cli, "--rules", pack)

    added = cases_by_change(report, "added")
    assert added and report["counts"]["added"] == len(added)
    assert all(
        c["rules_started"] == ["verified-restricted-user"] and c["old_rank"] is None for c in added
    )
    assert report["new"]["cases"] == report["baseline"]["cases"] + len(added)
    assert {
        "rule_id": "verified-restricted-user",
        "change": "added",
        "old_version": None,
        "new_version": 1,
    } in report["pack_changes"]
    delta = next(r for r in report["rules"] if r["rule_id"] == "verified-restricted-user")
    assert delta["baseline_hits"] == 0 and delta["new_hits"] == len(delta["tenants_gained"]) > 0
    assert not cases_by_change(report, "removed")


def test_identical_packs_change_nothing(cli, pack, tmp_path):
    out_file = tmp_path / "backtest.json"
    report = backtest_json(
        cli, "--rules", pack, "--baseline-rules", REPO / "rules", "--out", out_file
    )
    assert (
        report["counts"]["added"] == report["counts"]["removed"] == report["counts"]["moved"] == 0
    )
    assert report["counts"]["unchanged"] == report["baseline"]["cases"] > 0
    assert report["pack_changes"] == []
    assert all(
        r["delta"] == 0 and not r["tenants_gained"] and not r["tenants_lost"]
        for r in report["rules"]
    )
    assert json.loads(out_file.read_text()) == report


def test_an_invalid_new_rule_fails_located_with_exit_2(cli, pack):
    rule = pack / "screening" / "listed-address-match.yaml"
    rule.write_text(rule.read_text().replace("op: gte", "op: gte_than"))
    code, out, err = cli("rules", "backtest", "--config", CONFIG, "--rules", pack)
    assert code == 2
    assert_no_traceback(err)
    assert (
        "listed-address-match.yaml:" in err
        and "rule 'listed-address-match'" in err
        and "gte_than" in err
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rules", "rules", "--baseline-rules", "rules", "--against", "R1"], "not both"),
        ([], "--rules"),
        (["--rules", "rules", "--against", "R1"], "--store"),
    ],
)
def test_argument_mistakes_exit_2(cli, args, message):
    code, out, err = cli("rules", "backtest", "--config", CONFIG, *args)
    assert code == 2
    assert message in err


def test_against_a_stored_run(cli, pack, tmp_path):
    store = tmp_path / "cases.db"
    code, _, err = cli("audit", "--config", CONFIG, "--out", tmp_path / "out", "--store", store)
    assert code == 10, (
        err
    )  # every case is new in a fresh store, so it alerts; a broken --store fails here, never skips
    run_id = json.loads((tmp_path / "out" / "run.json").read_text())["run_id"]
    rule = pack / "screening" / "listed-address-match.yaml"
    rule.write_text(
        rule.read_text()
        .replace("value: 0.9\n", "value: 0.99\n")
        .replace("version: 1\n", "version: 2\n")
    )

    against = backtest_json(cli, "--rules", pack, "--against", run_id, "--store", store)
    baseline = backtest_json(cli, "--rules", pack)
    assert against["baseline"] == {
        "source": "run",
        "name": run_id,
        "rule_pack": baseline["baseline"]["rule_pack"],
        "cases": baseline["baseline"]["cases"],
    }
    assert against["notes"] == []
    assert [(c["case_id"], c["change"]) for c in against["cases"]] == [
        (c["case_id"], c["change"]) for c in baseline["cases"]
    ]
    assert against["pack_changes"] == [
        {
            "rule_id": "listed-address-match",
            "change": "version-changed",
            "old_version": 1,
            "new_version": 2,
        }
    ]

    code, _, err = cli(
        "rules",
        "backtest",
        "--config",
        CONFIG,
        "--rules",
        pack,
        "--against",
        "no-such-run",
        "--store",
        store,
    )
    assert code == 2 and "not in the case store" in err


def _hits(pairs):
    return pl.DataFrame(
        [{"case_id": c, "tenant_id": c.lower(), "rule_id": r} for c, r in pairs],
        schema={"case_id": pl.String, "tenant_id": pl.String, "rule_id": pl.String},
    )


def test_a_rank_shift_caused_by_another_case_is_not_a_move():
    old = case_table([("A", "critical", 90.0), ("B", "high", 70.0), ("C", "medium", 40.0)])
    new = case_table(
        [("B", "high", 70.0), ("C", "medium", 40.0), ("A", "medium", 35.0), ("D", "low", 10.0)]
    )
    old_hits = _hits([("A", "x"), ("A", "y"), ("B", "y"), ("C", "z")])
    new_hits = _hits([("A", "x"), ("B", "y"), ("C", "z"), ("D", "w")])
    changes = {
        row["case_id"]: row for row in compare_cases(old, old_hits, new, new_hits).to_dicts()
    }
    assert {k: v["change"] for k, v in changes.items()} == {
        "A": "moved",
        "B": "unchanged",
        "C": "unchanged",
        "D": "added",
    }
    assert changes["A"]["rules_stopped"] == ["y"] and changes["A"]["rules_started"] == []
    assert (changes["B"]["old_rank"], changes["B"]["new_rank"]) == (2, 1)
    assert changes["D"]["rules_started"] == ["w"]

    gone = compare_cases(
        old,
        old_hits,
        new.filter(pl.col("case_id") != "C"),
        new_hits.filter(pl.col("case_id") != "C"),
    )
    assert gone.filter(pl.col("case_id") == "C").row(0, named=True)["rules_stopped"] == ["z"]
    assert gone.filter(pl.col("case_id") == "C")["change"].item() == "removed"
