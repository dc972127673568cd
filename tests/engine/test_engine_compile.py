"""compile_rule: every value check on both sides, each problem at its YAML path, reads in order."""

from __future__ import annotations

import pytest

from auditor.engine.compile import compile_rule
from auditor.engine.spec import RuleSpec
from auditor.features.vocabulary import feature_kinds

KINDS = feature_kinds()


def spec(when: dict, evidence: list[str] | None = None) -> RuleSpec:
    return RuleSpec.model_validate(
        {
            "id": "r",
            "version": 1,
            "title": "compile test",
            "severity": "low",
            "weight": 10,
            "rationale": "compile checks",
            "when": when,
            "evidence": evidence or [],
        }
    )


def problems(when: dict, evidence: list[str] | None = None) -> list[tuple[tuple, str]]:
    rule, found = compile_rule(spec(when, evidence), KINDS)
    assert (rule is None) == bool(found)
    return [(p.path, p.message) for p in found]


def leaf(field: str, op: str, value: object = None, with_value: bool = True) -> dict:
    return {"field": field, "op": op, **({"value": value} if with_value else {})}


GOOD = [
    leaf("listed_name_match", "not_null", with_value=False),
    leaf("kyc_status", "in", ["verified", "pending"]),
    leaf("account_age_days", "in", [1, 2.5]),
    leaf("signin_countries", "contains_any", ["CN"]),
    leaf("signin_countries", "contains", "CN"),
    leaf("account_age_days", "lt", 30),
    leaf("account_age_days", "gte", 0.5),
    leaf("email_domain", "matches", r"\.cn$"),
    leaf("kyc_status", "eq", "verified"),
    leaf("is_reseller", "eq", False),
    leaf("restricted_gpu_hours_90d", "ne", 0),
]


@pytest.mark.parametrize("when", GOOD, ids=[f"{c['field']}-{c['op']}" for c in GOOD])
def test_well_typed_conditions_compile(when):
    assert problems(when) == []


BAD = [
    (leaf("listed_name_match", "is_null", "x"), "takes no value"),
    (leaf("kyc_status", "eq", with_value=False), "needs a value"),
    (leaf("kyc_status", "in", "verified"), "needs a non-empty list of values, got str"),
    (leaf("kyc_status", "in", []), "needs a non-empty list of values, got list"),
    (leaf("kyc_status", "in", ["verified", 3]), "feature is text; expected a string, got 3"),
    (leaf("account_age_days", "in", [1, "2"]), "feature is a number; expected a number, got '2'"),
    (leaf("signin_countries", "contains_any", [["CN"]]), "expected a single value, got a list"),
    (leaf("account_age_days", "lt", "30"), "needs a number, got '30'"),
    (leaf("account_age_days", "gt", True), "needs a number, got True"),
    (leaf("email_domain", "matches", 5), "needs a regular expression string, got 5"),
    (leaf("email_domain", "matches", "(unclosed"), "invalid regular expression"),
    (leaf("email_domain", "matches", "(?=look)ahead"), "invalid regular expression"),
    (leaf("is_reseller", "eq", "yes"), "feature is true/false; expected true or false, got 'yes'"),
    (
        leaf("restricted_gpu_hours_90d", "eq", True),
        "feature is a number; expected a number, got True",
    ),
    (leaf("kyc_status", "eq", 1), "feature is text; expected a string, got 1 (quote it)"),
    (leaf("signin_countries", "contains", 5), "feature is text; expected a string, got 5"),
    (leaf("kyc_status", "eq", {"a": 1}), "expected a single value, got a dict"),
]


@pytest.mark.parametrize(
    ("when", "message"), BAD, ids=[f"{c[0]['field']}-{c[0]['op']}-{i}" for i, c in enumerate(BAD)]
)
def test_each_badly_typed_value_is_one_problem_at_the_value(when, message):
    found = problems(when)
    assert len(found) == 1, found
    path, text = found[0]
    assert path == ("when", "value") and message in text


def test_an_operator_that_does_not_suit_the_feature_is_a_problem_at_op():
    assert problems(leaf("kyc_status", "gt", 3)) == [
        (
            ("when", "op"),
            "operator 'gt' does not apply to text feature 'kyc_status'; it applies to number",
        )
    ]
    assert problems(leaf("signin_countries", "eq", "CN"))[0][0] == ("when", "op")


def test_problems_in_nested_conditions_carry_their_path_and_all_are_reported():
    when = {
        "all": [
            leaf("kyc_status", "eq", "verified"),
            {
                "any": [
                    leaf("no_such_feature", "eq", 1),
                    {"not": leaf("account_age_days", "lt", "x")},
                ]
            },
        ]
    }
    found = problems(when, evidence=["country", "countryy"])
    assert [p for p, _ in found] == [
        ("when", "all", 1, "any", 0, "field"),
        ("when", "all", 1, "any", 1, "not", "value"),
        ("evidence", 1),
    ]
    assert "unknown feature 'no_such_feature'" in found[0][1]
    assert "did you mean 'country'?" in found[2][1]


def test_reads_are_in_order_of_appearance_without_repeats_and_evidence_follows():
    when = {
        "all": [
            leaf("kyc_status", "eq", "verified"),
            leaf("account_age_days", "lt", 30),
            {"not": leaf("kyc_status", "eq", "pending")},
        ]
    }
    rule, found = compile_rule(spec(when, evidence=["country", "account_age_days"]), KINDS)
    assert not found and rule is not None
    assert rule.reads == ("kyc_status", "account_age_days")
    assert rule.evidence == ("kyc_status", "account_age_days", "country")
    assert (rule.id, rule.version, rule.severity, rule.weight) == ("r", 1, "low", 10)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(unclosed", "unclosed group"),
        ("(?=look)ahead", "look-around, including look-ahead and look-behind, is not supported"),
        ("[z-a]", "invalid character class range, the start must be <= the end"),
        (
            "a{99999999}",
            "Compiled regex exceeds size limit",
        ),  # no 'error:' line: the first line, prefix dropped
    ],
)
def test_an_invalid_regex_says_exactly_why_in_one_line(pattern, reason):
    ((path, message),) = problems(leaf("email_domain", "matches", pattern))
    assert path == ("when", "value")
    assert message.startswith(f"invalid regular expression: {reason}")
    assert "\n" not in message and "regex error:" not in message and "error: " not in message


def test_patterns_polars_accepts_are_valid_even_where_python_re_differs():
    assert problems(leaf("legal_name", "matches", r"\p{Han}+")) == []
    assert problems(leaf("legal_name", "matches", "")) == []
