"""Goal-seek: the value of an indicator that alone brings a node to a score, the rest fixed;
or, `jointly`, the smallest equal share of their distances to target that the named
indicators must close together.

The answer comes from the pieces of `tools.pieces`: on each piece between an indicator's
breakpoints the node's score is α + β·x (or α + β/x for a ratio dividing by the value), read
from the engine at two points and solved in closed form; where the plan is not a weighted
mean throughout, the piece is searched by bisection instead (`method` says which). Every
answer is re-scored by the engine and carries the re-scored figure. No scoring rule here.

Values are presented rounded in the direction that keeps the goal reached, at the fewest
decimals whose re-scored figure still shows the goal at the plan's display precision; a count
(unit N with a whole target) is also given as the next whole number, with its own figure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

import attrs

from ..diagnostics import did_you_mean, error
from ..engine import scoring
from ..engine.compile import Leaf
from ..engine.rounding import half_up
from ..engine.values import Values
from . import pieces
from .pieces import LIMIT, REACHES, GoalError, Probe

if TYPE_CHECKING:
    from ..api import Plan

# Why an indicator alone cannot bring the node to the goal (Answer.reason).
REASONS = (
    "already",  # the node is already at or above the goal
    "capped",  # even at its best (its cap, or done on time) the node stays below the goal
    "zero_weight",  # every use of the indicator under the node weighs 0 %
    "nd_policy",  # its target is `tbd`: skipped or scored by the previous score, not its value
    "neutralised",  # the indicator, or the node above it, is neutralised in the values file
    "overridden",  # its score, or the node's above it, is overridden in the values file
    "wrong_way",  # improving the value never raises the node (it only lowers it)
    "jumps",  # a table or a reached-or-not rule jumps over the goal: the nearest step is given
)
# How the answer was found (Answer.method).
METHODS = ("closed_form", "inverse", "bisection", "at_breakpoint", "dates")
# Units of counts: a whole number of people, products, events.
COUNT_UNITS = frozenset({"N", "N.", "n", "n.", "nr", "numero"})
# A jointly moved share is at most this many times the distance to target.
MOST_SHARE = 100.0


@attrs.frozen
class Answer:
    """One indicator's answer. Figures of NODE in percent; values in the indicator's unit."""

    indicator: str
    title: str
    unit: str | None
    current: float | dt.date | None  # the value now (None: N/D)
    target: float | dt.date | None  # the target value used in the period, or the due date
    status: str  # "reachable", "step" (the nearest step beyond the goal), "unreachable"
    reason: str | None  # one of REASONS when not reachable exactly
    value: float | dt.date | None = None  # the answer, rounded toward reaching the goal
    score: float | None = None  # NODE re-scored with `value`
    exact: float | None = None  # the unrounded solution (measured indicators)
    exact_score: float | None = None  # NODE re-scored with `exact`
    whole: float | None = None  # counts: the next whole number toward reaching
    whole_score: float | None = None
    best: float | None = None  # the most this indicator alone gives NODE (unreachable)
    method: str | None = None  # one of METHODS

    def to_dict(self) -> dict[str, object]:
        out = attrs.asdict(self)
        for key in ("current", "target", "value"):
            if isinstance(out[key], dt.date):
                out[key] = out[key].isoformat()
        return out


@attrs.frozen
class Move:
    indicator: str
    title: str
    unit: str | None
    current: float
    target: float
    value: float  # rounded toward reaching
    exact: float


@attrs.frozen
class Joint:
    """`--jointly`: each moved indicator's value is v + s·(t − v), the same share s of its
    distance to target for all; `share` is s in percent (100: every one at its target)."""

    status: str  # "reachable", "step", "unreachable"
    reason: str | None
    share: float | None  # percent of each indicator's distance to its target
    moves: tuple[Move, ...]
    left_out: tuple[tuple[str, str], ...]  # (indicator, why): not moved jointly
    score: float | None  # NODE re-scored with the moves' rounded values
    exact_score: float | None
    best: float | None
    method: str | None

    def to_dict(self) -> dict[str, object]:
        return attrs.asdict(self)


@attrs.frozen
class GoalSeek:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    locale: str
    places: int  # the plan's display decimals
    node: str | None  # None: the plan total
    node_title: str
    goal: float  # percent
    current: float | None  # NODE now
    answers: tuple[Answer, ...]
    joint: Joint | None = None
    calls: int = 0  # evaluations made (for the curious; not in reports)

    def answer(self, indicator: str) -> Answer:
        return next(a for a in self.answers if a.indicator == indicator)

    def to_dict(self) -> dict[str, object]:
        return {"plan": self.plan_id, "period": self.period,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "node": self.node, "node_title": self.node_title, "goal": self.goal,
                "current": self.current, "answers": [a.to_dict() for a in self.answers],
                "joint": self.joint.to_dict() if self.joint else None}


# ---- checking the request -----------------------------------------------------------------------

def highest(probe: Probe, node: str | None) -> float:
    """The highest score NODE can have, in percent: the largest cap of its leaves (under
    `aggregate sum` a node may add up beyond it: then no bound)."""
    layout = probe.program.layout
    if any(a.rule.value == "sum" for a in layout.aggregations) or \
            layout.plan_aggregation.rule.value == "sum":
        return math.inf
    under = pieces.indicators_under(probe.program, node)
    return max((probe.leaves[i].cap for i in under), default=1.0) * 100.0


def _check_goal(probe: Probe, goal: float) -> None:
    top = highest(probe, probe.node)
    if not (math.isfinite(goal) and 0.0 <= goal <= top):
        bound = "any figure" if math.isinf(top) else f"{top:g} %"
        raise GoalError([error("SL802", f"the goal {goal:g} % is outside 0 %..{bound}, the "
                               f"scores `{probe.node or 'plan'}` can have", None,
                               "give the goal in percent, e.g. 80 for 80 %")])


def chosen(probe: Probe, vary: Sequence[str]) -> list[str]:
    """The indicators to move: those named (each checked), or every one under NODE."""
    under = pieces.indicators_under(probe.program, probe.node)
    if not vary:
        return under
    problems = []
    for name in vary:
        if name not in probe.leaves:
            used = _indicator_of(probe, name)
            hint = (f"a node, not an indicator: name the indicator it uses, `{used}`" if used
                    else did_you_mean(name, list(probe.leaves))
                    or "name an indicator by its id, as the values file does")
            problems.append(error("SL803", f"`{name}` is not an indicator of plan "
                                  f"`{probe.program.plan.id}`", None, hint))
        elif name not in under:
            problems.append(error("SL804", f"indicator `{name}` is not used under "
                                  f"`{probe.node or 'plan'}`", None,
                                  "moving it cannot change the node: name an indicator of the "
                                  "node's subtree (scorelang explain NODE lists them)"))
    if problems:
        raise GoalError(problems)
    return list(dict.fromkeys(vary))


def _indicator_of(probe: Probe, node_id: str) -> str | None:
    """The indicator a node uses, when the node is an indicator use (None otherwise)."""
    compiled = next((n for n in probe.program.nodes if n.id == node_id), None)
    if compiled is None or compiled.leaf is None:
        return None
    return probe.program.leaves[compiled.leaf].indicator.id


def blocked(probe: Probe, indicator: str) -> str | None:
    """A reason the indicator's value cannot move NODE at all, or None."""
    leaf = probe.leaves[indicator]
    program = probe.program
    by_id = {n.id: n for n in program.nodes}
    neutralised, overrides = probe.values.neutralised, probe.values.overrides
    if indicator in neutralised:
        return "neutralised"
    if indicator in overrides:
        return "overridden"
    if leaf.no_target is not None or leaf.target.value is None and leaf.due is None:
        return "nd_policy"
    causes = []
    for use in pieces.uses_under(program, probe.node, indicator):
        cause = None
        for step in pieces.ancestors(program, use):
            if step == probe.node:
                break
            if step in neutralised:
                cause = "neutralised"
            elif step in overrides:
                cause = cause or "overridden"
            elif by_id[step].weight == 0:
                cause = cause or "zero_weight"
        if cause is None:
            return None
        causes.append(cause)
    for cause in ("neutralised", "overridden", "zero_weight"):
        if cause in causes:
            return cause
    return "zero_weight"


