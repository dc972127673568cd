"""Fixtures for the console: a store with a team and a run, a TestClient over HTTPS, sign-in helpers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip(
    "starlette", reason="the console extra is not installed (pip install 'auditor[console]')"
)

from starlette.testclient import TestClient  # noqa: E402

from auditor.console.app import create_app  # noqa: E402
from auditor.console.common import ConsoleConfig  # noqa: E402
from auditor.console.passwords import hash_password  # noqa: E402
from auditor.store import open_store  # noqa: E402
from team_testkit import team_store  # noqa: E402

PASSWORD = "correct horse battery staple"
TEAM = {"vic": "viewer", "ana": "analyst", "bo": "analyst", "rita": "reviewer", "adm": "admin"}
HOSTILE = {
    0: "<script>alert(1)</script>",
    1: "{{7*7}} ${7*7}",
    2: '=HYPERLINK("http://x","y")',
    3: "Acme\u202egnp.exe",
    4: "A" * 10_000,
}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def store_path(tmp_path, password_hash):
    path = team_store(tmp_path / "s.db", 40, names=HOSTILE)
    with open_store(path) as st:
        for name, role in TEAM.items():
            st.add_user(name, role, password_hash, "setup")
    return path


@pytest.fixture
def app(store_path):
    return create_app(ConsoleConfig(store=str(store_path), trusted_proxies=("10.9.9.9",)))


def client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def sign_in(app, name: str) -> TestClient:
    c = client(app)
    r = c.post("/login", data={"username": name, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return c


def csrf_of(c: TestClient, path: str = "/") -> str:
    page = c.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def api_key(store_path, name: str) -> str:
    with open_store(store_path) as st:
        key, _ = st.create_api_key(name, "test", timedelta(days=1), "adm")
    return key
