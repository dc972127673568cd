"""The explanation of a verdict, as its proof: the holders, their sum against the threshold, and the chain down to the list.

For one tenant and regime it says: each restricted holder with its share, largest first,
and their sum against the threshold; the smallest set of holders that reaches it; each
holder restricted by ownership expanded down to its listed seed, with the list entry and
how its name matched; each edge's source and `source_ref`; what was not counted and why;
which unknown shares could change the verdict and the smallest share on each that would;
the regime, its threshold and its status on the as-of date. It is a risk signal, not a
legal determination -- every proof says so.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from auditor.ownership.assess import POSSIBLY, RESTRICTED, OwnershipAssessment, RegimeAssessment
from auditor.ownership.fixedpoint import TOLERANCE, EdgeIndex

NOTICE = "A risk signal from the ownership data supplied, not a legal determination."
MAX_DEPTH = 12  # holders expanded this many levels down; deeper chains are summarised
MAX_HOLDERS = 20
MAX_UNKNOWN_DEPTH = 3  # levels above the tenant searched for a deciding unknown stake


def share_text(
    lo: float,
    hi: float,
    lo_exclusive: bool = False,
    hi_exclusive: bool = False,
    stated: bool = True,
) -> str:
    if not stated:
        return "unknown (0-100%)"
    if abs(hi - lo) < 1e-12:
        return f"{lo:g}%"
    left = f"more than {lo:g}%" if lo_exclusive else f"{lo:g}%"
    right = f"less than {hi:g}%" if hi_exclusive else f"{hi:g}%"
    return f"{left} to {right}"


class ProofBuilder:
    """Builds proofs for one regime; holds the reverse (by owned) index and the per-node facts."""

    def __init__(self, a: RegimeAssessment, same_party: dict[str, list[str]] | None = None):
        self.a = a
        self.same_party = same_party or {}  # node id -> parties tied into it by a shared LEI/USCC
        g = a.graph
        self.ids = g.nodes["node_id"].to_list()
        self.position = g.positions
        self.not_counted = g.not_counted.sort("dst")
        self.not_counted_dst = self.not_counted["dst"].to_numpy()
        self.names = g.nodes["name"].to_list()
        self.src = g.edges["src"].to_numpy()
        self.dst = g.edges["dst"].to_numpy()
        self.by_owned = EdgeIndex.by_owner(g.size, self.dst, self.src)
        self.edges = g.edges
        seeds = a.seeds.to_dicts()
        self.seed = {s["idx"]: s for s in seeds}
        self.thr = a.regime.threshold
        self._edges: dict[int, dict[str, Any]] = {}

    def _incoming(self, node: int) -> np.ndarray:
        return self.by_owned.edges_of(node)

    def _edge(self, e: int) -> dict[str, Any]:
        """One merged edge with its statements; memoised, since a holder's edge appears in every
        chain through it and in both bounds' proofs (callers copy before adding to it)."""
        found = self._edges.get(int(e))
        if found is None:
            found = self._edges[int(e)] = self._edge_facts(int(e))
        return found

    def _edge_facts(self, e: int) -> dict[str, Any]:
        row = self.edges.row(e, named=True)
        return {
            "stated": share_text(
                row["lo"], row["hi"], row["lo_exclusive"], row["hi_exclusive"], row["stated"]
            ),
            "lo": row["eff_lo"],
            "hi": row["eff_hi"],
            "sources_disagree": row["disagree"],
            "sources": [
                {k: s[k] for k in ("source", "source_ref", "origin", "row")}
                | {"share": share_text(s["lo"], s["hi"], stated=s["stated"])}
                for s in self.a.graph.statements_of(row["src"], row["dst"])
            ],
        }

    def _seed_entry(self, node: int) -> dict[str, Any] | None:
        s = self.seed.get(node)
        if s is None:
            return None
        try:
            how = json.loads(s["explanation"] or "{}")
        except ValueError:
            how = {}
        return {
            "list": s["source_code"],
            "entry_id": s["entry_id"],
            "entry_name": s["entry_name"],
            "matched_name": s["matched"],
            "queried_name": s["query"],
            "score": round(float(s["score"]), 3),
            "certain": bool(s["certain"]),
            "how_matched": how.get("features") or how,
            **({"same_identifier": how["text"]} if "identifier" in how else {}),
        }

    def node(
        self, node: int, bound: str, depth: int = 0, seen: frozenset[int] = frozenset()
    ) -> dict[str, Any]:
        """Why `node` is (or is not) restricted on `bound` ("certain": lower bounds, "possible": upper bounds)."""
        closure = self.a.lower if bound == "certain" else self.a.upper
        key = "lo" if bound == "certain" else "hi"
        out = self.node_brief(node, bound)
        holders, not_counted, exact = [], [], []
        for e in self._incoming(node):
            owner = int(self.src[e])
            edge = self._edge(e)
            item = {"owner_id": self.ids[owner], "owner_name": self.names[owner], **edge}
            if closure.restricted[owner] and edge[key] > 0:
                item["counted"] = round(edge[key], 4)
                exact.append(edge[key])
                item["bound"] = bound
                brief = self.node_brief(owner, bound)
                if owner in seen:
                    item["because"] = brief | {"cycle": True}
                elif "listed" in brief:
                    item["because"] = brief
                elif depth < MAX_DEPTH:
                    item["because"] = self.node(owner, bound, depth + 1, seen | {node})
                else:
                    item["because"] = brief | {
                        "truncated": f"chain deeper than {MAX_DEPTH} levels; see investigate --json"
                    }
                holders.append(item)
            else:
                item["reason"] = (
                    "its holder is not restricted, so its stake counts zero"
                    if not closure.restricted[owner]
                    else "share is zero"
                )
                not_counted.append(item)
        holders.sort(key=lambda h: (-h["counted"], h["owner_id"]))
        total = float(
            sum(exact)
        )  # unrounded: an exclusive band end must not round onto the threshold
        running, smallest = 0.0, []
        for share, h in sorted(zip(exact, holders), key=lambda p: (-p[0], p[1]["owner_id"])):
            if running >= self.thr - TOLERANCE:
                break
            running += share
            smallest.append(h["owner_id"])
        out.update(
            {
                "holders": holders[:MAX_HOLDERS],
                "holders_omitted": max(0, len(holders) - MAX_HOLDERS),
                "sum": round(min(total, 100.0), 4),
                "threshold": self.thr,
                "reaches_threshold": total >= self.thr - TOLERANCE,
                # an exclusive band end keeps a sum just under the threshold that would round onto it
                "sum_text": f"less than {self.thr:g}%"
                if total < self.thr - TOLERANCE and round(total, 4) >= self.thr
                else f"{round(min(total, 100.0), 4):g}%",
                "smallest_set": smallest if total >= self.thr - TOLERANCE else [],
                "not_counted": not_counted[:MAX_HOLDERS],
            }
        )
        return out

    def node_brief(self, node: int, bound: str) -> dict[str, Any]:
        entry = self._seed_entry(node)
        out: dict[str, Any] = {"id": self.ids[node], "name": self.names[node]}
        tied = self.same_party.get(self.ids[node])
        if tied:
            out["same_party_as"] = tied
        if entry is not None and (bound == "possible" or entry["certain"]):
            out["listed"] = entry
        return out

    def not_counted_of(self, node: int) -> list[dict[str, Any]]:
        """Ended, not-yet-started and uncounted interests in `node` (found by binary search on the sorted table)."""
        lo, hi = (
            np.searchsorted(self.not_counted_dst, node, "left"),
            np.searchsorted(self.not_counted_dst, node, "right"),
        )
        return [
            {
                "owner_id": r["owner_id"],
                "interest": r["interest"],
                "share": share_text(r["lo"], r["hi"]),
                "reason": r["reason"],
                "source": r["source"],
                "source_ref": r["source_ref"],
            }
            for r in self.not_counted.slice(int(lo), int(hi - lo)).to_dicts()
        ]

    def deciding_unknowns(
        self, node: int, depth: int = 0, seen: frozenset[int] = frozenset()
    ) -> list[dict[str, Any]]:
        """Stakes whose size is not known and could, each alone, decide the verdict.

        Direct ones: a certainly restricted holder's stake in `node`, with the smallest share
        that would restrict it. Beyond direct stakes: a holder that is only possibly restricted
        would restrict `node` through its stake if it were restricted itself; what would make
        it so is an unknown stake further up, found the same way (up to MAX_UNKNOWN_DEPTH
        levels). Such an entry names the stake's `owned_id` and the `via` steps down to `node`,
        each with the share its holder needs in the next entity (its known or unknown stake).
        """
        lower, upper = self.a.lower, self.a.upper
        have = float(lower.share[node])
        out = []
        for e in self._incoming(node):
            owner = int(self.src[e])
            edge = self._edge(e)
            needed = self.thr - (have - (edge["lo"] if lower.restricted[owner] else 0.0))
            if needed > edge["hi"] + TOLERANCE:
                continue  # even its largest possible stake would not decide
            if lower.restricted[owner]:
                if edge["hi"] - edge["lo"] < 1e-9:
                    continue
                out.append(
                    {
                        "owner_id": self.ids[owner],
                        "owner_name": self.names[owner],
                        "stated": edge["stated"],
                        "smallest_share_that_restricts": round(max(needed, edge["lo"], 0.0), 4),
                        "sources": edge["sources"],
                    }
                )
            elif upper.restricted[owner] and depth < MAX_UNKNOWN_DEPTH and owner not in seen:
                step = {
                    "holder_id": self.ids[owner],
                    "holder_name": self.names[owner],
                    "in": self.ids[node],
                    "stake": edge["stated"],
                    "share_needed": round(max(needed, 0.0), 4),
                }
                for deeper in self.deciding_unknowns(owner, depth + 1, seen | {node}):
                    out.append(
                        deeper
                        | {
                            "owned_id": deeper.get("owned_id", self.ids[owner]),
                            "via": [*deeper.get("via", []), step],
                        }
                    )
        return sorted(
            out, key=lambda d: (len(d.get("via", [])), d["smallest_share_that_restricts"])
        )


