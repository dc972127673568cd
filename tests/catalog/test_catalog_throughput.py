"""The throughput table: one row per accelerator, derived figures recomputed from TPP, sourced ones bounded by it."""

from __future__ import annotations

import pytest

from auditor.catalog.accelerators import ACCELERATORS
from auditor.catalog.throughput import THROUGHPUT, load_throughput, throughput_table

HEADER = "model,dense_bf16_tflops,bf16_basis,dense_fp8_tflops,fp8_basis,source,note\n"
BITS = {"bf16": 16, "fp8": 8}


def test_every_accelerator_has_a_throughput_row_and_no_other():
    assert set(THROUGHPUT) == set(ACCELERATORS)


@pytest.mark.parametrize("model", sorted(THROUGHPUT))
def test_derived_rates_are_tpp_over_bit_length_and_none_exceeds_tpp(model):
    """TPP = dense TOPS x bit length, the maximum over precisions: a rate x its bits never exceeds it."""
    entry, tpp = THROUGHPUT[model], ACCELERATORS[model].tpp
    for name, bits in BITS.items():
        value, basis = getattr(entry, f"dense_{name}_tflops"), getattr(entry, f"{name}_basis")
        if value is None:
            continue
        if basis == f"tpp/{bits}":  # TPP is a whole number: its rounding is at most 0.5
            assert abs(value - tpp / bits) <= 0.5 / bits, (model, name, value, tpp / bits)
        assert value * bits <= tpp + 0.5, (model, name, value)


def test_every_restricted_accelerator_has_a_training_rate():
    missing = [
        m for m, a in ACCELERATORS.items() if a.restricted and not THROUGHPUT[m].dense_bf16_tflops
    ]
    assert missing == []


def test_the_table_is_in_operations_per_second():
    table = throughput_table()
    h100 = table.filter(table["gpu_model"] == "H100-80GB").row(0, named=True)
    assert h100["dense_bf16_flops"] == pytest.approx(989.5e12)
    assert h100["dense_fp8_flops"] == pytest.approx(1979e12)
    a100 = table.filter(table["gpu_model"] == "A100-80GB").row(0, named=True)
    assert a100["dense_fp8_flops"] is None  # Ampere has no FP8


@pytest.mark.parametrize(
    "row, message",
    [
        ("X,100,tpp/16,,sourced,u,n", "empty exactly when its basis is 'none'"),
        ("X,,tpp/16,,none,u,n", "empty exactly when its basis is 'none'"),
        ("X,100,guess,,none,u,n", "basis 'guess'"),
        ("X,-1,sourced,,none,u,n", "must be positive"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(row, message):
    with pytest.raises(ValueError, match=f"throughput.csv:2: .*{message}"):
        load_throughput(HEADER + row + "\n")
