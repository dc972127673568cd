"""What a rule author writes: the YAML rule schema as strict, frozen pydantic models.

A `RuleSpec` round-trips to YAML and knows nothing about Polars; `compile.py` turns it
into a `CompiledRule`. Unknown keys are errors (a typo must never silently disable a
condition), and operators are checked against the registry with a "did you mean".
"""

from __future__ import annotations

import difflib
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from auditor.engine.operators import OPERATORS

RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Severity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _closest_operator(op: str) -> str | None:
    """A typo'd operator's likely intent: the longest operator it extends (gt_than -> gt), else the closest spelling."""
    prefixes = [name for name in OPERATORS if op.lower().startswith(name)]
    if prefixes:
        return max(prefixes, key=len)
    close = difflib.get_close_matches(op.lower(), OPERATORS, n=1, cutoff=0.5)
    return close[0] if close else None


class LeafCondition(_Strict):
    """`field op value`: one test of one feature column."""

    field: str = Field(description="Feature column to test (see docs/features.md).")
    op: str = Field(description="Operator: " + ", ".join(OPERATORS))
    value: Any = Field(default=None, description="Operand; its type depends on the operator.")

    @field_validator("op")
    @classmethod
    def _known_operator(cls, op: str) -> str:
        if op not in OPERATORS:
            hint = f" (did you mean '{_closest_operator(op)}'?)" if _closest_operator(op) else ""
            raise ValueError(
                f"unknown operator '{op}'; expected one of {', '.join(OPERATORS)}{hint}"
            )
        return op


class AllCondition(_Strict):
    """True when every sub-condition is true; unknown when none is false and one is unknown."""

    all: list[Condition] = Field(min_length=1)


class AnyCondition(_Strict):
    """True when a sub-condition is true; unknown when none is true and one is unknown."""

    any: list[Condition] = Field(min_length=1)


class NotCondition(_Strict):
    """Negation; unknown stays unknown."""

    not_: Condition = Field(alias="not")


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            LeafCondition: "leaf",
            AllCondition: "all",
            AnyCondition: "any",
            NotCondition: "not",
        }.get(type(value))
    if not isinstance(value, dict):
        return None
    for key in ("all", "any", "not"):
        if key in value:
            return key
    return "leaf"


Condition = Annotated[
    Annotated[LeafCondition, Tag("leaf")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="expected a condition: a mapping with 'all', 'any', 'not', or 'field' + 'op' (+ 'value')",
    ),
]
CONDITION_TAGS = ("leaf", "all", "any", "not")

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()


class RuleSpec(_Strict):
    """One rule file. `id` is kebab-case and never reused; bump `version` when the logic changes."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="Stable kebab-case id, never reused.")
    version: int = Field(ge=1, description="Bumped whenever the rule's logic changes.")
    title: str = Field(min_length=3, description="One line an analyst reads in the case.")
    severity: Severity
    weight: float = Field(
        gt=0, le=100, description="Strength of the signal, 0-100, used by the scoring algorithm."
    )
    rationale: str = Field(min_length=10, description="Why this signal matters, for the analyst.")
    references: list[str] = Field(
        default_factory=list, description="Regulations, guidance or cases behind the rule."
    )
    tags: list[str] = Field(default_factory=list)
    when: Condition
    evidence: list[str] = Field(
        default_factory=list, description="Extra feature columns shown with each hit."
    )
