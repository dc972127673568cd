"""The planted evasion patterns and the benign look-alikes, with their ground truth.

Each tenant is an ordinary record from `World.company` with the fields that make the pattern
overridden; `_plant` = (pattern, group, note) becomes a row of planted.csv.
"""

from __future__ import annotations

from datetime import timedelta

from restricted_parties import entry_by_key
from world import COUNTRIES

CLOUDS = ["aws", "gcp", "azure"]


def _big(w, wl="h100x8", n=(2, 4), start=(45, 110), stop=None):
    """A sizeable cluster of restricted accelerators: n 8-GPU instances back to back."""
    return ("cluster", wl, w.rng.randint(*n), w.rng.randint(*start), stop, (48, 168))


def _cn_ops(hub: str | None = None, share: float = 0.8):
    mix = [("CN", share)]
    if hub:
        mix.append((hub, 1 - share))
    return mix


def _days_ago(w, lo, hi):
    return w.as_of - timedelta(days=w.rng.randint(lo, hi), seconds=w.rng.randrange(86400))


def planted_tenants(w) -> list[dict]:
    out: list[dict] = []
    rng = w.rng

    def add(pattern, i, cc, note, group=None, **over):
        over.setdefault("_providers", [CLOUDS[i % 3]])
        if "legal_name" in over and "email_domain" not in over:
            words = [
                x
                for x in over["legal_name"].replace("(", " ").split()
                if x.isascii() and x.isalpha()
            ][:2]
            over["email_domain"] = w.domain_for(" ".join(words), cc)
        t = w.company(cc, **over)
        t["_plant"] = (pattern, group, note)
        out.append(t)
        return t

    # 1. listed-name: the tenant's name or alias is a listed entity under a variant.
    variants = [
        (
            "inspur-info",
            "Inspur Electronic Information Industry Company Limited",
            [],
            "CN",
            "legal form: Co., Ltd. -> Company Limited",
        ),
        (
            "sugon",
            "Zhongke Cloud Compute (Hong Kong) Limited",
            ["曙光信息产业股份有限公司"],
            "HK",
            "Chinese-script alias of Sugon",
        ),
        (
            "baikal",
            "AO Baykal Elektronika",
            ["Baykal Electronics"],
            "KZ",
            "transliteration Baikal/Baykal, legal form JSC/AO",
        ),
        (
            "biren",
            "Shanghai Biren Technology Co., Ltd.",
            [],
            "CN",
            "shortened: drops 'Intelligent'",
        ),
        ("zhipu", "Huazhang Zhipu Technology (Beijing) Co., Ltd.", [], "CN", "word order"),
        ("sophgo", "Sophco Technologies Ltd.", [], "SG", "one-letter typo g->c"),
    ]
    for i, (key, name, aliases, cc, how) in enumerate(variants):
        e = entry_by_key(key)
        d5 = cc in ("CN", "HK")
        add(
            "listed-name",
            i,
            cc,
            f"{how}; listed: {e['name']}",
            legal_name=name,
            aliases=aliases,
            hq_country="CN" if d5 else cc,
            kyc_status=rng.choice(["verified", "pending"]),
            _region="apac",
            _workloads=[_big(w, rng.choice(["h100x8", "a100x8", "h200x8"]))],
            _signins=(
                rng.randint(12, 30),
                _cn_ops(cc if cc != "CN" else None, 0.7) if d5 else [(cc, 1.0)],
            ),
            phone=w.phone("CN") if d5 else w.phone(cc),
        )

    # 2. listed-owner: parent, ultimate parent or a beneficial owner is listed; own name unrelated.
    owners = [
        (
            "CN",
            "Jinan Quancheng Data Technology Co., Ltd.",
            dict(
                parent_company="Inspur Group Company Limited",
                ultimate_parent="Inspur Group Co., Ltd.",
            ),
            "parent and ultimate parent: Inspur Group (legal-form variant as parent)",
        ),
        (
            "HK",
            "Harbour Ridge Compute Limited",
            dict(
                parent_company="Tianjin Haiguang Advanced Technology Investment Co., Ltd.",
                ultimate_parent="Dawning Information Industry Co., Ltd.",
                hq_country="CN",
            ),
            "parent Hygon (THATIC), ultimate parent Sugon",
        ),
        (
            "SG",
            "Kestrel Vision Analytics Pte. Ltd.",
            dict(beneficial_owners=["Beijing Kuangshi Technology Co., Ltd.", "Tan Wei Ming"]),
            "beneficial owner: Megvii (Beijing Kuangshi Technology)",
        ),
        (
            "KZ",
            "Steppe Compute Services LLP",
            dict(beneficial_owners=["Dmitry Sergeevich Kovalyov"]),
            "beneficial owner: listed individual KOVALEV, Dmitriy Sergeyevich (SDN), transliterated",
        ),
        (
            "AE",
            "Orion Peak Trading FZE",
            dict(ultimate_parent="Sanaye Electronic Iran"),
            "ultimate parent: Iran Electronics Industries alias",
        ),
    ]
    for i, (cc, name, fields, note) in enumerate(owners):
        add(
            "listed-owner",
            i,
            cc,
            note,
            legal_name=name,
            aliases=[],
            _region="apac" if cc != "AE" else "me",
            kyc_status=rng.choice(["verified", "pending"]),
            _workloads=[_big(w, rng.choice(["h100x8", "a100x8"]))],
            _signins=(
                rng.randint(10, 25),
                _cn_ops(cc, 0.5)
                if cc in ("CN", "HK")
                else [(cc, 0.8), ("RU" if cc == "KZ" else cc, 0.2)],
            ),
            **fields,
        )

    # 3. listed-address: a new company at a listed entity's address (the Nettrix spin-off pattern).
    addrs = [
        (
            "sugon",
            "Beijing Hexin Zhisuan Technology Co., Ltd.",
            "Bldg 36, Zhongguancun Software Park, 8 Dongbeiwang West Rd, Haidian District, Beijing 100193, China",
            "reformatted",
        ),
        ("hygon", "Tianjin Lanhai Server Technology Co., Ltd.", None, "exact"),
        (
            "inspur-group",
            "Jinan Yunchuang Intelligent Computing Co., Ltd.",
            "1036 Langchao Rd., High-Tech Zone, Jinan, Shandong, CN",
            "reformatted",
        ),
        (
            "biren",
            "Shanghai Qiyuan Graphics Technology Co., Ltd.",
            "Rm 1101, Bldg 2, 1000 Zhangheng Rd, Pudong New Area, Shanghai 201203, China",
            "reformatted",
        ),
    ]
    for i, (key, name, addr, how) in enumerate(addrs):
        e = entry_by_key(key)
        add(
            "listed-address",
            i,
            "CN",
            f"{how} address of listed {e['name']}",
            legal_name=name,
            aliases=[],
            address=addr or e["addresses"][0],
            created_at=_days_ago(w, 90, 400),
            _region="apac",
            kyc_status=rng.choice(["verified", "pending"]),
            _workloads=[_big(w, rng.choice(["h100x8", "h200x8", "a100x8"]), start=(40, 85))],
            _signins=(rng.randint(12, 30), [("CN", 1.0)]),
        )

    # 4. offshore-front: offshore incorporation, nobody declared behind it, large clusters.
    offshore = [
        ("VG", "Meridian Crest Holdings Limited", ""),
        ("SC", "Silver Lagoon Technologies Ltd.", "SC"),
        ("WS", "Pacific Tern Compute Ltd.", ""),
        ("KY", "Blue Atoll Ventures Ltd.", "KY"),
    ]
    for i, (cc, name, hq) in enumerate(offshore):
        add(
            "offshore-front",
            i,
            cc,
            f"incorporated {cc}, no owners or parent declared",
            legal_name=name,
            aliases=[],
            hq_country=hq,
            billing_country=rng.choice([cc, "HK"]),
            beneficial_owners=[],
            ultimate_parent="",
            parent_company="",
            kyc_status=rng.choice(["pending", "unverified", "verified"]),
            _region="apac",
            created_at=_days_ago(w, 60, 300),
            declared_use="AI research",
            _workloads=[
                _big(w, rng.choice(["h100x8", "h200x8", "b200x8"]), n=(3, 6), start=(30, 80))
            ],
            _signins=(
                rng.randint(10, 25),
                _cn_ops("SG", 0.6) if i % 2 == 0 else [("SG", 0.8), ("HK", 0.2)],
            ),
        )

    # 5. hub-front: incorporated in a hub, operated from China.
    hubs = [
        ("SG", "Straits Tensor Pte. Ltd.", "qq.com"),
        ("MY", "Petaling Cloudworks Sdn. Bhd.", "163.com"),
        ("HK", "Harbourline AI Limited", "harbourline-ai.cn"),
        ("AE", "Dune Matrix Technologies FZ-LLC", "dunematrix.com.cn"),
        ("SG", "Marina Vector Labs Pte. Ltd.", "qq.com"),
    ]
    for i, (cc, name, dom) in enumerate(hubs):
        if "." in dom and dom not in ("qq.com", "163.com"):
            w.used.add(dom)
        add(
            "hub-front",
            i,
            cc,
            f"{cc} company, +86 phone, {dom}, sign-ins mostly CN",
            legal_name=name,
            aliases=[],
            email_domain=dom,
            phone=w.phone("CN"),
            officers=[w.person("CN")],
            beneficial_owners=[w.person("CN")],
            kyc_status=rng.choice(["verified", "pending"]),
            _region="apac",
            _workloads=[_big(w, rng.choice(["h100x8", "a100x8", "h200x8"]))],
            _signins=(rng.randint(15, 35), _cn_ops(cc, 0.85)),
        )

    # 6. d5-hq: headquartered (or ultimately owned) in China or Macau.
    d5 = [
        (
            "CN",
            "CN",
            "Hangzhou Yunqi Intelligent Technology Co., Ltd.",
            {},
            "incorporated and HQ in CN",
        ),
        ("MO", "MO", "Lotus Harbour Data Services Limited", {}, "incorporated and HQ in Macau"),
        ("CN", "CN", "Shenzhen Pengcheng Vision Co., Ltd.", {}, "incorporated and HQ in CN"),
        (
            "US",
            "CN",
            "Aurora Ridge Software Inc.",
            dict(
                parent_company="Chengdu Tianfu Ruixin Group Co., Ltd.",
                ultimate_parent="Chengdu Tianfu Ruixin Group Co., Ltd.",
            ),
            "US incorporation, HQ and ultimate parent in CN",
        ),
        (
            "DE",
            "",
            "Tianfu Cloud Compute GmbH",
            dict(ultimate_parent="Sichuan Tianfu Digital Holdings Co., Ltd."),
            "DE incorporation, hq empty, ultimate parent in CN",
        ),
    ]
    for i, (cc, hq, name, fields, note) in enumerate(d5):
        ops = "CN" if cc in ("CN", "US", "DE") else cc
        add(
            "d5-hq",
            i,
            cc,
            note,
            legal_name=name,
            aliases=[],
            hq_country=hq,
            _region="apac" if cc in ("CN", "MO") else COUNTRY_REGION[cc],
            kyc_status="verified",
            _workloads=[_big(w, rng.choice(["h100x8", "a100x8"]), n=(1, 3))],
            _signins=(rng.randint(10, 25), [(ops, 0.6), (cc, 0.4)] if ops != cc else [(cc, 1.0)]),
            **fields,
        )

    # 7. shared-instrument: groups of unrelated-looking tenants sharing one instrument, each modest.
    groups = [
        ("si-card-1", "payment_fingerprint", ["US", "SG", "MY", "GB", "CA"]),
        ("si-phone-1", "phone", ["HK", "SG", "AE", "MY"]),
        ("si-domain-1", "email_domain", ["US", "NL", "KR", "AU"]),
    ]
    shared = {
        "payment_fingerprint": w.fingerprint(),
        "phone": w.phone("HK"),
        "email_domain": "brightlane-ops.com",
    }
    w.used.add("brightlane-ops.com")
    for g, (gid, field, ccs) in enumerate(groups):
        first_words: set[str] = set()
        shared_ip = ("SG", w.ip("SG")) if field == "payment_fingerprint" else None
        for j, cc in enumerate(ccs):
            mix = (
                [(cc, 0.7), ("SG", 0.3)]
                if shared_ip
                else ([(cc, 0.5), ("CN", 0.5)] if field == "phone" else [(cc, 1.0)])
            )
            add(
                "shared-instrument",
                j + g,
                cc,
                f"shares {field} with {len(ccs) - 1} others",
                group=gid,
                kyc_status="unverified" if j % 2 == 0 else rng.choice(["verified", "pending"]),
                created_at=_days_ago(w, 40, 200),
                _region="apac" if cc in ("SG", "MY", "HK", "KR", "AU") else COUNTRY_REGION[cc],
                _workloads=[
                    (
                        "cluster",
                        rng.choice(["a100x8", "h100x8"]),
                        1,
                        rng.randint(20, 90),
                        None,
                        (24, 72),
                    ),
                    ("sporadic", "small-restricted", rng.randint(2, 5), (12, 72)),
                ],
                _signins=(rng.randint(8, 20), mix),
                _shared_ip=shared_ip,
                **{field: shared[field]},
            )
            while out[-1]["legal_name"].split()[0] in first_words:  # names must look unrelated
                stem = w.company_stem()
                out[-1]["legal_name"] = f"{stem} {rng.choice(COUNTRIES[cc][2])}"
                out[-1]["aliases"] = []
                if field != "email_domain":
                    out[-1]["email_domain"] = w.domain_for(stem, cc)
            first_words.add(out[-1]["legal_name"].split()[0])
        # each member stops its cluster after a few days: modest alone, large together
        for t in out[-len(ccs) :]:
            spec = t["_workloads"][0]
            t["_workloads"][0] = spec[:4] + (max(1, spec[3] - rng.randint(6, 14)),) + spec[5:]

    # 8. reseller: resells capacity, large restricted usage, weak KYC or D:5 sign-ins.
    resellers = [
        ("US", "pending", [("US", 0.4), ("CN", 0.6)]),
        ("HK", "unverified", _cn_ops("HK", 0.7)),
        ("AE", "pending", [("AE", 0.5), ("RU", 0.5)]),
        ("SG", "verified", _cn_ops("SG", 0.6)),
    ]
    for i, (cc, kyc, mix) in enumerate(resellers):
        add(
            "reseller",
            i,
            cc,
            f"reseller, KYC {kyc}, sign-ins {'/'.join(c for c, _ in mix)}",
            is_reseller=True,
            kyc_status=kyc,
            declared_use="GPU cloud reselling",
            _region="apac" if cc in ("HK", "SG") else COUNTRY_REGION[cc],
            _workloads=[_big(w, rng.choice(["h100x8", "h200x8", "a100x8"]), n=(3, 6))],
            _signins=(rng.randint(12, 30), mix),
        )

    # 9. new-ramp: brand-new, unverified accounts ramping to >= 32 concurrent top-end GPUs.
    for i, cc in enumerate(["US", "GB", "CA", "NL"]):
        age = rng.randint(6, 20)
        peak = rng.randint(4, 8)
        wl = ["h100x8", "h200x8", "b200x8", "h100x8"][i]
        provider = CLOUDS[i % 3] if wl != "b200x8" else "aws"
        add(
            "new-ramp",
            i,
            cc,
            f"opened {age} days before as_of, peak {peak * 8} concurrent {wl[:4].upper()} GPUs",
            created_at=w.as_of - timedelta(days=age, seconds=rng.randrange(86400)),
            beneficial_owners=[],
            kyc_status=rng.choice(["unverified", "pending"]),
            _providers=[provider],
            _region=COUNTRY_REGION[cc],
            _workloads=[
                ("ramp", wl, [(age - 1, 1), (max(age - 4, 3), 2), (min(age - 5, 3), peak)])
            ],
            _signins=(rng.randint(6, 15), [(cc, 1.0)]),
        )

    benign(w, add)
    affiliates(w, add)
    return out


