"""The scoring method, in one place: every leaf kind, the equality tolerance, floor and cap,
every aggregation, the ranges of a figure that score tables and reward bands share (`Stretch`,
`piecewise`), and N/D as a value.

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

from ..model import Aggregate, Direction, Formula, LateKind, LateRule, MissingPolicy
from .rounding import percent

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
    # |v − t| within the largest of TOLERANCE, TOLERANCE·|t| and TOLERANCE·|v|, as `equal`
    # (math.isclose) has it: one comparison with the largest bound, not three comparisons
    # joined by two ors (the same truth: a product by TOLERANCE keeps the order of |t|, |v|, 1;
    # NaN compares false either way).
    bound = np.maximum(np.abs(TOLERANCE * values), max(abs(TOLERANCE * target), TOLERANCE))
    return np.isfinite(values) & (distance <= bound)


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
    AT_LEAST_GAP = "at_least_gap"  # >= t, formula gap: 1 + (v − t)/100 (percentage points)
    AT_MOST_GAP = "at_most_gap"  # <= t, formula gap: 1 − (v − t)/100
    LIMITS = "limits"  # piecewise linear through (minimum, 0), (t, 1), (maximum, 2), (excellent, 3)
    PROGRESS = "progress"  # (v − baseline)/(t − baseline): last year's value 0, the target 1

    @property
    def is_deadline(self) -> bool:
        return self in _DEADLINE_KINDS

    @property
    def needs_rule(self) -> bool:
        """Scored from the figures of its LeafRule (limits, baseline), not by `achievement`."""
        return self in (LeafKind.LIMITS, LeafKind.PROGRESS)


_DEADLINE_KINDS = frozenset({LeafKind.DEADLINE_LATE_ZERO, LeafKind.DEADLINE_LATE_FIXED,
                             LeafKind.DEADLINE_LATE_LINEAR})
_LATE_KINDS = {LateKind.ZERO: LeafKind.DEADLINE_LATE_ZERO,
               LateKind.FIXED: LeafKind.DEADLINE_LATE_FIXED,
               LateKind.LINEAR: LeafKind.DEADLINE_LATE_LINEAR}


def leaf_kind(direction: Direction | None, target: float | None, formula: Formula,
              late: LateRule, limits: bool = False) -> LeafKind:
    """The kind of a leaf: a deadline (direction None) by its late rule; a measured target by
    its direction and formula, `=` and a zero target being reached-or-not whatever the
    formula (a ratio or a deviation from 0 has no meaning). Declared limits replace the
    formula; the gap in points and progress from a baseline hold for a zero target too."""
    if direction is None:
        return _LATE_KINDS[late.kind]
    if direction is Direction.EQUAL:
        return LeafKind.EXACTLY
    at_least = direction is Direction.AT_LEAST
    if limits:
        return LeafKind.LIMITS
    if formula is Formula.PROGRESS:
        return LeafKind.PROGRESS
    if formula is Formula.GAP:
        return LeafKind.AT_LEAST_GAP if at_least else LeafKind.AT_MOST_GAP
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


def _at_least_gap(target: float, value: Any) -> Any:
    # The gap in percentage points, for indicators measured in %: 16 % against 22 % is 6
    # points short, 94 %; the deviation would call it 27 % short (6/22).
    return 1.0 + (value - target) / 100.0


def _at_most_gap(target: float, value: Any) -> Any:
    return 1.0 - (value - target) / 100.0


# The largest achievement a ratio, and the largest score an `aggregate sum`, can give: 10^32 %.
# The limits on numbers (docs/language.md#numbers) keep every other formula finite on their
# own (the deviation's (v − t)/|t| is at most 2·10^30); a target over a measured value nearer 0
# than 10^-15 (5e-324 is a float), or sums of sums with weights of 10^15 %, could overflow to
# infinity: they stop here, so that every achievement and every score is a finite number.
HIGHEST = 1e30


def _ratio(target: float, value: float, at_least: bool) -> float:
    better = value >= target if at_least else value <= target
    if value == 0 or (value > 0) != (target > 0):
        return 1.0 if better else 0.0  # no meaningful ratio: reached or not
    grows_with_value = at_least == (target > 0)
    ratio = value / target if grows_with_value else target / value
    return HIGHEST if HIGHEST < ratio else ratio  # min(ratio, HIGHEST), without its call


def _ratio_array(target: float, values: Any, at_least: bool) -> Any:
    np = _numpy()
    better = values >= target if at_least else values <= target
    grows_with_value = at_least == (target > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = values / target if grows_with_value else target / values
    signs_differ = (values == 0) | ((values > 0) != (target > 0))
    return np.where(signs_differ, np.where(better, 1.0, 0.0), np.minimum(ratio, HIGHEST))


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
    LeafKind.AT_LEAST_GAP: _MeasuredForm(_at_least_gap, _at_least_gap),
    LeafKind.AT_MOST_GAP: _MeasuredForm(_at_most_gap, _at_most_gap),
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


# ---- leaf rules: tolerance, limits, progress, and the curve from achievement to score ---------
#
# A measured indicator with any of these is scored in one order, by `ruled_score`:
#   value → tolerance (within it: reached, 100 %) → the kind's formula (the raw achievement,
#   what reports call `raw`) → the curve (threshold, rescaled threshold, steps or points) →
#   floor and cap → score.
# A leaf without them (`rule` None) is scored by `achievement` and `bounded` as before.

class CurveKind(str, Enum):
    THRESHOLD = "threshold"  # below the threshold 0, from it the achievement itself
    RESCALED = "threshold_rescaled"  # below 0; from it (raw − th)/(1 − th)
    STEPS = "steps"  # a table of achievement ranges to scores (percent)
    POINTS = "points"  # a table of achievement ranges to points out of a maximum


# ---- ranges of a figure: score tables and reward bands ---------------------------------------
#
# One rule serves the two: a `steps` or `points` table (a leaf's achievement -> its score) and
# reward bands (a final individual score -> the share of the bonus). Rows [lower, upper) of a
# figure, ascending, without gaps or overlaps (`check.ranges` makes them so); each gives a fixed
# value or one linear from its lower bound to its upper one. A figure a hair below a bound, from
# float arithmetic, reaches it (BAND_TOLERANCE, as for bands). A figure no row covers (NaN; a
# reward's score below a first row that starts at 0 %) gets none: a table's curve never meets
# one, as check makes every table run from `below` to `from`; a reward pays it N/D.

@attrs.frozen
class Stretch:
    """A row of a table or of reward bands, compiled: figures in [lower, upper) give `start` at
    `lower` to `end` at `upper`, linearly (start == end: a fixed value). Values in the context's
    units (fractions for steps and rewards, points for a points table)."""

    lower: float  # -inf for `below`
    upper: float  # +inf for `from`
    start: float
    end: float

    @classmethod
    def written(cls, lower: float | None, upper: float | None, start: float,
                end: float | None = None, scale: float = 1.0) -> Stretch:
        """A row as the plan writes it (model.RangeRow's figures): lower None for `below`,
        upper None for `from`, end None for a fixed value; the values divided by `scale`."""
        return cls(-math.inf if lower is None else lower, math.inf if upper is None else upper,
                   start / scale, (start if end is None else end) / scale)

    @property
    def fixed(self) -> bool:
        return self.start == self.end

    @property
    def percent_bounds(self) -> tuple[float | None, float | None]:
        """(lower, upper) in percent, as a plan writes them: None for the open end of `below`
        and `from` (what reports and `explain` show)."""
        return (None if math.isinf(self.lower) else self.lower * 100.0,
                None if math.isinf(self.upper) else self.upper * 100.0)


# A row as a plan writes it, as a tuple: (lower, upper, start, end), None as in `Stretch.written`.
WrittenRow = tuple[float | None, float | None, float, float | None]


def stretches(rows: Sequence[Stretch | WrittenRow]) -> tuple[Stretch, ...]:
    """Rows as Stretches (a Stretch stays itself; a written tuple is read by `Stretch.written`)."""
    return tuple(row if isinstance(row, Stretch) else Stretch.written(*row) for row in rows)


def stretch_of(rows: Sequence[Stretch], figure: float) -> Stretch | None:
    """The row a figure falls in: the last whose lower bound it reaches, if it is below that
    row's upper bound; None when no row covers it (see above)."""
    found = None
    for row in rows:
        if figure >= row.lower - BAND_TOLERANCE:
            found = row
    # A `from` row covers everything above it, an infinite figure too (a ratio t/v with v a
    # hair above 0): inf is not below inf − tolerance.
    if found is None or (found.upper != math.inf and figure >= found.upper - BAND_TOLERANCE):
        return None
    return found


def on_stretch(row: Stretch, figure: Any) -> Any:
    """A row's value for a figure in it: one expression for floats and numpy columns."""
    if row.fixed:
        # A fixed value, whatever the figure: not `start + 0 × figure`, which is NaN (N/D)
        # for an infinite one (a ratio t/v with v a hair above 0).
        if isinstance(figure, (float, int)):
            return row.start
        return _numpy().full(figure.shape, row.start)
    return row.start + (figure - row.lower) * (row.end - row.start) / (row.upper - row.lower)


def piecewise(rows: Sequence[Stretch], figure: float) -> float | None:
    """The value the rows give a figure; None when no row covers it."""
    row = stretch_of(rows, figure)
    return None if row is None else float(on_stretch(row, figure))


def piecewise_array(rows: Sequence[Stretch], figures: Any) -> Any:
    """`piecewise` over a column: NaN where no row covers the figure (and for NaN)."""
    np = _numpy()
    out = np.full(np.shape(figures), np.nan)
    # Each figure ends with the last row whose lower bound it reaches, as `stretch_of` takes it,
    # and N/D past that row's upper bound; the same expression, so the same floats.
    with np.errstate(invalid="ignore"):
        for row in rows:
            below = figures < row.upper - BAND_TOLERANCE if row.upper != math.inf else True
            inside = np.where(below, on_stretch(row, figures), np.nan)
            out = np.where(figures >= row.lower - BAND_TOLERANCE, inside, out)
    return out


@attrs.frozen
class Curve:
    kind: CurveKind
    threshold: float = 0.0  # THRESHOLD, RESCALED: a fraction (0.6 is 60 %)
    stretches: tuple[Stretch, ...] = ()  # STEPS, POINTS: in ascending order, no gaps
    maximum: float = 1.0  # POINTS: the scale (20 points); the score is points / maximum


@attrs.frozen
class LeafRule:
    """What a measured leaf needs beyond its kind and target: decided by the compiler."""

    tolerance: float = 0.0  # in the value's unit; 0: none
    curve: Curve | None = None
    knots: tuple[tuple[float, float], ...] = ()  # LIMITS: (value, achievement), values ascending
    baseline: float = 0.0  # PROGRESS


def limit_knots(direction: Direction, target: float, minimum: float, maximum: float,
                excellent: float | None) -> tuple[tuple[float, float], ...]:
    """The limits as (value, achievement) knots in ascending value order (mirrored when lower
    is better: the excellent figure is then the lowest)."""
    knots = [(minimum, 0.0), (target, 1.0), (maximum, 2.0)]
    if excellent is not None:
        knots.append((excellent, 3.0))
    return tuple(knots if direction is Direction.AT_LEAST else reversed(knots))


def within_tolerance(value: float, target: float, tolerance: float) -> bool:
    # The same float fuzz as `equal`: 95 is within 5 % of 100 however 5 % of 100 rounds.
    return abs(value - target) <= tolerance * (1.0 + TOLERANCE) + TOLERANCE


def _within_tolerance_array(values: Any, target: float, tolerance: float) -> Any:
    return _numpy().abs(values - target) <= tolerance * (1.0 + TOLERANCE) + TOLERANCE


def _limits(knots: tuple[tuple[float, float], ...], value: float) -> float:
    """Piecewise linear through the knots; flat before the first and after the last."""
    if value <= knots[0][0]:
        return knots[0][1]
    for (x0, a0), (x1, a1) in zip(knots, knots[1:]):
        if value <= x1:
            return a0 + (value - x0) * (a1 - a0) / (x1 - x0)
    return knots[-1][1]


def _limits_array(knots: tuple[tuple[float, float], ...], values: Any) -> Any:
    np = _numpy()
    out = np.full(values.shape, knots[-1][1])
    # From the last segment back, so that each value ends with the first segment it falls in,
    # as `_limits` takes it; the same expression, so the same floats.
    for (x0, a0), (x1, a1) in reversed(list(zip(knots, knots[1:]))):
        out = np.where(values <= x1, a0 + (values - x0) * (a1 - a0) / (x1 - x0), out)
    out = np.where(values <= knots[0][0], knots[0][1], out)
    return np.where(np.isnan(values), np.nan, out)


def _progress(baseline: float, target: float, value: Any) -> Any:
    # Last year's actual scores 0, the target 1, linear (either direction: t − B carries it).
    return (value - baseline) / (target - baseline)


def ruled_achievement(rule: LeafRule, kind: LeafKind, target: float, value: float) -> float:
    """The raw achievement of a measured value under `rule`: the formula, lifted to 100 %
    when the value is within the tolerance (a value better than the target keeps its own)."""
    if kind is LeafKind.LIMITS:
        raw = _limits(rule.knots, value)
    elif kind is LeafKind.PROGRESS:
        raw = _progress(rule.baseline, target, value)
    else:
        raw = achievement(kind, target, value)
    if rule.tolerance > 0 and raw < 1.0 and within_tolerance(value, target, rule.tolerance):
        return 1.0
    return raw


def ruled_achievement_array(rule: LeafRule, kind: LeafKind, target: float, values: Any) -> Any:
    np = _numpy()
    if kind is LeafKind.LIMITS:
        raw = _limits_array(rule.knots, values)
    elif kind is LeafKind.PROGRESS:
        raw = np.where(np.isnan(values), np.nan, _progress(rule.baseline, target, values))
    else:
        raw = achievement_array(kind, target, values)
    if rule.tolerance > 0:
        lifted = (raw < 1.0) & _within_tolerance_array(values, target, rule.tolerance)
        raw = np.where(lifted, 1.0, raw)
    return raw


def table_points(curve: Curve, raw: float) -> float:
    """What a table gives an achievement, in its own units (a fraction for steps, points):
    `piecewise` over its rows (NaN for a NaN achievement: a checked table covers every other)."""
    points = piecewise(curve.stretches, raw)
    return math.nan if points is None else points


def curved(curve: Curve | None, raw: float) -> float:
    """The curve's score for a raw achievement (before floor and cap)."""
    if curve is None:
        return raw
    if curve.kind is CurveKind.THRESHOLD:
        return 0.0 if raw < curve.threshold - BAND_TOLERANCE else raw
    if curve.kind is CurveKind.RESCALED:
        if raw < curve.threshold - BAND_TOLERANCE:
            return 0.0
        return max(0.0, (raw - curve.threshold) / (1.0 - curve.threshold))
    return table_points(curve, raw) / curve.maximum


def curved_array(curve: Curve | None, raw: Any) -> Any:
    np = _numpy()
    if curve is None:
        return raw
    below = raw < curve.threshold - BAND_TOLERANCE
    if curve.kind is CurveKind.THRESHOLD:
        out = np.where(below, 0.0, raw)
    elif curve.kind is CurveKind.RESCALED:
        out = np.where(below, 0.0,
                       np.maximum(0.0, (raw - curve.threshold) / (1.0 - curve.threshold)))
    else:
        out = piecewise_array(curve.stretches, raw) / curve.maximum
    return np.where(np.isnan(raw), np.nan, out)


def ruled_score(rule: LeafRule, kind: LeafKind, target: float, value: float, floor: float,
                cap: float) -> float:
    """The score of a measured value under `rule`: tolerance, formula, curve, floor and cap."""
    return bounded(curved(rule.curve, ruled_achievement(rule, kind, target, value)), floor, cap)


def ruled_score_array(rule: LeafRule, kind: LeafKind, target: float, values: Any, floor: float,
                      cap: float) -> Any:
    """`ruled_score` over a column (NaN: N/D)."""
    raw = ruled_achievement_array(rule, kind, target, values)
    return bounded_array(curved_array(rule.curve, raw), floor, cap)


# ---- one leaf, whole -----------------------------------------------------------------------------

def bounded(raw: float, floor: float, cap: float) -> float:
    """min(max(raw, floor), cap), written as the two comparisons those make (the same float,
    NaN and -0.0 included): the builtins' two calls cost four times as much, once per leaf."""
    raised = floor if floor > raw else raw
    return cap if cap < raised else raised


def bounded_array(raw: Any, floor: float, cap: float) -> Any:
    np = _numpy()
    return np.minimum(np.maximum(raw, floor), cap)


def leaf_score(kind: LeafKind, target: float, due: dt.date | None, late: LateRule,
               floor: float, cap: float, value: float | dt.date | None,
               as_of: dt.date | None, rule: LeafRule | None = None
               ) -> tuple[float | None, Score]:
    """(raw achievement, bounded score) of one indicator; raw is None when there is none.
    Under a `rule`, raw is the formula's (after the tolerance), before the curve."""
    if kind in _DEADLINE_KINDS:  # kind.is_deadline, without a property call per leaf
        assert due is not None
        completed = value if isinstance(value, dt.date) else None
        outcome = deadline_achievement(due, completed, as_of, late)
        if isinstance(outcome, Missing):
            return None, outcome
        return outcome, bounded(outcome, floor, cap)
    if value is None or isinstance(value, dt.date):
        return None, NOT_REPORTED
    if rule is not None:
        raw = ruled_achievement(rule, kind, target, value)
        return raw, bounded(curved(rule.curve, raw), floor, cap)
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
    "gap_at_least",  # formula gap: 1 + (v − t)/100
    "gap_at_most",  # formula gap: 1 − (v − t)/100
    "limits",  # piecewise linear between the declared limits
    "progress",  # (v − baseline)/(t − baseline)
    "within_tolerance",  # within the tolerance of the target: reached, 100 %
    "no_target",  # target `tbd` under `missing_target skip`: left out
    "previous_score",  # target `tbd` under `missing_target previous`: the earlier score
)

