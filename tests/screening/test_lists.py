import json
from pathlib import Path

import polars as pl
import pytest

from auditor.errors import InputError
from auditor.screening import load_lists, source_code

HEADER = "source,entity_number,type,programs,name,title,addresses,alt_names\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "source, code",
    [
        ("Entity List (EL) - Bureau of Industry and Security", "EL"),
        ("Military End User (MEU) List - Bureau of Industry and Security", "MEU"),
        ("Specially Designated Nationals (SDN) - Treasury Department", "SDN"),
        ("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department", "NS-MBS"),
    ],
)
def test_source_code_is_the_parenthesised_part(source, code):
    assert source_code(source) == code


def test_real_csl_files_load_with_codes_and_countries(csl_paths):
    lists = load_lists(csl_paths)
    e = lists.entries
    assert {"EL", "MEU", "UVL", "DPL", "SDN", "SSI", "FSE", "ISN", "DTC", "PLC"} <= set(
        e["source_code"]
    )
    assert e["entry_id"].is_unique().all()
    el = e.filter(pl.col("source_code") == "EL")
    assert el.height > 0 and el["countries"].list.len().sum() > 0
    assert [p["rows"] for p in lists.provenance] == [13, 115]
    assert all(len(p["sha256"]) == 64 for p in lists.provenance)


def test_json_as_published(tmp_path):
    doc = {
        "total": 1,
        "results": [
            {
                "id": "abc",
                "source": "Entity List (EL) - Bureau of Industry and Security",
                "name": "Example Computing Co., Ltd.",
                "alt_names": ["Example Compute", "示例计算有限公司"],
                "addresses": [
                    {
                        "address": "1 Road",
                        "city": "Shenzhen",
                        "state": None,
                        "postal_code": "518000",
                        "country": "CN",
                    }
                ],
                "programs": [],
            }
        ],
    }
    path = write(tmp_path, "consolidated.json", json.dumps(doc, ensure_ascii=False))
    e = load_lists([path]).entries
    row = e.row(0, named=True)
    assert row["entry_id"] == "abc" and row["source_code"] == "EL"
    assert row["alt_names"] == ["Example Compute", "示例计算有限公司"]
    assert row["addresses"] == ["1 Road, Shenzhen, 518000, CN"] and row["countries"] == ["CN"]


def test_missing_column_is_located(tmp_path):
    path = write(tmp_path, "bad.csv", "source,title\nX,Y\n")
    with pytest.raises(InputError) as err:
        load_lists([path])
    text = str(err.value)
    assert "bad.csv:1" in text and "column 'name'" in text


def test_empty_name_reports_every_row(tmp_path):
    body = "Entity List (EL) - BIS,,,,,,,\nEntity List (EL) - BIS,,,,Good Name,,,\nEntity List (EL) - BIS,,,,,,,\n"
    path = write(tmp_path, "rows.csv", HEADER + body)
    with pytest.raises(InputError) as err:
        load_lists([path])
    rows = [p.location.row for p in err.value.problems]
    assert rows == [2, 4]
    assert all(p.subject == "column 'name'" for p in err.value.problems)


def test_broken_json_has_line_and_column(tmp_path):
    path = write(tmp_path, "c.json", '{"results": [\n {"name": "x",}\n]}')
    with pytest.raises(InputError) as err:
        load_lists([path])
    assert err.value.problems[0].location.line == 2


def test_same_entry_in_two_files_is_one_entry(tmp_path):
    row = "Entity List (EL) - BIS,42,,,Acme,,,\n"
    a, b = write(tmp_path, "a.csv", HEADER + row), write(tmp_path, "b.csv", HEADER + row)
    assert load_lists([a, b]).entries.height == 1
