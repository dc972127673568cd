"""Loads a rule pack: the one path every command takes from YAML files to compiled rules.

Validation runs cheap to deep -- YAML syntax and duplicate keys, then structure (the
pydantic spec), then references (feature names, unique ids), then compilation -- and
collects every problem in every file before raising one `RuleError`, each problem at
`file:line:col: rule 'id': field: what was expected`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from auditor.engine.compile import CompiledRule, compile_rule
from auditor.engine.spec import CONDITION_TAGS, RuleSpec
from auditor.errors import InputError, Problem, RuleError, SourceLocation, display_path
from auditor.yamlsource import YamlDocument, load_yaml

TEST_SUFFIX = ".test.yaml"


@dataclass(frozen=True)
class RulePack:
    """The compiled rules of one directory, with a checksum so every case records what scored it."""

    directory: str
    rules: tuple[CompiledRule, ...]
    checksum: str  # sha256 over file names and contents, sorted

    @property
    def version(self) -> str:
        return self.checksum[:12]

    def by_id(self) -> dict[str, CompiledRule]:
        return {r.id: r for r in self.rules}


def builtin_rules_dir() -> Path:
    """The rule pack shipped with the package (`auditor/_rules` in a wheel, `rules/` in a checkout)."""
    packaged = resources.files("auditor") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"


def rule_files(directory: Path) -> list[Path]:
    """Every `*.yaml` / `*.yml` below the directory except rule test files, in a stable order."""
    files = [
        p
        for p in directory.rglob("*")
        if p.suffix in (".yaml", ".yml") and not p.name.endswith(TEST_SUFFIX)
    ]
    return sorted(files)


def yaml_path(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Maps a pydantic error location onto the YAML path, dropping the union tags pydantic inserts."""
    out: list[Any] = []
    expect_tag = False
    for part in loc:
        if expect_tag and part in CONDITION_TAGS:
            expect_tag = False
            continue
        out.append(part)
        expect_tag = (
            (part == "when" and len(out) == 1)
            or (isinstance(part, int) and len(out) >= 2 and out[-2] in ("all", "any"))
            or part == "not"
        )
    return tuple(out)


def _describe(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(rule)"


def _pydantic_message(error: Mapping[str, Any]) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown field; remove it or check its spelling"
    if error["type"] == "missing":
        return "required field missing"
    if (
        "input" in error
        and error["type"] not in ("condition", "value_error")
        and not isinstance(error["input"], (dict, list))
    ):
        message += f" (got {error['input']!r})"
    return message


def parse_rule(doc: YamlDocument) -> tuple[RuleSpec | None, list[Problem]]:
    """Structure stage: YAML data -> RuleSpec, with located problems."""
    rule_id = doc.data.get("id") if isinstance(doc.data, dict) else None
    subject = f"rule '{rule_id}'" if isinstance(rule_id, str) else None
    if not isinstance(doc.data, dict):
        return None, [
            Problem(
                doc.location(()),
                "expected a mapping with id, version, title, severity, weight, rationale, when",
            )
        ]
    try:
        return RuleSpec.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = yaml_path(error["loc"])
            at_key = error["type"] == "extra_forbidden"
            problems.append(
                Problem(
                    doc.location(path, key=at_key),
                    f"{_describe(path)}: {_pydantic_message(error)}",
                    subject,
                )
            )
        return None, problems


def load_rule_pack(directory: str | Path, kinds: dict[str, str]) -> RulePack:
    """Loads, validates and compiles every rule under a directory; raises RuleError listing all problems."""
    directory = Path(directory)
    shown_dir = display_path(directory)
    if not directory.is_dir():
        raise RuleError([Problem(SourceLocation(shown_dir), "rules directory not found")])
    files = rule_files(directory)
    if not files:
        raise RuleError([Problem(SourceLocation(shown_dir), "no rule files (*.yaml) found")])

    problems: list[Problem] = []
    compiled: list[CompiledRule] = []
    seen: dict[str, SourceLocation] = {}
    digest = hashlib.sha256()
    for path in files:
        shown = display_path(path)
        digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            doc = load_yaml(path, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        spec, found = parse_rule(doc)
        problems.extend(found)
        if spec is None:
            continue
        subject = f"rule '{spec.id}'"
        location = doc.location(())
        if spec.id in seen:
            problems.append(
                Problem(
                    doc.location(("id",)),
                    f"id: duplicate rule id (first defined at {seen[spec.id]}); ids must be unique",
                    subject,
                )
            )
            continue
        seen[spec.id] = doc.location(("id",))
        rule, compile_problems = compile_rule(spec, kinds, location)
        for cp in compile_problems:
            problems.append(
                Problem(doc.location(cp.path), f"{_describe(cp.path)}: {cp.message}", subject)
            )
        if rule is not None:
            compiled.append(rule)
    if problems:
        raise RuleError(problems)
    return RulePack(shown_dir, tuple(compiled), digest.hexdigest())
