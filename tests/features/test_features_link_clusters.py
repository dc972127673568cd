"""Link clusters are exact connected components, however long the chain of shared values."""

from __future__ import annotations

import random

import polars as pl
import pytest

from auditor.features.links import find_links
from auditor.model.schema import TENANTS


def tenants(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in TENANTS.polars_schema().items()
        if name not in frame.columns
    )


def chain(ids: list[str]) -> list[dict]:
    """Tenant k shares a card with tenant k-1 and a phone with tenant k+1: one path through all."""
    rows = []
    for k, tenant_id in enumerate(ids):
        rows.append(
            {
                "tenant_id": tenant_id,
                "legal_name": tenant_id,
                "payment_fingerprint": f"card-{k // 2}",
                "phone": f"+1555{(k + 1) // 2:07d}",
            }
        )
    return rows


def components(rows: list[dict]) -> dict[str, str]:
    """Reference answer, by plain graph search: tenant -> smallest tenant id of its component."""
    by_value: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        for kind in ("payment_fingerprint", "phone"):
            if row.get(kind):
                by_value.setdefault((kind, row[kind]), []).append(row["tenant_id"])
    neighbours: dict[str, set[str]] = {row["tenant_id"]: set() for row in rows}
    for members in by_value.values():
        if len(members) >= 2:
            for m in members:
                neighbours[m].update(x for x in members if x != m)
    label: dict[str, str] = {}
    for start in neighbours:
        if start in label:
            continue
        seen, stack = {start}, [start]
        while stack:
            for nxt in neighbours[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        smallest = min(seen)
        label.update(dict.fromkeys(seen, smallest))
    return label


def test_a_chain_of_250_linked_tenants_is_one_cluster():
    ids = [f"t{k:04d}" for k in range(250)]
    features = find_links(tenants(chain(ids)), []).features
    assert features["cluster_id"].unique().to_list() == ["t0000"]
    assert features["cluster_size"].unique().to_list() == [250.0]


def test_a_long_chain_whose_smallest_id_sits_at_the_far_end_is_labelled_by_it():
    ids = [f"t{k:04d}" for k in reversed(range(600))]  # the label must travel 599 hops
    features = find_links(tenants(chain(ids)), []).features
    assert features["cluster_id"].unique().to_list() == ["t0000"]
    assert features["cluster_size"].max() == 600


def test_clusters_match_a_plain_graph_search_on_shuffled_chains_and_singletons():
    rng = random.Random(22)
    rows: list[dict] = []
    for c, length in enumerate([1, 2, 3, 57, 130, 301]):
        ids = [f"c{c}-{rng.randrange(10**6):06d}-{k}" for k in range(length)]
        rng.shuffle(ids)
        for row in chain(ids):
            row["payment_fingerprint"] = f"{c}-{row['payment_fingerprint']}"
            row["phone"] = f"{row['phone']}{c}"
            rows.append(row)
    expected = components(rows)
    features = find_links(tenants(rows), []).features
    got = dict(zip(features["tenant_id"], features["cluster_id"]))
    assert got == expected
    sizes = dict(zip(features["tenant_id"], features["cluster_size"]))
    assert sorted(set(sizes.values())) == [1.0, 2.0, 3.0, 57.0, 130.0, 301.0]


def test_no_shared_values_leaves_every_tenant_its_own_cluster():
    frame = tenants([{"tenant_id": "b", "legal_name": "B"}, {"tenant_id": "a", "legal_name": "A"}])
    features = find_links(frame, []).features.sort("tenant_id")
    assert features["cluster_id"].to_list() == ["a", "b"]
    assert features["cluster_size"].to_list() == [1.0, 1.0]


@pytest.mark.parametrize(("sharing", "linked"), [(50, True), (51, False)])
def test_a_value_shared_by_up_to_50_tenants_links_them_and_by_more_does_not(sharing, linked):
    frame = tenants(
        [
            {"tenant_id": f"t{i:03d}", "legal_name": "x", "email_domain": "team.example"}
            for i in range(sharing)
        ]
    )
    result = find_links(frame, [])  # the default max_group
    assert result.features["cluster_size"].max() == (sharing if linked else 1)
    assert result.common_values.height == (0 if linked else 1)


@pytest.mark.parametrize(("value", "linked"), [("ab", False), ("abc", True), ("  ab  ", False)])
def test_values_shorter_than_three_characters_never_link(value, linked):
    frame = tenants(
        [
            {"tenant_id": "a", "legal_name": "A", "payment_fingerprint": value},
            {"tenant_id": "b", "legal_name": "B", "payment_fingerprint": value},
        ]
    )
    features = find_links(frame, []).features.sort("tenant_id")
    assert features["cluster_id"].to_list() == (["a", "a"] if linked else ["a", "b"])
    assert features["linked_tenant_count"].to_list() == ([1.0, 1.0] if linked else [0.0, 0.0])
