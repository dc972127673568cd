"""A feature whose input was not supplied is unknown for every rule, even if the column holds values."""

from __future__ import annotations

import polars as pl

from auditor.engine.compile import compile_rule
from auditor.engine.evaluate import HITS_SCHEMA, UNKNOWNS_SCHEMA, evaluate, outcome_label
from auditor.engine.spec import RuleSpec
from auditor.features.vocabulary import feature_kinds


def rule(rule_id: str, when: dict) -> object:
    spec = RuleSpec.model_validate(
        {
            "id": rule_id,
            "version": 1,
            "title": "availability",
            "severity": "low",
            "weight": 10,
            "rationale": "availability test",
            "when": when,
        }
    )
    compiled, problems = compile_rule(spec, feature_kinds())
    assert not problems
    return compiled


def test_values_in_an_unavailable_column_are_not_used():
    data = pl.DataFrame(
        {
            "tenant_id": ["a", "b"],
            "kyc_status": ["verified", "pending"],
            "account_age_days": [3.0, 300.0],
        }
    )
    rules = (
        rule("verified", {"field": "kyc_status", "op": "eq", "value": "verified"}),
        rule("young", {"field": "account_age_days", "op": "lt", "value": 30}),
    )
    result = evaluate(data, rules, unavailable={"kyc_status"})
    assert result.outcomes["verified"].to_list() == [None, None]
    assert result.outcomes["young"].to_list() == [True, False]  # an available feature is unaffected
    assert result.hits.select("tenant_id", "rule_id").rows() == [("a", "young")]
    assert sorted(result.unknowns.rows()) == [
        ("a", "verified", ["kyc_status"]),
        ("b", "verified", ["kyc_status"]),
    ]


def test_no_rules_give_empty_typed_tables():
    result = evaluate(pl.DataFrame({"tenant_id": ["a"]}), ())
    assert result.hits.schema == pl.Schema(HITS_SCHEMA) and result.hits.height == 0
    assert result.unknowns.schema == pl.Schema(UNKNOWNS_SCHEMA) and result.unknowns.height == 0


def test_outcome_labels():
    assert [outcome_label(v) for v in (True, False, None)] == ["hit", "no-hit", "unknown"]
