"""The console's pages: sign-in, cookies and headers, the route x role matrix, CSRF, sessions, four-eyes, hostile text."""

from __future__ import annotations

import re

import pytest

from auditor.console.policy import ACTIONS, action_of
from auditor.console.routes import allowlist, api, exports, pages, work
from auditor.store import open_store
from console_testkit import HOSTILE, PASSWORD, client, csrf_of, sign_in


def test_sign_in_sets_a_host_cookie_and_every_page_has_the_strict_csp(app):
    c = client(app)
    r = c.post("/login", data={"username": "ana", "password": PASSWORD})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-auditor-session=")
    assert all(part in cookie for part in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"))
    page = c.get("/")
    assert page.status_code == 200 and "C-000000" in page.text
    csp = page.headers["content-security-policy"]
    assert (
        "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    )
    assert page.headers["x-request-id"] and "<script" not in page.text.replace("&lt;script", "")


def test_every_route_declares_a_known_action():
    for route in (
        pages.routes() + work.routes() + exports.routes() + api.routes() + allowlist.routes()
    ):
        assert action_of(route.endpoint) in ACTIONS, route.path


# (method, path, action) -> checked for every role against policy.ACTIONS
MATRIX = [
    ("GET", "/", "view-queue"),
    ("GET", "/cases/C-000010", "view-case"),
    ("POST", "/cases/C-000010/comment", "comment-case"),
    ("POST", "/cases/C-000010/assign", "assign-case"),
    ("POST", "/cases/C-000010/snooze", "snooze-case"),
    ("POST", "/cases/C-000030/decide", "record-decision"),
    ("POST", "/next", "claim-case"),
    ("GET", "/audit.jsonl", "download-audit"),
    ("GET", "/export.csv", "export-view"),
    ("GET", "/cases/C-000010/dossier.html", "view-case"),
    ("GET", "/allowlist", "view-allowlist"),
    ("GET", "/allowlist.yaml", "export-allowlist"),
    ("POST", "/cases/C-000010/allowlist", "propose-allowlist"),
    ("POST", "/allowlist/1/review", "approve-allowlist"),
]


@pytest.mark.parametrize("role_user", ["vic", "ana", "rita", "adm", None])
def test_route_by_role_matrix(app, role_user):
    from auditor.console.policy import allowed
    from console_testkit import TEAM

    c = sign_in(app, role_user) if role_user else client(app)
    token = csrf_of(c) if role_user else ""
    for method, path, action in MATRIX:
        data = {
            "csrf": token,
            "body": "note",
            "assignee": "",
            "status": "escalated",
            "reason_code": "other",
        }
        r = c.get(path) if method == "GET" else c.post(path, data=data)
        if role_user is None:
            assert r.status_code == 303 and r.headers["location"] == "/login", (path, r.status_code)
        elif allowed(action, TEAM[role_user]):
            assert r.status_code in (200, 303), (role_user, path, r.status_code)
        else:
            assert r.status_code == 403, (role_user, path, r.status_code)


@pytest.mark.parametrize(
    "token, headers",
    [
        (None, {}),  # missing
        ("", {}),  # empty never matches
        ("not-the-token", {}),  # mismatched
        ("REAL", {"origin": "https://evil.example"}),  # cross-origin
        ("REAL", {"sec-fetch-site": "cross-site"}),
    ],
)
def test_csrf_refuses_and_records_nothing(app, store_path, token, headers):
    c = sign_in(app, "ana")
    real = csrf_of(c)
    data = {"body": "should not land"}
    if token is not None:
        data["csrf"] = real if token == "REAL" else token
    r = c.post("/cases/C-000010/comment", data=data, headers=headers)
    assert r.status_code == 403
    with open_store(store_path) as st:
        assert st.comments("C-000010") == []


def test_logout_ends_the_session_on_the_server(app):
    c = sign_in(app, "ana")
    cookie = c.cookies.get("__Host-auditor-session")
    c.post("/logout", data={"csrf": csrf_of(c)})
    stale = client(app)
    stale.cookies.set("__Host-auditor-session", cookie, domain="testserver.local")
    assert stale.get("/", headers={"cookie": f"__Host-auditor-session={cookie}"}).status_code == 303


def test_an_expired_session_signs_out(app, store_path):
    from datetime import timedelta

    with open_store(store_path) as st:
        token, _ = st.start_session("ana", timedelta(seconds=-1))
    c = client(app)
    assert c.get("/", headers={"cookie": f"__Host-auditor-session={token}"}).status_code == 303


def test_lockout_after_five_failures_even_with_the_right_password(app, store_path):
    c = client(app)
    for _ in range(5):
        r = c.post("/login", data={"username": "bo", "password": "wrong password here"})
        assert "error=wrong" in r.headers["location"]
    r = c.post("/login", data={"username": "bo", "password": PASSWORD})
    assert "locked" in r.headers["location"]
    with open_store(store_path) as st:
        attempts = st.login_attempts("bo")
    assert [a["ok"] for a in attempts] == [0] * 6 and attempts[-1]["detail"] == "locked"


def test_sso_header_is_believed_only_from_a_trusted_proxy(store_path):
    from starlette.testclient import TestClient

    from auditor.console.app import create_app
    from auditor.console.common import ConsoleConfig

    trusted = create_app(ConsoleConfig(store=str(store_path), trusted_proxies=("testclient",)))
    c = TestClient(trusted, base_url="https://testserver", follow_redirects=False)
    assert c.get("/", headers={"x-forwarded-user": "rita"}).status_code == 200
    assert c.get("/", headers={"x-forwarded-user": "mallory"}).status_code == 303  # no account
    untrusted = create_app(ConsoleConfig(store=str(store_path), trusted_proxies=("10.9.9.9",)))
    c = TestClient(untrusted, base_url="https://testserver", follow_redirects=False)
    assert c.get("/", headers={"x-forwarded-user": "rita"}).status_code == 303


def test_four_eyes_in_the_console_and_in_bulk(app, store_path):
    ana = sign_in(app, "ana")
    token = csrf_of(ana)
    r = ana.post(
        "/cases/C-000000/decide",
        data={"csrf": token, "status": "dismissed", "reason_code": "known research lab"},
    )
    assert "waits+for+a+reviewer" in r.headers["location"]
    r = ana.post(
        "/bulk",
        data={
            "csrf": token,
            "case_id": ["C-000001", "C-000039"],
            "status": "dismissed",
            "reason_code": "other",
        },
    )
    assert "1+in+force%2C+1+pending+review" in r.headers["location"]
    with open_store(store_path) as st:
        pending = st.pending_decisions(open_only=True)
    assert [p.decision.case_id for p in pending] == ["C-000000", "C-000001"]
    page = ana.get("/cases/C-000000")
    assert 'id="approve"' not in page.text  # the author sees no approve button
    r = ana.post(
        f"/decisions/{pending[0].pending_id}/review", data={"csrf": token, "outcome": "approve"}
    )
    assert r.status_code == 403  # an analyst
    rita = sign_in(app, "rita")
    r = rita.post(
        f"/decisions/{pending[0].pending_id}/review",
        data={"csrf": csrf_of(rita), "outcome": "approve"},
    )
    assert r.status_code == 303
    with open_store(store_path) as st:
        assert st.decisions("C-000000")[0].approved_by == "rita"
    assert "C-000000" not in rita.get("/").text


def test_hostile_names_are_inert(app):
    c = sign_in(app, "ana")
    queue = c.get("/?limit=10").text
    case = c.get("/cases/C-000000").text
    for page in (queue, case):
        assert (
            "<script>alert(1)</script>" not in page
            and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        )
        assert "49" not in re.sub(r"[^{}0-9]", "", page.split("{{7*7}}")[0][-5:])
    assert "{{7*7}}" in queue  # shown literally, never evaluated
    c.post(
        "/cases/C-000003/comment", data={"csrf": csrf_of(c), "body": "<img src=x onerror=alert(1)>"}
    )
    page = c.get("/cases/C-000003").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert HOSTILE[4] in c.get("/cases/C-000004").text  # long names are kept whole, escaped


def test_next_case_claims_and_the_queue_filters_from_the_url(app):
    c = sign_in(app, "ana")
    r = c.post("/next", data={"csrf": csrf_of(c)})
    assert r.headers["location"].startswith("/cases/C-000000")
    mine = c.get("/?view=mine").text
    assert "C-000000" in mine and "C-000001" not in mine
    page = c.get("/?priority=low&limit=5").text
    assert (
        "p-low" in page
        and "p-critical" not in page.split("<tbody>")[1]
        and 'id="next-page"' in page
    )
    assert c.get("/?view=bogus").status_code == 400


def test_a_cross_site_login_is_refused(app):
    r = client(app).post(
        "/login",
        data={"username": "ana", "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403 and "set-cookie" not in r.headers


def test_reassign_to_another_account_and_refuse_a_stranger(app, store_path):
    c = sign_in(app, "ana")
    token = csrf_of(c)
    r = c.post("/cases/C-000007/assign", data={"csrf": token, "assignee": "bo"})
    assert "notice=assigned+to+bo" in r.headers["location"]
    r = c.post("/cases/C-000007/assign", data={"csrf": token, "assignee": "mallory"})
    assert "error=" in r.headers["location"]
    with open_store(store_path) as st:
        assert st.case_work("C-000007").assignee == "bo"
    assert "C-000007" in c.get("/?assignee=bo&view=all").text
