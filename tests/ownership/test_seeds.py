"""Seeds: party names screened once; KYC owner names reuse the tenant screening and find the same list entries."""

from __future__ import annotations

import polars as pl

from auditor.features.screening import screen_tenants
from auditor.model.inputs import load_inputs
from auditor.ownership.inputs import load_ownership, name_key
from auditor.ownership.seeds import regime_seeds, screen_parties
from auditor.ownership.regimes import BIS_AFFILIATES, OFAC_50
from auditor.screening import ScreeningIndex, load_lists
from auditor_testkit import EXAMPLES

PROVIDER = EXAMPLES / "provider"


def test_reusing_the_owner_screening_finds_what_screening_again_would():
    inputs = load_inputs(PROVIDER / "tenants.csv", PROVIDER / "usage.csv")
    index = ScreeningIndex.build(
        load_lists([PROVIDER / "lists" / "restricted-parties.csv"]).entries
    )
    tenant_matches = screen_tenants(inputs.tenants, index).matches
    data = load_ownership(inputs.tenants, PROVIDER / "ownership.csv", PROVIDER / "parties.csv")
    reused = screen_parties(data.nodes, index, None, tenant_matches).filter(
        ~pl.col("node_id").str.starts_with("t")
    )
    fresh = screen_parties(data.nodes, index, None, None)
    key = ["node_id", "entry_id"]
    assert reused.select(key).unique().sort(key).equals(fresh.select(key).unique().sort(key))
    assert (
        reused.filter(pl.col("node_id").str.starts_with("kyc:")).height > 0
    )  # KYC owners were among them


def test_regime_seeds_follow_lists_and_sdn_programmes():
    matches = pl.DataFrame(
        {
            "node_id": ["a", "b", "c"],
            "query": ["a", "b", "c"],
            "entry_id": ["1", "2", "3"],
            "entry_name": ["A", "B", "C"],
            "matched": ["a", "b", "c"],
            "source_code": ["SDN", "SDN", "EL"],
            "programs": ["RUSSIA-EO14024", "NPWMD; IFSR", ""],
            "score": [0.99, 0.90, 0.95],
            "explanation": ["{}"] * 3,
        }
    )
    assert sorted(regime_seeds(matches, OFAC_50, 0.93)["node_id"]) == ["a", "b"]
    bis = regime_seeds(matches, BIS_AFFILIATES, 0.93).sort("node_id")
    assert bis["node_id"].to_list() == ["b", "c"] and bis["certain"].to_list() == [False, True]


def _matches(scores: list[float], codes: list[str] | None = None) -> pl.DataFrame:
    n = len(scores)
    return pl.DataFrame(
        {
            "node_id": [f"n{i}" for i in range(n)],
            "query": [f"q{i}" for i in range(n)],
            "entry_id": [f"E{i}" for i in range(n)],
            "entry_name": [f"Entry {i}" for i in range(n)],
            "matched": [f"m{i}" for i in range(n)],
            "source_code": codes or ["SDN"] * n,
            "programs": [""] * n,
            "score": scores,
            "explanation": ["{}"] * n,
        }
    )


def test_a_match_exactly_at_the_seed_score_is_a_listed_seed_and_one_just_below_is_possible():
    """`ownership_seed_score` is inclusive ("at or above it is a listed seed"): 0.93 is certain
    at 0.93, 0.9299 is a possible seed only."""
    seeds = regime_seeds(_matches([0.93, 0.9299, 1.0]), OFAC_50, 0.93).sort("node_id")
    assert seeds.select("node_id", "certain").rows() == [
        ("n0", True),
        ("n1", False),
        ("n2", True),
    ]


class _RecordingIndex:
    """The real index, noting every name `screen_parties` asks it to screen."""

    def __init__(self, index):
        self.index, self.entries, self.asked = index, index.entries, []

    def match_names(self, queries, threshold=None):
        self.asked += queries["name"].to_list()
        return self.index.match_names(queries, threshold=threshold)


def test_kyc_owner_names_are_taken_from_the_tenant_screening_and_not_screened_again():
    """The tenant screening already screened the KYC owner fields (facet "owner"): given its
    matches, the party screening asks the index only for the other parties' names, and the
    KYC owners still get their seeds from the tenant screening's results."""
    inputs = load_inputs(PROVIDER / "tenants.csv", PROVIDER / "usage.csv")
    index = ScreeningIndex.build(
        load_lists([PROVIDER / "lists" / "restricted-parties.csv"]).entries
    )
    tenant_matches = screen_tenants(inputs.tenants, index).matches
    data = load_ownership(inputs.tenants, PROVIDER / "ownership.csv", PROVIDER / "parties.csv")
    kyc = data.nodes.filter(pl.col("origin") == "kyc")
    others = data.nodes.filter(~pl.col("is_tenant") & (pl.col("origin") != "kyc"))
    assert kyc.height and others.height  # the example has both kinds of party

    def keys(names) -> set[str]:  # names are screened once per normalised form
        return set(
            pl.Series(list(names), dtype=pl.String).to_frame("n").select(name_key(pl.col("n")))["n"]
        )

    recording = _RecordingIndex(index)
    found = screen_parties(data.nodes, recording, None, tenant_matches)
    assert not keys(recording.asked) & keys(kyc["name"])
    assert keys(others["name"]) <= keys(recording.asked)
    assert found.filter(pl.col("node_id").is_in(kyc["node_id"].implode())).height > 0

    recording = _RecordingIndex(index)  # without the tenant screening, they are screened here
    screen_parties(data.nodes, recording, None, None)
    assert keys(kyc["name"]) <= keys(recording.asked)


