"""End to end on the bundled example provider: planted evasion patterns fill the top of the queue."""

from __future__ import annotations

import json

import polars as pl
import pytest

from auditor_testkit import EXAMPLES, assert_no_traceback

CONFIG = EXAMPLES / "audit.yaml"


@pytest.fixture(scope="module")
def audit_out(tmp_path_factory):
    from auditor.cli.main import main

    out = tmp_path_factory.mktemp("audit")
    assert main(["audit", "--config", str(CONFIG), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def cases(audit_out):
    return [json.loads(line) for line in (audit_out / "cases.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def planted():
    return pl.read_csv(EXAMPLES / "provider" / "planted.csv")


def test_planted_tenants_fill_the_top_and_look_alikes_stay_out(cases, planted):
    bad = set(planted.filter(~pl.col("pattern").str.starts_with("benign"))["tenant_id"])
    benign = set(planted.filter(pl.col("pattern").str.starts_with("benign"))["tenant_id"])
    flagged = {t for case in cases for t in case["tenant_ids"]}
    assert bad <= flagged, f"planted tenants missed: {sorted(bad - flagged)}"
    assert not (benign & flagged), f"look-alikes flagged: {sorted(benign & flagged)}"
    cases_with_planted = [c for c in cases if bad & set(c["tenant_ids"])]
    top = cases[: len(cases_with_planted)]
    assert all(bad & set(c["tenant_ids"]) for c in top), (
        "a case without planted tenants outranks a planted one"
    )


def test_direct_list_matches_outrank_circumstantial_signals_alone(cases, planted):
    """On the example data every case holds a planted tenant, so 'planted first' cannot fail; the order among them can.

    A planted tenant named on, or owned by someone on, a restricted-party list is stronger
    evidence than a case resting only on a new account's ramp or a shared card; a scoring
    or band change that lets those weak signals overtake the direct matches must fail here.
    """
    listed = set(
        planted.filter(pl.col("pattern").is_in(["listed-name", "listed-owner"]))["tenant_id"]
    )
    weak_rules = {"new-unverified-ramp", "shared-instrument-cluster", "network-linked-farm"}
    direct = [c["rank"] for c in cases if listed & set(c["tenant_ids"])]
    weak_alone = [c["rank"] for c in cases if {h["rule_id"] for h in c["hits"]} <= weak_rules]
    assert len(direct) == len(listed) and weak_alone
    assert max(direct) < min(weak_alone), (direct, weak_alone)
    assert all(c["priority"] == "critical" for c in cases if c["rank"] in direct)


def test_every_pattern_is_caught_by_the_rule_meant_for_it(cases, planted):
    expected_rule = {
        "listed-name": "listed-name-match",
        "listed-owner": "listed-owner-match",
        "listed-address": "listed-address-match",
        "offshore-front": "offshore-undisclosed-owners",
        "d5-hq": None,  # HQ or ultimate parent in D:5; some are only visible through sign-ins
        "hub-front": None,
        "shared-instrument": "shared-instrument-cluster",
        "reseller": "reseller-restricted-capacity",
        "new-ramp": "new-unverified-ramp",
        "listed-affiliate": "listed-affiliate-name",
        "cip-gaps": "cip-foreign-gaps-restricted",
        "cip-reseller": "cip-reseller-downstream-unidentified",
        "reseller-d5-mix": "reseller-d5-downstream-mix",
        "declared-use-contradiction": "declared-use-contradiction",
        "listed-company-officer": "listed-company-officer",
        "renamed-after-listing": "renamed-after-listing",
        "network-farm": "network-linked-farm",
    }
    rules_by_tenant: dict[str, set[str]] = {}
    for case in cases:
        for hit in case["hits"]:
            rules_by_tenant.setdefault(hit["tenant_id"], set()).add(hit["rule_id"])
    for tenant_id, pattern in planted.select("tenant_id", "pattern").iter_rows():
        rule = expected_rule.get(pattern)
        if rule:
            assert rule in rules_by_tenant.get(tenant_id, set()), (
                tenant_id,
                pattern,
                rules_by_tenant.get(tenant_id),
            )


def test_cases_are_ranked_and_explained(cases):
    assert [c["rank"] for c in cases] == list(range(1, len(cases) + 1))
    keys = [(-c["score"], -c["exposure"]["restricted_gpu_hours_90d"]) for c in cases]
    assert keys == sorted(keys)
    for case in cases:
        assert case["priority"] in ("critical", "high", "medium", "low")
        assert case["scoring"] == "weighted-v1" and case["rule_pack"]
        assert case["hits"], case["case_id"]
        assert (
            abs(sum(h["contribution"] for h in case["hits"]) - case["score"])
            < 0.1 * len(case["hits"]) + 0.05
        )
        for hit in case["hits"]:
            assert {"rule_id", "rule_version", "severity", "weight", "evidence"} <= set(hit)
            assert hit["evidence"], hit


def test_shared_instrument_groups_become_one_case(cases, planted):
    groups = (
        planted.filter(pl.col("group").is_not_null()).group_by("group").agg(pl.col("tenant_id"))
    )
    for group, members in groups.iter_rows():
        holding = [c["case_id"] for c in cases if set(members) & set(c["tenant_ids"])]
        assert len(holding) == 1, (group, holding)


def test_network_farms_are_cases_that_name_their_networks_and_launches(cases, planted):
    """Issue 21: farms sharing no card are one case each, explained by exits and launches."""
    farms = planted.filter(pl.col("pattern") == "network-farm").group_by("group").agg("tenant_id")
    assert farms.height == 2
    for group, members in farms.iter_rows():
        (case,) = [c for c in cases if set(members) & set(c["tenant_ids"])]
        assert set(case["tenant_ids"]) == set(members), group
        assert {"source_network", "synchronized_launch"} <= set(case["link_reasons"])
        reasons = {r for h in case["hits"] for r in h["evidence"].get("network_link_reasons", [])}
        assert any(" sign-ins (" in r and "from 139.59." in r for r in reasons), reasons
        assert any(r.startswith("launched ") and "on 4 days" in r for r in reasons), reasons


def test_run_manifest_records_inputs_lists_and_unknown_types(audit_out):
    manifest = json.loads((audit_out / "run.json").read_text())
    assert manifest["complete"] is True
    assert {i["table"] for i in manifest["inputs"]} == {
        "tenants",
        "usage",
        "access",
        "ownership",
        "parties",
        "downstream",
        "list_officers",
    }
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["lists"] and manifest["lists"][0]["sha256"]
    assert (
        manifest["screening"]["name_algorithm"] == "name-v2"
        and manifest["screening"]["name_threshold"] == 0.86
    )
    assert {t["instance_type"] for t in manifest["unknown_instance_types"]} == {
        "p7.48xlarge",
        "p7e.48xlarge",
    }
    assert manifest["as_of"].startswith("2026-11-01")
    assert manifest["counts"]["usage_tenants_not_in_tenant_table"] == 0
    report = (audit_out / "report.md").read_text()
    assert "## Review queue" in report and "p7.48xlarge" in report


def test_case_ids_are_stable_across_runs(cases, tmp_path):
    from auditor.cli.main import main

    assert main(["audit", "--config", str(CONFIG), "--out", str(tmp_path)]) == 0
    again = [json.loads(line) for line in (tmp_path / "cases.jsonl").read_text().splitlines()]
    assert [(c["case_id"], c["tenant_ids"]) for c in again] == [
        (c["case_id"], c["tenant_ids"]) for c in cases
    ]


def audit_without_lists(cli, usage, out):
    """`auditor audit` on the example's tenants and `usage` alone: no lists, no sign-ins."""
    tenants = EXAMPLES / "provider" / "tenants.csv"
    as_of = "2026-11-01T00:00:00Z"
    return cli("audit", "--tenants", tenants, "--usage", usage, "--as-of", as_of, "--out", out)


def test_without_lists_or_access_rules_are_unknown_not_clean(tmp_path, cli):
    code, out, err = audit_without_lists(cli, EXAMPLES / "provider" / "usage.csv", tmp_path)
    assert code == 0, err
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert "listed_name_score" in manifest["unavailable_features"]
    assert "d5_signin_share" in manifest["unavailable_features"]
    cases = [json.loads(line) for line in (tmp_path / "cases.jsonl").read_text().splitlines()]
    assert all("listed-name-match" in c["unknown_rules"] for c in cases)
    assert not any(h["rule_id"] == "listed-name-match" for c in cases for h in c["hits"])


def test_usage_of_tenants_missing_from_the_tenant_table_is_counted_and_reported(tmp_path, cli):
    """Usage rows for two tenant ids the tenant table does not hold (three rows): the run
    counts two such tenants and the HTML report says so, rather than dropping them unseen."""
    provider = EXAMPLES / "provider"
    lines = (provider / "usage.csv").read_text().splitlines()
    row = lines[1].split(",")
    ghosts = [
        ",".join([ghost, *row[1:4], f"i-ghost{n}", *row[5:]])
        for n, ghost in enumerate(("ghost-1", "ghost-1", "ghost-2"))
    ]
    usage = tmp_path / "usage.csv"
    usage.write_text("\n".join([*lines, *ghosts]) + "\n")
    out = tmp_path / "out"
    code, _, err = audit_without_lists(cli, usage, out)
    assert code == 0, err
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["counts"]["usage_tenants_not_in_tenant_table"] == 2
    assert "2 tenant ids in usage are not in the tenant table" in (out / "report.html").read_text()


def test_investigate_explains_a_planted_tenant(cli, planted):
    tenant = planted.filter(pl.col("pattern") == "listed-address")["tenant_id"][0]
    code, out, err = cli("investigate", tenant, "--config", CONFIG, "--json")
    assert code == 0, err
    report = json.loads(out)
    outcomes = {r["rule_id"]: r for r in report["rules"]}
    assert outcomes["listed-address-match"]["outcome"] == "hit"
    assert outcomes["listed-address-match"]["values"]["listed_address_score"] >= 0.9
    assert report["case"]["tenant_ids"] and tenant in report["case"]["tenant_ids"]
    assert any(m["facet"] == "address" for m in report["screening_matches"])


def test_investigate_unknown_tenant_is_a_clear_error(cli):
    code, out, err = cli("investigate", "t999999x", "--config", CONFIG)
    assert code == 2
    assert_no_traceback(out + err)
    assert "tenant 't999999x' is not in the tenant table" in err


def test_builtin_rule_pack_tests_pass(cli):
    code, out, err = cli("rules", "test")
    assert code == 0, out + err
    assert " 0 failed" in out


def test_weak_links_are_on_the_case_record_and_its_tables(audit_out, cases):
    """Issue 21: links too weak to cluster are a field of the case, in every format."""
    weak = {c["case_id"]: c["weak_links"] for c in cases}
    assert any(weak.values())  # the example has a member on a planted shared NAT
    for case in cases:
        for line in case["weak_links"]:
            tenant, _, reason = line.partition(": ")
            assert tenant in case["tenant_ids"] and reason and not reason.startswith("weak")
    table = pl.read_parquet(audit_out / "cases.parquet")
    assert dict(zip(table["case_id"], table["weak_links"].to_list(), strict=True)) == weak
    csv = pl.read_csv(audit_out / "cases.csv", infer_schema=False)
    assert {k: v or "" for k, v in zip(csv["case_id"], csv["weak_links"], strict=True)} == {
        k: ";".join(v) for k, v in weak.items()
    }
