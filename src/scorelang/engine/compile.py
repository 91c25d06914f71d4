"""Model -> program: the plan flattened for one period, ready to evaluate many times.

Compiling decides everything that does not depend on the measured values: which target each
indicator uses in the period (periodic before annual), which scoring rule applies to it (its
`scoring.LeafKind`), floor, cap and late rule, how branches aggregate (`scoring.Aggregation`),
and the order in which nodes are scored (children before parents). It does not score, and it
holds no formula: the kinds' forms are in `scoring`.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import threading
from array import array
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .. import model
from ..check import tree as walks
from ..model import Formula, LateRule, TargetUsed, target_used
from . import scoring
from .scoring import Aggregation, LeafKind


# No weak-reference slot on what the program holds per node and per leaf (see model.py).
@attrs.frozen(weakref_slot=False)
class Leaf:
    """How one indicator is scored in the period: its target, its kind (the scoring rule that
    applies, see `scoring.LeafKind`), floor, cap and late rule."""

    indicator: model.Indicator
    target: TargetUsed
    formula: Formula
    floor: float
    cap: float
    late: LateRule
    kind: LeafKind
    # The tolerance, curve, limits or baseline that apply (scoring.LeafRule); None for a leaf
    # scored by its kind's formula alone, as Modena's are.
    rule: scoring.LeafRule | None = None
    # What an N/D value does before any aggregation: `value_zero` or `error` (measured
    # indicators only), or None: the value stays N/D for its parents' policy.
    missing: model.MissingPolicy | None = None
    # For a target still `tbd` in the period: `skip` or `previous`; None for a real target
    # (and under `limit`, whose leaf is scored against the minimum limit: `target.source`).
    no_target: model.MissingTarget | None = None

    @property
    def due(self) -> dt.date | None:
        return self.target.due.due if self.target.due is not None else None


@attrs.frozen(weakref_slot=False)
class CompiledNode:
    """One node of the scored tree. `children` index `Program.nodes`; `leaf` indexes
    `Program.leaves` for indicator uses."""

    id: str
    kind: str  # "area", "objective", "group" or "indicator"
    title: str
    code: str | None
    weight: float | None  # fraction of the parent; None for unweighted areas
    depth: int
    parent: str | None
    children: tuple[int, ...] = ()
    leaf: int | None = None  # index into Program.leaves for indicator uses
    aggregation: Aggregation | None = None  # branches: how they combine their children
    # A `link "CODE"`: the index of the node it reads (scored where it is defined; the link
    # shares its slot, as every use of an indicator shares the indicator's).
    link: int | None = None


@attrs.frozen
class CardEntry:
    """One line of a scorecard: an indicator (leaf index) or a tree node (node index)."""

    ref: str  # the indicator id or node code as written
    title: str
    weight: float  # fraction
    leaf: int | None = None
    node: int | None = None


@attrs.frozen
class RatedBehaviours:
    """A behaviour set as a component part reads it: the scale's top (a rating r scores
    r / high) and each behaviour's (id, title, weight as a fraction)."""

    id: str
    title: str
    high: float
    behaviours: tuple[tuple[str, str, float], ...]


@attrs.frozen
class CompiledPart:
    """One part of a component: the plan total, an indicator (leaf), a node, or behaviours."""

    kind: str  # "plan", "indicator", "node", "behaviours"
    ref: str | None
    title: str
    weight: float  # fraction of the component (1.0 for a lone part)
    leaf: int | None = None
    node: int | None = None
    behaviours: RatedBehaviours | None = None


@attrs.frozen
class CompiledComponent:
    id: str
    title: str
    weight: float  # fraction of the final score (from the card, or from its role)
    parts: tuple[CompiledPart, ...]


@attrs.frozen
class CompiledScorecard:
    id: str
    title: str
    entries: tuple[CardEntry, ...]
    components: tuple[CompiledComponent, ...] = ()
    role: str | None = None
    reward: str | None = None  # the reward mapping's id (the card's, else its role's)
    reward_title: str | None = None
    reward_rows: tuple[scoring.Stretch, ...] = ()  # the shares as fractions


