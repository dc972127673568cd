import pytest

from auditor.screening import normalize_name, transliterate


@pytest.mark.parametrize(
    "a, b",
    [
        ("Huawei Technologies Co., Ltd.", "HUAWEI TECH LTD"),
        ("Huawei Technologies Co., Ltd.", "北京华为技术有限公司"),
        ("Huawei Technologies Co., Ltd.", "Shenzhen Huawei Technology Company Limited"),
        ("Sugon Information Industry Co Ltd", "SUGON INFORMATION INDUSTRY CORPORATION"),
        ("AL-AQSA ISLAMIC BANK", "Al Aqsa Islamic Bank"),
        ("Inspur Group Co., Ltd.", "INSPUR GROUP COMPANY LIMITED"),
        ("OOO Romashka", "ООО «Ромашка»"),
        ("Nettrix Information Industry (Beijing) Co., Ltd.", "Nettrix Information Industry Co Ltd"),
    ],
)
def test_variants_share_a_compact_core(a, b):
    assert normalize_name(a)["compact"] == normalize_name(b)["compact"]


def test_city_kept_when_nothing_distinctive_remains():
    harbin = normalize_name("Harbin Institute of Technology")["core"]
    beijing = normalize_name("Beijing Institute of Technology")["core"]
    assert harbin != beijing and "harbin" in harbin


def test_isn_successor_clause_is_not_part_of_the_name():
    assert (
        normalize_name("Sinobright Import and Export Company; and any successor, sub-unit")["norm"]
        == "sinobright import export"
    )


def test_transliteration_of_han_and_cyrillic():
    assert "huawei" in transliterate("华为")
    assert transliterate("Ромашка").lower() == "romashka"


@pytest.mark.parametrize(
    "name",
    [
        "Kavosh Limited Liability Company",
        "Kavosh Open Joint Stock Company",
        "Kavosh Sociedad Anonima de Capital Variable",
        "Kavosh Kabushiki Kaisha",
        "Kavosh Public Limited Company",
    ],
)
def test_a_legal_phrase_leaves_whole_not_word_by_word(name):
    # "liability", "joint", "anonima", "kaisha" are not legal forms alone: the phrase must
    # be taken out as one, longest spelling first
    assert normalize_name(name)["core"] == "kavosh"
