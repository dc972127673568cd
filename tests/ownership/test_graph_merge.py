"""The graph's integer plumbing: ids numbered through hashes (exact despite collisions), the
stable pair order, and the numpy merge of repeated statements against a plain Polars reference."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from auditor.ownership.graph import EXCLUSIVE_STEP, _merge_statements, _stable_order
from auditor.ownership.inputs import node_numbers

NODES = pl.Series(["alpha", "beta", "gamma", "delta"])


def _first_letter(ids: pl.Series) -> pl.Series:
    """A weak hash: distinct on NODES' first letters, so other ids sharing a letter collide."""
    return (
        ids.str.slice(0, 1).str.encode("hex").str.to_integer(base=16, strict=False).cast(pl.UInt64)
    )


def _length(ids: pl.Series) -> pl.Series:
    """A hash that collides among NODES themselves ('alpha', 'gamma', 'delta'): the text join is used."""
    return ids.str.len_bytes().cast(pl.UInt64)


@pytest.mark.parametrize("hash_ids", [None, _first_letter, _length])
def test_ids_are_numbered_exactly_whatever_the_hash(hash_ids):
    owners = pl.Series(["gamma", "apple", None, "alpha", "beta", "delta", "zeta"])
    owned = pl.Series(["beta", "gamma"])
    args = {} if hash_ids is None else {"hash_ids": hash_ids}
    src, dst = node_numbers([owners, owned], NODES, **args)
    # 'apple' shares alpha's first letter and 'zeta' no node's: neither is a node.
    assert src.to_list() == [2, None, None, 0, 1, 3, None]
    assert dst.to_list() == [1, 2]
    assert src.dtype == pl.Int64


def test_no_ids_and_no_nodes():
    (src,) = node_numbers([pl.Series([], dtype=pl.String)], NODES)
    assert src.len() == 0
    (src,) = node_numbers([pl.Series(["a"])], pl.Series([], dtype=pl.String))
    assert src.to_list() == [None]


def test_stable_order_is_numpys_stable_argsort():
    rng = np.random.default_rng(7)
    for size, spread in ((0, 1), (1, 1), (50, 3), (5000, 400), (5000, 10**12)):
        keys = rng.integers(0, spread, size)
        assert np.array_equal(_stable_order(keys), np.argsort(keys, kind="stable"))


def _reference(statements: pl.DataFrame) -> pl.DataFrame:
    """The merge as the group-by it replaced: min/max over the statements that give a share."""
    stated = pl.col("stated")
    return (
        statements.group_by("src", "dst")
        .agg(
            pl.col("lo").filter(stated).min().fill_null(0.0),
            pl.col("hi").filter(stated).max().fill_null(100.0),
            (pl.col("lo_exclusive").filter(stated).all() & stated.any()).alias("lo_exclusive"),
            (pl.col("hi_exclusive").filter(stated).all() & stated.any()).alias("hi_exclusive"),
            pl.col("eff_lo").filter(stated).min().fill_null(0.0),
            pl.col("eff_hi").filter(stated).max().fill_null(100.0),
            stated.any(),
            (pl.struct("lo", "hi").filter(stated).n_unique() > 1).alias("disagree"),
        )
        .sort("src", "dst")
    )


def test_merge_matches_the_group_by_it_replaced():
    rng = np.random.default_rng(18)
    size = 4000
    src, dst = rng.integers(0, 30, size), rng.integers(0, 30, size)
    stated = rng.random(size) < 0.7
    lo = np.where(stated, rng.choice([10.0, 25.0, 50.0], size), 0.0)
    hi = np.where(stated, lo + rng.choice([0.0, 5.0, 25.0], size), 100.0)
    lo_x = stated & (rng.random(size) < 0.3) & (hi > lo)
    hi_x = stated & (rng.random(size) < 0.3) & (hi > lo)
    counted = rng.random(size) < 0.8
    edges = pl.DataFrame(
        {"lo": lo, "hi": hi, "lo_exclusive": lo_x, "hi_exclusive": hi_x, "stated": stated}
    )
    order = np.argsort(src * 30 + dst, kind="stable")
    merged = _merge_statements((src * 30 + dst)[order], 30, edges, counted, order)
    statements = pl.DataFrame(
        {
            "src": src,
            "dst": dst,
            "lo": lo,
            "hi": hi,
            "lo_exclusive": lo_x,
            "hi_exclusive": hi_x,
            "eff_lo": np.where(counted, lo + lo_x * EXCLUSIVE_STEP, 0.0),
            "eff_hi": hi - hi_x * EXCLUSIVE_STEP,
            "stated": stated,
        }
    )
    expected = _reference(statements)
    assert merged.height == expected.height
    assert merged.select(expected.columns).equals(expected)
    assert merged["disagree"].any() and not merged["disagree"].all()
    assert (~merged["stated"]).any()  # some pairs have no stated share at all: 0-100 kept


def test_merge_of_nothing():
    empty = np.zeros(0, dtype=np.int64)
    edges = pl.DataFrame(
        schema={
            "lo": pl.Float64,
            "hi": pl.Float64,
            "lo_exclusive": pl.Boolean,
            "hi_exclusive": pl.Boolean,
            "stated": pl.Boolean,
        }
    )
    merged = _merge_statements(empty, 1, edges, np.zeros(0, dtype=bool), empty)
    assert merged.height == 0
    assert merged.schema["lo"] == pl.Float64 and merged.schema["disagree"] == pl.Boolean
