"""Affiliates by name: a name that carries the distinctive part of a listed name.

A name match asks "is this the listed party under another spelling?". The relatives of a
listed company answer no -- "Inspur (Jinan) Data Technology", "Sugon Information Industry",
"SMIC Holdings Ltd (Samoa)" -- yet carry its brand with other words around it. Algorithm
`affiliate-v1` finds them:

* Terms of every list name (primary, aliases, attached Chinese names): its tokens of four
  or more letters, pairs of neighbouring tokens ("moore threads"), and its acronyms
  ("smic"); a list name that is itself an acronym ("NUDT") is also looked for in the
  initials of the query's words. Generic words, legal forms, city prefixes and stopwords
  never count (the normaliser's tables), and a single token that is an English word, a
  surname or a place (`words.py`) is not distinctive on its own.
* Rarity from data: a term carried by more than MAX_LIST_ENTRIES entries is part of the
  lists' vocabulary, not a brand; among the tenants (the corpus: the provider's tenant
  names, or the names screened) rarity = 1 - ln(df) / ln(N), N at least MIN_CORPUS, and a
  term below MIN_RARITY is too common there to identify anyone.
* Score = base * (0.5 + 0.5 * rarity), +0.1 when the query's country is one of the entry's
  (China, Hong Kong and Macau count as one), -0.1 when it is known and differs. Base: 0.85
  for a pair, 0.7/0.75/0.8 for a token of 4/5/6+ letters, 0.75 for an acronym.

Kinds: `acronym` when the query's whole name (legal form aside) is the acronym, otherwise
`affiliate`; the caller drops pairs that already matched by name, so neither is ever
reported as a name match. Every match names the term, how it was found (`via`), its rarity,
the list name that carries it and the table that name came from.
"""

from __future__ import annotations

import math
import re

import polars as pl

from auditor.screening.acronyms import MIN_LETTERS, acronym_variants, initial_windows
from auditor.screening.aliases import alias_origins
from auditor.screening.chinese_script import to_simplified
from auditor.screening.countries import country_code
from auditor.screening.normalize import (
    GENERIC_TOKENS,
    STOPWORDS,
    WEAK_TOKENS,
    normalize_frame,
    transliterate,
)
from auditor.screening.words import PINYIN_SYLLABLE, ordinary_series, place_names, place_series

AFFILIATE_ALGORITHM = "affiliate-v1"
DEFAULT_AFFILIATE_THRESHOLD = 0.5
MIN_TOKEN_LETTERS = 4
MAX_LIST_ENTRIES = 200
MIN_CORPUS = 1000
MIN_RARITY = 0.5
_GREATER_CHINA = ("CN", "HK", "MO")
_SKIP = sorted(GENERIC_TOKENS | WEAK_TOKENS | STOPWORDS)

AFFILIATE_RESULT_SCHEMA: dict[str, pl.DataType] = {
    "query_id": pl.String(),
    "query_name": pl.String(),
    "entry_id": pl.String(),
    "entry_name": pl.String(),
    "source": pl.String(),
    "source_code": pl.String(),
    "kind": pl.String(),
    "via": pl.String(),
    "term": pl.String(),
    "score": pl.Float64(),
    "detail": pl.String(),
    "explanation": pl.String(),
}


