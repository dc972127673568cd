"""Ownership regimes: which lists seed them, their threshold, what interests count, and when they are in force.

Two are built in (docs/ownership.md has the citations):
* `ofac-50` -- OFAC's 50 percent rule (79 FR 47726, 2014-08-13; FAQs 398-401): SDN owners, always in force.
* `bis-affiliates` -- BIS's Affiliates Rule (FR Doc 2025-19001, 90 FR 47201; Supplement No. 8 to part 744):
  Entity List, MEU List and SDNs of the programmes in 15 CFR 744.8(a)(1) (which ones is unconfirmed
  here: the default NPWMD, IFSR is a starting point the operator checks); in force from 2025-09-29,
  suspended 2025-11-10 to 2026-11-09, written to return on 2026-11-10. Whether it did is not
  confirmed here: from that date its status says so until the operator sets `confirmed: true`.
An operator can change dates, lists and thresholds in the audit config (`ownership_regimes:`).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

IN_FORCE, IN_FORCE_UNCONFIRMED, SUSPENDED, NOT_YET = (
    "in-force",
    "in-force-unconfirmed",
    "suspended",
    "not-yet-in-force",
)


class Period(BaseModel):
    """Days (inclusive) a regime is in force; `end` empty = open-ended."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self


class Regime(BaseModel):
    """One ownership test: seeds from these lists, stakes of these interests, this threshold, these dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    lists: list[str] = Field(
        min_length=1, description="List codes whose entries are seeds (SDN, EL, MEU...)."
    )
    sdn_programs: list[str] | None = Field(
        default=None,
        description="When set, an SDN entry seeds this regime only if it carries one of these programme tags.",
    )
    sdn_programs_confirmed: bool = Field(
        default=False,
        description="The operator checked `sdn_programs` against the current text of the rule it stands for.",
    )
    threshold: float = Field(
        default=50.0, gt=0, le=100, description="Percent; an aggregate at or above it restricts."
    )
    interests: list[str] = Field(
        default_factory=lambda: ["shareholding"], description="Interests whose shares count."
    )
    in_force: list[Period] = Field(min_length=1)
    confirm_from: date | None = Field(
        default=None,
        description="From this day the regime's status needs the operator's confirmation.",
    )
    confirmed: bool = Field(
        default=False, description="The operator confirmed the status from `confirm_from`."
    )
    citation: str = ""

    def status(self, when: datetime | date) -> str:
        day = when.date() if isinstance(when, datetime) else when
        for period in self.in_force:
            if period.start <= day and (period.end is None or day <= period.end):
                unconfirmed = (
                    self.confirm_from is not None
                    and day >= self.confirm_from
                    and not self.confirmed
                )
                return IN_FORCE_UNCONFIRMED if unconfirmed else IN_FORCE
        return NOT_YET if all(day < p.start for p in self.in_force) else SUSPENDED

    def in_force_on(self, when: datetime | date) -> bool:
        return self.status(when) in (IN_FORCE, IN_FORCE_UNCONFIRMED)

    def describe(self, when: datetime | date) -> dict[str, object]:
        """What run.json and the explanation say about the regime on the as-of date."""
        status = self.status(when)
        return {
            "id": self.id,
            "title": self.title,
            "lists": self.lists,
            "sdn_programs": self.sdn_programs,
            "sdn_programs_status": None
            if self.sdn_programs is None
            else ("confirmed" if self.sdn_programs_confirmed else SDN_PROGRAMS_UNCONFIRMED),
            "threshold": self.threshold,
            "interests": self.interests,
            "in_force": [
                {"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None}
                for p in self.in_force
            ],
            "status": status,
            "in_force_on_as_of": status in (IN_FORCE, IN_FORCE_UNCONFIRMED),
            "needs_confirmation": status == IN_FORCE_UNCONFIRMED,
            "citation": self.citation,
        }


SDN_PROGRAMS_UNCONFIRMED = (
    "unconfirmed: which SDN programmes 15 CFR 744.8(a)(1) names is not confirmed here (the "
    "reference names none, and 744.8 was amended by FR Doc 2024-06067, 89 FR 20107, to cover "
    "SDNs of further programmes); check the current text, set sdn_programs and "
    "sdn_programs_confirmed: true"
)

OFAC_50 = Regime(
    id="ofac-50",
    title="OFAC 50 percent rule",
    lists=["SDN"],
    in_force=[Period(start=date(2014, 8, 13))],
    citation="OFAC revised guidance of 2014-08-13, 79 FR 47726; OFAC FAQs 398-401",
)
BIS_AFFILIATES = Regime(
    id="bis-affiliates",
    title="BIS Affiliates Rule",
    lists=["EL", "MEU", "SDN"],
    # A starting point, NOT a confirmed reading of 15 CFR 744.8(a)(1): the reference names no
    # programmes, and FR Doc 2024-06067 (89 FR 20107) widened 744.8 to SDNs of further programmes,
    # so this list may be short. Every run.json says so until the operator confirms a list.
    sdn_programs=["NPWMD", "IFSR"],
    in_force=[
        Period(start=date(2025, 9, 29), end=date(2025, 11, 9)),
        Period(start=date(2026, 11, 10)),
    ],
    confirm_from=date(2026, 11, 10),
    citation=(
        "FR Doc 2025-19001, 90 FR 47201 (in force 2025-09-29); Supplement No. 8 to part 744; suspended 2025-11-10 to "
        "2026-11-09 (90 FR, no. 216, 2025-11-12); Red Flag 29, Supplement No. 3 to part 732"
    ),
)
DEFAULT_REGIMES: tuple[Regime, ...] = (OFAC_50, BIS_AFFILIATES)
