"""The canonical input tables every stage speaks: tenants, usage and access.

Connectors produce these tables and file loaders read them; nothing downstream sees a
provider's own shapes. Each column is declared once here with its type, whether it is
required, and what it means -- docs/input-format.md is generated from the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import polars as pl

UTC_DATETIME = pl.Datetime("us", "UTC")


class Kind(str, Enum):
    """How a column's text is parsed; list columns are `;`-separated in CSV."""

    TEXT = "text"
    LIST = "list"
    DATETIME = "datetime"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ENUM = "enum"
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool
    doc: str
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = (
        None  # inclusive range of a whole number; outside it the value is refused
    )

    @property
    def dtype(self) -> pl.DataType:
        return {
            Kind.TEXT: pl.String(),
            Kind.ENUM: pl.String(),
            Kind.LIST: pl.List(pl.String()),
            Kind.DATETIME: UTC_DATETIME,
            Kind.INTEGER: pl.Int64(),
            Kind.BOOLEAN: pl.Boolean(),
            Kind.NUMBER: pl.Float64(),
        }[self.kind]


@dataclass(frozen=True)
class TableSchema:
    name: str
    doc: str
    columns: tuple[Column, ...]
    unique_key: str | None = None
    in_memory: bool = (
        False  # read whole (not streamed): its cells are capped in size (see model.load)
    )

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


# No cloud instance has more accelerators than this; a count past it (or below 0) is a bad
# row that would otherwise become trillions of GPU-hours, or negative ones.
MAX_ACCELERATORS_PER_INSTANCE = 64

KYC_STATUSES = ("verified", "pending", "unverified")
PROVIDERS = ("aws", "gcp", "azure")

TENANTS = TableSchema(
    name="tenants",
    doc="One row per customer account (tenant) with its know-your-customer record.",
    unique_key="tenant_id",
    in_memory=True,
    columns=(
        Column("tenant_id", Kind.TEXT, True, "Unique id of the tenant in the provider's systems."),
        Column("legal_name", Kind.TEXT, True, "Registered legal name."),
        Column("aliases", Kind.LIST, False, "Trading names, former names, names in other scripts."),
        Column("country", Kind.TEXT, False, "ISO 3166 alpha-2 country of incorporation."),
        Column(
            "hq_country",
            Kind.TEXT,
            False,
            "ISO alpha-2 country of headquarters or of the ultimate parent.",
        ),
        Column("address", Kind.TEXT, False, "Registered or operating address."),
        Column("billing_country", Kind.TEXT, False, "ISO alpha-2 country of the billing address."),
        Column("email_domain", Kind.TEXT, False, "Domain of the account owner's e-mail address."),
        Column("phone", Kind.TEXT, False, "Contact phone number, ideally in +CC form."),
        Column("payment_fingerprint", Kind.TEXT, False, "Opaque id of the payment instrument."),
        Column("parent_company", Kind.TEXT, False, "Direct parent company."),
        Column("ultimate_parent", Kind.TEXT, False, "Ultimate parent company."),
        Column(
            "beneficial_owners",
            Kind.LIST,
            False,
            "Declared beneficial owners (people or companies).",
        ),
        Column("officers", Kind.LIST, False, "Directors and officers."),
        Column("created_at", Kind.DATETIME, False, "When the account was opened."),
        Column("kyc_status", Kind.ENUM, False, "State of KYC review.", KYC_STATUSES),
        Column("declared_use", Kind.TEXT, False, "Use the customer declared at sign-up."),
        Column(
            "is_reseller", Kind.BOOLEAN, False, "The tenant resells capacity to its own customers."
        ),
    ),
)

USAGE = TableSchema(
    name="usage",
    doc="One row per instance run: which tenant ran which instance type, where and when.",
    columns=(
        Column("tenant_id", Kind.TEXT, True, "Tenant that ran the instance."),
        Column("provider", Kind.ENUM, False, "Cloud the instance ran on.", PROVIDERS),
        Column("account_id", Kind.TEXT, False, "Provider account, project or subscription id."),
        Column("region", Kind.TEXT, False, "Region or zone."),
        Column("instance_id", Kind.TEXT, False, "Provider's instance id."),
        Column("instance_type", Kind.TEXT, True, "Instance, machine or VM size name."),
        Column("start", Kind.DATETIME, True, "When the run started."),
        Column("end", Kind.DATETIME, True, "When the run ended; empty while still running."),
        Column(
            "accelerator",
            Kind.TEXT,
            False,
            "Accelerator model, for types the catalog does not know (e.g. GCP N1 with guest GPUs).",
        ),
        Column(
            "accelerator_count",
            Kind.INTEGER,
            False,
            f"Accelerators attached, with `accelerator`: 0 to {MAX_ACCELERATORS_PER_INSTANCE} (the catalog's largest instance has 16).",
            bounds=(0, MAX_ACCELERATORS_PER_INSTANCE),
        ),
        Column(
            "service",
            Kind.TEXT,
            False,
            "Managed service the run came through (e.g. `sagemaker`, `vertex-ai`, `azure-ml`); empty for the tenant's own instances and VMs.",
        ),
    ),
)

ACCESS = TableSchema(
    name="access",
    doc="Console and API sign-ins.",
    columns=(
        Column("tenant_id", Kind.TEXT, True, "Tenant signed into."),
        Column("timestamp", Kind.DATETIME, True, "When."),
        Column("source_ip", Kind.TEXT, False, "Source IP address."),
        Column("ip_country", Kind.TEXT, False, "ISO alpha-2 country of the source IP."),
    ),
)