# ---- one indicator ------------------------------------------------------------------------------

@attrs.frozen
class _Found:
    x: float
    method: str


def _solve_piece(f: Callable[[float], float | None], lower: float, upper: float, form: str,
                 goal: float, linear: bool, up: bool) -> _Found | None:
    """The point of (lower, upper) nearest its start (lower when `up`) where f reaches goal."""
    if linear:
        piece = pieces.fit(f, lower, upper, form)
        if piece is not None and piece.beta != 0:
            x = piece.solve(goal)
            if x is not None and lower < x < upper:
                reached = f(x)
                if reached is not None and abs(reached - goal) <= REACHES:
                    return _Found(x, "inverse" if form == pieces.HYPERBOLIC else "closed_form")
        elif piece is not None:
            return None if piece.alpha < goal - REACHES else _Found(
                _inside(lower, upper, up), "at_breakpoint")
        # the fit's figures did not re-score (a rounding somewhere): search the piece
    return _bisect(f, lower, upper, goal, up)


def _inside(lower: float, upper: float, up: bool) -> float:
    """A point just inside the piece's start."""
    start, other = (lower, upper) if up else (upper, lower)
    step = max(abs(start) * 1e-12, 1e-12)
    x = start + step if up else start - step
    return x if (lower < x < upper) else (start + other) / 2


