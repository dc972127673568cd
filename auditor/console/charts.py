"""The case page's charts, drawn on the server as inline SVG: the console's CSP lets no script run.

Each function turns a case's history (its snapshots, oldest run first) into ready-made
geometry, so the template only places shapes: restricted GPU-hours run by run, and the
countries its tenants signed in from, run by run (D:5 countries and Macau in red).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.geo import D5_OR_MACAU

MAX_RUNS = 30  # columns of the sign-in chart: the latest runs
MAX_COUNTRIES = 20  # rows; the rest are counted
CELL = 14
LABEL_WIDTH = 36
HEADER = 4


def score_chart(history: Sequence[Any]) -> dict[str, Any]:
    """Points of an SVG line of restricted GPU-hours per run."""
    values = [s.restricted_gpu_hours_90d for s in history]
    if len(values) == 1:
        values = values * 2  # one run: a flat line across, not an invisible point
    top = max(values) or 1.0
    width, height = 300, 60
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    return {"points": points, "width": width, "height": height, "last": values[-1] if values else 0}


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    restricted: bool
    title: str  # the SVG <title>: shown on hover, read by screen readers


@dataclass(frozen=True)
class CountryRow:
    y: int
    code: str
    restricted: bool
    runs: int  # how many of the charted runs saw a sign-in from it


@dataclass(frozen=True)
class SigninChart:
    """A grid: a row per country, a column per run, a square where the case's tenants signed in from it."""

    width: int
    height: int
    rows: list[CountryRow] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    runs: int = 0
    more_countries: int = 0
    latest_signins: int = 0
    latest_d5_share: float | None = None  # the latest run's share of sign-ins from D:5 or Macau
    recorded: bool = True  # False: the snapshots predate sign-in fields in case records

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def latest_d5_percent(self) -> int | None:
        return None if self.latest_d5_share is None else round(self.latest_d5_share * 100)


def _run_countries(record: dict[str, Any]) -> tuple[set[str] | None, int, float | None]:
    """Countries, sign-ins and D:5 share of a case's tenants in one run; countries None when not recorded."""
    tenants = record.get("tenants") or []
    if not any("signin_countries" in t for t in tenants):
        return None, 0, None
    countries: set[str] = set()
    signins = 0.0
    d5 = 0.0
    for t in tenants:
        countries |= {str(c) for c in t.get("signin_countries") or []}
        count = float(t.get("signin_count_90d") or 0.0)
        signins += count
        if t.get("d5_signin_share") is not None:
            d5 += count * float(t["d5_signin_share"])
    return countries, int(signins), (d5 / signins if signins else None)


def signin_chart(history: Sequence[Any]) -> SigninChart:
    """The sign-in countries of the case's tenants in each of its latest runs."""
    charted = list(history)[-MAX_RUNS:]
    per_run = [_run_countries(s.record) for s in charted]
    known = [(i, c) for i, (c, _, _) in enumerate(per_run) if c is not None]
    if not known:
        return SigninChart(width=0, height=0, recorded=False)
    seen: dict[str, int] = {}
    for _, countries in known:
        for code in countries:
            seen[code] = seen.get(code, 0) + 1
    order = sorted(seen, key=lambda c: (c not in D5_OR_MACAU, -seen[c], c))
    shown = order[:MAX_COUNTRIES]
    rows = [
        CountryRow(HEADER + i * CELL, code, code in D5_OR_MACAU, seen[code])
        for i, code in enumerate(shown)
    ]
    y_of = {r.code: r.y for r in rows}
    cells = [
        Cell(
            LABEL_WIDTH + i * CELL,
            y_of[code],
            code in D5_OR_MACAU,
            f"{code} in run {charted[i].run_id}",
        )
        for i, countries in known
        for code in sorted(countries)
        if code in y_of
    ]
    _, signins, share = per_run[-1]
    return SigninChart(
        width=LABEL_WIDTH + len(charted) * CELL,
        height=HEADER + max(len(rows), 1) * CELL,
        rows=rows,
        cells=cells,
        runs=len(charted),
        more_countries=len(order) - len(shown),
        latest_signins=signins,
        latest_d5_share=share,
    )
