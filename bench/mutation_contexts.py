"""A pytest plugin for the mutation map: one coverage context per test and phase, and each
test's time and result.

coverage.py's own `dynamic_context = test_function` switches context when a function named
`test*` is entered, so whatever a fixture does before it (running the audit once for a module,
building a store) is credited to the test that ran before -- the wrong tests would be chosen for
a mutant in that code. Switching at pytest's setup, call and teardown instead credits a fixture's
work to the test it was set up for; bench/mutation_map.py widens a setup-phase line to every test
of that file (a module-scoped fixture is set up once, for the file's first test).

Loaded by `bench/mutation.py --build-map` as `-p mutation_contexts`; it writes the results to
the file named by AUDITOR_MUTATION_RESULTS.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from typing import Any

import coverage
import pytest

_results: dict[str, list[Any]] = {}  # function-level node id -> [seconds, passed]


def function_id(nodeid: str) -> str:
    """`tests/a.py::test_x[1-2]` -> `tests/a.py::test_x`: a test's parameters run as one unit."""
    return nodeid.split("[", 1)[0]


def _switch(item: pytest.Item, phase: str) -> None:
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(f"{function_id(item.nodeid)}|{phase}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    _switch(item, "setup")
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    _switch(item, "call")
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    _switch(item, "teardown")
    yield


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _results.setdefault(function_id(report.nodeid), [0.0, True])
    entry[0] += report.duration
    if report.failed:
        entry[1] = False


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("AUDITOR_MUTATION_RESULTS")
    if path:
        with open(path, "w") as fh:
            json.dump(_results, fh)