# How a curve turned the raw achievement into the score, for `explain` (see `curve_method`).
CURVE_METHODS = (
    "threshold_below",  # below the threshold: 0 %
    "threshold",  # from the threshold: the achievement itself
    "threshold_rescaled",  # from the threshold: (raw − th)/(1 − th)
    "steps",  # a row of a steps table
    "points",  # a row of a points table
)


def curve_method(curve: Curve | None, raw: float | None) -> str | None:
    """Which case of a leaf's curve gave its score (one of CURVE_METHODS); None without one."""
    if curve is None or raw is None:
        return None
    if curve.kind in (CurveKind.THRESHOLD, CurveKind.RESCALED):
        if raw < curve.threshold - BAND_TOLERANCE:
            return "threshold_below"
        return "threshold" if curve.kind is CurveKind.THRESHOLD else "threshold_rescaled"
    return "steps" if curve.kind is CurveKind.STEPS else "points"


def method(kind: LeafKind, target: float, due: dt.date | None, value: float | dt.date | None,
           status: str, rule: LeafRule | None = None) -> str:
    """Which case of `kind` gave an indicator its raw achievement (one of METHODS)."""
    if kind.is_deadline:
        assert due is not None
        if isinstance(value, dt.date):
            return "deadline_on_time" if value <= due else "deadline_late"
        return "deadline_not_due" if status == "not_due" else "deadline_missed"
    if not isinstance(value, float | int):
        return "not_reported"
    if rule is not None and rule.tolerance > 0:
        lifted = ruled_achievement(attrs.evolve(rule, tolerance=0.0), kind, target, value) < 1.0
        if lifted and within_tolerance(value, target, rule.tolerance):
            return "within_tolerance"
    named = {LeafKind.AT_LEAST_GAP: "gap_at_least", LeafKind.AT_MOST_GAP: "gap_at_most",
             LeafKind.LIMITS: "limits", LeafKind.PROGRESS: "progress"}.get(kind)
    if named is not None:
        return named
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
    """How a parent's score comes from its children's (weight, score) pairs: the plan's
    `aggregate` rule (model.Aggregate) under its `missing` policy, one member per pair."""

    # Σ weight × score / Σ weight; an N/D child keeps its weight and counts 0 (the seed's).
    WEIGHTED_COUNTS_ZERO = "weighted_counts_zero"
    # the same over the scored children only: N/D ones dropped, the others re-normalised.
    WEIGHTED_EXCLUDED = "weighted_excluded"
    # Σ weight × score, no division: components with their own weights (N/D adds nothing).
    SUM_COUNTS_ZERO = "sum_counts_zero"
    SUM_EXCLUDED = "sum_excluded"
    # the worst weighted child; under counts_zero an N/D child is a 0.
    MINIMUM_COUNTS_ZERO = "minimum_counts_zero"
    MINIMUM_EXCLUDED = "minimum_excluded"
    # 100 % when every weighted child reached 100 %, else 0; an N/D child has not reached it
    # under counts_zero and is left out under excluded.
    ALL_REACHED_COUNTS_ZERO = "all_reached_counts_zero"
    ALL_REACHED_EXCLUDED = "all_reached_excluded"
    # Σ weight of the children that reached 100 % / Σ weight (the counted ones, as weighted).
    SHARE_REACHED_COUNTS_ZERO = "share_reached_counts_zero"
    SHARE_REACHED_EXCLUDED = "share_reached_excluded"

    @property
    def nd_keeps_weight(self) -> bool:
        """Whether an N/D child stays in the divisor (counting 0)."""
        return _PAIRS[self][1] is MissingPolicy.COUNTS_ZERO

    @property
    def is_weighted(self) -> bool:
        """Whether it is the weighted mean (the default, which reports do not name)."""
        return self in (Aggregation.WEIGHTED_COUNTS_ZERO, Aggregation.WEIGHTED_EXCLUDED)

    @property
    def rule(self) -> Aggregate:
        """The plan's name for it: `aggregate weighted`, `aggregate minimum`, ..."""
        return _PAIRS[self][0]


