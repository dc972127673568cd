"""One enormous name must cost memory linear in its length, never the square (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli
from auditor.screening.index import MAX_SCREENED_CHARS

REPO = Path(__file__).resolve().parents[2]
ALGORITHMS = ["name-v1", "name-v2"]

# The child builds a small index, screens one name of `length` letters, and prints its
# own peak RSS (ru_maxrss, KiB on Linux).
CHILD = """
import resource, sys
import polars as pl
sys.path.insert(0, {repo!r})
from auditor.screening import ScreeningIndex
from auditor.screening.lists import ENTRY_SCHEMA
EL = "Entity List (EL) - Bureau of Industry and Security"
rows = [("e1", EL, "EL", "Entity", "", "Huawei Technologies Co., Ltd.", ["Huawei"], [], ["CN"], "t")]
index = ScreeningIndex.build(pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row"){algo})
name = "Huaweitechnologies" * ({length} // 18 + 1)
name = name[:{length}]
q = pl.DataFrame({{"query_id": ["big", "small"], "name": [name, "Huawei Technologies"]}})
found = index.match_names(q)
assert "small" in found["query_id"].to_list()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def peak_mb(length: int, algorithm: str) -> int:
    algo = "" if algorithm == "name-v1" else f", algorithm={algorithm!r}"
    code = CHILD.format(repo=str(REPO), length=length, algo=algo)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_fifty_megabyte_single_word_name_is_screened_in_linear_memory(algorithm):
    small = peak_mb(1_000, algorithm)
    big = peak_mb(50_000_000, algorithm)
    # 50 MB of text held a handful of times over (input, Polars copies) is linear; the
    # quadratic deletion index needed ~24 GB for this name.
    assert big - small < 800, (small, big)


def test_long_name_is_cut_with_a_located_warning(tmp_path):
    lists = tmp_path / "list.csv"
    lists.write_text(
        "source,name,alt_names\nEntity List (EL) - BIS,Huawei Technologies Co. Ltd.,Huawei\n"
    )
    names = tmp_path / "names.csv"
    names.write_text(
        "id,name\nok,Huawei Technologies\nbig," + "Huawei Technologies " + "x" * 20_000 + "\n"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["screen", "--list", str(lists), "--names", str(names), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"names.csv: row 3: column 'name': 20,020 characters; only the first {MAX_SCREENED_CHARS}"
        in result.output
    )
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["ok", "big"]
    assert lines[0]["matches"] and lines[1]["name"].endswith("x")
