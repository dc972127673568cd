"""Allowlist entries from the console: proposed from a case, approved by a second person, listed, exported, escaped."""

from __future__ import annotations

from datetime import date, timedelta

import yaml

from auditor.allowlist.spec import load_allowlist
from auditor.store import open_store
from console_testkit import csrf_of, sign_in

EXPIRES = (date.today() + timedelta(days=30)).isoformat()


def propose(c, case_id="C-000001", **over):
    form = {
        "csrf": csrf_of(c, f"/cases/{case_id}"),
        "tenant": [f"t-{int(case_id[2:]):06d}"],
        "reason": "reseller vetted in SEC-42",
        "expires": EXPIRES,
        "ticket": "SEC-42",
        **over,
    }
    return c.post(f"/cases/{case_id}/allowlist", data=form)


def test_an_entry_proposed_from_a_case_waits_and_a_reviewer_brings_it_into_force(app, store_path):
    ana = sign_in(app, "ana")
    case = ana.get("/cases/C-000001").text
    assert 'id="propose-allowlist"' in case and 'value="t-000001" checked' in case
    r = propose(ana, rule=["new-unverified-ramp", "not-a-rule-of-this-case"])
    assert r.status_code == 303 and "console%3A1+waits+for+a+reviewer" in r.headers["location"]
    listing = ana.get("/allowlist").text
    assert "console:1" in listing and "pending" in listing and 'id="approve-entry-1"' not in listing
    assert (
        ana.post(
            "/allowlist/1/review", data={"csrf": csrf_of(ana, "/allowlist"), "outcome": "approve"}
        ).status_code
        == 403
    )
    rita = sign_in(app, "rita")
    assert 'id="approve-entry-1"' in rita.get("/allowlist").text
    r = rita.post(
        "/allowlist/1/review",
        data={"csrf": csrf_of(rita, "/allowlist"), "outcome": "approve", "note": "ok"},
    )
    assert "approved" in r.headers["location"]
    assert "in force" in rita.get("/allowlist").text
    assert "entry console:1 (approved)" in rita.get("/cases/C-000001").text
    with open_store(store_path) as st:
        (entry,) = st.allowlist_entries()
        assert entry.tenants == ["t-000001"] and entry.rules == ["new-unverified-ramp"]
        assert entry.owner == "ana" and entry.ticket == "SEC-42" and st.verify().ok


def test_a_reviewer_cannot_approve_their_own_entry(app):
    rita = sign_in(app, "rita")
    propose(rita)
    assert 'id="approve-entry-1"' not in rita.get("/allowlist").text
    r = rita.post(
        "/allowlist/1/review", data={"csrf": csrf_of(rita, "/allowlist"), "outcome": "approve"}
    )
    assert "may+not+approve+it" in r.headers["location"]


def test_bad_proposals_change_nothing_and_say_why(app, store_path):
    ana = sign_in(app, "ana")
    r = propose(ana, tenant=["t-999999"])  # not a tenant of this case
    assert "choose+at+least+one" in r.headers["location"]
    r = propose(ana, expires=(date.today() + timedelta(days=400)).isoformat())
    assert "the+limit+is+180" in r.headers["location"]
    r = propose(ana, reason="")
    assert "reason" in r.headers["location"]
    vic = sign_in(app, "vic")
    assert (
        propose(vic).status_code == 403
        and 'id="propose-allowlist"' not in vic.get("/cases/C-000001").text
    )
    with open_store(store_path) as st:
        assert st.allowlist_proposals() == []


def test_exports_are_a_loadable_allowlist_file_and_json_lines(app, tmp_path):
    ana, rita = sign_in(app, "ana"), sign_in(app, "rita")
    propose(ana)
    propose(ana, case_id="C-000002", reason='<script>alert(1)</script> =HYPERLINK("x")')
    rita.post(
        "/allowlist/1/review", data={"csrf": csrf_of(rita, "/allowlist"), "outcome": "approve"}
    )
    page = rita.get("/allowlist").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    exported = sign_in(app, "vic").get("/allowlist.yaml")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    path = tmp_path / "allowlist.yaml"
    path.write_bytes(exported.content)
    (entry,) = load_allowlist(path).entries  # only the approved one
    assert entry.id == "console-1" and "approved by rita" in exported.text
    lines = [
        yaml.safe_load(x) for x in sign_in(app, "vic").get("/allowlist.jsonl").text.splitlines()
    ]
    assert [(x["id"], x["state"]) for x in lines] == [
        ("console:1", "approved"),
        ("console:2", "pending"),
    ]


def test_an_entry_in_force_can_be_revoked_from_the_allowlist_page(app, store_path):
    ana, rita = sign_in(app, "ana"), sign_in(app, "rita")
    propose(ana)
    rita.post(
        "/allowlist/1/review", data={"csrf": csrf_of(rita, "/allowlist"), "outcome": "approve"}
    )
    assert 'id="revoke-entry-1"' in ana.get("/allowlist").text
    assert 'id="revoke-entry-1"' not in sign_in(app, "vic").get("/allowlist").text
    r = ana.post(
        "/allowlist/1/revoke", data={"csrf": csrf_of(ana, "/allowlist"), "reason": "not vetted"}
    )
    assert "revoked" in r.headers["location"]
    page = ana.get("/allowlist").text
    assert "revoked by ana: not vetted" in page and 'id="revoke-entry-1"' not in page
    with open_store(store_path) as st:
        assert st.allowlist_entries() == [] and st.verify().ok