# Each member as the (rule, missing policy) pair it stands for, and back. Only the two
# policies for how a parent counts an N/D child make members: see `aggregation_of`.
_PAIRS = {Aggregation(f"{rule.value}_{policy.value}"): (rule, policy)
          for rule in Aggregate
          for policy in (MissingPolicy.COUNTS_ZERO, MissingPolicy.EXCLUDED)}
_BY_PAIR = {pair: member for member, pair in _PAIRS.items()}


def aggregation_of(policy: MissingPolicy, rule: Aggregate = Aggregate.WEIGHTED) -> Aggregation:
    """The aggregation a node's `aggregate` rule asks for under the plan's `missing` policy."""
    if policy.for_the_value:
        # A plan-wide `missing value_zero` or `missing error` is a rule for the values: what
        # N/D is left (deadlines not yet due) is counted as under the default, counts_zero.
        policy = MissingPolicy.COUNTS_ZERO
    return _BY_PAIR[rule, policy]


# A child "reached" its target when it scores 100 %, less the binary noise of a weighted mean
# (three thirds of 100 % may sum to 0.9999999999999999).
REACHED = 1.0 - TOLERANCE


def reached(score: float) -> bool:
    return score >= REACHED


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
    whose weighted children are all neutralised is neutralised itself). A parent whose
    weighted children are all N/D is N/D itself (not due when all of them are not due),
    whatever the aggregation. Weights may sum to 100 % ± 0.01 (33.34 × 2 + 33.33): dividing
    by their sum keeps a parent of children all at 100 % at exactly 100 %; with an exact
    100 % it changes nothing.
    """
    if isinstance(aggregation, MissingPolicy):
        aggregation = aggregation_of(aggregation)
    weighted = [(w, s) for w, s in children if w > 0]
    if not weighted:
        return NO_WEIGHT
    if any(map(left_out, (s for _, s in weighted))):
        gone = {s.reason for _, s in weighted if isinstance(s, Missing) and s.reason in _LEFT_OUT}
        weighted = [(w, s) for w, s in weighted if not left_out(s)]
        if not weighted:  # all left out: neutralised ones are as if the plan had not them,
            # so a parent with any child still waiting for its target has no target either
            return NO_TARGET if Reason.NO_TARGET in gone else NEUTRALISED
    total, scored = _total(weighted)
    if not scored:
        reasons = {s.reason for _, s in weighted if isinstance(s, Missing)}
        return NOT_DUE if reasons == {Reason.NOT_DUE} else NOT_REPORTED
    rule = aggregation.rule
    if rule is Aggregate.WEIGHTED:
        return total / counted_weight(aggregation, weighted)
    if rule is Aggregate.SUM:
        if not math.isfinite(total):
            # Overflowing both ways the plain sum is inf - inf, NaN; and a vectorised sum's
            # result then depended on the BLAS kernel (with fused multiply-adds +inf, so
            # HIGHEST; without, NaN). So, only for such a sum, each product is bounded first:
            # every finite total is kept as summed.
            total = _total(weighted, HIGHEST)[0]
        return min(max(total, -HIGHEST), HIGHEST)
    # The other rules read N/D by the policy: a 0 under counts_zero, left out under excluded.
    keeps = aggregation.nd_keeps_weight
    counted = [(w, 0.0 if isinstance(s, Missing) else s) for w, s in weighted
               if keeps or not isinstance(s, Missing)]
    if rule is Aggregate.MINIMUM:
        return min(s for _, s in counted)
    if rule is Aggregate.ALL_REACHED:
        return 1.0 if all(reached(s) for _, s in counted) else 0.0
    return sum(w for w, s in counted if reached(s)) / sum(w for w, _ in counted)


def _total(weighted: Sequence[tuple[float, Score]], bound: float | None = None
           ) -> tuple[float, bool]:
    """Σ weight × score over the scored children, in order, and whether any was scored; with
    `bound`, each product bounded to ±bound first (a `sum` that overflowed, see aggregate)."""
    total = 0.0
    scored = False
    for weight, score in weighted:
        if not isinstance(score, Missing):
            product = weight * score
            total += product if bound is None else min(max(product, -bound), bound)
            scored = True
    return total, scored


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
    anyone = present.any(axis=0)
    keeps = aggregation.nd_keeps_weight
    rule = aggregation.rule
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if rule is Aggregate.WEIGHTED:
            divisor = weight_sum if keeps else w @ present
            value = (w @ filled) / divisor
        elif rule is Aggregate.SUM:
            value = w @ filled
            overflowed = ~np.isfinite(value)
            if overflowed.any():  # as `aggregate`'s, the products bounded, summed in order
                bounded = np.clip(w[:, None] * filled[:, overflowed], -HIGHEST, HIGHEST)
                total = np.zeros(bounded.shape[1])
                for row in bounded:
                    total += row
                value[overflowed] = total
            value = np.clip(value, -HIGHEST, HIGHEST)
        elif rule is Aggregate.MINIMUM:
            value = (filled if keeps else np.where(present, filled, np.inf)).min(axis=0)
        else:
            hit = present & (filled >= REACHED)
            if rule is Aggregate.ALL_REACHED:
                value = np.where((hit if keeps else hit | ~present).all(axis=0), 1.0, 0.0)
            else:
                value = (w @ hit) / (weight_sum if keeps else w @ present)
        score = np.where(anyone, value, np.nan)
    pending = None if not_due is None else ~anyone & not_due.all(axis=0)
    return score, anyone, pending


def rounded(score: float, places: int) -> float:
    """A score (a fraction) as `rollup rounded` stores it: its display figure, half-up to
    `places` decimals of a percent, read back as a fraction (rounding.percent, the one
    display rounding)."""
    return float(percent(score, places)) / 100.0


def rounded_array(scores: Any, places: int) -> Any:
    """`rounded` over a column; NaN (N/D) stays NaN."""
    np = _numpy()
    out = np.array(scores, dtype=float)
    finite = ~np.isnan(out)
    out[finite] = [rounded(x, places) for x in out[finite].tolist()]
    return out


def band_of(score: Score, bands: Sequence[tuple[str, float]]) -> str | None:
    """The band a score falls in: the last band whose lower bound it reaches (bands ascend)."""
    if isinstance(score, Missing):
        return None
    found = None
    for name, lower in bands:
        if score >= lower - BAND_TOLERANCE:
            found = name
    return found


# ---- individual evaluation: behaviour ratings and reward bands ----------------------------
def behaviour_score(rating: float, high: float) -> float:
    """A behaviour rated `rating` on a scale up to `high`, as a fraction: r / high (4 of 5 ->
    0.80), as SMVP forms print it. The scale's low end is not subtracted: 1 of 5 is 20 %."""
    return rating / high


def behaviour_score_array(ratings: Any, high: float) -> Any:
    return ratings / high


# Reward bands are ranges of the final score, scored by `piecewise` as a table is (see "ranges
# of a figure" above): compile keeps them as Stretches (written tuples are read too).

def reward_share(score: Score, rows: Sequence[Stretch | WrittenRow]) -> Score:
    """The share of the bonus a final individual score earns (premialità): the row's fixed
    payment, or linear from its first payment at its lower bound to its second at its upper.
    An N/D score earns an N/D share; so does a score no row covers (`check` forbids that)."""
    if isinstance(score, Missing):
        return score
    share = piecewise(stretches(rows), score)
    return NOT_REPORTED if share is None else share


def reward_share_array(scores: Any, rows: Sequence[Stretch | WrittenRow]) -> Any:
    """`reward_share` over an array of final scores (NaN: N/D, and stays NaN)."""
    return piecewise_array(stretches(rows), scores)


def _numpy() -> Any:
    """numpy, for the array forms: imported when a batch first needs it, not by the CLI."""
    import numpy

    return numpy
