"""The weights the decisions support: an L2-regularised logistic fit on confirmed vs dismissed.

Each decided case is a row: 1 for every rule that fired on it, labelled 1 when confirmed and 0
when dismissed. The fit is logit P(confirmed) = b + sum of beta_r over the rules that fired,
with a penalty lambda / 2 * sum beta_r^2 (not on b) that keeps the coefficients finite when a
rule separates the labels perfectly and pulls rules with little evidence towards the
intercept. It is solved by Newton's method (the problem is strictly convex).

weighted-v1 reads a rule's weight as "how likely this signal alone means a real problem"
(scoring/weighted.py), so the supported weight of rule r is 100 * sigmoid(b + beta_r): the
fitted probability that a case on which only r fired is confirmed. It is shown beside the
current weight and never applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from auditor.calibration.evidence import LabelledCase

DEFAULT_PENALTY = 1.0
MAX_STEPS = 100
TOLERANCE = 1e-10


@dataclass(frozen=True)
class WeightFit:
    intercept: float
    coefficients: dict[str, float]  # rule -> beta
    supported_weights: dict[str, float]  # rule -> 100 * sigmoid(b + beta), 0-100
    cases: int  # decided cases the fit used
    penalty: float
    converged: bool


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def fit_weights(cases: list[LabelledCase], penalty: float = DEFAULT_PENALTY) -> WeightFit | None:
    """The fit over the decided cases; None unless there is at least one confirmed and one dismissed."""
    if penalty <= 0:
        raise ValueError("the penalty must be positive (it keeps the fit finite)")
    decided = [c for c in cases if c.outcome in ("confirmed", "dismissed")]
    labels = [c.outcome == "confirmed" for c in decided]
    if not (any(labels) and not all(labels)):
        return None
    rules = sorted({r for c in decided for r in c.rules})
    x = np.zeros((len(decided), len(rules) + 1))
    x[:, 0] = 1.0
    column = {r: i + 1 for i, r in enumerate(rules)}
    for row, case in enumerate(decided):
        for rule in case.rules:
            x[row, column[rule]] = 1.0
    y = np.array(labels, dtype=float)
    ridge = np.full(len(rules) + 1, penalty)
    ridge[0] = 0.0  # the intercept is not penalised
    w = np.zeros(len(rules) + 1)
    converged = False
    for _ in range(MAX_STEPS):
        p = _sigmoid(x @ w)
        gradient = x.T @ (p - y) + ridge * w
        hessian = (x.T * (p * (1 - p))) @ x + np.diag(ridge) + 1e-12 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.max(np.abs(step))) < TOLERANCE:
            converged = True
            break
    b = float(w[0])
    coefficients = {r: float(w[column[r]]) for r in rules}
    return WeightFit(
        intercept=b,
        coefficients=coefficients,
        supported_weights={
            r: 100.0 / (1.0 + math.exp(-(b + beta))) for r, beta in coefficients.items()
        },
        cases=len(decided),
        penalty=penalty,
        converged=converged,
    )
