"""Runs the `<rule-id>.test.yaml` file beside each rule: rows of features expected to hit, not hit, or be unknown.

A test file:

    rule: hq-d5                 # the rule under test (its id)
    cases:
      - name: China HQ renting H100s
        expect: hit             # hit | no-hit | unknown
        features: {hq_in_d5: true, restricted_gpu_hours_90d: 800}

Features a case does not give are null (unknown), so a case states every input the rule
reads -- which is also what makes the test document the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from auditor.engine.evaluate import HIT, NO_HIT, UNKNOWN, evaluate, outcome_label
from auditor.engine.loader import TEST_SUFFIX, RulePack
from auditor.engine.operators import BOOLEAN, LIST, NUMBER, TEXT
from auditor.errors import InputError, Problem, RuleError, SourceLocation, display_path
from auditor.yamlsource import load_yaml

DTYPES: dict[str, pl.DataType] = {
    NUMBER: pl.Float64(),
    TEXT: pl.String(),
    BOOLEAN: pl.Boolean(),
    LIST: pl.List(pl.String),
}
EXPECTATIONS = (HIT, NO_HIT, UNKNOWN)


@dataclass(frozen=True)
class CaseResult:
    file: str
    rule_id: str
    name: str
    expected: str
    actual: str
    location: SourceLocation

    @property
    def passed(self) -> bool:
        return self.expected == self.actual


def test_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*" + TEST_SUFFIX))


def _frame(rows: list[dict[str, Any]], kinds: dict[str, str]) -> pl.DataFrame:
    schema = pl.Schema({name: DTYPES[kind] for name, kind in kinds.items()})
    data = {name: [row.get(name) for row in rows] for name in schema}
    data["tenant_id"] = [f"case-{i}" for i in range(len(rows))]
    return pl.DataFrame(data, schema=schema)


def run_rule_tests(pack: RulePack, directory: Path, kinds: dict[str, str]) -> list[CaseResult]:
    """Evaluates every test case against the pack's rules; bad test files raise RuleError with locations."""
    rules = pack.by_id()
    problems: list[Problem] = []
    results: list[CaseResult] = []
    for path in test_files(directory):
        shown = display_path(path)
        try:
            doc = load_yaml(path, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        data = doc.data if isinstance(doc.data, dict) else {}
        rule = rules.get(data.get("rule") or "")
        if rule is None:
            problems.append(
                Problem(
                    doc.location(("rule",)),
                    f"rule: expected the id of a rule in the pack, got {data.get('rule')!r}",
                )
            )
            continue
        cases = data.get("cases")
        if not isinstance(cases, list) or not cases:
            problems.append(
                Problem(
                    doc.location(("cases",)),
                    "cases: expected a non-empty list of {name, expect, features}",
                )
            )
            continue
        rows, metas = [], []
        for i, case in enumerate(cases):
            where = ("cases", i)
            if (
                not isinstance(case, dict)
                or case.get("expect") not in EXPECTATIONS
                or not isinstance(case.get("features"), dict)
            ):
                problems.append(
                    Problem(
                        doc.location(where),
                        f"cases[{i}]: expected name, expect ({' | '.join(EXPECTATIONS)}) and a features mapping",
                    )
                )
                continue
            unknown = [k for k in case["features"] if k not in kinds]
            for key in unknown:
                problems.append(
                    Problem(
                        doc.location(where + ("features", key)),
                        f"cases[{i}].features: unknown feature '{key}'",
                    )
                )
            if unknown:
                continue
            rows.append(case["features"])
            metas.append((str(case.get("name", f"case {i}")), case["expect"], doc.location(where)))
        if not rows:
            continue
        try:
            frame = _frame(rows, kinds)
        except (TypeError, pl.exceptions.PolarsError) as exc:
            problems.append(
                Problem(doc.location(("cases",)), f"a feature value has the wrong type: {exc}")
            )
            continue
        outcomes = evaluate(frame, (rule,)).outcomes[rule.id].to_list()
        for (name, expected, location), value in zip(metas, outcomes):
            results.append(
                CaseResult(shown, rule.id, name, expected, outcome_label(value), location)
            )
    if problems:
        raise RuleError(problems)
    return results


def untested_rules(pack: RulePack, results: list[CaseResult]) -> list[str]:
    """Rules with no test case expecting a hit and one expecting a no-hit."""
    expected = {(r.rule_id, r.expected) for r in results}
    return sorted(
        r.id for r in pack.rules if (r.id, HIT) not in expected or (r.id, NO_HIT) not in expected
    )
