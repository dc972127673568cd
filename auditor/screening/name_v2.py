"""Algorithm `name-v2`: word-by-word alignment that survives typos in any word, word order
and abbreviations, with each feature explained.

Both names arrive as canonical tokens (`canonical.py`). Each query word is paired with
at most one candidate word, best pairs first, whatever their order:

* equal words score 1;
* one edit or neighbour swap (OSA distance) between words of 4+ letters scores 0.92,
  between words of 3 letters `SHORT_SLIP` (0.8: "fas" / "fars" pairs, but the pair
  alone does not carry a name), two edits between words of 9+ letters 0.84 -- typos
  in any word, generic or not;
* otherwise a close spelling (rapidfuzz ratio >= 0.8, romanisation variants) scores its
  ratio, capped at 0.9.

Words weigh by what they say about a party: distinctive words 1, generic words
("industry", "bank") 0.35, weak words (cities, "technology") 0.25, one- and two-letter
words 0.3. Features, each in 0..1:

* `query_coverage` / `candidate_coverage`: weighted share of each side's words paired;
* `distinctive`: share of the distinctive words (both sides) that found a partner;
* `compact`: the names without spaces alike ("hua wei" / "huawei") -- one edit allowed;
* `full`: token-sort ratio of the names as written, so a slip still costs a little.

    tokens = (query_coverage + candidate_coverage) / 2, or 0.97 when `compact` holds
    score  = (0.92 * tokens + 0.08 * full) * (0.75 + 0.25 * distinctive)

Evidence beyond the name then moves the score (`apply_evidence`, x0.8, said in the
explanation): a query that differs from the candidate only by its legal form, from a
country the entry is not in, is another company sharing the name; a query with a legal
form is not an individual, a vessel or an aircraft. Queries carry no address, so the
entry's addresses are not used here (the address facet screens them separately).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from auditor.screening.canonical import weight

from auditor.screening.algorithms import DEFAULT_THRESHOLD_V2, NAME_V2  # noqa: F401 - re-exported

COVER_MAX = 0.9  # weight of the better-covered side in `tokens` (tuned on the tune part)
MAX_KEY_NAMES = 200  # a blocking word held by more list names is used only as a query's rarest
SHORT_SLIP = 0.8  # one edit or neighbour swap in a three-letter word ("fas" / "fars")


def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    shortest = min(len(a), len(b))
    if shortest >= 3 and abs(len(a) - len(b)) <= 2:
        d = OSA.distance(a, b, score_cutoff=2)
        if d <= 1:
            return 0.92 if shortest >= 4 else SHORT_SLIP
        if d == 2 and shortest >= 9:
            return 0.84
    if shortest >= 5:
        r = fuzz.ratio(a, b, score_cutoff=80.0) / 100.0
        return min(r, 0.9)
    return 0.0


def _cpdist(a: list[str], b: list[str], scorer, **kw) -> np.ndarray:
    if not a:
        return np.zeros(0, dtype=np.float64)
    return process.cpdist(a, b, scorer=scorer, workers=-1, dtype=np.float64, **kw)


def _similarity(words: pl.DataFrame, a: str, b: str) -> pl.Series:
    """`word_similarity` for each row's (a, b) words, computed once per distinct pair."""
    uniq = words.select(pl.col(a).alias("a"), pl.col(b).alias("b")).unique()
    # Lengths as signed integers: len_chars is unsigned and a difference would wrap.
    la, lb = pl.col("a").str.len_chars().cast(pl.Int32), pl.col("b").str.len_chars().cast(pl.Int32)
    shortest = pl.min_horizontal(la, lb)
    uniq = uniq.with_columns(
        close=(shortest >= 3) & ((la - lb).abs() <= 2), fuzzy=shortest >= 5, shortest=shortest
    )
    close = uniq.filter(pl.col("close") & (pl.col("a") != pl.col("b")))
    d = _cpdist(close["a"].to_list(), close["b"].to_list(), OSA.distance, score_cutoff=2)
    close = close.select("a", "b", d=pl.Series(d))
    uniq = uniq.join(close, on=["a", "b"], how="left")
    edits = (
        pl.when(pl.col("a") == pl.col("b"))
        .then(1.0)
        .when((pl.col("d") <= 1) & (pl.col("shortest") >= 4))
        .then(0.92)
        .when(pl.col("d") <= 1)
        .then(SHORT_SLIP)
        .when((pl.col("d") == 2) & (pl.col("shortest") >= 9))
        .then(0.84)
        .otherwise(None)
    )
    uniq = uniq.with_columns(sim=edits)
    rest = uniq.filter(pl.col("sim").is_null() & pl.col("fuzzy"))
    r = _cpdist(rest["a"].to_list(), rest["b"].to_list(), fuzz.ratio, score_cutoff=80.0) / 100.0
    rest = rest.select("a", "b", r=pl.Series(r, dtype=pl.Float64))
    uniq = uniq.join(rest, on=["a", "b"], how="left").with_columns(
        sim=pl.coalesce(
            "sim",
            pl.when(pl.col("r") > 0).then(pl.min_horizontal(pl.col("r"), pl.lit(0.9))),
            pl.lit(0.0),
        )
    )
    keyed = words.select(pl.col(a).alias("a"), pl.col(b).alias("b")).join(
        uniq.select("a", "b", "sim"), on=["a", "b"], how="left", maintain_order="left"
    )
    return keyed["sim"].fill_null(0.0)


