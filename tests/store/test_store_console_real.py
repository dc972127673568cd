"""The console over a store written by a real audit of the small provider: real case records render whole."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "starlette", reason="the console extra is not installed (pip install 'auditor[console]')"
)

from starlette.testclient import TestClient  # noqa: E402

from auditor.console.app import create_app  # noqa: E402
from auditor.console.common import ConsoleConfig  # noqa: E402
from auditor.console.passwords import hash_password  # noqa: E402
from auditor.store import open_store  # noqa: E402


@pytest.fixture
def store_copy(each_store_copy):
    """These tests run on both backends."""
    return each_store_copy


def test_a_real_case_page_shows_hits_with_their_values_and_the_screening_match(store_copy):
    with open_store(store_copy) as st:
        st.add_user("ana", "analyst", hash_password("correct horse battery"), "setup")
        cases = st.cases_in_run(st.latest_run().run_id)
    listed = next(c for c in cases if "listed-name-match" in c.rules)
    c = TestClient(
        create_app(ConsoleConfig(store=str(store_copy))),
        base_url="https://testserver",
        follow_redirects=False,
    )
    assert (
        c.post("/login", data={"username": "ana", "password": "correct horse battery"}).status_code
        == 303
    )
    queue = c.get("/").text
    assert cases[0].case_id in queue
    page = c.get(f"/cases/{listed.case_id}").text
    hit = next(h for h in listed.record["hits"] if h["rule_id"] == "listed-name-match")
    assert "listed-name-match v1" in page and hit["title"] in page.replace("&#39;", "'")
    assert "listed_name_match=" in page and "listed_name_source=" in page
    for tenant in listed.record["tenants"]:
        assert tenant["tenant_id"] in page
    r = c.get("/api/v1/cases")
    assert r.status_code == 401
