"""Sensitivity: how many points a node gains per unit of each indicator's value, per 1 % of
its target, and in all at its target (its headroom), ranked by headroom.

Slopes are read on the piece of `tools.pieces` the value stands on (α + β·x or α + β/x, from
two evaluations of the engine on the piece); at a breakpoint (the target, where the cap starts,
a table's bound) the slopes on its left and on its right differ and both are given. Where the
plan is not a weighted mean throughout, a piece's figures are not fixed by two points: the
slope is then the engine's difference over a step of a millionth of the value (`local`).
N/D indicators have no slope (no value to move from); their headroom is what the value at
target adds to the node over N/D as the plan's missing policy counts it. No scoring rule here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from ..diagnostics import error
from ..engine.compile import Leaf
from ..engine.values import Values
from . import pieces
from .goal import GoalError, blocked
from .pieces import Probe

if TYPE_CHECKING:
    from ..api import Plan

# A value this close to a breakpoint (relative) stands on it: both slopes are shown.
AT_BREAKPOINT = 1e-9


@attrs.frozen
class Slope:
    """One indicator's effect on a node. Points are percentage points of the node's score."""

    indicator: str
    title: str
    unit: str | None
    value: float | dt.date | None  # now (None: N/D)
    target: float | dt.date | None  # the target used in the period, or the due date
    per_unit: float | None  # points per unit increase of the value (deadlines: per day later)
    per_unit_left: float | None  # at a breakpoint: the slope on its left (else None)
    per_percent: float | None  # points per 1 % of the target's size, right of the value
    per_percent_left: float | None
    headroom: float | None  # points gained with the value at its target (done on time)
    at_target: float | None  # the node's score with the value at its target
    method: str  # "piece" (from the piece's figures), "local" (a small difference), "days",
    # "none" (no value, or nothing moves: see `reason`)
    reason: str | None = None  # goal.REASONS' blocking reasons, or "not_reported"

    @property
    def at_kink(self) -> bool:
        return self.per_unit_left is not None

    def to_dict(self) -> dict[str, object]:
        out = attrs.asdict(self)
        for key in ("value", "target"):
            if isinstance(out[key], dt.date):
                out[key] = out[key].isoformat()
        out["at_kink"] = self.at_kink
        return out


@attrs.frozen
class NodeSensitivity:
    node: str | None  # None: the plan total
    title: str
    score: float | None
    slopes: tuple[Slope, ...]  # ranked by headroom, largest first

    def to_dict(self) -> dict[str, object]:
        return {"node": self.node, "title": self.title, "score": self.score,
                "indicators": [s.to_dict() for s in self.slopes]}


@attrs.frozen
class Sensitivity:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    locale: str
    places: int
    nodes: tuple[NodeSensitivity, ...]

    def node(self, node: str | None) -> NodeSensitivity:
        return next(n for n in self.nodes if n.node == node)

    def to_dict(self) -> dict[str, object]:
        return {"plan": self.plan_id, "period": self.period,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "nodes": [n.to_dict() for n in self.nodes]}


def _slope_on(probe: Probe, leaf: Leaf, f: Callable[[float], float | None], x: float,
              lower: float, upper: float) -> float | None:
    if probe.linear:
        piece = pieces.fit(f, lower, upper, pieces.form_of(leaf, lower, upper))
        return None if piece is None else piece.slope(x)
    # not fixed by two points: the engine's own difference over a small step inside the piece
    step = min(max(abs(x), 1.0) * 1e-6, (upper - lower) / 2)
    left, right = max(lower, x - step), min(upper, x + step)
    a, b = f(left), f(right)
    return None if a is None or b is None or right == left else (b - a) / (right - left)


def _measured(probe: Probe, leaf: Leaf, value: float) -> tuple[float | None, float | None, str]:
    """(slope on the right, slope on the left at a breakpoint or None, method)."""
    name = leaf.indicator.id

    def f(x: float) -> float | None:
        return probe.score({name: x})

    cuts = pieces.breakpoints(leaf)
    on = next((c for c in cuts if abs(c - value) <= AT_BREAKPOINT * max(1.0, abs(c))), None)
    below = [c for c in cuts if c < value and c != on]
    above = [c for c in cuts if c > value and c != on]
    lower = below[-1] if below else -pieces.LIMIT
    upper = above[0] if above else pieces.LIMIT
    method = "piece" if probe.linear else "local"
    if on is None:
        return _slope_on(probe, leaf, f, value, lower, upper), None, method
    right = _slope_on(probe, leaf, f, on, on, upper)
    left = _slope_on(probe, leaf, f, on, lower, on)
    return right, left, method


def _deadline(probe: Probe, leaf: Leaf, value: dt.date | None) -> tuple[float | None,
                                                                         float | None]:
    """Points per day later (right) and per day earlier (left), for a date done."""
    if value is None:
        return None, None
    name = leaf.indicator.id
    now = probe.score({name: value})
    later = probe.score({name: value + dt.timedelta(days=1)}) \
        if probe.as_of is None or value < probe.as_of else None
    earlier = probe.score({name: value - dt.timedelta(days=1)})
    right = None if later is None or now is None else later - now
    left = None if earlier is None or now is None else now - earlier
    return right, (left if left != right else None)


def _slope(probe: Probe, indicator: str) -> Slope:
    leaf = probe.leaves[indicator]
    value = probe.values.values.get(indicator)
    value = value if isinstance(value, float | dt.date) else None
    due = leaf.due
    target: float | dt.date | None = due if due is not None else leaf.target.value
    reason = blocked(probe, indicator)
    current = probe.current
    base = Slope(indicator, leaf.indicator.title, leaf.indicator.unit, value, target, None, None,
                 None, None, None, None, "none", reason)
    if reason is not None:
        return attrs.evolve(base, per_unit=0.0, headroom=0.0, at_target=current)
    if due is not None:
        on_time = due if probe.as_of is None else min(due, probe.as_of)
        reached = probe.score({indicator: on_time})
        right, left = _deadline(probe, leaf, value if isinstance(value, dt.date) else None)
        return attrs.evolve(base, per_unit=right, per_unit_left=left, at_target=reached,
                            headroom=_gain(reached, current), method="days")
    assert isinstance(target, float)
    reached = probe.score({indicator: target})
    out = attrs.evolve(base, at_target=reached, headroom=_gain(reached, current))
    if not isinstance(value, float):
        return attrs.evolve(out, reason="not_reported")
    right, left, method = _measured(probe, leaf, value)
    size = abs(target) / 100.0
    return attrs.evolve(out, per_unit=right, per_unit_left=left, method=method,
                        per_percent=None if right is None or size == 0 else right * size,
                        per_percent_left=None if left is None or size == 0 else left * size)


def _gain(reached: float | None, current: float | None) -> float | None:
    if reached is None:
        return None
    return reached - (current or 0.0)


def _ranked(slopes: Sequence[Slope]) -> tuple[Slope, ...]:
    def key(slope: Slope) -> tuple[float, float]:
        headroom = -math.inf if slope.headroom is None else slope.headroom
        return (-headroom, -abs(slope.per_percent or 0.0))
    return tuple(sorted(slopes, key=key))


def sensitivity(plan: Plan, values: Values, node: str | None = None,
                period: str | None = None, as_of: dt.date | None = None) -> Sensitivity:
    """For `node` (None: the plan total, when the plan has one, and each area), every
    indicator under it with its slopes and headroom, ranked by headroom.

    Raises GoalError (SL801, SL805) for a node the plan has not."""
    probe = Probe(plan, values, None, period, as_of)
    result = probe.base
    if node is not None:
        named = pieces.node_of(result, plan.id, node)
        if named is None and result.score is None:
            raise GoalError([error(
                "SL805", f"plan `{plan.id}` has no total score: its areas are not weighted",
                None, "name an area or an objective, or leave NODE out for every area")])
        targets: list[str | None] = [named]
    else:
        targets = ([None] if result.score is not None else []) + [
            n.id for n in result.areas()]
    out = []
    for target in targets:
        probe.node = target
        title = result.plan_title if target is None else result[target].title
        slopes = [_slope(probe, name) for name in pieces.indicators_under(probe.program, target)]
        out.append(NodeSensitivity(target, title, probe.current, _ranked(slopes)))
    return Sensitivity(plan.id, plan.title, probe.period, probe.as_of, result.locale,
                       plan.definition.policy.display_places, tuple(out))


__all__ = ["GoalError", "NodeSensitivity", "Sensitivity", "Slope", "sensitivity"]
