"""The ownership proof in the reports: the same lines for cases.jsonl readers, report.md, report.html and `investigate`.

A proof (see `auditor.ownership.proof`) becomes an outline of plain-text lines with their
depth: the regime and its status, the holders counted with their shares and sources, the
sum against the threshold, the smallest set reaching it, each derived holder expanded down
to its list entry, what was not counted, the unknown shares that could decide. Renderers
only escape and indent; they never compute.
"""

from __future__ import annotations

from html import escape
from typing import Any

Outline = list[tuple[int, str]]


def case_ownership(result: Any, tenant_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """tenant id -> its proofs, for the tenants of one case that some regime has something to say about."""
    assessment = getattr(result.features, "ownership", None)
    if assessment is None:
        return {}
    from auditor.ownership.proof import tenant_proof

    out = {}
    for tenant_id in tenant_ids:
        proofs = tenant_proof(assessment, tenant_id)
        if proofs:
            out[tenant_id] = proofs
    return out


def _sources(edge: dict[str, Any]) -> str:
    parts = []
    for s in edge.get("sources") or []:
        where = s.get("source") or "source not given"
        ref = f" {s['source_ref']}" if s.get("source_ref") else ""
        row = f" (row {s['row']})" if s.get("row") else ""
        parts.append(f"{where}{ref}{row}: {s.get('share')}")
    text = "; ".join(parts)
    return text + (
        " -- the sources disagree, so the range covers them all"
        if edge.get("sources_disagree")
        else ""
    )


def _listed(entry: dict[str, Any]) -> str:
    if "same_identifier" in entry:
        return (
            f"listed seed: {entry['same_identifier']} ({entry['list']} entry '{entry['entry_name']}'); "
            f"{entry['queried_name']} is on both"
        )
    how = entry.get("how_matched") or {}
    features = (
        ", ".join(f"{k} {v}" for k, v in how.items() if isinstance(v, (int, float)))
        if isinstance(how, dict)
        else ""
    )
    certainty = "listed seed" if entry.get("certain") else "possible seed (weak name match)"
    return (
        f"{certainty}: {entry['list']} entry '{entry['entry_name']}' ({entry['entry_id']}); name '{entry['queried_name']}' matched "
        f"'{entry['matched_name']}' with score {entry['score']:.2f}"
        + (f" ({features})" if features else "")
    )


def _node(node: dict[str, Any], depth: int, out: Outline, bound: str) -> None:
    if node.get("listed"):
        out.append((depth, _listed(node["listed"])))
    holders = node.get("holders") or []
    for h in holders:
        share = f"up to {h['counted']:g}%" if bound == "possible" else f"{h['counted']:g}%"
        out.append(
            (
                depth,
                f"{share} held by {h['owner_name']} ({h['owner_id']}); stated {h['stated']}; source {_sources(h)}",
            )
        )
        because = h.get("because") or {}
        if because.get("cycle"):
            out.append(
                (depth + 1, f"{h['owner_name']} is part of an ownership cycle already shown above")
            )
        elif because.get("truncated"):
            out.append((depth + 1, because["truncated"]))
        elif because:
            if not because.get("listed"):
                out.append(
                    (
                        depth + 1,
                        f"{h['owner_name']} is restricted by ownership: {because.get('sum', 0):g}% >= {because.get('threshold', 50):g}%",
                    )
                )
            _node(because, depth + 2 if not because.get("listed") else depth + 1, out, bound)
    if holders and node.get("holders_omitted"):
        out.append((depth, f"... and {node['holders_omitted']} more holders"))
    for n in node.get("not_counted") or []:
        out.append(
            (
                depth,
                f"not counted: {n['stated']} held by {n['owner_name']} ({n['owner_id']}) -- {n['reason']}; source {_sources(n)}",
            )
        )


def proof_outline(proof: dict[str, Any]) -> Outline:
    chain = proof["chain"]
    relation = "reaches" if chain["reaches_threshold"] else "stays below"
    status = {
        "in-force": "in force",
        "in-force-unconfirmed": "in force, needs the operator's confirmation",
    }.get(proof["status"], f"{proof['status']} -- not in force, so a red flag weighed lower")
    bound = proof["bound"]
    out: Outline = [
        (
            0,
            f"{proof['title']} ({proof['regime']}): {proof['verdict']}; status on the as-of date {status}; threshold {proof['threshold']:g}%",
        ),
        (
            1,
            f"restricted holders' shares ({'upper bounds: possible' if bound == 'possible' else 'lower bounds: certain'}), largest first; "
            f"their sum {chain['sum_text']} {relation} the threshold of {proof['threshold']:g}%",
        ),
    ]
    _node(chain, 2, out, bound)
    if chain["smallest_set"]:
        out.append((1, "smallest set of holders reaching it: " + ", ".join(chain["smallest_set"])))
    certain = proof.get("certain_chain")
    if certain is not None:
        out.append((1, f"certain (lower bounds): {certain['sum']:g}% held by restricted owners"))
    possible = proof.get("possible_chain")
    if possible is not None:
        out.append(
            (
                1,
                f"possible (upper bounds): {possible['sum_text']} held by restricted owners, below the threshold",
            )
        )
    for d in proof.get("unknown_shares_that_could_decide") or []:
        if "via" in d:  # the unknown stake is further up: it restricts an intermediary first
            steps = ", then ".join(
                f"{v['holder_id']} with {v['stake']} in {v['in']} (needs {v['share_needed']:g}%)"
                for v in d["via"]
            )
            text = (
                f"undetermined: the share of {d['owner_name']} ({d['owner_id']}) in {d['owned_id']} is "
                f"{d['stated']}; at {d['smallest_share_that_restricts']:g}% or more {d['owned_id']} is "
                f"restricted, and through {steps} so is the tenant (source {_sources(d)})"
            )
        else:
            text = (
                f"undetermined: the share of {d['owner_name']} ({d['owner_id']}) is {d['stated']}; "
                f"at {d['smallest_share_that_restricts']:g}% or more the tenant is restricted (source {_sources(d)})"
            )
        out.append((1, text))
    for n in proof.get("not_counted_elsewhere") or []:
        out.append(
            (
                1,
                f"not counted: {n['share']} {n['interest']} interest of {n['owner_id']} -- {n['reason']} ({n.get('source') or 'no source'} {n.get('source_ref') or ''})".rstrip(),
            )
        )
    out.append((1, f"{proof['notice']} ({proof['citation']})"))
    return out


def markdown_lines(by_tenant: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines: list[str] = []
    for tenant_id, proofs in by_tenant.items():
        lines += ["", f"Ownership of `{tenant_id}`:", ""]
        for proof in proofs:
            for depth, text in proof_outline(proof):
                lines.append("  " * depth + "- " + text.replace("|", "\\|").replace("\n", " "))
    return lines


def html_block(by_tenant: dict[str, list[dict[str, Any]]]) -> str:
    if not by_tenant:
        return ""
    parts = []
    for tenant_id, proofs in by_tenant.items():
        parts.append(
            f'<div class="ownership"><p><b>Ownership of <code>{escape(tenant_id)}</code></b></p>'
        )
        for proof in proofs:
            parts.append(_nested(proof_outline(proof)))
        parts.append("</div>")
    return "\n".join(parts)


def _nested(outline: Outline) -> str:
    html, level = [], -1
    for depth, text in outline:
        while level < depth:
            html.append("<ul>")
            level += 1
        while level > depth:
            html.append("</ul>")
            level -= 1
        html.append(f"<li>{escape(text)}</li>")
    html.append("</ul>" * (level + 1))
    return "".join(html)