# (slot, first, end, sum of its children's weights): its children are
# `Layout.child_slots[first:end]`, weighing `Layout.child_weights[first:end]` (see Layout).
Branch = tuple[int, int, int, float]


@attrs.frozen
class Layout:
    """The program as flat tables for the evaluator's inner loops, decided once per period.

    Scores live in *slots*: slot `i < len(leaves)` is indicator `i` (every use of an
    indicator shares its score), the slots after it are the branches. The indicators are
    columns indexed by `i`: `names` (the ids), `kinds` (each leaf's `LeafKind`), `targets`
    (0 for a deadline), and for the evaluator's fast path `apart` (`scoring.apart` for the
    deviation kinds, +inf for the others: no value takes the fast path), `widths`
    (`scoring.deviation_width`; 1 where there is none), `floors` and `caps`; `dues` (the
    deadline; read for deadlines only) and `used` (whether the tree uses it).

    `branches` lists, children before parents, `(slot, first, end, sum of the weights)`: the
    branch's children that weigh more than 0, in the order written, are `child_slots[first:
    end]` weighing `child_weights[first:end]` (`pairs` gives them as (slot, weight)). Those
    two hold every branch's children in one flat run, which the evaluator reads in one loop:
    `closing[i]` is the branch whose last child is child `i` (None for the others). `unscored` fills every branch's slot
    before scoring (NaN, that is N/D: see evaluate.SlotScores). A branch with no weighted child
    never closes: its slot stays N/D, for the reason NO_WEIGHT; `no_weight` lists those slots.
    When the areas are weighted (`roots`), the run ends with the plan itself, a branch over the
    areas scored into one more slot, number `slots`. A tuple of pairs per branch costs a
    2-tuple object per child, read on every evaluation: at 100,000 indicators those alone
    outgrow the CPU caches; kept beside the flat run for the slower paths, they were 8 MiB.

    Columns of doubles rather than a tuple per indicator: at 100,000 indicators the tuples and
    the float objects they point to outgrow the CPU caches, and every one read is a cache miss;
    an array holds the same doubles in a fifth of the memory, read in order.
    """

    names: tuple[str, ...]
    kinds: tuple[LeafKind, ...]
    # Measured leaves scored by their kind's formula alone (no deadline, no Leaf.rule): the
    # evaluator scores them by `achievement`; leaves with a rule by `leaf_score` (scoring).
    plain: bytes  # a byte an indicator, 1 or 0 (a tuple of bools was 8 bytes an indicator)
    deadlines: bytes  # kinds[i].is_deadline, read without a call in the hot loop
    targets: array[float]
    widths: array[float]
    apart: array[float]
    floors: array[float]
    caps: array[float]
    dues: tuple[dt.date, ...]
    used: bytes
    branches: tuple[Branch, ...]
    child_slots: tuple[int, ...]
    child_weights: tuple[float, ...]
    closing: tuple[Branch | None, ...]
    unscored: array[float]
    no_weight: tuple[int, ...]
    slot_of_node: tuple[int, ...]
    slots: int
    roots: tuple[tuple[int, float], ...] | None  # weighted areas, or None: no plan score
    index: dict[str, int]  # node id -> node index
    # How each of `branches` combines its children, and the plan total its areas.
    aggregations: tuple[Aggregation, ...] = ()
    plan_aggregation: Aggregation = Aggregation.WEIGHTED_COUNTS_ZERO
    # `rollup rounded`: the display places every slot is rounded to before a parent reads
    # it; None for `rollup unrounded`.
    rounded: int | None = None
    # True when every branch and the plan total aggregate as `program.aggregation` and nothing
    # is rounded: the evaluator's inlined weighted mean then scores every branch (Modena).
    weighted_only: bool = True
    # (indicator, its rule) for the indicators whose N/D value is `value_zero` or `error`:
    # read after the hot loop, so that a plan without them pays nothing.
    on_missing: tuple[tuple[int, model.MissingPolicy], ...] = ()
    # (indicator, its rule) for the indicators whose target is `tbd` in the period.
    no_target: tuple[tuple[int, model.MissingTarget], ...] = ()
    # Node id -> position in a Result's tree order. A plan with a total (`roots`) has it as
    # the root node, first, its id the plan's; then every node of `index`, one further on
    # (`Positions`, read through `index`); without one, `index` itself.
    tree: Mapping[str, int] = attrs.field(factory=dict)

    def pairs(self, branch: Branch) -> tuple[tuple[int, float], ...]:
        """A branch's weighted children as (child slot, weight), in the order written."""
        _, first, end, _ = branch
        return tuple(zip(self.child_slots[first:end], self.child_weights[first:end]))