def test_a_party_matching_two_entries_equally_has_the_same_seed_whatever_the_order_of_its_rows(
    tmp_path,
):
    """A party called "Acme Trading Holdings" also known as "Borg Metals Industries" matches
    two SDN entries exactly (score 1.0 each): which one the proof cites as its seed must not
    depend on which name the file gives first, nor on the order of the parties' rows. At equal
    score the lower entry id comes first (E1), and the whole match table is the same."""
    from ownership_testkit import tenants_frame, write_csv

    sdn = "Specially Designated Nationals (SDN) - Treasury Department"
    lists = write_csv(
        tmp_path / "csl.csv",
        "_id,source,name",
        [f'E2,"{sdn}",Borg Metals Industries', f'E1,"{sdn}",Acme Trading Holdings'],
    )
    index = ScreeningIndex.build(load_lists([lists]).entries)
    acme, borg = "Acme Trading Holdings", "Borg Metals Industries"
    files = [
        [f"P,{acme},entity,{borg}", f"Q,{borg} Ltd,entity,", f"R,{acme},entity,"],
        [f"R,{acme},entity,", f"P,{borg},entity,{acme}", f"Q,{borg} Ltd,entity,"],
    ]  # the same parties, in another order and with P's name and alias the other way round
    tables, seeds = [], []
    for i, rows in enumerate(files):
        parties = write_csv(tmp_path / f"parties{i}.csv", "party_id,name,kind,aliases", rows)
        data = load_ownership(tenants_frame(["T"]), None, parties)
        found = screen_parties(data.nodes, index, None, None)
        tables.append(found.select("node_id", "entry_id", "score"))
        seeds.append(dict(regime_seeds(found, OFAC_50, 0.93).select("node_id", "entry_id").rows()))
    assert seeds[0]["P"] == seeds[1]["P"] == "E1" and seeds[0] == seeds[1]
    assert tables[0].equals(tables[1])
    assert tables[0].filter(pl.col("node_id") == "P").rows() == [("P", "E1", 1.0), ("P", "E2", 1.0)]


def test_a_tenant_listed_by_its_own_name_seeds_what_it_owns(tmp_path):
    """Tenant T1 is itself on the SDN list by name (the tenant screening found it) and holds
    60% of T2: T1's own match is taken from the tenant screening as a seed, so T2 is restricted
    through it, and the proof cites the entry the tenant screening matched."""
    from auditor.features.ownership import OwnershipSettings, ownership_features
    from auditor.ownership.proof import tenant_proof
    from ownership_testkit import AS_OF, TEST_REGIME, tenants_frame, write_csv

    sdn = "Specially Designated Nationals (SDN) - Treasury Department"
    lists = write_csv(
        tmp_path / "csl.csv", "_id,source,name", [f'e1,"{sdn}",Northwind Microsystems']
    )
    index = ScreeningIndex.build(load_lists([lists]).entries)
    tenants = tenants_frame(["T1", "T2"]).with_columns(
        pl.Series("legal_name", ["Northwind Microsystems", "Quiet Harbour Analytics"])
    )
    tenant_matches = screen_tenants(tenants, index).matches
    assert tenant_matches.filter(pl.col("facet") == "name")["tenant_id"].to_list() == ["T1"]
    stakes = write_csv(tmp_path / "ownership.csv", "owner_id,owned_id,share", ["T1,T2,60"])
    data = load_ownership(tenants, stakes, None)

    seeds = screen_parties(data.nodes, index, None, tenant_matches)
    assert seeds.select("node_id", "entry_id", "score").rows() == [("T1", "e1", 1.0)]

    settings = OwnershipSettings(data=data, regimes=[TEST_REGIME])
    frame, assessment = ownership_features(tenants, AS_OF, index, None, tenant_matches, settings)
    verdicts = dict(frame.select("tenant_id", "ownership_verdict").rows())
    assert verdicts["T2"] == "restricted"
    [proof] = tenant_proof(assessment, "T2")
    [holder] = proof["chain"]["holders"]
    assert (holder["owner_id"], holder["because"]["listed"]["entry_id"]) == ("T1", "e1")
