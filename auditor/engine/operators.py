"""The registry of condition operators: one spelling per name, each a Polars expression builder.

An operator receives the feature column and the rule's value and returns a Boolean
expression. Null means unknown: every operator except `is_null` / `not_null` yields null
when the feature value is null, so a rule whose input is missing is reported as unknown,
never silently as "no hit". Each entry carries its doc and a YAML example that the
conformance test loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import polars as pl

# What kind of feature column an operator applies to.
NUMBER, TEXT, BOOLEAN, LIST, ANY = "number", "text", "boolean", "list", "any"


@dataclass(frozen=True)
class Operator:
    name: str
    doc: str
    applies_to: tuple[str, ...]  # feature kinds
    value: str  # what `value` must be: "none", "scalar", "list", "number", "regex"
    build: Callable[[pl.Expr, Any], pl.Expr]
    example: str


def _unknown_if_null(column: pl.Expr, expr: pl.Expr) -> pl.Expr:
    return pl.when(column.is_null()).then(pl.lit(None, dtype=pl.Boolean)).otherwise(expr)


def _cmp(method: str) -> Callable[[pl.Expr, Any], pl.Expr]:
    return lambda col, value: getattr(col, method)(pl.lit(value))


def _is_in(col: pl.Expr, value: list[Any]) -> pl.Expr:
    """Membership; numbers are compared as floats, since Polars refuses Float64 features in a list of ints."""
    if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return col.cast(pl.Float64).is_in([float(v) for v in value])
    return col.is_in(value)


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator(
            "eq",
            "Equal to the value.",
            (NUMBER, TEXT, BOOLEAN),
            "scalar",
            _cmp("eq"),
            "{field: kyc_status, op: eq, value: verified}",
        ),
        Operator(
            "ne",
            "Not equal to the value.",
            (NUMBER, TEXT, BOOLEAN),
            "scalar",
            _cmp("ne"),
            "{field: kyc_status, op: ne, value: verified}",
        ),
        Operator(
            "gt",
            "Greater than the number.",
            (NUMBER,),
            "number",
            _cmp("gt"),
            "{field: restricted_gpu_hours_90d, op: gt, value: 0}",
        ),
        Operator(
            "gte",
            "Greater than or equal to the number.",
            (NUMBER,),
            "number",
            _cmp("ge"),
            "{field: peak_restricted_gpus, op: gte, value: 32}",
        ),
        Operator(
            "lt",
            "Less than the number.",
            (NUMBER,),
            "number",
            _cmp("lt"),
            "{field: account_age_days, op: lt, value: 30}",
        ),
        Operator(
            "lte",
            "Less than or equal to the number.",
            (NUMBER,),
            "number",
            _cmp("le"),
            "{field: account_age_days, op: lte, value: 30}",
        ),
        Operator(
            "in",
            "One of the listed values.",
            (NUMBER, TEXT),
            "list",
            lambda col, value: _is_in(col, value),
            "{field: country, op: in, value: [WS, VG, SC, KY]}",
        ),
        Operator(
            "not_in",
            "None of the listed values.",
            (NUMBER, TEXT),
            "list",
            lambda col, value: ~_is_in(col, value),
            "{field: kyc_status, op: not_in, value: [verified]}",
        ),
        Operator(
            "contains",
            "The list feature contains the value.",
            (LIST,),
            "scalar",
            lambda col, value: col.list.contains(pl.lit(value)),
            "{field: link_reasons, op: contains, value: payment_fingerprint}",
        ),
        Operator(
            "contains_any",
            "The list feature contains at least one of the values.",
            (LIST,),
            "list",
            lambda col, value: col.list.eval(pl.element().is_in(value)).list.any(),
            "{field: signin_countries, op: contains_any, value: [CN, MO]}",
        ),
        Operator(
            "matches",
            "The text matches the regular expression (Rust regex syntax: linear time, no backtracking).",
            (TEXT,),
            "regex",
            lambda col, value: col.str.contains(value),
            "{field: email_domain, op: matches, value: '\\.cn$'}",
        ),
        Operator(
            "is_null",
            "The value is absent for this tenant (known to be empty). Never unknown.",
            (ANY,),
            "none",
            lambda col, value: col.is_null(),
            "{field: phone_country, op: is_null}",
        ),
        Operator(
            "not_null",
            "The value is present for this tenant. Never unknown.",
            (ANY,),
            "none",
            lambda col, value: col.is_not_null(),
            "{field: listed_name_match, op: not_null}",
        ),
    )
}

NULL_TESTS = {"is_null", "not_null"}
AVAILABILITY_PREFIX = "__available__:"


def availability_column(field: str) -> str:
    """Name of the run-time flag column saying whether a feature's inputs were present at all."""
    return AVAILABILITY_PREFIX + field


def build_predicate(op: Operator, field: str, value: Any) -> pl.Expr:
    """The operator's expression with the null-means-unknown rule applied.

    Null tests are the one place a null is an answer rather than unknown; they still
    become unknown when the feature is unavailable in this run (its input column absent),
    which the evaluator signals through the feature's availability column.
    """
    column = pl.col(field)
    expr = op.build(column, value)
    if op.name in NULL_TESTS:
        return (
            pl.when(pl.col(availability_column(field)))
            .then(expr)
            .otherwise(pl.lit(None, dtype=pl.Boolean))
        )
    return _unknown_if_null(column, expr)