@attrs.frozen
class Program:
    plan: model.PlanDefinition
    period: model.Period | None
    leaves: tuple[Leaf, ...]
    nodes: tuple[CompiledNode, ...]  # pre-order: a parent before its children
    post_order: tuple[int, ...]  # children before parents, for scoring
    roots: tuple[int, ...]  # the areas
    # The weighted mean under the plan's missing policy: scorecards, and every branch whose
    # node and policy say no other `aggregate` (see CompiledNode.aggregation, plan_aggregation).
    aggregation: Aggregation
    scorecards: tuple[CompiledScorecard, ...] = ()
    rated: bool = False  # some scorecard has behaviours to rate (evaluate checks the ratings)
    layout: Layout = attrs.field(init=False, eq=False, repr=False)
    # Indicator id -> its `description` (what is measured, how): for the reports' annex,
    # made once per program, shared by every Result.
    descriptions: dict[str, str] = attrs.field(init=False, eq=False, repr=False)
    # What reading a Result needs of each node that no evaluation changes, made by the
    # evaluator on first read (evaluate._reading): kept here, once per compiled period.
    reading: Any = attrs.field(init=False, eq=False, repr=False, default=None)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "layout", layout_of(self))
        object.__setattr__(self, "descriptions", {
            leaf.indicator.id: leaf.indicator.description for leaf in self.leaves
            if leaf.indicator.description})


def leaf_of(indicator: model.Indicator, policy: model.Policy,
            period: model.Period | None) -> Leaf:
    """How `indicator` is scored in `period`: its own settings before the plan's policy."""
    target = target_used(indicator, period)
    formula = indicator.formula or policy.formula
    late = indicator.late or policy.late
    tbd = target.direction is not None and target.value is None
    no_target = (indicator.missing_target or policy.missing_target) if tbd else None
    if no_target is model.MissingTarget.LIMIT and indicator.limits is not None:
        # The minimum limit stands in as the target: the indicator is then scored as if its
        # target were written as that figure, by its formula and leaf rules (the limits scale
        # itself needs a real target above its minimum, so it is not used meanwhile).
        target = attrs.evolve(target, source="limit", value=indicator.limits.minimum)
        tbd, no_target = False, None
        kind = scoring.leaf_kind(target.direction, target.value, formula, late)
    elif tbd:
        # A `tbd` target is never scored by a formula (compile.Layout keeps it off the fast
        # path as a reached-or-not kind, whatever its formula or limits); its rule, `skip` or
        # `previous`, gives its figure.
        kind = scoring.leaf_kind(target.direction, 0.0, Formula.DEVIATION, late)
    else:
        kind = scoring.leaf_kind(target.direction, target.value, formula, late,
                                 indicator.limits is not None)
    missing = indicator.missing or (policy.missing if policy.missing.for_the_value else None)
    return Leaf(indicator, target, formula,
                policy.floor if indicator.floor is None else indicator.floor,
                policy.cap if indicator.cap is None else indicator.cap, late, kind,
                None if tbd else _rule(indicator, policy, target, kind),
                None if kind.is_deadline or tbd else missing,  # no formula reads the value
                no_target)


