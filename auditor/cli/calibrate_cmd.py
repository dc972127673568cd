"""`auditor rules calibrate`: what analysts' decisions in a case store say about each rule.

Per rule: the cases it fired on, how many were confirmed, dismissed or are still open, its
precision with a 95 % Wilson interval, and the weight a regularised logistic fit on
confirmed vs dismissed supports, beside the current weight. Rules that never fired and rules
that fired only together with others are listed. Nothing is applied: a weight change is made
in the rule file and checked with `auditor rules backtest`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from auditor.cli.paths import PATH_OR_URL

from auditor.cli.cases_cmd import _open, store_options
from auditor.cli.safe_text import echo, plain
from auditor.redact import redact_url


def _report(store: Any, rules_dir: Path | None, penalty: float) -> dict[str, Any]:
    from auditor.calibration.evidence import labelled_cases
    from auditor.calibration.fit import fit_weights
    from auditor.calibration.summary import calibrate_rules, never_fired, only_with_others
    from auditor.engine.loader import builtin_rules_dir, load_rule_pack
    from auditor.features.vocabulary import feature_kinds

    pack = load_rule_pack(rules_dir or builtin_rules_dir(), feature_kinds())
    cases = labelled_cases(store)
    rules = calibrate_rules(cases, {r.id: float(r.weight) for r in pack.rules})
    fit = fit_weights(cases, penalty)
    outcomes = {o: sum(c.outcome == o for c in cases) for o in ("confirmed", "dismissed", "open")}
    return {
        "store": redact_url(str(store.location)),
        "rule_pack": {"directory": pack.directory, "version": pack.version},
        "cases": len(cases),
        "outcomes": outcomes,
        "rules": [
            {
                "rule_id": r.rule_id,
                "weight": r.weight,
                "fired": r.fired,
                "confirmed": r.confirmed,
                "dismissed": r.dismissed,
                "open": r.open,
                "precision": r.precision,
                "precision_95": list(r.interval) if r.interval else None,
                "supported_weight": fit.supported_weights.get(r.rule_id) if fit else None,
                "fired_alone": r.alone,
                "fired_with": r.fired_with,
            }
            for r in rules
        ],
        "never_fired": never_fired(rules),
        "only_with_others": only_with_others(rules),
        "fit": None
        if fit is None
        else {
            "method": "L2-regularised logistic regression on confirmed (1) vs dismissed (0); supported weight = 100 * sigmoid(intercept + coefficient)",
            "penalty": fit.penalty,
            "cases": fit.cases,
            "intercept": fit.intercept,
            "coefficients": fit.coefficients,
            "converged": fit.converged,
        },
        "applied": False,
    }


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _print(report: dict[str, Any]) -> None:
    o = report["outcomes"]
    echo(
        f"{report['cases']} cases in {plain(report['store'])}: {o['confirmed']} confirmed, "
        f"{o['dismissed']} dismissed, {o['open']} open; rule pack {plain(report['rule_pack']['version'])}"
    )
    echo("")
    width = max([len(r["rule_id"]) for r in report["rules"]] + [4])
    echo(f"{'rule':<{width}}  weight  fired  conf  dism  open  precision (95% CI)  supported")
    for r in report["rules"]:
        ci = r["precision_95"]
        precision = (
            f"{r['precision']:.2f} ({ci[0]:.2f}-{ci[1]:.2f})" if r["precision"] is not None else "-"
        )
        echo(
            f"{plain(r['rule_id']):<{width}}  {_number(r['weight'], '6.0f')}  {r['fired']:5d}  "
            f"{r['confirmed']:4d}  {r['dismissed']:4d}  {r['open']:4d}  {precision:<18}  "
            f"{_number(r['supported_weight'], '9.1f')}"
        )
    echo("")
    echo(f"never fired: {', '.join(map(plain, report['never_fired'])) or 'none'}")
    together = [
        f"{plain(r['rule_id'])} (with "
        + ", ".join(f"{plain(k)} x{v}" for k, v in list(r["fired_with"].items())[:3])
        + ")"
        for r in report["rules"]
        if r["rule_id"] in report["only_with_others"]
    ]
    echo(f"fired only with other rules: {'; '.join(together) or 'none'}")
    fit = report["fit"]
    if fit is None:
        echo(
            "no weight fit: it needs at least one confirmed and one dismissed case "
            "(`auditor cases decide`)"
        )
    else:
        echo(
            f"supported weights: L2-regularised logistic fit (penalty {fit['penalty']:g}) on "
            f"{fit['cases']} decided cases, 100 x sigmoid(intercept {fit['intercept']:.2f} + coefficient)"
            + ("" if fit["converged"] else " -- did not converge")
        )
    echo(
        "nothing was applied: to change a weight, edit the rule (bump its version) and run "
        "`auditor rules backtest`"
    )


@click.command("calibrate")
@store_options
@click.option(
    "--rules",
    "rules_dir",
    type=PATH_OR_URL,
    help="Rule pack whose current weights are shown (default: the built-in pack).",
)
@click.option(
    "--penalty",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="L2 penalty of the logistic fit: larger pulls rules with few decisions together.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def calibrate(store, config_path, rules_dir, penalty, as_json) -> int:
    """Per rule: confirmed / dismissed / open cases, precision with a 95% interval, and supported weights."""
    st = _open(store, config_path)
    try:
        from auditor.cli.rules_cmd import _local_pack

        with _local_pack(rules_dir, config_path) as local:
            report = _report(st, local, penalty)
        if isinstance(rules_dir, str):  # the URL, not the private copy
            report["rule_pack"]["directory"] = rules_dir
    finally:
        st.close()
    if as_json:
        echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print(report)
    return 0
