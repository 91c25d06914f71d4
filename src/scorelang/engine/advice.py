"""Advice rules: the evaluator's recommendations, declared in the plan and applied to a Result.

A rule's condition is compiled into a plain Python function over a node's facts (no eval):
comparisons, `tagged`, `flagged`, `and`, `or`, `not`. A node that meets it gets a finding with
the rule's category, severity and message, whose `{placeholders}` are filled from the same
facts. `check` uses model.FACTS to reject unknown facts and values before anything runs.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import model
from ..model import FACTS, PLACEHOLDER
from . import numbers
from .history import Actual, history_facts
from .result import Finding, NodeResult, Result

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


Facts = Mapping[str, Any]
Test = Callable[[Facts], bool]


def compile_condition(condition: model.Condition) -> Test:
    """A function of a node's facts; missing figures (N/D) make a comparison false."""
    if isinstance(condition, model.Compare):
        # The left side is a fact; the right side a constant, even when it reads like a fact
        # name (`kind == indicator`: `indicator` is also a fact).
        left, right = _operand(condition.left), _constant(condition.right)
        compare = _OPERATORS[condition.operator]

        def test(facts: Facts) -> bool:
            a, b = left(facts), right(facts)
            if a is None or b is None:
                return False
            try:
                return bool(compare(a, b))
            except TypeError:  # check() forbids number-vs-name comparisons; stay safe anyway
                return False
        return test
    if isinstance(condition, model.Tagged):
        tag = condition.tag
        return lambda facts: tag in facts["tags"]
    if isinstance(condition, model.Flagged):
        flag = condition.flag
        return lambda facts: flag in facts["flags"]
    if isinstance(condition, model.Not):
        inner = compile_condition(condition.condition)
        return lambda facts: not inner(facts)
    parts = [compile_condition(c) for c in condition.conditions]
    # Loops rather than all()/any() over a generator: a rule is tested on every node of every
    # Result whose findings are read, and the generator was a fifth of that.
    if isinstance(condition, model.All):
        def every(facts: Facts) -> bool:
            for part in parts:
                if not part(facts):
                    return False
            return True
        return every

    def some(facts: Facts) -> bool:
        for part in parts:
            if part(facts):
                return True
        return False
    return some


def _constant(operand: model.Operand) -> Callable[[Facts], Any]:
    value: Any = operand.name if isinstance(operand, model.Symbol) else operand.value
    return lambda facts: value


def _operand(operand: model.Operand) -> Callable[[Facts], Any]:
    if isinstance(operand, model.Literal):
        value = operand.value
        return lambda facts: value
    if isinstance(operand, model.Text):
        text = operand.value
        return lambda facts: text
    name = operand.name
    if name in FACTS:
        return lambda facts: facts.get(name)
    return lambda facts: name  # a value written as a name: `kind == indicator`


def facts_of(node: NodeResult, tags: frozenset[str], period: str | None,
             history: Mapping[str, float | None] | None = None, area_depth: int = 0
             ) -> dict[str, Any]:
    """The facts a rule reads of `node`; `history` its `previous`, `stretch` and `trend`
    (engine.history). `depth` counts from the areas (1), whether or not the plan's total sits
    above them (`Result.area_depth`): the plan's total is depth 0."""
    achieved = node.raw if node.raw is not None else node.score
    direction = None
    if node.target is not None:
        direction = "deadline" if node.target.due is not None else \
            node.target.direction.value if node.target.direction else None
    return {
        "raw": achieved,
        "score": node.score,
        # For aggregates raw and gap fall back on the score: they have no raw achievement.
        "gap": None if achieved is None else achieved - 100.0,
        "weight": node.weight,
        "depth": node.depth + 1 - area_depth,
        "status": node.status, "kind": node.kind, "direction": direction, "band": node.band,
        "unit": node.unit, "period": period, "id": node.id, "indicator": node.indicator,
        "title": node.title, "tags": tags, "flags": frozenset(node.flags),
        "value": node.value, "target": node.target,
        **(history or _NO_HISTORY),
    }


_NO_HISTORY: Mapping[str, float | None] = {"previous": None, "stretch": None, "trend": None}
_NO_TAGS: frozenset[str] = frozenset()


