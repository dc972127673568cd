"""Canonical tokens for `name-v2`: abbreviations expanded, slipped common words recognised,
legal-form phrases taken out wherever their words stand.

A name is cleaned exactly as for `name-v1` (`normalize._clean` over `normalize._latin`:
transliteration, case, punctuation), split into words, and each distinct word is mapped
once (Python, cached) to its canonical spelling: "Info" and "Infomation" become
"information", "Grp" "group", "COMPAYN" "company", "ADN" "and". Legal-form words then
leave the name as a phrase: strong forms (ltd, llc, gmbh, company...) wherever they are,
and descriptive legal words ("liability", "joint stock", "s rl de cv") in a run at
either end that holds a legal form, so "LIABILITY LIMITED COMPANY X" and "X S RL DE CV"
both leave "x". The legal words taken out are kept (as families) for the legal-form
evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl
from rapidfuzz.distance import OSA

from auditor.screening.normalize import GENERIC_TOKENS, WEAK_TOKENS, _clean, _latin

# Spelling -> canonical word. Plurals and adjectives fold onto one word: they never
# tell two parties apart.
_EXPANSIONS: dict[str, tuple[str, ...]] = {
    "information": ("info", "inf", "informations", "informatics"),
    "technology": (
        "tech",
        "techn",
        "techs",
        "technologies",
        "technological",
        "technologie",
        "tecnologia",
        "hitech",
    ),
    "international": ("intl", "internat", "intnl", "internacional", "internationale"),
    "group": ("grp", "groups", "grupo", "groupe", "gruppe"),
    "manufacturing": ("mfg", "mfr", "manufacture", "manufacturer", "manufacturers", "mfrs"),
    "service": ("svc", "svcs", "servs", "services", "serv", "servicios", "servicos"),
    "engineering": ("eng", "engg", "engr", "engineers", "engineer", "ingenieria"),
    "industry": (
        "ind",
        "inds",
        "indus",
        "indl",
        "industries",
        "industrial",
        "industria",
        "industrias",
        "industrie",
    ),
    "development": ("dev", "devt", "devel", "developments", "desarrollo"),
    "electronics": (
        "elec",
        "electr",
        "electronic",
        "electric",
        "electrical",
        "elect",
        "electronica",
    ),
    "science": ("sci", "sciences", "scientific"),
    "association": ("assn", "assoc", "associations"),
    "department": ("dept", "dep"),
    "national": ("natl", "nacional", "nationale"),
    "trading": ("trdg", "trade", "traders", "trader"),
    "management": ("mgmt", "mgt"),
    "establishment": ("estab", "establishments"),
    "organization": ("org", "organisation", "organizations", "organisations"),
    "brothers": ("bros", "bro"),
    "center": ("ctr", "centre", "centro", "centers", "centres"),
    "commercial": ("coml", "comml", "commerce", "comercial"),
    "petroleum": ("petr", "petrol"),
    "investment": ("inv", "invest", "invs", "investments", "inversiones"),
    "holding": ("hldg", "hldgs", "holdings"),
    "shipping": ("shpg",),
    "construction": ("constr", "constructions", "construcciones"),
    "general": ("gen", "genl"),
    "equipment": ("equip", "equipments"),
    "laboratory": ("lab", "labs", "laboratories", "laboratorio"),
    "research": ("res",),
    "university": ("univ", "universidad", "universite"),
    "institute": ("inst", "institut", "instituto", "institutes"),
    "medical": ("med",),
    "pharmaceutical": ("pharma", "pharmaceuticals", "pharm"),
    "system": ("sys", "systems", "sistemas"),
    "communication": ("comm", "comms", "communications", "comunicaciones"),
    "insurance": ("ins",),
    "enterprise": ("ent", "ents", "enterprises", "empresa", "empresas"),
    "agency": ("agcy", "agencies"),
    "foundation": ("fdn", "foundations"),
    "society": ("soc", "societies"),
    "transport": ("transp", "transports", "transportation"),
    "import": ("imp", "imports"),
    "export": ("exp", "exports"),
    "network": ("networks", "netw"),
    "bank": ("banco", "banque", "banks"),
    "company": ("co", "cia", "compania", "companies", "comp", "compagnie"),
    "corporation": ("corp", "corporacion", "corporate"),
    "incorporated": ("inc", "incorp"),
    "limited": ("ltd", "ltda", "limitada"),
}
CANONICAL: dict[str, str] = {
    alias: word for word, aliases in _EXPANSIONS.items() for alias in aliases
}

# Legal forms: strong words are legal forms wherever they stand; descriptive words only
# beside one, at an end of the name. Each maps to its family for the legal evidence.
STRONG_LEGAL: dict[str, str] = {
    **dict.fromkeys(
        ("company", "limited", "corporation", "incorporated", "plc", "pte", "pvt", "pty", "bhd"),
        "company",
    ),
    **dict.fromkeys(("llc", "fzllc", "llp", "lllp", "lp"), "llc"),
    **dict.fromkeys(("gmbh", "mbh", "ag", "kg"), "gmbh"),
    **dict.fromkeys(
        ("sa", "sas", "cv", "sarl", "srl", "spa", "sl", "sae", "sal", "rl", "eirl"), "sa"
    ),
    **dict.fromkeys(("jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pao", "tov"), "jsc"),
    **dict.fromkeys(("bv", "nv"), "bv"),
    **dict.fromkeys(("fze", "fzco", "fzc", "fz", "wll", "est"), "fze"),
    **dict.fromkeys(
        ("oy", "oyj", "ab", "asa", "aps", "kft", "zrt", "kk", "sti", "tic", "sdn"), "other"
    ),
}
DESCRIPTIVE_LEGAL: frozenset[str] = frozenset(
    "liability joint stock closed open public private de s a c v r l sociedad anonima responsabilidad "
    "capital variable kabushiki kaisha sp zoo as ao".split()
)
STOPWORDS: frozenset[str] = frozenset(
    "the and of for und et y de del la los las da do des du di le".split()
)
# Words a slip is recognised against: the ones whose weight is not a name's own.
_COMMON: frozenset[str] = frozenset(
    set(_EXPANSIONS) | set(CANONICAL) | set(STRONG_LEGAL) | STOPWORDS | GENERIC_TOKENS | WEAK_TOKENS
)
# Short words a slip of which is more likely a slipped legal form or stopword ("LTDB",
# "HDEL", "S.A.B.") than a name: they weigh little when unpaired.
SHORT_COMMON: frozenset[str] = frozenset(
    w
    for w in set(STRONG_LEGAL) | STOPWORDS | {k for k, v in CANONICAL.items() if v in STRONG_LEGAL}
    if len(w) <= 4
)
_MAX_SLIP_LEN = 24

# Spacing slips around legal forms: a form split in two ("lim ited", "com pany") is
# joined again, and a form glued to the word before it ("capitalltd", "companylimited")
# is cut off, so the form leaves the name as any other. Only whole legal words are
# rejoined, and only after a prefix of three or more characters is a form cut off.
_SPLIT_FORMS = ("limited", "limitada", "company", "corporation", "incorporated", "liability")
# Not "corp" or "inc": names end in them as one word ("INTERCORP", "ZINC").
_GLUED_FORMS = ("limited", "ltda", "ltd", "llc", "company", "corporation", "gmbh", "pty")
# "l ?i ?m ?i ?t ?e ?d" for each split form: its letters with any spaces between.
_SPLIT_RES = {f: r"\b" + " ?".join(f) + r"\b" for f in _SPLIT_FORMS}
_GLUED_RE = r"\b([a-z0-9]{3,}?)(" + "|".join(_GLUED_FORMS) + r")\b"
_SPLIT_PY = {f: re.compile(p) for f, p in _SPLIT_RES.items()}
_GLUED_PY = re.compile(_GLUED_RE)


def resegment(clean: str) -> str:
    """One cleaned name with its legal forms spaced as words (see `_SPLIT_FORMS`)."""
    for form, pattern in _SPLIT_PY.items():
        clean = pattern.sub(form, clean)
    return _GLUED_PY.sub(r"\1 \2", clean)


def resegment_expr(clean: pl.Expr) -> pl.Expr:
    """`resegment` over a column of cleaned names."""
    for form, pattern in _SPLIT_RES.items():
        clean = clean.str.replace_all(pattern, form)
    return clean.str.replace_all(_GLUED_RE, "$1 $2")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def _slip_index() -> dict[str, tuple[str, ...]]:
    """Deletion variant -> common words having it (SymSpell), for one-edit lookups."""
    index: dict[str, set[str]] = {}
    for word in _COMMON:
        for key in _deletes(word) | {word}:
            index.setdefault(key, set()).add(word)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def _is_transposition(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


@lru_cache(maxsize=262144)
def canonical_word(word: str) -> str:
    """The canonical spelling of one word: itself, its expansion, or the common word it
    slipped from (a swap of neighbours from 3 letters; any one edit from 6)."""
    if word in CANONICAL:
        return CANONICAL[word]
    if word in _COMMON or len(word) < 3 or len(word) > _MAX_SLIP_LEN or not word.isalpha():
        return word
    index = _slip_index()
    found: set[str] = set()
    for key in _deletes(word) | {word}:
        found.update(index.get(key, ()))
    best = None
    for cand in sorted(found):
        if _is_transposition(word, cand) or (
            min(len(word), len(cand)) >= 6 and OSA.distance(word, cand) <= 1
        ):
            best = cand if best is None or len(cand) > len(best) else best
    if best is None:
        return word
    return CANONICAL.get(best, best)


def _legal_run(words: list[str], run: list[int]) -> bool:
    """A run at an end is a legal form if it holds a strong legal word, or is spelled out
    in single letters ("S A S", "S A DE C V")."""
    if any(words[i] in STRONG_LEGAL for i in run):
        return True
    letters = [words[i] for i in run if words[i] != "de"]
    return len(letters) >= 2 and all(len(w) == 1 for w in letters)


def legal_positions(words: list[str]) -> list[bool]:
    """Which words are legal forms: strong legal words anywhere, descriptive legal words in
    a legal run at either end."""
    is_legal = [w in STRONG_LEGAL for w in words]
    for ends in (range(len(words)), range(len(words) - 1, -1, -1)):
        run = []
        for i in ends:
            if words[i] in STRONG_LEGAL or words[i] in DESCRIPTIVE_LEGAL:
                run.append(i)
            else:
                break
        if _legal_run(words, run):
            for i in run:
                is_legal[i] = True
    return is_legal


@lru_cache(maxsize=262144)
def canonical_name(clean: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(core tokens, the same words as written, legal families joined) for one cleaned name.

    Stopwords and legal forms leave the core; the name itself is never emptied.
    """
    raw = resegment(clean).split()
    words = [canonical_word(w) for w in raw]
    is_legal = legal_positions(words)
    keep = [i for i, w in enumerate(words) if not is_legal[i] and w not in STOPWORDS]
    if not keep:
        keep = [i for i in range(len(words)) if not is_legal[i]] or list(range(len(words)))
    families = sorted(
        {STRONG_LEGAL[w] for w, legal in zip(words, is_legal) if legal and w in STRONG_LEGAL}
    )
    return tuple(words[i] for i in keep), tuple(raw[i] for i in keep), " ".join(families)


