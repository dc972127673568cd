"""`-v`, `-q` and `--log-format`: one set of console settings per invocation, on every command.

The options sit on the `auditor` group (`auditor -v audit ...`) and are added to every
subcommand as well (`auditor audit ... -v`), so they work wherever the user types them.
The settings live on the root click context, not in a module global, so running the CLI
twice in one process (the tests do) starts clean each time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click

from auditor.cli.logsetup import LOG_FORMATS, configure_logging, remove_logging
from auditor.cli.progress import StageProgress, progress_wanted

_MARK = "_auditor_console_options"


@dataclass
class ConsoleSettings:
    """What this invocation shows: verbosity -1 (quiet), 0, 1 (-v), 2 (-vv); text or json logs."""

    verbosity: int = 0
    log_format: str = "text"
    handlers: list[logging.Handler] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    def apply(self) -> None:
        """(Re)installs the log handler and, on a terminal, the stage progress display."""
        self.release()
        self.handlers.append(configure_logging(self.verbosity, self.log_format))
        if progress_wanted(self.quiet):
            progress = StageProgress()
            stages = logging.getLogger("auditor.stage")
            stages.addHandler(progress)
            # The display needs the stage records even when the log shows only warnings;
            # the log handler's own level still keeps them off stderr.
            stages.setLevel(min(logging.INFO, logging.getLogger("auditor").level))
            self.handlers.append(progress)

    def release(self) -> None:
        """Removes what `apply` installed; stops a progress display still on screen."""
        for handler in self.handlers:
            if isinstance(handler, StageProgress):
                logging.getLogger("auditor.stage").removeHandler(handler)
                logging.getLogger("auditor.stage").setLevel(logging.NOTSET)
                handler.close()
            else:
                remove_logging(handler)
        self.handlers.clear()

    def stop_progress(self) -> None:
        """Called before a command prints its summary, so the two never interleave."""
        for handler in self.handlers:
            if isinstance(handler, StageProgress):
                handler.stop()


def settings(ctx: click.Context | None = None) -> ConsoleSettings:
    """This invocation's settings (defaults outside a click command, e.g. a library call)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return ConsoleSettings()
    root = ctx.find_root()
    if not isinstance(root.obj, ConsoleSettings):
        root.obj = ConsoleSettings()
    return root.obj


def _set_verbose(ctx: click.Context, _: click.Parameter, count: int) -> None:
    if count:
        s = settings(ctx)
        if s.quiet:
            raise click.UsageError("-v and -q contradict each other; give one")
        s.verbosity = min(2, max(s.verbosity, 0) + count)
        s.apply()


def _set_quiet(ctx: click.Context, _: click.Parameter, quiet: bool) -> None:
    if quiet:
        s = settings(ctx)
        if s.verbosity > 0:
            raise click.UsageError("-v and -q contradict each other; give one")
        s.verbosity = -1
        s.apply()


def _set_format(ctx: click.Context, _: click.Parameter, log_format: str | None) -> None:
    if log_format is not None:
        s = settings(ctx)
        s.log_format = log_format
        s.apply()


def console_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds -v/-q/--log-format (eager, not passed to the function) to a command function."""
    options = [
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            is_eager=True,
            callback=_set_verbose,
            help="Show the stage log (start, end, seconds, row counts); -vv adds debug lines.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_set_quiet,
            help="Show only warnings and errors (and what the command was asked for).",
        ),
        click.option(
            "--log-format",
            type=click.Choice(LOG_FORMATS),
            default=None,
            expose_value=False,
            is_eager=True,
            callback=_set_format,
            help="Log lines as key=value text (default) or JSON, on stderr.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def add_console_options(command: click.Command) -> click.Command:
    """Gives a (lazily imported) command and all its subcommands the console options, once."""
    if getattr(command, _MARK, False):
        return command
    names = {opt for p in command.params for opt in getattr(p, "opts", [])}
    if not names & {"-v", "--verbose", "-q", "--quiet", "--log-format"}:
        command.params.extend(_console_params())
    setattr(command, _MARK, True)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_console_options(sub)
    return command


def _console_params() -> list[click.Parameter]:
    holder: Callable[..., Any] = console_options(lambda: None)
    params: list[click.Parameter] = list(reversed(getattr(holder, "__click_params__", [])))
    return params
