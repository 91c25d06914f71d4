"""The scoring method, in one place: every leaf kind, the equality tolerance, floor and cap,
every aggregation, and N/D as a value.

This is the module an auditor reads. Each leaf kind (`LeafKind`) and each aggregation
(`Aggregation`) has its scalar form (floats and dates, for one evaluation) and, beside it, its
array form (numpy columns, one value per scenario, for `evaluate_many`). The compiler only
picks a kind for each indicator (`leaf_kind`); the evaluator, the batch evaluator and `explain`
call the functions here. The evaluator's hot loop inlines the deviation kinds' expression
(`deviation_width` says which, and why it is safe); the tests hold every form to the others.

Achievements and scores are fractions (1.0 is 100 %). A score that cannot be computed is a
`Missing` value carrying its reason, never None or an exception: aggregation absorbs it by the
plan's policy. No plan, no I/O; numpy is imported by the array forms only, when called.

Adding a leaf formula or an aggregation: a member of the enum, its scalar and array forms in
the tables below, the case in `leaf_kind` (or `aggregation_of`), its tests (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import attrs

from ..model import Direction, Formula, LateKind, LateRule, MissingPolicy

# ---- the tolerance -----------------------------------------------------------------------------

# Two measured values this close (relative or absolute) are equal: values come from decimal
# text, and 0.1 + 0.2 must reach a target of 0.3.
TOLERANCE = 1e-9
# A score this far below a band's lower bound still belongs to the band: 50 % is not "below
# 50 %" because the sum of the weights is 99.999999999999 %.
BAND_TOLERANCE = 1e-12


def equal(value: float, target: float) -> bool:
    """The scalar form of "the value is the target"."""
    return math.isclose(value, target, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def equal_array(values: Any, target: float) -> Any:
    """`equal` element-wise over a column (NaN is never equal)."""
    np = _numpy()
    distance = np.abs(values - target)
    return np.isfinite(values) & ((distance <= abs(TOLERANCE * target)) | (distance <= TOLERANCE)
                                  | (distance <= np.abs(TOLERANCE * values)))


def apart(target: float) -> float:
    """A distance |v − t| beyond which a value certainly is not equal to `target`.

    `equal` holds when |v − t| is at most TOLERANCE, TOLERANCE·|t| or TOLERANCE·|v|. Past
    TOLERANCE·|t|·(1 + 1e-8) the third cannot hold either, since |v| ≤ |t| + |v − t|: the
    evaluator's fast path then needs one comparison instead of `math.isclose`. +inf for a
    target that is not finite: such a value is always judged by `equal` itself.
    """
    if not math.isfinite(target):
        return math.inf
    return max(TOLERANCE, abs(TOLERANCE * target) * (1.0 + 1e-8))


# ---- N/D as a value ----------------------------------------------------------------------------

class Reason(str, Enum):
    NOT_REPORTED = "missing"  # the value is N/D (null, or no entry at all)
    NOT_DUE = "not_due"  # a deadline not yet reached at the monitoring date
    NO_WEIGHT = "no_weight"  # an aggregate whose children all weigh 0 %
    # taken out of the plan at monitoring time (values file `neutralised:`): every parent
    # leaves it out, whatever the missing policy, and re-weights the siblings in proportion.
    NEUTRALISED = "neutralised"
    # a target written `tbd` under `missing_target skip`: left out like a neutralised child.
    NO_TARGET = "no_target"


@attrs.frozen
class Missing:
    reason: Reason

    @property
    def status(self) -> str:
        if self.reason in _OWN_STATUS:
            return self.reason.value
        return "missing"


NOT_REPORTED = Missing(Reason.NOT_REPORTED)
NOT_DUE = Missing(Reason.NOT_DUE)
NO_WEIGHT = Missing(Reason.NO_WEIGHT)
NEUTRALISED = Missing(Reason.NEUTRALISED)
NO_TARGET = Missing(Reason.NO_TARGET)
_OWN_STATUS = frozenset({Reason.NOT_DUE, Reason.NEUTRALISED, Reason.NO_TARGET})
_LEFT_OUT = frozenset({Reason.NEUTRALISED, Reason.NO_TARGET})

Score = float | Missing


# ---- the N/D value itself: `missing value_zero` ----------------------------------------------

def value_taken(policy: MissingPolicy | None, value: Any) -> Any:
    """The value an indicator is scored with: under `missing value_zero` an N/D (None) is taken
    as 0 and scored by the formula like any 0 (a lower-is-better indicator then scores high).
    Measured indicators only: a deadline's null is "not done", never a value."""
    if value is None and policy is MissingPolicy.VALUE_ZERO:
        return 0.0
    return value


