"""Planted CIP-gap tenants (issue 12) and their look-alikes, with the downstream-customer rows behind them.

Kept apart from planted.py and planted_ownership.py: these tenants draw from their own
seeded generator and are appended last, so everything generated before them is
unchanged. They take the fixed ids t001260-t001309 (`_tid`), whatever the tenant count,
so another module's tenants appended before them cannot shift them. Each is an ordinary
`World.company` record; the planted ones rent restricted accelerators as a foreign person
with CIP gaps, the look-alikes miss one condition of each rule.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

LISTED_ON = datetime(
    2026, 9, 15
)  # the example list's Xuanwu Hengtong entry (restricted_parties.py)

FIRST_ID = 1260
LAST_ID = 1309
DOWNSTREAM_COLUMNS = ["reseller_id", "customer_id", "customer_name", "customer_country"]
LIST_OFFICER_COLUMNS = ["entry_name", "officer_name", "role", "until", "source"]
# Officers of two list entries, as a user's own research would record them (made up).
LIST_OFFICERS = [
    (
        "Dawning Information Industry Co., Ltd.",
        "ZHAO Minghui",
        "vice president",
        "2020-03-31",
        "synthetic example: annual report",
    ),
    (
        "Dawning Information Industry Co., Ltd.",
        "Qian Shulan",
        "director",
        "",
        "synthetic example: registry extract",
    ),
    (
        "Inspur Group Co., Ltd.",
        "Sun Haoran",
        "chief engineer",
        "2022-08-15",
        "synthetic example: press",
    ),
]


def cip_tenants(w, seed: int) -> tuple[list[dict], list[tuple]]:
    """(tenants with `_plant` and `_tid`, downstream rows whose reseller_id is a tenant's `@key`)."""
    saved, w.rng = w.rng, random.Random(seed * 1000 + 12)
    try:
        return _plant(w)
    finally:
        w.rng = saved


def _plant(w) -> tuple[list[dict], list[tuple]]:
    rng = w.rng
    tenants: list[dict] = []
    downstream: list[tuple] = []

    def cluster(wl: str, instances: int, days: int) -> tuple:
        return ("cluster", wl, instances, days, None, (48, 168))

    def add(pattern: str, cc: str, note: str, **over) -> dict:
        tid = f"t{FIRST_ID + len(tenants):06d}"
        if FIRST_ID + len(tenants) > LAST_ID:
            raise SystemExit("planted_cip.py ran out of its ids t001260-t001309")
        over.setdefault("kyc_status", "verified")
        over.setdefault("_signins", (rng.randint(10, 20), [(cc, 1.0)]))
        over.setdefault("_providers", [rng.choice(["aws", "gcp", "azure"])])
        t = w.company(cc, **over)
        t["_plant"] = (pattern, None, note)
        t["_tid"] = tid
        t["_ckey"] = "@" + tid
        tenants.append(t)
        return t

    # Planted: foreign accounts on restricted accelerators whose KYC record has CIP gaps.
    add(
        "cip-gaps",
        "KY",
        "Cayman company at its registered agent's address (Ugland House) with a gmail.com e-mail; 32 H100 at the peak",
        address="Ugland House, South Church Street, George Town, Grand Cayman KY1-1104",
        email_domain="gmail.com",
        _region="na",
        _workloads=[cluster("h100x8", 4, rng.randint(60, 80))],
    )
    add(
        "cip-gaps",
        "DE",
        "German company billed from the UAE with a +971 phone; one 8-GPU H100 instance",
        billing_country="AE",
        phone=w.phone("AE"),
        _region="eu",
        _workloads=[cluster("h100x8", 1, rng.randint(25, 35))],
    )
    add(
        "cip-gaps",
        "NL",
        "Dutch company with no payment instrument and no sign-in recorded; 32 H200 at the peak",
        payment_fingerprint="",
        _signins=(0, [("NL", 1.0)]),
        _region="eu",
        _workloads=[cluster("h200x8", 4, rng.randint(50, 70))],
    )
    # Planted: foreign resellers whose own customers are not identified.
    add(
        "cip-reseller",
        "SG",
        "verified Singapore reseller, Singapore sign-ins only, no downstream-customer rows",
        is_reseller=True,
        declared_use="GPU cloud reselling",
        _region="apac",
        _workloads=[cluster("h100x8", 3, rng.randint(50, 70))],
    )
    gb = add(
        "cip-reseller",
        "GB",
        "verified UK reseller whose downstream file has a customer without a country",
        is_reseller=True,
        declared_use="GPU cloud reselling",
        _region="eu",
        _workloads=[cluster("a100x8", 2, rng.randint(40, 60))],
    )
    downstream += [
        (gb["_ckey"], "C-1", "Harbourline Analytics Ltd", "GB"),
        (gb["_ckey"], "C-2", "Norrland Vision AB", "SE"),
        (gb["_ckey"], "C-3", "Eastgate Compute Services", ""),
    ]

    # Look-alikes: each misses one condition of the rules above.
    jp = add(
        "benign-cip-reseller-identified",
        "JP",
        "verified Japanese reseller whose downstream customers all have name and country",
        is_reseller=True,
        declared_use="GPU cloud reselling",
        _region="apac",
        _workloads=[cluster("h100x8", 2, rng.randint(40, 60))],
    )
    downstream += [
        (jp["_ckey"], "K-1", "Sakura Render Studio KK", "JP"),
        (jp["_ckey"], "K-2", "Minato Speech Lab KK", "JP"),
    ]
    add(
        "benign-cip-one-gap",
        "FR",
        "French company on H100 whose only gap is a gmail.com e-mail",
        email_domain="gmail.com",
        _region="eu",
        _workloads=[cluster("h100x8", 3, rng.randint(50, 70))],
    )
    add(
        "benign-cip-domestic-gaps",
        "US",
        "US company (not a foreign person) on H100 with no payment instrument and a gmail.com e-mail",
        email_domain="gmail.com",
        payment_fingerprint="",
        _region="na",
        _workloads=[cluster("h100x8", 3, rng.randint(50, 70))],
    )
    add(
        "benign-cip-gaps-unrestricted",
        "MX",
        "Mexican company at Ugland House with a gmail.com e-mail, on T4 only (no restricted accelerators)",
        address="Ugland House, George Town, Grand Cayman",
        email_domain="gmail.com",
        _region="na",
        _workloads=[("sporadic", "t4", rng.randint(3, 6), (4, 72))],
    )
    add(
        "benign-cip-address-lookalike",
        "IE",
        "Irish company at 12 Orange Street, Wilmington (not the Corporation Trust Center) with a gmail.com e-mail: one gap",
        address="12 Orange Street, Wilmington, NC 28401",
        email_domain="gmail.com",
        _region="eu",
        _workloads=[cluster("h100x8", 2, rng.randint(40, 60))],
    )

    # Planted: a reseller whose customers sign in from China among several countries (the
    # downstream mix); domestic, so only the reseller rules speak. And its look-alike.
    add(
        "reseller-d5-mix",
        "US",
        "verified US reseller; sign-ins from the US, China, Brazil and Germany (about a third from CN)",
        is_reseller=True,
        declared_use="GPU cloud reselling",
        _region="na",
        _signins=(40, [("US", 0.3), ("CN", 0.35), ("BR", 0.2), ("DE", 0.15)]),
        _workloads=[cluster("h100x8", 2, rng.randint(40, 60))],
    )
    add(
        "benign-reseller-mix-no-d5",
        "US",
        "verified US reseller; sign-ins from the US, Germany, Brazil and Japan, none from D:5",
        is_reseller=True,
        declared_use="GPU cloud reselling",
        _region="na",
        _signins=(40, [("US", 0.4), ("DE", 0.2), ("BR", 0.2), ("JP", 0.2)]),
        _workloads=[cluster("h100x8", 2, rng.randint(40, 60))],
    )

    # Planted: a benign declared use (no accelerator needed) with the GPU pattern of large
    # training -- many restricted GPUs in runs of days. And two look-alikes.
    add(
        "declared-use-contradiction",
        "US",
        "declared 'web hosting'; 24 H100 at the peak in runs of 2-7 days",
        declared_use="web hosting",
        _region="na",
        _workloads=[cluster("h100x8", 3, rng.randint(40, 60))],
    )
    add(
        "benign-declared-use-small",
        "US",
        "declared 'web hosting' and runs a few T4 now and then",
        declared_use="web hosting",
        _region="na",
        _workloads=[("sporadic", "t4", rng.randint(2, 5), (2, 48))],
    )
    add(
        "benign-declared-training",
        "US",
        "declared 'foundation model training' on 32 H100: the pattern fits the declaration",
        declared_use="foundation model training",
        _region="na",
        _workloads=[cluster("h100x8", 4, rng.randint(40, 60))],
    )

    # Planted: a Singapore company whose director was a vice president of a listed company
    # (the Nettrix pattern: a spin-off the listed company does not own). And its look-alike,
    # whose director's given name differs by one letter (names are matched exactly).
    add(
        "listed-company-officer",
        "SG",
        "director Minghui Zhao was a vice president of Dawning (Sugon), an Entity List company; 16 H100",
        officers=["Minghui Zhao", w.person("SG")],
        _region="apac",
        _workloads=[cluster("h100x8", 2, rng.randint(40, 60))],
    )
    add(
        "benign-listed-officer-lookalike",
        "SG",
        "director Minghao Zhao: same family name, another given name than the listed company's officer",
        officers=["Minghao Zhao"],
        _region="apac",
        _workloads=[cluster("h100x8", 2, rng.randint(40, 60))],
    )

    # Planted: renaming after listing -- a company whose name partly matches an entity listed
    # on 2026-09-15, whose sign-ins move from its home country to a hub right after. And its
    # look-alike: a partial match that stays at home.
    def phased(before: str, after: str, n: int = 12) -> list[tuple]:
        """Sign-in rows without the tenant id (generate.py adds it): `before` until the listing, `after` from it."""
        out = []
        listed = LISTED_ON.replace(tzinfo=w.as_of.tzinfo)
        for cc, lo, hi in ((before, -80, -2), (after, 3, 45)):
            ips = [w.ip(cc) for _ in range(2)]
            for _ in range(n):
                ts = listed + timedelta(days=rng.uniform(lo, hi))
                out.append((ts.strftime("%Y-%m-%dT%H:%M:%SZ"), rng.choice(ips), cc))
        return sorted(out)

    moved = add(
        "renamed-after-listing",
        "DE",
        "'Xuanwu Compute GmbH' signs in from Germany until the 2026-09-15 listing of Xuanwu Hengtong Intelligent Computing, from Singapore after it",
        legal_name="Xuanwu Compute GmbH",
        aliases=[],
        _region="eu",
        _workloads=[cluster("h100x8", 2, rng.randint(75, 85))],
    )
    moved["_access"] = phased("DE", "SG")
    stayed = add(
        "benign-listing-lookalike-stays",
        "DE",
        "'Xuanwu Tea House GmbH' partly matches the same entity and signs in from Germany throughout",
        legal_name="Xuanwu Tea House GmbH",
        aliases=[],
        _region="eu",
        _workloads=[cluster("h100x8", 1, rng.randint(75, 85))],
    )
    stayed["_access"] = phased("DE", "DE")
    return tenants, downstream
