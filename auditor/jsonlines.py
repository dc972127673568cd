"""JSON Lines as a person debugs them: every bad line reported with its number and column.

Used by every reader of `.jsonl` input (data tables, names to screen, list files), so a
broken line always gets the same located message.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.errors import InputError, Problem, SourceLocation

MAX_PROBLEMS = 20


class KeyedOnce(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once (json keeps the last silently)."""

    repeated: tuple[str, ...] = ()


def keys_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` for json.loads: builds the object and notes any repeated key."""
    obj = KeyedOnce(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        obj.repeated = tuple(repeated)
    return obj


def repeated_keys(value: Any) -> list[str]:
    """Keys given twice anywhere inside a parsed value (objects within lists and objects included)."""
    stack, found = [value], []
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found += list(getattr(item, "repeated", ()))
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return found


def parse_json_lines(text: str, shown: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; InputError listing each line that is not a JSON object."""
    objects: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if len(problems) >= MAX_PROBLEMS:
            break
        if not line.strip():
            continue
        try:
            item = json.loads(line, object_pairs_hook=keys_once)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(
                    SourceLocation(shown, line=lineno, column=exc.colno),
                    f"cannot parse JSON: {exc.msg}",
                )
            )
            continue
        except RecursionError:
            problems.append(
                Problem(
                    SourceLocation(shown, line=lineno),
                    "JSON nested too deeply; expected an object of values and lists",
                )
            )
            continue
        if not isinstance(item, dict):
            problems.append(
                Problem(SourceLocation(shown, line=lineno), "line is not a JSON object")
            )
            continue
        repeated = repeated_keys(item)
        if repeated:
            problems.append(
                Problem(
                    SourceLocation(shown, line=lineno),
                    f"key '{repeated[0]}' appears more than once in this object; each key may appear once",
                )
            )
            continue
        objects.append((lineno, item))
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return objects
