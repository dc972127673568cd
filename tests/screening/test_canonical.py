"""name-v2's canonical words: abbreviations, slips of common words, legal phrases anywhere."""

import polars as pl
import pytest

from auditor.screening.canonical import canonical_frame, canonical_name, canonical_word


@pytest.mark.parametrize(
    "word, canonical",
    [
        ("info", "information"),
        ("infomation", "information"),
        ("grp", "group"),
        ("intl", "international"),
        ("mfg", "manufacturing"),
        ("svcs", "service"),
        ("eng", "engineering"),
        ("ind", "industry"),
        ("dev", "development"),
        ("elec", "electronics"),
        ("sci", "science"),
        ("tech", "technology"),
        ("compayn", "company"),
        ("adn", "and"),
        ("gmhb", "gmbh"),
        ("abnk", "bank"),
        ("limied", "limited"),
        # not common words: left alone, their slips are the alignment's job
        ("tonw", "tonw"),
        ("elaf", "elaf"),
        ("huawei", "huawei"),
        ("hunan", "hunan"),
    ],
)
def test_canonical_word(word, canonical):
    assert canonical_word(word) == canonical


@pytest.mark.parametrize(
    "name, core, legal",
    [
        ("LIABILITY LIMITED COMPANY KAVOSH", "kavosh", "company"),
        ("Kavosh Limited Liability Company", "kavosh", "company"),
        ("Grupo Consorcio Vertiente S RL DE CV", "group consorcio vertiente", "sa"),
        ("Agro Xpo S A S", "agro xpo", ""),
        ("Open Systems", "open system", ""),  # a descriptive legal word without a legal form stays
        ("Capital Bank SA", "capital bank", "sa"),
        ("LLC", "llc", "llc"),  # never emptied
        ("Bank of the Nation", "bank nation", ""),
    ],
)
def test_legal_phrases_anywhere(name, core, legal):
    frame = canonical_frame(pl.DataFrame({"n": [name]}), "n").row(0, named=True)
    assert (frame["core"], frame["legal"]) == (core, legal)


def test_vectorised_forms_equal_the_one_name_function():
    names = [
        "Nettrix Info Industry (Beijing) Co., Ltd.",
        "S.A. DE C.V. INVERSIONES X",
        "de la",
        "",
        "The Co",
        "A B C",
        "GOLDEN LEAF TONW BNAK ADN TRADING GMHB",
        "Sociedad Anonima de Capital Variable Y",
        "ltd co inc",
        "Zavolta",
        "Grupo S de RL",
        "Ooo Romashka",
        "Public Joint Stock Company Rosneft Oil",
    ]
    frame = canonical_frame(pl.DataFrame({"n": names}), "n")
    for row in frame.iter_rows(named=True):
        tokens, words, legal = canonical_name(row["norm"])
        assert (tuple(row["tokens"]), tuple(row["words"]), row["legal"]) == (
            tokens,
            words,
            legal,
        ), row["n"]
