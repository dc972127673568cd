"""Affiliates by name and acronyms (issue 15, items 1, 2 and 4)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from auditor.cli.main import cli
from auditor.screening import ScreeningIndex, load_lists
from auditor.screening.affiliate import MIN_CORPUS, AffiliateIndex, without_name_matches
from auditor.screening.aliases import BUILTIN_SHOWN, with_aliases

LIST = Path(__file__).parent / "data" / "csl-compute.csv"


@pytest.fixture(scope="module")
def entries() -> pl.DataFrame:
    return with_aliases(load_lists([LIST])).entries


def _match(
    entries: pl.DataFrame, names: list[str], countries: list[str | None] | None = None, corpus=None
) -> pl.DataFrame:
    queries = pl.DataFrame(
        {
            "query_id": [str(i) for i in range(len(names))],
            "name": names,
            "country": countries or [None] * len(names),
        },
        schema={"query_id": pl.String, "name": pl.String, "country": pl.String},
    )
    return AffiliateIndex.build(entries, corpus).match(queries)


def _one(found: pl.DataFrame) -> dict:
    assert found.height >= 1, "no affiliate match"
    row = found.row(0, named=True)
    row["explanation"] = json.loads(row["explanation"])
    return row


@pytest.mark.parametrize(
    "name, entry, kind, via, term",
    [
        (
            "Inspur Electronic Information Industry Co Ltd",
            "el-inspur",
            "affiliate",
            "token",
            "inspur",
        ),
        ("Inspur (Jinan) Data Technology Co Ltd", "el-inspur", "affiliate", "token", "inspur"),
        ("Sugon Cloud Computing (Hong Kong) Limited", "el-sugon", "affiliate", "token", "sugon"),
        ("SMIC Holdings Ltd (Samoa)", "el-smic", "affiliate", "acronym", "smic"),
        ("S.M.I.C. Ltd", "el-smic", "acronym", "acronym", "smic"),
        ("CETC Cloud Computing Co., Ltd.", "el-cetc", "affiliate", "acronym", "cetc"),
        (
            "National University of Defense Technology Shenzhen Research Institute",
            "el-nudt",
            "affiliate",
            "expansion",
            "nudt",
        ),
        ("Megvii Vision Labs Pte. Ltd.", "el-megvii", "affiliate", "token", "megvii"),
        (
            "Moore Threads (Hong Kong) Holdings Limited",
            "el-moore",
            "affiliate",
            "phrase",
            "moore threads",
        ),
        ("浪潮电子信息产业股份有限公司", "el-inspur", "affiliate", "token", "langchao"),
        ("浪潮(济南)数据技术有限公司", "el-inspur", "affiliate", "token", "langchao"),
        ("摩尔线程(上海)智能科技有限公司", "el-moore", "affiliate", "token", "moerxiancheng"),
    ],
)
def test_affiliates_and_acronyms_are_found_with_entry_kind_and_term(
    entries, name, entry, kind, via, term
):
    row = _one(_match(entries, [name]))
    assert (row["entry_id"], row["kind"], row["via"], row["term"]) == (entry, kind, via, term)
    assert row["explanation"]["term"] == term and row["explanation"]["carrier"]
    assert term in row["detail"]


@pytest.mark.parametrize(
    "name",
    [
        "Dawning Bakery LLC",  # an English word
        "Moore Street Tailoring Ltd",  # a surname; the pair 'moore threads' is not there
        "Global Information Industry Group Co., Ltd.",  # generic words only
        "Sunrise Information Industry Group Co., Ltd.",
        "Hong Kong Data Group Limited",
        "Jinan Langfang Trading Co., Ltd.",  # a place
        "Harbin Electric Machinery Co",  # 'hit' is three letters: a word of other names
        "Hit Entertainment Ltd",
        "Shanghai Integrated Circuit Manufacturing Co., Ltd.",  # a Chinese trade, not a brand
        "上海集成电路制造有限公司",
        "",
    ],
)
def test_look_alikes_sharing_common_words_are_not_affiliates(entries, name):
    assert _match(entries, [name]).height == 0


def test_chinese_brand_explanation_names_the_table_and_line(entries):
    row = _one(_match(entries, ["浪潮(济南)数据技术有限公司"]))
    assert row["explanation"]["table"].startswith(f"alias from {BUILTIN_SHOWN} line ")
    assert BUILTIN_SHOWN in row["detail"]


def test_term_common_among_tenants_is_not_distinctive(entries):
    rare = ["Phytium Edge Systems Ltd"] + [f"Other Name {i} Ltd" for i in range(MIN_CORPUS)]
    common = (
        ["Phytium Edge Systems Ltd"] + [f"Phytium Garden {i} Ltd" for i in range(200)] + rare[1:]
    )
    assert (
        _one(_match(entries, rare[:1], corpus=pl.Series(rare)))["explanation"]["tenant_names"] == 1
    )
    assert _match(entries, common[:1], corpus=pl.Series(common)).height == 0


def test_rarer_term_scores_higher(entries):
    corpus = pl.Series(
        ["Phytium Edge Ltd"] + [f"Phytium Garden {i} Ltd" for i in range(20)] + ["Inspur Edge Ltd"]
    )
    found = _match(entries, ["Phytium Edge Ltd", "Inspur Edge Ltd"], corpus=corpus)
    scores = dict(zip(found["term"], found["score"]))
    assert scores["inspur"] > scores["phytium"]


def test_country_of_the_entry_strengthens_and_another_weakens(entries):
    found = _match(entries, ["Inspur Edge Ltd"] * 3, ["CN", "HK", "US"])
    by_query = dict(zip(found["query_id"], found["score"]))
    assert by_query["0"] == by_query["1"] > by_query["2"]
    assert (
        json.loads(found.filter(pl.col("query_id") == "2")["explanation"][0])["country"]
        == "mismatch"
    )


def test_three_letter_acronym_counts_only_as_the_whole_name(tmp_path):
    lst = tmp_path / "list.csv"
    lst.write_text(
        'source,name\n"Unverified List (UVL)","Kaiyuan Hengtong Electronics Co., Ltd."\n'
    )
    small = load_lists([lst]).entries
    assert _one(_match(small, ["KHEC Ltd"]))["kind"] == "acronym"
    assert _one(_match(small, ["KHEC Components Ltd"]))["kind"] == "affiliate"
    assert _one(_match(small, ["KHE Ltd"]))["kind"] == "acronym"
    assert (
        _match(small, ["KHE Trading Ltd"]).height == 0
    )  # three letters inside a longer name: any three letters


def test_chinese_brand_at_a_syllable_boundary_only(entries):
    assert _one(_match(entries, ["深圳曙光云计算有限公司"]))["term"] == "shuguang"
    assert _match(entries, ["Zhongxing Telecom Equipment Co"]).height == 0  # 中兴 is not 中芯
    assert _one(_match(entries, ["Zhongxin Guoji Holdings Ltd"]))["entry_id"] == "el-smic"


def test_pairs_that_matched_by_name_are_not_also_affiliates(entries):
    names = ["Inspur Group Co Ltd", "Inspur Edge Ltd"]
    queries = pl.DataFrame({"query_id": ["0", "1"], "name": names})
    by_name = ScreeningIndex.build(entries).match_names(queries)
    found = without_name_matches(AffiliateIndex.build(entries).match(queries), by_name)
    assert found["query_id"].to_list() == ["1"]


def test_no_queries_or_no_entries(entries):
    assert _match(entries, []).height == 0
    empty = entries.head(0)
    assert _match(empty, ["Inspur Edge Ltd"]).height == 0


def test_screen_reports_kinds_separately(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text(
        "id,name\n1,Inspur (Jinan) Data Technology Co Ltd\n2,SMIC Holdings Ltd (Samoa)\n3,曙光信息产业股份有限公司\n"
        "4,Sugon Information Industry Co Ltd\n5,Dawning Bakery LLC\n6,中芯国际集成电路制造有限公司\n"
        "7,摩尔线程智能科技(北京)有限责任公司\n8,浪潮电子信息产业股份有限公司\n"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["screen", "--list", str(LIST), "--names", str(names), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = {d["id"]: d for d in map(json.loads, out.read_text().splitlines())}
    kinds = {
        i: (
            [(m["entry_id"], m["kind"]) for m in d["matches"]],
            [(m["entry_id"], m["kind"]) for m in d["affiliates"]],
        )
        for i, d in lines.items()
    }
    assert kinds["1"] == ([], [("el-inspur", "affiliate")])
    assert kinds["2"] == ([], [("el-smic", "affiliate")])
    assert kinds["3"] == ([("el-sugon", "name")], [])
    assert kinds["4"][0] == [("el-sugon", "name")]  # the list carries "Sugon Information Industry"
    assert kinds["5"] == ([], [])
    assert kinds["6"] == ([("el-smic", "name")], [])
    assert kinds["7"] == ([("el-moore", "name")], [])
    assert kinds["8"] == ([], [("el-inspur", "affiliate")])
    assert (
        "acronym 'smic' of 'Semiconductor Manufacturing International Corporation'"
        in lines["2"]["affiliates"][0]["detail"]
    )
