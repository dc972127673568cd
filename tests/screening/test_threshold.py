"""The default name threshold keeps near-misses out: different companies with similar names.

Each near miss below was picked to score between 0.80 and name-v1's 0.88 (measured when
the test was written); the index is the default one (name-v2 at `DEFAULT_THRESHOLD`). The real
variants beside them must still match, so the threshold is tested from both sides.
"""

from __future__ import annotations

import polars as pl
import pytest

from auditor.screening import DEFAULT_THRESHOLD, ScreeningIndex, load_lists
from auditor.screening.evaluation import build_evaluation, score_evaluation
from auditor.screening.lists import ENTRY_SCHEMA

SDN = "Specially Designated Nationals (SDN) - Treasury Department"

# listed name -> (a different company that must not match, a variant of the listed one that must)
PAIRS = {
    "GREENWAVE TELECOM": ("Green Telecom GmbH", "Greenwave Telecom Ltd"),
    "MENA": ("Meina Technology Co., Ltd.", "MENA"),
    "YARAN": ("Chengdu Yawan Technology Co., Ltd.", "Yaran"),
    "BEIJING CHENGXING TRADING CO. LTD.": (
        "Suzhou Chenying Trading Co., Ltd.",
        "Beijing Chengxing Trading Company Limited",
    ),
}
FALSE_POSITIVE_CEILING = (
    0.002  # documented 0.12 % at the default; 0.85 gives 0.22 %, 0.80 gives 0.29 %
)


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    rows = [(f"s{i}", SDN, "SDN", "Entity", "", name, [], [], []) for i, name in enumerate(PAIRS)]
    return ScreeningIndex.build(
        pl.DataFrame([(*r, "test") for r in rows], schema=ENTRY_SCHEMA, orient="row")
    )


def matched(index: ScreeningIndex, names: list[str], threshold: float | None = None) -> set[str]:
    queries = pl.DataFrame({"query_id": [str(i) for i in range(len(names))], "name": names})
    found = index.match_names(queries, threshold=threshold)
    return {names[int(q)] for q in found["query_id"].to_list()}


def test_near_miss_names_do_not_match_at_the_default_threshold(index):
    near_misses = [miss for miss, _ in PAIRS.values()]
    assert matched(index, near_misses) == set()
    assert matched(index, near_misses, threshold=DEFAULT_THRESHOLD) == set()


def test_the_listed_names_variants_match_at_the_default_threshold(index):
    variants = [variant for _, variant in PAIRS.values()]
    assert matched(index, variants) == set(variants)


def test_false_positive_rate_on_real_list_data_stays_at_the_documented_level(sdn_path, csl_paths):
    report = score_evaluation(build_evaluation(load_lists([sdn_path, *csl_paths]).entries))
    assert report["false_positive_rate"] <= FALSE_POSITIVE_CEILING, report["false_hits"]
