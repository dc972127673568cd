"""The `auditor` command: a click group whose subcommands live one module each.

Subcommands are registered by import path and imported lazily, so `auditor --help` stays
fast and a missing optional SDK only matters to the command that needs it. Errors the
tool expects (`AuditorError`) print as located messages with their exit code, never as a
traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from auditor import __version__
from auditor.errors import AuditorError

# command name -> "module:attribute" of a click.Command. One spelling per name.
COMMANDS: dict[str, str] = {
    "audit": "auditor.cli.audit_cmd:audit",
    "investigate": "auditor.cli.investigate_cmd:investigate",
    "rules": "auditor.cli.rules_cmd:rules",
    "screen": "auditor.cli.screen_cmd:screen",
    "lists": "auditor.cli.lists_cmd:lists",
    "collect": "auditor.cli.collect_cmd:collect",
    "catalog": "auditor.cli.catalog_cmd:catalog",
    "cases": "auditor.cli.cases_cmd:cases",
    "ownership": "auditor.cli.ownership_cmd:ownership",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("auditor"):
                return None  # command not built yet in this checkout
            raise
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Audit a compute provider's tenants for indirect access to export-restricted AI accelerators."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the group and turns expected errors into messages and exit codes."""
    try:
        rv = cli.main(args=argv, standalone_mode=False)
    except AuditorError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return rv if isinstance(rv, int) else 0



def run() -> None:
    """Console-script entry: exits with main()'s code."""
    sys.exit(main())
