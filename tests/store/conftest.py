"""Fixtures for the case store tests: a small generated provider and a store holding one run of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor_testkit import EXAMPLES
from store_testkit import AS_OF, audit_args


@pytest.fixture(scope="session")
def small_provider(tmp_path_factory) -> Path:
    """300 synthetic tenants (same planted patterns as examples/provider), generated once per session."""
    out = tmp_path_factory.mktemp("provider")
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "generate.py"),
            "--tenants",
            "300",
            "--out",
            str(out),
            "--as-of",
            AS_OF,
        ],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def one_run_store(small_provider, tmp_path_factory) -> Path:
    """A store with one committed run of the small provider (copy it before writing)."""
    from auditor.cli.main import main

    work = tmp_path_factory.mktemp("one-run")
    store = work / "cases.db"
    assert (
        main(audit_args(small_provider, work / "out", store)) == 10
    )  # first run: every case is new
    return store


@pytest.fixture
def store_copy(one_run_store, tmp_path) -> Path:
    """A private copy of the one-run store, safe to write to."""
    target = tmp_path / "cases.db"
    shutil.copy(one_run_store, target)
    return target


@pytest.fixture(scope="session")
def one_run_database(small_provider, pg_server, tmp_path_factory) -> str:
    """The one-run store on PostgreSQL: the same audit, recorded through a postgresql:// URL (a template to copy)."""
    from auditor.cli.main import main

    work = tmp_path_factory.mktemp("one-run-pg")
    url = pg_server.create_database()
    assert main(audit_args(small_provider, work / "out", url)) == 10
    return url


@pytest.fixture
def each_store_copy(store_backend, request, tmp_path):
    """A private copy of the one-run store on each backend in turn: a SQLite file, then a PostgreSQL database."""
    if store_backend == "sqlite":
        yield request.getfixturevalue("store_copy")
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("one_run_database")
    url = server.create_database(template=template.split("@/", 1)[1].split("?", 1)[0])
    yield url
    server.drop_database(url)
