"""Random name variations for the evaluation, written apart from the matcher.

Each variation class is one kind of change a listed name undergoes when a party rents
under it: a slipped letter at a random spot of a random word (generic words and legal
forms included), a dropped or swapped word, a word abbreviated, the legal form changed
or moved, spacing and punctuation changed, a different romanisation. Every table here
(abbreviations, legal forms, spelling variants) is this module's own and must never be
imported from, or shared with, `normalize.py` or the matchers: an evaluation whose
variations come from the matcher's own tables measures the tables, not the matcher.
"""

from __future__ import annotations

import random
import re
import string

CLASSES = (
    "exact",
    "case",
    "insert",
    "delete",
    "substitute",
    "transpose",
    "token_drop",
    "token_swap",
    "swap_and_typo",
    "abbreviation",
    "legal_form",
    "legal_form_moved",
    "spacing",
    "transliteration",
)

# How people shorten words in company names (written for this generator, from usage in
# registries and invoices, not from the matcher's expansion table).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "information": ("Info", "Inf."),
    "technology": ("Tech", "Techn."),
    "technologies": ("Tech", "Techs"),
    "technical": ("Tech.",),
    "international": ("Intl", "Int'l", "Internat."),
    "group": ("Grp",),
    "manufacturing": ("Mfg", "Mfg."),
    "services": ("Svcs", "Servs"),
    "service": ("Svc",),
    "engineering": ("Eng", "Engg"),
    "industry": ("Ind", "Indus."),
    "industries": ("Inds", "Ind."),
    "industrial": ("Indl", "Ind."),
    "development": ("Dev", "Devt"),
    "electronics": ("Elec", "Electr."),
    "electronic": ("Elec",),
    "science": ("Sci",),
    "sciences": ("Sci",),
    "scientific": ("Sci.",),
    "company": ("Co",),
    "corporation": ("Corp",),
    "incorporated": ("Inc",),
    "limited": ("Ltd",),
    "association": ("Assn", "Assoc."),
    "department": ("Dept",),
    "national": ("Natl", "Nat'l"),
    "trading": ("Trdg",),
    "management": ("Mgmt",),
    "establishment": ("Est.", "Estab."),
    "organization": ("Org",),
    "organisation": ("Org",),
    "brothers": ("Bros",),
    "center": ("Ctr",),
    "centre": ("Ctr",),
    "commercial": ("Comml",),
    "petroleum": ("Petr.",),
    "investment": ("Inv.", "Invest"),
    "investments": ("Invs",),
    "holding": ("Hldg",),
    "holdings": ("Hldgs",),
    "shipping": ("Shpg",),
    "construction": ("Constr.",),
    "general": ("Gen.",),
    "equipment": ("Equip.",),
    "laboratory": ("Lab",),
    "laboratories": ("Labs",),
    "research": ("Res.",),
    "university": ("Univ.",),
    "institute": ("Inst.",),
    "medical": ("Med.",),
    "pharmaceutical": ("Pharma",),
    "pharmaceuticals": ("Pharma",),
    "systems": ("Sys",),
    "communications": ("Comms",),
    "communication": ("Comm",),
    "insurance": ("Ins.",),
    "enterprise": ("Ent.",),
    "enterprises": ("Ents",),
    "agency": ("Agcy",),
    "foundation": ("Fdn",),
    "society": ("Soc.",),
    "transport": ("Transp.",),
    "import": ("Imp.",),
    "export": ("Exp.",),
    "compania": ("Cia",),
    "sociedad": ("Soc.",),
    "internacional": ("Intl",),
    "exportadora": ("Export.",),
    "importadora": ("Import.",),
}

