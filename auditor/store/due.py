"""Due dates by priority: how many days a case may stay open from the run that first saw it.

The days are the audit config's `console.due_days` (critical 2, high 5, medium 10, low 30
unless configured), validated like every other setting, so a typo is a located error and
not a silently empty overdue view. The queue's `overdue` view and the due date each queue
row and case page shows are both computed from these, in the store and in `due_date`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pydantic import BaseModel, ConfigDict, Field, model_validator

from auditor.store.base import PRIORITIES

DEFAULT_DUE_DAYS: dict[str, int] = {"critical": 2, "high": 5, "medium": 10, "low": 30}


class DueDays(BaseModel):
    """`console.due_days`: days a case of each band may stay open; bands left out keep their default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: int = Field(default=DEFAULT_DUE_DAYS["critical"], ge=1, le=3650)
    high: int = Field(default=DEFAULT_DUE_DAYS["high"], ge=1, le=3650)
    medium: int = Field(default=DEFAULT_DUE_DAYS["medium"], ge=1, le=3650)
    low: int = Field(default=DEFAULT_DUE_DAYS["low"], ge=1, le=3650)

    @model_validator(mode="after")
    def _higher_bands_come_first(self) -> DueDays:
        bands = list(reversed(PRIORITIES))  # critical first
        for higher, lower in zip(bands, bands[1:]):
            x, y = getattr(self, higher), getattr(self, lower)
            if x > y:
                raise ValueError(
                    f"{higher} cases would be due later ({x} days) than {lower} cases ({y} days); "
                    "a higher band needs the same or fewer days"
                )
        return self

    def as_dict(self) -> dict[str, int]:
        return {band: int(getattr(self, band)) for band in PRIORITIES}


class ConsoleSection(BaseModel):
    """The audit config's `console:` section: what the console and the queue read from the config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    due_days: DueDays = Field(
        default_factory=DueDays,
        description="Days a case may stay open by priority (critical, high, medium, low), from the run that first saw it; the queue's overdue view.",
    )


def due_date(first_seen: date | None, priority: str, due_days: dict[str, int]) -> date | None:
    """The day a case is due: its first run's day plus its band's days (None before any run saw it)."""
    if first_seen is None:
        return None
    return first_seen + timedelta(days=due_days.get(priority, DEFAULT_DUE_DAYS["low"]))
