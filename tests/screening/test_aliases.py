"""Alias tables: the shipped Chinese names and the user's alias file (issue 9.3, issue 15.3)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from auditor.cli.main import cli, main
from auditor.errors import InputError
from auditor.screening import ScreeningIndex, load_lists
from auditor.screening.aliases import (
    BUILTIN_SHOWN,
    builtin_aliases,
    explain_alias_matches,
    load_alias_file,
    with_aliases,
)

LIST = Path(__file__).parent / "data" / "csl-compute.csv"


def _screen(lists, names: list[str]) -> pl.DataFrame:
    index = ScreeningIndex.build(lists.entries)
    queries = pl.DataFrame({"query_id": [str(i) for i in range(len(names))], "name": names})
    return explain_alias_matches(index.match_names(queries), index.entries)


@pytest.mark.parametrize(
    "chinese, entry",
    [
        ("曙光信息产业股份有限公司", "el-sugon"),
        ("曙光信息產業股份有限公司", "el-sugon"),  # Traditional spelling
        ("中芯国际集成电路制造有限公司", "el-smic"),
        ("天津海光先進技術投資有限公司", "el-thatic"),
        ("摩尔线程智能科技(北京)股份有限公司", "el-moore"),
    ],
)
def test_shipped_chinese_names_find_english_only_entries(chinese, entry):
    found = _screen(with_aliases(load_lists([LIST])), [chinese])
    assert entry in found["entry_id"].to_list()
    origin = found.filter(pl.col("entry_id") == entry)["alias_origin"][0]
    assert origin.startswith(f"alias from {BUILTIN_SHOWN} line ") and "source: " in origin


def test_chinese_name_whose_pinyin_is_a_listed_alias_needs_no_table():
    found = _screen(load_lists([LIST]), ["浪潮集团有限公司"])  # "langchao group" is on the list
    assert found["entry_id"].to_list() == ["el-inspur"] and found["alias_origin"][0] is None


def test_without_the_table_the_chinese_name_is_not_found():
    assert _screen(load_lists([LIST]), ["中芯国际集成电路制造有限公司"]).height == 0


def test_every_shipped_row_has_a_source_and_says_whether_it_was_verified():
    rows = builtin_aliases()
    assert rows.height >= 40
    assert rows["source"].str.contains(r"\((EL|MEU); (verified|not verified here)\)$").all()


def test_user_yaml_alias_is_matched_and_explained_with_its_line(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "aliases:\n"
        "  - entry: Moore Threads Intelligent Technology Co., Ltd.\n"
        "    alias: MTT Graphics Holdings\n"
        "    source: trading name on the company's 2025 invoices\n"
        "  - entry: el-phytium\n"
        "    alias: 飞腾\n"
        "    source: brand on phytium.com.cn\n"
    )
    lists = with_aliases(load_lists([LIST]), [path], builtin=False)
    found = _screen(lists, ["MTT Graphics Holdings Ltd", "飞腾"])
    by_query = dict(zip(found["query_id"], zip(found["entry_id"], found["alias_origin"])))
    assert (
        by_query["0"][0] == "el-moore"
        and "aliases.yaml line 2, source: trading name" in by_query["0"][1]
    )
    assert by_query["1"][0] == "el-phytium" and "line 5" in by_query["1"][1]
    assert lists.provenance[-1]["kind"] == "aliases" and lists.provenance[-1]["attached"] == 2


def test_user_csv_alias_file(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("entry,alias,source\nSugon,Zhongke Shuguang Cloud,annual report 2024\n")
    lists = with_aliases(load_lists([LIST]), [path], builtin=False)
    found = _screen(lists, ["Zhongke Shuguang Cloud Ltd"])
    assert found["entry_id"].to_list()[0] == "el-sugon"
    assert found["alias_origin"][0].endswith("aliases.csv line 2, source: annual report 2024")


def test_list_names_carry_no_alias_note():
    found = _screen(with_aliases(load_lists([LIST])), ["Inspur Group Co Ltd"])
    assert found["entry_id"][0] == "el-inspur" and found["alias_origin"][0] is None


def test_alias_naming_no_entry_attaches_nothing(tmp_path, caplog):
    path = tmp_path / "aliases.yaml"
    path.write_text("- {entry: Nobody Ltd, alias: Somebody Else, source: test}\n")
    lists = with_aliases(load_lists([LIST]), [path], builtin=False)
    assert lists.provenance[-1]["attached"] == 0
    assert "aliases.yaml line 1" in caplog.text


@pytest.mark.parametrize(
    "text, line, message",
    [
        (
            "- {entry: Sugon, alias: X}\n",
            1,
            "'source': empty or missing; every alias needs a source",
        ),
        (
            "- {entry: Sugon, alias: X, source: s}\n- {entry: Sugon, alais: Y, source: s}\n",
            2,
            "'alais': unknown key",
        ),
        ("- just a string\n", 1, "expected a mapping"),
        ("entry: Sugon\n", 1, "expected a list of aliases"),
        ("- {entry: Sugon, alias: '', source: s}\n", 1, "'alias': empty or missing"),
    ],
)
def test_bad_yaml_alias_file_is_located(tmp_path, text, line, message):
    path = tmp_path / "aliases.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_alias_file(path)
    assert f"aliases.yaml:{line}" in str(err.value) and message in str(err.value)


def test_bad_csv_alias_file_is_located(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("entry,alias\nSugon,X\n")
    with pytest.raises(InputError, match="column 'source'"):
        load_alias_file(path)
    path.write_text("entry,alias,source\nSugon,X,s\nSugon,,s\n")
    with pytest.raises(InputError, match=r"aliases.csv:3.*'alias'"):
        load_alias_file(path)


def test_screen_cli_takes_aliases_and_shows_their_origin(tmp_path):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text(
        "- {entry: Sugon, alias: Shuguang Cloud Compute, source: company brochure}\n"
    )
    names = tmp_path / "names.csv"
    names.write_text("id,name\n1,Shuguang Cloud Compute\n2,Missing Name Ltd\n")
    out = tmp_path / "out.jsonl"
    args = [
        "screen",
        "--list",
        str(LIST),
        "--names",
        str(names),
        "--out",
        str(out),
        "--aliases",
        str(aliases),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0]["matches"][0]["entry_id"] == "el-sugon"
    assert "aliases.yaml line 1, source: company brochure" in lines[0]["matches"][0]["alias_origin"]
    assert lines[1]["matches"] == []
    meta = json.loads(Path(str(out) + ".meta.json").read_text())
    assert [p["kind"] for p in meta["lists"] if "kind" in p] == ["aliases", "aliases"]


def test_screen_cli_bad_alias_file_exits_2(tmp_path, capsys):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("- {entry: Sugon, alias: X}\n")
    names = tmp_path / "names.csv"
    names.write_text("id,name\n1,X\n")
    args = [
        "screen",
        "--list",
        str(LIST),
        "--names",
        str(names),
        "--out",
        str(tmp_path / "o.jsonl"),
        "--aliases",
        str(aliases),
    ]
    assert main(args) == 2
    assert "aliases.yaml:1" in capsys.readouterr().err


def _audit_with_aliases(tmp_path, via_config: bool):
    import yaml

    from auditor.cli.main import main as cli_main

    examples = Path(__file__).resolve().parents[2] / "examples"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "aliases.yaml").write_text(
        "- {entry: 'Inspur Group Co., Ltd.', alias: Quancheng Data Technology, source: registry extract 2026-10}\n"
    )
    provider = (examples / "provider").resolve()
    config = {
        "tenants": str(provider / "tenants.csv"),
        "usage": str(provider / "usage.csv"),
        "access": str(provider / "access.csv"),
        "lists": [str(provider / "lists" / "restricted-parties.csv")],
        "as_of": "2026-11-01T00:00:00Z",
    }
    if via_config:
        config["aliases"] = ["mine/aliases.yaml"]  # relative to the config file
    (tmp_path / "audit.yaml").write_text(yaml.safe_dump(config))
    args = ["audit", "--config", str(tmp_path / "audit.yaml"), "--out", str(tmp_path / "out")]
    if not via_config:
        args += ["--aliases", str(tmp_path / "mine" / "aliases.yaml")]
    assert cli_main(args) == 0
    cases = [json.loads(x) for x in (tmp_path / "out" / "cases.jsonl").read_text().splitlines()]
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    return cases, run


@pytest.mark.parametrize("via_config", [True, False])
def test_audit_takes_aliases_from_config_or_flag_and_explains_them(tmp_path, via_config):
    cases, run = _audit_with_aliases(tmp_path, via_config)
    hits = [h for c in cases for h in c["hits"] if h["rule_id"] == "listed-name-match"]
    explained = [
        h
        for h in hits
        if "aliases.yaml line 1, source: registry extract 2026-10"
        in json.dumps(h, ensure_ascii=False)
    ]
    assert explained, "the user's alias did not explain a name match"
    assert any(
        p.get("kind") == "aliases" and p["path"].endswith("aliases.yaml") for p in run["lists"]
    )
