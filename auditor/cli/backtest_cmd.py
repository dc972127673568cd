"""`auditor rules backtest`: what a rule change does to the review queue, on the same data, before it goes live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.cli.options import PathOrURL, audit_input_options, build_config
from auditor.cli.output import console, info
from auditor.cli.safe_text import cell, echo, json_text, plain, styled
from auditor.cli.store_option import STORE
from auditor.errors import InputError, display_path

ROWS_SHOWN = 20


def backtest_report(result) -> dict[str, Any]:
    """The backtest as data (what --json prints and --out writes)."""
    comparison = result.comparison

    def side(s) -> dict[str, Any]:
        return {
            "source": s.source,
            "name": s.name,
            "rule_pack": s.rule_pack_version,
            "cases": s.cases.height,
        }

    return {
        "as_of": result.as_of.isoformat(),
        "tenants": result.tenants,
        "scoring": result.algorithm,
        "complete": result.complete,
        "notes": result.notes,
        "baseline": side(result.baseline),
        "new": side(result.new),
        "counts": comparison.counts(),
        "pack_changes": comparison.pack.to_dicts(),
        "rules": comparison.rules.to_dicts(),
        "cases": comparison.cases.to_dicts(),
        **({"allowlist": _allowlist_report(result)} if "new" in result.allowlists else {}),
    }


def _allowlist_report(result) -> dict[str, Any]:
    """Which of the new pack's cases the --allowlist file would suppress, and which the config's allowlist does not yet."""
    new = result.allowlists["new"]
    current = result.allowlists.get("current", {})
    ranks = dict(zip(result.new.cases["case_id"].to_list(), result.new.cases["rank"].to_list()))
    by_entry: dict[str, list[str]] = {}
    for case_id, entries in new.items():
        for entry in entries:
            by_entry.setdefault(entry, []).append(case_id)
    return {
        "suppressed": len(new),
        "newly_suppressed": sorted(set(new) - set(current), key=lambda c: ranks.get(c, 0)),
        "no_longer_suppressed": sorted(set(current) - set(new), key=lambda c: ranks.get(c, 0)),
        "by_entry": {
            e: sorted(ids, key=lambda c: ranks.get(c, 0)) for e, ids in sorted(by_entry.items())
        },
    }


def _load_stored_run(store_path: Path | None, run_id: str):
    """The stored run and its cases, or an InputError saying why it cannot be had."""
    if store_path is None:
        raise InputError("--against needs a case store; give --store PATH")
    try:
        from auditor.store import open_store
    except ImportError:
        raise InputError(
            "--against needs a case store (`--store`); not available in this version"
        ) from None
    if "://" not in str(store_path) and not Path(store_path).exists():
        raise InputError(f"case store not found: {display_path(store_path)}")
    store = open_store(store_path)
    try:
        runs = {r.run_id: r for r in store.runs()}
        if run_id not in runs:
            import difflib

            close = difflib.get_close_matches(run_id, list(runs), n=3)
            hint = (
                f"; did you mean {', '.join(close)}?"
                if close
                else (f"; latest is {list(runs)[-1]}" if runs else "; the store has no runs")
            )
            raise InputError(
                f"run '{run_id}' is not in the case store {display_path(store_path)}{hint}"
            )
        return runs[run_id], store.cases_in_run(run_id)
    finally:
        store.close()


def _rules_text(rules: list[str], label: str) -> str:
    return f"{label}: {', '.join(rules)}" if rules else ""


def _print(report: dict[str, Any]) -> None:
    """The backtest as tables; rule ids, titles, case and tenant ids go in as plain text."""
    from rich.table import Table

    out = console()
    base, new, counts = report["baseline"], report["new"], report["counts"]
    base_name = f"run {base['name']}" if base["source"] == "run" else base["name"]
    out.rule("Rule backtest")
    out.print(
        cell(
            f"{new['name']} (pack {new['rule_pack']}) vs {base_name} (pack {base['rule_pack']}); "
            f"{report['tenants']} tenants as of {report['as_of']}, {report['scoring']}"
        )
    )
    out.print(
        styled(
            f"cases: {base['cases']} -> {new['cases']}: ",
            (f"+{counts['added']} added", "green"),
            ", ",
            (f"-{counts['removed']} removed", "red"),
            ", ",
            (f"{counts['moved']} moved", "yellow"),
            f", {counts['unchanged']} unchanged",
        )
    )
    for note in report["notes"]:
        out.print(styled(("note:", "yellow"), f" {note}"))
    for change in report["pack_changes"]:
        versions = {
            "added": f"v{change['new_version']}",
            "removed": f"v{change['old_version']}",
            "changed-without-version-bump": f"still v{change['new_version']}: bump its version before it goes live",
        }.get(change["change"], f"v{change['old_version']} -> v{change['new_version']}")
        style = "bold yellow" if change["change"] == "changed-without-version-bump" else ""
        text = f"rule {change['rule_id']}: {change['change']} ({versions})"
        out.print(cell(text, style=style))

    by_change = {
        c: [row for row in report["cases"] if row["change"] == c]
        for c in ("added", "removed", "moved")
    }
    specs = {
        "added": (
            "Added cases",
            ("new rank", "case", "priority", "score", "tenants", "why (rules now firing)"),
        ),
        "removed": (
            "Removed cases",
            ("old rank", "case", "priority", "score", "tenants", "why (rules stopped firing)"),
        ),
        "moved": ("Moved cases", ("rank", "case", "priority", "score", "tenants", "why")),
    }
    for change, rows in by_change.items():
        if not rows:
            continue
        title, columns = specs[change]
        table = Table(title=f"{title} ({len(rows)})")
        for column in columns[:-1]:
            table.add_column(column, no_wrap=True)
        table.add_column(columns[-1], overflow="fold", ratio=1, min_width=28)
        for row in rows[:ROWS_SHOWN]:
            tenants = ", ".join(row["tenant_ids"][:3]) + (
                f" +{len(row['tenant_ids']) - 3}" if len(row["tenant_ids"]) > 3 else ""
            )
            if change == "added":
                cells = (str(row["new_rank"]), row["new_priority"], f"{row['new_score']:.1f}")
                why = "; ".join(row["top_reasons"]) + f" [{', '.join(row['rules_started'])}]"
            elif change == "removed":
                cells = (str(row["old_rank"]), row["old_priority"], f"{row['old_score']:.1f}")
                why = "stopped firing: " + ", ".join(row["rules_stopped"])
            else:
                cells = (
                    f"{row['old_rank']} -> {row['new_rank']}",
                    f"{row['old_priority']} -> {row['new_priority']}"
                    if row["old_priority"] != row["new_priority"]
                    else row["new_priority"],
                    f"{row['old_score']:.1f} -> {row['new_score']:.1f}",
                )
                why = (
                    "; ".join(
                        t
                        for t in (
                            _rules_text(row["rules_started"], "started firing"),
                            _rules_text(row["rules_stopped"], "stopped firing"),
                        )
                        if t
                    )
                    or "reordered among unchanged cases"
                )
            table.add_row(
                *(cell(c) for c in (cells[0], row["case_id"], cells[1], cells[2], tenants, why))
            )
        out.print(table)
        if len(rows) > ROWS_SHOWN:
            out.print(f"... and {len(rows) - ROWS_SHOWN} more {change} cases (see --json)")

    changed_rules = [r for r in report["rules"] if r["tenants_gained"] or r["tenants_lost"]]
    if changed_rules:
        table = Table(title="Rule hits (tenants)")
        for column in ("rule", "baseline", "new", "delta", "gained", "lost"):
            table.add_column(column, justify="left" if column == "rule" else "right")
        for r in changed_rules:
            table.add_row(
                cell(r["rule_id"]),
                str(r["baseline_hits"]),
                str(r["new_hits"]),
                f"{r['delta']:+d}",
                str(len(r["tenants_gained"])),
                str(len(r["tenants_lost"])),
            )
        out.print(table)
    unchanged_rules = len(report["rules"]) - len(changed_rules)
    if unchanged_rules:
        out.print(f"{unchanged_rules} rules hit the same tenants under both packs")
    if "allowlist" in report:
        allow = report["allowlist"]
        out.print(
            cell(
                f"allowlist: {allow['suppressed']} case(s) suppressed under the new pack; "
                f"{len(allow['newly_suppressed'])} newly, {len(allow['no_longer_suppressed'])} no longer"
            )
        )
        for entry, ids in allow["by_entry"].items():
            shown = ", ".join(ids[:ROWS_SHOWN]) + (
                f" +{len(ids) - ROWS_SHOWN}" if len(ids) > ROWS_SHOWN else ""
            )
            out.print(cell(f"  entry {entry}: {len(ids)} case(s): {shown}"))


@click.command()
@audit_input_options
@click.option(
    "--baseline-rules",
    type=PathOrURL(),
    help="Rule pack to compare against (default: the config's `rules:`, else the built-in pack).",
)
@click.option(
    "--against",
    "against",
    metavar="RUN_ID",
    help="Compare with the cases a stored run recorded (needs --store).",
)
@click.option(
    "--store", "store_path", type=STORE, help="Case store (path or URL) holding the --against run."
)
@click.option(
    "--allowlist",
    "allowlist_file",
    type=PathOrURL(),
    help="A new allowlist.yaml: which of the new pack's cases its entries would suppress.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the backtest as JSON.")
@click.option(
    "--out",
    "out_file",
    type=PathOrURL(),
    help="Also write the backtest as JSON to this file (or s3://, gs://, az:// URL).",
)
def backtest(
    config_path,
    rules,
    baseline_rules,
    against,
    store_path,
    allowlist_file,
    as_json,
    out_file,
    **inputs,
) -> int:
    """Show which cases a rule change adds, removes or moves, on the same data, before it goes live.

    --rules NEW_DIR is the changed pack. The baseline is --baseline-rules OLD_DIR, or the
    cases of a stored run (--against RUN_ID --store PATH), or else the pack the config names
    (or the built-in pack). Inputs are read and features built once for both packs.
    """
    from auditor.run import backtest as run_backtest

    if against and baseline_rules:
        raise click.UsageError("give either --against RUN_ID or --baseline-rules DIR, not both")
    # --rules is the new pack here; the config's `rules:` stays the default baseline.
    config = build_config(config_path, **inputs)
    stored = _load_stored_run(store_path, against) if against else None
    result = run_backtest(config, rules, baseline_rules, against=stored, allowlist=allowlist_file)
    report = backtest_report(result)
    text = json_text(report, indent=2)
    if out_file is not None:  # a file or an object URL, written whole (auditor.storage)
        from auditor.storage.outputs import write_output_file

        write_output_file(out_file, (text + "\n").encode("utf-8"), config.storage)
    if as_json:
        click.echo(text)
    else:
        _print(report)
        if out_file is not None:
            info(f"wrote {plain(out_file)}")
    if not result.complete:
        echo(
            "INCOMPLETE: the inputs have coverage gaps; the backtest covers only what was read",
            err=True,
        )
    return 0


# The shared --rules option names the *new* pack here, and it is required.
for _param in backtest.params:
    if _param.name == "rules":
        _param.required = True
        _param.help = "The changed rule pack (NEW_DIR) to backtest."
        _param.metavar = "NEW_DIR"
