"""How a node's score responds to one indicator's value: the pieces and the re-scorer that
goal-seek (`tools.goal`) and sensitivity (`tools.sensitivity`) share.

A node's score, with every other value fixed, is a function N(x) of one indicator's value x.
Between the indicator's *breakpoints* (its target, 0, the ends of its tolerance, its limits,
and the values at which its raw achievement meets the floor, the cap, a threshold or a table's
row bound) every scoring rule of `engine.scoring` keeps one form: affine in x, or — for a
ratio that divides by the value (`<=` with `formula ratio`) — α + β/x. A plan whose branches
all take a weighted mean, unrounded, adds nothing to this: the node's score is then an affine
function of the leaf's score, so N(x) keeps the leaf's form on each piece.

This module holds no scoring rule of its own. It knows only where the forms change and which
form each piece has; the figures of a piece (α, β) are read from the engine itself — two
evaluations on the piece determine an affine or hyperbolic function exactly — and every answer
built on them is re-scored by the engine. Where a plan is not a weighted mean throughout
(`aggregate minimum`, `all_reached`, `share_reached`, `sum`, or `rollup rounded`), a piece's
figures are not determined by two points, and the tools say so and search the piece by
bisection instead (a node's score never decreases as one child's score grows, so the search
is exact to the float on a piece where the leaf is monotone).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from ..diagnostics import ScorelangError, did_you_mean, error
from ..engine import scoring
from ..engine.compile import Leaf, Program
from ..engine.result import Result
from ..engine.scoring import CurveKind, LeafKind
from ..engine.values import Value, Values
from ..model import Direction

if TYPE_CHECKING:
    from ..api import Plan

# Measured values are limited to ±10^15 (docs/language.md#numbers): the search stays within.
LIMIT = 1e15
# A re-scored figure this close to the goal (in percentage points) reaches it: binary noise.
REACHES = 1e-7

AFFINE, HYPERBOLIC = "affine", "hyperbolic"


class GoalError(ScorelangError):
    """A goal-seek or sensitivity request that cannot be answered (SL801–SL806)."""


def node_of(result: Result, plan_id: str, name: str | None) -> str | None:
    """The node a command names: a node id as reports show it (an area or objective code, a
    group or an indicator use by its path), or the plan itself (its id, `plan`, or None).
    Raises SL801 for any other name."""
    if name is None or name in (plan_id, "plan"):
        return None
    if name in result:
        return name
    close = did_you_mean(name, [n.id for n in result]) or (
        f"name a node as the score report shows it (an area or objective code such as "
        f"`{next((n.id for n in result if n.kind == 'objective'), '301')}`), or `plan`")
    raise GoalError([error("SL801", f"unknown node `{name}` in plan `{plan_id}`", None,
                                close)])


class Probe:
    """NODE re-scored by the engine with some values changed: the only judge of a figure."""

    def __init__(self, plan: Plan, values: Values, node: str | None, period: str | None,
                 as_of: dt.date | None) -> None:
        self.plan, self.values, self.node = plan, values, node
        self.base = plan.evaluate(values, period=period, as_of=as_of)
        self.period = self.base.period
        self.as_of = self.base.as_of
        self.program: Program = plan.program(self.period)
        self.leaves: dict[str, Leaf] = {leaf.indicator.id: leaf for leaf in self.program.leaves}
        self.calls = 0

    def result(self, changes: Mapping[str, Value]) -> Result:
        self.calls += 1
        given = dict(self.values.values)
        given.update(changes)
        return self.plan.evaluate(attrs.evolve(self.values, values=given), period=self.period,
                                  as_of=self.as_of)

    def score(self, changes: Mapping[str, Value]) -> float | None:
        """NODE's score (percent) with `changes`; None when N/D."""
        return self.read(self.result(changes))

    def read(self, result: Result) -> float | None:
        return result.score if self.node is None else result[self.node].score

    @property
    def current(self) -> float | None:
        return self.read(self.base)

    @property
    def linear(self) -> bool:
        """Whether every branch takes a weighted mean and nothing is rounded on the way up:
        then NODE's score is affine in each leaf's score (see the module's docstring)."""
        layout = self.program.layout
        return layout.rounded is None and layout.plan_aggregation.is_weighted and all(
            aggregation.is_weighted for aggregation in layout.aggregations)


# ---- where the forms change ---------------------------------------------------------------------

