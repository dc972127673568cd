"""Helpers for the console tests: the team, hostile names, a TestClient over HTTPS, signing in (a unique module name, not conftest)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip(
    "starlette", reason="the console extra is not installed (pip install 'auditor[console]')"
)

from starlette.testclient import TestClient  # noqa: E402

from auditor.store import open_store  # noqa: E402

PASSWORD = "correct horse battery staple"
TEAM = {"vic": "viewer", "ana": "analyst", "bo": "analyst", "rita": "reviewer", "adm": "admin"}
HOSTILE = {
    0: "<script>alert(1)</script>",
    1: "{{7*7}} ${7*7}",
    2: '=HYPERLINK("http://x","y")',
    3: "Acme\u202egnp.exe",
    4: "A" * 10_000,
}


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
