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
from array import array

import attrs

from .. import model
from ..model import Formula, LateRule, TargetUsed, target_used
from . import scoring
from .scoring import Aggregation, LeafKind


@attrs.frozen
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
    # What an N/D value does before any aggregation: `value_zero` or `error` (measured
    # indicators only), or None: the value stays N/D for its parents' policy.
    missing: model.MissingPolicy | None = None
    # For a target still `tbd` in the period: `skip` or `previous`; None for a real target.
    no_target: model.MissingTarget | None = None

    @property
    def due(self) -> dt.date | None:
        return self.target.due.due if self.target.due is not None else None


@attrs.frozen
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


@attrs.frozen
class CardEntry:
    """One line of a scorecard: an indicator (leaf index) or a tree node (node index)."""

    ref: str  # the indicator id or node code as written
    title: str
    weight: float  # fraction
    leaf: int | None = None
    node: int | None = None


@attrs.frozen
class CompiledScorecard:
    id: str
    title: str
    entries: tuple[CardEntry, ...]


# (slot, ((child slot, weight), ...), sum of those weights): see `Layout.branches`.
Branch = tuple[int, tuple[tuple[int, float], ...], float]


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

    `branches` lists, children before parents, `(slot, ((child slot, weight), ...), sum of
    those weights)` for the children that weigh more than 0, in the order written.

    The evaluator reads the branches' children as one flat run instead: `child_slots` and
    `child_weights` hold every branch's children in that order, and `closing[i]` is the branch
    whose last child is child `i` (None for the others). `unscored` fills every branch's slot
    before scoring (NaN, that is N/D: see evaluate.SlotScores). A branch with no weighted child
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
    kinds: tuple[LeafKind, ...]
    deadlines: tuple[bool, ...]  # kinds[i].is_deadline, read without a call in the hot loop
    targets: array[float]
    widths: array[float]
    apart: array[float]
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
    slot_of_node: tuple[int, ...]
    slots: int
    roots: tuple[tuple[int, float], ...] | None  # weighted areas, or None: no plan score
    index: dict[str, int]  # node id -> node index
    known: frozenset[str]  # every declared indicator id
    # (indicator, its rule) for the indicators whose N/D value is `value_zero` or `error`:
    # read after the hot loop, so that a plan without them pays nothing.
    on_missing: tuple[tuple[int, model.MissingPolicy], ...] = ()
    # (indicator, its rule) for the indicators whose target is `tbd` in the period.
    no_target: tuple[tuple[int, model.MissingTarget], ...] = ()


@attrs.frozen
class Program:
    plan: model.PlanDefinition
    period: model.Period | None
    leaves: tuple[Leaf, ...]
    nodes: tuple[CompiledNode, ...]  # pre-order: a parent before its children
    post_order: tuple[int, ...]  # children before parents, for scoring
    roots: tuple[int, ...]  # the areas
    aggregation: Aggregation  # how every branch (and the plan) aggregates its children
    scorecards: tuple[CompiledScorecard, ...] = ()
    layout: Layout = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "layout", layout_of(self))


def leaf_of(indicator: model.Indicator, policy: model.Policy,
            period: model.Period | None) -> Leaf:
    """How `indicator` is scored in `period`: its own settings before the plan's policy."""
    target = target_used(indicator, period)
    formula = indicator.formula or policy.formula
    late = indicator.late or policy.late
    tbd = target.direction is not None and target.value is None
    # A `tbd` target is never scored by a formula (compile.Layout keeps it off the fast path
    # as a reached-or-not kind); its rule, `skip` or `previous`, gives its figure.
    kind = scoring.leaf_kind(target.direction, 0.0 if tbd else target.value, formula, late)
    missing = indicator.missing or (policy.missing if policy.missing.for_the_value else None)
    return Leaf(indicator, target, formula,
                policy.floor if indicator.floor is None else indicator.floor,
                policy.cap if indicator.cap is None else indicator.cap, late, kind,
                None if kind.is_deadline or tbd else missing,  # no formula reads the value
                (indicator.missing_target or policy.missing_target) if tbd else None)


