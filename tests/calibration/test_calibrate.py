"""`auditor rules calibrate` on a store with decisions made through `auditor cases decide`."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from auditor.calibration.evidence import LabelledCase
from auditor.calibration.fit import fit_weights
from auditor.calibration.summary import wilson_interval
from auditor.cli.main import main
from auditor.store import CaseSnapshot, RunRecord
from auditor.store.sqlite import SQLiteStore
from auditor_testkit import assert_no_traceback, run_cli

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
PACK_RULES = {  # a two-rule pack, so "never fired" has something to find
    "strong": 60,
    "idle": 30,
}


def run_record(run_id: str) -> RunRecord:
    return RunRecord.from_manifest(
        {
            "run_id": run_id,
            "started_at": T0.isoformat(),
            "finished_at": T0.isoformat(),
            "as_of": T0.isoformat(),
            "rule_pack": {"version": "v1", "sha256": "x"},
            "scoring": "weighted-v1",
        }
    )


def snapshot(run_id: str, case_id: str, rules: list[str], rank: int = 1) -> CaseSnapshot:
    return CaseSnapshot.from_record(
        run_id,
        {
            "case_id": case_id,
            "rank": rank,
            "priority": "high",
            "score": 60.0,
            "tenant_ids": [f"t-{case_id}"],
            "hits": [{"rule_id": r} for r in rules],
            "exposure": {"restricted_gpu_hours_90d": 100.0},
        },
    )


# case -> (rules that fired, decisions in order)
CASES = {
    "C-1": (["strong"], ["confirmed"]),
    "C-2": (["strong"], ["confirmed"]),
    "C-3": (["strong", "weak"], ["confirmed"]),
    "C-4": (["weak"], ["dismissed"]),
    "C-5": (["weak"], ["confirmed", "dismissed"]),  # the latest decision is in force
    "C-6": (["weak", "tagalong"], ["dismissed"]),
    "C-7": (["strong", "tagalong"], ["escalated"]),  # escalated is still open
    "C-8": (["weak"], []),  # no decision: open
}


def write_pack(directory, rules: dict[str, int]) -> None:
    directory.mkdir()
    for rule_id, weight in rules.items():
        (directory / f"{rule_id}.yaml").write_text(
            f"id: {rule_id}\nversion: 1\ntitle: {rule_id}\nseverity: medium\nweight: {weight}\n"
            "rationale: a rule for the calibration tests\nreferences: [test]\n"
            "when:\n  all:\n    - {field: restricted_gpu_hours_90d, op: gt, value: 0}\n"
            "evidence: [restricted_gpu_hours_90d]\n"
        )


@pytest.fixture()
def store(tmp_path):
    path = tmp_path / "cases.db"
    with SQLiteStore(path) as st:
        st.commit_run(
            run_record("r1"),
            [snapshot("r1", c, rules, i) for i, (c, (rules, _)) in enumerate(CASES.items(), 1)],
        )
    for case_id, (_, decisions) in CASES.items():
        for status in decisions:
            args = ["cases", "decide", case_id, "--store", str(path), "--status", status]
            assert main([*args, "--reason", "reviewed", "--by", "analyst"]) == 0
    return path


@pytest.fixture()
def pack(tmp_path):
    write_pack(tmp_path / "pack", PACK_RULES)
    return tmp_path / "pack"


def calibrate(capsys, store, pack, *extra) -> dict:
    capsys.readouterr()  # what `cases decide` printed
    code, out, err = run_cli(
        ["rules", "calibrate", "--store", str(store), "--rules", str(pack), "--json", *extra],
        capsys,
    )
    assert code == 0, err
    return json.loads(out)


def test_counts_per_rule_follow_the_latest_decision(store, pack, capsys):
    report = calibrate(capsys, store, pack)
    rules = {r["rule_id"]: r for r in report["rules"]}
    assert report["outcomes"] == {"confirmed": 3, "dismissed": 3, "open": 2}
    assert (
        rules["strong"]["confirmed"],
        rules["strong"]["dismissed"],
        rules["strong"]["open"],
    ) == (3, 0, 1)
    assert (rules["weak"]["confirmed"], rules["weak"]["dismissed"], rules["weak"]["open"]) == (
        1,
        3,
        1,
    )
    assert rules["strong"]["precision"] == 1.0 and rules["weak"]["precision"] == 0.25
    low, high = rules["strong"]["precision_95"]
    assert 0.4 < low < 0.5 and high == 1.0  # Wilson 3/3
    assert rules["strong"]["weight"] == 60 and rules["weak"]["weight"] is None  # not in this pack
    assert [r["rule_id"] for r in report["rules"]][:2] == [
        "idle",
        "strong",
    ]  # the pack's rules first
    assert report["applied"] is False


def test_never_fired_and_only_with_others(store, pack, capsys):
    report = calibrate(capsys, store, pack)
    assert report["never_fired"] == ["idle"]
    assert report["only_with_others"] == ["tagalong"]
    tagalong = next(r for r in report["rules"] if r["rule_id"] == "tagalong")
    assert tagalong["fired_with"] == {"strong": 1, "weak": 1}


def test_the_fit_ranks_the_rule_the_analysts_confirm_above_the_one_they_dismiss(
    store, pack, capsys
):
    report = calibrate(capsys, store, pack)
    rules = {r["rule_id"]: r for r in report["rules"]}
    assert rules["strong"]["supported_weight"] > 50 > rules["weak"]["supported_weight"]
    assert rules["idle"]["supported_weight"] is None  # no decided case to fit it on
    assert report["fit"]["cases"] == 6 and report["fit"]["converged"]
    tight = calibrate(capsys, store, pack, "--penalty", "100")
    spread = {r["rule_id"]: r["supported_weight"] for r in tight["rules"] if r["supported_weight"]}
    assert abs(spread["strong"] - spread["weak"]) < abs(
        rules["strong"]["supported_weight"] - rules["weak"]["supported_weight"]
    )


def test_the_text_report_says_nothing_was_applied(store, pack, capsys):
    capsys.readouterr()
    code, out, err = run_cli(
        ["rules", "calibrate", "--store", str(store), "--rules", str(pack)], capsys
    )
    assert code == 0, err
    assert "strong" in out and "1.00 (0." in out
    assert "never fired: idle" in out and "tagalong (with strong x1, weak x1)" in out
    assert "nothing was applied" in out and "rules backtest" in out


def test_without_both_kinds_of_decision_there_is_no_fit(tmp_path, pack, capsys):
    path = tmp_path / "one-sided.db"
    with SQLiteStore(path) as st:
        st.commit_run(run_record("r1"), [snapshot("r1", "C-1", ["strong"])])
    assert (
        main(
            [
                "cases",
                "decide",
                "C-1",
                "--store",
                str(path),
                "--status",
                "confirmed",
                "--reason",
                "x",
                "--by",
                "a",
            ]
        )
        == 0
    )
    report = calibrate(capsys, path, pack)
    assert report["fit"] is None
    capsys.readouterr()
    code, out, _ = run_cli(
        ["rules", "calibrate", "--store", str(path), "--rules", str(pack)], capsys
    )
    assert "no weight fit" in out


def test_an_empty_store_reports_every_pack_rule_as_never_fired(tmp_path, pack, capsys):
    path = tmp_path / "empty.db"
    SQLiteStore(path).close()
    report = calibrate(capsys, path, pack)
    assert report["cases"] == 0 and sorted(report["never_fired"]) == ["idle", "strong"]


def test_a_missing_store_is_a_clear_error(tmp_path, capsys):
    code, out, err = run_cli(["rules", "calibrate", "--store", str(tmp_path / "none.db")], capsys)
    assert code == 2 and "no case store" in err
    assert_no_traceback(out + err)


def test_decisions_are_read_with_the_rules_the_analyst_saw(tmp_path, pack, capsys):
    path = tmp_path / "later.db"
    with SQLiteStore(path) as st:
        st.commit_run(run_record("r1"), [snapshot("r1", "C-1", ["strong"])])
    assert (
        main(
            [
                "cases",
                "decide",
                "C-1",
                "--store",
                str(path),
                "--status",
                "dismissed",
                "--reason",
                "x",
                "--by",
                "a",
            ]
        )
        == 0
    )
    with SQLiteStore(path) as st:  # a later run sees another rule fire on the same case
        st.commit_run(run_record("r2"), [snapshot("r2", "C-1", ["strong", "weak"])])
    rules = {r["rule_id"]: r for r in calibrate(capsys, path, pack)["rules"]}
    assert rules["strong"]["dismissed"] == 1 and "weak" not in rules


@pytest.mark.parametrize(
    "successes, trials, expected",
    [
        (0, 0, None),
        (5, 10, (0.2366, 0.7634)),
        (0, 5, (0.0, 0.4345)),
        (5, 5, (0.5655, 1.0)),
        (1, 1, (0.2065, 1.0)),
    ],
)
def test_wilson_interval(successes, trials, expected):
    got = wilson_interval(successes, trials)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-4)


def test_wilson_refuses_impossible_counts():
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_a_perfectly_separating_rule_stays_finite():
    cases = [LabelledCase(f"c{i}", "confirmed", frozenset({"a"})) for i in range(5)] + [
        LabelledCase(f"d{i}", "dismissed", frozenset({"b"})) for i in range(5)
    ]
    fit = fit_weights(cases)
    assert fit is not None and fit.converged
    assert 50 < fit.supported_weights["a"] < 100 and 0 < fit.supported_weights["b"] < 50
    with pytest.raises(ValueError):
        fit_weights(cases, penalty=0)
