"""Model -> program: the plan flattened for one period, ready to evaluate many times.

Compiling decides everything that does not depend on the measured values: which target each
indicator uses in the period (periodic before annual), which scoring rule applies to it (its
`scoring.LeafKind`), floor, cap and late rule, how branches aggregate (`scoring.Aggregation`),
and the order in which nodes are scored (children before parents). It does not score, and it
holds no formula: the kinds' forms are in `scoring`. What it decides is kept as columns (the
`Layout`, the tree's `Nodes`); a `Leaf` or a `CompiledNode` is made when one is read.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

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

    @property
    def quick(self) -> bool:
        """Read by a Result's quick entry (evaluate._Reading.plain_of): no leaf rule,
        baseline, `tbd` target, deadline or `value_zero`."""
        return self.rule is None and self.indicator.baseline is None \
            and self.no_target is None and not self.kind.is_deadline \
            and self.missing is not model.MissingPolicy.VALUE_ZERO


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
    deadline; read for deadlines only) and `used` (whether the tree uses it); `lates`, `rules`
    and `value_zero` for the slow path. These columns are where the program keeps its leaves:
    `Program.leaves` makes a Leaf when one is read.

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
    # What the evaluator's slow path reads of a leaf besides the columns above (see
    # `Program.leaves`): its late rule and its leaf rule (`Leaf.late`, `Leaf.rule`), and
    # whether an N/D value is scored as 0 (`missing value_zero`), a byte an indicator.
    lates: tuple[LateRule, ...]
    rules: tuple[scoring.LeafRule | None, ...]
    value_zero: bytes
    quick: bytes  # Leaf.quick, for reading a Result
    branches: tuple[Branch, ...]
    child_slots: tuple[int, ...]
    child_weights: tuple[float, ...]
    closing: tuple[Branch | None, ...]
    unscored: array[float]
    no_weight: tuple[int, ...]
    slot_of_node: tuple[int, ...]
    slots: int
    roots: tuple[tuple[int, float], ...] | None  # weighted areas, or None: no plan score
    index: NodeIndex  # node id -> node index, its dict made when first read
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
    # Each indicator's Leaf and each node's CompiledNode, made when read (`Leaves`, `Nodes`):
    # the evaluator reads `layout`'s columns. Both follow from the plan and the period, which
    # is why they take no part in comparing programs.
    leaves: Leaves = attrs.field(eq=False)
    nodes: Nodes = attrs.field(eq=False)  # pre-order: parents first
    post_order: Sequence[int] = attrs.field(eq=False)  # children before parents, for scoring
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
            indicator.id: indicator.description for indicator in self.plan.indicators
            if indicator.description})


Made = TypeVar("Made")


class _MadeWhenRead(Sequence[Made]):
    """A sequence whose items are made when read (`made`), kept nowhere: `Leaves`, `Nodes`."""

    __slots__ = ()

    def made(self, index: int) -> Made:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Made: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Made, ...]: ...

    def __getitem__(self, index: int | slice) -> Made | tuple[Made, ...]:
        if isinstance(index, slice):
            return tuple(self.made(i) for i in range(*index.indices(len(self))))
        return self.made(index)

    def __iter__(self) -> Iterator[Made]:
        return map(self.made, range(len(self)))


class Leaves(_MadeWhenRead[Leaf]):
    """`Program.leaves`: indicator `i`'s Leaf made by `leaf_of` when it is read, kept nowhere.

    The evaluator reads the leaves as the Layout's columns; the reports, the tools and the
    reading of a Result's nodes read a Leaf at a time. Kept whole, a Leaf and its TargetUsed
    per indicator were 150 MiB at 1,000,000 indicators, beside the columns that hold the
    same. `leaf_of` depends on nothing but the indicator, the plan's policy and the period,
    so a leaf read twice is equal, not the same object."""

    __slots__ = ("indicators", "policy", "period")

    def __init__(self, indicators: tuple[model.Indicator, ...], policy: model.Policy,
                 period: model.Period | None) -> None:
        self.indicators, self.policy, self.period = indicators, policy, period

    def __len__(self) -> int:
        return len(self.indicators)

    def made(self, index: int) -> Leaf:
        return leaf_of(self.indicators[index], self.policy, self.period)


class Nodes(_MadeWhenRead[CompiledNode]):
    """`Program.nodes`: the tree in pre-order as columns, node `i`'s CompiledNode made when it
    is read, kept nowhere.

    `ids` the node ids (the checks' walk's strings), `written` the model's node, `parents`
    the parent's position (-1 for an area), `depths`, the children of node `i` at
    `children[starts[i]:starts[i + 1]]`, `leaf` and `link` the leaf index or the position
    of the node a link reads (-1 for none), `weights` the fraction of the parent (NaN for an
    unweighted area), `positions` the position of each id. Kept whole, a CompiledNode and a tuple of children per node were 150
    MiB at 1,000,000 indicators; the columns are 45 bytes a node."""

    __slots__ = ("plan", "ids", "written", "parents", "depths", "starts", "children", "leaf",
                 "link", "weights", "positions")

    def __init__(self, plan: model.PlanDefinition, ids: tuple[str, ...],
                 written: tuple[model.Area | model.Node, ...], parents: array[int],
                 depths: array[int], starts: array[int], children: array[int],
                 leaf: array[int], link: array[int], weights: array[float],
                 positions: NodeIndex) -> None:
        self.plan, self.ids, self.written, self.parents, self.depths = \
            plan, ids, written, parents, depths
        self.starts, self.children, self.leaf, self.link, self.weights = \
            starts, children, leaf, link, weights
        self.positions = positions  # id -> position (Layout.index)

    def __len__(self) -> int:
        return len(self.ids)

    def made(self, index: int) -> CompiledNode:
        ident = self.ids[index]  # IndexError as a tuple's
        if index < 0:
            index += len(self.ids)
        parent = self.parents[index]
        leaf, link = self.leaf[index], self.link[index]
        kind, title, code, aggregation = self.head(index)
        return CompiledNode(ident, kind, title, code, self.weight(index), self.depths[index],
                            None if parent < 0 else self.ids[parent],
                            tuple(self.children[self.starts[index]:self.starts[index + 1]]),
                            None if leaf < 0 else leaf, aggregation,
                            None if link < 0 else link)

    def weight(self, index: int) -> float | None:
        weight = self.weights[index]
        return None if weight != weight else weight

    def head(self, index: int) -> tuple[str, str, str | None, Aggregation | None]:
        """Node `index`'s kind, title, code and aggregation (a link's are the node's it reads,
        but its code, and it has no aggregation of its own)."""
        node = self.written[index]
        if isinstance(node, model.Reference):
            return "indicator", self.plan.indicators[self.leaf[index]].title, None, None
        if isinstance(node, model.Link):
            return self.head(self.link[index])[:2] + (node.code, None)
        code = None if isinstance(node, model.Group) else node.code
        policy = self.plan.policy
        rule = node.aggregate.rule if node.aggregate is not None else policy.aggregate
        return _KINDS[type(node)], node.title, code, scoring.aggregation_of(policy.missing, rule)


class NodeIndex(Mapping[str, int]):
    """`Layout.index`: node id -> position, its dict made when first looked up. Scoring and
    reading every score (`Result.scores`) look up no id; the dict and its position ints were
    80 MiB at 1,000,000 indicators. Two threads looking up at once may each make it: the
    same dict, one kept."""

    __slots__ = ("ids", "_made")

    def __init__(self, ids: tuple[str, ...]) -> None:
        self.ids = ids
        self._made: dict[str, int] | None = None

    def _table(self) -> dict[str, int]:
        made = self._made
        if made is None:
            made = self._made = dict(zip(self.ids, range(len(self.ids))))
        return made

    def __getitem__(self, key: str) -> int:
        return self._table()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table()

    def __len__(self) -> int:
        return len(self.ids)  # check() refuses a plan with a duplicate node id (SL207)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)


def leaf_of(indicator: model.Indicator, policy: model.Policy,
            period: model.Period | None) -> Leaf:
    """How `indicator` is scored in `period`: its own settings before the plan's policy."""
    target = leaf_target(indicator, policy, period)
    formula = indicator.formula or policy.formula
    late = indicator.late or policy.late
    tbd = target.direction is not None and target.value is None
    no_target = (indicator.missing_target or policy.missing_target) if tbd else None
    if target.source == "limit":
        # The indicator is scored as if its target were written as the minimum limit, by its
        # formula and leaf rules (the limits scale itself needs a real target above its
        # minimum, so it is not used meanwhile).
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


