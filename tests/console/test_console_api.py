"""The JSON API: bearer keys (401), roles and four-eyes (403), decisions answering 201 with their state, OpenAPI."""

from __future__ import annotations

import json

from console_testkit import HOSTILE, api_key, client


def test_without_a_valid_key_the_api_answers_401(app):
    c = client(app)
    assert c.get("/api/v1/cases").status_code == 401
    assert (
        c.get("/api/v1/cases", headers={"authorization": "Bearer adk_nope_nope"}).status_code == 401
    )
    assert c.get("/api/v1/cases", headers={"authorization": "Bearer "}).status_code == 401


def test_list_pages_with_the_cursor_and_filters(app, store_path):
    c = client(app)
    h = {"authorization": f"Bearer {api_key(store_path, 'vic')}"}
    seen, cursor = [], None
    while True:
        body = c.get(
            "/api/v1/cases",
            params={"limit": 15, **({"after": cursor} if cursor else {})},
            headers=h,
        ).json()
        seen += [r["case_id"] for r in body["cases"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"C-{i:06d}" for i in range(40)]
    crit = c.get("/api/v1/cases?priority=critical", headers=h).json()["cases"]
    assert {r["priority"] for r in crit} == {"critical"}
    assert c.get("/api/v1/cases?limit=x", headers=h).status_code == 400


def test_decisions_four_eyes_and_self_approval_over_the_api(app, store_path):
    c = client(app)
    ana = {"authorization": f"Bearer {api_key(store_path, 'ana')}"}
    rita = {"authorization": f"Bearer {api_key(store_path, 'rita')}"}
    vic = {"authorization": f"Bearer {api_key(store_path, 'vic')}"}
    body = {"status": "dismissed", "reason": "known lab", "until": None}
    assert c.post("/api/v1/cases/C-000000/decisions", json=body, headers=vic).status_code == 403
    r = c.post("/api/v1/cases/C-000000/decisions", json=body, headers=ana)
    assert r.status_code == 201 and r.json()["state"] == "pending-review"
    pending = r.json()["decision_id"]
    assert (
        c.post(f"/api/v1/decisions/{pending}/approve", headers=ana).status_code == 403
    )  # analyst, and the author
    r = c.post(f"/api/v1/decisions/{pending}/approve", headers=rita)
    assert r.status_code == 200 and r.json()["state"] == "in-force"
    r = c.post("/api/v1/cases/C-000039/decisions", json=body, headers=ana)
    assert r.status_code == 201 and r.json()["state"] == "in-force"  # a low case
    own = c.post("/api/v1/cases/C-000001/decisions", json=body, headers=rita).json()["decision_id"]
    r = c.post(f"/api/v1/decisions/{own}/approve", headers=rita)
    assert r.status_code == 403 and "second person" in r.json()["error"]
    assert (
        c.post(
            "/api/v1/cases/C-000001/decisions", json={"status": "maybe", "reason": "x"}, headers=ana
        ).status_code
        == 400
    )
    assert c.post("/api/v1/cases/NOPE/decisions", json=body, headers=ana).status_code == 404
    odd = {"status": "dismissed", "reason": "x", "until": 20270101}
    assert c.post("/api/v1/cases/C-000001/decisions", json=odd, headers=ana).status_code == 400
    assert (
        c.post("/api/v1/cases/C-000001/decisions", content=b"[1]", headers=ana).status_code == 400
    )
    case = c.get("/api/v1/cases/C-000000", headers=vic).json()
    assert case["decisions"][0]["approved_by"] == "rita"


def test_hostile_names_come_back_as_plain_json_strings(app, store_path):
    c = client(app)
    h = {"authorization": f"Bearer {api_key(store_path, 'vic')}"}
    r = c.get("/api/v1/cases/C-000000", headers=h)
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.text)["record"]["tenants"][0]["legal_name"] == HOSTILE[0]


def test_openapi_describes_the_five_operations(app):
    spec = client(app).get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/decisions",
        "/api/v1/decisions/{decision_id}/approve",
    }
    assert spec["paths"]["/api/v1/cases/{case_id}/decisions"]["post"]["responses"]["201"]
