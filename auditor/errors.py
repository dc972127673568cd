"""The error tree: every user-facing error carries where in the user's text it happened.

The CLI maps each class to an exit code, so a scheduler can tell a bad input (2) from a
connector outage (3) from a bug (1, the only case that shows a traceback).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2  # bad input: rules, data files, config, arguments
EXIT_CONNECTOR = 3  # a cloud connector could not collect anything at all
EXIT_ALERT = 10  # audit finished and new or escalated cases reach the alert threshold
EXIT_LOCKED = 4  # another run holds the store


@dataclass(frozen=True)
class SourceLocation:
    """A place in a user's file: path plus optional line/column (1-based) or data row."""

    path: str
    line: int | None = None
    column: int | None = None
    row: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.row is not None:
            text += f": row {self.row}"
        return text


@dataclass(frozen=True)
class Problem:
    """One located complaint about user input; errors carry a list of these."""

    location: SourceLocation | None
    message: str
    subject: str | None = None  # e.g. "rule 'hq-d5'" or "column 'created_at'"

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.subject:
            parts.append(self.subject)
        parts.append(self.message)
        return ": ".join(parts)


class AuditorError(Exception):
    """Base of every error the tool expects; the CLI prints it without a traceback."""

    exit_code = EXIT_BUG

    def __init__(self, problems: list[Problem] | str, *, location: SourceLocation | None = None):
        if isinstance(problems, str):
            problems = [Problem(location, problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(AuditorError):
    """A data file, list file or argument the user gave is malformed."""

    exit_code = EXIT_USAGE


class ConfigError(InputError):
    """The audit config file is malformed."""


class RuleError(InputError):
    """One or more rule files are invalid; carries every problem found, not just the first."""


class ConnectorError(AuditorError):
    """A connector could not collect at all (not a partial gap, which is recorded instead)."""

    exit_code = EXIT_CONNECTOR


class StoreLockedError(AuditorError):
    """Another run holds the case store's lock."""

    exit_code = EXIT_LOCKED


def display_path(path: str | Path) -> str:
    """Paths in messages are shown as the user gave them, relative where possible; a URL without its credentials."""
    if "://" in str(path):
        from auditor.redact import redact_url

        return redact_url(str(path))
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class StoreError(InputError):
    """The case store cannot be used: corrupt, read-only, full, or not an auditor store."""


class OutputError(InputError):
    """The output folder cannot be written: a file where a folder should be, a full disk, no permission."""