def _side(pairs: pl.DataFrame, side: str) -> pl.DataFrame:
    """(pid, i, tok, raw, w) for one side's words."""
    words = (
        pairs.select(
            "pid",
            tok=pl.col(f"{side}_tokens"),
            raw=pl.col(f"{side}_words"),
            i=pl.int_ranges(0, pl.col(f"{side}_tokens").list.len()),
        )
        .explode(["tok", "raw", "i"])
        .drop_nulls("tok")
    )
    uniq = words["tok"].unique()
    weights = pl.DataFrame(
        {"tok": uniq, "w": [weight(t) for t in uniq.to_list()]},
        schema={"tok": pl.String, "w": pl.Float64},
    )
    return words.join(weights, on="tok", how="left")


def _coverage(cross: pl.DataFrame, side: str) -> pl.DataFrame:
    """Per pair: one side's weighted coverage and its distinctive words found / total.

    Each word's best partner is its highest similarity over the other side's words (a
    word may pair with a word another also pairs with; `aligned` shows the pairs).
    """
    i, w = ("i", "w") if side == "q" else ("i_n", "w_n")
    word = (pl.col("pid").cast(pl.UInt64) * 1024 + pl.col(i).cast(pl.UInt64)).alias("word")
    # Sorted by word, so each pair's sums add its words in their order: the same last
    # digit every run.
    best = (
        cross.group_by(word)
        .agg(pl.col("pid").first(), pl.col(w).first().alias("w"), pl.col("sim").max())
        .sort("word")
    )
    found = pl.col("sim") > 0
    return best.group_by("pid").agg(
        (pl.col("w") * pl.col("sim")).sum().alias(f"{side}_got"),
        pl.col("w").sum().alias(f"{side}_w"),
        ((pl.col("w") == 1.0) & found).sum().alias(f"{side}_dist_got"),
        (pl.col("w") == 1.0).sum().alias(f"{side}_dist"),
    )


def aligned_words(q_tokens: list[str], n_tokens: list[str]) -> str:
    """Each query word with its best partner ("tonw~town"), for the explanation."""
    out = []
    for a in q_tokens:
        best = max(n_tokens, key=lambda b: word_similarity(a, b), default=None)
        if best is not None and word_similarity(a, best) > 0:
            out.append(a if a == best else f"{a}~{best}")
    return " ".join(out)