# Legal forms by family; a variant swaps one for another or adds one.
LEGAL_FORMS: tuple[str, ...] = (
    "Co., Ltd.",
    "Ltd",
    "Limited",
    "LLC",
    "L.L.C.",
    "Inc.",
    "Corp.",
    "Corporation",
    "Company",
    "Company Limited",
    "S.A.",
    "SA",
    "S.A. de C.V.",
    "S. de R.L.",
    "GmbH",
    "AG",
    "JSC",
    "OJSC",
    "PJSC",
    "LLP",
    "FZE",
    "FZCO",
    "B.V.",
    "N.V.",
    "S.R.L.",
    "S.p.A.",
    "Pte. Ltd.",
    "Sdn. Bhd.",
    "PLC",
    "Limited Liability Company",
    "CJSC",
)
_LEGAL_WORDS = {
    "co",
    "ltd",
    "limited",
    "llc",
    "inc",
    "corp",
    "corporation",
    "company",
    "sa",
    "de",
    "cv",
    "s",
    "rl",
    "gmbh",
    "ag",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "llp",
    "fze",
    "fzco",
    "bv",
    "nv",
    "srl",
    "spa",
    "pte",
    "sdn",
    "bhd",
    "plc",
    "liability",
    "joint",
    "stock",
    "closed",
    "open",
    "public",
    "private",
    "sal",
    "lc",
    "ltda",
    "cia",
}

# Romanisation differences seen across Arabic, Persian, Russian and Chinese names.
TRANSLITERATIONS: tuple[tuple[str, str], ...] = (
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("kh", "h"),
    ("sh", "ch"),
    ("ch", "tch"),
    ("j", "dj"),
    ("y", "i"),
    ("q", "k"),
    ("w", "v"),
    ("ph", "f"),
    ("x", "ks"),
    ("dh", "z"),
    ("gh", "g"),
    ("th", "t"),
    ("ei", "ey"),
    ("ai", "ay"),
    ("al-", "el-"),
    ("al ", "el "),
    ("ie", "ye"),
    ("ts", "tz"),
    ("zh", "j"),
    ("iy", "i"),
    ("aa", "a"),
    ("u", "o"),
    ("e", "a"),
    ("i", "e"),
)

_WORD = re.compile(r"[^\W\d_]+")


def _words(name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(name)]


def _letter(rng: random.Random, upper: bool) -> str:
    ch = rng.choice(string.ascii_lowercase)
    return ch.upper() if upper else ch


def _edit(name: str, op: str, rng: random.Random) -> str | None:
    """One edit at a random position of a random word (any word, legal forms too)."""
    spans = [
        (a, b) for a, b in _words(name) if b - a >= (2 if op in ("transpose", "delete") else 1)
    ]
    if not spans:
        return None
    a, b = rng.choice(spans)
    upper = name[a:b].isupper()
    if op == "insert":
        pos = rng.randint(a, b)
        return name[:pos] + _letter(rng, upper) + name[pos:]
    if op == "delete":
        pos = rng.randrange(a, b)
        return name[:pos] + name[pos + 1 :]
    if op == "substitute":
        pos = rng.randrange(a, b)
        choices = [c for c in string.ascii_lowercase if c != name[pos].lower()]
        ch = rng.choice(choices)
        return name[:pos] + (ch.upper() if upper else ch) + name[pos + 1 :]
    pairs = [p for p in range(a, b - 1) if name[p].lower() != name[p + 1].lower()]
    if not pairs:
        return None
    pos = rng.choice(pairs)
    return name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]


def _tokens(name: str) -> list[str]:
    return name.replace(",", " ").split()


