"""Rule evaluation: Kleene logic over nulls, unavailable inputs, evidence values, operator conformance."""

from __future__ import annotations

import json

import polars as pl
import pytest
import yaml

from auditor.engine.compile import compile_rule
from auditor.engine.evaluate import evaluate
from auditor.engine.operators import OPERATORS
from auditor.engine.spec import LeafCondition, RuleSpec
from auditor.features.vocabulary import FEATURES, feature_kinds


def rule(when: dict, evidence: list[str] | None = None) -> object:
    spec = RuleSpec.model_validate(
        {
            "id": "r",
            "version": 2,
            "title": "test rule",
            "severity": "high",
            "weight": 50,
            "rationale": "for the tests here",
            "when": when,
            "evidence": evidence or [],
        }
    )
    compiled, problems = compile_rule(spec, feature_kinds())
    assert not problems, problems
    return compiled


def frame(**columns) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    return pl.DataFrame({"tenant_id": [f"t{i}" for i in range(n)], **columns})


KLEENE = [
    # a, b, all(a,b), any(a,b), not a
    (True, True, True, True, False),
    (True, False, False, True, False),
    (True, None, None, True, False),
    (False, None, False, None, True),
    (None, None, None, None, None),
]


@pytest.mark.parametrize("a,b,all_,any_,not_", KLEENE)
def test_three_valued_logic(a, b, all_, any_, not_):
    data = frame(
        kyc_verified=pl.Series([a], dtype=pl.Boolean), is_reseller=pl.Series([b], dtype=pl.Boolean)
    )
    leaf_a = {"field": "kyc_verified", "op": "eq", "value": True}
    leaf_b = {"field": "is_reseller", "op": "eq", "value": True}
    for when, expected in (
        ({"all": [leaf_a, leaf_b]}, all_),
        ({"any": [leaf_a, leaf_b]}, any_),
        ({"not": leaf_a}, not_),
    ):
        compiled = rule(when)
        assert evaluate(data, (compiled,)).outcomes["r"][0] == expected, when


def test_null_input_is_unknown_not_no_hit_and_names_the_missing_field():
    data = frame(restricted_gpu_hours_90d=[10.0, None, 0.0])
    result = evaluate(data, (rule({"field": "restricted_gpu_hours_90d", "op": "gt", "value": 5}),))
    assert result.outcomes["r"].to_list() == [True, None, False]
    assert result.unknowns.to_dicts() == [
        {"tenant_id": "t1", "rule_id": "r", "missing": ["restricted_gpu_hours_90d"]}
    ]


def test_is_null_answers_but_becomes_unknown_when_the_input_was_not_supplied():
    data = frame(listed_name_match=pl.Series([None, "x"], dtype=pl.String))
    compiled = rule({"field": "listed_name_match", "op": "is_null"})
    assert evaluate(data, (compiled,)).outcomes["r"].to_list() == [True, False]
    assert evaluate(data, (compiled,), unavailable={"listed_name_match"}).outcomes[
        "r"
    ].to_list() == [None, None]


def test_hit_carries_rule_version_and_the_values_that_fired_it():
    data = frame(
        hq_country=["CN", "US"],
        restricted_gpu_hours_90d=[800.0, 900.0],
        restricted_models=[["H100-80GB"], []],
    )
    compiled = rule(
        {
            "all": [
                {"field": "hq_country", "op": "in", "value": ["CN", "MO"]},
                {"field": "restricted_gpu_hours_90d", "op": "gte", "value": 500},
            ]
        },
        evidence=["restricted_models"],
    )
    hits = evaluate(data, (compiled,)).hits
    assert hits.height == 1
    hit = hits.to_dicts()[0]
    assert (hit["tenant_id"], hit["rule_id"], hit["rule_version"]) == ("t0", "r", 2)
    assert json.loads(hit["evidence"]) == {
        "hq_country": "CN",
        "restricted_gpu_hours_90d": 800.0,
        "restricted_models": ["H100-80GB"],
    }


@pytest.mark.parametrize(
    "op,value,column,data,expected",
    [
        (
            "contains",
            "phone",
            "link_reasons",
            [["phone", "address"], [], None],
            [True, False, None],
        ),
        (
            "contains_any",
            ["CN", "MO"],
            "signin_countries",
            [["US", "MO"], ["US"], None],
            [True, False, None],
        ),
        ("matches", r"\.cn$", "email_domain", ["a.com.cn", "a.com", None], [True, False, None]),
        ("not_in", ["verified"], "kyc_status", ["pending", "verified", None], [True, False, None]),
        ("ne", "CN", "country", ["US", "CN", None], [True, False, None]),
        ("lte", 30, "account_age_days", [30.0, 31.0, None], [True, False, None]),
    ],
)
def test_operators(op, value, column, data, expected):
    kind = FEATURES[column].kind
    dtype = {"list": pl.List(pl.String), "text": pl.String, "number": pl.Float64}[kind]
    compiled = rule({"field": column, "op": op, "value": value})
    assert (
        evaluate(frame(**{column: pl.Series(data, dtype=dtype)}), (compiled,))
        .outcomes["r"]
        .to_list()
        == expected
    )


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_every_operator_is_documented_with_an_example_that_compiles(name):
    op = OPERATORS[name]
    assert op.doc and op.example
    leaf = LeafCondition.model_validate(yaml.safe_load(op.example))
    assert leaf.op == name
    rule(leaf.model_dump(exclude_none=True))


def test_every_feature_is_documented():
    for feature in FEATURES.values():
        assert feature.doc.strip() and feature.inputs, feature.name
