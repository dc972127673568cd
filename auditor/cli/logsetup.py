"""Where the `auditor` loggers write, at what level, and in which format (`-v`, `-q`, `--log-format`).

Our log lines are key=value records (`run=... stage=features event=end seconds=1.20`) that
carry ids, counts and seconds, never KYC values. Only the `auditor` loggers are raised to
info or debug: third-party loggers (botocore, urllib3, azure) stay at warning even at -vv,
because their debug output includes request and response bodies, which hold tenant data.

Levels: the default and `-q` show warnings and errors (coverage gaps, unknown instance
types); `-v` adds the stage log at info; `-vv` adds debug. `-q` also silences the
informational console output (summaries, "wrote ..." lines, progress): see `output.py`.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import datetime, timezone

from auditor.cli.safe_text import json_text, plain

LOG_FORMATS = ("text", "json")
_FIELD_RE = re.compile(r"(?:^|\s)([A-Za-z_][\w.]*)=(\S*)")


def level_for(verbosity: int) -> int:
    """-q is -1, nothing 0, -v 1, -vv (or more) 2."""
    if verbosity >= 2:
        return logging.DEBUG
    if verbosity == 1:
        return logging.INFO
    return logging.WARNING


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class TextFormatter(logging.Formatter):
    """`2026-12-01T19:40:01Z INFO auditor.stage stage=features event=end seconds=1.20`, one line each."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name} {plain(record.getMessage())}"
        if record.exc_info and record.levelno >= logging.ERROR:
            line += " error=" + plain(type(record.exc_info[1]).__name__)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and each key=value of the message as a field."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        document: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": message,
        }
        for key, value in _FIELD_RE.findall(message):
            document.setdefault(key, _number(value))
        return json_text(document)


class StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (a test's capture, rich's live redirect)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # a closed pipe must not turn a log line into a crash
            self.handleError(record)


def configure_logging(verbosity: int = 0, log_format: str = "text") -> logging.Handler:
    """Installs the one handler on the `auditor` logger (replacing an earlier one) and returns it."""
    logger = logging.getLogger("auditor")
    for old in [h for h in logger.handlers if isinstance(h, StderrHandler)]:
        logger.removeHandler(old)
    handler = StderrHandler(level=level_for(verbosity))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level_for(verbosity))  # a progress display may lower auditor.stage's own level
    # Our handler shows the records; passing them on as well would print them twice
    # through an application's root handler, or through logging's last-resort one.
    logger.propagate = False
    return handler


def remove_logging(handler: logging.Handler) -> None:
    logger = logging.getLogger("auditor")
    logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)