def _bisect(f: Callable[[float], float | None], lower: float, upper: float, goal: float,
            up: bool) -> _Found | None:
    near, far = (lower, upper) if up else (upper, lower)
    near_in, far_in = _inside(lower, upper, up), _inside(lower, upper, not up)
    f_near, f_far = f(near_in), f(far_in)
    if f_near is not None and f_near >= goal - REACHES:
        return _Found(near_in, "bisection")
    if f_far is None or f_far < goal - REACHES:
        return None
    bad, good = near_in, far_in
    for _ in range(200):
        middle = (bad + good) / 2
        if middle in (bad, good):
            break
        score = f(middle)
        if score is not None and score >= goal - REACHES:
            good = middle
        else:
            bad = middle
    return _Found(good, "bisection")


def _round(x: float, places: int, up: bool) -> float:
    exact = Decimal(repr(x))
    return float(exact.quantize(Decimal(1).scaleb(-places), ROUND_CEILING if up else ROUND_FLOOR))


def _shown(figure: float, places: int) -> Decimal:
    return half_up(figure, places)


def _seek_measured(probe: Probe, leaf: Leaf, goal: float, places: int) -> Answer:
    name = leaf.indicator.id
    current = probe.values.values.get(name)
    start = current if isinstance(current, float) else None
    direction = pieces.improving(leaf)
    up = direction > 0
    linear = probe.linear

    def f(x: float) -> float | None:
        return probe.score({name: x})

    cuts = [x for x in pieces.breakpoints(leaf) if -LIMIT < x < LIMIT]
    stops = sorted({*cuts, -LIMIT, LIMIT}, reverse=not up)
    if start is not None:
        stops = [x for x in stops if (x > start if up else x < start)]
        previous: float | None = start
    else:
        previous = None
    best: float | None = None
    found: _Found | None = None
    for stop in stops:
        if previous is not None:
            lower, upper = min(previous, stop), max(previous, stop)
            if lower < upper:
                found = _solve_piece(f, lower, upper, pieces.form_of(leaf, lower, upper), goal,
                                     linear, up)
                if found is not None:
                    break
        at = f(stop)
        if at is not None:
            best = at if best is None else max(best, at)
            if at >= goal - REACHES:
                found = _Found(stop, "at_breakpoint")
                break
        previous = stop
    base = _base(probe, leaf, start)
    if found is None:
        reason = "capped"
        if best is None or (probe.current is not None and best <= probe.current + REACHES
                            and not _at_cap(probe, leaf, start)):
            reason = "wrong_way" if start is not None else "capped"
        return attrs.evolve(base, status="unreachable", reason=reason, best=best)
    x = found.x
    reached = f(x)
    assert reached is not None
    step = _shown(reached, places) > _shown(goal, places)
    value, score = _presented(f, x, reached, goal, places, up)
    whole = whole_score = None
    if leaf.indicator.unit in COUNT_UNITS and float(leaf.target.value or 0).is_integer():
        whole = float(math.ceil(x - 1e-9) if up else math.floor(x + 1e-9))
        whole_score = f(whole)
    return attrs.evolve(base, status="step" if step else "reachable",
                        reason="jumps" if step else None, value=value, score=score, exact=x,
                        exact_score=reached, whole=whole, whole_score=whole_score,
                        method=found.method)


