"""The few SQL spellings SQLite and PostgreSQL do not share: reading JSON held in TEXT columns, a forced join order.

Everything else the store says is written once, in SQL both accept (pg_connection.py turns
placeholders and SQLite's `INSERT OR REPLACE/IGNORE` into PostgreSQL's); the queue's
filters read inside the case records, and that is where the two databases differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")


def json_path_steps(path: str) -> list[str]:
    """SQLite's '$.tenants[0].country' as the steps ['tenants', '0', 'country']."""
    if not path.startswith("$"):
        raise ValueError(f"a JSON path starts with '$': {path!r}")
    rest, steps = path[1:], []
    while rest:
        m = _STEP.match(rest)
        if m is None:
            raise ValueError(f"unsupported JSON path {path!r}")
        steps.append(m.group(1) or m.group(2))
        rest = rest[m.end() :]
    return steps


@dataclass(frozen=True)
class SQLiteJson:
    """SQLite's JSON1 functions over TEXT."""

    # SQLite's CROSS JOIN keeps the order written (its planner never reorders it); an ON is allowed.
    forced_join: str = "CROSS JOIN"

    def text(self, expr: str, path: str) -> str:
        """The scalar at `path` (as text, number, or NULL)."""
        return f"json_extract({expr}, '{path}')"

    def is_true(self, expr: str, path: str) -> str:
        return f"(json_extract({expr}, '{path}') = 1)"

    def elements(self, expr: str, alias: str, path: str | None = None) -> str:
        """A FROM item: one row per element of the array, its element in `alias.value` (for `.text`)."""
        where = f", '{path}'" if path else ""
        return f"json_each({expr}{where}) {alias}"

    def element_text(self, alias: str, path: str) -> str:
        return f"json_extract({alias}.value, '{path}')"

    def scalars(self, expr: str, alias: str) -> str:
        """A FROM item over an array of strings, each as text in `alias.value`."""
        return f"json_each({expr}) {alias}"

    def contains(self, haystack: str, needle: str) -> str:
        return f"(instr({haystack}, {needle}) > 0)"

    def id_list(self, param: str) -> str:
        """A subquery of the strings of a JSON array parameter, as `case_id`."""
        return f"SELECT value AS case_id FROM json_each({param})"


@dataclass(frozen=True)
class PostgresJson:
    """PostgreSQL's jsonb operators over the same TEXT columns (cast per use)."""

    forced_join: str = "JOIN"  # its planner chooses the order; CROSS JOIN takes no ON

    @staticmethod
    def _steps(path: str) -> str:
        return "'{" + ",".join(json_path_steps(path)) + "}'"

    def text(self, expr: str, path: str) -> str:
        return f"(({expr})::jsonb #>> {self._steps(path)})"

    def is_true(self, expr: str, path: str) -> str:
        return f"((({expr})::jsonb #> {self._steps(path)}) = 'true'::jsonb)"

    def elements(self, expr: str, alias: str, path: str | None = None) -> str:
        target = f"(({expr})::jsonb #> {self._steps(path)})" if path else f"({expr})::jsonb"
        return f"jsonb_array_elements(coalesce({target}, '[]'::jsonb)) AS {alias}(value)"

    def element_text(self, alias: str, path: str) -> str:
        return f"({alias}.value #>> {self._steps(path)})"

    def scalars(self, expr: str, alias: str) -> str:
        return (
            f"jsonb_array_elements_text(coalesce(({expr})::jsonb, '[]'::jsonb)) AS {alias}(value)"
        )

    def contains(self, haystack: str, needle: str) -> str:
        return f"(strpos({haystack}, {needle}) > 0)"

    def id_list(self, param: str) -> str:
        return f"SELECT q.value AS case_id FROM jsonb_array_elements_text(CAST({param} AS jsonb)) AS q(value)"


JsonDialect = SQLiteJson | PostgresJson
