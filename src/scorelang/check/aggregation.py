"""The checks of how branches combine their children: `aggregate`, `rollup` and `link`
(codes SL250–SL259).

Like every check it never raises and never changes the plan; `checks.check` runs these with
the others and sorts everything into source order.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import model
from ..diagnostics import Diagnostic, did_you_mean, error, warning
from ..model import Aggregate
from .tree import placed_nodes

# Rules under which a child counts only when it reached 100 %.
_REACHING = (Aggregate.ALL_REACHED, Aggregate.SHARE_REACHED)


def rule_of(node: model.Area | model.Objective | model.Group,
            plan: model.PlanDefinition) -> Aggregate:
    """The aggregation a branch uses: its own `aggregate` line, else the policy's."""
    return node.aggregate.rule if node.aggregate is not None else plan.policy.aggregate


def _reaching_under_cap(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    """SL250: all_reached or share_reached where no indicator can score 100 %: the plan's cap
    is below it (and no indicator raises its own), so the node is 0 % whatever happens."""
    policy = plan.policy
    if policy.cap >= 1.0 or any(i.cap is not None and i.cap >= 1.0 for i in plan.indicators):
        return
    cap = f"{policy.cap * 100:g} %"
    hint = (f"every indicator is capped at {cap}, so none reaches 100 %: raise the cap to "
            "100% or more, or aggregate by `weighted` or `minimum`")
    if policy.aggregate in _REACHING:
        yield warning("SL250", f"`aggregate {policy.aggregate.value}` can never see a child "
                      f"reach 100 % under `cap {cap}`", policy.span, hint)
    for placed in placed_nodes(plan):
        node = placed.node
        if isinstance(node, (model.Area, model.Objective, model.Group)) \
                and node.aggregate is not None and node.aggregate.rule in _REACHING:
            yield warning("SL250", f"`{placed.id}` aggregates by `{node.aggregate.rule.value}`, "
                          f"but under `cap {cap}` no child can reach 100 %",
                          node.aggregate.span, hint)


def _links(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    """SL251 a link to no area or objective; SL252 a link that makes a node read itself (a
    link to itself, to a node above it, or round a circle of links); SL253 a link to a node
    already below the linking one (counted twice there)."""
    placed = placed_nodes(plan)
    links = [p for p in placed if isinstance(p.node, model.Link)]
    if not links:
        return
    codes = {p.id: p for p in placed if isinstance(p.node, (model.Area, model.Objective))}
    # What each branch reads: its children, and through a link the node linked.
    reads: dict[str, list[str]] = {}
    for p in placed:
        if p.parent is not None:
            node = p.node
            read = node.code if isinstance(node, model.Link) else p.id
            reads.setdefault(p.parent, []).append(read)
    parents = {p.id: p.parent for p in placed}
    for link in links:
        node = link.node
        assert isinstance(node, model.Link) and link.parent is not None
        if node.code not in codes:
            if plan.indicator(node.code) is not None:
                hint = (f"`{node.code}` is an indicator: use it by name and weight, "
                        f"`{node.code} {node.weight.percent:g}%`")
            else:
                hint = did_you_mean(node.code, list(codes)) or \
                    "a link reads an area or objective by its code"
            yield error("SL251", f"link to `{node.code}`: no area or objective has this code",
                        node.span, hint)
        elif _reaches(node.code, link.parent, reads):
            yield error("SL252", f"`{link.parent}` links `{node.code}`, which reads "
                        f"`{link.parent}` itself: a node cannot count its own score",
                        node.span, "link an objective from another branch of the tree, not "
                        "one above the link or linked back to it")
        elif _below(node.code, link.parent, parents):
            yield warning("SL253", f"`{node.code}` is already under `{link.parent}`: linked "
                          "here it counts twice", node.span,
                          f"give `{node.code}` its weight where it is, or move it out of "
                          f"`{link.parent}` and keep the link")


def _reaches(start: str, goal: str, reads: dict[str, list[str]]) -> bool:
    """Whether scoring `start` reads `goal`, through children and links."""
    seen = set()
    todo = [start]
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(reads.get(current, ()))
    return False


def _below(node: str, ancestor: str, parents: dict[str, str | None]) -> bool:
    """Whether `ancestor` is above `node`. Ids repeat in a plan with duplicate codes (SL207,
    reported on its own): an objective inside one of the same code is its own parent here, so
    the walk stops at an id it has seen rather than going round for ever."""
    seen = {node}
    current = parents.get(node)
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


AGGREGATION_CHECKS = (_reaching_under_cap, _links)