def hyperbolic(leaf: Leaf) -> bool:
    """Whether the leaf's raw achievement is t/v (a ratio dividing by the value)."""
    target = leaf.target.value or 0.0
    if leaf.kind is LeafKind.AT_LEAST_RATIO:
        return target < 0
    if leaf.kind is LeafKind.AT_MOST_RATIO:
        return target > 0
    return False


def improving(leaf: Leaf) -> int:
    """+1 when a higher value is better, −1 when a lower one is (deadlines: an earlier date)."""
    if leaf.kind.is_deadline:
        return -1
    if leaf.kind is LeafKind.PROGRESS:
        baseline = leaf.rule.baseline if leaf.rule is not None else 0.0
        return 1 if (leaf.target.value or 0.0) >= baseline else -1
    return 1 if leaf.target.direction is Direction.AT_LEAST else -1


def _g(form: str, x: float) -> float:
    return 1.0 / x if form == HYPERBOLIC else x


def _g_inverse(form: str, y: float) -> float | None:
    if form == HYPERBOLIC:
        return None if y == 0 else 1.0 / y
    return y


def interior(lower: float, upper: float) -> tuple[float, float]:
    """Two points well inside (lower, upper), far enough apart to read a piece's figures."""
    if math.isinf(lower) and math.isinf(upper):
        return -1.0, 1.0
    if math.isinf(lower):
        span = max(1.0, abs(upper))
        return upper - 2 * span, upper - span
    if math.isinf(upper):
        span = max(1.0, abs(lower))
        return lower + span, lower + 2 * span
    width = upper - lower
    return lower + width / 3, lower + 2 * width / 3


@attrs.frozen
class Fit:
    """f(x) = alpha + beta·g(x) on a piece, g(x) = x or 1/x."""

    form: str
    alpha: float
    beta: float

    def at(self, x: float) -> float:
        return self.alpha + self.beta * _g(self.form, x)

    def solve(self, y: float) -> float | None:
        if self.beta == 0:
            return None
        return _g_inverse(self.form, (y - self.alpha) / self.beta)

    def slope(self, x: float) -> float:
        return self.beta if self.form == AFFINE else -self.beta / (x * x)


def fit(f: Callable[[float], float | None], lower: float, upper: float, form: str,
        at: tuple[float, float] | None = None) -> Fit | None:
    """The piece's figures, read from two evaluations of `f` inside it (or at the two points
    `at`); None where f is N/D or the piece is too narrow to tell two points apart."""
    p, q = at or interior(lower, upper)
    fp, fq = f(p), f(q)
    if fp is None or fq is None:
        return None
    gp, gq = _g(form, p), _g(form, q)
    if gp == gq:
        return None
    beta = (fq - fp) / (gq - gp)
    return Fit(form, fp - beta * gp, beta)


def _crossings(f: Callable[[float], float], cuts: Sequence[float],
               form: Callable[[float, float], str], levels: Iterable[float]) -> set[float]:
    """The x at which `f` (one form on each piece between `cuts`) takes each of `levels`."""
    found: set[float] = set()
    bounds = [-math.inf, *sorted(set(cuts)), math.inf]
    levels = tuple(levels)
    for lower, upper in zip(bounds, bounds[1:]):
        if lower >= upper:
            continue
        piece = fit(f, lower, upper, form(lower, upper))
        if piece is None or piece.beta == 0:
            continue
        for level in levels:
            x = piece.solve(level)
            if x is not None and lower < x < upper and math.isfinite(x):
                found.add(x)
    return found


def _raw_levels(leaf: Leaf) -> tuple[set[float], list[float]]:
    """The raw achievements at which the leaf's score changes form (floor, cap, a threshold,
    a table's bounds and where its rows meet the floor or cap), and the curve's own cuts."""
    curve = leaf.rule.curve if leaf.rule is not None else None
    bounds = (leaf.floor, leaf.cap)
    if curve is None:
        return set(bounds), []
    if curve.kind in (CurveKind.THRESHOLD, CurveKind.RESCALED):
        cuts = [curve.threshold]
    else:
        cuts = sorted({edge for row in curve.stretches for edge in (row.lower, row.upper)
                       if math.isfinite(edge)})
    levels = set(cuts) | _crossings(lambda raw: scoring.curved(curve, raw), cuts,
                                    lambda lower, upper: AFFINE, bounds)
    return levels, cuts


