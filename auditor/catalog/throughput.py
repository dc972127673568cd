"""Dense training throughput of each accelerator: BF16/FP16 and FP8 operations per second.

The figures live in `data/throughput.csv`, one row per model of `accelerators.csv`, each
with its basis and source. TPP is defined (15 CFR 774, ECCN 3A090; see
/work/shared/reference/README.md) as 2 x dense MacTOPS x operand bit length, i.e. dense
TOPS x bit length, the maximum over precisions. So the dense rate at a precision of b bits
is TPP / b x 1e12 operations per second -- but only exactly for the precision that sets the
maximum, or one whose rate is exactly b'/b of it (Hopper, Ada and Blackwell tensor cores
run BF16 at exactly half their FP8 rate). Such a figure has basis `tpp/16` or `tpp/8`, and a
test recomputes it from the TPP; every other figure is `sourced` from the vendor page named
in the row, and a precision the part lacks is empty with basis `none`.

The training estimate (`auditor.cip.training`) uses the BF16/FP16 rate: the precision
large models are trained in, and the one every restricted part has.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from collections.abc import Mapping

import polars as pl

BASES = ("tpp/16", "tpp/8", "sourced", "none")
TERA = 1e12


@dataclass(frozen=True)
class Throughput:
    """One accelerator's dense rates in TFLOPS (None: the part has no such rate)."""

    model: str
    dense_bf16_tflops: float | None
    bf16_basis: str
    dense_fp8_tflops: float | None
    fp8_basis: str
    source: str
    note: str


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def load_throughput(text: str, origin: str = "throughput.csv") -> dict[str, Throughput]:
    """Parse the throughput CSV; a malformed row raises with its line number."""
    out: dict[str, Throughput] = {}
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            entry = Throughput(
                model=row["model"].strip(),
                dense_bf16_tflops=_number(row["dense_bf16_tflops"]),
                bf16_basis=row["bf16_basis"].strip(),
                dense_fp8_tflops=_number(row["dense_fp8_tflops"]),
                fp8_basis=row["fp8_basis"].strip(),
                source=row["source"].strip(),
                note=row["note"].strip(),
            )
            for value, basis in (
                (entry.dense_bf16_tflops, entry.bf16_basis),
                (entry.dense_fp8_tflops, entry.fp8_basis),
            ):
                if basis not in BASES:
                    raise ValueError(f"basis {basis!r} not one of {', '.join(BASES)}")
                if (value is None) != (basis == "none"):
                    raise ValueError("a rate is empty exactly when its basis is 'none'")
                if value is not None and value <= 0:
                    raise ValueError(f"rate {value} must be positive")
            if entry.model in out:
                raise ValueError(f"duplicate model {entry.model!r}")
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{origin}:{line_no}: {exc}") from exc
        out[entry.model] = entry
    return out


def _load_packaged() -> Mapping[str, Throughput]:
    text = resources.files("auditor.catalog").joinpath("data/throughput.csv").read_text("utf-8")
    return MappingProxyType(load_throughput(text))


THROUGHPUT: Mapping[str, Throughput] = _load_packaged()
"""Canonical model name -> Throughput. Read-only."""


def throughput_table() -> pl.DataFrame:
    """gpu_model, dense BF16 and FP8 operations per second (not tera), and the source."""
    return pl.DataFrame(
        {
            "gpu_model": [t.model for t in THROUGHPUT.values()],
            "dense_bf16_flops": [
                t.dense_bf16_tflops * TERA if t.dense_bf16_tflops else None
                for t in THROUGHPUT.values()
            ],
            "dense_fp8_flops": [
                t.dense_fp8_tflops * TERA if t.dense_fp8_tflops else None
                for t in THROUGHPUT.values()
            ],
            "throughput_source": [t.source for t in THROUGHPUT.values()],
        },
        schema={
            "gpu_model": pl.String(),
            "dense_bf16_flops": pl.Float64(),
            "dense_fp8_flops": pl.Float64(),
            "throughput_source": pl.String(),
        },
    )
