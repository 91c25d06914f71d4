"""How a figure came about: one node of a Result, its computation from the leaves up.

`explain` pairs the evaluator's output (every score, raw achievement, status and flag comes
from the `Result`) with the compiled program (the *how*: which target the period uses and why,
which formula, floor, cap and late rule, and the plan's N/D policy). It must not score by
formulas of its own: the only figures it derives are the ones a person needs to follow a sum
(weight × score, in percentage points) and what an N/D child costs ("had it scored 100 %"),
the latter through `scoring.aggregate`, the evaluator's own rule. It neither rounds nor
formats: report/explain.py does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..engine import scoring
from ..engine.compile import CompiledNode, Leaf, Program
from ..diagnostics import ScorelangError, did_you_mean, error
from ..model import Aggregate, Direction, Formula, MissingPolicy, MissingTarget, Policy, Target
from ..engine.result import NodeResult, Result
from ..engine.scoring import METHODS, NOT_DUE, NOT_REPORTED, Score, aggregate

if TYPE_CHECKING:  # api may one day import explain: no import cycle at run time
    from ..api import Plan

# How a node counts in its parent's sum.
TREATMENTS = (
    "counted",  # weight × score
    "zero_weight",  # 0 %: shown, not counted
    "nd_counts_zero",  # N/D under counts_zero: counts 0, keeps its weight
    "nd_excluded",  # N/D under excluded: left out, siblings re-normalised
    "unweighted",  # an area without a weight: top of the tree
    "compared",  # under minimum, all_reached or share_reached: its score is compared, not summed
    "neutralised",  # neutralised in the values file: left out, siblings re-weighted
    "no_target",  # a target still `tbd` under `missing_target skip`: left out likewise
)
# The statuses every parent leaves out (scoring.left_out), siblings re-weighted in proportion.
LEFT_OUT = ("neutralised", "no_target")


@attrs.frozen
class TargetDetail:
    """The target the period uses, and why that one."""

    source: str  # "annual", "periodic", "deadline" or "limit" (model.TargetUsed)
    direction: Direction | None
    value: float | None
    unit: str | None
    period: str | None  # the period scored (None: no period)
    replaces: Target | None  # the annual target a periodic one replaces
    due: dt.date | None


@attrs.frozen
class RuleDetail:
    """The leaf rules that shaped an indicator's figure (issue 19). Percentages."""

    tolerance: float | None  # in the value's unit; None: no tolerance
    tolerance_written: str | None  # as the plan says it: "5%" or "0.5"
    curve: str | None  # one of scoring.CURVE_METHODS; None: no curve
    threshold: float | None  # threshold curves: percent of the target
    row: tuple[float | None, float | None, float, float | None] | None  # table row, as written:
    # (from %, up to %, score, score at the end or None); None for N/D or no table
    curved: float | None  # the curve's score, before floor and cap
    points: float | None  # points tables: the points
    points_max: float | None
    limits: tuple[tuple[str, float, float], ...]  # (name, value, achievement %) in plan order
    baseline: float | None


@attrs.frozen
class Computation:
    """An indicator's score: value against target, formula, floor and cap. Percentages."""

    method: str  # one of METHODS
    formula: Formula | None  # None for deadlines
    target: TargetDetail
    value: float | dt.date | None
    raw: float | None  # before floor and cap, from the Result
    floor: float
    cap: float
    bound: str | None  # "capped", "floored", "within"; None without a raw achievement
    as_of: dt.date | None
    late: str | None  # deadlines: the late rule's kind, "zero", "fixed" or "linear"
    late_share: float  # fixed: the score of a late completion
    late_days: int  # linear: days after which a late completion scores 0
    days_late: int | None  # deadline_late only
    rule: RuleDetail | None = None  # tolerance, curve, limits or baseline; None without any
    value_zero: bool = False  # N/D taken as 0 by `missing value_zero`


@attrs.frozen
class Share:
    """How a node counts in its parent: percentages, and points of the parent's score."""

    weight: float | None  # as written
    counted_weight: float | None  # after re-normalisation under `excluded`; else the weight
    contribution: float | None  # points added to the parent (0 for N/D under counts_zero)
    treatment: str  # one of TREATMENTS


@attrs.frozen
class NDCost:
    """What an N/D node costs a node above it: that node's score had it scored 100 %."""

    node: str  # the N/D node
    status: str  # its status: "missing" or "not_due"
    on: str  # the node whose score it lowers
    current: float | None  # `on`'s score now (None: N/D)
    would_be: float
    points: float  # the most it could add: would_be − current (N/D counts as 0)


