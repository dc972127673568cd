"""Importers of published ownership data into the `ownership` and `parties` tables, one module per format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.ownership.importers.bods import import_bods
from auditor.ownership.importers.common import Imported, write_tables
from auditor.ownership.importers.ftm import import_ftm
from auditor.ownership.importers.gleif import import_gleif

# format name -> importer. One spelling per name.
IMPORTERS: dict[str, Callable[[Path], Imported]] = {
    "bods": import_bods,
    "gleif": import_gleif,
    "ftm": import_ftm,
}

__all__ = ["IMPORTERS", "Imported", "write_tables"]
