"""The coverage map picks the tests that can see a mutant, and the forking worker tells a killed
mutant from a survivor and from one that never ends."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import mutation_contexts  # noqa: E402
import mutation_map  # noqa: E402

MODULE = "auditor/engine/operators.py"


def _first_function(path: Path) -> ast.FunctionDef:
    """The module's first top-level function whose body spans a few lines."""
    tree = ast.parse(path.read_text())
    return next(
        n
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and (n.end_lineno or 0) - n.body[0].lineno >= 2
    )


def test_a_test_and_its_parameters_are_one_unit_of_the_map():
    assert mutation_contexts.function_id("tests/a.py::test_x[1-2]") == "tests/a.py::test_x"
    assert mutation_contexts.function_id("tests/a.py::Suite::test_y") == "tests/a.py::Suite::test_y"


def test_only_lines_inside_a_function_body_run_after_import():
    path = REPO / MODULE
    function = _first_function(path)
    body = function.body[0].lineno
    assert mutation_map.enclosing_function(path, body) == (body, function.end_lineno)
    assert mutation_map.enclosing_function(path, function.lineno) is None  # the def, its defaults
    assert mutation_map.enclosing_function(path, 1) is None  # the module docstring


def _write_map(tmp_path: Path, lines: dict[int, list[int]], tests: list) -> Path:
    raw = {
        "commit": "0" * 40,
        "tests": tests,
        "modules": {
            MODULE: {
                "sha256": mutation_map.sha256(REPO / MODULE),
                "lines": {str(k): v for k, v in lines.items()},
                "import_time": [],
            }
        },
    }
    path = tmp_path / "map.json"
    path.write_text(json.dumps(raw))
    return path


def test_the_tests_that_execute_a_line_are_chosen_fastest_first_and_failing_ones_never(tmp_path):
    function = _first_function(REPO / MODULE)
    line = function.body[0].lineno
    tests = [["t.py::slow", 5.0, True], ["t.py::fast", 0.1, True], ["t.py::broken", 0.0, False]]
    cmap = mutation_map.CoverageMap(_write_map(tmp_path, {line: [0, 1, 2]}, tests))
    assert cmap.current(MODULE)
    assert cmap.covering(MODULE, line, line) == (["t.py::fast", "t.py::slow"], False)


def test_a_line_no_test_reaches_falls_back_to_its_function_and_import_time_to_the_module(
    tmp_path,
):
    function = _first_function(REPO / MODULE)
    first = function.body[0].lineno
    last = function.end_lineno
    assert last is not None and last > first
    tests = [["t.py::a", 1.0, True], ["t.py::b", 1.0, True], ["t.py::elsewhere", 1.0, True]]
    table = {first: [0], last: [1], 10_000: [2]}
    cmap = mutation_map.CoverageMap(_write_map(tmp_path, table, tests))
    # the last line's own test only: the map knows who runs it
    assert cmap.covering(MODULE, last, last) == (["t.py::b"], False)
    # a line the map has no entry for: every test that runs the function
    unreached = next(n for n in range(first, last + 1) if n not in table)
    assert cmap.covering(MODULE, unreached, unreached) == (["t.py::a", "t.py::b"], False)
    # a module-level constant: every test that reaches any line of the module
    assert cmap.covering(MODULE, 1, 1) == (["t.py::a", "t.py::b", "t.py::elsewhere"], True)


def test_a_module_edited_since_the_map_was_built_is_not_trusted(tmp_path):
    path = _write_map(tmp_path, {}, [])
    raw = json.loads(path.read_text())
    raw["modules"][MODULE]["sha256"] = "f" * 64
    path.write_text(json.dumps(raw))
    assert not mutation_map.CoverageMap(path).current(MODULE)


def test_the_worker_tells_killed_from_survived_from_a_mutant_that_never_ends(tmp_path):
    sandbox = tmp_path / "box"
    sandbox.mkdir()
    (sandbox / "m.py").write_text("def double(x):\n    return x * 2\n")
    (sandbox / "test_m.py").write_text(
        "from m import double\n\n\ndef test_double():\n    assert double(3) == 6\n"
    )
    jobs = [
        {"module": "m.py", "source": None, "tests": ["test_m.py"], "timeout": 120},
        {
            "module": "m.py",
            "source": "def double(x):\n    return x + 2\n",
            "tests": ["test_m.py"],
            "timeout": 120,
        },
        {
            "module": "m.py",
            "source": "def double(x):\n    while True:\n        pass\n",
            "tests": ["test_m.py"],
            "timeout": 3,
        },
    ]
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "mutation_worker.py"), str(sandbox)],
        input="".join(json.dumps(j) + "\n" for j in jobs),
        capture_output=True,
        text=True,
        timeout=300,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert "ready" in replies[0]
    assert [r["status"] for r in replies[1:]] == ["survived", "killed", "timeout"]
    assert replies[2]["failed"] == "test_m.py::test_double"
    assert replies[3]["cpu"] > 0  # the child's own CPU seconds, beside the wall time
    assert all(0 <= r["cpu"] <= r["seconds"] * 2 + 1 for r in replies[1:])
    assert (sandbox / "m.py").read_text() == "def double(x):\n    return x * 2\n"  # restored


def test_a_fixtures_work_is_credited_to_every_test_of_its_file_and_collection_to_none(tmp_path):
    from coverage import CoverageData

    function = _first_function(REPO / MODULE)
    fixture_line, test_line = function.body[0].lineno, function.end_lineno
    source = str(REPO / MODULE)
    data = CoverageData(basename=str(tmp_path / "cov.db"))
    for context, line in [
        ("", 1),  # collection imports the module
        ("tests/a.py::test_1|setup", fixture_line),
        ("tests/a.py::test_2|call", test_line),
        ("tests/b.py::test_3|teardown", test_line),
    ]:
        data.set_context(context)
        data.add_lines({source: [line]})
    data.write()
    results = {
        "tests/a.py::test_1": [0.5, True],
        "tests/a.py::test_2": [0.1, True],
        "tests/b.py::test_3": [0.2, False],
    }
    out = tmp_path / "map.json"
    mutation_map.write_map(tmp_path / "cov.db", results, out)
    cmap = mutation_map.CoverageMap(out)
    # the setup-phase line: both tests of a.py (a module fixture serves them all), not b.py
    assert cmap.covering(MODULE, fixture_line, fixture_line)[0] == [
        "tests/a.py::test_2",
        "tests/a.py::test_1",
    ]
    # the call-phase line: its test; b.py's failed in the map run, so it is never chosen
    assert cmap.covering(MODULE, test_line, test_line)[0] == ["tests/a.py::test_2"]
    assert json.loads(out.read_text())["modules"][MODULE]["import_time"] == [1]


def test_a_test_run_alone_is_allowed_its_files_fixture_set_up(tmp_path):
    # A module-scoped fixture (a Spark session) is timed on the file's first test; the others
    # look instant, but run alone each pays the set-up: the timeout must allow for it.
    tests = [["s.py::first", 30.0, True], ["s.py::second", 0.01, True], ["t.py::x", 0.5, True]]
    cmap = mutation_map.CoverageMap(_write_map(tmp_path, {}, tests))
    assert cmap.file_setup("s.py") == 30.0
    assert cmap.file_setup("t.py") == 0.5
    assert cmap.file_setup("never.py") == 0.0
    # and it is planned after a quick test of a file without a heavy set-up
    assert cmap._names({1, 2}) == ["t.py::x", "s.py::second"]