def _words(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`frame` plus `norm_words` (all words of the normalised name) and `words` (without
    generic words, city prefixes and stopwords)."""
    norm = normalize_frame(frame, column)
    return norm.with_columns(
        norm_words=pl.col("norm").str.split(" ").list.eval(pl.element().filter(pl.element() != "")),
    ).with_columns(
        words=pl.col("norm_words").list.eval(pl.element().filter(~pl.element().is_in(_SKIP)))
    )


def _word_terms(
    frame: pl.DataFrame, row: str, min_letters: int = MIN_TOKEN_LETTERS
) -> pl.DataFrame:
    """(row, key, term, via) for tokens (of `min_letters` or more) and neighbouring pairs of `words`."""
    exploded = (
        frame.select(row, w="words")
        .with_columns(pos=pl.int_ranges(0, pl.col("w").list.len()))
        .explode("w", "pos")
    )
    exploded = exploded.drop_nulls("w")
    tokens = exploded.filter(
        (pl.col("w").str.len_chars() >= min_letters) & pl.col("w").str.contains("[a-z]")
    ).select(row, term="w", via=pl.lit("token"))
    nxt = exploded.select(row, pos=pl.col("pos") - 1, w2="w")
    pairs = (
        exploded.join(nxt, on=[row, "pos"])
        .filter((pl.col("w").str.len_chars() >= 3) & (pl.col("w2").str.len_chars() >= 3))
        .select(row, term=pl.col("w") + " " + pl.col("w2"), via=pl.lit("phrase"))
    )
    both = pl.concat([tokens, pairs]).unique()
    return both.with_columns(key=pl.lit("w:") + pl.col("term"))


class AffiliateIndex:
    """The distinctive terms of list names with their rarity; built once per run."""

    def __init__(
        self,
        terms: pl.DataFrame,
        entries: pl.DataFrame,
        corpus_df: pl.DataFrame,
        corpus_size: int,
        corpus_words: pl.DataFrame | None = None,
    ):
        self.terms = (
            terms  # key, term, via, entry_id, carrier, table, expansion, list_entries, rank
        )
        self.entries = entries
        self.corpus_df = corpus_df  # key, df
        self.corpus_size = corpus_size
        # query_name, norm, norm_words, words of the corpus names: the audit screens the same
        # names it measured rarity on, and transliteration is the expensive part.
        self._corpus_words = (
            corpus_words if corpus_words is not None else pl.DataFrame(schema=_WORDS_SCHEMA)
        )

    @classmethod
    def build(cls, entries: pl.DataFrame, corpus: pl.Series | None = None) -> AffiliateIndex:
        """Terms of `entries` (name, alt_names, added_aliases); rarity among `corpus` names."""
        names = (
            pl.concat(
                [
                    entries.select("entry_id", raw="name", primary=pl.lit(True)),
                    entries.select("entry_id", raw="alt_names", primary=pl.lit(False)).explode(
                        "raw"
                    ),
                ]
            )
            .drop_nulls("raw")
            .filter(pl.col("raw").str.strip_chars() != "")
            .unique(subset=["entry_id", "raw"], maintain_order=True)
        )
        origins = alias_origins(entries).rename({"matched_name": "raw"})
        names = (
            names.join(origins, on=["entry_id", "raw"], how="left")
            .with_columns(
                table=pl.col("alias_origin").fill_null(pl.lit("list")),
                expansion=pl.lit(None, dtype=pl.String),
            )
            .drop("alias_origin")
            .with_row_index("row")
        )
        worded = _words(names, "raw")
        ordinary = ordinary_series()
        # In a Chinese name only the first word after the place is the brand (浪潮, 曙光); the
        # rest is its trade written as one pinyin run (集成电路制造, "integrated circuit manufacturing").
        han = pl.col("raw").str.contains(r"[\u3400-\u9fff]")
        worded = worded.with_columns(
            words=pl.when(han).then(pl.col("words").list.head(1)).otherwise(pl.col("words"))
        )
        word_terms = _word_terms(worded, "row")
        # Pinyin runs join the brand to the trade after it (曙光云计算 -> "shuguangyunjisuan"),
        # so a Chinese brand is also looked for at the start of a query word ("h:" keys).
        han_rows = worded.filter(han).select("row")
        word_terms = pl.concat(
            [
                word_terms,
                word_terms.filter(pl.col("via") == "token")
                .join(han_rows, on="row")
                .with_columns(key=pl.lit("h:") + pl.col("term")),
                _two_character_brands(names.filter(han).select("row", "raw")),
            ]
        )
        # A lone token must be more than a word or a place; a pair must hold one such word
        # (otherwise its tokens already count) and not be two places ("hong kong").
        pair_words = pl.col("term").str.split(" ")
        word_terms = word_terms.filter(
            pl.when(pl.col("via") == "token")
            .then(
                ~pl.col("term").is_in(ordinary.implode())
                & ~pl.col("term").str.contains(PINYIN_SYLLABLE)
            )
            .otherwise(
                pair_words.list.eval(
                    pl.element().is_in(ordinary.implode())
                    | pl.element().str.contains(PINYIN_SYLLABLE)
                ).list.any()
                & ~pair_words.list.eval(pl.element().is_in(place_series().implode())).list.all()
            )
        )
        acronyms = (
            names.filter(pl.col("raw").str.contains(r"^[\x00-\x7f]+$"))
            .select("row", term=acronym_variants(pl.col("raw")))
            .explode("term")
            .drop_nulls("term")
            .filter(~pl.col("term").is_in(ordinary.implode()))
            .with_columns(via=pl.lit("acronym"), key=pl.lit("w:") + pl.col("term"))
        )
        # A list name written as an acronym ("NUDT") is looked for in the initials of query words.
        spelled = (
            worded.filter(
                (pl.col("norm_words").list.len() == 1)
                & pl.col("raw").str.strip_chars().str.contains(f"^[A-Z]{{{MIN_LETTERS},8}}$")
                & ~pl.col("norm").is_in(ordinary.implode())
            )
            .select("row", term="norm")
            .with_columns(via=pl.lit("expansion"), key=pl.lit("i:") + pl.col("term"))
        )
        terms = pl.concat(
            [word_terms, acronyms.select(word_terms.columns), spelled.select(word_terms.columns)]
        )
        terms = terms.join(
            names.select("row", "entry_id", "primary", carrier="raw", table="table"), on="row"
        )
        terms = terms.with_columns(
            expansion=pl.when(pl.col("via") == "acronym").then(pl.col("carrier")),
            list_entries=pl.col("entry_id").n_unique().over("key").cast(pl.Int64),
        ).filter(pl.col("list_entries") <= MAX_LIST_ENTRIES)
        # The entry a term points to first: one whose primary name carries it, then the shortest carrier.
        terms = terms.sort(
            ["key", "primary", pl.col("carrier").str.len_chars()], descending=[False, True, False]
        )
        terms = (
            terms.unique(subset=["key", "entry_id"], keep="first", maintain_order=True)
            .with_columns(rank=pl.int_range(pl.len()).over("key"))
            .drop("row", "primary")
        )
        corpus_df, corpus_size, corpus_words = _corpus_frequency(corpus, terms)
        return cls(terms, entries, corpus_df, corpus_size, corpus_words)

    def match(self, queries: pl.DataFrame, threshold: float | None = None) -> pl.DataFrame:
        """Affiliate and acronym matches of each query (query_id, name, optional country)."""
        threshold = DEFAULT_AFFILIATE_THRESHOLD if threshold is None else threshold
        if "country" not in queries.columns:
            queries = queries.with_columns(country=pl.lit(None, dtype=pl.String))
        queries = queries.select(
            pl.col("query_id").cast(pl.String),
            pl.col("name").cast(pl.String),
            pl.col("country").cast(pl.String),
        )
        uniq = queries.select(query_name="name").drop_nulls().unique().with_row_index("q")
        if uniq.height == 0 or self.terms.height == 0:
            return pl.DataFrame(schema=AFFILIATE_RESULT_SCHEMA)
        known = uniq.join(self._corpus_words, on="query_name")
        fresh = uniq.join(self._corpus_words, on="query_name", how="anti")
        worded = (
            pl.concat([known, _words(fresh, "query_name").select(known.columns)])
            if fresh.height
            else known
        )
        found = _query_terms(worded, self.terms).join(self.terms, on="key")
        if found.height == 0:
            return pl.DataFrame(schema=AFFILIATE_RESULT_SCHEMA)
        found = found.join(worded.select("q", "norm"), on="q").with_columns(
            kind=pl.when(
                pl.col("via").is_in(["acronym", "expansion"]) & (pl.col("norm") == pl.col("term"))
            )
            .then(pl.lit("acronym"))
            .otherwise(pl.lit("affiliate"))
        )
        # Three-letter acronyms are common words of other names: only a whole name counts.
        found = found.filter(
            (pl.col("term").str.len_chars() >= MIN_TOKEN_LETTERS) | (pl.col("kind") == "acronym")
        )
        found = found.join(self.corpus_df, on="key", how="left").with_columns(
            df=pl.col("df").fill_null(1).clip(lower_bound=1)
        )
        n = max(self.corpus_size, MIN_CORPUS)
        found = found.with_columns(
            rarity=(1.0 - pl.col("df").log() / math.log(n)).clip(0.0, 1.0)
        ).filter(pl.col("rarity") >= MIN_RARITY)
        rows = queries.join(uniq, left_on="name", right_on="query_name").join(
            found.drop("query_name", strict=False), on="q"
        )
        rows = rows.join(
            self.entries.select(
                "entry_id", "source", "source_code", "countries", entry_name="name"
            ),
            on="entry_id",
        )
        rows = rows.with_columns(country_check=_country_check()).with_columns(score=_score())
        rows = rows.filter(pl.col("score") >= threshold)
        if rows.height == 0:
            return pl.DataFrame(schema=AFFILIATE_RESULT_SCHEMA)
        # Ties broken by the term, then (below) by entry: the same inputs give the same match.
        best = rows.sort(["score", "rank", "key"], descending=[True, False, False]).unique(
            subset=["query_id", "entry_id"], keep="first", maintain_order=True
        )
        best = best.with_columns(
            query_name=pl.col("name"), corpus_names=pl.lit(self.corpus_size, dtype=pl.Int64)
        ).with_columns(explanation=_explanation(), detail=_detail())
        order = queries.select("query_id").with_row_index("order")
        best = best.join(order, on="query_id").sort(
            ["order", "score", "entry_id"], descending=[False, True, False]
        )
        return best.select(list(AFFILIATE_RESULT_SCHEMA)).cast(AFFILIATE_RESULT_SCHEMA)  # type: ignore[arg-type]


AFFILIATE_EXPLANATION_DTYPE = pl.Struct(
    {
        "algorithm": pl.String,
        "kind": pl.String,
        "via": pl.String,
        "term": pl.String,
        "query": pl.String,
        "spelled": pl.String,
        "carrier": pl.String,
        "expansion": pl.String,
        "table": pl.String,
        "list_entries": pl.Int64,
        "tenant_names": pl.Int64,
        "corpus_names": pl.Int64,
        "rarity": pl.Float64,
        "country": pl.String,
        "list": pl.String,
        "entry_id": pl.String,
    }
)


def without_name_matches(
    affiliates: pl.DataFrame, names: pl.DataFrame, keys: tuple[str, ...] = ("query_id",)
) -> pl.DataFrame:
    """Affiliate rows of queries that did not already match by name: a name that is a
    listed party's is reported as that, and the same evidence must not count twice."""
    if affiliates.height == 0 or names.height == 0:
        return affiliates
    return affiliates.join(
        names.select(*keys).unique(), on=list(keys), how="anti", maintain_order="left"
    )


def _query_terms(worded: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """(q, key, spelled) of query names: tokens, pairs, and initials of word runs."""
    # Query words of three letters too: they can be a whole name's acronym ("XAC").
    words = _word_terms(worded, "q", MIN_LETTERS).select(
        "q", "key", spelled=pl.lit(None, dtype=pl.String)
    )
    words = pl.concat([words, _brand_prefixes(worded, terms)])
    sizes = terms.filter(pl.col("via") == "expansion")["term"].str.len_chars().unique().to_list()
    if not sizes:
        return words
    windows = initial_windows(worded, "q", "norm_words", sizes)
    windows = windows.select("q", key=pl.lit("i:") + pl.col("window"), spelled="spelled")
    windows = windows.join(terms.select("key").unique(), on="key", how="semi")
    return pl.concat([words, windows]).unique(subset=["q", "key"], keep="first")


_SYLLABLE_START = r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])[aeiouv]"
# Institutions named by what they do (高性能集成电路设计中心, 国防科技大学): no brand ahead.
_DESCRIPTIVE = ("中心", "研究所", "研究院", "大学", "学院")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def _two_character_brands(names: pl.DataFrame) -> pl.DataFrame:
    """(row, term, via, key) for the first two characters after the place of a Chinese name.

    Chinese brands are mostly two characters (浪潮, 曙光, 海光, 智谱, 鹏城) and the pinyin run
    holding them often goes on with words the normaliser does not translate (智谱华章, 鹏城实验室).
    List side only: a few thousand names, so plain Python.
    """
    places = place_names()
    rows: list[tuple[int, str]] = []
    for row, raw in names.iter_rows():
        text = to_simplified(raw)
        runs = _HAN_RUN.findall(text)
        if not runs or text.rstrip(")） ").endswith(_DESCRIPTIVE):
            continue
        run = runs[0]
        for size in (3, 2, 2):  # at most a city and a province ahead of the brand (哈尔滨, 北京)
            if len(run) > size and transliterate(run[:size]).strip().lower() in places:
                run = run[size:]
        if len(run) <= 2:
            continue
        term = transliterate(run[:2]).strip().lower()
        if (
            term.isalpha()
            and len(term) >= MIN_TOKEN_LETTERS
            and term not in _SKIP
            and term not in places
        ):
            rows.append((row, term))
    frame = pl.DataFrame(rows, schema={"row": pl.UInt32, "term": pl.String}, orient="row")
    return frame.with_columns(via=pl.lit("token"), key=pl.lit("h:") + pl.col("term")).select(
        "row", "term", "via", "key"
    )


