"""Traditional Chinese spellings of listed names meet their Simplified forms (issue 16, 3)."""

import polars as pl
import pytest

from auditor.screening import ScreeningIndex, normalize_name
from auditor.screening.chinese_script import to_simplified


@pytest.mark.parametrize(
    "traditional, simplified",
    [
        ("曙光信息產業股份有限公司", "曙光信息产业股份有限公司"),
        ("天津海光先進技術投資有限公司", "天津海光先进技术投资有限公司"),
        ("浪潮電子信息產業股份有限公司", "浪潮电子信息产业股份有限公司"),
        ("摩爾線程智能科技(北京)有限責任公司", "摩尔线程智能科技(北京)有限责任公司"),
    ],
)
def test_traditional_name_normalises_like_its_simplified_form(traditional, simplified):
    assert to_simplified(traditional) == simplified
    assert normalize_name(traditional) == normalize_name(simplified)


@pytest.mark.parametrize(
    "text", ["", "Inspur Group Co., Ltd.", "ООО Ромашка", "株式会社 さくら", "12345"]
)
def test_text_without_traditional_han_is_unchanged(text):
    assert to_simplified(text) == text


def test_simplified_text_is_left_as_it_is():
    assert to_simplified("曙光信息产业股份有限公司") == "曙光信息产业股份有限公司"


def test_traditional_spelling_finds_the_listed_simplified_alias():
    entries = pl.DataFrame(
        {
            "entry_id": ["e1"],
            "source": ["Entity List (EL)"],
            "source_code": ["EL"],
            "name": ["Tianjin Haiguang Advanced Technology Investment Co., Ltd."],
            "alt_names": [["天津海光先进技术投资有限公司"]],
            "addresses": [[]],
            "countries": [["CN"]],
        }
    )
    index = ScreeningIndex.build(entries)
    found = index.match_names(
        pl.DataFrame({"query_id": ["q"], "name": ["天津海光先進技術投資有限公司"]})
    )
    assert found["entry_id"].to_list() == ["e1"]
