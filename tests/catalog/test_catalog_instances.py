"""Instance types agree with the shared reference list and point at catalogued models."""

from __future__ import annotations

import csv

import pytest

from auditor.catalog import ACCELERATOR_ALIASES, ACCELERATORS, INSTANCE_TYPES, instance_table
from auditor_testkit import shared_path


def _reference_rows() -> list[dict[str, str]]:
    with shared_path("reference", "cloud-gpu-instances.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_reference_gpu_type_is_catalogued_with_same_accelerator_and_count() -> None:
    wrong = []
    for row in _reference_rows():
        if row["instance_type"] == "n1-*":
            continue  # N1 carries GPUs only as guest accelerators: see the alias test below
        known = INSTANCE_TYPES.get(row["instance_type"])
        got = (known.provider, known.gpu_model, known.gpu_count) if known else None
        want = (row["provider"], row["accelerator"], int(row["accelerator_count"]))
        if got != want:
            wrong.append(f"{row['instance_type']}: catalog {got}, reference {want}")
    assert not wrong, "\n".join(wrong)


def test_n1_guest_accelerators_named_in_reference_resolve() -> None:
    n1 = [r for r in _reference_rows() if r["instance_type"] == "n1-*"]
    assert n1, "reference list no longer has the n1-* row"
    for name in ("nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-p100", "nvidia-tesla-p4"):
        assert name in n1[0]["note"]
        assert ACCELERATOR_ALIASES[name] in ACCELERATORS


def test_every_instance_type_points_at_a_catalogued_model() -> None:
    missing = {t.gpu_model for t in INSTANCE_TYPES.values()} - set(ACCELERATORS)
    assert not missing


def test_instance_type_names_unique_ignoring_case() -> None:
    names = instance_table()["instance_type"].str.to_lowercase()
    assert names.is_unique().all()


@pytest.mark.parametrize(
    ("alias", "model"),
    [
        ("nvidia-tesla-t4", "T4"),
        ("nvidia-tesla-v100", "V100-16GB"),
        ("nvidia-tesla-a100", "A100-40GB"),
        ("nvidia-a100-80gb", "A100-80GB"),
        ("nvidia-l4", "L4"),
        ("nvidia-h100-80gb", "H100-80GB"),
        ("nvidia-h100-mega-80gb", "H100-80GB"),
        ("nvidia-h200-141gb", "H200-141GB"),
        ("nvidia-b200", "B200"),
        ("h100-80gb", "H100-80GB"),  # canonical names, lower-cased
        ("mi300x", "MI300X"),
    ],
)
def test_aliases(alias: str, model: str) -> None:
    assert ACCELERATOR_ALIASES[alias] == model
