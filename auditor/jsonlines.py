"""JSON Lines as a person debugs them: every bad line reported with its number and column.

Used by every reader of `.jsonl` input (data tables, names to screen, list files), so a
broken line always gets the same located message.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.errors import InputError, Problem, SourceLocation

MAX_PROBLEMS = 20


def parse_json_lines(text: str, shown: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; InputError listing each line that is not a JSON object."""
    objects: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(SourceLocation(shown, line=lineno, column=exc.colno), f"cannot parse JSON: {exc.msg}"))
            continue
        if not isinstance(item, dict):
            problems.append(Problem(SourceLocation(shown, line=lineno), "line is not a JSON object"))
            continue
        objects.append((lineno, item))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return objects