@attrs.frozen
class Sum:
    """An aggregate: its children combined by its aggregation (Σ weight × score / Σ weight
    unless the plan says otherwise), by the plan's N/D policy."""

    policy: MissingPolicy
    outcome: str  # "sum", "all_nd" (every weighted child N/D) or "no_weight" (all 0 %)
    counted_weight: float  # Σ weights of the children that count (the divisor under excluded)
    nd: tuple[str, ...]  # weighted N/D children
    zero_weight: tuple[str, ...]  # shown, not counted
    costs: tuple[NDCost, ...]  # of each weighted N/D child on this node
    aggregation: Aggregate = Aggregate.WEIGHTED  # the node's `aggregate` rule
    counted: tuple[str, ...] = ()  # the children the rule reads (weighted; N/D by the policy)
    reached: tuple[str, ...] = ()  # those of `counted` that reached 100 %
    worst: str | None = None  # minimum: the child whose score the node takes
    # weighted children left out: neutralised, or a target still `tbd` under `skip`
    neutralised: tuple[str, ...] = ()


@attrs.frozen
class NodeExplanation:
    id: str
    kind: str  # "area", "objective", "group" or "indicator"
    title: str
    indicator: str | None
    parent: str | None
    score: float | None  # percent, from the Result; None when N/D
    status: str
    places: int
    share: Share
    expanded: bool  # False below the depth limit: one line, no computation, no children
    computation: Computation | None = None  # indicators
    sum: Sum | None = None  # aggregates
    children: tuple[NodeExplanation, ...] = ()
    rounded: int | None = None  # `rollup rounded`: places the figure was rounded to first
    link: str | None = None  # a `link` use: the node it reads, explained where it is defined
    # From the values file: {reason, act} of a neutralisation; {score, computed, reason, by}
    # of an override (the Result's, see NodeResult).
    neutralised: Mapping[str, str] | None = None
    override: Mapping[str, Any] | None = None
    # Indicator uses: the values file's {note, source} beside the figure (information).
    note: Mapping[str, str] | None = None


@attrs.frozen
class ParentDetail:
    """The node the explained one counts in: an aggregate, or the plan (id None)."""

    id: str | None
    kind: str  # "plan" for the plan
    title: str
    score: float | None


@attrs.frozen
class Explanation:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    policy: MissingPolicy
    depth: int | None  # levels explained in full below the node; None: all
    node: NodeExplanation
    parent: ParentDetail | None  # None for an unweighted area
    nd_costs: tuple[NDCost, ...]  # N/D nodes anywhere below, and what each costs `node`
    locale: str = "en"  # the plan's: the language the text report speaks


def explain(plan: Plan, result: Result, node_id: str, depth: int | None = None) -> Explanation:
    """The computation of `node_id` in `result`, `depth` levels down in full (None: all).

    Raises ScorelangError (SL314) for an id that is not a node of the result.
    """
    if node_id not in result:
        raise ScorelangError([error("SL314", f"unknown node `{node_id}` in plan `{result.plan_id}`",
                                    None, _unknown_hint(node_id, result))])
    if result.plan_id != plan.id:
        raise ValueError(f"the result is of plan `{result.plan_id}`, not `{plan.id}`")
    if depth is not None and depth < 0:
        raise ValueError("depth must be 0 or more")
    tree = _Tree(plan.program(result.period), result)
    node = tree.node(node_id, depth)
    return Explanation(result.plan_id, result.plan_title, result.period, result.as_of,
                       tree.policy, depth, node, tree.parent_detail(node_id),
                       tree.costs_below(node_id), result.locale)


def _unknown_hint(node_id: str, result: Result) -> str:
    uses = [n.id for n in result if n.indicator == node_id]
    if uses:
        return f"`{node_id}` is an indicator; explain one of its uses: " + ", ".join(
            f"`{use}`" for use in uses)
    close = did_you_mean(node_id, [n.id for n in result])
    if close is not None:
        return close
    examples = [next((f"`{n.id}`" for n in result if n.kind == kind), "") for kind in
                ("objective", "group", "indicator")]
    return ("areas and objectives are known by their code, groups and indicator uses by their "
            f"path: {', '.join(e for e in examples if e)}")


