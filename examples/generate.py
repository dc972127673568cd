"""Generate the synthetic example provider: tenants, usage, access, a restricted-party list and
the ground truth of what was planted.

Deterministic for a given --seed: every timestamp is relative to --as-of and every random draw
comes from one seeded generator, so the output is byte-identical across runs.

    python examples/generate.py [--seed 7] [--tenants 1200] [--out examples/provider] [--as-of 2026-11-01T00:00:00Z]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import planted as planted_mod  # noqa: E402
import planted_farms  # noqa: E402
import planted_ownership  # noqa: E402
from restricted_parties import CSL_HEADER, restricted_party_rows  # noqa: E402
from world import (  # noqa: E402
    BACKGROUND_COUNTRIES,
    COUNTRIES,
    DECLARED_USES,
    DOC_RANGES,
    FIRST_NAMES,
    LAST_NAMES,
    NAME_A,
    NAME_B,
    REGIONS,
    TRAVEL,
    UNKNOWN_TYPES,
    WORKLOADS,
)

WINDOW_DAYS = 120
FREEMAIL = ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "hotmail.com"]
TENANT_COLUMNS = [
    "tenant_id",
    "legal_name",
    "aliases",
    "country",
    "hq_country",
    "address",
    "billing_country",
    "email_domain",
    "phone",
    "payment_fingerprint",
    "parent_company",
    "ultimate_parent",
    "beneficial_owners",
    "officers",
    "created_at",
    "kyc_status",
    "declared_use",
    "is_reseller",
]
USAGE_COLUMNS = [
    "tenant_id",
    "provider",
    "account_id",
    "region",
    "instance_id",
    "instance_type",
    "start",
    "end",
    "accelerator",
    "accelerator_count",
]
ACCESS_COLUMNS = ["tenant_id", "timestamp", "source_ip", "ip_country"]


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class World:
    """One generation run: the seeded generator plus the registries that keep identifiers unique."""

    def __init__(self, seed: int, as_of: datetime):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.window_start = as_of - timedelta(days=WINDOW_DAYS)
        self.used: set[str] = set()
        self.ip_next: dict[str, int] = {}

    # ---- identifiers -------------------------------------------------------------------------
    def unique(self, make) -> str:
        for _ in range(1000):
            v = make()
            if v not in self.used:
                self.used.add(v)
                return v
        raise RuntimeError("could not draw a unique value")

    def digits(self, pattern: str) -> str:
        return "".join(str(self.rng.randrange(10)) if c == "X" else c for c in pattern)

    def phone(self, cc: str) -> str:
        return self.unique(lambda: self.digits(self.rng.choice(COUNTRIES[cc][3])))

    def fingerprint(self) -> str:
        return self.unique(lambda: f"pm_fp_{self.rng.getrandbits(64):016x}")

    def person(self, cc: str) -> str:
        first = self.rng.choice(FIRST_NAMES.get(cc, FIRST_NAMES["default"]))
        last = self.rng.choice(LAST_NAMES.get(cc, LAST_NAMES["default"]))
        return f"{last} {first}" if cc in ("CN", "KR") else f"{first} {last}"

    def company_stem(self) -> str:
        rng = self.rng
        for attempt in range(200):
            if attempt < 20:
                stem = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)}"
            else:
                stem = f"{rng.choice(NAME_A)} {rng.choice(NAME_A)} {rng.choice(NAME_B)}"
            if "stem:" + stem not in self.used and len(set(stem.split())) == len(stem.split()):
                self.used.add("stem:" + stem)
                return stem
        raise RuntimeError("ran out of company names")

    def domain_for(self, stem: str, cc: str) -> str:
        slug = stem.lower().replace(" ", "")
        tld = COUNTRIES[cc][4] if self.rng.random() < 0.6 else "com"
        for cand in (
            f"{slug}.{tld}",
            f"{slug}.io",
            f"{slug}.ai",
            f"{slug}-{cc.lower()}.com",
            f"get{slug}.com",
        ):
            if cand not in self.used:
                self.used.add(cand)
                return cand
        return self.unique(lambda: f"{slug}{self.rng.randrange(100, 999)}.com")

    def address(self, cc: str) -> str:
        cities, streets = COUNTRIES[cc][0], COUNTRIES[cc][1]

        def make():
            unit = f", Suite {self.rng.randrange(100, 2000)}" if self.rng.random() < 0.4 else ""
            return f"{self.rng.randrange(1, 400)} {self.rng.choice(streets)}{unit}, {self.rng.choice(cities)}, {cc}"

        return self.unique(make)

    def ip(self, cc: str) -> str:
        """A fresh address in `cc`: documentation ranges first where assigned, then made-up /16s."""
        while True:
            k = self.ip_next.get(cc, 0)
            self.ip_next[cc] = k + 1
            doc = DOC_RANGES.get(cc)
            if doc and k < 253:
                return f"{doc}.{k + 1}"
            prefixes = COUNTRIES[cc][6]
            n = ((k // len(prefixes)) * 40503 + 4099) % 65536
            c, d = n >> 8, n & 255
            if 0 < d < 255:
                return f"{prefixes[k % len(prefixes)]}.{c}.{d}"

    # ---- tenants -----------------------------------------------------------------------------
    def company(self, cc: str, **over) -> dict:
        """A complete, ordinary tenant record for a company incorporated in `cc`; `over` replaces fields."""
        rng = self.rng
        stem = self.company_stem()
        t = {
            "legal_name": f"{stem} {rng.choice(COUNTRIES[cc][2])}",
            "aliases": [stem] if rng.random() < 0.3 else [],
            "country": cc,
            "hq_country": cc,
            "address": self.address(cc),
            "billing_country": cc,
            "email_domain": self.domain_for(stem, cc),
            "phone": self.phone(cc),
            "payment_fingerprint": self.fingerprint(),
            "parent_company": "",
            "ultimate_parent": "",
            "beneficial_owners": [self.person(cc) for _ in range(rng.randint(1, 2))],
            "officers": [self.person(cc) for _ in range(rng.randint(1, 3))],
            "created_at": self.as_of
            - timedelta(days=rng.randint(150, 1800), seconds=rng.randrange(86400)),
            "kyc_status": "verified",
            "declared_use": rng.choice(DECLARED_USES["gpu-large"]),
            "is_reseller": False,
            "_providers": [rng.choice(["aws", "gcp", "azure"])],
            "_region": COUNTRIES[cc][5],
            "_workloads": [],
            "_signins": (rng.randint(8, 25), [(cc, 1.0)]),
            "_shared_ip": None,
            "_plant": None,
        }
        t.update(over)
        return t

    def background(self) -> dict:
        rng = self.rng
        cc = rng.choices(
            [c for c, _ in BACKGROUND_COUNTRIES], [w for _, w in BACKGROUND_COUNTRIES]
        )[0]
        r = rng.random()
        profile = (
            "none"
            if r < 0.12
            else "cpu"
            if r < 0.50
            else "gpu-small"
            if r < 0.75
            else "mixed"
            if r < 0.90
            else "heavy"
        )
        kyc = (
            "verified"
            if profile == "heavy"
            else rng.choices(["verified", "pending", "unverified"], [72, 20, 8])[0]
        )
        age = rng.randint(200, 1800) if profile == "heavy" else rng.randint(3, 1800)
        t = self.company(
            cc,
            kyc_status=kyc,
            created_at=self.as_of - timedelta(days=age, seconds=rng.randrange(86400)),
        )
        if kyc != "verified" and rng.random() < 0.5:
            t["beneficial_owners"] = []
        if profile in ("none", "cpu", "gpu-small") and rng.random() < 0.12:
            t["email_domain"] = rng.choice(FREEMAIL)
        if rng.random() < 0.08:
            pcc = rng.choice(["US", "DE", "GB", "JP", "FR", "NL"])
            parent = f"{self.company_stem()} Holdings {COUNTRIES[pcc][2][0]}"
            t.update(parent_company=parent, ultimate_parent=parent, hq_country=pcc)
        use = {
            "none": "cpu",
            "cpu": "cpu",
            "gpu-small": "gpu-small",
            "mixed": "gpu-small",
            "heavy": "gpu-large",
        }[profile]
        t["declared_use"] = rng.choice(DECLARED_USES[use])
        if rng.random() < 0.2:
            t["_providers"].append(rng.choice(["aws", "gcp", "azure"]))
        w: list[tuple] = []
        if profile == "cpu":
            w = [("sporadic", "cpu", rng.randint(2, 8), (2, 24 * 20))]
        elif profile == "gpu-small":
            w = [
                ("sporadic", "cpu", rng.randint(1, 4), (24, 24 * 30)),
                (
                    "sporadic",
                    rng.choice(["t4", "t4", "a10g-v100"] + (["l4"] if kyc == "verified" else [])),
                    rng.randint(2, 8),
                    (1, 72),
                ),
            ]
        elif profile == "mixed":
            w = [
                ("sporadic", "cpu", rng.randint(1, 3), (24, 24 * 30)),
                ("sporadic", "t4", rng.randint(1, 4), (1, 48)),
            ]
            if kyc == "verified":
                w.append(("sporadic", "small-restricted", rng.randint(1, 4), (2, 48)))
        elif profile == "heavy":
            start = rng.randint(20, WINDOW_DAYS)
            w = [
                (
                    "cluster",
                    rng.choice(["h100x8", "a100x8", "a100x8", "h200x8"]),
                    rng.randint(1, 4),
                    start,
                    max(0, start - rng.randint(10, 60)) or None,
                    (24, 24 * 7),
                ),
                ("sporadic", "cpu", rng.randint(1, 4), (24, 24 * 30)),
            ]
        t["_workloads"] = w
        travel = [(rng.choice([c for c in TRAVEL if c != cc]), 0.1)] if rng.random() < 0.1 else []
        t["_signins"] = (rng.randint(2, 20), [(cc, 1.0)] + travel)
        return t

    # ---- usage -------------------------------------------------------------------------------
    def account_id(self, provider: str, t: dict) -> str:
        if provider == "aws":
            return self.unique(lambda: self.digits("XXXXXXXXXXXX"))
        if provider == "gcp":
            slug = "-".join(t["legal_name"].lower().split()[:2]).strip(".,()")
            slug = (
                "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-"))[:20]
                or "project"
            )
            return self.unique(lambda: f"{slug}-{self.digits('XXXXXX')}")
        return self.unique(lambda: self.guid())

    def guid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def instance_id(self, provider: str) -> str:
        if provider == "aws":
            return f"i-0{self.rng.getrandbits(64):016x}"
        if provider == "gcp":
            return str(self.rng.randrange(10**18, 10**19))
        return self.guid()

    def usage_rows(self, tid: str, t: dict) -> list[tuple]:
        rng, rows = self.rng, []
        accounts = {p: self.account_id(p, t) for p in t["_providers"]}
        earliest = max(t["created_at"] + timedelta(hours=1), self.window_start)

        def emit(provider, wl, start, end, itype=None):
            choice = rng.choice(WORKLOADS[wl][provider]) if itype is None else (itype, "", 0, 8)
            region = rng.choice(REGIONS[provider][t["_region"]])
            rows.append(
                (
                    tid,
                    provider,
                    accounts[provider],
                    region,
                    self.instance_id(provider),
                    choice[0],
                    iso(start),
                    iso(end) if end is not None else None,
                    choice[1] or None,
                    choice[2] or None,
                )
            )

        for i, spec in enumerate(t["_workloads"]):
            provider = t["_providers"][i % len(t["_providers"])]
            kind, wl = spec[0], spec[1]
            if kind == "sporadic":
                _, _, k, (lo, hi) = spec
                span = (self.as_of - earliest).total_seconds() - 3600
                for _ in range(k):
                    s = earliest + timedelta(seconds=rng.uniform(0, max(span, 60)))
                    e = s + timedelta(hours=rng.uniform(lo, hi))
                    emit(provider, wl, s, None if e >= self.as_of else e)
            elif kind == "cluster":
                _, _, n, start_ago, stop_ago, (lo, hi) = spec
                begin = max(self.as_of - timedelta(days=start_ago), earliest)
                stop = self.as_of - timedelta(days=stop_ago) if stop_ago else None
                for _ in range(n):
                    s = begin + timedelta(hours=rng.uniform(0, 6))
                    while s < (stop or self.as_of):
                        e = s + timedelta(hours=rng.uniform(lo, hi))
                        if stop is None and e >= self.as_of:
                            emit(provider, wl, s, None)
                            break
                        emit(provider, wl, s, min(e, stop) if stop else e)
                        s = e + timedelta(hours=rng.uniform(0.2, 8))
            elif (
                kind == "ramp"
            ):  # instance j starts at the first step that needs it and runs to as_of
                _, _, steps = spec
                n_max = max(n for _, n in steps)
                for j in range(n_max):
                    days_ago = next(d for d, n in steps if n > j)
                    s = max(
                        self.as_of - timedelta(days=days_ago, hours=rng.uniform(0, 5)), earliest
                    )
                    while True:
                        e = s + timedelta(hours=rng.uniform(36, 120))
                        if e >= self.as_of:
                            emit(provider, wl, s, None)
                            break
                        emit(provider, wl, s, e)
                        s = e + timedelta(minutes=rng.uniform(5, 60))
            elif kind == "unknown":
                for itype in UNKNOWN_TYPES:
                    s = earliest + timedelta(days=rng.uniform(10, 100))
                    emit("aws", wl, s, s + timedelta(hours=rng.uniform(2, 30)), itype=itype)
        return rows

    # ---- access ------------------------------------------------------------------------------
    def access_rows(self, tid: str, t: dict) -> list[tuple]:
        rng = self.rng
        n, mix = t["_signins"]
        ips: dict[str, list[str]] = {}
        earliest = max(t["created_at"], self.window_start)
        span = (self.as_of - earliest).total_seconds()
        rows = []
        for _ in range(n):
            cc = rng.choices([c for c, _ in mix], [w for _, w in mix])[0]
            if t["_shared_ip"] and cc == t["_shared_ip"][0] and rng.random() < 0.6:
                ip = t["_shared_ip"][1]
            else:
                pool = ips.setdefault(cc, [])
                if not pool or (len(pool) < 3 and rng.random() < 0.15):
                    pool.append(self.ip(cc))
                ip = rng.choice(pool)
            ts = earliest + timedelta(seconds=rng.uniform(0, span))
            rows.append((tid, iso(ts), ip, cc))
        rows.sort(key=lambda r: r[1])
        return rows


def write_csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    frame = pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
    frame.write_csv(path, line_terminator="\n")


def tenant_row(tid: str, t: dict) -> tuple:
    def text(v):
        if isinstance(v, list):
            return ";".join(v) or None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, datetime):
            return iso(v)
        return v or None

    return (tid, *(text(t[c]) for c in TENANT_COLUMNS[1:]))


def generate(seed: int, n_tenants: int, out: Path, as_of: datetime) -> dict[str, int]:
    world = World(seed, as_of)
    special = planted_mod.planted_tenants(world)
    if n_tenants < len(special):
        raise SystemExit(
            f"--tenants must be at least {len(special)} (planted and look-alike tenants)"
        )
    tenants = special + [world.background() for _ in range(n_tenants - len(special))]
    # One ordinary, verified GPU customer runs a few GPU-looking types no catalog knows.
    for t in tenants[len(special) :]:
        if (
            t["kyc_status"] == "verified"
            and "aws" in t["_providers"]
            and any(w[0] == "cluster" for w in t["_workloads"])
        ):
            t["_workloads"].append(("unknown", "h100x8"))
            t["_note_unknown"] = True
            break
    world.rng.shuffle(tenants)
    # Ownership structures (issue 18) come last, from their own generator: everything before them is unchanged.
    owned, ownership_rows, party_rows = planted_ownership.ownership_tenants(world, seed)
    tenants += owned
    # Network farms and their look-alikes (issue 21), ids t001210-t001259, likewise from their own generator.
    tenants += planted_farms.farm_tenants(world, seed)
    width = max(6, len(str(len(tenants))))
    usage, access, tenant_rows, plant_rows = [], [], [], []
    unknown_tid = None
    ownership_ids: dict[str, str] = {}
    for i, t in enumerate(tenants, start=1):
        tid = f"t{i:0{width}d}"
        if t.get("_okey"):
            ownership_ids["@" + t["_okey"]] = tid
        tenant_rows.append(tenant_row(tid, t))
        if "_usage" in t:  # rows planted_farms laid out itself (launch times, shared exits)
            usage.extend((tid, *row) for row in t["_usage"])
        else:
            usage.extend(world.usage_rows(tid, t))
        if "_access" in t:
            access.extend((tid, *row) for row in t["_access"])
        else:
            access.extend(world.access_rows(tid, t))
        if t["_plant"]:
            plant_rows.append((tid, *t["_plant"]))
        if t.get("_note_unknown"):
            unknown_tid = tid
    (out / "lists").mkdir(parents=True, exist_ok=True)
    write_csv(out / "tenants.csv", TENANT_COLUMNS, tenant_rows)
    write_csv(out / "usage.csv", USAGE_COLUMNS, usage)
    write_csv(out / "access.csv", ACCESS_COLUMNS, access)
    plant_rows.sort(key=lambda r: (r[1], r[2] or "", r[0]))
    write_csv(
        out / "planted.csv",
        ["tenant_id", "pattern", "group", "note"],
        [(a, b, c or None, d) for a, b, c, d in plant_rows],
    )
    # Ownership (issue 18): the planted structures' stakes, their owned tenants' keys replaced by ids.
    write_csv(
        out / "ownership.csv",
        planted_ownership.OWNERSHIP_COLUMNS,
        [tuple(ownership_ids.get(v, v) or None for v in row) for row in ownership_rows],
    )
    write_csv(
        out / "parties.csv",
        planted_ownership.PARTY_COLUMNS,
        [tuple(v or None for v in row) for row in party_rows],
    )
    with open(out / "lists" / "restricted-parties.csv", "w", newline="", encoding="utf-8") as fh:
        fh.write(
            ",".join(CSL_HEADER) + "\n"
        )  # the published header line is unquoted, the rows quoted
        writer = csv.DictWriter(
            fh, fieldnames=CSL_HEADER, quoting=csv.QUOTE_ALL, lineterminator="\n"
        )
        writer.writerows(restricted_party_rows())
    return {
        "tenants": len(tenant_rows),
        "usage": len(usage),
        "access": len(access),
        "planted": len(plant_rows),
        "unknown_type_tenant": unknown_tid,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tenants", type=int, default=1200)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "provider")
    ap.add_argument("--as-of", default="2026-11-01T00:00:00Z")
    args = ap.parse_args(argv)
    as_of = datetime.fromisoformat(args.as_of.replace("Z", "+00:00")).astimezone(timezone.utc)
    stats = generate(args.seed, args.tenants, args.out, as_of)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))


if __name__ == "__main__":
    main()