def value_taken_array(policy: MissingPolicy | None, values: Any) -> Any:
    """`value_taken` over a column (NaN is N/D)."""
    if policy is not MissingPolicy.VALUE_ZERO:
        return values
    np = _numpy()
    return np.where(np.isnan(values), 0.0, values)


# ---- leaf kinds --------------------------------------------------------------------------------

class LeafKind(str, Enum):
    """How one indicator is scored in a period: decided once, by `leaf_kind`."""

    AT_LEAST_DEVIATION = "at_least_deviation"  # >= t, t ≠ 0: 1 + (v − t)/|t|
    AT_MOST_DEVIATION = "at_most_deviation"  # <= t, t ≠ 0: 1 − (v − t)/|t|
    AT_LEAST_RATIO = "at_least_ratio"  # >= t, t ≠ 0: v/t or t/v, whichever grows with v
    AT_MOST_RATIO = "at_most_ratio"  # <= t, t ≠ 0: t/v or v/t, whichever grows as v falls
    EXACTLY = "exactly"  # = t: reached or not
    AT_LEAST_ZERO = "at_least_zero"  # >= 0: reached or not (no division by zero)
    AT_MOST_ZERO = "at_most_zero"  # <= 0: reached or not
    DEADLINE_LATE_ZERO = "deadline_late_zero"  # done by the due date: 100 %; late: 0 %
    DEADLINE_LATE_FIXED = "deadline_late_fixed"  # late: a fixed share
    DEADLINE_LATE_LINEAR = "deadline_late_linear"  # late: losing 1/N a day over N days

    @property
    def is_deadline(self) -> bool:
        return self in _DEADLINE_KINDS


_DEADLINE_KINDS = frozenset({LeafKind.DEADLINE_LATE_ZERO, LeafKind.DEADLINE_LATE_FIXED,
                             LeafKind.DEADLINE_LATE_LINEAR})
_LATE_KINDS = {LateKind.ZERO: LeafKind.DEADLINE_LATE_ZERO,
               LateKind.FIXED: LeafKind.DEADLINE_LATE_FIXED,
               LateKind.LINEAR: LeafKind.DEADLINE_LATE_LINEAR}


def leaf_kind(direction: Direction | None, target: float | None, formula: Formula,
              late: LateRule) -> LeafKind:
    """The kind of a leaf: a deadline (direction None) by its late rule; a measured target by
    its direction and formula, `=` and a zero target being reached-or-not whatever the
    formula (a ratio or a deviation from 0 has no meaning)."""
    if direction is None:
        return _LATE_KINDS[late.kind]
    if direction is Direction.EQUAL:
        return LeafKind.EXACTLY
    at_least = direction is Direction.AT_LEAST
    if target == 0:
        return LeafKind.AT_LEAST_ZERO if at_least else LeafKind.AT_MOST_ZERO
    if formula is Formula.RATIO:
        return LeafKind.AT_LEAST_RATIO if at_least else LeafKind.AT_MOST_RATIO
    return LeafKind.AT_LEAST_DEVIATION if at_least else LeafKind.AT_MOST_DEVIATION


# Each measured kind as (target, value) -> raw achievement, for a value not equal to the target
# (`achievement` answers that case first: a value equal to its target reaches it, 100 %).
# The deviation kinds' one expression serves floats and numpy columns alike.

def _at_least_deviation(target: float, value: Any) -> Any:
    # A distance, not a ratio: for a positive target it equals v/t; for a negative one (payment
    # days −18) a ratio would call −17.82 better than −18, the distance rightly gives 99 %.
    return 1.0 + (value - target) / abs(target)


def _at_most_deviation(target: float, value: Any) -> Any:
    return 1.0 - (value - target) / abs(target)


def _ratio(target: float, value: float, at_least: bool) -> float:
    better = value >= target if at_least else value <= target
    if value == 0 or (value > 0) != (target > 0):
        return 1.0 if better else 0.0  # no meaningful ratio: reached or not
    grows_with_value = at_least == (target > 0)
    return value / target if grows_with_value else target / value


