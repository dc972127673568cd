"""bench/same_answers.py's comparison: run ids, clock times and timings are ignored, and nothing else is."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import same_answers  # noqa: E402


def _outputs(
    folder: Path, run_id: str, started: str, hours: float, score: float = 98.75, stages: float = 1.0
) -> Path:
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(
        json.dumps(
            {
                "run_id": run_id,
                "started_at": started,
                "finished_at": started.replace(":00+", ":09+"),
                "counts": {"cases": 1},
                "stages": {"features": stages},
            }
        )
    )
    record = {"case_id": "C-1", "run_id": run_id, "score": score, "hours": hours}
    (folder / "cases.jsonl").write_text(json.dumps(record) + "\n")
    (folder / "report.md").write_text(
        f"Run `{run_id}` at {started[:16].replace('T', ' ')}, 2.5 s\n"
    )
    pl.DataFrame(
        {"case_id": ["C-1"], "run_id": [run_id], "evidence": [json.dumps({"h": hours})]}
    ).write_parquet(folder / "cases.parquet")
    return folder


def test_runs_differing_only_in_ids_times_and_summation_order_are_the_same(tmp_path):
    before = _outputs(
        tmp_path / "a", "20261201T220514Z-e2c143", "2026-12-01T22:05:00+00:00", 49752.55111111111
    )
    after = _outputs(
        tmp_path / "b",
        "20261201T230001Z-0a9f3c",
        "2026-12-01T23:00:00+00:00",
        49752.551111111105,  # the same sum in another order
        stages=7.0,
    )
    assert same_answers.compare(before, after) == []


def test_a_different_answer_is_named_with_its_file(tmp_path):
    before = _outputs(tmp_path / "a", "20261201T220514Z-e2c143", "2026-12-01T22:05:00+00:00", 1.5)
    after = _outputs(
        tmp_path / "b", "20261201T230001Z-0a9f3c", "2026-12-01T23:00:00+00:00", 1.5001, 98.7
    )
    problems = same_answers.compare(before, after)
    assert [p.split(":")[0] for p in problems] == ["cases.jsonl", "cases.parquet"]
    assert "98.75" in problems[0] and "98.7," in problems[0]


def test_a_missing_file_is_a_difference(tmp_path):
    before = _outputs(tmp_path / "a", "20261201T220514Z-e2c143", "2026-12-01T22:05:00+00:00", 1.5)
    after = _outputs(tmp_path / "b", "20261201T230001Z-0a9f3c", "2026-12-01T23:00:00+00:00", 1.5)
    (after / "report.md").unlink()
    assert same_answers.compare(before, after) == ["report.md: only in before"]