def _strip_legal_tail(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Splits off the trailing run of legal-form words: (body, legal)."""
    i = len(tokens)
    while i > 1 and re.sub(r"\W", "", tokens[i - 1]).lower() in _LEGAL_WORDS:
        i -= 1
    return tokens[:i], tokens[i:]


def vary(name: str, how: str, rng: random.Random) -> str | None:
    """One variant of `name` of class `how`, or None where the class does not apply."""
    if how == "exact":
        return name
    if how == "case":
        return name.title() if name.isupper() else name.upper()
    if how in ("insert", "delete", "substitute", "transpose"):
        return _edit(name, how, rng)
    tokens = _tokens(name)
    if how == "token_drop":
        # A party drops a descriptive word, not the one its name hangs on: never the first
        # or the longest word, never a legal form (that is `legal_form`), from a body of
        # three or more words.
        body, legal = _strip_legal_tail(tokens)
        words = [i for i, t in enumerate(body) if len(re.sub(r"\W", "", t)) >= 3]
        if len(words) < 3:
            return None
        longest = max(words, key=lambda i: len(body[i]))
        droppable = [i for i in words if i not in (words[0], longest)]
        drop = rng.choice(droppable)
        return " ".join([t for i, t in enumerate(body) if i != drop] + legal)
    if how in ("token_swap", "swap_and_typo"):
        if len(tokens) < 2:
            return None
        i, j = rng.sample(range(len(tokens)), 2)
        tokens[i], tokens[j] = tokens[j], tokens[i]
        swapped = " ".join(tokens)
        return (
            swapped
            if how == "token_swap"
            else _edit(swapped, rng.choice(("insert", "delete", "substitute", "transpose")), rng)
        )
    if how == "abbreviation":
        spots = [i for i, t in enumerate(tokens) if re.sub(r"\W", "", t).lower() in ABBREVIATIONS]
        if not spots:
            return None
        for i in rng.sample(spots, rng.randint(1, len(spots))):
            tokens[i] = rng.choice(ABBREVIATIONS[re.sub(r"\W", "", tokens[i]).lower()])
        return " ".join(tokens)
    if how == "legal_form":
        body, _ = _strip_legal_tail(tokens)
        return " ".join(body) + " " + rng.choice(LEGAL_FORMS)
    if how == "legal_form_moved":
        body, legal = _strip_legal_tail(tokens)
        if not legal:
            legal = rng.choice(LEGAL_FORMS).split()
        if len(legal) > 1 and rng.random() < 0.5:
            rng.shuffle(legal)
            return " ".join(body + legal)
        return " ".join(legal + body)
    if how == "spacing":
        return _spacing(name, rng)
    if how == "transliteration":
        lower = name.lower()
        rules = [(a, b) for a, b in TRANSLITERATIONS if a in lower]
        if not rules:
            return None
        a, b = rng.choice(rules)
        spots = [m.start() for m in re.finditer(re.escape(a), lower)]
        pos = rng.choice(spots)
        piece = b.upper() if name[pos : pos + len(a)].isupper() else b
        return name[:pos] + piece + name[pos + len(a) :]
    raise ValueError(f"unknown variation class {how!r}; expected one of {', '.join(CLASSES)}")


def _spacing(name: str, rng: random.Random) -> str | None:
    spaces = [m.start() for m in re.finditer(r" ", name)]
    long_words = [(a, b) for a, b in _words(name) if b - a >= 6]
    options = []
    if spaces:
        options += ["join", "hyphen"]
    if long_words:
        options.append("split")
    if re.search(r"[^\w\s]", name):
        options.append("strip")
    options.append("dots")
    how = rng.choice(options)
    if how == "join":
        pos = rng.choice(spaces)
        return name[:pos] + name[pos + 1 :]
    if how == "hyphen":
        pos = rng.choice(spaces)
        return name[:pos] + "-" + name[pos + 1 :]
    if how == "split":
        a, b = rng.choice(long_words)
        pos = rng.randint(a + 3, b - 3)
        return name[:pos] + " " + name[pos:]
    if how == "strip":
        return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", name)).strip()
    return name.replace(" ", ", ", 1) + "."


def plain(name: str) -> str:
    """Lower-case letters and digits without legal-form words: the generator's own notion of
    "the same name", used to drop negatives that are in fact listed names."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower()).split()
    return " ".join(w for w in words if w not in _LEGAL_WORDS)
