"""The blocking index: finds the few list names worth scoring for each query name.

Comparing every tenant with every list name is 10^6 x 3*10^4 comparisons; instead each
name is cut into blocking keys and only names sharing a key are scored:

* `c:` the compact core ("huawei") -- exact matches and spacing variants;
* `t:` each core token -- aliases, extra or missing words, word order;
* `d:` each token and its one-letter deletions (SymSpell) -- one-letter typos, which
  share a deletion variant with the listed token. Queries add these only for tokens the
  index has never seen, which is where typos are.

Keys held by many list names ("bank", "trading") are skipped unless they are all a query
has. Candidate retrieval and scoring are Polars joins and rapidfuzz over arrays.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from auditor.errors import InputError
from auditor.screening.addresses import is_specific_expr, normalize_address_expr
from auditor.screening.countries import country_code
from auditor.screening.matcher import (
    DEFAULT_ADDRESS_THRESHOLD,
    NAME_V1,
    AddressChars,
    address_explanation,
    address_scores,
    finish_name_scores,
    name_explanation,
    name_features,
)
from auditor.screening import name_v2
from auditor.screening.bounds import NameForms, passes_prefilter
from auditor.screening.canonical import canonical_frame
from auditor.screening.normalize import normalize_frame

from auditor.screening.algorithms import (  # noqa: F401 - their names, re-exported here too
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    DEFAULT_THRESHOLD,
    DEFAULT_THRESHOLDS,
    NAME_ALGORITHM,
    algorithm_record,
)


# A key held by more list names than this is too common to block on ...
MAX_KEY_NAMES = 200
# ... unless it is the rarest key of a query; then up to this many.
FALLBACK_KEY_NAMES = 2000
MIN_DELETE_LEN = 4
# Deletion variants cost the square of a token's length; no real name word is this long,
# so longer tokens are keyed only as themselves (a 50 MB "word" stays linear).
MAX_DELETE_LEN = 24
# Only this many characters of a name are screened (the longest listed names are about
# 250); a longer value is cut, and the caller warns with its location.
MAX_SCREENED_CHARS = 500


def _prefixed(prefix: str, expr: pl.Expr) -> pl.Expr:
    return (pl.lit(prefix) + expr).hash(seed=7).alias("key")


def _deletions(tokens: pl.DataFrame) -> pl.DataFrame:
    """(row, token) -> (row, variant) for the token itself and each one-letter deletion."""
    long = tokens.filter(pl.col("token").str.len_chars() >= MIN_DELETE_LEN)
    dels = (
        long.filter(pl.col("token").str.len_chars() <= MAX_DELETE_LEN)
        .with_columns(pos=pl.int_ranges(0, pl.col("token").str.len_chars()))
        .explode("pos")
        .select(
            "row",
            variant=pl.col("token").str.slice(0, pl.col("pos"))
            + pl.col("token").str.slice(pl.col("pos") + 1),
        )
    )
    return pl.concat([long.select("row", variant=pl.col("token")), dels])


def token_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """(row, token) for every core token of two or more characters."""
    return (
        frame.select("row", token="tokens")
        .explode("token")
        .filter(pl.col("token").str.len_chars() >= 2)
        .unique()
    )


def name_keys(frame: pl.DataFrame, *, vocabulary: pl.DataFrame | None = None) -> pl.DataFrame:
    """Blocking keys (row, key:u64). `vocabulary` given = query side: deletions only for
    unseen tokens, and a key may repeat (`KeyTable.candidates` returns each pair once)."""
    tokens = token_rows(frame)
    compact = frame.filter(pl.col("compact").str.len_chars() >= 2).select(
        "row", _prefixed("c:", pl.col("compact"))
    )
    if "compact_all" in frame.columns:  # name-v2: the name with its stopwords and forms too
        compact = pl.concat([compact, frame.select("row", _prefixed("c:", pl.col("compact_all")))])
    tok = tokens.select("row", _prefixed("t:", pl.col("token")))
    del_source = tokens if vocabulary is None else tokens.join(vocabulary, on="token", how="anti")
    dels = _deletions(del_source).select("row", _prefixed("d:", pl.col("variant")))
    keys = pl.concat([compact, tok, dels])
    # The list side counts each key once per name (its document frequency).
    return keys.unique() if vocabulary is None else keys


def address_keys(frame: pl.DataFrame, *, vocabulary: pl.DataFrame | None = None) -> pl.DataFrame:
    """Addresses block on whole tokens and on the address as a whole.

    `vocabulary` given = query side: only tokens some list address has are keyed (a token
    no list address holds has no postings to find), so most of a query's words cost a
    lookup, not a hash and a sort."""
    if vocabulary is None:
        tokens = token_rows(frame)
    else:
        tokens = (
            frame.select("row", token="tokens")
            .explode("token")
            .join(vocabulary, on="token", how="semi")
            .filter(pl.col("token").str.len_chars() >= 2)
            .unique()
        )
    whole = frame.select("row", _prefixed("c:", pl.col("compact")))
    return pl.concat([whole, tokens.select("row", _prefixed("t:", pl.col("token")))]).unique()


class KeyTable:
    """List-side keys with their document frequency; joins queries to candidate rows."""

    def __init__(self, keys: pl.DataFrame, max_key_names: int = MAX_KEY_NAMES):
        self.max_key_names = max_key_names
        freq = keys.group_by("key").agg(pl.len().cast(pl.UInt32).alias("df"))
        self.freq = freq
        self.postings = keys.join(freq.filter(pl.col("df") <= FALLBACK_KEY_NAMES), on="key")

    def candidates(self, query_keys: pl.DataFrame) -> pl.DataFrame:
        """(q, row) pairs sharing a usable key, one row per pair."""
        with_df = query_keys.join(self.freq, on="key", how="inner")
        rarest = pl.col("df") == pl.col("df").min().over("q")
        usable = with_df.filter(
            (pl.col("df") <= self.max_key_names) | (rarest & (pl.col("df") <= FALLBACK_KEY_NAMES))
        )
        pairs = usable.select("q", "key").join(self.postings.select("key", "row"), on="key")
        return _unique_pairs(pairs["q"], pairs["row"])


def _unique_pairs(q: pl.Series, row: pl.Series) -> pl.DataFrame:
    """Each (q, row) once, sorted: one u64 per pair, sorted and deduplicated in numpy
    (several times faster than a hash-based unique over two columns)."""
    both = (q.cast(pl.UInt64).to_numpy() << np.uint64(32)) | row.cast(pl.UInt64).to_numpy()
    both.sort()
    both = both[np.concatenate(([True], both[1:] != both[:-1]))] if both.size else both
    return pl.DataFrame(
        {
            "q": pl.Series((both >> np.uint64(32)).astype(np.uint32)).cast(q.dtype),
            "row": pl.Series((both & np.uint64(0xFFFFFFFF)).astype(np.uint32)).cast(row.dtype),
        }
    )


# --- the index -------------------------------------------------------------------------

NAME_RESULT_SCHEMA: dict[str, pl.DataType] = {
    "query_id": pl.String(),
    "query_name": pl.String(),
    "entry_id": pl.String(),
    "entry_name": pl.String(),
    "matched_name": pl.String(),
    "source": pl.String(),
    "source_code": pl.String(),
    "score": pl.Float64(),
    "explanation": pl.String(),
}
ADDRESS_RESULT_SCHEMA: dict[str, pl.DataType] = {
    "query_id": pl.String(),
    "query_address": pl.String(),
    "entry_id": pl.String(),
    "entry_name": pl.String(),
    "matched_address": pl.String(),
    "source": pl.String(),
    "source_code": pl.String(),
    "score": pl.Float64(),
    "explanation": pl.String(),
}
BATCH_ROWS = 250_000


def _list_names(entries: pl.DataFrame) -> pl.DataFrame:
    """Every name an entry goes by: primary, aliases, and the primary without or as its
    parenthesised part ("Academy of ... Technology (AASPT)" is also "AASPT")."""
    base = entries.select("entry_idx", "name", "alt_names")
    primary = base.select("entry_idx", raw=pl.col("name"), kind=pl.lit("name"))
    aliases = base.select("entry_idx", raw=pl.col("alt_names"), kind=pl.lit("alias")).explode("raw")
    bare = base.select(
        "entry_idx",
        raw=pl.col("name").str.replace_all(r"\s*\([^()]*\)", ""),
        kind=pl.lit("name without brackets"),
    )
    inner = (
        base.select(
            "entry_idx",
            raw=pl.col("name").str.extract_all(r"\([^()]{3,}\)"),
            kind=pl.lit("bracketed name"),
        )
        .explode("raw")
        .with_columns(pl.col("raw").str.strip_chars("()"))
    )
    names = pl.concat([primary, aliases, bare, inner]).filter(
        pl.col("raw").is_not_null() & (pl.col("raw") != "")
    )
    return names


class ScreeningIndex:
    """Names and addresses of list entries, keyed for blocking; built once, queried in batches."""

    def __init__(
        self,
        entries: pl.DataFrame,
        names: pl.DataFrame,
        addresses: pl.DataFrame,
        algorithm: str = DEFAULT_ALGORITHM,
    ):
        self.algorithm = algorithm
        self.default_threshold = DEFAULT_THRESHOLDS[algorithm]
        self.entries = entries
        self.names = names
        self.addresses = addresses
        keyed = names if algorithm == NAME_V1 else names.with_columns(tokens=pl.col("key_tokens"))
        self.vocabulary = token_rows(keyed).select("token").unique()
        self._name_keys = KeyTable(
            name_keys(keyed), MAX_KEY_NAMES if algorithm == NAME_V1 else name_v2.MAX_KEY_NAMES
        )
        self._address_keys = KeyTable(address_keys(addresses))
        self._address_vocabulary = token_rows(addresses).select("token").unique()
        self._address_chars = AddressChars.of(addresses["norm"])
        # name-v2's prefilter reads each list name's forms by row number (`row` is 0..n-1).
        self._name_forms = None if algorithm == NAME_V1 else NameForms.of(names)

    @classmethod
    def build(
        cls, entries: pl.DataFrame, sources: set[str] | None = None, algorithm: str | None = None
    ) -> ScreeningIndex:
        """Index the entries of the given source codes (EL, MEU, SDN, ...); all when None.

        `algorithm` is a key of ALGORITHMS (default name-v2); it fixes how names are
        normalised here and scored by `match_names`.
        """
        algorithm = algorithm or DEFAULT_ALGORITHM
        if algorithm not in ALGORITHMS:
            raise InputError(
                f"unknown screening algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS)}"
            )
        normalize = normalize_frame if algorithm == NAME_V1 else canonical_frame
        if sources:
            wanted = [s.strip().upper() for s in sources]
            entries = entries.filter(pl.col("source_code").is_in(wanted))
        entries = entries.with_row_index("entry_idx")
        names = _list_names(entries).with_columns(
            screened=pl.col("raw").str.slice(0, MAX_SCREENED_CHARS)
        )
        names = normalize(names, "screened").drop("screened")
        names = (
            names.filter(pl.col("core") != "")
            .unique(subset=["entry_idx", "norm"], keep="first", maintain_order=True)
            .with_row_index("row")
        )
        addr = (
            entries.select("entry_idx", raw="addresses")
            .explode("raw")
            .filter(pl.col("raw").is_not_null())
            .with_columns(norm=normalize_address_expr("raw"))
            .filter(is_specific_expr(pl.col("norm")))
            .unique(subset=["entry_idx", "norm"], keep="first", maintain_order=True)
            .with_columns(
                compact=pl.col("norm").str.replace_all(" ", ""),
                tokens=pl.col("norm").str.split(" "),
            )
            .with_row_index("row")
        )
        return cls(entries, names, addr, algorithm)

    # -- names --

    def match_names(self, queries: pl.DataFrame, threshold: float | None = None) -> pl.DataFrame:
        """Matches at or above `threshold` for each query name, best first per query."""
        threshold = self.default_threshold if threshold is None else threshold
        _require(queries, ("query_id", "name"))
        queries = queries.with_columns(
            pl.col("query_id").cast(pl.String), pl.col("name").cast(pl.String)
        )
        if "country" not in queries.columns:
            queries = queries.with_columns(country=pl.lit(None, dtype=pl.String))
        queries = queries.with_row_index("query_order").with_columns(
            screened=pl.col("name").str.slice(0, MAX_SCREENED_CHARS)
        )
        out = []
        for start in range(0, max(queries.height, 1), BATCH_ROWS):
            batch = queries.slice(start, BATCH_ROWS)
            hits = self._match_unique_names(batch["screened"].drop_nulls().unique(), threshold)
            if hits.height:
                out.append(self._name_results(batch, hits, threshold))
        if not out:
            return pl.DataFrame(schema=NAME_RESULT_SCHEMA)
        return (
            pl.concat(out)
            .sort(["query_order", "score"], descending=[False, True])
            .select(list(NAME_RESULT_SCHEMA))
        )

    def _match_unique_names(self, names: pl.Series, threshold: float) -> pl.DataFrame:
        v1 = self.algorithm == NAME_V1
        normalize = normalize_frame if v1 else canonical_frame
        uq = normalize(pl.DataFrame({"query_name": names}), "query_name")
        uq = uq.filter(pl.col("core") != "").with_row_index("q")
        keyed = uq if v1 else uq.with_columns(tokens=pl.col("key_tokens"))
        keys = name_keys(keyed.rename({"q": "row"}), vocabulary=self.vocabulary).rename(
            {"row": "q"}
        )
        pairs = self._name_keys.candidates(keys)
        if not v1 and pairs.height:
            # The prefilter on row numbers, before any name is joined to its pairs: most
            # candidates fail it, and their strings are never copied.
            assert self._name_forms is not None
            qi, ni = pairs["q"].to_numpy(), pairs["row"].to_numpy()
            pairs = pairs.filter(
                pl.Series(passes_prefilter(NameForms.of(uq), self._name_forms, qi, ni))
            )
        if pairs.height == 0:
            return pl.DataFrame()
        extra = [] if v1 else ["legal", "words", "compact_all"]
        q_cols = uq.select(
            "q",
            "query_name",
            *[pl.col(c).alias("q_" + c) for c in ["core", "compact", "norm", "tokens", *extra]],
        )
        n_cols = self.names.select(
            "row",
            "entry_idx",
            "kind",
            pl.col("raw").alias("matched_name"),
            *[pl.col(c).alias("n_" + c) for c in ["core", "compact", "norm", "tokens", *extra]],
        )
        pairs = pairs.join(q_cols, on="q").join(n_cols, on="row")
        if v1:
            scored = name_features(pairs, threshold).filter(pl.col("name_pre") >= threshold)
            if scored.height == 0:
                return pl.DataFrame()
            scored = finish_name_scores(scored)
        else:
            # Evidence can only lower a score, so pairs below the threshold now stay below.
            scored = name_v2.score_pairs(pairs, threshold)
        scored = scored.filter(pl.col("score") >= threshold)
        # One name per entry: the best, and of names that score the same, the first listed
        # (the primary name before its aliases), so a run gives the same answer every time.
        scored = scored.sort(["score", "row"], descending=[True, False]).unique(
            subset=["q", "entry_idx"], keep="first"
        )
        if not v1:
            aligned = [
                name_v2.aligned_words(a, b)
                for a, b in zip(scored["q_tokens"].to_list(), scored["n_tokens"].to_list())
            ]
            scored = scored.with_columns(aligned=pl.Series(aligned, dtype=pl.String))
        return scored

    def _name_results(
        self, batch: pl.DataFrame, hits: pl.DataFrame, threshold: float
    ) -> pl.DataFrame:
        entry_type = (
            pl.col("type") if "type" in self.entries.columns else pl.lit(None, dtype=pl.String)
        )
        entries = self.entries.select(
            "entry_idx",
            "entry_id",
            "source",
            "source_code",
            "countries",
            entry_name="name",
            entry_type=entry_type,
        )
        # The explanation quotes the name as screened (cut at MAX_SCREENED_CHARS); the
        # result's query_name is the name as given.
        rows = (
            batch.select("query_order", "query_id", "country", "screened", given="name")
            .join(hits.rename({"query_name": "screened"}), on="screened")
            .with_columns(query_name=pl.col("screened"))
        )
        rows = rows.join(entries, on="entry_idx")
        code = pl.col("country").map_batches(_country_codes, return_dtype=pl.String)
        check = (
            pl.when(code.is_null() | (pl.col("countries").list.len() == 0))
            .then(pl.lit("unknown"))
            .when(pl.col("countries").list.contains(code))
            .then(pl.lit("match"))
            .otherwise(pl.lit("mismatch"))
        )
        rows = rows.with_columns(country_check=check)
        if self.algorithm == NAME_V1:
            explanation = name_explanation()
        else:
            rows = name_v2.apply_evidence(rows).filter(pl.col("score") >= threshold)
            explanation = name_v2.name_explanation()
        rows = rows.with_columns(explanation=explanation, score=pl.col("score").cast(pl.Float64))
        return rows.with_columns(query_name=pl.col("given"))

    # -- addresses --

    def match_addresses(
        self, queries: pl.DataFrame, threshold: float | None = None
    ) -> pl.DataFrame:
        """Entries with an address close to each query address (a company at a listed address)."""
        threshold = DEFAULT_ADDRESS_THRESHOLD if threshold is None else threshold
        _require(queries, ("query_id", "address"))
        q = (
            queries.select(
                pl.col("query_id").cast(pl.String),
                query_address=pl.col("address").cast(pl.String).str.slice(0, MAX_SCREENED_CHARS),
            )
            .with_row_index("query_order")
            .filter(pl.col("query_address").is_not_null())
        )
        uq = (
            q.select("query_address")
            .unique(maintain_order=True)
            .with_columns(q_norm=normalize_address_expr("query_address"))
            .filter(pl.col("q_norm") != "")
            .with_columns(
                compact=pl.col("q_norm").str.replace_all(" ", ""),
                tokens=pl.col("q_norm").str.split(" "),
            )
            .with_row_index("q")
        )
        keys = address_keys(uq.rename({"q": "row"}), vocabulary=self._address_vocabulary).rename(
            {"row": "q"}
        )
        pairs = self._address_keys.candidates(keys)
        if pairs.height == 0:
            return pl.DataFrame(schema=ADDRESS_RESULT_SCHEMA)
        # Character counts first (they bound token_sort, as lengths do, but tighter): a pair
        # that cannot reach the threshold never gets its texts joined or compared. Rows are
        # the row numbers of `uq` (q) and of the list addresses (row), both 0..n-1.
        reach = AddressChars.of(uq["q_norm"]).within_reach(
            self._address_chars, pairs["q"].to_numpy(), pairs["row"].to_numpy(), threshold
        )
        pairs = pairs.filter(pl.Series(reach))
        pairs = pairs.join(uq.select("q", "query_address", "q_norm"), on="q").join(
            self.addresses.select("row", "entry_idx", matched_address="raw", n_norm="norm"),
            on="row",
        )
        scored = address_scores(pairs, threshold)
        best = scored.sort("score", descending=True).unique(subset=["q", "entry_idx"], keep="first")
        entries = self.entries.select(
            "entry_idx", "entry_id", "source", "source_code", entry_name="name"
        )
        rows = q.join(best, on="query_address").join(entries, on="entry_idx")
        rows = rows.with_columns(explanation=address_explanation())
        return rows.sort(["query_order", "score"], descending=[False, True]).select(
            list(ADDRESS_RESULT_SCHEMA)
        )


def _require(frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"query frame lacks column(s) {', '.join(missing)}; has {', '.join(frame.columns)}"
        )


def _country_codes(series: pl.Series) -> pl.Series:
    uniq = series.drop_nulls().unique().to_list()
    mapping = {v: country_code(v) for v in uniq}
    return (
        series.replace_strict(mapping, default=None, return_dtype=pl.String)
        if mapping
        else series.cast(pl.String)
    )
