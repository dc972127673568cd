"""Name normalisation: the same text rules for list names and tenant names, vectorised.

Listed companies rent under the names they actually use: "Huawei Technologies Co., Ltd."
becomes "HUAWEI TECH LTD", "华为技术有限公司" or "Shenzhen Huawei Technology". Matching
compares names after removing what does not identify a party -- case, punctuation,
Unicode forms, legal forms (English, European, Russian, Chinese) and weak tokens such as
Chinese city and province prefixes and "Technology" -- and after transliterating CJK
(pypinyin, word by word) and other scripts (anyascii) to Latin letters.

Weak tokens are removed only while something distinctive remains: "Harbin Institute of
Technology" keeps its city, or it would collapse onto every other "Institute".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import polars as pl
from anyascii import anyascii

from auditor.screening.chinese_script import to_simplified


@lru_cache(maxsize=1)
def _pinyin_converter() -> Any:
    """pypinyin's `lazy_pinyin` (tone-less pinyin for Han characters), imported at the first Han
    text: loading its phrase dictionary takes a quarter of a second, which every command that
    imports screening paid at start whether or not it met a Han character. None when pypinyin is
    missing; anyascii is then the fallback."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a declared dependency
        return None
    return lazy_pinyin


# Legal forms as token sequences after punctuation became spaces; longest first because
# the regex takes the first alternative that matches.
LEGAL_FORMS: tuple[str, ...] = (
    "limited liability company",
    "limited liability partnership",
    "public limited company",
    "private limited company",
    "joint stock company",
    "closed joint stock company",
    "open joint stock company",
    "public joint stock company",
    "open joint stock",
    "closed joint stock",
    "public joint stock",
    "joint stock",
    "de sa cv",
    "sa cv",
    "s a de c v",
    "sociedad anonima de capital variable",
    "sociedad anonima",
    "sociedad limitada",
    "societe anonyme",
    "kabushiki kaisha",
    "company limited",
    "co limited",
    "corp limited",
    "sdn bhd",
    "pte ltd",
    "pvt ltd",
    "pty ltd",
    "private limited",
    "sa de cv",
    "s de rl",
    "de cv",
    "fz llc",
    "fz co",
    "limited",
    "ltd",
    "llc",
    "llp",
    "lllp",
    "inc",
    "incorporated",
    "corporation",
    "corp",
    "co",
    "company",
    "plc",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "sl",
    "bv",
    "nv",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "aps",
    "pte",
    "pvt",
    "pty",
    "bhd",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "tov",
    "kft",
    "zrt",
    "sp zoo",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "ltda",
    "cia",
    "kk",
    "lp",
    "ltda",
    "eirl",
    "sae",
    "wll",
    "est",
    "tic",
    "as",
    "sti",
    "tic ltd sti",
    "ltd sti",
)


def _one_slip(word: str) -> set[str]:
    """A word with one letter dropped or two neighbours swapped: "limied", "copmany"."""
    drops = {word[:i] + word[i + 1 :] for i in range(len(word))}
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return (drops | swaps) - {word}


# Long legal forms are often mistyped; a slipped legal form is still a legal form.
LEGAL_FORMS = LEGAL_FORMS + tuple(
    sorted(
        set().union(*(_one_slip(w) for w in ("company", "limited", "corporation", "incorporated")))
    )
)

# Removed from the core name while something distinctive remains.
WEAK_TOKENS: frozenset[str] = frozenset(
    """
    technology technologies tech techs technological science sciences scientific sci hi hitech
    beijing shanghai shenzhen guangzhou tianjin chongqing hangzhou wuhan chengdu nanjing xian
    hefei suzhou dalian qingdao xiamen changsha zhengzhou jinan harbin shenyang dongguan foshan
    ningbo wuxi kunming nanning fuzhou nanchang changchun taiyuan shijiazhuang lanzhou urumqi
    guiyang haikou hohhot yinchuan xining lhasa zhuhai
    guangdong jiangsu zhejiang sichuan hubei hunan shandong henan hebei anhui fujian jiangxi
    liaoning jilin heilongjiang shaanxi shanxi yunnan guizhou hainan gansu qinghai guangxi
    ningxia xinjiang tibet xizang mongolia inner province city municipality shi sheng
    """.split()
)

