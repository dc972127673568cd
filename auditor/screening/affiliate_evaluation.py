"""Measured affiliate matching: recall on relatives of listed companies, false matches on look-alikes.

Positives are names a listed company's relatives use, written from a hand-made table of
brands (the word people call the company by, its acronym, its Chinese brand) -- not from the
matcher's own term extraction -- in the shapes relatives take: the brand with another trade
and legal form, a city prefix before it or in brackets after it, a Hong Kong or Singapore
company, the acronym in an offshore wrapper, the Chinese brand with a city and a trade.
A positive counts when its entry comes back with kind affiliate or acronym.

Negatives are ordinary companies that share what is *not* distinctive: common words of list
names ("Information Industry", "Group", "Intelligent Technology"), a city and a pinyin word,
surnames and dictionary words found in list names (Moore, Dawning, Sigma), three-letter
listed acronyms inside other names (HIT, PCL), and Chinese names of the same shape. They
also form the tenant corpus for rarity, as a provider's tenants would. A negative counts
when it gets any affiliate match; the figure is per 10,000 names.

`python -m auditor.screening.affiliate_evaluation LIST.csv` prints the report (JSON). The
parameters of `affiliate-v1` were set by reasoning about the terms, not fitted to this data.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import polars as pl

from auditor.screening.affiliate import AffiliateIndex
from auditor.screening.aliases import with_aliases
from auditor.screening.lists import load_lists

# (listed name as on the list, brand, acronym, Chinese brand); None where there is none.
BRANDS: tuple[tuple[str, str | None, str | None, str | None], ...] = (
    ("Dawning Information Industry Co., Ltd.", "Sugon", None, "曙光"),
    ("Tianjin Haiguang Advanced Technology Investment Co., Ltd.", "Hygon", "THATIC", "海光"),
    ("Tianjin Phytium Information Technology Co., Ltd.", "Phytium", None, "飞腾"),
    ("Inspur Group Co., Ltd.", "Inspur", None, "浪潮"),
    ("Shanghai Biren Intelligent Technology Co., Ltd.", "Biren", None, "壁仞"),
    ("Moore Threads Technology Co., Ltd.", "Moore Threads", None, "摩尔线程"),
    ("Sophgo Technologies Ltd.", "Sophgo", None, "算能"),
    ("Beijing Zhipu Huazhang Technology Co., Ltd.", "Zhipu", None, "智谱"),
    ("Beijing Kuangshi Technology Co., Ltd.", "Megvii", None, "旷视"),
    ("iFlytek Co., Ltd.", "iFlytek", None, "科大讯飞"),
    ("CloudWalk Technology Co., Ltd.", "CloudWalk", None, "云从"),
    ("Peng Cheng Laboratory", "Peng Cheng", "PCL", "鹏城"),
    ("National University of Defense Technology", None, "NUDT", None),
    ("China Academy of Engineering Physics", None, "CAEP", None),
    ("Harbin Institute of Technology", None, "HIT", None),
    ("Semiconductor Manufacturing International Corporation", None, "SMIC", "中芯"),
    ("Lingjun Electronics (HK) Limited", "Lingjun", None, None),
    ("Corebridge Semiconductor Pte. Ltd.", "Corebridge", None, None),
    ("Shenzhen Suanli Network Technology Co., Ltd.", "Suanli", None, None),
    ("JSC MCST", None, "MCST", None),
    ("T-Platforms", "T-Platforms", None, None),
    ("Wuxi Jiangnan Institute of Computing Technology", "Jiangnan", "JNICT", None),
    ("Azimut Trading FZE", "Azimut", None, None),
)
CITIES = ("Beijing", "Shanghai", "Shenzhen", "Jinan", "Chengdu", "Hangzhou", "Tianjin", "Wuxi")
CITIES_ZH = ("北京", "上海", "深圳", "济南", "成都", "杭州", "天津", "无锡")
TRADES = (
    "Cloud Computing",
    "Data Technology",
    "Smart Systems",
    "Digital Services",
    "Computing Services",
    "Semiconductor Equipment",
    "Information Services",
    "AI Research",
)
TRADES_ZH = ("云计算", "数据技术", "智能科技", "信息服务", "软件", "智算科技")
FORMS = (
    "Co., Ltd.",
    "Limited",
    "Inc.",
    "Company Limited",
    "Holdings Ltd.",
    "LLC",
    "Pte. Ltd.",
    "GmbH",
)
SHAPES = (
    "brand+trade",
    "city prefix",
    "bracketed city",
    "hong kong",
    "singapore",
    "acronym+trade",
    "acronym offshore",
    "chinese brand",
    "chinese bracketed city",
)

_PREFIX = (
    "Sunrise Northwind Evergreen Summit Harbor Pioneer Crystal Golden Silver Pacific Atlas Orion Horizon "
    "Maple Cedar Granite Vertex Unity Bright Blue Green Apex Nova Zenith Coastal Prairie"
).split()
_COMMON = (
    "Information Industry Co., Ltd.",
    "Group Co., Ltd.",
    "Intelligent Technology Co., Ltd.",
    "Electronic Information Industry Group",
    "Semiconductor Pte. Ltd.",
    "Computing Center",
    "Network Technology Co., Ltd.",
    "International Trading Ltd",
    "Intelligent Computing Group Pty Ltd",
)
_SYLLABLES = (
    "an bai bao chang chen da dong fang feng fu gao guang hao heng hong hui jia jian jie jin kai kang le li "
    "lian lin long mei ming ning qi qian qing rui sen shan sheng shun tai tong wan wen xiang xing xu ya yang "
    "yi ying yong yu yuan yue ze zhan zhong zhuo"
).split()
_SHORT = ("HIT", "PCL", "IEI", "PSA", "CAS", "XAC")
_WORDS = ("Moore", "Dawning", "Sigma", "Cheng", "Peng", "Threads", "Baikal Lake")
_HAN = "明达华信天安宏盛兴泰丰宇恒嘉德康瑞祥和金源博远新悦"


def _affiliate_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    """(query, listed name, shape) for every brand in every applicable shape."""
    out: list[tuple[str, str, str]] = []
    for listed, brand, acronym, zh in BRANDS:

        def pick(seq: tuple[str, ...]) -> str:
            return rng.choice(seq)

        if brand:
            out += [
                (f"{brand} {pick(TRADES)} {pick(FORMS)}", listed, "brand+trade"),
                (f"{pick(CITIES)} {brand} {pick(TRADES)} Co., Ltd.", listed, "city prefix"),
                (f"{brand} ({pick(CITIES)}) {pick(TRADES)} Co., Ltd.", listed, "bracketed city"),
                (f"{brand} {pick(TRADES)} (Hong Kong) Limited", listed, "hong kong"),
                (f"{brand} Asia Pacific Pte. Ltd.", listed, "singapore"),
            ]
        if acronym:
            out += [
                (f"{acronym} {pick(TRADES)} {pick(FORMS)}", listed, "acronym+trade"),
                (f"{acronym} Holdings Ltd (Samoa)", listed, "acronym offshore"),
            ]
        if zh:
            out += [
                (f"{pick(CITIES_ZH)}{zh}{pick(TRADES_ZH)}有限公司", listed, "chinese brand"),
                (
                    f"{zh}({pick(CITIES_ZH)}){pick(TRADES_ZH)}有限公司",
                    listed,
                    "chinese bracketed city",
                ),
            ]
    return out


def lookalike_names(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(name, class) of ordinary companies sharing only non-distinctive parts with list names."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            out.append((f"{rng.choice(_PREFIX)} {rng.choice(_COMMON)}", "common words"))
        elif kind == 1:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
            out.append(
                (f"{rng.choice(CITIES)} {word} {rng.choice(TRADES)} Co., Ltd.", "city + pinyin")
            )
        elif kind == 2:
            out.append(
                (
                    f"{rng.choice(_SHORT)} {rng.choice(_PREFIX)} {rng.choice(TRADES)} Ltd",
                    "short token",
                )
            )
        elif kind == 3:
            out.append(
                (
                    f"{rng.choice(_WORDS)} {rng.choice(_PREFIX)} {rng.choice(TRADES)} LLC",
                    "word or surname",
                )
            )
        else:
            han = "".join(rng.choice(_HAN) for _ in range(2))
            out.append(
                (f"{rng.choice(CITIES_ZH)}{han}{rng.choice(TRADES_ZH)}有限公司", "chinese ordinary")
            )
    return out


def evaluate(list_paths: list[Path], negatives: int = 10_000, seed: int = 7) -> dict:
    """Recall per shape, and look-alike affiliate matches per 10,000 names per class."""
    entries = with_aliases(load_lists(list[Path | str](list_paths))).entries
    rng = random.Random(seed)
    positives = _affiliate_queries(rng)
    names = dict(entries.select("name", "entry_id").iter_rows())
    positives = [p for p in positives if p[1] in names]
    looks = lookalike_names(negatives, seed)
    queries = pl.DataFrame(
        {
            "query_id": [f"p{i}" for i in range(len(positives))]
            + [f"n{i}" for i in range(len(looks))],
            "name": [p[0] for p in positives] + [n[0] for n in looks],
        }
    )
    index = AffiliateIndex.build(entries, queries["name"])
    found = index.match(queries).filter(pl.col("kind").is_in(["affiliate", "acronym"]))
    hits = {(q, e) for q, e in found.select("query_id", "entry_id").iter_rows()}
    by_shape: dict[str, list[int]] = {}
    misses = []
    for i, (query, listed, shape) in enumerate(positives):
        ok = (f"p{i}", names[listed]) in hits
        by_shape.setdefault(shape, []).append(int(ok))
        if not ok:
            misses.append(query)
    matched = set(found["query_id"].to_list())
    by_class: dict[str, list[int]] = {}
    false = []
    for i, (name, cls) in enumerate(looks):
        bad = f"n{i}" in matched
        by_class.setdefault(cls, []).append(int(bad))
        if bad:
            false.append(name)
    total = sum(sum(v) for v in by_shape.values())
    return {
        "algorithm": "affiliate-v1",
        "lists": [str(p) for p in list_paths],
        "entries": entries.height,
        "positives": len(positives),
        "recall": round(total / max(len(positives), 1), 3),
        "recall_by_shape": {k: round(sum(v) / len(v), 3) for k, v in by_shape.items()},
        "negatives": len(looks),
        "lookalike_matches_per_10k": round(10_000 * len(false) / max(len(looks), 1), 1),
        "lookalike_matches_per_10k_by_class": {
            k: round(10_000 * sum(v) / len(v), 1) for k, v in by_class.items()
        },
        "missed": sorted(misses),
        "false_examples": sorted(set(false))[:15],
    }


def provider_rates(provider: Path, list_paths: list[Path]) -> dict:
    """Ordinary tenants of a generated provider with an affiliate match, per 10,000, and the
    planted affiliates found: the figure a provider sees in its own queue."""
    from auditor.features.affiliates import affiliate_features
    from auditor.features.screening import screen_tenants
    from auditor.model.inputs import load_inputs
    from auditor.screening.index import ScreeningIndex

    tenants = load_inputs(provider / "tenants.csv", provider / "usage.csv").tenants
    planted_csv = provider / "planted.csv"
    index = ScreeningIndex.build(with_aliases(load_lists(list[Path | str](list_paths))).entries)
    names = screen_tenants(tenants, index).matches
    features = affiliate_features(tenants, index, names).features
    planted = pl.read_csv(planted_csv)
    ordinary = features.join(
        planted.filter(pl.col("pattern") == "listed-affiliate"), on="tenant_id", how="anti"
    )
    ordinary = ordinary.join(
        planted.filter(~pl.col("pattern").str.starts_with("benign")), on="tenant_id", how="anti"
    )
    planted_aff = features.join(
        planted.filter(pl.col("pattern") == "listed-affiliate"), on="tenant_id"
    )
    with_match = ordinary.filter(pl.col("listed_affiliate_score") > 0)
    return {
        "tenants": tenants.height,
        "ordinary_tenants": ordinary.height,
        "ordinary_with_affiliate_match": with_match.height,
        "per_10k": round(10_000 * with_match.height / max(ordinary.height, 1), 1),
        "ordinary_at_rule_threshold_per_10k": round(
            10_000
            * ordinary.filter(pl.col("listed_affiliate_score") >= 0.6).height
            / max(ordinary.height, 1),
            1,
        ),
        "planted_affiliates_found": f"{planted_aff.filter(pl.col('listed_affiliate_score') > 0).height}/{planted_aff.height}",
        "examples": with_match["listed_affiliate_match"].head(10).to_list(),
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(
            "usage: python -m auditor.screening.affiliate_evaluation LIST.csv [...] [--provider DIR]",
            file=sys.stderr,
        )
        return 2
    provider = None
    if "--provider" in argv:
        i = argv.index("--provider")
        provider = Path(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    lists = [Path(a) for a in argv]
    report = evaluate(lists)
    if provider is not None:
        report["provider"] = provider_rates(provider, lists)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
