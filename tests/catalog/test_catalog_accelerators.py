"""The accelerator registry: every entry's band follows from its own figures, or says why not."""

from __future__ import annotations

import pytest

from auditor.catalog import ACCELERATORS, accelerator_table, classify_by_thresholds
from auditor.catalog.accelerators import CLASSIFICATIONS, load_accelerators


@pytest.mark.parametrize("model", sorted(ACCELERATORS))
def test_classification_follows_thresholds_or_note_explains(model: str) -> None:
    acc = ACCELERATORS[model]
    recomputed = classify_by_thresholds(acc.tpp, acc.performance_density, acc.data_centre)
    if acc.basis == "computed":
        assert recomputed == acc.classification, (
            f"{model}: figures give {recomputed}, entry says {acc.classification}"
        )
    else:
        # a judgement entry must really depart from (or be undecidable by) the arithmetic,
        # and its note must say so
        assert recomputed != acc.classification
        assert acc.note.startswith("judgement:")


@pytest.mark.parametrize("model", sorted(ACCELERATORS))
def test_entry_is_complete(model: str) -> None:
    acc = ACCELERATORS[model]
    assert acc.classification in CLASSIFICATIONS
    assert acc.tpp > 0 and acc.source and acc.note
    assert acc.restricted == (acc.classification != "not-controlled")


@pytest.mark.parametrize(
    ("tpp", "pd", "data_centre", "expected"),
    [
        (4800, None, True, "3A090.a"),
        (4799, 5.92, False, "3A090.a"),  # density clause applies to consumer parts too
        (1600, 5.92, True, "3A090.a"),
        (1599, 50.0, True, "not-controlled"),
        (2400, 1.6, True, "3A090.b"),
        (2399, 1.6, True, "not-controlled"),
        (2400, 1.59, True, "not-controlled"),
        (1600, 3.2, True, "3A090.b"),
        (1600, 3.19, True, "not-controlled"),
        (3000, 4.0, False, "not-controlled"),  # 3A090.b is for data-centre parts only
        (3000, None, True, None),  # density needed but unknown
    ],
)
def test_threshold_edges(
    tpp: float, pd: float | None, data_centre: bool, expected: str | None
) -> None:
    assert classify_by_thresholds(tpp, pd, data_centre) == expected


@pytest.mark.parametrize(
    ("model", "classification"),
    [
        ("H100-80GB", "3A090.a"),
        ("A100-40GB", "3A090.a"),
        ("L40S", "3A090.a"),
        ("L4", "3A090.a"),
        ("L40", "3A090.b"),
        ("H20", "license-required-china"),
        ("L20", "not-controlled"),
        ("L2", "not-controlled"),
        ("T4", "not-controlled"),
        ("A10G", "not-controlled"),
        ("V100-16GB", "not-controlled"),
    ],
)
def test_known_outcomes(model: str, classification: str) -> None:
    assert ACCELERATORS[model].classification == classification


def test_table_matches_registry() -> None:
    table = accelerator_table()
    assert table.height == len(ACCELERATORS)
    assert table["gpu_model"].is_unique().all()
    h20 = table.filter(table["gpu_model"] == "H20").row(0, named=True)
    assert h20["restricted"] is True and h20["performance_density"] == pytest.approx(2368 / 814)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("X,V,3A090.c,computed,true,1,,s,n", "classification"),
        ("X,V,3A090.a,guess,true,1,,s,n", "basis"),
        ("X,V,3A090.a,computed,maybe,1,,s,n", "true or false"),
        ("X,V,3A090.a,computed,true,lots,,s,n", "lots"),
    ],
)
def test_malformed_rows_name_their_line(row: str, message: str) -> None:
    header = "model,vendor,classification,basis,data_centre,tpp,die_area_mm2,source,note\n"
    with pytest.raises(ValueError, match=rf"x.csv:2: .*{message}"):
        load_accelerators(header + row + "\n", origin="x.csv")


@pytest.mark.parametrize(
    ("die_area", "density"),
    [
        ("", None),  # not published: the density clauses cannot be decided
        ("0", None),  # a zero area is no area, not a division by zero
        ("-5", None),
        ("0.5", 3200.0),  # any positive area gives TPP / area, however small
        ("1", 1600.0),
        ("800", 2.0),
    ],
)
def test_performance_density_is_tpp_over_a_positive_die_area_and_unknown_otherwise(
    die_area: str, density: float | None
) -> None:
    header = "model,vendor,classification,basis,data_centre,tpp,die_area_mm2,source,note\n"
    row = f"X,V,3A090.a,computed,true,1600,{die_area},s,n\n"
    acc = load_accelerators(header + row)["X"]
    assert acc.performance_density == (pytest.approx(density) if density is not None else None)