def leaf_target(indicator: model.Indicator, policy: model.Policy,
                period: model.Period | None) -> TargetUsed:
    """`Leaf.target`: the target used in `period` (`model.target_used`), or, for one still
    `tbd` under `missing_target limit`, the minimum limit standing in for it. Apart from
    `leaf_of` for a Result's quick reading, which needs no more of a plain leaf."""
    target = target_used(indicator, period)
    if target.direction is not None and target.value is None and indicator.limits is not None \
            and (indicator.missing_target or policy.missing_target) is model.MissingTarget.LIMIT:
        return attrs.evolve(target, source="limit", value=indicator.limits.minimum)
    return target


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


_KINDS = {model.Area: "area", model.Objective: "objective", model.Group: "group"}


def _compile(plan: model.PlanDefinition, period: model.Period | None) -> Program:
    # The walk the checks made of this plan (made again if it is not the last they walked),
    # read once into columns: its ids are then the program's too, one string each (walked
    # again, every id of a 100,000-indicator plan was held twice, 7 MiB). Let go after.
    leaf_index = {indicator.id: i for i, indicator in enumerate(plan.indicators)}
    placed_nodes = walks.placed_nodes(plan)
    ids = tuple(placed.id for placed in placed_nodes)
    written = tuple(placed.node for placed in placed_nodes)
    depths = array("i", (placed.depth for placed in placed_nodes))
    del placed_nodes
    walks.release(plan)
    # The links' and scorecards' lookup by id, its dict made only if one names a node and let
    # go once compiled: the layout's own index stays unmade until someone looks up an id.
    named = NodeIndex(ids)
    parents, leaf, link = array("i"), array("i"), array("i")
    weights = array("d")
    # In pre-order a node's parent is the last node met one level up.
    last_at_depth: list[int] = []
    for position, (node, depth) in enumerate(zip(written, depths)):
        del last_at_depth[depth:]
        parents.append(last_at_depth[-1] if depth else -1)
        last_at_depth.append(position)
        weights.append(node.weight.fraction if node.weight is not None else math.nan)
        # By index, not plan.indicator(): a linear search per use made compiling quadratic
        # (minutes for a plan of 100k indicators).
        leaf.append(leaf_index[node.indicator] if isinstance(node, model.Reference) else -1)
        # A link reads an area or an objective, whose id is its code (model.node_id).
        link.append(named[node.code] if isinstance(node, model.Link) else -1)
    starts, children = _children(parents)
    nodes = Nodes(plan, ids, written, parents, depths, starts, children, leaf, link, weights,
                  NodeIndex(ids))
    roots = tuple(i for i, parent in enumerate(parents) if parent < 0)

    # Children before parents, and a linked node before the branch that reads it: visiting a
    # link visits the node it reads first (check() rules out cycles), each node once.
    post_order = array("i")
    visited = bytearray(len(ids))  # a byte a node (a set of 125,000 ints was 4 MiB)

    def after(index: int) -> None:
        if visited[index]:
            return
        visited[index] = 1
        for child in children[starts[index]:starts[index + 1]]:
            read = link[child]
            if read >= 0:
                after(read)
            after(child)
        post_order.append(index)

    for root in roots:
        after(root)
    del visited
    scorecards = tuple(_scorecard(card, plan, leaf_index, named, nodes)
                       for card in plan.scorecards)
    del leaf_index, named
    rated = any(part.behaviours is not None for card in scorecards
                for component in card.components for part in component.parts)
    return Program(plan, period, Leaves(plan.indicators, plan.policy, period), nodes,
                   post_order, roots, scoring.aggregation_of(plan.policy.missing), scorecards,
                   rated)


