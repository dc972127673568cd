"""Per rule: cases fired on, confirmed / dismissed / open, precision with a Wilson interval.

Precision is confirmed / (confirmed + dismissed): what share of the decided cases a rule
fired on the analysts found real. With few decisions the point estimate says little, so it
comes with the Wilson score interval (95 % by default), which stays inside [0, 1] and is
sensible at 0 or n successes -- unlike the normal approximation. A rule that never fired is
listed, as is one that fired only beside other rules (its precision is then not its own).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from auditor.calibration.evidence import LabelledCase

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion; None without trials."""
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes}/{trials}")
    if trials == 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class RuleCalibration:
    rule_id: str
    weight: float | None  # in the current pack; None when the rule is no longer in it
    fired: int
    confirmed: int
    dismissed: int
    open: int
    alone: int  # cases where it was the only rule
    fired_with: dict[str, int] = field(default_factory=dict)  # other rule -> cases together

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.confirmed, self.decided)


def calibrate_rules(cases: list[LabelledCase], weights: dict[str, float]) -> list[RuleCalibration]:
    """One entry per rule in the pack or in any case, pack order first, then the rest by id."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    together: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case in cases:
        for rule in case.rules:
            counts[rule][case.outcome] += 1
            counts[rule]["fired"] += 1
            if len(case.rules) == 1:
                counts[rule]["alone"] += 1
            for other in case.rules - {rule}:
                together[rule][other] += 1
    order = list(weights) + sorted(set(counts) - set(weights))
    return [
        RuleCalibration(
            rule_id=rule,
            weight=weights.get(rule),
            fired=counts[rule]["fired"],
            confirmed=counts[rule]["confirmed"],
            dismissed=counts[rule]["dismissed"],
            open=counts[rule]["open"],
            alone=counts[rule]["alone"],
            fired_with=dict(sorted(together[rule].items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        for rule in order
    ]


def never_fired(rules: list[RuleCalibration]) -> list[str]:
    return [r.rule_id for r in rules if r.fired == 0]


def only_with_others(rules: list[RuleCalibration]) -> list[str]:
    """Rules that fired, but never as a case's only rule."""
    return [r.rule_id for r in rules if r.fired and r.alone == 0]
