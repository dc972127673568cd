"""Fixtures for the console: a store with a team and a run, and the app over it."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "starlette", reason="the console extra is not installed (pip install 'auditor[console]')"
)

from auditor.console.app import create_app  # noqa: E402
from auditor.console.common import ConsoleConfig  # noqa: E402
from auditor.console.passwords import hash_password  # noqa: E402
from auditor.store import open_store  # noqa: E402
from console_testkit import HOSTILE, PASSWORD, TEAM  # noqa: E402
from team_testkit import team_store  # noqa: E402


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def store_path(new_store, password_hash):
    """The console's store, on each backend in turn (a SQLite file, then a PostgreSQL database)."""
    path = team_store(new_store(), 40, names=HOSTILE)
    with open_store(path) as st:
        for name, role in TEAM.items():
            st.add_user(name, role, password_hash, "setup")
    return path


@pytest.fixture
def app(store_path):
    return create_app(ConsoleConfig(store=str(store_path), trusted_proxies=("10.9.9.9",)))
