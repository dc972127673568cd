"""allowlist.yaml: entries, each with who asked, why, and until when; validated cheap to deep.

An allowlist is reviewed in pull requests like the rules, so its mistakes point at the line:
YAML syntax and duplicate keys, then the entry's structure, then the references (tenant
fields that exist, rule ids the pack has, entry ids used once) and the expiry limit. Every
entry must expire: a mute that never ends is the complaint this file exists to answer.

    entries:
      - id: acme-reseller-review
        tenants: [t000123]           # and/or where: {country: SG, kyc_status: verified}
        rules: [reseller-unverified] # optional: only these rules' hits are covered
        reason: reseller vetted in SEC-42
        owner: ana@provider.example
        created: 2026-11-01
        expires: 2027-02-01          # at most `allowlist_max_days` (180) after created
        ticket: SEC-42               # optional
        on_material_change: lift     # lift (default) | keep
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from auditor.errors import ConfigError, Problem
from auditor.model.schema import TENANTS, Kind
from auditor.yamlsource import YamlDocument, load_yaml

DEFAULT_MAX_DAYS = 180
# Tenant fields an entry may match on: scalar KYC fields (lists and timestamps do not compare by equality).
MATCHABLE_FIELDS = tuple(
    c.name
    for c in TENANTS.columns
    if c.kind in (Kind.TEXT, Kind.ENUM, Kind.BOOLEAN) and c.name != "tenant_id"
)

Scalar = str | bool | int


class AllowlistEntry(BaseModel):
    """One reviewed exception: which hits it covers, why, whose, and for how long."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    tenants: list[str] = Field(default_factory=list, description="Tenant ids the entry covers.")
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict,
        description="Tenant fields that must all match (a list: any of its values).",
    )
    rules: list[str] = Field(
        default_factory=list, description="Only these rules' hits are covered."
    )
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    created: date
    expires: date
    ticket: str | None = None
    on_material_change: Literal["lift", "keep"] = "lift"

    @model_validator(mode="after")
    def _selects_something(self) -> AllowlistEntry:
        if not (self.tenants or self.where or self.rules):
            raise ValueError(
                "an entry needs tenants, where or rules: an entry matching every case is refused"
            )
        if self.expires <= self.created:
            raise ValueError(f"expires ({self.expires}) must be after created ({self.created})")
        return self

    def expired(self, today: date) -> bool:
        return today >= self.expires

    def days_left(self, today: date) -> int:
        return (self.expires - today).days


class _AllowlistFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    entries: list[AllowlistEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Allowlist:
    path: str
    sha256: str
    entries: list[AllowlistEntry]

    def active(self, today: date) -> list[AllowlistEntry]:
        return [e for e in self.entries if not e.expired(today)]


def _structure_problems(doc: YamlDocument, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            problems.append(
                Problem(doc.location(loc, key=True), "unknown field", subject=_subject(loc))
            )
            continue
        if error["type"] == "value_error" and len(loc) == 2:
            # An entry-level check (model_validator): point at the entry's id.
            loc = (*loc, "id")
        problems.append(
            Problem(
                doc.location(loc), error["msg"].removeprefix("Value error, "), subject=_subject(loc)
            )
        )
    return problems


def _subject(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _reference_problems(
    doc: YamlDocument, entries: list[AllowlistEntry], max_days: int, rule_ids: set[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    first_at: dict[str, int] = {}
    for i, entry in enumerate(entries):
        at = ("entries", i)
        if entry.id in first_at:
            line = doc.location(("entries", first_at[entry.id], "id")).line
            problems.append(
                Problem(
                    doc.location((*at, "id")),
                    f"entry id '{entry.id}' is used twice (first at line {line})",
                )
            )
        first_at.setdefault(entry.id, i)
        if (entry.expires - entry.created).days > max_days:
            problems.append(
                Problem(
                    doc.location((*at, "expires")),
                    f"expires {(entry.expires - entry.created).days} days after created; the limit is {max_days} "
                    "(`allowlist_max_days` in the audit config)",
                    subject=f"entry '{entry.id}'",
                )
            )
        for name in entry.where:
            if name not in MATCHABLE_FIELDS:
                close = difflib.get_close_matches(name, MATCHABLE_FIELDS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(
                    Problem(
                        doc.location((*at, "where", name), key=True),
                        f"unknown tenant field '{name}'{hint}; expected one of {', '.join(MATCHABLE_FIELDS)}",
                        subject=f"entry '{entry.id}'",
                    )
                )
        for j, rule in enumerate(entry.rules):
            if rule_ids is not None and rule not in rule_ids:
                close = difflib.get_close_matches(rule, sorted(rule_ids), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(
                    Problem(
                        doc.location((*at, "rules", j)),
                        f"unknown rule '{rule}'{hint}; the rule pack has no such rule",
                        subject=f"entry '{entry.id}'",
                    )
                )
    return problems


def load_allowlist(
    path: str | Path, *, max_days: int = DEFAULT_MAX_DAYS, rule_ids: set[str] | None = None
) -> Allowlist:
    """Reads and checks an allowlist; ConfigError (exit 2) with every problem located in the file."""
    path = Path(path)
    doc = load_yaml(path)
    if doc.data is None or not isinstance(doc.data, dict):
        raise ConfigError([Problem(doc.location(()), "expected a mapping with `entries:`")])
    try:
        parsed = _AllowlistFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigError(_structure_problems(doc, exc)) from None
    problems = _reference_problems(doc, parsed.entries, max_days, rule_ids)
    if problems:
        raise ConfigError(problems)
    return Allowlist(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), list(parsed.entries))
