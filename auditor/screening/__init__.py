"""Restricted-party screening: official lists in, explained name and address matches out.

`load_lists` reads the Consolidated Screening List as trade.gov publishes it (CSV or
JSON), `ScreeningIndex.build` indexes its names, aliases and addresses for blocking, and
`match_names` / `match_addresses` score candidates with named features. The `screen`
command and the audit's screening features both go through this one path.
"""

from auditor.screening.lists import ListSet, load_lists, source_code
from auditor.screening.index import DEFAULT_THRESHOLD, NAME_ALGORITHM, ScreeningIndex
from auditor.screening.matcher import ADDRESS_ALGORITHM, DEFAULT_ADDRESS_THRESHOLD
from auditor.screening.normalize import normalize_name, transliterate

__all__ = [
    "ADDRESS_ALGORITHM",
    "DEFAULT_ADDRESS_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "NAME_ALGORITHM",
    "ListSet",
    "ScreeningIndex",
    "load_lists",
    "normalize_name",
    "source_code",
    "transliterate",
]