def tenant_proof(assessment: OwnershipAssessment, tenant_id: str) -> list[dict[str, Any]]:
    """Every regime's proof for one tenant, in the order the regimes are configured; empty when no regime has anything to say.

    Built once per tenant and kept in the assessment: the features' one-line proofs, each
    report and the store's snapshots all ask for the same tenants. Readers must not modify it.
    """
    found = assessment.proofs.get(tenant_id)
    if found is None:
        found = assessment.proofs[tenant_id] = _tenant_proof(assessment, tenant_id)
    return found


def _tenant_proof(assessment: OwnershipAssessment, tenant_id: str) -> list[dict[str, Any]]:
    proofs = []
    for a in assessment.regimes:
        builder = assessment.cache.get(a.regime.id)
        if builder is None:
            builder = assessment.cache[a.regime.id] = ProofBuilder(a, assessment.data.same_party())
        found = builder.position.get(tenant_id)
        if found is None:
            continue
        node = int(found)
        verdict = a.verdict_of(node)
        share_min, share_max = (
            float(min(a.lower.share[node], 100.0)),
            float(min(a.upper.share[node], 100.0)),
        )
        if verdict not in (RESTRICTED, POSSIBLY) and share_max <= 0:
            continue
        bound = "possible" if verdict == POSSIBLY else "certain"
        proof = {
            "regime": a.regime.id,
            "title": a.regime.title,
            "status": a.status,
            "in_force_on_as_of": a.in_force,
            "threshold": a.regime.threshold,
            "citation": a.regime.citation,
            "verdict": verdict,
            "restricted_share": {"min": round(share_min, 4), "max": round(share_max, 4)},
            "bound": bound,
            "chain": builder.node(node, bound),
            "unknown_shares_that_could_decide": builder.deciding_unknowns(node)
            if verdict != RESTRICTED
            else [],
            "not_counted_elsewhere": builder.not_counted_of(node),
            "notice": NOTICE,
        }
        if verdict == POSSIBLY:
            proof["certain_chain"] = builder.node(node, "certain")
        elif share_max > share_min:  # clear, but the upper bounds say how close it comes
            proof["possible_chain"] = builder.node(node, "possible")
        proofs.append(proof)
    return proofs