def _presented(f: Callable[[float], float | None], x: float, reached: float, goal: float,
               places: int, up: bool) -> tuple[float, float]:
    """x rounded toward reaching, at the fewest decimals that show the same figure."""
    shown = _shown(reached, places)
    for decimals in range(0, 10):
        candidate = _round(x, decimals, up)
        score = f(candidate)
        if score is not None and score >= goal - REACHES and _shown(score, places) == shown:
            return candidate, score
    return x, reached


def _at_cap(probe: Probe, leaf: Leaf, start: float | None) -> bool:
    if start is None:
        return False
    score = scoring.leaf_score(leaf.kind, leaf.target.value or 0.0, leaf.due, leaf.late,
                                      leaf.floor, leaf.cap, start, probe.as_of, leaf.rule)[1]
    return isinstance(score, float) and score >= leaf.cap


def _base(probe: Probe, leaf: Leaf, start: float | dt.date | None) -> Answer:
    target: float | dt.date | None = leaf.due if leaf.due is not None else leaf.target.value
    current = probe.values.values.get(leaf.indicator.id)
    return Answer(leaf.indicator.id, leaf.indicator.title, leaf.indicator.unit,
                  current if isinstance(current, float | dt.date) else None, target,
                  "unreachable", None)


def _seek_deadline(probe: Probe, leaf: Leaf, goal: float) -> Answer:
    """The latest completion date that brings NODE to the goal: dates are whole days, so the
    closed form on a linear late rule's piece is taken to the day before it, then re-scored."""
    name = leaf.indicator.id
    current = probe.values.values.get(name)
    base = _base(probe, leaf, None)

    def f(ordinal: float) -> float | None:
        return probe.score({name: pieces.day(ordinal)})

    assert leaf.due is not None and probe.as_of is not None  # evaluate demands as_of (SL311)
    due = leaf.due.toordinal()
    latest = probe.as_of.toordinal()
    if isinstance(current, dt.date):
        latest = min(latest, current.toordinal() - 1)
    candidates: list[tuple[int, str]] = [(latest, "dates")]
    cuts = pieces.deadline_cuts(leaf)
    if len(cuts) == 2 and due < latest:  # a linear late rule: solve on its piece
        end = min(cuts[1], latest)
        if end - due >= 2:
            piece = pieces.fit(f, due, end, pieces.AFFINE, at=(due + 1, end))
            if piece is not None and piece.beta != 0:
                x = piece.solve(goal)
                if x is not None and due < x:
                    day = min(int(math.floor(x + 1e-9)), end)
                    candidates += [(day, "closed_form"), (day - 1, "closed_form")]
    candidates.append((min(due, latest), "dates"))
    best = None
    for ordinal, method in sorted(set(candidates), reverse=True):
        if ordinal > latest:
            continue
        score = f(ordinal)
        if score is None:
            continue
        best = score if best is None else max(best, score)
        if score >= goal - REACHES:
            return attrs.evolve(base, status="reachable", value=pieces.day(ordinal), score=score,
                                method=method)
    return attrs.evolve(base, status="unreachable", reason="capped", best=best)


def seek(probe: Probe, indicator: str, goal: float, places: int) -> Answer:
    """One indicator's answer for NODE at `goal` percent."""
    leaf = probe.leaves[indicator]
    reason = blocked(probe, indicator)
    base = _base(probe, leaf, None)
    if reason is not None:
        return attrs.evolve(base, reason=reason, best=probe.current)
    if probe.current is not None and probe.current >= goal - REACHES:
        return attrs.evolve(base, status="unreachable", reason="already", best=probe.current)
    if leaf.kind.is_deadline:
        return _seek_deadline(probe, leaf, goal)
    return _seek_measured(probe, leaf, goal, places)


# ---- jointly ------------------------------------------------------------------------------------

