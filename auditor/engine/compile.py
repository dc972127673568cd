"""Turns a validated `RuleSpec` into a `CompiledRule`: a Polars predicate plus what it reads.

Compiling checks everything that needs the feature vocabulary but no data: every field a
rule reads exists, each operator suits the column's kind, and each value has the type
the operator needs. Problems are returned with their YAML path so the loader can point
at the line; compiling never reads data, and evaluating never reads YAML.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import polars as pl

from auditor.engine.operators import ANY, BOOLEAN, LIST, NUMBER, OPERATORS, TEXT, build_predicate
from auditor.engine.spec import AllCondition, AnyCondition, LeafCondition, NotCondition, RuleSpec
from auditor.errors import SourceLocation

YamlPath = tuple[Any, ...]


@dataclass(frozen=True)
class CompiledRule:
    """What runs: the predicate over the feature table and the columns to show as evidence."""

    id: str
    version: int
    title: str
    severity: str
    weight: float
    rationale: str
    predicate: pl.Expr
    reads: tuple[str, ...]  # feature columns the condition reads, in order of appearance
    evidence: tuple[str, ...]  # reads + declared evidence, deduplicated
    location: SourceLocation | None
    spec: RuleSpec


@dataclass(frozen=True)
class CompileProblem:
    path: YamlPath
    message: str


def _value_problem(op_name: str, value: Any, kind: str) -> str | None:
    op = OPERATORS[op_name]
    if op.value == "none":
        return None if value is None else f"operator '{op_name}' takes no value; remove 'value'"
    if value is None:
        return f"operator '{op_name}' needs a value"
    if op.value == "list":
        if not isinstance(value, list) or not value:
            return (
                f"operator '{op_name}' needs a non-empty list of values, got {type(value).__name__}"
            )
        return next(
            (p for p in (_scalar_problem(v, kind if kind != LIST else TEXT) for v in value) if p),
            None,
        )
    if op.value == "number":
        return None if _is_number(value) else f"operator '{op_name}' needs a number, got {value!r}"
    if op.value == "regex":
        if not isinstance(value, str):
            return f"operator '{op_name}' needs a regular expression string, got {value!r}"
        problem = regex_problem(value)
        return f"invalid regular expression: {problem}" if problem else None
    return _scalar_problem(value, kind if kind != LIST else TEXT)


def regex_problem(pattern: str) -> str | None:
    """Why the engine that evaluates rules (Polars, Rust `regex` syntax) cannot run a pattern, or None.

    Validating with Python's `re` would pass look-around and backreferences, which Polars
    refuses only when the audit runs, and reject `\\p{Han}`, which Polars accepts. So the
    pattern is compiled by Polars itself, on an empty string.
    """
    try:
        pl.select(pl.lit("", dtype=pl.String).str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        reason = next(
            (line.removeprefix("error: ") for line in lines if line.startswith("error: ")), None
        )
        return reason or (lines[0].removeprefix("regex error: ") if lines else type(exc).__name__)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar_problem(value: Any, kind: str) -> str | None:
    if isinstance(value, (list, dict)):
        return f"expected a single value, got a {type(value).__name__}"
    if kind == NUMBER and not _is_number(value):
        return f"feature is a number; expected a number, got {value!r}"
    if kind == BOOLEAN and not isinstance(value, bool):
        return f"feature is true/false; expected true or false, got {value!r}"
    if kind == TEXT and not isinstance(value, str):
        return f"feature is text; expected a string, got {value!r} (quote it)"
    return None


class _Compiler:
    def __init__(self, kinds: dict[str, str]):
        self.kinds = kinds
        self.reads: list[str] = []
        self.problems: list[CompileProblem] = []

    def condition(self, cond: Any, path: YamlPath) -> pl.Expr:
        if isinstance(cond, AllCondition):
            parts = [self.condition(c, path + ("all", i)) for i, c in enumerate(cond.all)]
            return pl.all_horizontal(parts)
        if isinstance(cond, AnyCondition):
            parts = [self.condition(c, path + ("any", i)) for i, c in enumerate(cond.any)]
            return pl.any_horizontal(parts)
        if isinstance(cond, NotCondition):
            return ~self.condition(cond.not_, path + ("not",))
        assert isinstance(cond, LeafCondition)
        return self.leaf(cond, path)

    def leaf(self, cond: LeafCondition, path: YamlPath) -> pl.Expr:
        fallback = pl.lit(None, dtype=pl.Boolean)
        kind = self.kinds.get(cond.field)
        if kind is None:
            close = difflib.get_close_matches(cond.field, self.kinds, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problems.append(
                CompileProblem(
                    path + ("field",), f"unknown feature '{cond.field}'{hint}; see docs/features.md"
                )
            )
            return fallback
        if cond.field not in self.reads:
            self.reads.append(cond.field)
        op = OPERATORS[cond.op]
        if ANY not in op.applies_to and kind not in op.applies_to:
            self.problems.append(
                CompileProblem(
                    path + ("op",),
                    f"operator '{cond.op}' does not apply to {kind} feature '{cond.field}'; it applies to {', '.join(op.applies_to)}",
                )
            )
            return fallback
        problem = _value_problem(cond.op, cond.value, kind)
        if problem:
            self.problems.append(CompileProblem(path + ("value",), problem))
            return fallback
        value = float(cond.value) if op.value == "number" else cond.value
        return build_predicate(op, cond.field, value)


def compile_rule(
    spec: RuleSpec, kinds: dict[str, str], location: SourceLocation | None = None
) -> tuple[CompiledRule | None, list[CompileProblem]]:
    """Compiles one rule against the feature vocabulary (column name -> kind)."""
    compiler = _Compiler(kinds)
    predicate = compiler.condition(spec.when, ("when",))
    for i, name in enumerate(spec.evidence):
        if name not in kinds:
            close = difflib.get_close_matches(name, kinds, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            compiler.problems.append(
                CompileProblem(("evidence", i), f"unknown feature '{name}'{hint}")
            )
    if compiler.problems:
        return None, compiler.problems
    evidence = tuple(dict.fromkeys([*compiler.reads, *spec.evidence]))
    rule = CompiledRule(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        severity=spec.severity.value,
        weight=spec.weight,
        rationale=spec.rationale,
        predicate=predicate.alias(spec.id),
        reads=tuple(compiler.reads),
        evidence=evidence,
        location=location,
        spec=spec,
    )
    return rule, []