def raw_of(leaf: Leaf) -> Callable[[float], float]:
    target = leaf.target.value or 0.0
    if leaf.rule is not None:
        rule = leaf.rule
        return lambda x: scoring.ruled_achievement(rule, leaf.kind, target, x)
    return lambda x: scoring.achievement(leaf.kind, target, x)


def breakpoints(leaf: Leaf) -> list[float]:
    """Where a measured leaf's score may change form, ascending (see the module's docstring)."""
    target = leaf.target.value or 0.0
    cuts = {target, 0.0}
    rule = leaf.rule
    if rule is not None:
        if rule.tolerance > 0:
            cuts |= {target - rule.tolerance, target + rule.tolerance}
        cuts |= {x for x, _ in rule.knots}
    levels, _ = _raw_levels(leaf)
    ratio = hyperbolic(leaf)
    crossed = _crossings(raw_of(leaf), sorted(cuts),
                         lambda lower, upper: HYPERBOLIC if ratio and (lower >= 0 or upper <= 0)
                         else AFFINE, levels)
    # a crossing a few ulps from an exact cut (the floor met at exactly 0) is that cut
    cuts |= {x for x in crossed
             if all(abs(x - c) > SAME_POINT * max(1.0, abs(c)) for c in cuts)}
    return _distinct(sorted(x for x in cuts if -LIMIT <= x <= LIMIT))


# Two breakpoints this close (relative) are one: a crossing solved from a piece's figures may
# land a few ulps from a cut already known (the floor met at exactly 0), and a piece between
# them would be too narrow to read.
SAME_POINT = 1e-9


def _distinct(points: list[float]) -> list[float]:
    """Sorted points without near-duplicates, keeping the first of each cluster."""
    kept: list[float] = []
    for x in points:
        if kept and x - kept[-1] <= SAME_POINT * max(1.0, abs(x)):
            continue
        kept.append(x)
    return kept


def form_of(leaf: Leaf, lower: float, upper: float) -> str:
    return HYPERBOLIC if hyperbolic(leaf) and (lower >= 0 or upper <= 0) else AFFINE


def pieces(leaf: Leaf) -> list[tuple[float, float]]:
    """The open intervals between the breakpoints, within ±LIMIT."""
    bounds = [-LIMIT, *(x for x in breakpoints(leaf) if -LIMIT < x < LIMIT), LIMIT]
    return [(lower, upper) for lower, upper in zip(bounds, bounds[1:]) if lower < upper]


# ---- deadlines: the completion date as a day number ------------------------------------------

def day(ordinal: float) -> dt.date:
    return dt.date.fromordinal(int(ordinal))


def deadline_cuts(leaf: Leaf) -> list[int]:
    """The days at which a deadline's score changes form: its due date, and the end of a
    linear late rule."""
    assert leaf.due is not None
    due = leaf.due.toordinal()
    cuts = [due]
    if leaf.kind is LeafKind.DEADLINE_LATE_LINEAR:
        cuts.append(due + int(leaf.late.days))
    return cuts


def uses_under(program: Program, node: str | None, indicator: str) -> list[str]:
    """The uses of `indicator` at or below `node` (None: the whole tree), by node id; a link
    reads the subtree of the node it names."""
    nodes = program.nodes
    index = program.layout.index
    found: list[str] = []

    def walk(position: int) -> None:
        compiled = nodes[position]
        if compiled.leaf is not None:
            if program.leaves[compiled.leaf].indicator.id == indicator:
                found.append(compiled.id)
            return
        if compiled.link is not None:
            walk(compiled.link)
            return
        for child in compiled.children:
            walk(child)

    for start in ([index[node]] if node is not None else program.roots):
        walk(start)
    return found


def indicators_under(program: Program, node: str | None) -> list[str]:
    """Every indicator used at or below `node`, in tree order, once each."""
    nodes = program.nodes
    index = program.layout.index
    seen: dict[str, None] = {}

    def walk(position: int) -> None:
        compiled = nodes[position]
        if compiled.leaf is not None:
            seen.setdefault(program.leaves[compiled.leaf].indicator.id)
        elif compiled.link is not None:
            walk(compiled.link)
        else:
            for child in compiled.children:
                walk(child)

    for start in ([index[node]] if node is not None else program.roots):
        walk(start)
    return list(seen)


def ancestors(program: Program, node_id: str) -> list[str]:
    """A node's id and its parents' ids, up to its area."""
    by_id = {n.id: n for n in program.nodes}
    out = []
    current: str | None = node_id
    while current is not None:
        out.append(current)
        current = by_id[current].parent
    return out