def _holder_text(h: dict[str, Any]) -> str:
    why = h.get("because") or {}
    if "listed" in why:
        listed = why["listed"]
        tag = (
            f"{listed['same_identifier']} ({listed['list']} '{listed['entry_name']}')"
            if "same_identifier" in listed
            else f"{listed['list']} '{listed['entry_name']}' {listed['score']:.2f}"
        )
    elif why.get("cycle"):
        tag = "cycle"
    elif why.get("holders"):
        tag = "restricted by " + " + ".join(_holder_text(x) for x in why["holders"][:3])
    else:
        tag = "restricted"
    prefix = "up to " if h.get("bound") == "possible" else ""
    return f"{prefix}{h['counted']:g}% {h['owner_name']} [{tag}]"


def summary(proof: dict[str, Any]) -> str:
    """One line for hits' evidence: regime and status, the counted holders with their chains, the sum against the threshold."""
    chain = proof["chain"]
    holders = " + ".join(_holder_text(h) for h in chain["holders"][:5]) or "no restricted holder"
    if chain["holders_omitted"] or len(chain["holders"]) > 5:
        holders += f" + {len(chain['holders']) - 5 + chain['holders_omitted']} more"
    relation = ">=" if chain["reaches_threshold"] else "<"
    line = (
        f"{proof['regime']} ({proof['status']}, threshold {proof['threshold']:g}%): {proof['verdict']} -- {holders} = "
        f"{chain['sum_text']} {relation} {proof['threshold']:g}%"
    )
    deciding = proof.get("unknown_shares_that_could_decide") or []
    if deciding:
        d = deciding[0]
        where = f" in {d['owned_id']}" if "owned_id" in d else ""
        line += f"; unknown share of {d['owner_name']}{where} ({d['stated']}) restricts from {d['smallest_share_that_restricts']:g}%"
    return line
