"""The example provider's planted ownership structures: each fires the rule meant for it, the look-alikes fire none.

As of 2026-11-01 the OFAC 50 percent rule is in force and the BIS Affiliates Rule is
suspended; the outputs carry the proof.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from auditor_testkit import EXAMPLES

OWNERSHIP_RULES = {
    "listed-ownership-50",
    "listed-ownership-50-suspended",
    "listed-ownership-undetermined",
    "listed-minority-stake",
}
EXPECTED = {
    "ownership-holding-chain": {"listed-ownership-50"},
    "ownership-aggregate": {"listed-ownership-50"},
    "ownership-cycle": {"listed-ownership-50"},
    "ownership-minority": {"listed-minority-stake"},
    "ownership-banded": {"listed-ownership-undetermined", "listed-minority-stake"},
    "ownership-suspended-regime": {"listed-ownership-50-suspended"},
}


@pytest.fixture(scope="module")
def audit_out(tmp_path_factory):
    from auditor.cli.main import main

    out = tmp_path_factory.mktemp("own")
    assert main(["audit", "--config", str(EXAMPLES / "audit.yaml"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def planted():
    return pl.read_csv(EXAMPLES / "provider" / "planted.csv").filter(
        pl.col("pattern").str.contains("ownership")
    )


@pytest.fixture(scope="module")
def cases(audit_out):
    return [json.loads(line) for line in (audit_out / "cases.jsonl").read_text().splitlines()]


def _rules_by_tenant(cases):
    found: dict[str, set[str]] = {}
    for case in cases:
        for hit in case["hits"]:
            found.setdefault(hit["tenant_id"], set()).add(hit["rule_id"])
    return found


def test_each_planted_structure_fires_exactly_its_ownership_rules(cases, planted):
    found = _rules_by_tenant(cases)
    seen = set()
    for tenant_id, pattern in planted.select("tenant_id", "pattern").iter_rows():
        if pattern.startswith("benign"):
            continue
        seen.add(pattern)
        assert found.get(tenant_id, set()) & OWNERSHIP_RULES == EXPECTED[pattern], (
            pattern,
            found.get(tenant_id),
        )
    assert seen == set(EXPECTED)


def test_look_alikes_fire_nothing(cases, planted):
    found = _rules_by_tenant(cases)
    benign = planted.filter(pl.col("pattern").str.starts_with("benign"))
    assert benign.height == 3
    for tenant_id, pattern in benign.select("tenant_id", "pattern").iter_rows():
        assert tenant_id not in found, (pattern, found.get(tenant_id))


def _tenant(planted, pattern):
    return planted.filter(pl.col("pattern") == pattern)["tenant_id"].item()


def _case_of(cases, tenant_id):
    return next(c for c in cases if tenant_id in c["tenant_ids"])


def test_the_case_carries_the_proof_down_to_the_list_entry(cases, planted):
    tenant = _tenant(planted, "ownership-holding-chain")
    case = _case_of(cases, tenant)
    proof = next(p for p in case["ownership"][tenant] if p["regime"] == "ofac-50")
    assert (
        proof["verdict"] == "restricted"
        and proof["status"] == "in-force"
        and proof["threshold"] == 50
    )
    chain = proof["chain"]
    assert (
        chain["sum"] == 60 and chain["reaches_threshold"] and chain["smallest_set"] == ["P-CORAL"]
    )
    holder = chain["holders"][0]
    assert (
        holder["owner_id"] == "P-CORAL"
        and holder["sources"][0]["source_ref"] == "SG-ACRA-201912345K/sh-3"
    )
    seed = holder["because"]["holders"][0]
    assert seed["owner_id"] == "P-SIGMA" and seed["because"]["listed"]["list"] == "SDN"
    assert (
        seed["because"]["listed"]["entry_name"]
        == "Limited Liability Company Sigma Vychislitelnye Sistemy"
    )
    assert [n["owner_id"] for n in chain["not_counted"]] == ["P-KOROLEV"]
    assert "not a legal determination" in proof["notice"]
    hit = next(h for h in case["hits"] if h["rule_id"] == "listed-ownership-50")
    assert (
        "Coral Reef Holdings Limited" in hit["evidence"]["ownership_proof"]
        and "60% >= 50%" in hit["evidence"]["ownership_proof"]
    )


def test_aggregate_sources_disagree_and_the_range_widens(cases, planted):
    tenant = _tenant(planted, "ownership-aggregate")
    proof = next(
        p for p in _case_of(cases, tenant)["ownership"][tenant] if p["regime"] == "ofac-50"
    )
    baikal = next(h for h in proof["chain"]["holders"] if h["owner_id"] == "P-BAIKAL")
    assert baikal["stated"] == "30% to 32%" and baikal["sources_disagree"]
    assert proof["chain"]["sum"] == 55 and proof["chain"]["smallest_set"] == ["P-BAIKAL", "P-IEI"]


def test_banded_stake_names_the_share_that_would_decide(cases, planted):
    tenant = _tenant(planted, "ownership-banded")
    proof = next(
        p for p in _case_of(cases, tenant)["ownership"][tenant] if p["regime"] == "ofac-50"
    )
    assert proof["verdict"] == "possibly-restricted"
    [deciding] = proof["unknown_shares_that_could_decide"]
    assert deciding["owner_id"] == "P-IEI" and deciding["smallest_share_that_restricts"] == 50
    assert deciding["stated"] == "more than 25% to 50%"


def test_suspended_regime_is_named_in_the_case(cases, planted):
    tenant = _tenant(planted, "ownership-suspended-regime")
    [proof] = _case_of(cases, tenant)["ownership"][tenant]
    assert (proof["regime"], proof["status"], proof["in_force_on_as_of"]) == (
        "bis-affiliates",
        "suspended",
        False,
    )


def test_reports_and_run_json_show_regimes_and_proof(audit_out, planted):
    tenant = _tenant(planted, "ownership-holding-chain")
    md = (audit_out / "report.md").read_text()
    assert (
        f"Ownership of `{tenant}`" in md
        and "SDN entry 'Limited Liability Company Sigma Vychislitelnye Sistemy'" in md
    )
    assert "not a legal determination" in md
    html = (audit_out / "report.html").read_text()
    assert (
        f"Ownership of <code>{tenant}</code>" in html
        and "smallest set of holders reaching it: P-CORAL" in html
    )
    manifest = json.loads((audit_out / "run.json").read_text())["ownership"]
    status = {r["id"]: r["status"] for r in manifest["regimes"]}
    assert status == {"ofac-50": "in-force", "bis-affiliates": "suspended"}
    assert {i["table"] for i in json.loads((audit_out / "run.json").read_text())["inputs"]} >= {
        "ownership",
        "parties",
    }


def test_investigate_prints_the_proof(planted, cli):
    tenant = _tenant(planted, "ownership-cycle")
    code, out, err = cli("investigate", tenant, "--config", EXAMPLES / "audit.yaml", "--json")
    assert code == 0, err
    report = json.loads(out)
    proof = next(p for p in report["ownership"] if p["regime"] == "ofac-50")
    assert proof["verdict"] == "restricted" and proof["chain"]["holders"][0]["owner_id"] == "P-LCS"
    code, out, _ = cli("investigate", tenant, "--config", EXAMPLES / "audit.yaml")
    assert code == 0 and "OFAC 50 percent rule (ofac-50): restricted" in out