STOPWORDS: frozenset[str] = frozenset({"the", "and", "of", "for", "und", "et", "y"})

# Kept, but never enough on their own to identify a party.
GENERIC_TOKENS: frozenset[str] = frozenset(
    """
    institute institution university academy research center centre laboratory lab college school
    company industry industries industrial trading trade traders import export imports exports
    group holding holdings international intl national global general state ministry department
    bank enterprise enterprises development engineering electronics electronic electric
    information info equipment services service investment investments energy system systems
    software network networks semiconductor semiconductors factory plant works china chinese
    import export manufacturing products product intelligent computing computer data digital
    new industrial commercial shipping logistics management consulting partners associates
    union federation organization organisation agency office bureau branch corporate
    """.split()
)

# Chinese words translated before transliteration so they meet their English spellings.
_ZH_WORDS: dict[str, str] = {
    "股份有限公司": " ",
    "有限责任公司": " ",
    "集团有限公司": " group ",
    "有限公司": " ",
    "股份公司": " ",
    "分公司": " branch ",
    "责任公司": " ",
    "公司": " ",
    "集团": " group ",
    "控股": " holdings ",
    "科技": " technology ",
    "技术": " technology ",
    "信息": " information ",
    "电子": " electronics ",
    "半导体": " semiconductor ",
    "产业": " industry ",
    "网络": " network ",
    "智能": " intelligent ",
    "国际": " international ",
    "研究所": " research institute ",
    "研究院": " research academy ",
    "大学": " university ",
    "中国": " china ",
    "贸易": " trading ",
    "进出口": " import export ",
    "设备": " equipment ",
    "软件": " software ",
    "数据": " data ",
    "计算机": " computer ",
    "香港": " hong kong ",
    "澳门": " macau ",
    "内蒙古": " inner mongolia ",
    "黑龙江": " heilongjiang ",
    "哈尔滨": " harbin ",
    "石家庄": " shijiazhuang ",
    "乌鲁木齐": " urumqi ",
    "呼和浩特": " hohhot ",
}
_ZH_PLACES = (
    "北京 上海 深圳 广州 天津 重庆 杭州 武汉 成都 南京 西安 合肥 苏州 大连 青岛 厦门 长沙 郑州 济南 沈阳 "
    "东莞 佛山 宁波 无锡 昆明 南宁 福州 南昌 长春 太原 兰州 贵阳 海口 银川 西宁 拉萨 珠海 广东 江苏 浙江 "
    "四川 湖北 湖南 山东 河南 河北 安徽 福建 江西 辽宁 吉林 陕西 山西 云南 贵州 海南 甘肃 青海 广西 宁夏 "
    "新疆 西藏"
).split()
for _place in _ZH_PLACES:
    _ZH_WORDS[_place + "省"] = f" {_place} "
    _ZH_WORDS[_place + "市"] = f" {_place} "
_ZH_RE = re.compile("|".join(sorted(map(re.escape, _ZH_WORDS), key=len, reverse=True)))
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

_LEGAL_RE = r"\b(?:" + "|".join(sorted(set(LEGAL_FORMS), key=len, reverse=True)) + r")\b"
_ISN_SUFFIX = r"(?i);?\s*and any successor.*$"
_NON_ASCII = r"[^\x00-\x7f]"