COUNTRY_REGION = {
    "US": "na",
    "CA": "na",
    "GB": "eu",
    "DE": "eu",
    "NL": "eu",
    "AE": "me",
    "JP": "apac",
    "SG": "apac",
}


def benign(w, add) -> None:
    rng = w.rng
    for i in range(4):  # verified Singapore startups on H100, fully disclosed
        add(
            "benign-sg-startup",
            i,
            "SG",
            "verified SG startup on H100, SG phone and sign-ins",
            kyc_status="verified",
            _region="apac",
            _workloads=[_big(w, "h100x8", n=(1, 3))],
            _signins=(rng.randint(10, 25), [("SG", 1.0)]),
        )
    unis = [
        "Minato Institute of Science and Technology",
        "Kita-Hokuriku University",
        "Setouchi Graduate University",
    ]
    for i, name in enumerate(unis):
        slug = name.split()[0].lower().replace("-", "")
        add(
            "benign-jp-university",
            i,
            "JP",
            "verified Japanese university on A100, .ac.jp",
            legal_name=name,
            aliases=[],
            email_domain=f"{slug}.ac.jp",
            kyc_status="verified",
            parent_company="",
            beneficial_owners=[],
            declared_use="academic research",
            _region="apac",
            _workloads=[_big(w, "a100x8", n=(1, 2))],
            _signins=(rng.randint(10, 25), [("JP", 1.0)]),
        )
    cn_names = [
        "Hangzhou Lanxi Media Technology Co., Ltd.",
        "Shenzhen Qianhai Retail Cloud Co., Ltd.",
        "Chengdu Panda Games Co., Ltd.",
        "Suzhou Kaiyue E-commerce Co., Ltd.",
        "Xiamen Haiwan Logistics Co., Ltd.",
    ]
    for i, name in enumerate(cn_names):
        dom = rng.choice(["qq.com", "163.com", None])
        add(
            "benign-cn-unrestricted",
            i,
            "CN",
            "China HQ on unrestricted GPUs only (T4/A10G/V100/CPU)",
            legal_name=name,
            aliases=[],
            phone=w.phone("CN"),
            officers=[w.person("CN")],
            beneficial_owners=[w.person("CN")],
            **({"email_domain": dom} if dom else {}),
            kyc_status=rng.choice(["verified", "pending"]),
            declared_use=rng.choice(["video transcoding", "game servers", "web hosting"]),
            _region="apac",
            _workloads=[
                ("sporadic", "t4", rng.randint(4, 10), (4, 96)),
                ("sporadic", rng.choice(["a10g-v100", "cpu"]), rng.randint(3, 8), (12, 240)),
            ],
            _signins=(rng.randint(10, 25), [("CN", 1.0)]),
        )
    lookalikes = [
        ("US", "Dawning Bakery LLC", "shares 'Dawning' with Dawning Information Industry", "cpu"),
        ("DE", "Baikal Outdoor Gear GmbH", "shares 'Baikal' with Baikal Electronics", "cpu"),
        (
            "AU",
            "Jiangnan Garden Restaurant Group Pty Ltd",
            "shares 'Jiangnan' with Wuxi Jiangnan Institute",
            "cpu",
        ),
        (
            "US",
            "Biren Patel Consulting LLC",
            "shares 'Biren' with Biren Technology",
            "small-restricted",
        ),
        ("GB", "Moore Street Tailoring Ltd", "shares 'Moore' with Moore Threads", "t4"),
    ]
    for i, (cc, name, note, wl) in enumerate(lookalikes):
        add(
            "benign-name-lookalike",
            i,
            cc,
            note,
            legal_name=name,
            aliases=[],
            kyc_status="verified",
            declared_use=rng.choice(
                ["web hosting", "internal tools", "image classification inference"]
            ),
            _region=COUNTRY_REGION.get(cc, "apac"),
            _workloads=[("sporadic", wl, rng.randint(2, 6), (4, 72))],
            _signins=(rng.randint(6, 15), [(cc, 1.0)]),
        )
    for i in range(4):  # large verified US labs: volume alone is not a signal
        add(
            "benign-us-lab",
            i,
            "US",
            "verified US AI lab, tens of thousands of H100 GPU-hours",
            kyc_status="verified",
            _region="na",
            created_at=_days_ago(w, 400, 1800),
            _workloads=[_big(w, "h100x8", n=(4, 8), start=(100, 118)), _big(w, "a100x8", n=(1, 3))],
            _signins=(rng.randint(20, 40), [("US", 0.95), ("GB", 0.05)]),
        )
    for i, cc in enumerate(["US", "DE", "IN", "BR", "US"]):  # freemail must not link tenants
        add(
            "benign-freemail",
            i,
            cc,
            "verified enterprise using gmail.com",
            email_domain="gmail.com",
            kyc_status="verified",
            _region={"IN": "in", "BR": "sa"}.get(cc, COUNTRY_REGION.get(cc, "na")),
            _workloads=[
                ("sporadic", rng.choice(["small-restricted", "t4"]), rng.randint(2, 6), (4, 72))
            ],
            _signins=(rng.randint(6, 15), [(cc, 1.0)]),
        )
    for i in range(2):
        add(
            "benign-us-reseller",
            i,
            "US",
            "verified US reseller, US sign-ins only",
            is_reseller=True,
            kyc_status="verified",
            declared_use="GPU cloud reselling",
            _region="na",
            created_at=_days_ago(w, 500, 1500),
            _workloads=[_big(w, "h100x8", n=(2, 4))],
            _signins=(rng.randint(15, 30), [("US", 1.0)]),
        )