@lru_cache(maxsize=262144)
def legal_like(word: str) -> bool:
    """A short word one edit from a legal form or stopword ("ltdb", "hdel", "sab")."""
    if len(word) > 5 or word in SHORT_COMMON:
        return word in SHORT_COMMON
    return any(
        OSA.distance(word, w, score_cutoff=1) <= 1
        for w in SHORT_COMMON
        if abs(len(w) - len(word)) <= 1
    )


def _vocabulary(words: pl.Series) -> pl.DataFrame:
    """Per distinct word as written: canonical token, legal family, flags and weight."""
    raw = words.to_list()
    toks = [canonical_word(w) for w in raw]
    return pl.DataFrame(
        {
            "raw": raw,
            "tok": toks,
            "family": [STRONG_LEGAL.get(t) for t in toks],
            "desc": [t in DESCRIPTIVE_LEGAL for t in toks],
            "stop": [t in STOPWORDS for t in toks],
            "w": [weight(t) for t in toks],
        },
        schema={
            "raw": pl.String,
            "tok": pl.String,
            "family": pl.String,
            "desc": pl.Boolean,
            "stop": pl.Boolean,
            "w": pl.Float64,
        },
    )


def _edge_run_is_legal(in_run: pl.Expr) -> pl.Expr:
    """`_legal_run` over the words flagged `in_run`, per name."""
    strong = pl.col("family").is_not_null()
    letters = in_run & (pl.col("tok") != "de")
    has_strong = (in_run & strong).any().over("nid")
    spelled = (letters.sum().over("nid") >= 2) & (
        (letters & (pl.col("tok").str.len_chars() != 1)).sum().over("nid") == 0
    )
    return has_strong | spelled