def _rule(indicator: model.Indicator, policy: model.Policy, target: TargetUsed,
          kind: LeafKind) -> scoring.LeafRule | None:
    """The leaf rules of a measured indicator: its own before the plan's. A curve set on the
    indicator (a threshold or a table) replaces the plan's whole. Deadlines have none."""
    if kind.is_deadline or target.direction is None or target.value is None:
        return None
    tolerance = indicator.tolerance or policy.tolerance
    width = tolerance.width(target.value) if tolerance is not None else 0.0
    own = indicator.threshold is not None or indicator.table is not None
    threshold = indicator.threshold if own else policy.threshold
    table = indicator.table if own else policy.table
    curve = _curve(threshold, table)
    knots: tuple[tuple[float, float], ...] = ()
    if kind is LeafKind.LIMITS:
        assert indicator.limits is not None
        limits = indicator.limits
        knots = scoring.limit_knots(target.direction, target.value, limits.minimum,
                                    limits.maximum, limits.excellent)
    baseline = indicator.baseline.value if indicator.baseline is not None else 0.0
    if width <= 0 and curve is None and kind not in (LeafKind.LIMITS, LeafKind.PROGRESS):
        return None
    return scoring.LeafRule(max(width, 0.0), curve, knots, baseline)


def _stretches(rows: tuple[model.RangeRow, ...], scale: float = 1.0) -> tuple[scoring.Stretch, ...]:
    """A table's or a reward's rows as scoring's Stretches: the one compiled form of both."""
    return tuple(scoring.Stretch.written(r.lower, r.upper, r.start, r.end, scale) for r in rows)


def _curve(threshold: model.Threshold | None,
           table: model.ScoreTable | None) -> scoring.Curve | None:
    if table is not None:
        scale = 100.0 if table.points is None else 1.0  # steps' scores are written in percent
        stretches = _stretches(table.rows, scale)
        if table.points is None:
            return scoring.Curve(scoring.CurveKind.STEPS, stretches=tuple(stretches))
        return scoring.Curve(scoring.CurveKind.POINTS, stretches=tuple(stretches),
                             maximum=table.points)
    if threshold is not None:
        kind = scoring.CurveKind.RESCALED if threshold.rescaled else scoring.CurveKind.THRESHOLD
        return scoring.Curve(kind, threshold=threshold.lower)
    return None


def compile_plan(plan: model.PlanDefinition, period: model.Period | None) -> Program:
    """Flatten a checked plan. Call only on a plan that `check` found free of errors."""
    with model.collector_paused():  # compiling was superlinear with it running
        return _compile(plan, period)


# The ints 0, 1, 2... as one object each, shared by every table of positions a program
# holds (a node's children, its leaf, Layout.index and Layout.tree): an int past 256 is a
# new 32-byte object each time it is computed, and at 100,000 indicators the positions of
# the 125,000 nodes were made four times over. Grown as plans need; never shrunk.
_NUMBERS: list[int] = list(range(257))
# Two threads compiling at once must not both extend the list from the same length (item i
# would then not be i for the second half): the extension is made under a lock.
_GROWING = threading.Lock()


def numbers(count: int) -> list[int]:
    """A list whose item `i` is the shared int object `i`, for `i < count` (at least)."""
    if len(_NUMBERS) < count:
        with _GROWING:
            if len(_NUMBERS) < count:
                _NUMBERS.extend(range(len(_NUMBERS), count))
    return _NUMBERS


_KINDS = {model.Area: "area", model.Objective: "objective", model.Group: "group"}