def score_pairs(pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Scores (query, candidate) pairs that passed `bounds.passes_prefilter`; columns
    q_/n_ core, compact, compact_all, norm, tokens, words.

    The word alignment runs over all word pairs at once: each word's best partner on the
    other side (as canonical token or as written, whichever is closer).
    """
    pairs = pairs.with_row_index("pid")
    if pairs.height == 0:
        return pairs.with_columns(score=pl.lit(0.0))
    q, n = _side(pairs, "q"), _side(pairs, "n")
    cross = q.join(n, on="pid", suffix="_n")
    cross = cross.with_columns(sim=_similarity(cross, "tok", "tok_n"))
    # Words whose canonical form differs from the spelling are also compared as written.
    respelled = (pl.col("raw") != pl.col("tok")) | (pl.col("raw_n") != pl.col("tok_n"))
    cross = cross.with_row_index("_r")
    spelled = cross.filter(respelled)
    if spelled.height:
        raw_sim = spelled.select("_r", raw_sim=_similarity(spelled, "raw", "raw_n"))
        cross = cross.join(raw_sim, on="_r", how="left").with_columns(
            sim=pl.max_horizontal("sim", pl.col("raw_sim").fill_null(0.0))
        )
    cov = _coverage(cross, "q").join(_coverage(cross, "n"), on="pid", how="full", coalesce=True)
    pairs = pairs.join(cov, on="pid", how="left")
    full = (
        _cpdist(pairs["q_norm"].to_list(), pairs["n_norm"].to_list(), fuzz.token_sort_ratio) / 100.0
    )
    cd = _cpdist(
        pairs["q_compact"].to_list(), pairs["n_compact"].to_list(), OSA.distance, score_cutoff=2
    )
    cd_all = _cpdist(
        pairs["q_compact_all"].to_list(),
        pairs["n_compact_all"].to_list(),
        OSA.distance,
        score_cutoff=2,
    )
    short = pl.min_horizontal(
        pl.col("q_compact").str.len_chars(), pl.col("n_compact").str.len_chars()
    )
    short_all = pl.min_horizontal(
        pl.col("q_compact_all").str.len_chars(), pl.col("n_compact_all").str.len_chars()
    )
    compact = (
        pl.when(pl.col("q_compact") == pl.col("n_compact"))
        .then(1.0)
        .when(pl.col("q_compact_all") == pl.col("n_compact_all"))
        .then(1.0)
        .when((short >= 6) & (pl.lit(pl.Series(cd)) <= 1))
        .then(0.97)
        .when((short_all >= 8) & (pl.lit(pl.Series(cd_all)) <= 1))
        .then(0.97)
        .otherwise(0.0)
    )
    dist_total = pl.col("q_dist").fill_null(0) + pl.col("n_dist").fill_null(0)
    distinctive = (
        pl.when(dist_total == 0)
        .then(1.0)
        .otherwise(
            (pl.col("q_dist_got").fill_null(0) + pl.col("n_dist_got").fill_null(0)) / dist_total
        )
    )
    pairs = pairs.with_columns(
        full=pl.Series(full, dtype=pl.Float64),
        query_coverage=(pl.col("q_got") / pl.col("q_w")).fill_null(0.0).fill_nan(0.0),
        candidate_coverage=(pl.col("n_got") / pl.col("n_w")).fill_null(0.0).fill_nan(0.0),
        distinctive=distinctive.cast(pl.Float64),
        compact=compact,
    )
    covs = (
        pl.max_horizontal("query_coverage", "candidate_coverage"),
        pl.min_horizontal("query_coverage", "candidate_coverage"),
    )
    tokens = pl.max_horizontal(COVER_MAX * covs[0] + (1 - COVER_MAX) * covs[1], pl.col("compact"))
    # When the spacing differs the words cannot pair; the compact match vouches for all of them.
    distinctive = pl.when(pl.col("compact") > 0).then(1.0).otherwise(pl.col("distinctive"))
    pairs = pairs.with_columns(tokens=tokens, distinctive=distinctive)
    score = (0.92 * pl.col("tokens") + 0.08 * pl.col("full")) * (
        0.75 + 0.25 * pl.col("distinctive")
    )
    return pairs.with_columns(score=score.clip(0.0, 1.0))


def explanation_features() -> pl.Expr:
    r = lambda c: pl.col(c).round(3)  # noqa: E731
    return pl.struct(
        tokens=r("tokens"),
        query_coverage=r("query_coverage"),
        candidate_coverage=r("candidate_coverage"),
        distinctive=r("distinctive"),
        compact=r("compact"),
        full=r("full"),
        aligned=pl.col("aligned"),
        legal_form=pl.col("legal_form"),
        evidence=pl.col("evidence"),
    )


FEATURES_DTYPE = pl.Struct(
    {
        "tokens": pl.Float64,
        "query_coverage": pl.Float64,
        "candidate_coverage": pl.Float64,
        "distinctive": pl.Float64,
        "compact": pl.Float64,
        "full": pl.Float64,
        "aligned": pl.String,
        "legal_form": pl.String,
        "evidence": pl.String,
    }
)


OTHER_PARTY_FACTOR = 0.8  # an exact name times this stays below any sane threshold
NOT_AN_ORGANISATION = ("Individual", "Vessel", "Aircraft")


def apply_evidence(rows: pl.DataFrame) -> pl.DataFrame:
    """Adds legal_form and evidence, and lowers the score where the entry's own evidence
    says it is another party. Columns in: q_legal, n_legal, q_core, n_core, country_check,
    entry_type, score."""
    q_fam = pl.col("q_legal").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    n_fam = pl.col("n_legal").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    rows = rows.with_columns(_qf=q_fam, _nf=n_fam)
    both = (pl.col("_qf").list.len() > 0) & (pl.col("_nf").list.len() > 0)
    differs = both & (pl.col("_qf").list.set_intersection(pl.col("_nf")).list.len() == 0)
    legal = (
        pl.when(differs)
        .then(pl.lit("differs"))
        .when(both)
        .then(pl.lit("same"))
        .otherwise(pl.lit("absent"))
    )
    only_legal = differs & (pl.col("q_core") == pl.col("n_core"))
    forms = pl.format("{} vs {}", pl.col("q_legal"), pl.col("n_legal"))
    not_org = (pl.col("_qf").list.len() > 0) & pl.col("entry_type").is_in(list(NOT_AN_ORGANISATION))
    evidence = (
        pl.when(only_legal & (pl.col("country_check") == "mismatch"))
        .then(
            pl.format(
                "legal form differs ({}) and the query's country is not the entry's: another company sharing the name",
                forms,
            )
        )
        .when(not_org)
        .then(
            pl.format(
                "the query carries a legal form ({}); the entry is an {}",
                pl.col("q_legal"),
                pl.col("entry_type"),
            )
        )
        .when(only_legal & (pl.col("country_check") == "match"))
        .then(pl.format("legal form differs ({}) but the country matches: kept", forms))
        .when(only_legal)
        .then(
            pl.format(
                "legal form differs ({}); no country to tell the parties apart: kept for review",
                forms,
            )
        )
        .otherwise(pl.lit(""))
    )
    factor = (
        pl.when((only_legal & (pl.col("country_check") == "mismatch")) | not_org)
        .then(OTHER_PARTY_FACTOR)
        .otherwise(1.0)
    )
    return rows.with_columns(
        legal_form=legal, evidence=evidence, score=pl.col("score") * factor
    ).drop("_qf", "_nf")


def name_explanation() -> pl.Expr:
    """Compact JSON: algorithm, both names as given and as compared, each feature, the evidence."""
    return pl.struct(
        algorithm=pl.lit(NAME_V2),
        query=pl.col("query_name"),
        query_core=pl.col("q_core"),
        candidate=pl.col("matched_name"),
        candidate_core=pl.col("n_core"),
        candidate_kind=pl.col("kind"),
        features=explanation_features(),
        country=pl.col("country_check"),
        list=pl.col("source_code"),
        entry_id=pl.col("entry_id"),
    ).struct.json_encode()


EXPLANATION_DTYPE = pl.Struct(
    {
        "algorithm": pl.String,
        "query": pl.String,
        "query_core": pl.String,
        "candidate": pl.String,
        "candidate_core": pl.String,
        "candidate_kind": pl.String,
        "features": FEATURES_DTYPE,
        "country": pl.String,
        "list": pl.String,
        "entry_id": pl.String,
    }
)