def _fill(message: str, facts: Facts, locale: str) -> str:
    """`{title}: {raw} del target` with figures written for the plan's readers."""
    def text(name: str) -> str:
        value = facts.get(name)
        if value is None:
            return "N/D"
        if name in ("raw", "score", "weight"):
            return numbers.percent(value, locale)
        if name in ("stretch", "trend"):  # signed percent of last year's actual
            return numbers.points(value, locale) + (" %" if locale == "it" else "%")
        if name == "previous":
            return numbers.measure(value, facts.get("unit"), locale)
        if name == "gap":
            return numbers.points(value, locale)
        if name == "value":
            return numbers.measure(value, facts.get("unit"), locale)
        if name == "target":
            if value.due is not None:
                return numbers.date(value.due.due, locale)
            return f"{value.direction.value} {numbers.measure(value.value, facts.get('unit'), locale)}"
        return str(value)
    return PLACEHOLDER.sub(lambda m: text(m.group(1)), message)


def node_tags(plan: model.PlanDefinition) -> dict[str, frozenset[str]]:
    """Tags of every node: its own, its indicator's, and those of the objectives above it."""
    out: dict[str, frozenset[str]] = {}
    for placed in model.walk(plan):
        node = placed.node
        own = {t.name for t in node.tags} \
            if not isinstance(node, (model.Reference, model.Link)) else set()
        if isinstance(node, model.Reference):
            indicator = plan.indicator(node.indicator)
            own = {t.name for t in indicator.tags} if indicator else set()
        inherited = out.get(placed.parent, frozenset()) if placed.parent else frozenset()
        out[placed.id] = frozenset(own) | inherited
    return out


class _Prepared:
    """What `advise` needs of a plan that no evaluation changes: the rules' compiled tests,
    every node's tags, the plan's baselines as actuals, the indicators by id. Made once per
    plan and kept while the plan lives (`_prepared`): working them out again for each Result
    was a fifth of reading its findings."""

    __slots__ = ("rules", "tags", "baselines", "declared", "__weakref__")

    def __init__(self, plan: model.PlanDefinition) -> None:
        self.rules = [(rule, compile_condition(rule.condition)) for rule in plan.rules]
        self.tags = node_tags(plan) if self.rules else {}
        self.baselines = {i.id: Actual(i.baseline.value) for i in plan.indicators
                          if i.baseline is not None}
        self.declared = {i.id: i for i in plan.indicators}


# id(plan) -> (a weak reference to the plan, what is prepared for it). By identity, not by
# the plan's value: hashing a whole frozen PlanDefinition costs more than preparing it. The
# entry goes when the plan does (the reference's callback), so an id is never reused stale.
_PREPARED: dict[int, tuple[weakref.ReferenceType[model.PlanDefinition], _Prepared]] = {}


def _prepared(plan: model.PlanDefinition) -> _Prepared:
    entry = _PREPARED.get(id(plan))
    if entry is not None and entry[0]() is plan:
        return entry[1]
    prepared = _Prepared(plan)
    key = id(plan)

    def forget(_: object) -> None:
        _PREPARED.pop(key, None)
    _PREPARED[key] = (weakref.ref(plan, forget), prepared)
    return prepared


def advise(plan: model.PlanDefinition, result: Result,
           actuals: Mapping[str, Actual] | None = None) -> tuple[Finding, ...]:
    """Every finding of every rule on every node, in tree order then rule order. `actuals`:
    last year's actual of each indicator (engine.history), else the plan's baselines."""
    if not plan.rules:
        return ()
    prepared = _prepared(plan)
    rules, tags = prepared.rules, prepared.tags
    if actuals is None:
        actuals = prepared.baselines
    declared = prepared.declared if actuals else {}
    found = []
    period, area_depth, locale = result.period, result.area_depth, result.locale
    for node in result:
        history = None
        if node.indicator is not None and node.indicator in actuals:
            history = history_facts(declared.get(node.indicator), node.value, actuals)
        facts = facts_of(node, tags.get(node.id, _NO_TAGS), period, history, area_depth)
        for rule, test in rules:
            if test(facts):
                found.append(Finding(node.id, rule.id, rule.title, rule.category, rule.severity,
                                     _fill(rule.message, facts, locale)))
    return tuple(found)


def by_category(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.category, []).append(finding)
    return grouped

