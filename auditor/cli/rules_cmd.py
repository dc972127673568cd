"""`auditor rules`: validate, test, describe and export the schema of rule packs, without Python."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from collections.abc import Iterator
from contextlib import contextmanager

import click

from auditor.cli.paths import PATH_OR_URL, storage_config_option, storage_of

from auditor.cli.safe_text import cell, echo, plain
from auditor.engine.loader import builtin_rules_dir, load_rule_pack
from auditor.features.vocabulary import feature_kinds

_DIR = PATH_OR_URL


@contextmanager
def _local_pack(directory: Path | str | None, config_path: Path | str | None) -> Iterator[Path]:
    """The pack folder to read: the built-in one, a local folder, or a local copy of an s3://, gs://, az:// prefix.

    Errors raised while reading a copy name the URL (file:line:col under it).
    """
    from auditor.storage.inputs import copies, url_errors

    staged = copies(storage_of(config_path) if isinstance(directory, str) else None)
    try:
        with url_errors(staged):
            yield Path(staged.local(directory, "rules", folder=True) or builtin_rules_dir())
    finally:
        staged.close()


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
@storage_config_option
def validate(directory: Path | str | None, config_path: Path | str | None = None) -> int:
    """Check every rule under DIRECTORY (default: the built-in pack; or an s3://, gs://, az:// prefix); report every problem with file:line:col."""
    with _local_pack(directory, config_path) as local:
        pack = load_rule_pack(local, feature_kinds())
    shown = directory if isinstance(directory, str) else pack.directory
    echo(f"ok: {len(pack.rules)} rules in {plain(shown)} (pack version {pack.version})")
    return 0


@rules.command("test")
@click.argument("directory", type=_DIR, required=False)
@click.option(
    "--require-tests/--no-require-tests",
    default=True,
    help="Fail when a rule lacks a hit and a no-hit case.",
)
@storage_config_option
def test_rules(
    directory: Path | str | None, require_tests: bool, config_path: Path | str | None = None
) -> int:
    """Run the <rule-id>.test.yaml files beside the rules (a folder, or an s3://, gs://, az:// prefix)."""
    from auditor.engine.ruletest import run_rule_tests, untested_rules
    from auditor.storage.inputs import copies

    kinds = feature_kinds()
    with _local_pack(directory, config_path) as local:
        pack = load_rule_pack(local, kinds)
        results = run_rule_tests(pack, local, kinds)
    if isinstance(directory, str):  # results name the URL, not the private copy
        relabel = copies()
        relabel.origins[str(local)] = directory
        results = [
            dataclasses.replace(
                r,
                file=relabel.url_of(r.file),
                location=dataclasses.replace(r.location, path=relabel.url_of(r.location.path)),
            )
            for r in results
        ]
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
@storage_config_option
def list_rules(directory: Path | str | None, config_path: Path | str | None = None) -> int:
    """List the rules of a pack with severity and weight (a folder, or an s3://, gs://, az:// prefix)."""
    from rich.table import Table

    with _local_pack(directory, config_path) as local:
        pack = load_rule_pack(local, feature_kinds())
    from auditor.cli.output import console

    table = Table(title=f"{len(pack.rules)} rules, pack {pack.version}")
    for column in ("id", "v", "severity", "weight", "title"):
        table.add_column(column)
    for r in sorted(pack.rules, key=lambda r: (-r.weight, r.id)):
        table.add_row(cell(r.id), str(r.version), cell(r.severity), f"{r.weight:g}", cell(r.title))
    console().print(table)
    return 0
