"""Which tests run each line of the mutated modules: a per-test coverage map of the whole suite.

A mutant changes one expression. A test that never executes that line sees the original
program, so it cannot kill the mutant; the tests that do execute it are the only ones that
can. Running just those (out of the whole suite) is what makes a full mutation run fit in
hours instead of days, and it is a stronger check than a hand-written module -> folder table:
a test anywhere in the suite that reaches the line takes part.

The map is built once per commit by running the whole default suite under coverage.py with
one context per test and phase (bench/mutation_contexts.py; `python bench/mutation.py
--build-map FILE`). It records,
per module, the sha256 of the source it was measured on; a module edited since falls back to
its `MODULES` folder table rather than trusting stale line numbers.

Two things a line map cannot see, and how the runner covers them:
- code that runs at import (module constants, class bodies, defaults): a constant can be read
  by any function of the module or by another module, so such a mutant runs against every
  test that executes any line of the module, plus the module's folder table;
- code run in a subprocess (CLI tests that spawn `python -m auditor`): a mutant that survives
  its covering tests is re-checked against the wide set (every test that reaches the module,
  the folder table and every test file that starts a subprocess) before it counts as a
  survivor.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

COVERAGE_RC = """[run]
source = auditor
relative_files = true
data_file = {data_file}
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_map(out: Path, pytest_args: list[str] | None = None) -> int:
    """Runs the default suite under coverage, a context per test and phase
    (bench/mutation_contexts.py), and writes the map JSON."""
    try:
        import coverage  # noqa: F401 - only the map builder needs it
    except ImportError:
        print(
            "--build-map needs coverage.py (in the dev extra): pip install -e '.[dev]'",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="auditor-mutation-map-") as tmp:
        rc = Path(tmp) / "coveragerc"
        data_file = Path(tmp) / "coverage.db"
        results = Path(tmp) / "results.json"
        rc.write_text(COVERAGE_RC.format(data_file=data_file))
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO / "bench"), env.get("PYTHONPATH", "")) if p
        )
        env["AUDITOR_MUTATION_RESULTS"] = str(results)
        command = [
            sys.executable,
            "-m",
            "coverage",
            "run",
            f"--rcfile={rc}",
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",  # one process: coverage records a context per test (no xdist workers)
            "-p",
            "no:cacheprovider",
            "-p",
            "mutation_contexts",
            *(pytest_args or []),
        ]
        done = subprocess.run(command, cwd=REPO, env=env)
        if not results.exists():
            print(
                f"the suite did not run (exit {done.returncode}): no map written", file=sys.stderr
            )
            return done.returncode or 2
        write_map(data_file, json.loads(results.read_text()), out)
        return done.returncode


def write_map(data_file: Path, results: dict[str, list], out: Path) -> None:
    """results: function-level node id -> [seconds, passed], from the plugin."""
    from coverage import CoverageData  # the dev install has it; only the map builder needs it

    tests: list[str] = sorted(results)
    index = {t: i for i, t in enumerate(tests)}
    by_file: dict[str, list[int]] = {}
    for test, i in index.items():
        by_file.setdefault(test.split("::", 1)[0], []).append(i)
    data = CoverageData(basename=str(data_file))
    data.read()
    modules: dict[str, dict] = {}
    for measured in data.measured_files():
        path = Path(measured)
        rel = (path if not path.is_absolute() else path.relative_to(REPO)).as_posix()
        if not rel.startswith("auditor/") or not (REPO / rel).exists():
            continue
        lines: dict[str, list[int]] = {}
        import_time: list[int] = []
        for line, contexts in sorted(data.contexts_by_lineno(measured).items()):
            ids: set[int] = set()
            for context in contexts:
                test, _, phase = context.partition("|")
                if test not in index:
                    import_time.append(line)  # collection, before any test: import time
                    continue
                ids.add(index[test])
                if phase == "setup":  # a fixture: module-scoped ones serve the whole file
                    ids.update(by_file[test.split("::", 1)[0]])
            if ids:
                lines[str(line)] = sorted(ids)
        modules[rel] = {"sha256": sha256(REPO / rel), "lines": lines, "import_time": import_time}
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    out.write_text(
        json.dumps(
            {
                "commit": commit,
                "tests": [[t, round(results[t][0], 3), bool(results[t][1])] for t in tests],
                "modules": modules,
            }
        )
    )