def compile_plan(plan: model.PlanDefinition, period: model.Period | None) -> Program:
    """Flatten a checked plan. Call only on a plan that `check` found free of errors."""
    leaf_index: dict[str, int] = {}
    leaves: list[Leaf] = []
    for indicator in plan.indicators:
        leaf_index[indicator.id] = len(leaves)
        leaves.append(leaf_of(indicator, plan.policy, period))

    nodes: list[CompiledNode] = []
    children_of: dict[int, list[int]] = {}
    index_of: dict[str, int] = {}
    for placed in model.walk(plan):
        node = placed.node
        weight = node.weight.fraction if node.weight is not None else None
        if isinstance(node, model.Reference):
            # By index, not plan.indicator(): a linear search per use made compiling
            # quadratic (minutes for a plan of 100k indicators).
            used = leaves[leaf_index[node.indicator]].indicator
            compiled = CompiledNode(placed.id, "indicator", used.title, None, weight,
                                    placed.depth, placed.parent, leaf=leaf_index[node.indicator])
        else:
            kind = {model.Area: "area", model.Objective: "objective", model.Group: "group"}[type(node)]
            code = None if isinstance(node, model.Group) else node.code
            compiled = CompiledNode(placed.id, kind, node.title, code, weight, placed.depth,
                                    placed.parent)
        index = len(nodes)
        index_of[placed.id] = index
        nodes.append(compiled)
        if placed.parent is not None:
            children_of.setdefault(index_of[placed.parent], []).append(index)
    nodes = [attrs.evolve(n, children=tuple(children_of.get(i, ()))) for i, n in enumerate(nodes)]
    roots = tuple(i for i, n in enumerate(nodes) if n.parent is None)

    post_order: list[int] = []

    def visit(index: int) -> None:
        for child in nodes[index].children:
            visit(child)
        post_order.append(index)

    for root in roots:
        visit(root)
    scorecards = tuple(_scorecard(card, plan, leaf_index, index_of, nodes)
                       for card in plan.scorecards)
    return Program(plan, period, tuple(leaves), tuple(nodes), tuple(post_order), roots,
                   scoring.aggregation_of(plan.policy.missing), scorecards)


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
    return CompiledScorecard(card.id, card.title, tuple(entries))


def _fast_path(leaf: Leaf) -> tuple[float, float]:
    """(width, apart) of a leaf on the evaluator's fast path (see Layout)."""
    width = scoring.deviation_width(leaf.kind, leaf.target.value or 0.0)
    if width is None:
        return 1.0, math.inf
    return width, scoring.apart(leaf.target.value or 0.0)


def layout_of(program: Program) -> Layout:
    nodes = program.nodes
    count = len(program.leaves)
    slot_of_node: list[int] = []
    for node in nodes:
        if node.leaf is not None:
            slot_of_node.append(node.leaf)
        else:
            slot_of_node.append(count)
            count += 1

    def weighted(children: tuple[int, ...]) -> tuple[tuple[int, float], ...]:
        return tuple((slot_of_node[c], nodes[c].weight or 0.0) for c in children
                     if (nodes[c].weight or 0.0) > 0)

    branches: list[Branch] = []
    for index in program.post_order:
        if nodes[index].leaf is None:
            pairs = weighted(nodes[index].children)
            # sum() as scoring.aggregate does, so that the divisor is the same float.
            branches.append((slot_of_node[index], pairs, sum(w for _, w in pairs)))
    roots = None
    if program.roots and all(nodes[r].weight is not None for r in program.roots):
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
    used = {node.leaf for node in nodes if node.leaf is not None}
    carded = {entry.leaf for card in program.scorecards for entry in card.entries}
    leaves = program.leaves
    fast = list(map(_fast_path, leaves))
    # Interned, as the values loaders intern theirs (see values.py).
    return Layout(tuple(sys.intern(leaf.indicator.id) for leaf in leaves),
                  tuple(leaf.kind for leaf in leaves),
                  tuple(leaf.kind.is_deadline for leaf in leaves),
                  array("d", (leaf.target.value or 0.0 for leaf in leaves)),
                  array("d", (width for width, _ in fast)),
                  array("d", (distance for _, distance in fast)),
                  array("d", (leaf.floor for leaf in leaves)),
                  array("d", (leaf.cap for leaf in leaves)),
                  tuple(leaf.due or dt.date.max for leaf in leaves),
                  tuple(i in used for i in range(len(leaves))), tuple(branches),
                  tuple(c for _, pairs, _ in flat for c, _ in pairs), child_weights,
                  tuple(closing), array("d", [math.nan] * len(flat)),
                  tuple(slot for slot, pairs, _ in flat if not pairs),
                  tuple(slot_of_node), count, roots,
                  {node.id: i for i, node in enumerate(nodes)},
                  frozenset(leaf.indicator.id for leaf in leaves),
                  # value_zero wherever the indicator is scored (a scorecard too, as the
                  # batch does); error only where the tree uses it, as SL310 warns.
                  tuple((i, leaf.missing) for i, leaf in enumerate(leaves)
                        if leaf.missing is model.MissingPolicy.VALUE_ZERO
                        or (leaf.missing is not None and i in used)),
                  tuple((i, leaf.no_target) for i, leaf in enumerate(leaves)
                        if leaf.no_target is not None and (i in used or i in carded)))
