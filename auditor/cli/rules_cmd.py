"""`auditor rules`: validate, test, describe and export the schema of rule packs, without Python."""

from __future__ import annotations

import json
from pathlib import Path

import click

from auditor.cli.safe_text import cell, echo, plain
from auditor.engine.loader import builtin_rules_dir, load_rule_pack
from auditor.features.vocabulary import feature_kinds

_DIR = click.Path(path_type=Path)


class _RulesGroup(click.Group):
    """`rules backtest` lives in its own module and is imported only when it runs (or is listed)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, "backtest", "calibrate"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "calibrate" and name not in self.commands:
            from auditor.cli.calibrate_cmd import calibrate

            self.add_command(calibrate)
        if name == "backtest" and name not in self.commands:
            from auditor.cli.backtest_cmd import backtest
            from auditor.cli.console_settings import add_console_options

            self.add_command(add_console_options(backtest))
        return self.commands.get(name)


@click.group(cls=_RulesGroup)
def rules() -> None:
    """Write, validate, test and inspect YAML rules."""


@rules.command()
@click.argument("directory", type=_DIR, required=False)
def validate(directory: Path | None) -> int:
    """Check every rule under DIRECTORY (default: the built-in pack); report every problem with file:line:col."""
    pack = load_rule_pack(directory or builtin_rules_dir(), feature_kinds())
    echo(f"ok: {len(pack.rules)} rules in {plain(pack.directory)} (pack version {pack.version})")
    return 0


@rules.command("test")
@click.argument("directory", type=_DIR, required=False)
@click.option(
    "--require-tests/--no-require-tests",
    default=True,
    help="Fail when a rule lacks a hit and a no-hit case.",
)
def test_rules(directory: Path | None, require_tests: bool) -> int:
    """Run the <rule-id>.test.yaml files beside the rules."""
    from auditor.engine.ruletest import run_rule_tests, untested_rules

    directory = directory or builtin_rules_dir()
    kinds = feature_kinds()
    pack = load_rule_pack(directory, kinds)
    results = run_rule_tests(pack, directory, kinds)
    failed = [r for r in results if not r.passed]
    for r in failed:
        echo(
            f"FAIL {plain(r.location)}: rule '{plain(r.rule_id)}': {plain(r.name)}: expected {plain(r.expected)}, got {plain(r.actual)}",
            err=True,
        )
    missing = untested_rules(pack, results)
    for rule_id in missing:
        echo(
            f"{'FAIL' if require_tests else 'warn'} rule '{plain(rule_id)}': needs at least one 'hit' and one 'no-hit' test case",
            err=True,
        )
    passed = len(results) - len(failed)
    echo(f"{passed} passed, {len(failed)} failed ({len(pack.rules)} rules)")
    return 1 if failed or (require_tests and missing) else 0


@rules.command()
def schema() -> int:
    """Print the JSON Schema of a rule file, for editors (e.g. yaml-language-server)."""
    from auditor.engine.spec import RuleSpec

    document = RuleSpec.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "auditor rule"
    click.echo(json.dumps(document, indent=2))
    return 0


@rules.command()
def features() -> int:
    """Print the feature columns rules can read (Markdown)."""
    from auditor.features.vocabulary import render_markdown

    click.echo(render_markdown())
    return 0


@rules.command("list")
@click.argument("directory", type=_DIR, required=False)
def list_rules(directory: Path | None) -> int:
    """List the rules of a pack with severity and weight."""
    from rich.table import Table

    pack = load_rule_pack(directory or builtin_rules_dir(), feature_kinds())
    from auditor.cli.output import console

    table = Table(title=f"{len(pack.rules)} rules, pack {pack.version}")
    for column in ("id", "v", "severity", "weight", "title"):
        table.add_column(column)
    for r in sorted(pack.rules, key=lambda r: (-r.weight, r.id)):
        table.add_row(cell(r.id), str(r.version), cell(r.severity), f"{r.weight:g}", cell(r.title))
    console().print(table)
    return 0