# --- listed affiliates by name and their look-alikes (issue 15; screening/affiliate.py) -------
# Relatives of listed companies that are not listed themselves: the listed brand, word pair or
# acronym with other words around it, a city prefix or another legal form, in English or in
# Chinese. The look-alikes share common words or rare-looking tokens with list names but have
# no tie to the listed entity (own country, disclosed owners): the affiliate rule must stay quiet.


def affiliates(w, add) -> None:
    rng = w.rng
    related = [
        (
            "CN",
            "Inspur (Jinan) Cloud Data Technology Co., Ltd.",
            {},
            "inspur-group",
            "brand 'Inspur' with a city prefix and other words",
        ),
        (
            "HK",
            "Sugon Computing Services (Hong Kong) Limited",
            {"hq_country": "CN"},
            "sugon",
            "brand 'Sugon' (an alias) in a Hong Kong company",
        ),
        (
            "WS",
            "SMIC Holdings Ltd.",
            {
                "beneficial_owners": [],
                "ultimate_parent": "",
                "parent_company": "",
                "hq_country": "",
            },
            "smic",
            "acronym of Semiconductor Manufacturing International Corporation in a Samoan wrapper",
        ),
        (
            "CN",
            "浪潮(济南)智算科技有限公司",
            {"aliases": []},
            "inspur-group",
            "Chinese brand 浪潮 (Inspur) with a city prefix",
        ),
        (
            "SG",
            "Megvii Vision Labs Pte. Ltd.",
            {},
            "megvii",
            "brand 'Megvii' in a Singapore company",
        ),
        (
            "CN",
            "Moore Threads Graphics (Shenzhen) Co., Ltd.",
            {},
            "moore",
            "word pair 'Moore Threads' with a city and another trade",
        ),
        (
            "HK",
            "Pearl Delta Compute Limited",
            {"parent_company": "Phytium Microsystems (HK) Limited", "hq_country": "CN"},
            "phytium",
            "parent company carries the brand 'Phytium'",
        ),
    ]
    for i, (cc, name, fields, key, how) in enumerate(related):
        e = entry_by_key(key)
        d5 = cc in ("CN", "HK")
        add(
            "listed-affiliate",
            i,
            cc,
            f"{how}; listed: {e['name']}",
            legal_name=name,
            **({"aliases": []} | fields),
            kyc_status=rng.choice(["verified", "pending"]),
            _region="apac",
            _workloads=[_big(w, rng.choice(["h100x8", "a100x8", "h200x8"]))],
            _signins=(
                rng.randint(10, 25),
                _cn_ops(cc if cc != "CN" else None, 0.7)
                if d5 or cc == "WS"
                else [(cc, 0.6), ("CN", 0.4)],
            ),
            phone=w.phone("CN") if d5 else w.phone(cc),
        )
    lookalikes = [
        (
            "GB",
            "Sunrise Information Industry Group Ltd",
            "shares 'Information Industry Group' with listed names",
        ),
        (
            "US",
            "Northwind Electronic Information Industry Co.",
            "shares 'Electronic Information Industry' with Inspur's listed names",
        ),
        (
            "US",
            "Moore Threads Yarn Company",
            "shares the pair 'Moore Threads' with Moore Threads Technology, a US yarn shop",
        ),
        (
            "GB",
            "Hit Point Games Ltd",
            "'HIT' is the listed Harbin Institute of Technology's acronym",
        ),
        ("DE", "Sigma Vision Systems GmbH", "shares 'Sigma' with a listed Russian entry"),
        (
            "AU",
            "Pacific Intelligent Computing Group Pty Ltd",
            "shares 'Intelligent Computing' with listed names",
        ),
    ]
    for i, (cc, name, note) in enumerate(lookalikes):
        add(
            "benign-affiliate-lookalike",
            i,
            cc,
            note,
            legal_name=name,
            aliases=[],
            kyc_status="verified",
            declared_use=rng.choice(
                ["web hosting", "internal tools", "image classification inference"]
            ),
            _region=COUNTRY_REGION.get(cc, "apac"),
            _workloads=[("sporadic", rng.choice(["t4", "cpu"]), rng.randint(2, 6), (4, 72))],
            _signins=(rng.randint(6, 15), [(cc, 1.0)]),
        )
