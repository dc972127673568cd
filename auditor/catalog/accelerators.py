"""Accelerator models and their export classification under ECCN 3A090.

The figures live in `data/accelerators.csv`, one row per model, each with the source of
its numbers and a note showing the arithmetic. This module loads them once into a frozen
registry (`ACCELERATORS`) and a Polars table (`accelerator_table()`), and holds the
threshold rule (`classify_by_thresholds`) so that tests can recompute every entry.

TPP (total processing performance) = dense TOPS x operand bit length, the maximum over
precisions; PD (performance density) = TPP / die area in mm2. Thresholds (15 CFR 774,
ECCN 3A090, as amended October 2023):

- 3A090.a: TPP >= 4800, or TPP >= 1600 with PD >= 5.92.
- 3A090.b (parts designed or marketed for data centres only): 2400 <= TPP < 4800 with
  1.6 <= PD < 5.92, or TPP >= 1600 with 3.2 <= PD < 5.92.

`classification` also takes `license-required-china` for parts below both bands that a
separate licence requirement catches (H20 since April 2025), and `not-controlled`.
Entries whose classification is not the plain result of the arithmetic carry
`basis = judgement` and say why in the note.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from collections.abc import Mapping

import polars as pl

CLASSIFICATIONS = ("3A090.a", "3A090.b", "license-required-china", "not-controlled")
NOT_CONTROLLED = "not-controlled"
BASES = ("computed", "judgement")

TPP_A = 4800.0
TPP_B = 2400.0
TPP_FLOOR = 1600.0
PD_A = 5.92
PD_B_LOW = 1.6
PD_B_DENSE = 3.2


@dataclass(frozen=True)
class Accelerator:
    """One accelerator model with the figures its classification rests on."""

    model: str
    vendor: str
    classification: str
    basis: str  # "computed": follows classify_by_thresholds; "judgement": the note says why not
    data_centre: bool  # designed or marketed for data centres (3A090.b applies only to those)
    tpp: float
    die_area_mm2: float | None
    source: str
    note: str

    @property
    def performance_density(self) -> float | None:
        if self.die_area_mm2 is None or self.die_area_mm2 <= 0:
            return None
        return self.tpp / self.die_area_mm2

    @property
    def restricted(self) -> bool:
        return self.classification != NOT_CONTROLLED


def classify_by_thresholds(tpp: float, pd: float | None, data_centre: bool) -> str | None:
    """The 3A090 band that TPP and PD put a part in; None when PD is needed but unknown.

    Only the arithmetic: licence rules that name parts (H20) are not here.
    """
    if tpp >= TPP_A:
        return "3A090.a"
    if tpp < TPP_FLOOR:
        return NOT_CONTROLLED
    if pd is None:
        return None
    if pd >= PD_A:
        return "3A090.a"
    if data_centre and (
        (TPP_B <= tpp < TPP_A and PD_B_LOW <= pd < PD_A) or PD_B_DENSE <= pd < PD_A
    ):
        return "3A090.b"
    return NOT_CONTROLLED


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false, got {text!r}")
    return value == "true"


def load_accelerators(text: str, origin: str = "accelerators.csv") -> dict[str, Accelerator]:
    """Parse the catalog CSV; a malformed row raises with its line number."""
    out: dict[str, Accelerator] = {}
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            acc = Accelerator(
                model=row["model"].strip(),
                vendor=row["vendor"].strip(),
                classification=row["classification"].strip(),
                basis=row["basis"].strip(),
                data_centre=_parse_bool(row["data_centre"]),
                tpp=float(row["tpp"]),
                die_area_mm2=float(row["die_area_mm2"]) if row["die_area_mm2"].strip() else None,
                source=row["source"].strip(),
                note=row["note"].strip(),
            )
            if acc.classification not in CLASSIFICATIONS:
                raise ValueError(
                    f"classification {acc.classification!r} not one of {', '.join(CLASSIFICATIONS)}"
                )
            if acc.basis not in BASES:
                raise ValueError(f"basis {acc.basis!r} not one of {', '.join(BASES)}")
            if acc.model in out:
                raise ValueError(f"duplicate model {acc.model!r}")
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{origin}:{line_no}: {exc}") from exc
        out[acc.model] = acc
    return out


def _load_packaged() -> Mapping[str, Accelerator]:
    text = (
        resources.files("auditor.catalog")
        .joinpath("data/accelerators.csv")
        .read_text(encoding="utf-8")
    )
    return MappingProxyType(load_accelerators(text))


ACCELERATORS: Mapping[str, Accelerator] = _load_packaged()
"""Canonical model name -> Accelerator. Read-only."""

ACCELERATOR_SCHEMA: dict[str, pl.DataType] = {
    "gpu_model": pl.String(),
    "vendor": pl.String(),
    "classification": pl.String(),
    "restricted": pl.Boolean(),
    "tpp": pl.Float64(),
    "die_area_mm2": pl.Float64(),
    "performance_density": pl.Float64(),
    "data_centre": pl.Boolean(),
    "basis": pl.String(),
    "source": pl.String(),
    "note": pl.String(),
}


def accelerator_table() -> pl.DataFrame:
    """One row per accelerator model; `gpu_model` is the canonical name."""
    rows = [
        {
            "gpu_model": a.model,
            "vendor": a.vendor,
            "classification": a.classification,
            "restricted": a.restricted,
            "tpp": a.tpp,
            "die_area_mm2": a.die_area_mm2,
            "performance_density": a.performance_density,
            "data_centre": a.data_centre,
            "basis": a.basis,
            "source": a.source,
            "note": a.note,
        }
        for a in ACCELERATORS.values()
    ]
    return pl.DataFrame(rows, schema=ACCELERATOR_SCHEMA)