def canonical_frame(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Adds norm, core, compact, compact_all, tokens, words, key_tokens and legal for
    `column` (v2 forms).

    `tokens` are the canonical words without legal forms and stopwords, `words` the same
    words as written; `core` the tokens joined; `compact` the words joined without
    spaces; `norm` the cleaned name as written (for the `full` feature); `legal` the
    legal-form families taken out ("company", "llc", ...). Python runs once per distinct
    word; the legal runs and the rest are Polars over all words at once, and give what
    `canonical_name` gives for one name.
    """
    out = frame.with_columns(norm=resegment_expr(_clean(_latin(pl.col(column)))))
    uniq = out.select("norm").unique().with_row_index("nid")
    words = (
        uniq.select("nid", raw=pl.col("norm").str.split(" "))
        .with_columns(pos=pl.int_ranges(0, pl.col("raw").list.len()))
        .explode(["raw", "pos"])
        .filter(pl.col("raw").is_not_null() & (pl.col("raw") != ""))
    )
    words = words.join(_vocabulary(words["raw"].unique()), on="raw", how="left")
    strong = pl.col("family").is_not_null()
    legalish = strong | pl.col("desc")
    first_plain = pl.col("pos").filter(~legalish).min().over("nid")
    last_plain = pl.col("pos").filter(~legalish).max().over("nid")
    lead = first_plain.is_null() | (pl.col("pos") < first_plain)
    trail = last_plain.is_null() | (pl.col("pos") > last_plain)
    words = words.with_columns(_lead=lead, _trail=trail)
    is_legal = (
        strong
        | (pl.col("_lead") & _edge_run_is_legal(pl.col("_lead")))
        | (pl.col("_trail") & _edge_run_is_legal(pl.col("_trail")))
    )
    words = words.with_columns(legal=is_legal)
    keep = ~pl.col("legal") & ~pl.col("stop")
    keep = (
        pl.when(keep.any().over("nid"))
        .then(keep)
        .when((~pl.col("legal")).any().over("nid"))
        .then(~pl.col("legal"))
        .otherwise(True)
    )
    words = words.with_columns(keep=keep).sort("nid", "pos")
    kept = pl.col("keep")
    forms = words.group_by("nid").agg(
        tokens=pl.col("tok").filter(kept),
        words=pl.col("raw").filter(kept),
        _strong=pl.col("tok").filter(kept & (pl.col("w") == 1.0)),
        # A distinctive word read as a slipped common one ("expert" as "export") is
        # also blocked on as written, where its own typos ("expnert") meet it.
        _respelled=pl.col("raw").filter(
            kept & (pl.col("raw") != pl.col("tok")) & ~pl.col("raw").is_in(list(CANONICAL))
        ),
        legal=pl.col("family").filter(pl.col("legal") & strong).unique().sort().str.join(" "),
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    forms = forms.with_columns(
        key_tokens=pl.when(pl.col("_strong").list.len() > 0)
        .then("_strong")
        .otherwise("tokens")
        .list.concat("_respelled")
        .list.unique(maintain_order=True)
    ).drop("_strong", "_respelled")
    mapping = (
        uniq.join(forms, on="nid", how="left")
        .drop("nid")
        .with_columns(
            pl.col("tokens", "words", "key_tokens").fill_null(empty), pl.col("legal").fill_null("")
        )
    )
    out = out.join(mapping, on="norm", how="left", maintain_order="left")
    out = out.with_columns(core=pl.col("tokens").list.join(" "))
    # Spacing variants are caught on the words as written: expansions would hide them.
    # `compact_all` keeps the stopwords and legal forms a slip may glue or split
    # ("forspace", "zar and", "tov ase").
    return out.with_columns(
        compact=pl.col("words").list.join(""), compact_all=pl.col("norm").str.replace_all(" ", "")
    )


@lru_cache(maxsize=262144)
def weight(token: str) -> float:
    """What a word says about a party: distinctive 1, generic 0.35, weak (cities,
    "technology") 0.25, one- and two-letter or legal-looking words 0.3."""
    if len(token) <= 2 or legal_like(token):
        return 0.3
    if token in WEAK_TOKENS:
        return 0.25
    if token in GENERIC_TOKENS or token in STOPWORDS or token in _EXPANSIONS:
        return 0.35
    return 1.0


def key_tokens(tokens: tuple[str, ...]) -> list[str]:
    """The words a name is blocked on: its distinctive ones, or all when it has none. A
    match needs a distinctive word in common (see name_v2), so generic words ("trading")
    would only bring candidates that cannot reach the threshold."""
    strong = [t for t in tokens if weight(t) == 1.0]
    return strong or list(tokens)
