"""A run of the launch-rhythm benchmark on the bundled example, so its save/compare cannot rot."""

from __future__ import annotations

import sys

import polars as pl
from auditor_testkit import REPO

sys.path.insert(0, str(REPO / "bench"))

import launch_rhythm_bench  # noqa: E402


def test_the_same_code_gives_the_same_answers_and_other_answers_do_not(tmp_path, capsys):
    saved = tmp_path / "answers.parquet"
    example = str(REPO / "examples" / "provider")
    assert launch_rhythm_bench.main([example, "--save", str(saved)]) == 0
    assert launch_rhythm_bench.main([example, "--compare", str(saved)]) == 0
    lines = capsys.readouterr().out.splitlines()
    fields = dict(part.split("=") for part in lines[-1].split())
    assert fields["same_answers"] == "yes" and int(fields["links"]) > 0
    answers = pl.read_parquet(saved)
    assert set(answers["table"]) == {"links", "counts"}
    answers.head(answers.height - 1).write_parquet(saved)  # one answer fewer
    assert launch_rhythm_bench.main([example, "--compare", str(saved)]) == 1
    assert "same_answers=NO" in capsys.readouterr().out