def _as_score(node: NodeResult) -> Score:
    """A node's figure back as the evaluator's value: a fraction, or N/D with its reason."""
    if node.score is None:
        if node.status == "neutralised":
            return scoring.NEUTRALISED
        if node.status == "no_target":
            return scoring.NO_TARGET
        return NOT_DUE if node.status == "not_due" else NOT_REPORTED
    return node.score / 100.0


class _Tree:
    """The program's structure with the result's figures, looked up by node id."""

    def __init__(self, program: Program, result: Result):
        self.program = program
        self.result = result
        self.policy = program.plan.policy.missing
        self.aggregation = program.aggregation  # the weighted mean under the N/D policy
        steps = {node.id: node for node in program.nodes}
        if result.area_depth:
            # The plan's total is the root node of the result: explained as the branch over
            # the areas that the evaluator scores it as (compile.Layout.roots).
            plan = program.plan
            for root in program.roots:
                steps[program.nodes[root].id] = attrs.evolve(program.nodes[root], parent=plan.id)
            steps[plan.id] = CompiledNode(plan.id, "plan", plan.title, None, None, -1, None,
                                          children=program.roots,
                                          aggregation=program.layout.plan_aggregation)
        self.steps: Mapping[str, CompiledNode] = steps
        missing = [node.id for node in result if node.id not in self.steps]
        if missing or len(self.steps) != len(result):
            raise ValueError("the result does not come from this plan's program: "
                             f"{', '.join(missing) or 'different nodes'}")

    def children(self, node_id: str | None) -> list[str]:
        if node_id is None:
            return [self.program.nodes[i].id for i in self.program.roots]
        return [self.program.nodes[i].id for i in self.steps[node_id].children]

    def node(self, node_id: str, depth: int | None) -> NodeExplanation:
        figures = self.result[node_id]
        step = self.steps[node_id]
        line = NodeExplanation(node_id, step.kind, step.title, figures.indicator, step.parent,
                               figures.score, figures.status, figures.places,
                               self.share(node_id), expanded=False,
                               rounded=self.program.layout.rounded,
                               neutralised=figures.neutralised, override=figures.override,
                               note=figures.note)
        if depth is not None and depth < 0:
            return line
        if step.link is not None:
            return attrs.evolve(line, expanded=True, link=self.program.nodes[step.link].id)
        if step.leaf is not None:
            computation = self.computation(self.program.leaves[step.leaf], figures)
            return attrs.evolve(line, expanded=True, computation=computation)
        below = None if depth is None else depth - 1
        children = tuple(self.node(child, below) for child in self.children(node_id))
        return attrs.evolve(line, expanded=True, sum=self.sum(node_id), children=children)

    def aggregation_of(self, parent: str | None) -> scoring.Aggregation:
        """How `parent` (None: the plan) combines its children (compile's choice)."""
        if parent is None:
            return self.program.layout.plan_aggregation
        return self.steps[parent].aggregation or self.aggregation

    def share(self, node_id: str) -> Share:
        step = self.steps[node_id]
        if step.weight is None:
            return Share(None, None, None, "unweighted")
        weight = step.weight * 100.0
        score = self.result[node_id].score
        if step.weight == 0:
            return Share(weight, None, None, "zero_weight")
        if self.result[node_id].status in LEFT_OUT:
            return Share(weight, None, None, self.result[node_id].status)
        aggregation = self.aggregation_of(step.parent)
        if score is None:
            if not aggregation.nd_keeps_weight:
                return Share(weight, None, None, "nd_excluded")
            if aggregation.rule not in (Aggregate.WEIGHTED, Aggregate.SUM):
                return Share(weight, weight, None, "nd_counts_zero")
            return Share(weight, weight, 0.0, "nd_counts_zero")
        if aggregation.rule not in (Aggregate.WEIGHTED, Aggregate.SUM):
            return Share(weight, weight, None, "compared")
        counted = weight
        if aggregation.rule is Aggregate.WEIGHTED and (
                (not aggregation.nd_keeps_weight and self.has_nd_sibling(node_id))
                or self.has_neutralised_sibling(node_id)):
            counted = weight / self.counted_weight(step.parent) * 100.0
        return Share(weight, counted, counted / 100.0 * score, "counted")

    def has_nd_sibling(self, node_id: str) -> bool:
        return any((self.steps[s].weight or 0.0) > 0 and self.result[s].score is None
                   for s in self.children(self.steps[node_id].parent))

    def has_neutralised_sibling(self, node_id: str) -> bool:
        return any((self.steps[s].weight or 0.0) > 0 and self.result[s].status in LEFT_OUT
                   for s in self.children(self.steps[node_id].parent))

    def counted_weight(self, parent: str | None) -> float:
        """Σ weights (percent) of the children that divide the parent's sum (the evaluator's
        `scoring.counted_weight`)."""
        return 100.0 * scoring.counted_weight(self.aggregation_of(parent), [
            (self.steps[c].weight or 0.0, _as_score(self.result[c])) for c in self.children(parent)])

    def sum(self, node_id: str) -> Sum:
        children = self.children(node_id)
        weighted = [c for c in children if (self.steps[c].weight or 0.0) > 0]
        gone = tuple(c for c in weighted if self.result[c].status in LEFT_OUT)
        nd = tuple(c for c in weighted if self.result[c].score is None and c not in gone)
        zero = tuple(c for c in children if self.steps[c].weight == 0)
        if not weighted:
            outcome = "no_weight"
        elif len(gone) == len(weighted):
            outcome = "neutralised"
        elif len(nd) + len(gone) == len(weighted):
            outcome = "all_nd"
        else:
            outcome = "sum"
        costs = tuple(self.cost(child, node_id) for child in nd)
        aggregation = self.aggregation_of(node_id)
        counted = tuple(c for c in weighted if c not in gone and (
            aggregation.nd_keeps_weight or self.result[c].score is not None))
        reached = tuple(c for c in counted if self.result[c].score is not None
                        and scoring.reached((self.result[c].score or 0.0) / 100.0))
        worst = None
        if aggregation.rule is Aggregate.MINIMUM and counted and outcome == "sum":
            worst = min(counted, key=lambda c: self.result[c].score or 0.0)
        return Sum(self.policy, outcome, self.counted_weight(node_id), nd, zero, costs,
                   aggregation.rule, counted, reached, worst, gone)

    def cost(self, nd_node: str, on: str) -> NDCost:
        """`on`'s score had `nd_node` scored 100 %.

        Under counts_zero simply 100 % × the product of the weights from `nd_node` up to `on`
        (the N/D counted 0 with its weight): the most that node could add. Under excluded the
        siblings' weights change too, so the chain is re-aggregated by the evaluator's rule."""
        before = self.result[on].score
        chain = [nd_node]
        while chain[-1] != on:
            parent = self.steps[chain[-1]].parent
            assert parent is not None, f"{on} is not above {nd_node}"
            chain.append(parent)
        if self.plain(chain[1:]):
            points = 100.0
            for node_id in chain[:-1]:
                points *= self.steps[node_id].weight or 0.0
            return NDCost(nd_node, self.result[nd_node].status, on, before,
                          (before or 0.0) + points, points)
        scores: dict[str, Score] = {nd_node: 1.0}
        places = self.program.layout.rounded
        for parent in chain[1:]:
            outcome = aggregate(
                [(self.steps[c].weight or 0.0, scores.get(c, _as_score(self.result[c])))
                 for c in self.children(parent)], self.aggregation_of(parent))
            if places is not None and not isinstance(outcome, scoring.Missing):
                outcome = scoring.rounded(outcome, places)
            scores[parent] = outcome
        would_be = scores[on]
        assert isinstance(would_be, float)
        return NDCost(nd_node, self.result[nd_node].status, on, before, would_be * 100.0,
                      would_be * 100.0 - (before or 0.0))

    def plain(self, parents: list[str]) -> bool:
        """Whether every one of `parents` takes the weighted mean with N/D counting 0, figures
        unrounded: then an N/D child's cost is simply 100 % × the weights up the chain."""
        return self.program.layout.rounded is None and all(
            self.aggregation_of(p) is scoring.Aggregation.WEIGHTED_COUNTS_ZERO for p in parents)

    def costs_below(self, node_id: str) -> tuple[NDCost, ...]:
        """Every N/D node below `node_id` whose parent is scored (an N/D parent stands for
        its N/D children) and whose weights up to `node_id` are all above 0 %."""
        found: list[NDCost] = []

        def visit(current: str) -> None:
            for child in self.children(current):
                if (self.steps[child].weight or 0.0) <= 0 \
                        or self.result[child].status in LEFT_OUT:
                    continue  # not counted: costs nothing above
                if self.result[child].score is None and self.result[current].score is not None:
                    found.append(self.cost(child, node_id))
                else:
                    visit(child)

        if self.result[node_id].score is not None:
            visit(node_id)
        return tuple(found)

    def parent_detail(self, node_id: str) -> ParentDetail | None:
        step = self.steps[node_id]
        if step.parent is not None:
            parent = self.result[step.parent]
            return ParentDetail(parent.id, parent.kind, parent.title, parent.score)
        if step.weight is None:
            return None
        return ParentDetail(None, "plan", self.result.plan_title, self.result.score)

    def computation(self, rule: Leaf, figures: NodeResult) -> Computation:
        target = rule.target
        indicator = rule.indicator
        replaces = indicator.target if target.source == "periodic" else None
        detail = TargetDetail(target.source, target.direction, target.value, indicator.unit,
                              self.result.period, replaces,
                              target.due.due if target.due is not None else None)
        value = figures.value
        days_late = None
        if target.due is not None and isinstance(value, dt.date) and value > target.due.due:
            days_late = (value - target.due.due).days
        bound = None
        if figures.raw is not None:
            bound = ("capped" if "capped" in figures.flags
                     else "floored" if "floored" in figures.flags else "within")
        deadline = target.due is not None
        value_zero = "value_zero" in figures.flags
        method = _method(rule, attrs.evolve(figures, value=0.0) if value_zero else figures)
        if rule.no_target is not None:  # a `tbd` target: no formula, the rule's figure
            method = "no_target" if rule.no_target is MissingTarget.SKIP else "previous_score"
        return Computation(method, None if deadline else rule.formula, detail,
                           value, figures.raw, rule.floor * 100.0, rule.cap * 100.0, bound,
                           self.result.as_of, rule.late.kind.value if deadline else None,
                           rule.late.share * 100.0, rule.late.days, days_late,
                           _rule_detail(rule, figures, self.program.plan.policy), value_zero)


