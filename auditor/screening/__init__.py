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

from auditor.lazyexports import lazy_attributes

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

__getattr__ = lazy_attributes(__name__, _WHERE)
