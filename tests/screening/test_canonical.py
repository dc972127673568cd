"""name-v2's canonical words: abbreviations, slips of common words, legal phrases anywhere."""

import polars as pl
import pytest

from auditor.screening.canonical import (
    canonical_frame,
    canonical_name,
    canonical_word,
    resegment,
    resegment_expr,
)


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
        "Sina Shipping CompanyLimited",
        "Petropars UK Lim Ited",
        "Megastroyinvest-LTD",
    ]
    frame = canonical_frame(pl.DataFrame({"n": names}), "n")
    for row in frame.iter_rows(named=True):
        tokens, words, legal = canonical_name(row["norm"])
        assert (tuple(row["tokens"]), tuple(row["words"]), row["legal"]) == (
            tokens,
            words,
            legal,
        ), row["n"]


@pytest.mark.parametrize(
    "clean, spaced",
    [
        # a legal form glued to the word before it is cut off
        ("sina shipping companylimited", "sina shipping company limited"),
        ("megastroyinvestltd", "megastroyinvest ltd"),
        ("valleltda", "valle ltda"),
        ("polymedicsllc", "polymedics llc"),
        ("talib and sonspty ltd", "talib and sons pty ltd"),
        # a legal form split by a space is joined
        ("petropars uk lim ited", "petropars uk limited"),
        ("mirza com pany", "mirza company"),
        ("paeksol cor poration", "paeksol corporation"),
        # left alone: forms that names end in, short prefixes, words already spaced
        ("intercorp legoca", "intercorp legoca"),
        ("zinc ltd", "zinc ltd"),
        ("unlimited co", "unlimited co"),
        ("uklimited", "uklimited"),
        ("company limited", "company limited"),
        ("lim", "lim"),
        ("", ""),
    ],
)
def test_resegment_spaces_legal_forms(clean, spaced):
    assert resegment(clean) == spaced
    assert resegment(spaced) == spaced  # once is enough
    frame = pl.DataFrame({"n": [clean]}, schema={"n": pl.String})
    assert frame.select(resegment_expr(pl.col("n")))["n"].to_list() == [spaced]


def test_compact_all_keeps_stopwords_and_forms():
    frame = canonical_frame(pl.DataFrame({"n": ["Korean Committee for Space Co."]}), "n")
    assert frame["compact"].to_list() == ["koreancommitteespace"]
    assert frame["compact_all"].to_list() == ["koreancommitteeforspaceco"]


def test_a_slipped_reading_keeps_the_word_as_written_as_a_key():
    # "expert" reads as a slip of the common word "export"; its own typos meet it as written
    frame = canonical_frame(pl.DataFrame({"n": ["Expert Partners", "Info Partners"]}), "n")
    assert frame["tokens"].to_list()[0] == ["export", "partners"]
    assert "expert" in frame["key_tokens"].to_list()[0]
    assert "info" not in frame["key_tokens"].to_list()[1]  # an abbreviation is not a slip


@pytest.mark.parametrize(
    "token, expected",
    [
        ("huawei", 1.0),  # distinctive
        ("xyz", 1.0),  # three letters, two edits from any legal form or stopword
        ("ltdbx", 1.0),  # two letters longer than "ltd": not a slip of it
        ("limitd", 1.0),  # six letters: too long to be read as a short legal form
        ("bank", 0.35),  # generic
        ("technology", 0.25),  # weak
        ("beijing", 0.25),  # a city
        ("ab", 0.3),  # one or two letters
        ("co", 0.3),
        ("ltdb", 0.3),  # one letter more than "ltd"
        ("ltx", 0.3),  # one letter other than "ltd"
        ("gmbhx", 0.3),  # five letters, one more than "gmbh"
        ("and", 0.3),  # a short stopword itself
    ],
)
def test_word_weights_by_hand(token, expected):
    from auditor.screening.canonical import weight

    assert weight(token) == expected
