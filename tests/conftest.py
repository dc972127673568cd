"""Fixtures shared by every test folder; plain helpers live in auditor_testkit.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from auditor_testkit import run_cli  # noqa: E402


@pytest.fixture
def cli(capsys):
    """Calls the `auditor` CLI in-process: cli("audit", "--config", path) -> (code, stdout, stderr)."""

    def invoke(*args):
        return run_cli(list(args), capsys)

    return invoke


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for the session (tests/pg_testkit.py); skipped, saying why, where none can start.

    Under CI (CI=true) the PostgreSQL store must be tested: a server that cannot start fails.
    """
    import os

    import pg_testkit

    server = pg_testkit.start()
    if isinstance(server, str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must test the PostgreSQL store, but no server started: {server}")
        pytest.skip(f"PostgreSQL store not tested: {server}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    """Runs a test once per case store backend."""
    return request.param


@pytest.fixture
def new_store(store_backend, tmp_path, request):
    """new_store(name) -> the location of a fresh, empty store on the backend under test (a file or a database URL)."""
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if store_backend == "postgresql" else None

    def make(name: str = "s.db"):
        if server is None:
            return tmp_path / name
        url = server.create_database()
        made.append(url)
        return url

    yield make
    for url in made:
        server.drop_database(url)
