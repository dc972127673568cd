"""Restricted-party screening: official lists in, explained name and address matches out.

`load_lists` reads the Consolidated Screening List as trade.gov publishes it (CSV or
JSON), `ScreeningIndex.build` indexes its names, aliases and addresses for blocking, and
`match_names` / `match_addresses` score candidates with named features. The `screen`
command and the audit's screening features both go through this one path.

The names below are imported when first asked for (PEP 562): importing a light submodule
(`auditor.screening.algorithms`, what run.json says was screened with) must not pull in the
matcher, rapidfuzz and numpy, nearly a second of a run that reused its answer.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "ListSet": "lists",
    "load_lists": "lists",
    "source_code": "lists",
    "ScreeningIndex": "index",
    "DEFAULT_THRESHOLD": "algorithms",
    "NAME_ALGORITHM": "algorithms",
    "ADDRESS_ALGORITHM": "algorithms",
    "DEFAULT_ADDRESS_THRESHOLD": "algorithms",
    "normalize_name": "normalize",
    "transliterate": "normalize",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'auditor.screening' has no attribute {name!r}")
    return getattr(import_module(f"auditor.screening.{_WHERE[name]}"), name)