@lru_cache(maxsize=65536)
def transliterate(text: str) -> str:
    """Latin letters for any script; Han words via a small dictionary, then pinyin.

    Each run of Han characters between dictionary words becomes one token ("华为" ->
    "huawei"), because romanised Chinese names write a brand as one word.
    """
    text = to_simplified(unicodedata.normalize("NFKC", text))

    text = _ZH_RE.sub(lambda m: _ZH_WORDS[m.group(0)], text)
    for name in _ZH_PLACES:  # bare place names not followed by 省/市
        if name in text:
            text = text.replace(name, " " + "".join(_pinyin(name)) + " ")

    def han(match: re.Match[str]) -> str:
        return " " + "".join(_pinyin(match.group(0))) + " "

    text = _HAN_RUN.sub(han, text)
    return anyascii(text)


def _pinyin(text: str) -> list[str]:
    convert = _pinyin_converter()
    if convert is None:
        return [anyascii(text).lower()]
    return convert(text)


def _latin(expr: pl.Expr) -> pl.Expr:
    """NFKC, then transliteration for the (usually few) values that are not ASCII."""
    expr = expr.fill_null("").str.normalize("NFKC").str.replace(_ISN_SUFFIX, "")
    return expr.map_batches(_transliterate_series, return_dtype=pl.String)


def _transliterate_series(series: pl.Series) -> pl.Series:
    # Called on the whole column; only distinct non-ASCII values pay for Python.
    mask = series.str.contains(_NON_ASCII).fill_null(False)
    if not mask.any():
        return series
    uniq = series.filter(mask).unique()
    mapping = pl.DataFrame({"k": uniq, "v": [transliterate(v) for v in uniq.to_list()]})
    return series.replace(mapping["k"], mapping["v"])


def _clean(expr: pl.Expr) -> pl.Expr:
    """Lower-case ASCII words: single-letter abbreviations joined ("L.L.C." -> "llc")."""
    return (
        expr.str.to_lowercase()
        .str.replace_all(r"['’`]", "")
        .str.replace_all("&", " and ")
        .str.replace_all(r"\b([a-z0-9])\.", "$1")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )


def normalize_frame(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Adds the normalised forms of `column`: norm, core, compact and tokens.

    `norm` is the clean name without legal forms and stopwords (the full name); `core`
    also drops weak tokens unless nothing distinctive would remain; `compact` is the core
    without spaces, for spacing variants such as "Hua Wei" / "Huawei"; `tokens` are the
    core's words. Built in stages so each step is computed once for the whole column.
    """
    clean = _clean(_latin(pl.col(column)))
    out = frame.with_columns(_clean=clean)
    no_legal = (
        pl.col("_clean")
        .str.replace_all(_LEGAL_RE, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    out = out.with_columns(_nl=pl.when(no_legal == "").then(pl.col("_clean")).otherwise(no_legal))
    out = out.with_columns(
        _tok=pl.col("_nl")
        .str.split(" ")
        .list.eval(pl.element().filter(~pl.element().is_in(list(STOPWORDS)) & (pl.element() != "")))
    )
    out = out.with_columns(
        norm=pl.col("_tok").list.join(" "),
        _strong=pl.col("_tok").list.eval(
            pl.element().filter(~pl.element().is_in(list(WEAK_TOKENS)))
        ),
    )
    distinctive = pl.col("_strong").list.eval(~pl.element().is_in(list(GENERIC_TOKENS))).list.any()
    out = out.with_columns(
        tokens=pl.when(distinctive).then(pl.col("_strong")).otherwise(pl.col("_tok"))
    )
    out = out.with_columns(core=pl.col("tokens").list.join(" "))
    out = out.with_columns(compact=pl.col("core").str.replace_all(" ", ""))
    return out.drop("_clean", "_nl", "_tok", "_strong")


def normalize_name(name: str) -> dict[str, str]:
    """One name through the same expressions; for explanations, docs and tests."""
    row = normalize_frame(pl.DataFrame({"name": [name]}), "name").row(0, named=True)
    return {k: row[k] for k in ("norm", "core", "compact")}
