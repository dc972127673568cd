"""What a run says about ownership as a whole: the regimes and their status, verdict counts, warnings (run.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from auditor.ownership.assess import VERDICT_NAMES
from auditor.ownership.regimes import Regime


def manifest(assessment: Any, regimes: list[Regime], as_of: datetime) -> dict[str, Any]:
    described = [r.describe(as_of) for r in regimes]
    if assessment is None:
        return {
            "regimes": described,
            "assessed": False,
            "reason": "no restricted-party list was given: no seeds to test ownership against",
        }
    data = assessment.data
    out: dict[str, Any] = {
        "regimes": described,
        "assessed": True,
        "inputs": sorted(data.sources),
        "edges": data.edges.height,
        "edges_from_kyc": int(data.edges["origin"].cast(pl.String).str.starts_with("kyc:").sum()),
        "nodes": data.nodes.height,
        "parties_tied_by_identifier": data.ties.height,
        "warnings": assessment.warnings,
        "verdicts": {},
    }
    for a in assessment.regimes:
        tenant = a.graph.nodes["is_tenant"].to_numpy()
        codes, counts = np.unique(a.verdict_codes()[tenant], return_counts=True)
        values = [VERDICT_NAMES[c] for c in codes]
        out["verdicts"][a.regime.id] = {
            "status": a.status,
            "seeds": int(a.seeds["certain"].sum()),
            "possible_seeds": int((~a.seeds["certain"]).sum()),
            "tenants": {str(v): int(c) for v, c in zip(values, counts)},
            "edges_counted": a.graph.edges.height,
            "edges_not_counted": a.graph.not_counted.height,
        }
    return out
