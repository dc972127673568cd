"""Python's cyclic garbage collector paused while a run turns its tables into many small objects.

Case records, the store's snapshots and the reports' rows are trees of dicts and lists: tens
of thousands of cases make millions of objects, and every 700 new objects the collector
runs, every so often over all of them, looking for cycles that such trees cannot have. At
200,000 tenants that was about half of the time of building the case records. Reference
counting still frees every object as usual; only the search for cycles waits until the block
ends (and then runs as it would have).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block runs without cyclic collections; nested pauses leave the outermost to re-enable it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep_out_of_collections() -> None:
    """Objects alive now are left out of every later collection (`gc.freeze`): for a process that
    has just loaded millions of long-lived ones (an earlier run's case records), which each
    full collection would otherwise walk again. They are still freed by reference counting."""
    gc.freeze()
