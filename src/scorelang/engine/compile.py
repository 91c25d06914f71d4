"""Model -> program: the plan flattened for one period, ready to evaluate many times.

Compiling decides everything that does not depend on the measured values: which target each
indicator uses in the period (periodic before annual), which formula, floor, cap and late rule
apply, and the order in which nodes are scored (children before parents). It does not score.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from array import array

import attrs

from .. import model
from ..model import Formula, LateRule, MissingPolicy
from .scoring import bounded


@attrs.frozen
class TargetUsed:
    """The target an indicator is measured against in the period, and where it comes from."""

    source: str  # "annual", "periodic" or "deadline"
    direction: model.Direction | None = None
    value: float | None = None
    due: model.Deadline | None = None
    period: str | None = None  # for periodic targets

    def to_dict(self) -> dict[str, object]:
        if self.due is not None:
            return {"source": "deadline", "deadline": self.due.due.isoformat()}
        out: dict[str, object] = {"source": self.source, "direction": self.direction.value
                                  if self.direction else None, "value": self.value}
        if self.period is not None:
            out["period"] = self.period
        return out


@attrs.frozen
class ScoringRule:
    """How one indicator is scored in the period."""

    indicator: model.Indicator
    target: TargetUsed
    formula: Formula
    floor: float
    cap: float
    late: LateRule


@attrs.frozen
class Step:
    """One node of the scored tree. `children` and `parent_index` index `Program.steps`."""

    id: str
    kind: str  # "area", "objective", "group" or "indicator"
    title: str
    code: str | None
    weight: float | None  # fraction of the parent; None for unweighted areas
    depth: int
    parent: str | None
    children: tuple[int, ...] = ()
    rule: int | None = None  # index into Program.rules for indicator uses


@attrs.frozen
class CardEntry:
    """One line of a scorecard: an indicator (rule index) or a tree node (step index)."""

    ref: str  # the indicator id or node code as written
    title: str
    weight: float  # fraction
    rule: int | None = None
    step: int | None = None


@attrs.frozen
class CompiledScorecard:
    id: str
    title: str
    entries: tuple[CardEntry, ...]


# (slot, ((child slot, weight), ...), sum of those weights): see `Layout.branches`.
Branch = tuple[int, tuple[tuple[int, float], ...], float]

# How a leaf is scored on the evaluator's fast path (see `Layout.kinds`).
AT_LEAST_DEVIATION = 0  # 1 + (v − t)/|t|, t ≠ 0
AT_MOST_DEVIATION = 1  # 1 − (v − t)/|t|, t ≠ 0
GENERAL = 2  # anything else: a ratio with t ≠ 0 — scored by `scoring` itself
DEADLINE = 3
REACHED_OR_NOT = 4  # `=`, or a zero target (`>= 0`, `<= 0`): 1 or 0, whatever the formula


@attrs.frozen
class Layout:
    """The program as flat tables for the evaluator's inner loops, decided once per period.

    Scores live in *slots*: slot `r < len(rules)` is indicator `r` (every use of an
    indicator shares its score), the slots after it are the branches. The indicators are
    columns indexed by `r`: `names` (the ids), `kinds` (a kind above), `targets` (0 for a
    deadline), `thresholds` (see `threshold`), `signed_widths`, `floors` and `caps` (for the
    fast path, below), `dues` (the deadline; read for deadlines only) and
    `used` (whether the tree uses it).

    The fast path scores a value past its threshold as bounded(1 + (v − t) / signed width):
    the signed width is |t| for `>=` and −|t| for `<=`, so that this is either deviation
    formula, and `floors` and `caps` are the rule's. A leaf that is reached or not
    (REACHED_OR_NOT) goes the same way: its signed width is the smallest double (negative for
    `<= 0`), so that 1 + (v − t) / width is ±inf, and its floor and cap are the scores of "not
    reached" and "reached" — both "not reached" for `=`, since a value past the threshold is
    not equal to the target on either side. The numpy engine reads the rules' own floor and
    cap.

    `branches` lists, children before parents, `(slot, ((child slot, weight), ...), sum of
    those weights)` for the children that weigh more than 0, in the order written.

    The evaluator reads the branches' children as one flat run instead: `child_slots` and
    `child_weights` hold every branch's children in that order, and `closing[i]` is the branch
    whose last child is child `i` (None for the others). `unscored` fills every branch's slot
    before scoring (NaN, that is N/D: see evaluate.Scores). A branch with no weighted child
    never closes: its slot stays N/D, for the reason NO_WEIGHT; `no_weight` lists those slots.
    When the areas are weighted (`roots`), the run ends with the plan itself, a branch over the
    areas scored into one more slot, number `slots`. A tuple of pairs per branch costs a
    2-tuple object per child, read on every evaluation: at 100,000 indicators those alone
    outgrow the CPU caches.

    Columns of doubles rather than a tuple per indicator: at 100,000 indicators the tuples and
    the float objects they point to outgrow the CPU caches, and every one read is a cache miss;
    an array holds the same doubles in a fifth of the memory, read in order.
    """

    names: tuple[str, ...]
    kinds: bytes
    targets: array[float]
    signed_widths: array[float]
    thresholds: array[float]
    floors: array[float]
    caps: array[float]
    dues: tuple[dt.date, ...]
    used: tuple[bool, ...]
    branches: tuple[Branch, ...]
    child_slots: tuple[int, ...]
    child_weights: tuple[float, ...]
    closing: tuple[Branch | None, ...]
    unscored: array[float]
    no_weight: tuple[int, ...]
    slot_of_step: tuple[int, ...]
    slots: int
    roots: tuple[tuple[int, float], ...] | None  # weighted areas, or None: no plan score
    index: dict[str, int]  # node id -> step index
    known: frozenset[str]  # every declared indicator id


@attrs.frozen
class Program:
    plan: model.Plan
    period: model.Period | None
    rules: tuple[ScoringRule, ...]
    steps: tuple[Step, ...]  # pre-order: a parent before its children
    post_order: tuple[int, ...]  # children before parents, for scoring
    roots: tuple[int, ...]  # the areas
    missing: MissingPolicy
    scorecards: tuple[CompiledScorecard, ...] = ()
    layout: Layout = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "layout", layout_of(self))


def target_used(indicator: model.Indicator, period: model.Period | None) -> TargetUsed:
    """In a period with a declared periodic target, that target replaces the annual one."""
    if indicator.deadline is not None:
        return TargetUsed("deadline", due=indicator.deadline)
    periodic = indicator.periodic_target(period.id if period else None)
    if periodic is not None:
        return TargetUsed("periodic", periodic.target.direction, periodic.target.value,
                          period=periodic.period)
    assert indicator.target is not None, "check() guarantees a target or a deadline"
    return TargetUsed("annual", indicator.target.direction, indicator.target.value)


def scoring_rule(indicator: model.Indicator, policy: model.Policy,
                 period: model.Period | None) -> ScoringRule:
    return ScoringRule(
        indicator,
        target_used(indicator, period),
        indicator.formula or policy.formula,
        policy.floor if indicator.floor is None else indicator.floor,
        policy.cap if indicator.cap is None else indicator.cap,
        indicator.late or policy.late,
    )


def compile_plan(plan: model.Plan, period: model.Period | None) -> Program:
    """Flatten a checked plan. Call only on a plan that `check` found free of errors."""
    rule_index: dict[str, int] = {}
    rules: list[ScoringRule] = []
    for indicator in plan.indicators:
        rule_index[indicator.id] = len(rules)
        rules.append(scoring_rule(indicator, plan.policy, period))

    steps: list[Step] = []
    children_of: dict[int, list[int]] = {}
    index_of: dict[str, int] = {}
    for placed in model.walk(plan):
        node = placed.node
        weight = node.weight.fraction if node.weight is not None else None
        if isinstance(node, model.Reference):
            # By index, not plan.indicator(): a linear search per use made compiling
            # quadratic (minutes for a plan of 100k indicators).
            used = rules[rule_index[node.indicator]].indicator
            step = Step(placed.id, "indicator", used.title, None, weight, placed.depth,
                        placed.parent, rule=rule_index[node.indicator])
        else:
            kind = {model.Area: "area", model.Objective: "objective", model.Group: "group"}[type(node)]
            code = None if isinstance(node, model.Group) else node.code
            step = Step(placed.id, kind, node.title, code, weight, placed.depth, placed.parent)
        index = len(steps)
        index_of[placed.id] = index
        steps.append(step)
        if placed.parent is not None:
            children_of.setdefault(index_of[placed.parent], []).append(index)
    steps = [attrs.evolve(s, children=tuple(children_of.get(i, ()))) for i, s in enumerate(steps)]
    roots = tuple(i for i, s in enumerate(steps) if s.parent is None)

    post_order: list[int] = []

    def visit(index: int) -> None:
        for child in steps[index].children:
            visit(child)
        post_order.append(index)

    for root in roots:
        visit(root)
    scorecards = tuple(_scorecard(card, plan, rule_index, index_of, steps)
                       for card in plan.scorecards)
    return Program(plan, period, tuple(rules), tuple(steps), tuple(post_order), roots,
                   plan.policy.missing, scorecards)


def _scorecard(card: model.Scorecard, plan: model.Plan, rule_index: dict[str, int],
               index_of: dict[str, int], steps: list[Step]) -> CompiledScorecard:
    entries = []
    for item in card.items:
        if item.indicator is not None:
            indicator = plan.indicator(item.indicator)
            assert indicator is not None
            entries.append(CardEntry(item.indicator, item.label or indicator.title,
                                     item.weight.fraction, rule=rule_index[item.indicator]))
        else:
            assert item.node is not None
            step = index_of[item.node]
            entries.append(CardEntry(item.node, item.label or steps[step].title,
                                     item.weight.fraction, step=step))
    return CompiledScorecard(card.id, card.title, tuple(entries))


def _kind(rule: ScoringRule) -> int:
    target = rule.target
    if target.due is not None:
        return DEADLINE
    assert target.value is not None
    if not math.isfinite(target.value):
        return GENERAL
    # scoring.raw_achievement: `=` and a zero target are decided before the formula.
    if target.direction is model.Direction.EQUAL or target.value == 0:
        return REACHED_OR_NOT
    if rule.formula is Formula.DEVIATION:
        if target.direction is model.Direction.AT_LEAST:
            return AT_LEAST_DEVIATION
        if target.direction is model.Direction.AT_MOST:
            return AT_MOST_DEVIATION
    return GENERAL


def _signed_width(rule: ScoringRule, kind: int) -> float:
    """See Layout: ±|target| for a deviation, ±the smallest double for reached-or-not."""
    width = math.ulp(0.0) if kind == REACHED_OR_NOT else abs(rule.target.value or 0.0)
    return -width if rule.target.direction is model.Direction.AT_MOST else width


def _fast_bounds(rule: ScoringRule, kind: int) -> tuple[float, float]:
    """(floor, cap) of the fast path (see Layout)."""
    if kind != REACHED_OR_NOT:
        return rule.floor, rule.cap
    missed = bounded(0.0, rule.floor, rule.cap)
    if rule.target.direction is model.Direction.EQUAL:
        return missed, missed
    return missed, bounded(1.0, rule.floor, rule.cap)


def threshold(target: float, kind: int) -> float:
    """A distance |v − t| above which a value certainly differs from its target, for the
    evaluator's fast path; +inf where that path does not apply (a ratio, a deadline).

    Scoring calls v and t equal when `math.isclose(v, t, rel_tol=1e-9, abs_tol=1e-9)`: when
    |v − t| is at most 1e-9, 1e-9·|t| or 1e-9·|v|. Past 1e-9·|t|·(1 + 1e-8) the third cannot
    hold either, since |v| ≤ |t| + |v − t|; a value closer than that takes the slow path, which
    asks `math.isclose` itself, so the fast path needs one comparison instead of three.
    """
    if kind == GENERAL or kind == DEADLINE:
        return math.inf
    return max(1e-9, abs(1e-9 * target) * (1.0 + 1e-8))


def layout_of(program: Program) -> Layout:
    steps = program.steps
    count = len(program.rules)
    slot_of_step: list[int] = []
    for step in steps:
        if step.rule is not None:
            slot_of_step.append(step.rule)
        else:
            slot_of_step.append(count)
            count += 1

    def weighted(children: tuple[int, ...]) -> tuple[tuple[int, float], ...]:
        return tuple((slot_of_step[c], steps[c].weight or 0.0) for c in children
                     if (steps[c].weight or 0.0) > 0)

    branches: list[Branch] = []
    for index in program.post_order:
        if steps[index].rule is None:
            pairs = weighted(steps[index].children)
            # sum() as scoring.aggregate does, so that the divisor is the same float.
            branches.append((slot_of_step[index], pairs, sum(w for _, w in pairs)))
    roots = None
    if program.roots and all(steps[r].weight is not None for r in program.roots):
        roots = weighted(program.roots)
    # The flat run also scores the plan, as one more branch over the areas, into slot `count`.
    flat = list(branches)
    if roots is not None:
        flat.append((count, roots, sum(w for _, w in roots)))
    # Each distinct weight as one float object, shared by every child that weighs it.
    weights: dict[float, float] = {}
    child_weights = tuple(weights.setdefault(w, w) for _, pairs, _ in flat for _, w in pairs)
    closing: list[Branch | None] = []
    for branch in flat:
        closing.extend([None] * (len(branch[1]) - 1) + [branch] if branch[1] else [])
    used = {step.rule for step in steps if step.rule is not None}
    rules = program.rules
    targets = [rule.target.value or 0.0 for rule in rules]
    kinds = bytes(map(_kind, rules))
    fast_bounds = list(map(_fast_bounds, rules, kinds))
    # Interned, as the values loaders intern theirs (see values.py).
    return Layout(tuple(sys.intern(rule.indicator.id) for rule in rules), kinds,
                  array("d", targets),
                  array("d", map(_signed_width, rules, kinds)),
                  array("d", map(threshold, targets, kinds)),
                  array("d", (bounds[0] for bounds in fast_bounds)),
                  array("d", (bounds[1] for bounds in fast_bounds)),
                  tuple(rule.target.due.due if rule.target.due else dt.date.max for rule in rules),
                  tuple(i in used for i in range(len(rules))), tuple(branches),
                  tuple(c for _, pairs, _ in flat for c, _ in pairs), child_weights,
                  tuple(closing), array("d", [math.nan] * len(flat)),
                  tuple(slot for slot, pairs, _ in flat if not pairs),
                  tuple(slot_of_step), count, roots,
                  {step.id: i for i, step in enumerate(steps)},
                  frozenset(rule.indicator.id for rule in program.rules))
