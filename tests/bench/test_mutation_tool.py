"""bench/mutation.py cannot rot: its modules exist, mutants are distinct and stable, the equivalent list is current."""

from __future__ import annotations

import ast
import json
import sys

import pytest

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import mutation  # noqa: E402


def test_every_mutated_module_and_its_tests_exist():
    for module, tests in mutation.MODULES.items():
        assert (REPO / module).is_file(), module
        for test in tests:
            assert (REPO / test).exists(), (module, test)


@pytest.mark.parametrize("module", sorted(mutation.MODULES))
def test_mutant_ids_are_unique_and_each_mutant_changes_the_code(module):
    mutants = mutation.list_mutants(module)
    assert mutants, module
    assert len({m.id for m in mutants}) == len(mutants)
    original = ast.dump(ast.parse((REPO / module).read_text()))
    rng = __import__("random").Random(module)
    for mutant in rng.sample(mutants, min(2, len(mutants))):
        source = mutation.mutated_source(module, mutant.index)
        assert ast.dump(ast.parse(source)) != original, mutant.id


def test_a_boundary_mutant_flips_exactly_that_comparison(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        '"""doc."""\nimport logging\nlog = logging.getLogger(__name__)\n\n\ndef f(x: int = 3) -> bool:\n    """why."""\n    log.info("x=%d", x + 1)\n    return x >= 2  # pragma: no mutate\n\n\ndef g(x):\n    return x < 2\n'
    )
    _, points = mutation.mutation_points(path)
    kinds = [(kind, detail, qualname) for _, kind, detail, qualname, _ in points]
    # the default 3 is mutable; the log call, the docstrings, the annotation and the pragma line are not
    assert kinds == [("const", "3->4", "f"), ("compare0", "Lt->LtE", "g"), ("const", "2->3", "g")]


def test_the_equivalent_list_names_only_mutants_that_exist():
    listed = mutation.load_equivalent()
    current = {m.id for module in mutation.MODULES for m in mutation.list_mutants(module)}
    assert set(listed) <= current, sorted(set(listed) - current)
    assert all(reason for reason in listed.values()), "every equivalent mutant needs its reason"


def test_a_kill_by_a_test_that_fails_unmutated_is_corrected_in_the_log_too(tmp_path):
    """The killing-test check's verdict reaches the log, so --report and --resume read the
    corrected status, not the 'killed' written while the run went."""
    from dataclasses import asdict

    mutants = mutation.list_mutants("auditor/scoring/weighted.py")[:3]
    outcomes = [
        mutation.Outcome(mutants[0], "killed", 1.0, failed="tests/a.py::flaky"),
        mutation.Outcome(mutants[1], "killed", 1.0, failed="tests/a.py::sound"),
        mutation.Outcome(mutants[2], "survived", 1.0),
    ]
    log = tmp_path / "run.jsonl"
    log.write_text("".join(json.dumps(asdict(o)) + "\n" for o in outcomes))
    mutation.unkill(outcomes, {"tests/a.py::flaky"}, log)
    assert [o.status for o in outcomes] == ["error", "killed", "survived"]
    latest = mutation.read_logs([log])
    assert [latest[m.id]["status"] for m in mutants] == ["error", "killed", "survived"]
    assert "killer-fails-unmutated" in latest[mutants[0].id]["stage"]
    assert len(log.read_text().splitlines()) == 4  # one corrected record, appended
    mutation.unkill(outcomes, set(), None)  # nothing broken, no log: nothing changes
    assert [o.status for o in outcomes] == ["error", "killed", "survived"]


