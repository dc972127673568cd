"""The case store: runs, cases as each run saw them, and analysts' decisions (append-only).

Open one with `open_store(path_or_url)`; backends are registered in `STORES` by URL scheme.
"""

from auditor.store.base import STORES, CaseSnapshot, CaseStore, Decision, RunRecord, open_store

__all__ = ["STORES", "CaseSnapshot", "CaseStore", "Decision", "RunRecord", "open_store"]
