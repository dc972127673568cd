"""The `auditor` command: a click group whose subcommands live one module each.

Subcommands are registered by import path and imported lazily, so `auditor --help` stays
fast (it lists the commands from SUMMARIES without importing them) and a missing optional
SDK only matters to the command that needs it. `-v`, `-q` and `--log-format` are accepted
on the group and on every command (console_settings.py). Errors the
tool expects (`AuditorError`) print as located messages with their exit code, never as a
traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from auditor import __version__
from auditor.cli.console_settings import ConsoleSettings, add_console_options, console_options
from auditor.cli.safe_text import echo
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
    "store": "auditor.cli.store_cmd:store",
    "console": "auditor.cli.console_cmd:console",
    "notify": "auditor.cli.notify_cmd:notify",
    "allowlist": "auditor.cli.allowlist_cmd:allowlist",
}

# command name -> its one-line help, as `auditor --help` lists it without importing the
# command (tests/cli/test_fast_start.py checks each matches the command's own help).
SUMMARIES: dict[str, str] = {
    "audit": "Score every tenant and write the prioritized review queue.",
    "investigate": "Show one tenant's profile, features, every rule's outcome with its values, links and case.",
    "rules": "Write, validate, test and inspect YAML rules.",
    "screen": "Screen names against restricted-party lists; one JSON line per name.",
    "lists": "Restricted-party list files: download and inspect.",
    "collect": "Collect tenants, GPU usage and sign-ins from a cloud provider into a snapshot folder.",
    "catalog": "Instance types, the accelerators they carry and their export classification.",
    "cases": "Work the review queue kept in the case store (`auditor audit --store`).",
    "ownership": "Ownership data: import registers and relationship files into the tables `audit --ownership` reads.",
    "store": "The case store itself: verify its audit trail, back it up.",
    "console": "The analysts' web console: serve it, and manage its users and API keys.",
    "notify": "Notifications: deliver the outbox, test a channel, list what waits.",
    "allowlist": "Allowlists that expire: validate entries before they go live, list and export the console's.",
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
        return add_console_options(getattr(module, attr))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from SUMMARIES, so `--help` imports no command module."""
        rows = []
        for name in self.list_commands(ctx):
            summary = SUMMARIES.get(name)
            if summary is None:  # a command registered without a summary: ask it
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                summary = command.get_short_help_str()
            rows.append((name, summary))
        if rows:
            # As click's own listing: each summary cut to what fits beside the widest name.
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, _shortened(summary, limit)) for name, summary in rows])


def _shortened(summary: str, limit: int) -> str:
    """Cut at a word boundary with '...', as click shortens a command's help."""
    if len(summary) <= limit:
        return summary
    return summary[: max(0, limit - 3)].rsplit(" ", 1)[0].rstrip(" ,;:") + "..."


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
@console_options
def cli() -> None:
    """Audit a compute provider's tenants for indirect access to export-restricted AI accelerators."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the group and turns expected errors into messages and exit codes."""
    console = ConsoleSettings()
    console.apply()  # warnings formatted from the start, before any option is parsed
    try:
        rv = cli.main(args=argv, standalone_mode=False, obj=console)
    except AuditorError as exc:
        console.stop_progress()
        for problem in exc.problems:
            echo(f"error: {problem}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    finally:
        console.release()
    return rv if isinstance(rv, int) else 0


def run() -> None:
    """Console-script entry: exits with main()'s code."""
    sys.exit(main())