def test_a_mutant_that_breaks_an_import_is_killed_whether_files_or_test_ids_are_run(tmp_path):
    """pytest exits 2 for a file that fails to collect and 4 when it was given by test id
    (stage 'covering' runs ids); both are kills. A test id that does not exist, with
    nothing failing to collect, is a tool error (a stale map), not a kill."""
    import subprocess

    from mutation_worker import pytest_status

    (tmp_path / "test_broken.py").write_text(
        "raise ValueError('planted')\ndef test_x():\n    pass\n"
    )
    (tmp_path / "test_fine.py").write_text("def test_y():\n    pass\n")

    def status(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        return pytest_status(done.returncode, done.stdout + done.stderr)

    assert status("test_broken.py") == "killed"
    assert status("test_broken.py::test_x") == "killed"
    assert status("test_fine.py") == "survived"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "conftest.py").write_text("raise KeyError('planted')\n")
    (tmp_path / "sub" / "test_z.py").write_text("def test_z():\n    pass\n")
    assert status("sub/test_z.py::test_z") == "killed"  # a conftest that fails to import
    assert status("test_fine.py::test_missing") == "error"
    assert pytest_status(3, "INTERNALERROR> boom") == "error"


def test_a_killer_failing_only_in_the_forked_worker_still_kills():
    """The forked worker's state can fail a test that passes alone (console tests, session 14):
    a killer that fails in a fresh pytest process too turns its kills into errors; one that
    passes alone proves nothing by failing in the fork, so each of its mutants is re-run in
    a fresh process and stays killed only if the test fails there with the mutant planted."""

    class FreshRuns:
        root = mutation.REPO

        def run_tests(self, tests, timeout):
            return ("killed" if tests == ["tests/a.py::flaky"] else "survived"), 0.1

    mutants = mutation.list_mutants("auditor/scoring/weighted.py")[:4]
    really_killed = mutation.mutated_source(mutants[2].module, mutants[2].index)

    class ForkedWorker:  # the forked run fails every test; the fresh one decides
        box = FreshRuns()
        fresh_runs: list[str] = []

        def run(self, module, source, tests, timeout):
            return {"status": "killed", "seconds": 0.1, "failed": tests[0]}

        def run_fresh(self, module, source, tests, timeout):
            self.fresh_runs.append(tests[0])
            status = "killed" if source == really_killed else "survived"
            return {"status": status, "seconds": 0.1, "failed": None}

    outcomes = [
        mutation.Outcome(mutants[0], "killed", 1.0, failed="tests/a.py::flaky"),
        mutation.Outcome(mutants[1], "killed", 1.0, failed="tests/a.py::fork_only"),
        mutation.Outcome(mutants[2], "killed", 1.0, failed="tests/a.py::fork_only"),
        mutation.Outcome(mutants[3], "killed", 1.0, failed="tests/a.py::fork_only"),
    ]
    worker = ForkedWorker()
    checked = mutation._verify_killers(outcomes, worker)
    assert [o.status for o in checked] == ["error", "error", "killed", "error"]
    assert worker.fresh_runs == ["tests/a.py::fork_only"] * 3  # the broken killer's are not re-run
    assert checked[2].stage.endswith("killer-rerun-fresh")
    assert checked[1].stage.endswith("killer-rerun-fresh-passed")


def test_the_failing_test_id_is_kept_whole_when_its_parameters_hold_spaces(tmp_path):
    """The killer is re-run by its id to check it (session 14): an id cut at the first
    space ("...[LEI:") names no test, so the check itself errors."""
    import subprocess

    from mutation_worker import failed_test

    (tmp_path / "test_params.py").write_text(
        "import pytest\n"
        "@pytest.mark.parametrize('v', ['LEI: -20 letters or digits'])\n"
        "def test_p(v):\n    assert v == 'x - y'\n"
        "def test_plain():\n    assert [1] == [2]\n"
    )

    def first_failed(*args: str) -> str | None:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        return failed_test(done.stdout)

    spaced = first_failed("test_params.py::test_p")
    assert spaced == "test_params.py::test_p[LEI: -20 letters or digits]"
    rerun = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", spaced],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 1 and "1 failed" in rerun.stdout  # the id names the test
    assert first_failed("test_params.py::test_plain") == "test_params.py::test_plain"
    assert failed_test("1 passed in 0.01s") is None
    assert failed_test("ERROR test_params.py") == "test_params.py"  # a file failing to collect
