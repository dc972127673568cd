"""Every operator on both sides of its boundary, through compile and evaluate, with null as unknown."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.engine.compile import compile_rule
from auditor.engine.evaluate import evaluate
from auditor.engine.operators import OPERATORS
from auditor.engine.spec import RuleSpec
from auditor.features.vocabulary import feature_kinds


def outcomes(
    field: str, op: str, value: object, values: list, dtype: pl.DataType
) -> list[bool | None]:
    condition = {"field": field, "op": op} | ({} if value is None else {"value": value})
    spec = RuleSpec.model_validate(
        {
            "id": "r",
            "version": 1,
            "title": "boundary",
            "severity": "low",
            "weight": 10,
            "rationale": "operator boundary test",
            "when": condition,
        }
    )
    compiled, problems = compile_rule(spec, feature_kinds())
    assert not problems, problems
    data = pl.DataFrame(
        {"tenant_id": [f"t{i}" for i in range(len(values))], field: pl.Series(values, dtype=dtype)}
    )
    return evaluate(data, (compiled,)).outcomes["r"].to_list()


NUMBERS = [29.0, 29.999, 30.0, 30.001, 31.0, None]
CASES = [
    # op, value, outcomes for NUMBERS: just below, at, just above the value, and null
    ("lt", 30, [True, True, False, False, False, None]),
    ("lte", 30, [True, True, True, False, False, None]),
    ("gt", 30, [False, False, False, True, True, None]),
    ("gte", 30, [False, False, True, True, True, None]),
    ("eq", 30, [False, False, True, False, False, None]),
    ("ne", 30, [True, True, False, True, True, None]),
    ("in", [29, 30], [True, False, True, False, False, None]),
    ("not_in", [29, 30], [False, True, False, True, True, None]),
]


@pytest.mark.parametrize(("op", "value", "expected"), CASES, ids=[c[0] for c in CASES])
def test_numeric_operators_on_both_sides_of_the_value(op, value, expected):
    assert outcomes("account_age_days", op, value, NUMBERS, pl.Float64) == expected


def test_numeric_operators_at_zero_and_below():
    values = [-1.0, 0.0, 1e-9, None]
    assert outcomes("restricted_gpu_hours_90d", "gt", 0, values, pl.Float64) == [
        False,
        False,
        True,
        None,
    ]
    assert outcomes("restricted_gpu_hours_90d", "gte", 0, values, pl.Float64) == [
        False,
        True,
        True,
        None,
    ]
    assert outcomes("restricted_gpu_hours_90d", "lt", 0, values, pl.Float64) == [
        True,
        False,
        False,
        None,
    ]
    assert outcomes("restricted_gpu_hours_90d", "lte", 0, values, pl.Float64) == [
        True,
        True,
        False,
        None,
    ]


def test_text_operators():
    values = ["verified", "pending", "Verified", None]
    assert outcomes("kyc_status", "eq", "verified", values, pl.String) == [True, False, False, None]
    assert outcomes("kyc_status", "ne", "verified", values, pl.String) == [False, True, True, None]
    assert outcomes("kyc_status", "in", ["verified", "pending"], values, pl.String) == [
        True,
        True,
        False,
        None,
    ]
    assert outcomes("kyc_status", "not_in", ["verified"], values, pl.String) == [
        False,
        True,
        True,
        None,
    ]
    domains = ["lab.cn", "cn.example", "x.com.cn", None]
    assert outcomes("email_domain", "matches", r"\.cn$", domains, pl.String) == [
        True,
        False,
        True,
        None,
    ]


def test_boolean_equality():
    values = [True, False, None]
    assert outcomes("is_reseller", "eq", True, values, pl.Boolean) == [True, False, None]
    assert outcomes("is_reseller", "ne", True, values, pl.Boolean) == [False, True, None]


def test_list_operators_including_the_empty_list():
    values = [["CN", "US"], ["US"], [], None]
    dtype = pl.List(pl.String)
    assert outcomes("signin_countries", "contains", "CN", values, dtype) == [
        True,
        False,
        False,
        None,
    ]
    assert outcomes("signin_countries", "contains_any", ["CN", "MO"], values, dtype) == [
        True,
        False,
        False,
        None,
    ]
    assert outcomes("signin_countries", "contains_any", ["US", "MO"], values, dtype) == [
        True,
        True,
        False,
        None,
    ]


def test_null_tests_answer_even_for_null():
    values = ["x", None]
    assert outcomes("listed_name_match", "is_null", None, values, pl.String) == [False, True]
    assert outcomes("listed_name_match", "not_null", None, values, pl.String) == [True, False]


def test_every_registered_operator_is_covered_here():
    covered = {c[0] for c in CASES} | {"matches", "contains", "contains_any", "is_null", "not_null"}
    assert covered == set(OPERATORS)
