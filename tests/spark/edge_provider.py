"""A generated provider whose usage and sign-ins sit on every edge the two engines could read differently.

Hand-placed rows: runs crossing the 30- and 90-day window edges, open-ended runs, runs
starting after as-of, overlapping and back-to-back runs, simultaneous starts, unknown
instance types and accelerator names, CPU-only tenants, tenants missing from the tenant
table, timestamps with offsets, naive, date-only or lower-case 'z', rows that cannot be
true (ends before start, dated 2099, the same run twice), sign-ins exactly on the window
edges and with blank or lower-case countries. Then a few hundred seeded random rows.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
TYPES = [
    ("aws", "p4d.24xlarge", None, None),
    ("aws", "p5.48xlarge", None, None),
    ("aws", "p5.4xlarge", None, None),
    ("aws", "p3.2xlarge", None, None),
    ("aws", "m5.large", None, None),
    ("gcp", "n1-standard-8", "nvidia-h100-80gb", "2"),
    ("gcp", "n1-standard-8", "nvidia-zz9", "1"),  # unknown accelerator name
    ("aws", "p9.48xlarge", None, None),  # GPU-looking, not in the catalog
    ("azure", "Standard_ND96asr_v4", None, None),
    (None, "a2-highgpu-1g", None, None),
]
COLUMNS = [
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


def _iso(moment: datetime | None, style: int = 0) -> str:
    """One instant written five ways a CSV export might write it."""
    if moment is None:
        return ""
    if style == 1:
        return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    if style == 2:
        return moment.strftime("%Y-%m-%d %H:%M:%S")  # naive: UTC
    if style == 3:
        return moment.strftime("%Y-%m-%dT%H:%M:%Sz")
    if style == 4:
        return moment.astimezone(timezone(timedelta(hours=-5, minutes=-30))).strftime(
            "%Y-%m-%dT%H:%M:%S.%f%z"
        )
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _days(n: float) -> datetime:
    return AS_OF - timedelta(days=n)


def usage_rows() -> list[dict[str, object]]:
    """(tenant, type index, start, end) rows, then random ones: every value as it would be in a CSV."""
    placed = [
        ("e01", 0, _days(100), _days(80)),  # crosses the 90-day edge
        ("e01", 0, _days(35), _days(25)),  # crosses the 30-day edge
        ("e02", 1, _days(5), None),  # still running
        ("e02", 1, _days(4), _days(2)),  # overlaps the running one
        ("e02", 2, _days(4), _days(3)),  # overlaps both
        ("e03", 0, _days(10), _days(9)),  # back to back: never two at once
        ("e03", 0, _days(9), _days(8)),
        ("e04", 1, _days(6), _days(5)),  # simultaneous starts
        ("e04", 1, _days(6), _days(4)),
        ("e05", 4, _days(20), _days(1)),  # CPU only
        ("e06", 5, _days(15), _days(14)),  # accelerator by alias, count 2
        ("e06", 6, _days(15), _days(14)),  # unknown accelerator name
        ("e07", 7, _days(12), _days(11)),  # unknown GPU-looking type
        ("e07", 8, _days(40), None),  # Azure, open-ended across the 30-day edge
        ("e08", 0, AS_OF + timedelta(days=3), AS_OF + timedelta(days=4)),  # after as-of
        ("e08", 3, _days(200), _days(150)),  # wholly before the window
        ("e09", 0, _days(3), _days(4)),  # ends before it starts: excluded
        ("e09", 0, datetime(2099, 1, 1, tzinfo=timezone.utc), None),  # future: excluded
        ("x99", 1, _days(7), _days(6)),  # not in the tenant table
        ("e10", 9, _days(2), _days(1)),  # provider from the type's shape
        ("e11", 0, _days(90), AS_OF),  # exactly the window
    ]
    rows = []
    for i, (tenant, kind, start, end) in enumerate(placed):
        rows.append(_row(tenant, kind, start, end, f"i-{i:04d}", i % 5, i % 3 == 0))
    # One microsecond inside the 90-day window, written with its microseconds (style 3's end is
    # style 4): counted on both engines, not dropped as an empty run.
    rows.append(_row("e11", 1, _days(95), _days(90) + timedelta(microseconds=1), "i-1us", 3, False))
    rows.append(dict(rows[0]))  # the same run twice: excluded once
    rng = random.Random(11)
    for i in range(400):
        start = AS_OF - timedelta(seconds=rng.randint(-2 * 86_400, 110 * 86_400))
        length = timedelta(seconds=rng.choice([0, 1, 3_600, 86_400, rng.randint(1, 40 * 86_400)]))
        end = None if rng.random() < 0.1 else start + length
        rows.append(
            _row(
                f"r{rng.randint(1, 25):02d}",
                rng.randrange(len(TYPES)),
                start,
                end,
                f"i-r{i:04d}",
                rng.randrange(5),
                rng.random() < 0.1,
            )
        )
    return rows


def _row(
    tenant: str,
    kind: int,
    start: datetime,
    end: datetime | None,
    instance: str,
    style: int,
    blank_region: bool,
) -> dict[str, object]:
    provider, itype, accelerator, count = TYPES[kind]
    return {
        "tenant_id": tenant,
        "provider": provider.upper() if provider == "aws" and style == 1 else (provider or ""),
        "account_id": "acct-1",
        "region": "" if blank_region else ["us-east-1", "eu-west-1", " ap-south-1 "][style % 3],
        "instance_id": instance,
        "instance_type": itype,
        "start": _iso(start, style),
        "end": _iso(end, (style + 1) % 5),
        "accelerator": accelerator or "",
        "accelerator_count": count or "",
    }


def access_rows() -> list[dict[str, str]]:
    edge = [
        ("e01", _days(90), "CN"),  # exactly 90 days back: outside the window
        ("e01", AS_OF, " cn "),  # exactly as-of: inside
        ("e01", _days(1), "US"),
        ("e02", _days(1), ""),  # country unknown only: share unknown
        ("e03", _days(2), "mo"),
        ("e03", _days(2), "MO"),
        ("e03", _days(3), "DE"),
        ("e04", AS_OF + timedelta(hours=1), "RU"),  # after as-of
        ("x99", _days(4), "IR"),
    ]
    rows = [
        {"tenant_id": t, "timestamp": _iso(at, i % 5), "source_ip": "192.0.2.1", "ip_country": c}
        for i, (t, at, c) in enumerate(edge)
    ]
    rng = random.Random(5)
    for i in range(300):
        at = AS_OF - timedelta(seconds=rng.randint(-86_400, 100 * 86_400))
        rows.append(
            {
                "tenant_id": f"r{rng.randint(1, 25):02d}",
                "timestamp": _iso(at, i % 5),
                "source_ip": SOURCE_IPS[i % len(SOURCE_IPS)],
                "ip_country": rng.choice(["CN", "US", "", "hk", "DE", "MO"]),
            }
        )
    return rows


# Distinct, repeated, IPv6, blank and space-padded addresses for the distinct-IP counts.
SOURCE_IPS = ["192.0.2.9", "198.51.100.7", "2001:db8::1", "", " 192.0.2.9 ", "192.0.2.9"]


def tenant_ids() -> list[str]:
    return [f"e{i:02d}" for i in range(1, 12)] + [f"r{i:02d}" for i in range(1, 26)]


def write_provider(folder: Path, fmt: str) -> dict[str, Path]:
    """tenants.csv, and usage/access as CSV text or as typed Parquet (tz-aware and naive times)."""
    folder.mkdir(parents=True, exist_ok=True)
    tenants = pl.DataFrame(
        {"tenant_id": tenant_ids(), "legal_name": [f"Tenant {t}" for t in tenant_ids()]}
    )
    tenants.write_csv(folder / "tenants.csv")
    usage = pl.DataFrame(usage_rows(), schema={c: pl.String for c in COLUMNS})
    access = pl.DataFrame(
        access_rows(),
        schema={c: pl.String for c in ("tenant_id", "timestamp", "source_ip", "ip_country")},
    )
    if fmt == "csv":
        usage.write_csv(folder / "usage.csv")
        access.write_csv(folder / "access.csv")
        return {
            "tenants": folder / "tenants.csv",
            "usage": folder / "usage.csv",
            "access": folder / "access.csv",
        }
    from auditor.model.load import parse_datetime

    usage = usage.with_columns(
        parse_datetime(pl.col("start")).alias("start"),  # tz-aware UTC
        parse_datetime(pl.col("end")).dt.replace_time_zone(None).alias("end"),  # naive: UTC
        pl.col("accelerator_count").cast(pl.Int32, strict=False),
        *[
            pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
            for c in ("provider", "region", "accelerator")
        ],
    )
    access = access.with_columns(parse_datetime(pl.col("timestamp")).alias("timestamp"))
    usage.write_parquet(folder / "usage.parquet")
    access.write_parquet(folder / "access.parquet")
    return {
        "tenants": folder / "tenants.csv",
        "usage": folder / "usage.parquet",
        "access": folder / "access.parquet",
    }
