"""Planted ownership structures (issue 18) and their look-alikes, with the ownership and parties rows behind them.

Kept apart from planted.py: these tenants draw from their own seeded generator, so adding
them leaves the other planted tenants' contents as they were. Each structure is a tenant
(an ordinary `World.company` record with restricted accelerators for the planted ones)
plus rows of `ownership.csv` and `parties.csv` that refer to it by a local key; generate.py
replaces the key with the tenant's id once ids are assigned. As of 2026-11-01 the OFAC 50
percent rule is in force and the BIS Affiliates Rule is suspended (2025-11-10 to 2026-11-09).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

OWNERSHIP_COLUMNS = [
    "owner_id",
    "owned_id",
    "share",
    "share_min",
    "share_max",
    "share_min_exclusive",
    "share_max_exclusive",
    "interest",
    "start_date",
    "end_date",
    "as_of",
    "source",
    "source_ref",
]
PARTY_COLUMNS = ["party_id", "name", "kind", "country", "aliases", "identifiers", "tenant_id"]

# party_id, name, kind, country, aliases, identifiers
PARTIES = [
    (
        "P-SIGMA",
        "OOO Sigma Vychislitelnye Sistemy",
        "entity",
        "RU",
        "Sigma Computing Systems LLC",
        "OGRN:1157746000001",
    ),
    ("P-BAIKAL", "Baikal Electronics JSC", "entity", "RU", "", ""),
    ("P-IEI", "Iran Electronics Industries", "entity", "IR", "Sanaye Electronic Iran", ""),
    (
        "P-SUGON",
        "Dawning Information Industry Co., Ltd.",
        "entity",
        "CN",
        "Sugon",
        "USCC:91120000000000001M",
    ),
    ("P-CORAL", "Coral Reef Holdings Limited", "entity", "WS", "", "WS-REG:2024-00123"),
    ("P-VICTORIA", "Victoria Harbour Investment Holdings Limited", "entity", "HK", "", ""),
    ("P-NLH", "Northern Lattice Holdings AG", "entity", "CH", "", ""),
    ("P-LCS", "Lattice Compute Services GmbH", "entity", "DE", "", ""),
    ("P-BOREAL", "Boreal Crest Holdings AB", "entity", "SE", "", ""),
    ("P-FJORD", "Fjordline Capital AB", "entity", "SE", "", ""),
    ("P-ALDER", "Alder Grove Ventures Ltd", "entity", "GB", "", ""),
    ("P-BIRCH", "Birchmoor Partners Ltd", "entity", "GB", "", ""),
    ("P-ALPINE", "Alpine Data Partners AG", "entity", "CH", "", "LEI:5299000000000000AL45"),
    ("P-KOROLEV", "Anton Korolev", "person", "RU", "", ""),
    ("P-LINDQVIST", "Ebba Lindqvist", "person", "SE", "", ""),
]


def ownership_tenants(w, seed: int) -> tuple[list[dict], list[tuple], list[tuple]]:
    """(tenants with `_plant` and `_okey`, ownership rows with tenant keys, party rows)."""
    saved, w.rng = w.rng, random.Random(seed * 1000 + 18)
    try:
        return _plant(w)
    finally:
        w.rng = saved


def _plant(w) -> tuple[list[dict], list[tuple], list[tuple]]:
    rng = w.rng
    tenants: list[dict] = []
    as_of: datetime = w.as_of

    def day(days_before: int) -> str:
        return (as_of - timedelta(days=days_before)).strftime("%Y-%m-%d")

    def add(key, pattern, cc, name, note, heavy=True, **over):
        workloads = [
            (
                "cluster",
                rng.choice(["h100x8", "a100x8", "h200x8"]),
                rng.randint(2, 4),
                rng.randint(45, 100),
                None,
                (48, 168),
            )
        ]
        light = [("sporadic", "t4", rng.randint(2, 6), (4, 72))]
        t = w.company(
            cc,
            legal_name=name,
            aliases=[],
            kyc_status="verified",
            parent_company="",
            ultimate_parent="",
            _workloads=workloads if heavy else light,
            _signins=(rng.randint(8, 20), [(cc, 1.0)]),
            _providers=[rng.choice(["aws", "gcp", "azure"])],
            **over,
        )
        t["_plant"] = (pattern, None, note)
        t["_okey"] = key
        tenants.append(t)

    def stake(
        owner,
        owned,
        share="",
        lo="",
        hi="",
        lo_x="",
        hi_x="",
        interest="",
        start="",
        end="",
        source="company registry",
        ref="",
    ):
        return (owner, owned, share, lo, hi, lo_x, hi_x, interest, start, end, day(30), source, ref)

    rows = [
        # 1. A listed (SDN) server maker's stake through a Samoa holding company: 100% of the holdco, 60% of the tenant.
        stake(
            "P-SIGMA",
            "P-CORAL",
            "100",
            source="Samoa companies registry",
            ref="WS-REG-2024-00123/sh-1",
            start=day(700),
        ),
        stake(
            "P-CORAL",
            "@via-samoa",
            "60",
            source="company registry",
            ref="SG-ACRA-201912345K/sh-3",
            start=day(400),
        ),
        stake(
            "P-KOROLEV",
            "@via-samoa",
            "40",
            source="company registry",
            ref="SG-ACRA-201912345K/sh-4",
            start=day(400),
        ),
        # 2. Two listed minority owners adding up to more than half (30-32% + 25%); two sources disagree on the first.
        stake(
            "P-BAIKAL",
            "@two-minorities",
            "30",
            source="company registry",
            ref="HK-CR-3012345/an-2025",
        ),
        stake("P-BAIKAL", "@two-minorities", "32", source="KYC questionnaire", ref="KYC-2026-0412"),
        stake(
            "P-IEI", "@two-minorities", "25", source="company registry", ref="HK-CR-3012345/an-2025"
        ),
        stake(
            "P-LINDQVIST",
            "@two-minorities",
            "43",
            source="company registry",
            ref="HK-CR-3012345/an-2025",
        ),
        # 3. A cycle reached from outside: Sigma holds 50% of NLH; NLH and LCS hold each other; LCS holds 80% of the tenant.
        stake("P-SIGMA", "P-NLH", "50", source="Swiss commercial register", ref="CHE-100.200.300"),
        stake("P-NLH", "P-LCS", "60", source="Handelsregister", ref="HRB 123456"),
        stake("P-LCS", "P-NLH", "30", source="Swiss commercial register", ref="CHE-100.200.300"),
        stake("P-LCS", "@cycle", "80", source="Handelsregister", ref="HRB 654321"),
        # 4. 49%: below the threshold, a significant minority stake (and a shared director).
        stake("P-SIGMA", "@forty-nine", "49", source="company registry", ref="MY-SSM-202401000123"),
        stake(
            "P-LINDQVIST", "@forty-nine", "51", source="company registry", ref="MY-SSM-202401000123"
        ),
        stake(
            "P-KOROLEV",
            "P-SIGMA",
            "",
            interest="control",
            source="Russian state register",
            ref="EGRUL director",
        ),
        # 5. A banded stake: "more than 25% up to 50%" held by IEI -- its size decides (Red Flag 29).
        stake(
            "P-IEI",
            "@banded",
            lo="25",
            hi="50",
            lo_x="true",
            source="BODS register",
            ref="ooc-statement-7f3a",
        ),
        # 6. The Affiliates Rule, suspended on the as-of date: Sugon (Entity List) 100% of a HK holdco, 55% of the tenant.
        stake(
            "P-SUGON",
            "P-VICTORIA",
            "100",
            source="Hong Kong companies registry",
            ref="HK-CR-2987654",
        ),
        stake(
            "P-VICTORIA", "@suspended", "55", source="company registry", ref="MY-SSM-202201000456"
        ),
        # Look-alikes. a) A cycle with no restricted owner outside it.
        stake("P-BOREAL", "P-FJORD", "70", source="Bolagsverket", ref="556000-0001"),
        stake("P-FJORD", "P-BOREAL", "70", source="Bolagsverket", ref="556000-0002"),
        stake("P-FJORD", "@benign-cycle", "100", source="Bolagsverket", ref="556000-0003"),
        # b) OFAC FAQ 401's counter-example: Baikal holds 25% of two holdcos, which hold 50% each -> not restricted.
        stake("P-BAIKAL", "P-ALDER", "25", source="Companies House", ref="PSC 09000001"),
        stake("P-BAIKAL", "P-BIRCH", "25", source="Companies House", ref="PSC 09000002"),
        stake(
            "P-ALDER", "@benign-counterexample", "50", source="Companies House", ref="PSC 09000003"
        ),
        stake(
            "P-BIRCH", "@benign-counterexample", "50", source="Companies House", ref="PSC 09000004"
        ),
        # c) A stake that ended before the audit: Sigma divested its 80% in June; Alpine holds it now.
        stake(
            "P-SIGMA",
            "@benign-ended",
            "80",
            start=day(900),
            end=day(120),
            source="Handelsregister",
            ref="HRB 777/2024",
        ),
        stake(
            "P-ALPINE",
            "@benign-ended",
            "80",
            start=day(120),
            source="Handelsregister",
            ref="HRB 777/2026",
        ),
    ]
    add(
        "via-samoa",
        "ownership-holding-chain",
        "SG",
        "Lagoon Tensor Pte. Ltd.",
        "60% held by a Samoa holding company that listed Sigma (SDN server maker) owns 100%",
        beneficial_owners=["Coral Reef Holdings Limited", "Anton Korolev"],
    )
    add(
        "two-minorities",
        "ownership-aggregate",
        "HK",
        "Kowloon Matrix Compute Limited",
        "Baikal (SDN) 30-32% and IEI (SDN) 25%: together over 50%",
        beneficial_owners=["Ebba Lindqvist"],
    )
    add(
        "cycle",
        "ownership-cycle",
        "DE",
        "Lattice Inference Cloud GmbH",
        "80% held by LCS, which sits in a cycle with NLH, which Sigma (SDN) owns 50%",
        beneficial_owners=[],
    )
    add(
        "forty-nine",
        "ownership-minority",
        "MY",
        "Selangor Vector Systems Sdn. Bhd.",
        "49% held by Sigma (SDN): below 50%, a minority stake; director Anton Korolev also controls Sigma",
        officers=["Anton Korolev"],
        beneficial_owners=["Ebba Lindqvist (51%)"],
    )
    add(
        "banded",
        "ownership-banded",
        "AE",
        "Gulf Lattice Analytics FZ-LLC",
        "more than 25% up to 50% held by IEI (SDN): the band decides",
        beneficial_owners=[],
    )
    add(
        "suspended",
        "ownership-suspended-regime",
        "MY",
        "Penang Harbour Compute Sdn. Bhd.",
        "55% held by a HK holdco that Sugon (Entity List) owns: the Affiliates Rule, suspended on the as-of date",
        beneficial_owners=[],
    )
    add(
        "benign-cycle",
        "benign-ownership-cycle",
        "SE",
        "Fjordline Render Services AB",
        "owned by a holding cycle with no listed owner",
        heavy=False,
        beneficial_owners=["Ebba Lindqvist"],
    )
    add(
        "benign-counterexample",
        "benign-ownership-indirect-25",
        "GB",
        "Thamesbank Analytics Ltd",
        "Baikal holds 25% of each of its two 50% owners: not restricted (FAQ 401)",
        heavy=False,
        beneficial_owners=[],
    )
    add(
        "benign-ended",
        "benign-ownership-ended",
        "CH",
        "Alpine Render Cloud AG",
        "Sigma's 80% ended before the audit; owned by Alpine Data Partners since",
        heavy=False,
        beneficial_owners=[],
    )
    parties = [
        (pid, name, kind, cc, aliases, ids, "") for pid, name, kind, cc, aliases, ids in PARTIES
    ]
    return tenants, rows, parties
