"""Feature tables of the two engines compared column by column (floats to 1e-9)."""

from __future__ import annotations

import math

import polars as pl

TOLERANCE = 1e-9


def assert_same_columns(
    polars_frame: pl.DataFrame, spark_frame: pl.DataFrame, key: str = "tenant_id"
) -> None:
    """Same rows (by key), columns and dtypes; floats equal within 1e-9, everything else exactly."""
    assert sorted(polars_frame.columns) == sorted(spark_frame.columns)
    left = polars_frame.sort(key)
    right = spark_frame.select(polars_frame.columns).sort(key)
    assert left[key].to_list() == right[key].to_list(), "the engines found different tenants"
    for name in polars_frame.columns:
        a, b = left[name], right[name]
        assert a.dtype == b.dtype, f"{name}: {a.dtype} (Polars) vs {b.dtype} (Spark)"
        if a.dtype.is_float():
            for tenant, x, y in zip(left[key], a.to_list(), b.to_list()):
                same = (x is None and y is None) or (
                    x is not None
                    and y is not None
                    and math.isclose(x, y, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
                )
                assert same, f"{name} of {tenant}: {x} (Polars) vs {y} (Spark)"
        else:
            mismatched = [
                (t, x, y) for t, x, y in zip(left[key], a.to_list(), b.to_list()) if x != y
            ]
            assert not mismatched, f"{name} differs: {mismatched[:5]}"
