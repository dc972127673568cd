"""Where a run with a store spends its time: every step of `audit --store` in run.json `stages`
(the commit included, though run.json is staged before it), and the previous run read without
its records for the classification (issue 10)."""

from __future__ import annotations

import json
import re

import pytest
from store_testkit import audit_args

from auditor.store import open_store

STORE_STAGES = (
    "store.open",
    "records",
    "store.read",
    "classify",
    "reports",
    "store.notices",
    "store.commit",
)


@pytest.fixture
def store_copy(each_store_copy):
    """These tests run on both backends."""
    return each_store_copy


def test_case_summaries_are_the_cases_without_their_records(store_copy):
    with open_store(store_copy) as st:
        run_id = st.latest_run().run_id
        full = st.cases_in_run(run_id)
        summaries = st.case_summaries_in_run(run_id)
        assert full and len(summaries) == len(full)
        assert [s.case_id for s in summaries] == [s.case_id for s in full]  # rank order
        for summary, case in zip(summaries, full, strict=True):
            assert summary.record == {}
            assert case.record  # the full read still has it
            for name in (
                "run_id",
                "case_id",
                "rank",
                "priority",
                "score",
                "tenant_ids",
                "rules",
                "restricted_gpu_hours_90d",
            ):
                assert getattr(summary, name) == getattr(case, name), name
        assert st.case_summaries_in_run("no-such-run") == []


def test_a_second_run_records_every_store_step_in_run_json_and_the_log(
    small_provider, store_copy, tmp_path, cli
):
    out = tmp_path / "out"
    code, _, err = cli("-v", *audit_args(small_provider, out, store_copy))
    assert code in (0, 10), err
    stages = json.loads((out / "run.json").read_text())["stages"]
    assert set(STORE_STAGES) <= set(stages), sorted(stages)
    assert all(isinstance(s, float) and s >= 0 for s in stages.values())
    # The commit comes after the reports are staged: run.json was written again for it, and
    # what the store keeps of the run is the manifest as it was before the commit.
    assert list(stages)[-2:] == ["store.notices", "store.commit"]
    with open_store(store_copy) as st:
        kept = st.latest_run().manifest["stages"]
    assert "classify" in kept and "store.commit" not in kept
    for name in STORE_STAGES:  # each also a -v line, with its CPU seconds
        assert re.search(
            rf"stage={re.escape(name)} event=end seconds=\d+\.\d\d cpu=\d+\.\d\d", err
        ), name
