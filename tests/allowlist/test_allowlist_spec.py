"""allowlist.yaml is checked like the rules: every mistake located (file:line:col), cheap to deep."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from auditor.allowlist.spec import load_allowlist
from auditor.errors import ConfigError

GOOD = """\
entries:
  - id: acme-reseller
    tenants: [t000123]
    rules: [sanctioned-name-match]
    reason: reseller vetted
    owner: ana@provider.example
    created: 2026-11-01
    expires: 2027-02-01
    ticket: SEC-42
  - id: sg-verified
    where: {country: [SG, HK], kyc_status: verified, is_reseller: true}
    reason: regional partners
    owner: ben@provider.example
    created: 2026-11-01
    expires: 2026-12-01
    on_material_change: keep
"""
RULES = {"sanctioned-name-match", "reseller-unverified"}


def problems(tmp_path, text, **kw):
    path = tmp_path / "allowlist.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_allowlist(path, rule_ids=RULES, **kw)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads_with_its_entries(tmp_path):
    path = tmp_path / "allowlist.yaml"
    path.write_text(GOOD)
    loaded = load_allowlist(path, rule_ids=RULES)
    assert [e.id for e in loaded.entries] == ["acme-reseller", "sg-verified"]
    assert (
        loaded.entries[1].where["is_reseller"] is True
        and loaded.entries[1].on_material_change == "keep"
    )
    assert [e.id for e in loaded.active(date(2026, 11, 30))] == ["acme-reseller", "sg-verified"]
    assert [e.id for e in loaded.active(date(2026, 12, 1))] == [
        "acme-reseller"
    ]  # the expiry day: expired


def test_structure_mistakes_are_each_located(tmp_path):
    found = problems(
        tmp_path,
        "entries:\n"
        "  - id: no-expiry\n"  # line 2
        "    tenants: [t1]\n"
        "    reason: r\n"
        "    owner: o\n"
        "    created: 2026-11-01\n"
        "  - id: typo\n"  # line 7
        "    tenant: [t1]\n"  # line 8: unknown field
        "    reason: r\n"
        "    owner: o\n"
        "    created: 2026-11-01\n"
        "    expires: 2026-12-01\n"
        "  - id: everything\n"  # line 13
        "    reason: r\n"
        "    owner: o\n"
        "    created: 2026-11-01\n"
        "    expires: 2026-10-01\n",
    )
    assert any(":2:" in p and "expires" in p and "Field required" in p for p in found), found
    assert any(":8:5" in p and "unknown field" in p for p in found), found
    assert any(":13:" in p and "an entry needs tenants, where or rules" in p for p in found), found
    assert len(found) == 3


def test_reference_mistakes_and_the_expiry_limit_are_located(tmp_path):
    text = GOOD.replace("sanctioned-name-match]", "sanctioned-name-mach]").replace(
        "expires: 2027-02-01", "expires: 2027-06-01"
    )
    text = text.replace("kyc_status: verified", "kyc_state: verified").replace(
        "id: sg-verified", "id: acme-reseller"
    )
    found = problems(tmp_path, text)
    assert any(
        ":4:13" in p
        and "unknown rule 'sanctioned-name-mach'" in p
        and "did you mean 'sanctioned-name-match'" in p
        for p in found
    ), found
    assert any(":8:14" in p and "212 days after created; the limit is 180" in p for p in found), (
        found
    )
    assert any(
        ":11:32" in p
        and "unknown tenant field 'kyc_state'" in p
        and "did you mean 'kyc_status'" in p
        for p in found
    ), found
    assert any(":10:9" in p and "used twice (first at line 2)" in p for p in found), found


def test_the_limit_is_configurable(tmp_path):
    text = GOOD.replace("expires: 2027-02-01", "expires: 2027-06-01")
    path = tmp_path / "allowlist.yaml"
    path.write_text(text)
    assert len(load_allowlist(path, rule_ids=RULES, max_days=365).entries) == 2
    assert any("the limit is 90" in p for p in problems(tmp_path, GOOD, max_days=90))


def test_the_cli_validates_with_exit_2_and_lists_what_expires(tmp_path, cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entries:\n  - id: x\n    tenants: [t1]\n    reason: r\n    owner: o\n    created: 2026-11-01\n    expires: 2099-01-01\n"
    )
    code, out, err = cli("allowlist", "validate", bad)
    assert code == 2 and "bad.yaml:7:14" in err and "the limit is 180" in err
    today = datetime.now(timezone.utc).date()
    good = tmp_path / "good.yaml"
    good.write_text(
        "entries:\n"
        f"  - {{id: soon, tenants: [t1], reason: r, owner: ana, created: {today - timedelta(days=30)}, expires: {today + timedelta(days=5)}}}\n"
        f"  - {{id: gone, tenants: [t2], reason: r, owner: ben, created: {today - timedelta(days=30)}, expires: {today}}}\n"
        f"  - {{id: later, tenants: [t3], reason: r, owner: cy, created: {today}, expires: {today + timedelta(days=15)}}}\n"
    )
    code, out, err = cli("allowlist", "validate", good)
    assert code == 0, out + err
    assert "ok: 3 entries" in out and ", 2 active" in out
    assert "gone: expired" in out and "soon: expires in 5 day(s)" in out and "later" not in out