class CoverageMap:
    """The map, read back: the tests that can see a mutant at a given place."""

    def __init__(self, path: Path) -> None:
        raw = json.loads(path.read_text())
        self.commit: str = raw["commit"]
        self.tests: list[tuple[str, float, bool]] = [tuple(t) for t in raw["tests"]]
        self.modules: dict[str, dict] = raw["modules"]

    def current(self, module: str) -> bool:
        """True when the module's source is the one the map was measured on."""
        entry = self.modules.get(module)
        return entry is not None and entry["sha256"] == sha256(REPO / module)

    def file_setup(self, path: str) -> float:
        """What running any test of a file alone may cost before it starts: a module-scoped
        fixture (a Spark session, an example audit) is timed on the file's first test only, so
        its later tests look instant; the file's slowest test is the estimate."""
        if not hasattr(self, "_setup"):
            self._setup: dict[str, float] = {}
            for test, seconds, _ in self.tests:
                file = test.split("::", 1)[0]
                self._setup[file] = max(self._setup.get(file, 0.0), seconds)
        return self._setup.get(path, 0.0)

    def seconds(self, nodeid: str) -> float:
        return self._seconds.get(nodeid, 1.0)

    @property
    def _seconds(self) -> dict[str, float]:
        if not hasattr(self, "_cache"):
            self._cache = {t: s for t, s, _ in self.tests}
        return self._cache

    def _ids(self, module: str, lines: range) -> set[int]:
        table = self.modules[module]["lines"]
        found: set[int] = set()
        for line in lines:
            found.update(table.get(str(line), ()))
        return found

    def module_tests(self, module: str) -> list[str]:
        """Every passing test that executes any line of the module."""
        found: set[int] = set()
        for ids in self.modules[module]["lines"].values():
            found.update(ids)
        return self._names(found)

    def _names(self, ids: set[int]) -> list[str]:
        chosen = [self.tests[i] for i in ids if self.tests[i][2]]
        # fastest first, a test counted with its file's set-up: a Spark test is not "instant"
        return [
            t
            for t, _, _ in sorted(
                chosen, key=lambda t: (t[1] + self.file_setup(t[0].split("::", 1)[0]), t[0])
            )
        ]

    def covering(self, module: str, line: int, end_line: int) -> tuple[list[str], bool]:
        """Tests that execute the mutated lines (else its enclosing function's), and whether
        the place runs at import (then every test reaching the module is returned)."""
        function = enclosing_function(REPO / module, line)
        if function is None:
            return self.module_tests(module), True
        ids = self._ids(module, range(line, max(line, end_line) + 1))
        if not ids:
            ids = self._ids(module, range(function[0], function[1] + 1))
        return self._names(ids), False


def enclosing_function(path: Path, line: int) -> tuple[int, int] | None:
    """The body lines of the innermost function around `line` (None: module or class level,
    or a default or decorator, which all run at import)."""
    best: tuple[int, int] | None = None
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and node.body:
            body = node.body if isinstance(node.body, list) else [node.body]
            start, end = body[0].lineno, node.end_lineno or body[-1].lineno
            if start <= line <= end and (best is None or start >= best[0]):
                best = (start, end)
    return best


# Test files that start `sys.executable` without running auditor code there: the browser
# tests start Chromium, the report-folder test only a `print(os.getpid())`, and the Spark-skip
# test only checks that a skip is reported when Java is missing.
NOT_AUDITOR_SUBPROCESSES = {
    "tests/report/test_report_browser.py",
    "tests/report/test_report_folder.py",
    "tests/spark/test_spark_skips.py",
}


def subprocess_test_files() -> list[str]:
    """Test files that run auditor code in a subprocess: what runs there is invisible to the map."""
    found = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        rel = path.relative_to(REPO).as_posix()
        if "sys.executable" in path.read_text() and rel not in NOT_AUDITOR_SUBPROCESSES:
            found.append(rel)
    return found