def _ratio_array(target: float, values: Any, at_least: bool) -> Any:
    np = _numpy()
    better = values >= target if at_least else values <= target
    grows_with_value = at_least == (target > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values / target if grows_with_value else target / values
    signs_differ = (values == 0) | ((values > 0) != (target > 0))
    return np.where(signs_differ, np.where(better, 1.0, 0.0), ratio)


def _reached(reached: bool) -> float:
    return 1.0 if reached else 0.0


def _reached_array(reached: Any) -> Any:
    return _numpy().where(reached, 1.0, 0.0)


@attrs.frozen
class _MeasuredForm:
    scalar: Callable[[float, float], float]
    array: Callable[[float, Any], Any]


_MEASURED: dict[LeafKind, _MeasuredForm] = {
    LeafKind.AT_LEAST_DEVIATION: _MeasuredForm(_at_least_deviation, _at_least_deviation),
    LeafKind.AT_MOST_DEVIATION: _MeasuredForm(_at_most_deviation, _at_most_deviation),
    LeafKind.AT_LEAST_RATIO: _MeasuredForm(lambda t, v: _ratio(t, v, True),
                                           lambda t, v: _ratio_array(t, v, True)),
    LeafKind.AT_MOST_RATIO: _MeasuredForm(lambda t, v: _ratio(t, v, False),
                                          lambda t, v: _ratio_array(t, v, False)),
    LeafKind.EXACTLY: _MeasuredForm(lambda t, v: 0.0, lambda t, v: _numpy().zeros_like(v)),
    LeafKind.AT_LEAST_ZERO: _MeasuredForm(lambda t, v: _reached(v >= 0),
                                          lambda t, v: _reached_array(v >= 0)),
    LeafKind.AT_MOST_ZERO: _MeasuredForm(lambda t, v: _reached(v <= 0),
                                         lambda t, v: _reached_array(v <= 0)),
}


def achievement(kind: LeafKind, target: float, value: float) -> float:
    """A measured value's raw achievement (before floor and cap; may exceed 1 or be < 0)."""
    if equal(value, target):
        return 1.0
    return _MEASURED[kind].scalar(target, value)


def achievement_array(kind: LeafKind, target: float, values: Any) -> Any:
    """`achievement` over a column of values; NaN (N/D) stays NaN."""
    np = _numpy()
    raw = np.where(equal_array(values, target), 1.0, _MEASURED[kind].array(target, values))
    return np.where(np.isnan(values), np.nan, raw)


def deviation_width(kind: LeafKind, target: float) -> float | None:
    """For the deviation kinds, the signed width w with achievement = 1 + (v − t)/w (|t| for
    `>=`, −|t| for `<=`); None for every other kind.

    The evaluator's hot loop computes this expression itself, for values `apart` from the
    target, instead of calling `achievement`: the property tests hold the two equal."""
    if kind is LeafKind.AT_LEAST_DEVIATION:
        return abs(target)
    if kind is LeafKind.AT_MOST_DEVIATION:
        return -abs(target)
    return None


# ---- deadlines ---------------------------------------------------------------------------------

def deadline_achievement(due: dt.date, completed: dt.date | None, as_of: dt.date | None,
                         late: LateRule) -> Score:
    """Done on or before the due date: 1. Not done: N/D until due, then 0. Late: the plan's rule."""
    if completed is None:
        if as_of is None or as_of <= due:
            return NOT_DUE
        return 0.0
    if completed <= due:
        return 1.0
    return _LATE[_LATE_KINDS[late.kind]].scalar(late, (completed - due).days)


def deadline_array(kind: LeafKind, due: dt.date, done: Any, as_of: dt.date | None,
                   late: LateRule) -> tuple[Any, Any]:
    """`deadline_achievement` over a column of completion days (ordinals; NaN: not done):
    (raw achievement, NaN while not due; the not-due mask)."""
    np = _numpy()
    due_day = due.toordinal()
    pending = as_of is None or as_of <= due
    absent = np.isnan(done)
    raw = np.where(done <= due_day, 1.0, _LATE[kind].array(late, done - due_day))
    raw = np.where(absent, np.nan if pending else 0.0, raw)
    return raw, absent & pending


@attrs.frozen
class _LateForm:
    scalar: Callable[[LateRule, int], float]
    array: Callable[[LateRule, Any], Any]


_LATE: dict[LeafKind, _LateForm] = {
    LeafKind.DEADLINE_LATE_ZERO: _LateForm(lambda rule, days: 0.0, lambda rule, days: 0.0),
    LeafKind.DEADLINE_LATE_FIXED: _LateForm(lambda rule, days: rule.share,
                                            lambda rule, days: rule.share),
    LeafKind.DEADLINE_LATE_LINEAR: _LateForm(
        lambda rule, days: max(0.0, 1.0 - days / rule.days),
        lambda rule, days: _numpy().maximum(0.0, 1.0 - days / rule.days)),
}


# ---- one leaf, whole -----------------------------------------------------------------------------

def bounded(raw: float, floor: float, cap: float) -> float:
    return min(max(raw, floor), cap)


def bounded_array(raw: Any, floor: float, cap: float) -> Any:
    np = _numpy()
    return np.minimum(np.maximum(raw, floor), cap)


def leaf_score(kind: LeafKind, target: float, due: dt.date | None, late: LateRule,
               floor: float, cap: float, value: float | dt.date | None,
               as_of: dt.date | None) -> tuple[float | None, Score]:
    """(raw achievement, bounded score) of one indicator; raw is None when there is none."""
    if kind.is_deadline:
        assert due is not None
        completed = value if isinstance(value, dt.date) else None
        outcome = deadline_achievement(due, completed, as_of, late)
        if isinstance(outcome, Missing):
            return None, outcome
        return outcome, bounded(outcome, floor, cap)
    if value is None or isinstance(value, dt.date):
        return None, NOT_REPORTED
    raw = achievement(kind, target, value)
    return raw, bounded(raw, floor, cap)


def raw_achievement(direction: Direction, target: float, value: float,
                    formula: Formula = Formula.DEVIATION) -> float:
    """`achievement` for a target written as direction, value and formula."""
    return achievement(leaf_kind(direction, target, formula, LateRule(LateKind.ZERO)), target,
                       value)


# How each kind's figure came about, for `explain` (stable names, also in the JSON).
METHODS = (
    "value_over_target",  # >= with a positive target (deviation equals v/t), or ratio v/t
    "target_over_value",  # ratio formula, when t/v grows as the value improves
    "deviation_at_least",  # 1 + (v − t)/|t|: >= with a negative target
    "deviation_at_most",  # 1 − (v − t)/|t|
    "exact",  # = target: reached or not
    "target_zero",  # >= 0 or <= 0: reached or not (no division by zero)
    "signs_differ",  # ratio formula, value 0 or of the other sign: reached or not
    "not_reported",  # no value: N/D
    "deadline_not_due", "deadline_on_time", "deadline_missed", "deadline_late",
    "no_target",  # target `tbd` under `missing_target skip`: left out
    "previous_score",  # target `tbd` under `missing_target previous`: the earlier score
)


def method(kind: LeafKind, target: float, due: dt.date | None, value: float | dt.date | None,
           status: str) -> str:
    """Which case of `kind` gave an indicator its figure (one of METHODS)."""
    if kind.is_deadline:
        assert due is not None
        if isinstance(value, dt.date):
            return "deadline_on_time" if value <= due else "deadline_late"
        return "deadline_not_due" if status == "not_due" else "deadline_missed"
    if not isinstance(value, float | int):
        return "not_reported"
    if kind is LeafKind.EXACTLY:
        return "exact"
    if kind in (LeafKind.AT_LEAST_ZERO, LeafKind.AT_MOST_ZERO):
        return "target_zero"
    if kind in (LeafKind.AT_LEAST_RATIO, LeafKind.AT_MOST_RATIO):
        if value == 0 or (value > 0) != (target > 0):
            return "signs_differ"
        grows = (kind is LeafKind.AT_LEAST_RATIO) == (target > 0)
        return "value_over_target" if grows else "target_over_value"
    if kind is LeafKind.AT_LEAST_DEVIATION:
        return "value_over_target" if target > 0 else "deviation_at_least"
    return "deviation_at_most"


# ---- aggregation ---------------------------------------------------------------------------------

class Aggregation(str, Enum):
    """How a parent's score comes from its children's (weight, score) pairs."""

    # Σ weight × score / Σ weight; an N/D child keeps its weight and counts 0 (the seed's).
    WEIGHTED_COUNTS_ZERO = "weighted_counts_zero"
    # the same over the scored children only: N/D ones dropped, the others re-normalised.
    WEIGHTED_EXCLUDED = "weighted_excluded"

    @property
    def nd_keeps_weight(self) -> bool:
        """Whether an N/D child stays in the divisor (counting 0)."""
        return self is Aggregation.WEIGHTED_COUNTS_ZERO


# A plan-wide `missing value_zero` or `missing error` is a rule for the values: what N/D is
# left (deadlines not yet due) is counted as under the default, counts_zero.
_BY_POLICY = {MissingPolicy.COUNTS_ZERO: Aggregation.WEIGHTED_COUNTS_ZERO,
              MissingPolicy.EXCLUDED: Aggregation.WEIGHTED_EXCLUDED,
              MissingPolicy.VALUE_ZERO: Aggregation.WEIGHTED_COUNTS_ZERO,
              MissingPolicy.ERROR: Aggregation.WEIGHTED_COUNTS_ZERO}


def aggregation_of(policy: MissingPolicy) -> Aggregation:
    """The aggregation a plan's `missing` policy asks for."""
    return _BY_POLICY[policy]


def left_out(score: Score) -> bool:
    """Whether a parent leaves a child out altogether, whatever its aggregation: a neutralised
    child is as if the plan did not have it (its siblings re-weighted in proportion); so is an
    indicator whose target is still `tbd` under `missing_target skip`."""
    return isinstance(score, Missing) and score.reason in _LEFT_OUT


def counted_weight(aggregation: Aggregation, children: Sequence[tuple[float, Score]]) -> float:
    """Σ of the weights that divide a parent's sum: every weighted child's under counts_zero,
    the scored children's under excluded. Children weighing 0, and neutralised children, never
    count."""
    return sum(w for w, s in children
               if w > 0 and (not isinstance(s, Missing)
                             or (aggregation.nd_keeps_weight and not left_out(s))))


def aggregate(children: Sequence[tuple[float, Score]],
              aggregation: Aggregation | MissingPolicy) -> Score:
    """A parent's score from its children's (weight as a fraction, score) pairs.

    Children weighing 0 are shown but never counted, nor are neutralised children (a parent
    whose weighted children are all neutralised is neutralised itself). A parent whose weighted
    children are all N/D is N/D itself (not due when all of them are not due). Weights may sum to 100 % ± 0.01
    (33.34 × 2 + 33.33): dividing by their sum keeps a parent of children all at 100 % at
    exactly 100 %; with an exact 100 % it changes nothing.
    """
    if isinstance(aggregation, MissingPolicy):
        aggregation = aggregation_of(aggregation)
    weighted = [(w, s) for w, s in children if w > 0]
    if not weighted:
        return NO_WEIGHT
    if any(map(left_out, (s for _, s in weighted))):
        gone = {s.reason for _, s in weighted if isinstance(s, Missing) and s.reason in _LEFT_OUT}
        weighted = [(w, s) for w, s in weighted if not left_out(s)]
        if not weighted:  # all left out: no target (when none is neutralised) or neutralised
            return NO_TARGET if gone == {Reason.NO_TARGET} else NEUTRALISED
    total = 0.0
    scored = False
    for weight, score in weighted:
        if not isinstance(score, Missing):
            total += weight * score
            scored = True
    if not scored:
        reasons = {s.reason for _, s in weighted if isinstance(s, Missing)}
        return NOT_DUE if reasons == {Reason.NOT_DUE} else NOT_REPORTED
    return total / counted_weight(aggregation, weighted)


def aggregate_array(aggregation: Aggregation, weights: Sequence[float], weight_sum: float,
                    filled: Any, present: Any, not_due: Any | None) -> tuple[Any, Any, Any]:
    """`aggregate` over columns: `filled` and `present` are the children's scores (0 for N/D)
    and scored masks, one row per weighted child; `not_due` their not-due masks, or None when
    some child can never be not due. `weight_sum` is Σ weights, summed as `aggregate` sums them.
    Returns (score, NaN when N/D; scored mask; not-due mask or None)."""
    np = _numpy()
    size = filled.shape[1]
    if not len(weights):  # NO_WEIGHT
        return np.full(size, np.nan), np.zeros(size, dtype=bool), None
    w = np.asarray(weights, dtype=float)
    total = w @ filled
    anyone = present.any(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        divisor = weight_sum if aggregation.nd_keeps_weight else w @ present
        score = np.where(anyone, total / divisor, np.nan)
    pending = None if not_due is None else ~anyone & not_due.all(axis=0)
    return score, anyone, pending


def band_of(score: Score, bands: Sequence[tuple[str, float]]) -> str | None:
    """The band a score falls in: the last band whose lower bound it reaches (bands ascend)."""
    if isinstance(score, Missing):
        return None
    found = None
    for name, lower in bands:
        if score >= lower - BAND_TOLERANCE:
            found = name
    return found


def _numpy() -> Any:
    """numpy, for the array forms: imported when a batch first needs it, not by the CLI."""
    import numpy

    return numpy