INTERESTS = ("shareholding", "voting", "control", "nominee", "trust", "unknown")
PARTY_KINDS = ("entity", "person", "unknown")

OWNERSHIP = TableSchema(
    name="ownership",
    doc=(
        "One row per stated interest of an owner in a tenant or party (optional; `--ownership`). "
        "A share is a percentage 0-100; give `share` when it is known, `share_min`/`share_max` when only a range "
        "or band is, and nothing when it is unknown (then 0-100). See docs/ownership.md."
    ),
    columns=(
        Column("owner_id", Kind.TEXT, True, "The holder: a `tenant_id` or a `party_id`."),
        Column("owned_id", Kind.TEXT, True, "The entity held: a `tenant_id` or a `party_id`."),
        Column("share", Kind.NUMBER, False, "Percentage held, 0-100, when known exactly."),
        Column("share_min", Kind.NUMBER, False, "Lower end of a known range or band, 0-100."),
        Column("share_max", Kind.NUMBER, False, "Upper end of a known range or band, 0-100."),
        Column(
            "share_min_exclusive",
            Kind.BOOLEAN,
            False,
            "The share is more than `share_min` (a band such as 'more than 25%').",
        ),
        Column("share_max_exclusive", Kind.BOOLEAN, False, "The share is less than `share_max`."),
        Column(
            "interest", Kind.ENUM, False, "Kind of interest; `shareholding` when empty.", INTERESTS
        ),
        Column("start_date", Kind.DATETIME, False, "When the interest began; counted from then."),
        Column(
            "end_date",
            Kind.DATETIME,
            False,
            "When the interest ended (divested); not counted from then.",
        ),
        Column("as_of", Kind.DATETIME, False, "When the source stated it."),
        Column(
            "source",
            Kind.TEXT,
            False,
            "Where the statement comes from (registry, BODS register, GLEIF, KYC file...).",
        ),
        Column("source_ref", Kind.TEXT, False, "The statement's id or reference in that source."),
    ),
)

PARTIES = TableSchema(
    name="parties",
    doc="Owners and intermediaries that are not tenants (optional; `--parties`). Every party's name and aliases are screened.",
    unique_key="party_id",
    columns=(
        Column(
            "party_id",
            Kind.TEXT,
            True,
            "Unique id of the party, used in `ownership.owner_id` / `owned_id`.",
        ),
        Column("name", Kind.TEXT, True, "Name of the company or person."),
        Column("kind", Kind.ENUM, False, "What the party is.", PARTY_KINDS),
        Column("country", Kind.TEXT, False, "ISO alpha-2 country of incorporation or nationality."),
        Column("aliases", Kind.LIST, False, "Other names, screened as well."),
        Column(
            "identifiers",
            Kind.LIST,
            False,
            "Registry ids as `SCHEME:value` (`LEI:...`, `USCC:...`). LEI and USCC codes are checked "
            "(length, characters, check digits; a malformed one is refused with its row), parties "
            "sharing one are one party, and a party (or the tenant it is) with the same code as a "
            "list entry's `ids` or `remarks` is that entry's listed seed (docs/ownership.md).",
        ),
        Column("tenant_id", Kind.TEXT, False, "The tenant this party is, when it is one."),
    ),
)

DOWNSTREAM = TableSchema(
    name="downstream",
    doc=(
        "A reseller's own customers (optional; `--downstream`), one row per downstream customer: "
        "the identification the proposed IaaS customer-identification rule asks a foreign reseller to hold. "
        "A reseller with no rows here, or with a row lacking a name or a country, has the CIP gap "
        "`downstream_unidentified` (docs/cip.md)."
    ),
    columns=(
        Column("reseller_id", Kind.TEXT, True, "The reseller's `tenant_id`."),
        Column("customer_id", Kind.TEXT, False, "The reseller's own id for the customer."),
        Column("customer_name", Kind.TEXT, False, "The customer's legal name."),
        Column("customer_country", Kind.TEXT, False, "ISO alpha-2 country of the customer."),
    ),
)

LIST_OFFICERS = TableSchema(
    name="list_officers",
    doc=(
        "Officers, directors and executives of restricted-party list entries, present or former "
        "(optional; `--list-officers`), one row per person and entry, from the user's own research or a "
        "corporate-registry extract. A tenant whose officer or beneficial owner is named here has "
        "`listed_officer_match` (docs/cip.md)."
    ),
    columns=(
        Column("entry_name", Kind.TEXT, True, "The list entry's name as the list spells it."),
        Column("officer_name", Kind.TEXT, True, "The person's name."),
        Column("role", Kind.TEXT, False, "Role held: director, CEO, vice president ..."),
        Column("until", Kind.DATETIME, False, "When the person left the role; empty if current."),
        Column("source", Kind.TEXT, False, "Where this comes from (registry, filing, press)."),
    ),
)

TABLES: dict[str, TableSchema] = {
    t.name: t for t in (TENANTS, USAGE, ACCESS, OWNERSHIP, PARTIES, DOWNSTREAM, LIST_OFFICERS)
}

# Columns whose value must not be allowed to be empty even when the column is present.
NON_EMPTY = {
    "tenants": ("tenant_id", "legal_name"),
    "usage": ("tenant_id", "instance_type", "start"),
    "access": ("tenant_id", "timestamp"),
    "ownership": ("owner_id", "owned_id"),
    "parties": ("party_id", "name"),
    "downstream": ("reseller_id",),
    "list_officers": ("entry_name", "officer_name"),
}


def empty_table(schema: TableSchema) -> pl.DataFrame:
    """A zero-row frame with every column of the schema, used when an optional table is absent."""
    return pl.DataFrame(schema=schema.polars_schema())