def _children(parents: array[int]) -> tuple[array[int], array[int]]:
    """(starts, children): the children of node `i`, in the order written, are
    `children[starts[i]:starts[i + 1]]` (a pre-order lists each node's children in order)."""
    count = len(parents)
    starts = array("i", bytes(4 * (count + 1)))
    for parent in parents:
        if parent >= 0:
            starts[parent + 1] += 1
    for i in range(count):
        starts[i + 1] += starts[i]
    children = array("i", bytes(4 * starts[count]))
    free = starts[:count]
    for position, parent in enumerate(parents):
        if parent >= 0:
            children[free[parent]] = position
            free[parent] += 1
    return starts, children


def _scorecard(card: model.Scorecard, plan: model.PlanDefinition, leaf_index: dict[str, int],
               index_of: Mapping[str, int], nodes: Nodes) -> CompiledScorecard:
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
            entries.append(CardEntry(item.node, item.label or nodes.head(node)[1],
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
               leaf_index: dict[str, int], index_of: Mapping[str, int],
               nodes: Nodes) -> CompiledComponent:
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
            parts.append(CompiledPart("node", part.ref, part.label or nodes.head(node)[1], share,
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
    leaf_of_node, link_of_node, node_weights = nodes.leaf, nodes.link, nodes.weights
    starts, node_children = nodes.starts, nodes.children
    count = len(program.leaves)
    slot_of_node: list[int] = []
    for leaf, link in zip(leaf_of_node, link_of_node):
        if leaf >= 0:
            slot_of_node.append(leaf)
        elif link >= 0:
            slot_of_node.append(-1)  # the slot of the node it reads, set below
        else:
            slot_of_node.append(count)
            count += 1
    for index, link in enumerate(link_of_node):
        if link >= 0:
            slot_of_node[index] = slot_of_node[link]

    # Each distinct weight as one float object, shared by every child that weighs it.
    weights: dict[float, float] = {}
    child_slots: list[int] = []
    child_weights: list[float] = []

    def weighted(slot: int, children: Sequence[int]) -> Branch:
        """The branch in `slot` over `children`, its weighted ones appended to the run."""
        first = len(child_slots)
        for child in children:
            weight = node_weights[child]
            if weight > 0:  # NaN, an unweighted area, is not
                child_slots.append(slot_of_node[child])
                child_weights.append(weights.setdefault(weight, weight))
        # sum() as scoring.aggregate does, so that the divisor is the same float.
        return slot, first, len(child_slots), sum(child_weights[first:])

    scored = [index for index in program.post_order
              if leaf_of_node[index] < 0 and link_of_node[index] < 0]
    branches: list[Branch] = [
        weighted(slot_of_node[index], node_children[starts[index]:starts[index + 1]])
        for index in scored]
    aggregations = tuple(nodes.head(index)[3] or program.aggregation for index in scored)
    del scored
    policy = program.plan.policy
    plan_aggregation = scoring.aggregation_of(policy.missing, policy.aggregate)
    rounded = policy.display_places if policy.rollup is model.Rollup.ROUNDED else None
    weighted_only = rounded is None and plan_aggregation is program.aggregation and all(
        aggregation is program.aggregation for aggregation in aggregations)
    roots = None
    # The flat run also scores the plan, as one more branch over the areas, into slot `count`.
    flat = list(branches)
    if program.roots and all(nodes.weight(r) is not None for r in program.roots):
        flat.append(weighted(count, program.roots))
        first, end = flat[-1][1:3]
        roots = tuple(zip(child_slots[first:end], child_weights[first:end]))
    closing: list[Branch | None] = [None] * len(child_slots)
    for branch in flat:
        if branch[2] > branch[1]:  # a branch with no weighted child never closes
            closing[branch[2] - 1] = branch
    used = bytearray(len(program.leaves))  # a byte an indicator (a set of ints was 4 MiB)
    for leaf in leaf_of_node:
        if leaf >= 0:
            used[leaf] = 1
    carded = {entry.leaf for card in program.scorecards for entry in card.entries} | {
        part.leaf for card in program.scorecards for component in card.components
        for part in component.parts}  # a component's indicator parts are scored there too
    columns = _leaf_columns(program.leaves, used, carded)
    positions = nodes.positions
    return Layout(**columns, used=bytes(used), branches=tuple(branches),
                  child_slots=tuple(child_slots), child_weights=tuple(child_weights),
                  closing=tuple(closing), unscored=array("d", [math.nan] * len(flat)),
                  no_weight=tuple(slot for slot, first, end, _ in flat if first == end),
                  slot_of_node=tuple(slot_of_node), slots=count, roots=roots, index=positions,
                  aggregations=aggregations, plan_aggregation=plan_aggregation,
                  rounded=rounded, weighted_only=weighted_only,
                  tree=Positions(positions, program.plan.id) if roots is not None
                  else positions)


def _leaf_columns(leaves: Sequence[Leaf], used: bytearray,
                  carded: set[int | None]) -> dict[str, Any]:
    """The Layout's columns of the indicators, by field, each Leaf made once and let go: a
    list of the leaves, or of (width, apart) pairs, first was megabytes more at the peak of
    compiling."""
    names: list[str] = []
    kinds: list[LeafKind] = []
    plain, deadlines, value_zero, quick = bytearray(), bytearray(), bytearray(), bytearray()
    targets, widths, apart, floors, caps = array("d"), array("d"), array("d"), array("d"), \
        array("d")
    dues: list[dt.date] = []
    lates: list[LateRule] = []
    rules: list[scoring.LeafRule | None] = []
    on_missing: list[tuple[int, model.MissingPolicy]] = []
    no_target: list[tuple[int, model.MissingTarget]] = []
    for i, leaf in enumerate(leaves):
        # Interned, as the values loaders intern theirs (see values.py).
        names.append(sys.intern(leaf.indicator.id))
        kinds.append(leaf.kind)
        plain.append(not leaf.kind.is_deadline and leaf.rule is None)
        deadlines.append(leaf.kind.is_deadline)
        targets.append(leaf.target.value or 0.0)
        width, distance = _fast_path(leaf)
        widths.append(width)
        apart.append(distance)
        floors.append(leaf.floor)
        caps.append(leaf.cap)
        dues.append(leaf.due or dt.date.max)
        lates.append(leaf.late)
        rules.append(leaf.rule)
        value_zero.append(leaf.missing is model.MissingPolicy.VALUE_ZERO)
        quick.append(leaf.quick)
        # value_zero wherever the indicator is scored (a scorecard too, as the batch does);
        # error only where the tree uses it, as SL310 warns.
        if leaf.missing is model.MissingPolicy.VALUE_ZERO or (leaf.missing is not None
                                                              and used[i]):
            on_missing.append((i, leaf.missing))
        if leaf.no_target is not None and (used[i] or i in carded):
            no_target.append((i, leaf.no_target))
    return {"names": tuple(names), "kinds": tuple(kinds), "plain": bytes(plain),
            "deadlines": bytes(deadlines), "targets": targets, "widths": widths,
            "apart": apart, "floors": floors, "caps": caps, "dues": tuple(dues),
            "lates": tuple(lates), "rules": tuple(rules), "value_zero": bytes(value_zero),
            "quick": bytes(quick),
            "on_missing": tuple(on_missing), "no_target": tuple(no_target)}


class Positions(Mapping[str, int]):
    """Layout.tree of a plan with a total: node id -> position in the Result, the plan's
    total first (position 0, under the plan's id), then every node one further on than in
    `index`. A view of `index`, not a copy: a second dict of every id was 40 MiB at 1,000,000
    indicators. A node written with the plan's own id keeps it (the total is then reached by
    position alone), as the dict did."""

    __slots__ = ("_index", "_total")

    def __init__(self, index: Mapping[str, int], total: str) -> None:
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