def _compile(plan: model.PlanDefinition, period: model.Period | None) -> Program:
    # The walk the checks made of this plan, when it is the last one they walked: its ids are
    # then the CompiledNodes' too, one string each (walked again, every id of a 100,000-
    # indicator plan was held twice, 7 MiB).
    placed_nodes = walks.placed_nodes(plan)
    number = numbers(max(len(placed_nodes), len(plan.indicators)) + 1)
    leaf_index: dict[str, int] = {}
    leaves: list[Leaf] = []
    for indicator in plan.indicators:
        leaf_index[indicator.id] = number[len(leaves)]
        leaves.append(leaf_of(indicator, plan.policy, period))

    # Two passes over the walk: the first numbers the nodes and finds each one's children,
    # the second makes each CompiledNode once, whole (neither copied by attrs.evolve, which
    # made 125,000 nodes three times at 100,000 indicators, nor first held as a list of its
    # fields, 16 MiB more at the peak of compiling).
    children_of: dict[int, list[int]] = {}
    index_of: dict[str, int] = {}
    for position, placed in enumerate(placed_nodes):
        index = index_of[placed.id] = number[position]
        if placed.parent is not None:
            children_of.setdefault(index_of[placed.parent], []).append(index)

    def head(node: model.Area | model.Node) -> tuple[str, str, str | None, Aggregation | None]:
        """A branch's kind, title, code and aggregation (a link's are the node's it reads)."""
        if isinstance(node, model.Link):
            return head(placed_nodes[index_of[node.code]].node)[:2] + (node.code, None)
        if isinstance(node, model.Reference):  # only ever read by a link: check() says so
            raise AssertionError("a link reads an area or an objective")
        kind = _KINDS[type(node)]
        code = None if isinstance(node, model.Group) else node.code
        rule = node.aggregate.rule if node.aggregate is not None else plan.policy.aggregate
        return kind, node.title, code, scoring.aggregation_of(plan.policy.missing, rule)

    # Each distinct weight as one float object, shared by the nodes that weigh it (a plan
    # writes a few weights; `fraction` makes a new float for each node). Zero not shared:
    # 0.0 and -0.0 are equal keys.
    weights: dict[float, float] = {}
    nodes: list[CompiledNode] = []
    for position, placed in enumerate(placed_nodes):
        node = placed.node
        weight = node.weight.fraction if node.weight is not None else None
        if weight:
            weight = weights.setdefault(weight, weight)
        children = tuple(children_of.get(number[position], ()))
        if isinstance(node, model.Reference):
            # By index, not plan.indicator(): a linear search per use made compiling
            # quadratic (minutes for a plan of 100k indicators).
            leaf = leaf_index[node.indicator]
            nodes.append(CompiledNode(placed.id, "indicator", leaves[leaf].indicator.title,
                                      None, weight, placed.depth, placed.parent, children,
                                      leaf))
        else:
            kind, title, code, aggregation = head(node)
            link = index_of[node.code] if isinstance(node, model.Link) else None
            nodes.append(CompiledNode(placed.id, kind, title, code, weight, placed.depth,
                                      placed.parent, children, None, aggregation, link))
    del children_of
    roots = tuple(i for i, n in enumerate(nodes) if n.parent is None)

    # Children before parents, and a linked node before the branch that reads it: visiting a
    # link visits the node it reads first (check() rules out cycles), each node once.
    post_order: list[int] = []
    visited = bytearray(len(nodes))  # a byte a node (a set of 125,000 ints was 4 MiB)

    def visit(index: int) -> None:
        if visited[index]:
            return
        visited[index] = 1
        for child in nodes[index].children:
            read = nodes[child].link
            if read is not None:
                visit(read)
            visit(child)
        post_order.append(index)

    for root in roots:
        visit(root)
    scorecards = tuple(_scorecard(card, plan, leaf_index, index_of, nodes)
                       for card in plan.scorecards)
    rated = any(part.behaviours is not None for card in scorecards
                for component in card.components for part in component.parts)
    # Neither table is needed by the Program, whose layout is made next: 10 MiB of dicts at
    # 100,000 indicators, freed before it rather than after; nor the walk, whose ids the
    # nodes now hold.
    del leaf_index, index_of, visited, placed_nodes
    walks.release(plan)
    return Program(plan, period, tuple(leaves), tuple(nodes), tuple(post_order), roots,
                   scoring.aggregation_of(plan.policy.missing), scorecards, rated)


def _scorecard(card: model.Scorecard, plan: model.PlanDefinition, leaf_index: dict[str, int],
               index_of: dict[str, int], nodes: list[CompiledNode]) -> CompiledScorecard:
    entries = []
    for item in card.items:
        if item.indicator is not None:
            indicator = plan.indicator(item.indicator)
            assert indicator is not None
            entries.append(CardEntry(item.indicator, item.label or indicator.title,
                                     item.weight.fraction, leaf=leaf_index[item.indicator]))
        else:
            assert item.node is not None
            node = index_of[item.node]
            entries.append(CardEntry(item.node, item.label or nodes[node].title,
                                     item.weight.fraction, node=node))
    role = plan.role(card.role) if card.role else None
    reward = plan.reward(card.reward or (role.reward if role and role.reward else "") or "")
    components = tuple(_component(c, plan, role, leaf_index, index_of, nodes)
                       for c in card.components)
    rows = _stretches(reward.rows) if reward else ()
    return CompiledScorecard(card.id, card.title, tuple(entries), components, card.role,
                             reward.id if reward else None, reward.title if reward else None,
                             rows)


