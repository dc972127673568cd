"""The evaluation on real SDN data, with floors the matcher must not drop below.

Measured values (docs/screening.md) are higher; the floors leave room for noise from
tuning, not for regressions.
"""

import pytest

from auditor.screening import load_lists
from auditor.screening.evaluation import build_evaluation, held_out_alias_recall, score_evaluation

RECALL_FLOOR = 0.97
PRECISION_FLOOR = 0.99
HELD_OUT_ALIAS_FLOOR = 0.30


@pytest.fixture(scope="module")
def entries(sdn_path, csl_paths):
    return load_lists([sdn_path, *csl_paths]).entries


def test_recall_and_precision_floors(entries):
    report = score_evaluation(build_evaluation(entries))
    assert report["positives"] > 5000 and report["negatives"] > 3000
    assert report["recall"] >= RECALL_FLOOR, report["misses"][:10]
    assert report["precision"] >= PRECISION_FLOOR, report["false_hits"][:10]
    for variation, recall in report["recall_by_variation"].items():
        assert recall >= 0.94, (variation, recall)


def test_held_out_alias_floor(entries):
    assert held_out_alias_recall(entries)["recall"] >= HELD_OUT_ALIAS_FLOOR
