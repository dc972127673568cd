"""The screening algorithms' names and default thresholds, and what run.json records of them.

Constants only, so that a run which screens nothing (one that reused an earlier answer) can
say what was screened with without importing the matchers.
"""

from __future__ import annotations

NAME_V1 = "name-v1"
THRESHOLD_V1 = 0.88
NAME_V2 = "name-v2"
DEFAULT_THRESHOLD_V2 = 0.86
ADDRESS_ALGORITHM = "address-v1"
DEFAULT_ADDRESS_THRESHOLD = 0.85

ALGORITHMS: dict[str, str] = {
    NAME_V1: "v1: core-name ratios, one-edit typo bonus, token coverage",
    NAME_V2: "v2: canonical words (abbreviations, slipped common words, legal phrases), typo-tolerant word alignment, list evidence",
}
DEFAULT_THRESHOLDS = {NAME_V1: THRESHOLD_V1, NAME_V2: DEFAULT_THRESHOLD_V2}
# The one place that says what the audit screens names with, and at what score.
DEFAULT_ALGORITHM = NAME_ALGORITHM = NAME_V2
DEFAULT_THRESHOLD = DEFAULT_THRESHOLDS[DEFAULT_ALGORITHM]


def algorithm_record(
    algorithm: str | None = None, threshold: float | None = None
) -> dict[str, object]:
    """What a run screened with, for run.json: algorithm names, versions and thresholds."""
    name = algorithm or DEFAULT_ALGORITHM
    return {
        "name_algorithm": name,
        "name_threshold": DEFAULT_THRESHOLDS[name] if threshold is None else threshold,
        "address_algorithm": ADDRESS_ALGORITHM,
        "address_threshold": DEFAULT_ADDRESS_THRESHOLD,
    }