def _component(component: model.Component, plan: model.PlanDefinition, role: model.Role | None,
               leaf_index: dict[str, int], index_of: dict[str, int],
               nodes: list[CompiledNode]) -> CompiledComponent:
    """A component with its weight (written, else its role's) and its parts resolved."""
    weight = component.weight or (role.weight(component.id) if role else None)
    parts = []
    for part in component.parts:
        share = part.weight.fraction if part.weight else 1.0
        if part.kind == "plan":
            parts.append(CompiledPart("plan", None, part.label or plan.title, share))
        elif part.kind == "indicator":
            indicator = plan.indicator(part.ref or "")
            assert indicator is not None and part.ref is not None
            parts.append(CompiledPart("indicator", part.ref, part.label or indicator.title,
                                      share, leaf=leaf_index[part.ref]))
        elif part.kind == "node":
            node = index_of[part.ref or ""]
            parts.append(CompiledPart("node", part.ref, part.label or nodes[node].title, share,
                                      node=node))
        else:
            rated = plan.behaviour_set(part.ref or "")
            assert rated is not None
            parts.append(CompiledPart("behaviours", rated.id, part.label or rated.title, share,
                                      behaviours=RatedBehaviours(
                                          rated.id, rated.title, rated.high,
                                          tuple((b.id, b.title, b.weight.fraction)
                                                for b in rated.behaviours))))
    return CompiledComponent(component.id, component.title, weight.fraction if weight else 0.0,
                             tuple(parts))


def _fast_path(leaf: Leaf) -> tuple[float, float]:
    """(width, apart) of a leaf on the evaluator's fast path (see Layout)."""
    width = scoring.deviation_width(leaf.kind, leaf.target.value or 0.0)
    if width is None or leaf.rule is not None:  # leaf rules take the slow path (evaluate)
        return 1.0, math.inf
    return width, scoring.apart(leaf.target.value or 0.0)


