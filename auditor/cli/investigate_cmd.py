"""`auditor investigate TENANT_ID`: everything known about one tenant and why it scored as it did."""

from __future__ import annotations

import json
from typing import Any

import click
import polars as pl

from auditor.cli.options import audit_input_options, build_config
from auditor.cli.output import console, warn_about
from auditor.cli.safe_text import cell, json_text, plain
from auditor.errors import InputError


def _value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


def investigation(result, tenant_id: str) -> dict[str, Any]:
    """The investigation of one tenant as data (also what --json prints)."""
    from auditor.engine.evaluate import outcome_label
    from auditor.run import tenant_case

    frame = result.features.frame
    row = frame.filter(pl.col("tenant_id") == tenant_id)
    if row.height == 0:
        import difflib

        close = difflib.get_close_matches(tenant_id, frame["tenant_id"].to_list(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"tenant '{tenant_id}' is not in the tenant table{hint}")
    profile = result.inputs.tenants.filter(pl.col("tenant_id") == tenant_id).to_dicts()[0]
    features = row.drop("cluster_id").to_dicts()[0]
    outcomes = result.evaluation.outcomes.filter(pl.col("tenant_id") == tenant_id).to_dicts()[0]
    hits = {
        h["rule_id"]: json.loads(h["evidence"])
        for h in result.evaluation.hits.filter(pl.col("tenant_id") == tenant_id).to_dicts()
    }
    missing = {
        u["rule_id"]: u["missing"]
        for u in result.evaluation.unknowns.filter(pl.col("tenant_id") == tenant_id).to_dicts()
    }
    rules = []
    for rule in result.rule_pack.rules:
        outcome = outcome_label(outcomes[rule.id])
        values = hits.get(rule.id) or {f: features.get(f) for f in rule.evidence}
        rules.append(
            {
                "rule_id": rule.id,
                "version": rule.version,
                "title": rule.title,
                "weight": rule.weight,
                "outcome": outcome,
                "values": values,
                "missing": missing.get(rule.id, []),
            }
        )
    rules.sort(key=lambda r: ({"hit": 0, "unknown": 1, "no-hit": 2}[r["outcome"]], -r["weight"]))
    matches = result.features.screening_matches
    screening = (
        matches.filter(pl.col("tenant_id") == tenant_id).sort("score", descending=True).to_dicts()
        if matches.height
        else []
    )
    linked = features["linked_tenant_ids"] or []
    linked_rows = (
        result.inputs.tenants.filter(pl.col("tenant_id").is_in(linked))
        .select("tenant_id", "legal_name", "country", "kyc_status")
        .to_dicts()
    )
    return {
        "tenant_id": tenant_id,
        "profile": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in profile.items()
        },
        "features": features,
        "unavailable_features": sorted(result.features.unavailable),
        "rules": rules,
        "screening_matches": screening,
        "linked_tenants": linked_rows,
        "case": tenant_case(result, tenant_id),
        "ownership": _ownership(result, tenant_id),
        "as_of": result.as_of.isoformat(),
        "rule_pack": result.rule_pack.version,
    }


def _ownership(result, tenant_id: str) -> list[dict[str, Any]]:
    from auditor.report.ownership import case_ownership

    return case_ownership(result, [tenant_id]).get(tenant_id, [])


def _print_ownership(out, proofs: list[dict[str, Any]]) -> None:
    """Each ownership proof as an outline; owner and party names go in as plain text."""
    from auditor.report.ownership import proof_outline

    for proof in proofs:
        out.print(cell("Ownership", style="bold"))
        for depth, text in proof_outline(proof):
            out.print(cell("  " * depth + "- " + text))


def _print(report: dict[str, Any]) -> None:
    """The investigation as tables; every value from the data or the rules goes in as plain text."""
    from rich.table import Table

    out = console()
    out.rule(f"Tenant {plain(report['tenant_id'])}")
    profile = Table(title="KYC profile", show_header=False)
    for key, value in report["profile"].items():
        profile.add_row(cell(key), cell(_value(value)))
    out.print(profile)
    rules = Table(title=f"Rules (pack {plain(report['rule_pack'])})")
    for column in ("outcome", "rule", "weight", "values that decided it"):
        rules.add_column(column)
    for r in report["rules"]:
        style = {"hit": "bold red", "unknown": "yellow", "no-hit": "dim"}[r["outcome"]]
        values = "; ".join(f"{plain(k)}={plain(_value(v))}" for k, v in r["values"].items())
        if r["missing"]:
            values += f"  (missing: {', '.join(plain(m) for m in r['missing'])})"
        rules.add_row(
            cell(r["outcome"], style=style),
            cell(f"{r['title']} ({r['rule_id']} v{r['version']})"),
            cell(f"{r['weight']:g}"),
            cell(values),
        )
    out.print(rules)
    if report["screening_matches"]:
        screening = Table(title="Restricted-party matches")
        for column in (
            "facet",
            "field",
            "tenant's value",
            "list entry",
            "matched",
            "list",
            "score",
        ):
            screening.add_column(column)
        for m in report["screening_matches"][:10]:
            screening.add_row(
                *(
                    cell(m[k])
                    for k in ("facet", "field", "query", "entry_name", "matched", "source_code")
                ),
                cell(f"{m['score']:.2f}"),
            )
        out.print(screening)
    features = Table(title=f"Features (as of {plain(report['as_of'])})", show_header=False)
    for key, value in report["features"].items():
        shown = (
            "unavailable in this run" if key in report["unavailable_features"] else _value(value)
        )
        features.add_row(cell(key), cell(shown))
    out.print(features)
    if report["linked_tenants"]:
        out.print(
            cell(
                "Linked tenants: "
                + "; ".join(
                    f"{t['tenant_id']} {t['legal_name']} ({t['country']}, {t['kyc_status']})"
                    for t in report["linked_tenants"]
                )
            )
        )
    _print_ownership(out, report.get("ownership") or [])
    case = report["case"]
    if case:
        out.print(
            cell(
                f"Case {case['case_id']}: rank {case['rank']}, {case['priority']}, score {case['score']:.1f}, tenants {', '.join(case['tenant_ids'])}"
            )
        )
    else:
        out.print("No case: no rule hit this tenant or its linked group.")


@click.command()
@click.argument("tenant_id")
@audit_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the investigation as JSON.")
def investigate(tenant_id: str, config_path, as_json: bool, **inputs) -> int:
    """Show one tenant's profile, features, every rule's outcome with its values, links and case."""
    from auditor.run import audit

    config = build_config(config_path, **inputs)
    result = audit(config)
    report = investigation(result, tenant_id)
    warn_about(result)
    if as_json:
        click.echo(json_text(report, indent=2))
    else:
        _print(report)
    return 0
