"""An over-long value is cut before screening, and the log says which tenant and field --
one line each for the first 20 (docs/screening.md), then one line with how many there were in
all, so a million long addresses cannot flood the log and none goes unmentioned."""

from __future__ import annotations

import logging

import polars as pl
import pytest

from auditor.features.screening import screen_tenants
from auditor.screening import ScreeningIndex
from auditor.screening.index import MAX_SCREENED_CHARS
from auditor.model.schema import TENANTS
from auditor.screening.lists import ENTRY_SCHEMA

EL = "Entity List (EL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    row = ("e1", EL, "EL", "Entity", "", "Zavolta Systems Ltd", [], [], ["CN"], "t")
    return ScreeningIndex.build(pl.DataFrame([row], schema=ENTRY_SCHEMA, orient="row"))


def tenants(long_names: int) -> pl.DataFrame:
    """Twenty-five tenants, the first `long_names` of them with a name over the screened length."""
    long = "Zavolta " + "x" * MAX_SCREENED_CHARS
    rows = [
        {"tenant_id": f"t{i:02d}", "legal_name": long if i < long_names else f"Tenant {i}"}
        for i in range(25)
    ]
    schema = TENANTS.polars_schema()
    return pl.DataFrame({n: [r.get(n) for r in rows] for n in schema}, schema=schema)


NAMED = 20  # the documented figure


@pytest.mark.parametrize("long_names", [0, 1, NAMED, NAMED + 1, 25])
def test_every_cut_value_is_named_up_to_the_limit_and_counted_beyond_it(index, caplog, long_names):
    with caplog.at_level(logging.WARNING, logger="auditor.features"):
        screen_tenants(tenants(long_names), index)
    named = [r.getMessage() for r in caplog.records if r.getMessage().endswith("(cut)")]
    counted = [r.getMessage() for r in caplog.records if "values_cut=" in r.getMessage()]
    assert len(named) == min(long_names, NAMED)
    assert {m.split("tenant=")[1].split()[0] for m in named} == {
        f"t{i:02d}" for i in range(min(long_names, NAMED))
    }
    if long_names > NAMED:
        assert counted == [f"stage=screening values_cut={long_names} (first {NAMED} logged)"]
    else:
        assert counted == []


@pytest.mark.parametrize("extra, warned", [(0, False), (1, True)])
def test_a_value_of_exactly_the_screened_length_is_not_cut(index, caplog, extra, warned):
    names = tenants(0).with_columns(
        legal_name=pl.when(pl.col("tenant_id") == "t00")
        .then(pl.lit("Zavolta " + "x" * (MAX_SCREENED_CHARS - 8 + extra)))
        .otherwise(pl.col("legal_name"))
    )
    assert len(names["legal_name"][0]) == MAX_SCREENED_CHARS + extra
    with caplog.at_level(logging.WARNING, logger="auditor.features"):
        screen_tenants(names, index)
    assert any(r.getMessage().endswith("(cut)") for r in caplog.records) is warned