def layout_of(program: Program) -> Layout:
    nodes = program.nodes
    count = len(program.leaves)
    slot_of_node: list[int] = []
    for node in nodes:
        if node.leaf is not None:
            slot_of_node.append(node.leaf)
        elif node.link is not None:
            slot_of_node.append(-1)  # the slot of the node it reads, set below
        else:
            slot_of_node.append(count)
            count += 1
    for index, node in enumerate(nodes):
        if node.link is not None:
            slot_of_node[index] = slot_of_node[node.link]

    # Each distinct weight as one float object, shared by every child that weighs it.
    weights: dict[float, float] = {}
    child_slots: list[int] = []
    child_weights: list[float] = []

    def weighted(slot: int, children: tuple[int, ...]) -> Branch:
        """The branch in `slot` over `children`, its weighted ones appended to the run."""
        first = len(child_slots)
        for child in children:
            weight = nodes[child].weight or 0.0
            if weight > 0:
                child_slots.append(slot_of_node[child])
                child_weights.append(weights.setdefault(weight, weight))
        # sum() as scoring.aggregate does, so that the divisor is the same float.
        return slot, first, len(child_slots), sum(child_weights[first:])

    branches: list[Branch] = [weighted(slot_of_node[index], nodes[index].children)
                              for index in program.post_order
                              if nodes[index].leaf is None and nodes[index].link is None]
    aggregations = tuple(nodes[index].aggregation or program.aggregation
                         for index in program.post_order
                         if nodes[index].leaf is None and nodes[index].link is None)
    policy = program.plan.policy
    plan_aggregation = scoring.aggregation_of(policy.missing, policy.aggregate)
    rounded = policy.display_places if policy.rollup is model.Rollup.ROUNDED else None
    weighted_only = rounded is None and plan_aggregation is program.aggregation and all(
        aggregation is program.aggregation for aggregation in aggregations)
    roots = None
    # The flat run also scores the plan, as one more branch over the areas, into slot `count`.
    flat = list(branches)
    if program.roots and all(nodes[r].weight is not None for r in program.roots):
        flat.append(weighted(count, program.roots))
        first, end = flat[-1][1:3]
        roots = tuple(zip(child_slots[first:end], child_weights[first:end]))
    closing: list[Branch | None] = [None] * len(child_slots)
    for branch in flat:
        if branch[2] > branch[1]:  # a branch with no weighted child never closes
            closing[branch[2] - 1] = branch
    used = bytearray(len(program.leaves))  # a byte an indicator (a set of ints was 4 MiB)
    for node in nodes:
        if node.leaf is not None:
            used[node.leaf] = 1
    carded = {entry.leaf for card in program.scorecards for entry in card.entries} | {
        part.leaf for card in program.scorecards for component in card.components
        for part in component.parts}  # a component's indicator parts are scored there too
    leaves = program.leaves
    # Straight into the arrays: a list of (width, apart) pairs first was 12 MiB more at the
    # peak of compiling 100,000 indicators.
    widths, apart = array("d"), array("d")
    for leaf in leaves:
        width, distance = _fast_path(leaf)
        widths.append(width)
        apart.append(distance)
    # The positions of `index` as the program's shared ints.
    number = numbers(len(nodes))
    positions = dict(zip([node.id for node in nodes], number))
    # Interned, as the values loaders intern theirs (see values.py).
    return Layout(tuple(sys.intern(leaf.indicator.id) for leaf in leaves),
                  tuple(leaf.kind for leaf in leaves),
                  bytes(not leaf.kind.is_deadline and leaf.rule is None for leaf in leaves),
                  bytes(leaf.kind.is_deadline for leaf in leaves),
                  array("d", (leaf.target.value or 0.0 for leaf in leaves)),
                  widths, apart,
                  array("d", (leaf.floor for leaf in leaves)),
                  array("d", (leaf.cap for leaf in leaves)),
                  tuple(leaf.due or dt.date.max for leaf in leaves),
                  bytes(used), tuple(branches),
                  tuple(child_slots), tuple(child_weights),
                  tuple(closing), array("d", [math.nan] * len(flat)),
                  tuple(slot for slot, first, end, _ in flat if first == end),
                  tuple(slot_of_node), count, roots,
                  positions, aggregations,
                  plan_aggregation, rounded, weighted_only,
                  # value_zero wherever the indicator is scored (a scorecard too, as the
                  # batch does); error only where the tree uses it, as SL310 warns.
                  tuple((i, leaf.missing) for i, leaf in enumerate(leaves)
                        if leaf.missing is model.MissingPolicy.VALUE_ZERO
                        or (leaf.missing is not None and used[i])),
                  tuple((i, leaf.no_target) for i, leaf in enumerate(leaves)
                        if leaf.no_target is not None and (used[i] or i in carded)),
                  Positions(positions, program.plan.id) if roots is not None else positions)


class Positions(Mapping[str, int]):
    """Layout.tree of a plan with a total: node id -> position in the Result, the plan's
    total first (position 0, under the plan's id), then every node one further on than in
    `index`. A view of `index`, not a copy: a second dict of every id was 40 MiB at 1,000,000
    indicators. A node written with the plan's own id keeps it (the total is then reached by
    position alone), as the dict did."""

    __slots__ = ("_index", "_total")

    def __init__(self, index: dict[str, int], total: str) -> None:
        self._index, self._total = index, total

    def __getitem__(self, key: str) -> int:
        position = self._index.get(key)
        if position is not None:
            return position + 1
        if key == self._total:
            return 0
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self._index or key == self._total

    def __len__(self) -> int:
        return len(self._index) + (self._total not in self._index)

    def __iter__(self) -> Iterator[str]:
        total = self._total
        yield total
        yield from (key for key in self._index if key != total)
