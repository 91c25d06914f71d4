"""The scoring math: leaf achievement formulas, deadlines, and aggregation by policy.

Pure functions on floats and dates, no plan and no I/O, so that property tests can drive them
directly. Achievements and scores are fractions (1.0 is 100 %). A score that cannot be computed
is a `Missing` value carrying its reason, never None or an exception: aggregation absorbs it
according to the plan's missing-data policy.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from enum import Enum

import attrs

from ..model import Direction, Formula, LateKind, LateRule, MissingPolicy

# Two measured values this close (relative) are equal: values come from decimal text.
_EQUAL_TOLERANCE = 1e-9


class Reason(str, Enum):
    NOT_REPORTED = "missing"  # the value is N/D (null, or no entry at all)
    NOT_DUE = "not_due"  # a deadline not yet reached at the monitoring date
    NO_WEIGHT = "no_weight"  # an aggregate whose children all weigh 0 %


@attrs.frozen
class Missing:
    reason: Reason

    @property
    def status(self) -> str:
        return "not_due" if self.reason is Reason.NOT_DUE else "missing"


NOT_REPORTED = Missing(Reason.NOT_REPORTED)
NOT_DUE = Missing(Reason.NOT_DUE)
NO_WEIGHT = Missing(Reason.NO_WEIGHT)

Score = float | Missing


def _equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_EQUAL_TOLERANCE, abs_tol=_EQUAL_TOLERANCE)


def raw_achievement(direction: Direction, target: float, value: float,
                    formula: Formula = Formula.DEVIATION) -> float:
    """Achievement before floor and cap (may exceed 1 or be negative).

    The default is a distance, not a ratio: `1 + (v − t)/|t|` for `>=` and `1 − (v − t)/|t|`
    for `<=`. For a positive `>=` target it equals v/t; for a negative `<=` target (payment
    days −18) a ratio would call −17.82 better than −18, the distance rightly gives 99 %.
    """
    if direction is Direction.EQUAL:
        return 1.0 if _equal(value, target) else 0.0
    better = value >= target if direction is Direction.AT_LEAST else value <= target
    if target == 0 or _equal(value, target):
        # Division by zero has no meaning here: the target is reached or it is not.
        return 1.0 if better or _equal(value, target) else 0.0
    if formula is Formula.RATIO:
        return _sign_aware_ratio(direction, target, value, better)
    deviation = (value - target) / abs(target)
    return 1.0 + deviation if direction is Direction.AT_LEAST else 1.0 - deviation


def _sign_aware_ratio(direction: Direction, target: float, value: float, better: bool) -> float:
    """v/t or t/v, whichever grows as the value gets better; reached/not when signs differ."""
    if value == 0 or (value > 0) != (target > 0):
        return 1.0 if better else 0.0
    grows_with_value = (direction is Direction.AT_LEAST) == (target > 0)
    return value / target if grows_with_value else target / value


def bounded(raw: float, floor: float, cap: float) -> float:
    return min(max(raw, floor), cap)


def deadline_achievement(due: dt.date, completed: dt.date | None, as_of: dt.date | None,
                         late: LateRule) -> Score:
    """Done on or before the due date: 1. Not done: N/D until due, then 0. Late: the plan's rule."""
    if completed is None:
        if as_of is None or as_of <= due:
            return NOT_DUE
        return 0.0
    if completed <= due:
        return 1.0
    if late.kind is LateKind.FIXED:
        return late.share
    if late.kind is LateKind.LINEAR:
        days_late = (completed - due).days
        return max(0.0, 1.0 - days_late / late.days)
    return 0.0


def aggregate(children: Sequence[tuple[float, Score]], policy: MissingPolicy) -> Score:
    """A parent's score from its children's (weight as a fraction, score) pairs.

    Children weighing 0 are shown but never counted. Under `counts_zero` an N/D child keeps its
    weight and counts 0, and a parent whose weighted children are all N/D is N/D itself. Under
    `excluded` N/D children are dropped and the remaining weights re-normalised.
    """
    weighted = [(w, s) for w, s in children if w > 0]
    if not weighted:
        return NO_WEIGHT
    scored = [(w, s) for w, s in weighted if not isinstance(s, Missing)]
    if not scored:
        reasons = {s.reason for _, s in weighted if isinstance(s, Missing)}
        return NOT_DUE if reasons == {Reason.NOT_DUE} else NOT_REPORTED
    total = 0.0
    for weight, score in scored:
        assert not isinstance(score, Missing)
        total += weight * score
    if policy is MissingPolicy.EXCLUDED:
        return total / sum(w for w, _ in scored)
    # Weights may sum to 100 % ± 0.01 (33.34 × 2 + 33.33): dividing by their sum keeps a parent
    # of children all at 100 % at exactly 100 %; with an exact 100 % it changes nothing.
    return total / sum(w for w, _ in weighted)


def band_of(score: Score, bands: Sequence[tuple[str, float]]) -> str | None:
    """The band a score falls in: the last band whose lower bound it reaches (bands ascend)."""
    if isinstance(score, Missing):
        return None
    found = None
    for name, lower in bands:
        # A score equal to the bound belongs to the band: 50 % is not "below 50 %".
        if score >= lower - 1e-12:
            found = name
    return found
