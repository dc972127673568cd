"""Screening once per text: the cache answers as the index does, within a run and across runs.

Everything runs on the example provider and its list: the real matcher, the real SQLite store.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from auditor.config import load_config
from auditor.features.screening import screen_tenants
from auditor.model.inputs import load_inputs
from auditor.run import load_screening
from auditor.screening.cache import ScreeningCache, index_fingerprint
from auditor.store.sqlite import SQLiteStore
from auditor_testkit import EXAMPLES


@pytest.fixture(scope="module")
def config():
    return load_config(EXAMPLES / "audit.yaml")


@pytest.fixture(scope="module")
def index(config):
    return load_screening(config)[0]


@pytest.fixture(scope="module")
def tenants(config):
    return load_inputs(config.tenants, config.usage, config.access).tenants


@pytest.fixture(scope="module")
def uncached(tenants, index):
    return screen_tenants(tenants, index)


def same_result(a, b) -> None:
    """Features equal tenant by tenant; matches equal as sets of rows."""
    assert a.features.sort("tenant_id").equals(b.features.sort("tenant_id"))
    key = [c for c in a.matches.columns]
    assert a.matches.sort(key, nulls_last=True).equals(
        b.matches.select(key).sort(key, nulls_last=True)
    )


def test_the_cache_gives_the_index_answer_and_screens_each_text_once(tenants, index, uncached):
    cache = ScreeningCache(index)
    same_result(uncached, screen_tenants(tenants, cache))
    counts = cache.counts
    names = pl.concat(
        [
            tenants["legal_name"],
            tenants["aliases"].explode(),
            tenants["parent_company"],
            tenants["ultimate_parent"],
            tenants["beneficial_owners"].explode(),
            tenants["officers"].explode(),
        ]
    ).drop_nulls()
    assert counts.screened["name"] == names.n_unique()
    assert counts.screened["address"] == tenants["address"].drop_nulls().n_unique()
    assert sum(counts.reused_from_store.values()) == 0


def test_a_name_that_is_also_an_owner_is_screened_once(tenants, index):
    two = tenants.head(2).with_columns(
        pl.when(pl.col("tenant_id") == tenants["tenant_id"][1])
        .then(pl.lit(tenants["legal_name"][0]))
        .otherwise(pl.col("parent_company"))
        .alias("parent_company")
    )
    cache = ScreeningCache(index)
    same_result(screen_tenants(two, index), screen_tenants(two, cache))
    assert cache.counts.reused_in_run["name"] == 1
    names = pl.concat(
        [
            two["legal_name"],
            two["aliases"].explode(),
            two["parent_company"],
            two["ultimate_parent"],
            two["beneficial_owners"].explode(),
            two["officers"].explode(),
        ]
    ).drop_nulls()
    assert cache.counts.screened["name"] == names.n_unique()


def test_a_second_run_with_the_store_screens_nothing_and_answers_the_same(
    tenants, index, uncached, tmp_path
):
    with SQLiteStore(tmp_path / "cases.db") as store:
        first = ScreeningCache.for_store(index, None, store)
        same_result(uncached, screen_tenants(tenants, first))
        first.save(store, "run-1")
        second = ScreeningCache.for_store(index, None, store)
        same_result(uncached, screen_tenants(tenants, second))
    assert sum(second.counts.screened.values()) == 0
    assert sum(second.counts.reused_from_store.values()) == sum(first.counts.screened.values())


def test_only_texts_no_earlier_run_saw_are_screened(tenants, index, tmp_path):
    with SQLiteStore(tmp_path / "cases.db") as store:
        first = ScreeningCache.for_store(index, None, store)
        screen_tenants(tenants.head(600), first)
        first.save(store, "run-1")
        second = ScreeningCache.for_store(index, None, store)
        result = screen_tenants(tenants, second)
    assert 0 < second.counts.screened["address"] <= tenants.height - 600
    assert (
        second.counts.reused_from_store["address"]
        == tenants.head(600)["address"].drop_nulls().n_unique()
    )
    same_result(screen_tenants(tenants, index), result)


def test_a_list_update_a_threshold_or_an_algorithm_change_screens_everything(index, monkeypatch):
    base = index_fingerprint(index.entries, None)
    assert base == index_fingerprint(index.entries, None)
    assert index_fingerprint(index.entries.head(index.entries.height - 1), None) != base
    assert index_fingerprint(index.entries, 0.9) != base
    assert index_fingerprint(index.entries, None, "name-v1") != base
    assert index_fingerprint(index.entries, None, index.algorithm) == base


def test_results_under_another_fingerprint_are_not_reused(tenants, index, tmp_path):
    with SQLiteStore(tmp_path / "cases.db") as store:
        first = ScreeningCache.for_store(index, None, store)
        screen_tenants(tenants, first)
        first.save(store, "run-1")
        stricter = ScreeningCache.for_store(index, 0.95, store)
        screen_tenants(tenants, stricter, 0.95)
    assert (
        sum(stricter.counts.reused_from_store.values()) == 0
        and sum(stricter.counts.screened.values()) > 0
    )


def test_the_store_keeps_only_the_latest_fingerprints(tmp_path):
    with SQLiteStore(tmp_path / "cases.db") as store:
        for i in range(4):
            store.save_screening_results(f"fp{i}", f"run-{i}", {"name": (1, b"s", b"m")}, keep=2)
        assert store.screening_results("fp0") == {} and store.screening_results("fp1") == {}
        assert store.screening_results("fp3") == {"name": (b"s", b"m")}
        assert set(store.screening_results("fp2")) == {"name"}


def test_a_query_with_a_country_or_another_threshold_bypasses_the_memo(index):
    cache = ScreeningCache(index)
    queries = pl.DataFrame(
        {
            "query_id": ["1", "2"],
            "name": ["Huawei Technologies Co., Ltd.", "Acme Bakery"],
            "country": ["CN", None],
        }
    )
    assert cache.match_names(queries).equals(index.match_names(queries))
    assert cache.match_names(queries.drop("country"), threshold=0.99).equals(
        index.match_names(queries.drop("country"), threshold=0.99)
    )
    assert sum(cache.counts.screened.values()) == 0


def test_audit_with_a_store_says_what_it_reused(tmp_path, capsys):
    from auditor.cli.main import main

    store = tmp_path / "cases.db"
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        code = main(
            [
                "audit",
                "--config",
                str(EXAMPLES / "audit.yaml"),
                "--out",
                str(out),
                "--store",
                str(store),
                # The second run computes its answer (it would otherwise reuse the first run's
                # whole answer, auditor.reuse), so its screening is what is measured here.
                "--no-reuse",
            ]
        )
        assert code in (0, 10)
        outputs.append(
            (
                json.loads((out / "run.json").read_text()),
                capsys.readouterr().out,
                (out / "cases.jsonl").read_text(),
            )
        )
    (first, first_out, first_cases), (second, second_out, second_cases) = outputs
    assert first["screening"]["reused_from_store"] == 0 and first["screening"]["screened"] > 0
    assert second["screening"]["screened"] == 0
    assert second["screening"]["reused_from_store"] == first["screening"]["screened"]
    assert (
        first["screening"]["reused_in_run"] == second["screening"]["reused_in_run"] > 0
    )  # ownership seeds re-ask tenant names
    assert f"{first['screening']['screened']:,} reused from the store" in second_out
    assert [(c["case_id"], c["score"]) for c in map(json.loads, first_cases.splitlines())] == [
        (c["case_id"], c["score"]) for c in map(json.loads, second_cases.splitlines())
    ]
    for manifest in (first, second):
        stages = manifest["stages"]
        assert {"inputs", "features.usage", "features.screening", "scoring", "reports"} <= set(
            stages
        )
        assert all(isinstance(s, float) and s >= 0 for s in stages.values())