def _rule_detail(leaf: Leaf, figures: NodeResult, policy: Policy) -> RuleDetail | None:
    """What the leaf rules did to this figure, from the rules and the scored raw achievement."""
    indicator = leaf.indicator
    if leaf.rule is None and indicator.baseline is None:
        return None
    rule = leaf.rule or scoring.LeafRule()
    raw = None if figures.raw is None else figures.raw / 100.0
    curve = rule.curve
    row = None
    curved = points = points_max = None
    if curve is not None and raw is not None:
        curved = scoring.curved(curve, raw) * 100.0
        if curve.kind in (scoring.CurveKind.STEPS, scoring.CurveKind.POINTS):
            stretch = scoring.stretch_of(curve.stretches, raw)  # None: NaN only
            scale = 100.0 if curve.kind is scoring.CurveKind.STEPS else 1.0
            row = None if stretch is None else (
                *stretch.percent_bounds, stretch.start * scale,
                None if stretch.fixed else stretch.end * scale)
        if curve.kind is scoring.CurveKind.POINTS:
            points, points_max = scoring.table_points(curve, raw), curve.maximum
    written = None
    if rule.tolerance > 0:  # as the plan wrote it
        own = indicator.tolerance or policy.tolerance
        written = f"{rule.tolerance:g}" if own is None else \
            f"{own.value:g}%" if own.relative else f"{own.value:g}"
    limits: tuple[tuple[str, float, float], ...] = ()
    if indicator.limits is not None and leaf.kind is scoring.LeafKind.LIMITS:
        found = indicator.limits
        limits = (("minimum", found.minimum, 0.0), ("target", leaf.target.value or 0.0, 100.0),
                  ("maximum", found.maximum, 200.0))
        if found.excellent is not None:
            limits += (("excellent", found.excellent, 300.0),)
    return RuleDetail(rule.tolerance or None, written,
                      scoring.curve_method(curve, raw),
                      curve.threshold * 100.0 if curve is not None and curve.kind in (
                          scoring.CurveKind.THRESHOLD, scoring.CurveKind.RESCALED) else None,
                      row, curved, points, points_max, limits,
                      indicator.baseline.value if indicator.baseline is not None else None)


def _method(leaf: Leaf, figures: NodeResult) -> str:
    """Which case of the leaf's kind applied (the kind is the compiler's; the figure the Result's)."""
    return scoring.method(leaf.kind, leaf.target.value or 0.0, leaf.due, figures.value,
                          figures.status, leaf.rule)


__all__ = ["METHODS", "TREATMENTS", "Computation", "RuleDetail", "Explanation", "NDCost", "NodeExplanation",
           "ParentDetail", "Share", "Sum", "TargetDetail", "explain"]
