"""A full mutation run takes longer than a session: its results are committed and a later
session goes on from them. An outcome holds on a later commit exactly while its module's
source is byte-for-byte the same; a changed module is planted again, never trusted."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import mutation  # noqa: E402
from mutation_map import sha256  # noqa: E402

MODULE = "auditor/engine/operators.py"
OTHER = "auditor/engine/evaluate.py"
RESULTS = REPO / "bench" / "mutation-results"


def _record(mutant: mutation.Mutant, status: str, sha: str, commit: str = "a" * 40) -> str:
    outcome = mutation.Outcome(mutant, status, 1.0, sha256=sha, commit=commit)
    return json.dumps(asdict(outcome))


def test_an_outcome_from_an_earlier_commit_holds_while_its_module_is_unchanged(tmp_path):
    mutants = mutation.list_mutants(MODULE) + mutation.list_mutants(OTHER)
    ours = [m for m in mutants if m.module == MODULE]
    theirs = [m for m in mutants if m.module == OTHER]
    log = tmp_path / "2026-12-01-aaaaaaa.jsonl"
    log.write_text(
        "\n".join(
            [
                # measured on another commit, the module's source the same as now: done
                _record(ours[0], "killed", sha256(REPO / MODULE)),
                _record(ours[1], "survived", sha256(REPO / MODULE)),
                # the module was edited since: the same id may be another mutant now
                _record(theirs[0], "killed", "f" * 64),
                # the older format without a sha256 cannot say what it measured
                json.dumps({"mutant": asdict(theirs[1]), "status": "killed", "seconds": 1.0}),
            ]
        )
        + '\n{"mutant": {"id": "torn'  # a run stopped mid-write
    )
    todo, done, stale = mutation.pending(mutants, [log])
    assert done == 2
    assert stale == 2
    assert [m.id for m in todo] == [m.id for m in mutants if m not in ours[:2]]


def test_a_later_log_wins_over_an_earlier_one_for_the_same_mutant(tmp_path):
    mutant = mutation.list_mutants(MODULE)[0]
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(_record(mutant, "survived", sha256(REPO / MODULE)) + "\n")
    new.write_text(_record(mutant, "killed", "0" * 64) + "\n")  # re-measured on other code
    assert mutation.pending([mutant], [old])[1] == 1
    assert mutation.pending([mutant], [old, new]) == ([mutant], 0, 1)
    assert mutation.pending([mutant], [new, old]) == ([], 1, 0)


def test_a_run_with_nothing_left_to_plant_stops_at_once_and_says_so(tmp_path, capsys):
    log = tmp_path / "done.jsonl"
    sha = sha256(REPO / MODULE)
    log.write_text("".join(_record(m, "killed", sha) + "\n" for m in mutation.list_mutants(MODULE)))
    fresh = tmp_path / "this-session.jsonl"
    assert mutation.main(["--modules", MODULE, "--resume", str(log), "--log", str(fresh)]) == 0
    err = capsys.readouterr().err
    count = len(mutation.list_mutants(MODULE))
    assert f"resume: {count} of {count} mutants already measured" in err
    assert "0 to run" in err
    assert not fresh.exists()


def test_the_report_counts_only_outcomes_of_the_current_source(tmp_path, capsys):
    ours = mutation.list_mutants(MODULE)
    log = tmp_path / "r.jsonl"
    log.write_text(
        _record(ours[0], "killed", sha256(REPO / MODULE))
        + "\n"
        + _record(ours[1], "survived", "f" * 64)  # stale: must not show as a survivor
        + "\n"
    )
    assert mutation.main(["--report", str(log), "--modules", MODULE]) == 0
    out = capsys.readouterr()
    assert f"| {MODULE} | 1 of {len(ours)} | 1 | 0 | 0 | 0 | 0.0% |" in out.out
    assert (
        f"1 of {len(ours)} mutants measured on the current code; {len(ours) - 1} remain" in out.out
    )
    assert "1 logged outcomes are of an older source" in out.err


def test_the_full_run_takes_the_answer_modules_first_and_the_smallest_first_within():
    order = mutation.run_order(list(mutation.MODULES))
    assert sorted(order) == sorted(mutation.MODULES)
    tiers = [mutation.tier(m) for m in order]
    assert tiers == sorted(tiers)
    assert set(order[: len(mutation.FIRST_TIER)]) == set(mutation.FIRST_TIER)
    counts = [len(mutation.list_mutants(m)) for m in order[: len(mutation.FIRST_TIER)]]
    assert counts == sorted(counts)
    assert mutation.tier("auditor/console/app.py") == 2
    assert mutation.tier("auditor/features/identity.py") == 1


def test_committed_results_can_be_resumed_from():
    """Every committed outcome names the module source it was measured on and the commit."""
    logs = sorted(RESULTS.glob("*.jsonl"))
    assert logs, "bench/mutation-results/ holds the measured runs"
    for path in logs:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            record = json.loads(line)
            where = f"{path.name}:{number}"
            assert record["mutant"]["module"] in mutation.MODULES, where
            assert len(record["sha256"]) == 64, where
            assert len(record["commit"]) == 40, where
            assert record["status"] in ("killed", "survived", "timeout", "error"), where


def test_the_pace_counts_each_sitting_and_not_the_gap_between_them():
    mutants = mutation.list_mutants(MODULE)[:4]
    at = ["05:00:00", "05:01:00", "05:02:00", "07:00:00"]  # the last a later sitting
    outcomes = [
        mutation.Outcome(m, "killed", 10.0 * i, cpu_seconds=float(i), finished=f"2026-12-02T{t}Z")
        for i, (m, t) in enumerate(zip(mutants, at, strict=True), 1)
    ]
    assert mutation.pace(outcomes) == (
        "4 timed outcomes over 2 min in 2 sitting(s): 2.00 mutants a minute; "
        "median 30.0 s wall and 3.0 s CPU per mutant and worker."
    )
    assert mutation.pace(outcomes[:1]) == ""
