"""The feature vocabulary: every column of the per-tenant feature table, documented once.

This is the language rule authors write against. Each feature names the input columns
it is derived from; when one of those is absent from a run's input, the feature is
*unavailable* and every rule reading it evaluates to unknown for every tenant, so a
missing file never looks like a clean result. docs/features.md is generated from here
(`auditor rules features`).
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.engine.operators import BOOLEAN, LIST, NUMBER, TEXT


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str
    doc: str
    inputs: tuple[str, ...]  # "table.column" the feature needs; "lists" for restricted-party lists


def _f(name: str, kind: str, doc: str, *inputs: str) -> Feature:
    return Feature(name, kind, doc, inputs)


WINDOWS = (30, 90)

FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        # identity and KYC
        _f("tenant_id", TEXT, "The tenant's id.", "tenants.tenant_id"),
        _f("legal_name", TEXT, "Registered legal name.", "tenants.legal_name"),
        _f("kyc_status", TEXT, "verified, pending or unverified.", "tenants.kyc_status"),
        _f(
            "kyc_verified",
            BOOLEAN,
            "KYC review is complete (kyc_status = verified).",
            "tenants.kyc_status",
        ),
        _f(
            "account_age_days",
            NUMBER,
            "Days from account creation to the audit's as-of time.",
            "tenants.created_at",
        ),
        _f(
            "is_reseller",
            BOOLEAN,
            "The tenant resells capacity to its own customers.",
            "tenants.is_reseller",
        ),
        _f("declared_use", TEXT, "Use declared at sign-up.", "tenants.declared_use"),
        _f(
            "country", TEXT, "ISO alpha-2 country of incorporation (upper case).", "tenants.country"
        ),
        _f(
            "hq_country",
            TEXT,
            "ISO alpha-2 country of headquarters or ultimate parent; the incorporation country when no separate HQ is on record.",
            "tenants.country",
        ),
        _f(
            "billing_country",
            TEXT,
            "ISO alpha-2 country of the billing address.",
            "tenants.billing_country",
        ),
        _f(
            "country_group",
            TEXT,
            "Group of `country`: d5, macau, hub, offshore or other.",
            "tenants.country",
        ),
        _f(
            "hq_country_group",
            TEXT,
            "Group of `hq_country`: d5, macau, hub, offshore or other.",
            "tenants.country",
        ),
        _f("billing_country_group", TEXT, "Group of `billing_country`.", "tenants.billing_country"),
        _f(
            "hq_in_d5",
            BOOLEAN,
            "hq_country is China, Macau or another Country Group D:5 country.",
            "tenants.country",
        ),
        _f(
            "incorporated_in_d5",
            BOOLEAN,
            "country of incorporation is in D:5 or Macau.",
            "tenants.country",
        ),
        _f(
            "billing_in_d5",
            BOOLEAN,
            "billing_country is in D:5 or Macau.",
            "tenants.billing_country",
        ),
        _f(
            "incorporated_offshore",
            BOOLEAN,
            "Incorporated in an offshore / secrecy jurisdiction (Samoa, BVI, Seychelles...).",
            "tenants.country",
        ),
        _f(
            "incorporated_in_hub",
            BOOLEAN,
            "Incorporated in a trade hub used to front for China (Singapore, Malaysia, Hong Kong, UAE...).",
            "tenants.country",
        ),
        _f(
            "owners_undisclosed",
            BOOLEAN,
            "Neither beneficial owners nor an ultimate parent are on record.",
            "tenants.beneficial_owners",
            "tenants.ultimate_parent",
        ),
        _f(
            "phone_country",
            TEXT,
            "Country of the phone number's calling code (null without an international prefix).",
            "tenants.phone",
        ),
        _f(
            "phone_in_d5",
            BOOLEAN,
            "The phone's calling code is China, Macau or another D:5 country.",
            "tenants.phone",
        ),
        _f("email_domain", TEXT, "E-mail domain (lower case).", "tenants.email_domain"),
        _f(
            "email_is_freemail",
            BOOLEAN,
            "The e-mail domain is a public mail provider (never used to link tenants).",
            "tenants.email_domain",
        ),
        _f(
            "email_country",
            TEXT,
            "Country implied by the e-mail domain (ccTLD, or CN for Chinese mail providers).",
            "tenants.email_domain",
        ),
        _f(
            "email_in_d5",
            BOOLEAN,
            "email_country is China, Macau or another D:5 country.",
            "tenants.email_domain",
        ),
        # usage of accelerators
        _f(
            "restricted_gpu_hours_30d",
            NUMBER,
            "Accelerator-hours on export-restricted accelerators in the last 30 days.",
            "usage.instance_type",
        ),
        _f(
            "restricted_gpu_hours_90d",
            NUMBER,
            "Accelerator-hours on export-restricted accelerators in the last 90 days.",
            "usage.instance_type",
        ),
        _f(
            "gpu_hours_90d",
            NUMBER,
            "Accelerator-hours on any accelerator in the last 90 days.",
            "usage.instance_type",
        ),
        _f(
            "unknown_gpu_hours_90d",
            NUMBER,
            "Instance-hours on GPU-looking types the catalog does not know (last 90 days).",
            "usage.instance_type",
        ),
        _f(
            "peak_restricted_gpus",
            NUMBER,
            "Most export-restricted accelerators running at once in the last 90 days.",
            "usage.instance_type",
        ),
        _f(
            "restricted_models",
            LIST,
            "Restricted accelerator models used in the last 90 days.",
            "usage.instance_type",
        ),
        _f("regions_used", LIST, "Regions with any GPU use in the last 90 days.", "usage.region"),
        _f("region_count", NUMBER, "Number of regions in regions_used.", "usage.region"),
        _f("providers_used", LIST, "Clouds with any use in the last 90 days.", "usage.provider"),
        # sign-ins
        _f(
            "signin_count_90d",
            NUMBER,
            "Console/API sign-ins in the last 90 days.",
            "access.timestamp",
        ),
        _f(
            "d5_signin_share",
            NUMBER,
            "Share (0-1) of sign-ins in the last 90 days from China, Macau or other D:5 countries.",
            "access.ip_country",
        ),
        _f(
            "signin_countries",
            LIST,
            "Countries sign-ins came from in the last 90 days.",
            "access.ip_country",
        ),
        # links between tenants
        _f(
            "linked_tenant_ids",
            LIST,
            "Tenants sharing a payment instrument, phone, non-public e-mail domain or address with this one.",
            "tenants.tenant_id",
        ),
        _f("linked_tenant_count", NUMBER, "Number of linked_tenant_ids.", "tenants.tenant_id"),
        _f(
            "link_reasons",
            LIST,
            "Kinds of shared value behind the links: payment_fingerprint, phone, email_domain, address; and source_network, synchronized_launch, creation_burst for the network links that join this tenant's cluster.",
            "tenants.tenant_id",
        ),
        _f(
            "network_linked_tenant_ids",
            LIST,
            "Tenants linked to this one strongly enough to share its cluster by rare shared sign-in networks (IPv4, IPv6 /64), synchronized restricted launches, or weaker links that agree (see Network links below).",
            "access.source_ip",
            "usage.region",
        ),
        _f(
            "network_link_reasons",
            LIST,
            "One sentence per network, launch or creation-burst link of this tenant; links too weak to cluster start with 'weak: '.",
            "access.source_ip",
            "usage.region",
        ),
        _f(
            "network_link_strength",
            NUMBER,
            "Strongest combined network/launch/burst link to another tenant, 0 to 1 (0 when none); 0.5 and over clusters.",
            "access.source_ip",
            "usage.region",
        ),
        _f(
            "network_link_count",
            NUMBER,
            "Tenants with any network, launch or creation-burst link to this one, weak ones included.",
            "access.source_ip",
            "usage.region",
        ),
        _f(
            "synchronized_launch_count",
            NUMBER,
            "This tenant's restricted launches made within minutes of another tenant's in the same region, same accelerator, similar run length, on repeated days.",
            "usage.region",
        ),
        _f(
            "creation_burst_size",
            NUMBER,
            "Tenants created within days of this one with the same KYC shape (country group, verified or not, declared use); a weak link.",
            "tenants.created_at",
            "tenants.declared_use",
        ),
        _f(
            "cluster_size",
            NUMBER,
            "Tenants in this tenant's linked group, by shared values or network links (1 when unlinked).",
            "tenants.tenant_id",
        ),
        _f(
            "cluster_restricted_gpu_hours_90d",
            NUMBER,
            "restricted_gpu_hours_90d summed over the linked group.",
            "usage.instance_type",
        ),
        _f(
            "cluster_unverified_count",
            NUMBER,
            "Tenants in the linked group whose KYC is not verified.",
            "tenants.kyc_status",
        ),
        _f(
            "cluster_network_linked_count",
            NUMBER,
            "Tenants in the linked group with a network link strong enough to cluster.",
            "access.source_ip",
            "usage.region",
        ),
        # restricted-party screening
        _f(
            "listed_name_score",
            NUMBER,
            "Best match (0-1) of legal name or an alias against a restricted-party list.",
            "lists",
        ),
        _f(
            "listed_name_match",
            TEXT,
            "That match: the tenant's name -> the list entry [list].",
            "lists",
        ),
        _f("listed_name_source", TEXT, "List code of that match: EL, MEU, UVL, SDN...", "lists"),
        _f(
            "listed_owner_score",
            NUMBER,
            "Best match of parent, ultimate parent, beneficial owners or officers against a list.",
            "lists",
        ),
        _f("listed_owner_match", TEXT, "That match, with the field it came from.", "lists"),
        _f("listed_owner_source", TEXT, "List code of that match.", "lists"),
        _f(
            "listed_affiliate_score",
            NUMBER,
            "Best affiliate match (0-1): the tenant's name, parent, owner or officer carries the distinctive token, word pair or acronym of a listed name it does not match as a whole (affiliate-v1).",
            "lists",
        ),
        _f(
            "listed_affiliate_match",
            TEXT,
            "That match: the field and name, the list entry, and the term that carried it with its rarity and table.",
            "lists",
        ),
        _f("listed_affiliate_source", TEXT, "List code of that match.", "lists"),
        _f(
            "listed_affiliate_same_country",
            BOOLEAN,
            "The tenant's HQ (or incorporation) country is one of that entry's countries (China, Hong Kong and Macau as one); null when either is unknown.",
            "lists",
        ),
        _f(
            "listed_address_score",
            NUMBER,
            "Best match of the tenant's address against a listed entity's address.",
            "lists",
            "tenants.address",
        ),
        _f(
            "listed_address_match",
            TEXT,
            "That match: the tenant's address -> the entry's address [list].",
            "lists",
            "tenants.address",
        ),
        _f("listed_address_source", TEXT, "List code of that match.", "lists", "tenants.address"),
        # ownership: the 50% rules (docs/ownership.md)
        _f(
            "ownership_verdict",
            TEXT,
            "Worst verdict of the ownership regimes in force on the as-of date: restricted, possibly-restricted, clear, or unknown (no ownership data).",
            "lists",
        ),
        _f(
            "ownership_regime",
            TEXT,
            "The regime(s) in force giving ownership_verdict (ofac-50, bis-affiliates).",
            "lists",
        ),
        _f(
            "restricted_share_min",
            NUMBER,
            "Share (%) certainly held by restricted owners, under the regimes in force (lower bounds, listed seeds).",
            "lists",
        ),
        _f(
            "restricted_share_max",
            NUMBER,
            "Share (%) possibly held by restricted owners, under the regimes in force (upper bounds, weak matches included).",
            "lists",
        ),
        _f(
            "ownership_chain_depth",
            NUMBER,
            "Ownership steps from the listed seed down to the tenant (1 = a listed direct owner); null when not (possibly) restricted.",
            "lists",
        ),
        _f(
            "ownership_share_undetermined",
            BOOLEAN,
            "A listed or restricted owner holds a stake of unknown size that decides the verdict, under any regime (Red Flag 29).",
            "lists",
        ),
        _f(
            "suspended_ownership_verdict",
            TEXT,
            "Worst verdict of the regimes not in force on the as-of date (e.g. the suspended Affiliates Rule).",
            "lists",
        ),
        _f(
            "suspended_ownership_regime",
            TEXT,
            "The regime(s) giving suspended_ownership_verdict.",
            "lists",
        ),
        _f(
            "listed_minority_stake",
            BOOLEAN,
            "Restricted owners certainly hold at least `ownership_minority_share` (25%) but less than a regime's threshold, and no regime finds the tenant restricted.",
            "lists",
        ),
        _f(
            "shared_officer_listed",
            BOOLEAN,
            "An officer, director or controller of the tenant also controls a listed or restricted party: a person in the parties table with `control` interests in both, or named among the tenant's officers (false when none is found).",
            "lists",
            "tenants.officers",
        ),
        _f(
            "shared_officer_detail",
            TEXT,
            "Who, and which listed or restricted party.",
            "lists",
            "tenants.officers",
        ),
        _f(
            "shared_officer_possible",
            TEXT,
            "Near misses only, never counted: an officer of the tenant whose name is close to (not the same as) a person controlling a listed or restricted party, in the same country where both are known (features.person_names).",
            "lists",
            "tenants.officers",
        ),
        _f(
            "listed_identifier_match",
            BOOLEAN,
            "The tenant (through its own row in the parties table) carries the same LEI or USCC as a list entry: it is that entry whatever its name (false when no code matches; null without lists).",
            "lists",
            "parties.identifiers",
        ),
        _f(
            "listed_identifier_detail",
            TEXT,
            "Each matching code, the entry it matches and that entry's list.",
            "lists",
            "parties.identifiers",
        ),
        _f(
            "ownership_proof",
            TEXT,
            "One line per regime: the restricted holders with their shares and chains, their sum against the threshold.",
            "lists",
        ),
        _f("ofac_50_verdict", TEXT, "Verdict of the OFAC 50 percent rule (SDN owners).", "lists"),
        _f(
            "ofac_50_share_min",
            NUMBER,
            "Share certainly held by blocked owners (OFAC 50 percent rule).",
            "lists",
        ),
        _f(
            "ofac_50_share_max",
            NUMBER,
            "Share possibly held by blocked owners (OFAC 50 percent rule).",
            "lists",
        ),
        _f("ofac_50_depth", NUMBER, "Chain depth under the OFAC 50 percent rule.", "lists"),
        _f(
            "bis_affiliates_verdict",
            TEXT,
            "Verdict of the BIS Affiliates Rule (Entity List, MEU List, 744.8(a)(1) SDNs), whatever its status.",
            "lists",
        ),
        _f(
            "bis_affiliates_share_min",
            NUMBER,
            "Share certainly held by listed owners (BIS Affiliates Rule).",
            "lists",
        ),
        _f(
            "bis_affiliates_share_max",
            NUMBER,
            "Share possibly held by listed owners (BIS Affiliates Rule).",
            "lists",
        ),
        _f("bis_affiliates_depth", NUMBER, "Chain depth under the BIS Affiliates Rule.", "lists"),
        _f(
            "signin_country_count",
            NUMBER,
            "Number of signin_countries: how many countries the last 90 days' sign-ins came from (null without sign-ins).",
            "access.ip_country",
        ),
        _f(
            "listed_officer_match",
            BOOLEAN,
            "One of the tenant's officers or beneficial owners is named as an officer (present or former) of a list entry in the `--list-officers` file (names compared with case, punctuation, word order and script ignored).",
            "list_officers",
            "tenants.officers",
        ),
        _f(
            "listed_officer_detail",
            TEXT,
            "Who, in which tenant field, and of which list entry.",
            "list_officers",
            "tenants.officers",
        ),
        _f(
            "listed_officer_possible",
            TEXT,
            "Near misses only, never counted: a tenant's officer or beneficial owner whose name is close to (not the same as) one in the `--list-officers` file (features.person_names).",
            "list_officers",
            "tenants.officers",
        ),
        _f(
            "hub_move_after_listing",
            BOOLEAN,
            "Renaming after listing: the tenant partly matches (name or affiliate) a list entry listed in the last year, and its sign-ins came under 20% from hubs in the 90 days before the listing date and at least 50% after (null: under 3 sign-ins on a side).",
            "lists",
            "access.ip_country",
        ),
        _f(
            "hub_move_detail",
            TEXT,
            "The sign-in counts before and after, the hubs, the listing date and the entry.",
            "lists",
            "access.ip_country",
        ),
        # customer identification (CIP) completeness, the proposed IaaS rule (docs/cip.md)
        _f(
            "foreign_person",
            BOOLEAN,
            "The account's owner is outside the provider's home country (`home_country`, US by default): its country of incorporation or HQ is elsewhere, or a direct owner in the ownership/parties files has a country elsewhere.",
            "tenants.country",
        ),
        _f(
            "registered_agent",
            TEXT,
            "The registered agent or mass-registration address the tenant's address is (a small sourced list, docs/cip.md); null when none.",
            "tenants.address",
        ),
        _f(
            "address_is_registered_agent",
            BOOLEAN,
            "The address is a registered agent's or mass-registration address (null without an address).",
            "tenants.address",
        ),
        _f(
            "payment_country_mismatch",
            BOOLEAN,
            "billing_country is neither the country of incorporation nor the HQ country.",
            "tenants.billing_country",
        ),
        _f(
            "phone_country_mismatch",
            BOOLEAN,
            "phone_country is neither the country of incorporation nor the HQ country.",
            "tenants.phone",
        ),
        _f(
            "signin_ip_count_90d",
            NUMBER,
            "Distinct source IPs of the last 90 days' sign-ins (0 when none).",
            "access.source_ip",
        ),
        _f(
            "downstream_customer_count",
            NUMBER,
            "Downstream customers a reseller identified in the `--downstream` file (null without that file).",
            "tenants.is_reseller",
        ),
        _f(
            "downstream_unidentified",
            BOOLEAN,
            "A reseller whose own customers are not identified: no `--downstream` file, no rows for it, or a row without name or country.",
            "tenants.is_reseller",
        ),
        _f(
            "cip_gaps",
            LIST,
            "CIP items the KYC record lacks or contradicts: no_beneficial_owners, no_payment_source, payment_country_mismatch, no_email, freemail_email, no_phone, phone_country_mismatch, no_address, registered_agent_address, no_signin_ips, downstream_unidentified (docs/cip.md).",
            "tenants.beneficial_owners",
            "tenants.payment_fingerprint",
            "tenants.email_domain",
            "tenants.phone",
            "tenants.address",
        ),
        _f(
            "cip_gap_count",
            NUMBER,
            "Number of cip_gaps.",
            "tenants.beneficial_owners",
            "tenants.payment_fingerprint",
            "tenants.email_domain",
            "tenants.phone",
            "tenants.address",
        ),
        # large-AI-training estimates (docs/cip.md)
        _f(
            "estimated_training_flop_90d",
            NUMBER,
            "Restricted GPU-hours (90 d) x 3600 x each accelerator's dense BF16/FP16 operations per second x `training_utilisation` (0.4): the training compute they could deliver.",
            "usage.instance_type",
        ),
        _f(
            "peak_cluster_flops",
            NUMBER,
            "Most dense BF16/FP16 operations per second of restricted accelerators running at once in 90 days (capacity, no utilisation).",
            "usage.instance_type",
        ),
        _f(
            "longest_restricted_run_hours",
            NUMBER,
            "Hours of the tenant's longest single run on restricted accelerators in the last 90 days (one usage row, clipped to the window).",
            "usage.instance_type",
        ),
        _f(
            "declared_use_kind",
            TEXT,
            "declared_use read by keywords: general (needs no accelerator: web hosting, CI, ETL ...), gpu-light (inference, serving, rendering ...) or training; null when none matches.",
            "tenants.declared_use",
        ),
        _f(
            "largest_run_flop",
            NUMBER,
            "Estimated operations of the tenant's largest single restricted run (one usage row), at `training_utilisation`.",
            "usage.instance_type",
        ),
    )
}


def feature_kinds() -> dict[str, str]:
    """Column name -> kind, the view the rule compiler needs."""
    return {name: f.kind for name, f in FEATURES.items()}


def unavailable_features(present: set[str]) -> set[str]:
    """Features whose inputs are not all present ("table.column" and "lists" markers)."""
    return {name for name, f in FEATURES.items() if not all(i in present for i in f.inputs)}


def render_markdown() -> str:
    """docs/features.md: the vocabulary as a table for rule authors."""
    lines = [
        "# Feature columns",
        "",
        "One row per tenant. Rules test these columns (`field:` in a rule). Null means unknown:",
        "a rule whose input is null evaluates to *unknown* for that tenant, and when an input",
        "column is absent from the run every rule reading a feature derived from it is unknown.",
        "",
        "| feature | kind | meaning | derived from |",
        "| --- | --- | --- | --- |",
    ]
    for f in FEATURES.values():
        lines.append(f"| `{f.name}` | {f.kind} | {f.doc} | {', '.join(f.inputs)} |")
    from auditor.features.network_doc import NETWORK_LINKS_NOTE

    lines.append(NETWORK_LINKS_NOTE.rstrip("\n"))
    return "\n".join(lines) + "\n"
