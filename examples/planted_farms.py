"""Planted network farms (issue 21) and their shared-network look-alikes: tenants t001210-t001259.

Kept apart from planted.py like planted_ownership.py: these tenants draw from their own
seeded generator and come after the ownership structures, so everything before them is
unchanged. Exactly `BLOCK` tenants, so the ids after this block do not move when it changes.

- `network-farm` (two groups of six): new accounts in MY/TH/SG/VN, some KYC pending, each with
  its own card, phone, domain and address; a group signs in mostly through the same two
  Singapore exit addresses, opened its accounts within a few days, and launches its 8xH100
  instances in one region within minutes of each other, wave after wave for about a week.
- `benign-coworking-nat`: old, verified SG companies with their own domains behind one
  coworking NAT address (few enough tenants to pass the rarity cut-off: only their standing
  keeps them out).
- `benign-campus`: university labs and campus companies behind one campus address shared by
  more tenants than the rarity cut-off.
- `benign-scheduled-launch`: old, verified US labs whose nightly jobs start restricted
  instances in one region at the same minutes every night.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BLOCK = 50
FARMS = (
    # group, countries, provider, region, instance type, days before as_of the accounts open
    ("nf-1", ["MY", "TH", "SG", "VN", "MY", "TH"], "aws", "ap-southeast-1", "p5.48xlarge", 34),
    ("nf-2", ["SG", "VN", "MY", "TH", "VN", "SG"], "gcp", "asia-southeast1-b", "a3-highgpu-8g", 23),
)
KYC = ["pending", "verified", "pending", "unverified", "verified", "pending"]
# Made-up /16s of this block's own (no other tenant draws from them, and drawing here moves
# no other tenant's addresses): SG exits, the coworking NAT, the campus, and home addresses.
PREFIXES = {
    "exit": "139.59",
    "nat": "119.56",
    "campus": "133.11",
    "SG": "42.60",
    "MY": "115.132",
    "TH": "49.228",
    "VN": "27.72",
}


def _address(w, pool: str) -> str:
    """A fresh address in this block's own /16 for `pool`."""
    return w.unique(lambda: f"{PREFIXES[pool]}.{w.rng.randrange(256)}.{w.rng.randrange(1, 255)}")


def farm_tenants(w, seed: int) -> list[dict]:
    """The block's tenants; `_usage` / `_access` rows (without tenant id) replace generated ones."""
    saved, w.rng = w.rng, random.Random(seed * 1000 + 21)
    try:
        tenants = _farms(w) + _coworking(w) + _campus(w) + _scheduled(w)
    finally:
        w.rng = saved
    if len(tenants) != BLOCK:
        raise AssertionError(f"planted_farms must plant exactly {BLOCK} tenants")
    return tenants


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(w, provider: str, region: str, itype: str, account: str, start: datetime, hours: float):
    end = start + timedelta(hours=hours)
    return (
        provider,
        account,
        region,
        w.instance_id(provider),
        itype,
        _iso(start),
        _iso(end) if end < w.as_of else None,
        None,
        None,
    )


def _farms(w) -> list[dict]:
    rng, out = w.rng, []
    for group, countries, provider, region, itype, opened in FARMS:
        exits = [_address(w, "exit"), _address(w, "exit")]
        use = rng.choice(["LLM fine-tuning", "foundation model training"])
        first_wave = w.as_of - timedelta(days=opened - 5, hours=rng.uniform(0, 12))
        waves = [first_wave + timedelta(hours=46 * k) for k in range(4)]
        for j, cc in enumerate(countries):
            created = w.as_of - timedelta(days=opened, hours=rng.uniform(0, 96))
            t = w.company(
                cc,
                aliases=[],
                kyc_status=KYC[j],
                created_at=created,
                declared_use=use,
                parent_company="",
                ultimate_parent="",
                beneficial_owners=[] if KYC[j] != "verified" else [w.person(cc)],
                _providers=[provider],
            )
            account = w.account_id(provider, t)
            instances = 1 + (j % 2)
            t["_usage"] = [
                _run(
                    w,
                    provider,
                    region,
                    itype,
                    account,
                    wave + timedelta(minutes=rng.uniform(0, 20)),
                    rng.uniform(36, 44),
                )
                for wave in waves
                for _ in range(instances)
            ]
            own = _address(w, cc)
            signins = []
            for _ in range(rng.randint(10, 18)):
                at = created + timedelta(
                    seconds=rng.uniform(0, (w.as_of - created).total_seconds())
                )
                ip, where = (rng.choice(exits), "SG") if rng.random() < 0.75 else (own, cc)
                signins.append((_iso(at), ip, where))
            t["_access"] = sorted(signins)
            t["_plant"] = (
                "network-farm",
                group,
                f"{cc}, KYC {KYC[j]}, own card/phone/domain; signs in via two shared SG exits, "
                f"launches {itype} in {region} with its group",
            )
            out.append(t)
    return out


def _established(w, cc: str, heavy: bool) -> dict:
    rng = w.rng
    workloads = (
        [("cluster", rng.choice(["h100x8", "a100x8"]), 1, rng.randint(30, 80), None, (24, 96))]
        if heavy
        else [("sporadic", "t4", rng.randint(2, 6), (4, 48))]
    )
    return w.company(
        cc,
        kyc_status="verified",
        created_at=w.as_of - timedelta(days=rng.randint(500, 1800), seconds=rng.randrange(86400)),
        _workloads=workloads,
        _signins=(rng.randint(10, 20), [(cc, 1.0)]),
    )


def _coworking(w) -> list[dict]:
    nat = ("SG", _address(w, "nat"))
    out = []
    for j in range(8):
        t = _established(w, "SG", heavy=j % 2 == 0)
        t["_shared_ip"] = nat
        t["_plant"] = (
            "benign-coworking-nat",
            None,
            "verified SG company, years old, own domain; signs in through one coworking NAT with 7 others",
        )
        out.append(t)
    return out


def _campus(w) -> list[dict]:
    campus = ("JP", _address(w, "campus"))
    out = []
    for j in range(20):
        t = _established(w, "JP", heavy=j % 3 == 0)
        if j % 4 == 0:
            t["legal_name"] = (
                f"{t['legal_name'].split()[0]} Laboratory, Kanto Institute of Technology"
            )
        if j % 5 == 1:  # a young campus start-up, KYC still pending
            t["kyc_status"] = "pending"
            t["created_at"] = w.as_of - timedelta(days=w.rng.randint(40, 200))
            t["_workloads"] = [("sporadic", "t4", 3, (2, 12))]
        t["_shared_ip"] = campus
        t["_plant"] = (
            "benign-campus",
            None,
            "lab or campus company behind one campus address shared by 20 tenants",
        )
        out.append(t)
    return out


def _scheduled(w) -> list[dict]:
    rng, out = w.rng, []
    nights = [w.as_of - timedelta(days=d) for d in range(3, 40, 3)]
    for _ in range(10):
        t = _established(w, "US", heavy=False)
        t["_providers"] = ["aws"]
        account = w.account_id("aws", t)
        t["_usage"] = [
            _run(
                w,
                "aws",
                "us-east-1",
                "p5.48xlarge",
                account,
                night.replace(hour=2, minute=0, second=0) + timedelta(minutes=rng.uniform(0, 6)),
                rng.uniform(4, 6),
            )
            for night in nights
        ]
        t["_plant"] = (
            "benign-scheduled-launch",
            None,
            "verified US lab, years old; its nightly job starts p5.48xlarge in us-east-1 at 02:00 UTC like 9 others",
        )
        out.append(t)
    return out
