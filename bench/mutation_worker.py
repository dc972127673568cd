"""One mutation worker: tests mutants in its private copy of the repository, forking per mutant.

Starting a fresh interpreter for every mutant costs seconds (Polars, pytest, the cloud SDKs
and Starlette are imported again each time), which on a full run is most of the time spent.
This worker imports those third-party packages once -- but never `auditor` or a test module --
and then, per mutant, writes the mutated module into its copy, forks, and runs pytest in the
child on the tests that can see the mutant; the child imports `auditor` afresh from the copy,
mutant included. The parent never runs Polars code, so its thread pool is not started before
a fork. A child past its timeout is killed with its whole process group.

Protocol (bench/mutation.py drives it): one JSON job per line on stdin,
``{"module": ..., "source": ..., "tests": [...], "timeout": seconds}``, one JSON result per
line on stdout, ``{"status": killed|survived|timeout|error, "seconds": ..., "cpu": ...,
"failed": nodeid}`` (`cpu`: the child's user + system seconds, its waited-for subprocesses
included: on a shared machine wall time says more about the load than about the mutant).

    python bench/mutation_worker.py SANDBOX
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

# Test-side packages the suite imports (the auditor's own imports are found by preload()).
TEST_PACKAGES = (
    "pytest",
    "hypothesis",
    "moto",
    "httpx",
    "starlette.testclient",
    "aiosmtpd.controller",
    "standardwebhooks",
    "cryptography",
    "playwright.sync_api",
    "mmdb_writer",
)
# the failing test's id, which pytest prints before " - <message>"; a parametrised id may
# hold spaces inside its brackets ("test_x[LEI: 20 letters]"), so a bracket runs to its close
FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+?\[.*?\]|\S+)(?= - |$)", re.MULTILINE)
# pytest's short summary line for a file that failed to collect (an import-time error), or
# its report of a conftest.py that failed to import (exit 4, whatever the exception)
COLLECTION_ERROR = re.compile(
    r"^(?:ERROR \S+ - |ImportError while loading conftest )", re.MULTILINE
)


def failed_test(text: str) -> str | None:
    """The first failing test's id in pytest's short summary, whole, for re-running it."""
    found = FAILED.search(text)
    return found.group(1) if found else None


def pytest_status(code: int, text: str) -> str:
    """killed | survived | error from pytest's exit code and output.

    A mutant that breaks a module at import time fails collection: exit 2 when whole files
    are given, exit 4 ("found no collectors") when test ids are, or exit 4 when a conftest.py
    that imports it fails -- all caught, as long as pytest names the file that failed. Anything else (a usage error, a stale
    test id with no collection error, an internal error) is a tool error, not a kill.
    """
    if code == 0:
        return "survived"
    if code == 1:
        return "killed"
    if code in (2, 4) and COLLECTION_ERROR.search(text):
        return "killed"
    return "error"


def preload(sandbox: Path) -> int:
    """Imports, once, every non-auditor module that importing all of auditor pulls in."""
    if not (sandbox / "auditor").is_dir():
        return 0  # not a copy of this repository: nothing known to preload
    probe = (
        "import importlib, pkgutil, sys, auditor\n"
        "for m in pkgutil.walk_packages(auditor.__path__, 'auditor.'):\n"
        "    try: importlib.import_module(m.name)\n"
        "    except Exception: pass\n"
        f"for name in {TEST_PACKAGES!r}:\n"
        "    try: importlib.import_module(name)\n"
        "    except Exception: pass\n"
        f"root = {str(sandbox)!r}\n"
        "for name, mod in sorted(sys.modules.items()):\n"
        "    f = getattr(mod, '__file__', None) or ''\n"
        "    if name.split('.')[0] in ('auditor', 'auditor_testkit', 'conftest', '__main__') or f.startswith(root):\n"
        "        continue\n"
        "    print(name)\n"
    )
    names = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=sandbox,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(sandbox)},
    ).stdout.split()
    loaded = 0
    for name in names:
        try:
            importlib.import_module(name)
            loaded += 1
        except Exception:  # noqa: BLE001 - a module that will not import here is imported by the child
            continue
    assert not any(n == "auditor" or n.startswith("auditor.") for n in sys.modules), (
        "auditor must not be imported before a fork"
    )
    return loaded


def run_job(sandbox: Path, job: dict) -> dict:
    target = sandbox / job["module"]
    original = target.read_text()
    try:
        if job.get("source") is not None:
            target.write_text(job["source"])
        return run_tests(sandbox, job["tests"], float(job["timeout"]))
    finally:
        target.write_text(original)


def run_tests(sandbox: Path, tests: list[str], timeout: float) -> dict:
    output = sandbox / ".mutation-child.out"
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: a fresh `auditor` from the copy, pytest in-process
        try:
            os.setpgid(0, 0)
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(sandbox)
            sys.path.insert(0, str(sandbox))
            sys.dont_write_bytecode = True
            import pytest

            code = pytest.main(
                ["-x", "-q", "-rfE", "-p", "no:cacheprovider", "--no-header", "-n", "0", *tests]
            )
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(code))
        except BaseException:  # noqa: BLE001 - whatever happens, the child must not return
            os._exit(3)
    _current[:] = [pid]
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child already did it (or has exited)
    deadline = started + timeout
    code: int | None = None
    cpu = 0.0
    while code is None:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            break
        if time.perf_counter() > deadline:
            _kill_group(pid)
            _, _, usage = os.wait4(pid, 0)
            return {
                "status": "timeout",
                "seconds": time.perf_counter() - started,
                "cpu": usage.ru_utime + usage.ru_stime,
                "failed": None,
            }
        time.sleep(0.02)
    _kill_group(pid)  # servers a test left running
    seconds = time.perf_counter() - started
    text = output.read_text(errors="replace") if output.exists() else ""
    failed = failed_test(text)
    status = pytest_status(code, text)
    return {
        "status": status,
        "seconds": seconds,
        "cpu": round(cpu, 3),
        "failed": failed,
        "tail": text[-1500:] if status == "error" else None,
    }


_current: list[int] = []  # the child being waited for, so a stopped worker stops it too


def _stop(signum: int, frame: object) -> None:
    for pid in _current:
        _kill_group(pid)
    os._exit(1)


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when bench/mutation.py goes (PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: stop workers by hand


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def main() -> int:
    sandbox = Path(sys.argv[1]).resolve()
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent()
    os.environ.update(
        {"PYTHONPATH": str(sandbox), "PYTHONDONTWRITEBYTECODE": "1"}
    )  # subprocesses the tests start see the copy too
    os.environ.pop("CI", None)
    os.chdir(sandbox)
    loaded = preload(sandbox)
    print(json.dumps({"ready": loaded}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run_job(sandbox, json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