def _joint(probe: Probe, names: Sequence[str], goal: float, places: int) -> Joint:
    moves: list[tuple[Leaf, float, float]] = []
    left_out: list[tuple[str, str]] = []
    for name in names:
        leaf = probe.leaves[name]
        value = probe.values.values.get(name)
        reason = blocked(probe, name)
        if reason is not None:
            left_out.append((name, reason))
        elif leaf.kind.is_deadline:
            left_out.append((name, "deadline"))
        elif not isinstance(value, float):
            left_out.append((name, "not_reported"))
        elif (leaf.target.value - value) * pieces.improving(leaf) <= 0:  # type: ignore[operator]
            left_out.append((name, "at_target"))
        else:
            moves.append((leaf, value, float(leaf.target.value)))  # type: ignore[arg-type]
    if probe.current is not None and probe.current >= goal - REACHES:
        return Joint("unreachable", "already", None, (), tuple(left_out), None, None,
                     probe.current, None)
    if not moves:
        return Joint("unreachable", "capped", None, (), tuple(left_out), None, None,
                     probe.current, None)

    def at(share: float, rounded: int | None = None) -> dict[str, float]:
        out = {}
        for leaf, value, target in moves:
            x = value + share * (target - value)
            if rounded is not None:
                x = _round(x, rounded, pieces.improving(leaf) > 0)
            out[leaf.indicator.id] = x
        return out

    def f(share: float) -> float | None:
        return probe.score(at(share))

    cuts = {0.0, MOST_SHARE}
    affine = True
    for leaf, value, target in moves:
        affine = affine and not pieces.hyperbolic(leaf)
        for x in pieces.breakpoints(leaf):
            share = (x - value) / (target - value)
            if 0 < share < MOST_SHARE:
                cuts.add(share)
    stops = sorted(cuts)
    found: _Found | None = None
    best: float | None = None
    for lower, upper in zip(stops, stops[1:]):
        found = _solve_piece(f, lower, upper, pieces.AFFINE, goal, probe.linear and affine,
                             True)
        if found is not None:
            break
        score = f(upper)
        if score is not None:
            best = score if best is None else max(best, score)
            if score >= goal - REACHES:
                found = _Found(upper, "at_breakpoint")
                break
    if found is None:
        return Joint("unreachable", "capped", None, (), tuple(left_out), None, None, best, None)
    share = found.x
    reached = f(share)
    assert reached is not None
    shown = _shown(reached, places)
    chosen_values, score = at(share), reached
    for decimals in range(0, 10):
        candidate = at(share, decimals)
        rescored = probe.score(candidate)
        if rescored is not None and rescored >= goal - REACHES and \
                _shown(rescored, places) == shown:
            chosen_values, score = candidate, rescored
            break
    exact = at(share)
    step = shown > _shown(goal, places)
    return Joint("step" if step else "reachable", "jumps" if step else None, share * 100.0,
                 tuple(Move(leaf.indicator.id, leaf.indicator.title, leaf.indicator.unit, value,
                            target, chosen_values[leaf.indicator.id], exact[leaf.indicator.id])
                       for leaf, value, target in moves),
                 tuple(left_out), score, reached, None, found.method)


# ---- the API ------------------------------------------------------------------------------------

def goal_seek(plan: Plan, values: Values, node: str | None, goal: float,
              vary: Sequence[str] = (), period: str | None = None,
              as_of: dt.date | None = None, jointly: bool = False) -> GoalSeek:
    """For each indicator under `node` (None or the plan's id: the plan total), or each of
    `vary`, the value that alone brings `node` to `goal` percent; with `jointly`, the
    smallest equal share of their distances to target that brings it there together.

    Raises GoalError (SL801–SL805) for a request that cannot be answered."""
    probe = Probe(plan, values, None, period, as_of)
    probe.node = pieces.node_of(probe.base, plan.id, node)
    if probe.current is None and probe.node is None:
        raise GoalError([error("SL805", f"plan `{plan.id}` has no total score: its areas are "
                               "not weighted", None, "name an area or an objective instead")])
    _check_goal(probe, goal)
    names = chosen(probe, vary)
    places = plan.definition.policy.display_places
    answers = tuple(seek(probe, name, goal, places) for name in names)
    joint = _joint(probe, names, goal, places) if jointly else None
    title = probe.base.plan_title if probe.node is None else probe.base[probe.node].title
    return GoalSeek(plan.id, plan.title, probe.period, probe.as_of, probe.base.locale, places,
                    probe.node, title, goal, probe.current, answers, joint, probe.calls)


__all__ = ["Answer", "GoalError", "GoalSeek", "Joint", "Move", "REASONS", "goal_seek"]