def _brand_prefixes(worded: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    """(q, "h:" key, null) where a query word starts with a Chinese brand at a syllable
    boundary: "shuguangyunjisuan" carries "shuguang" (the rest starts a syllable: an initial
    and a vowel), but "zhongxingtongxun" (中兴通讯) does not carry "zhongxin" (中芯)."""
    lengths = (
        terms.filter(pl.col("key").str.starts_with("h:"))["term"].str.len_chars().unique().to_list()
    )
    if not lengths:
        return pl.DataFrame(schema={"q": pl.UInt32, "key": pl.String, "spelled": pl.String})
    words = worded.select("q", w="words").explode("w").drop_nulls("w").unique()
    cut = words.with_columns(n=pl.lit(sorted(lengths), dtype=pl.List(pl.Int64))).explode("n")
    cut = cut.filter(pl.col("w").str.len_chars() >= pl.col("n"))
    head, rest = pl.col("w").str.slice(0, pl.col("n")), pl.col("w").str.slice(pl.col("n"))
    boundary = (rest == "") | rest.str.contains(_SYLLABLE_START)
    found = cut.filter(boundary).select(
        "q", key=pl.lit("h:") + head, spelled=pl.lit(None, dtype=pl.String)
    )
    return found.join(terms.select("key").unique(), on="key", how="semi")


_WORDS_SCHEMA: dict[str, pl.DataType] = {
    "query_name": pl.String(),
    "norm": pl.String(),
    "norm_words": pl.List(pl.String),
    "words": pl.List(pl.String),
}


def _corpus_frequency(
    corpus: pl.Series | None, terms: pl.DataFrame
) -> tuple[pl.DataFrame, int, pl.DataFrame | None]:
    """(key, df): how many corpus names carry each list term; and the corpus size."""
    empty = pl.DataFrame(schema={"key": pl.String, "df": pl.Int64})
    if corpus is None:
        return empty, 0, None
    # Counted over names as given (one per tenant name), not distinct spellings: a thousand
    # tenants called "AVIC ..." make "avic" common however they vary the rest.
    given = pl.DataFrame({"query_name": corpus.cast(pl.String)}).drop_nulls()
    if given.height == 0:
        return empty, 0, None
    counts = given.group_by("query_name").agg(n=pl.len().cast(pl.Int64)).with_row_index("q")
    worded = _words(counts, "query_name")
    keys = _query_terms(worded, terms).join(terms.select("key").unique(), on="key", how="semi")
    keys = keys.unique(subset=["q", "key"]).join(counts.select("q", "n"), on="q")
    return (
        keys.group_by("key").agg(df=pl.col("n").sum()),
        given.height,
        worded.select(list(_WORDS_SCHEMA)),
    )


def _country_check() -> pl.Expr:
    code = pl.col("country").map_batches(_country_codes, return_dtype=pl.String)
    same = pl.col("countries").list.contains(code) | (
        code.is_in(_GREATER_CHINA)
        & pl.col("countries").list.eval(pl.element().is_in(_GREATER_CHINA)).list.any()
    )
    return (
        pl.when(code.is_null() | (pl.col("countries").list.len() == 0))
        .then(pl.lit("unknown"))
        .when(same)
        .then(pl.lit("match"))
        .otherwise(pl.lit("mismatch"))
    )


def _country_codes(series: pl.Series) -> pl.Series:
    mapping = {v: country_code(v) for v in series.drop_nulls().unique().to_list()}
    if not mapping:
        return series.cast(pl.String)
    return series.replace_strict(mapping, default=None, return_dtype=pl.String)


def _score() -> pl.Expr:
    letters = pl.col("term").str.len_chars()
    base = (
        pl.when(pl.col("via") == "phrase")
        .then(0.85)
        .when(pl.col("via") == "token")
        .then(pl.when(letters >= 6).then(0.8).when(letters == 5).then(0.75).otherwise(0.7))
        .otherwise(0.75)
    )
    adjust = (
        pl.when(pl.col("country_check") == "match")
        .then(0.1)
        .when(pl.col("country_check") == "mismatch")
        .then(-0.1)
        .otherwise(0.0)
    )
    return (base * (0.5 + 0.5 * pl.col("rarity")) + adjust).clip(0.0, 1.0)


def _explanation() -> pl.Expr:
    """Compact JSON: which term carried the match, how rare it is, and where it came from."""
    return pl.struct(
        algorithm=pl.lit(AFFILIATE_ALGORITHM),
        kind=pl.col("kind"),
        via=pl.col("via"),
        term=pl.col("term"),
        query=pl.col("name"),
        spelled=pl.col("spelled"),
        carrier=pl.col("carrier"),
        expansion=pl.col("expansion"),
        table=pl.col("table"),
        list_entries=pl.col("list_entries"),
        tenant_names=pl.col("df"),
        corpus_names=pl.col("corpus_names"),
        rarity=pl.col("rarity").round(3),
        country=pl.col("country_check"),
        list=pl.col("source_code"),
        entry_id=pl.col("entry_id"),
    ).struct.json_encode()


def _detail() -> pl.Expr:
    """One line for an analyst: "token 'inspur' of 'Inspur Group' [list], in 5 list entries, ..."."""
    how = (
        pl.when(pl.col("via") == "acronym")
        .then(pl.format("acronym '{}' of '{}'", "term", "expansion"))
        .when(pl.col("via") == "expansion")
        .then(pl.format("'{}' = initials of '{}', listed as '{}'", "term", "spelled", "carrier"))
        .when(pl.col("via") == "phrase")
        .then(pl.format("words '{}' of '{}'", "term", "carrier"))
        .otherwise(pl.format("token '{}' of '{}'", "term", "carrier"))
    )
    among = (
        pl.when(pl.col("corpus_names") > 0)
        .then(pl.format("{} of {} tenant names", "df", "corpus_names"))
        .otherwise(pl.lit("no tenant names to compare"))
    )
    return pl.format(
        "{} [{}]; in {} list entries, {}; rarity {}; country {}",
        how,
        "table",
        "list_entries",
        among,
        pl.col("rarity").round(2),
        "country_check",
    )
