"""What hovering a name shows (Markdown): an indicator's title, its statements as written
(unit, targets, periodic targets, deadline, tags, ...), where the tree and the scorecards use
it and with which weight; a node's title, weight and children; a period's or a tag's meaning.
With a values file configured, the score it gives in its period, as `scorelang score` does.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import model
from ..engine import numbers
from ..engine.result import NodeResult
from .analysis import INDICATOR, NODE, PERIOD, TAG, Analysis, Occurrence
from .scores import Scores

_TITLE_WIDTH = 70


def hover_text(analysis: Analysis, occurrence: Occurrence, scores: Scores | None) -> str | None:
    plan = analysis.plan
    if plan is None:
        return None
    if occurrence.kind == INDICATOR:
        indicator = plan.indicator(occurrence.name)
        if indicator is None:
            return None
        lines = _indicator(analysis, plan, indicator)
    elif occurrence.kind == NODE:
        node = next((p for p in model.walk(plan) if isinstance(p.node, (model.Area, model.Objective))
                     and p.node.code == occurrence.name), None)
        if node is None:
            return None
        lines = _node(plan, node)
    elif occurrence.kind == PERIOD:
        period = plan.period(occurrence.name)
        if period is None:
            return None
        lines = [f"**{period.id}** · period", "", f"{period.title}, ends {period.ends.isoformat()}"]
    elif occurrence.kind == TAG:
        tag = next((t for t in plan.tags if t.id == occurrence.name), None)
        if tag is None:
            return None
        tagged = [i.id for i in plan.indicators if any(r.name == tag.id for r in i.tags)]
        lines = [f"**{tag.id}** · tag", "", tag.title, "",
                 f"{len(tagged)} indicator(s) tagged"]
    else:
        return None
    if scores is not None and occurrence.kind in (INDICATOR, NODE):
        lines += ["", *_score(occurrence, scores)]
    return "\n".join(lines)


def _short(title: str) -> str:
    return title if len(title) <= _TITLE_WIDTH else title[:_TITLE_WIDTH - 1] + "…"


def _indicator(analysis: Analysis, plan: model.PlanDefinition,
               indicator: model.Indicator) -> list[str]:
    lines = [f"**{indicator.id}** · indicator", "", indicator.title]
    if indicator.description:
        lines += ["", f"*{indicator.description}*"]
    statements = list(_statements(analysis, indicator))
    if statements:
        lines += ["", "```scorelang", *statements, "```"]
    uses = list(_uses(plan, indicator.id))
    lines += ["", "**Used in**" if uses else "*Not used in the tree or a scorecard.*"]
    lines += [f"- {where}: {weight}" for where, weight in uses]
    return lines


def _statements(analysis: Analysis, indicator: model.Indicator) -> Iterator[str]:
    """The block's lines as written, but for its header, its end, comments and description."""
    if indicator.span is None:
        return
    text = analysis.source
    for number in range(indicator.span.line, indicator.span.end_line - 1):
        line = text.line(number).strip()
        if line and not line.startswith(("#", "description", "}")):
            yield line


def _where(placed: dict[str, model.Placed], node_id: str | None) -> str:
    """A branch as a person reads it: `301.D1.1` Title, or `301` Title › Group."""
    if node_id is None or node_id not in placed:
        return "the plan"
    node = placed[node_id].node
    if isinstance(node, (model.Area, model.Objective)):
        return f"`{node.code}` {_short(node.title)}"
    if isinstance(node, model.Group):
        return f"{_where(placed, placed[node_id].parent)} › {_short(node.title)}"
    return node_id


def _uses(plan: model.PlanDefinition, indicator_id: str) -> Iterator[tuple[str, str]]:
    tree = model.walk(plan)
    placed = {p.id: p for p in tree}
    for place in tree:
        if isinstance(place.node, model.Reference) and place.node.indicator == indicator_id:
            yield _where(placed, place.parent), f"{place.node.weight.percent:g}%"
    for card in plan.scorecards:
        for item in card.items:
            if item.indicator == indicator_id:
                yield f"scorecard `{card.id}`", f"{item.weight.percent:g}%"
        for component in card.components:
            for part in component.parts:
                if part.kind == "indicator" and part.ref == indicator_id:
                    weight = "" if part.weight is None else f"{part.weight.percent:g}%"
                    yield f"scorecard `{card.id}` › component `{component.id}`", weight or "—"


def _node(plan: model.PlanDefinition, place: model.Placed) -> list[str]:
    node = place.node
    assert isinstance(node, (model.Area, model.Objective))
    kind = "area" if isinstance(node, model.Area) else "objective"
    placed = {p.id: p for p in model.walk(plan)}
    lines = [f"**{node.code}** · {kind}", "", node.title, ""]
    weight = "no weight" if node.weight is None else f"weight {node.weight.percent:g}%"
    lines.append(f"{weight} in {_where(placed, place.parent)}")
    lines += ["", "**Children**"]
    for child in node.children:
        if isinstance(child, model.Reference):
            lines.append(f"- `{child.indicator}`: {child.weight.percent:g}%")
        elif isinstance(child, model.Link):
            lines.append(f"- link `{child.code}`: {child.weight.percent:g}%")
        else:
            name = f"`{child.code}` " if isinstance(child, model.Objective) else "group "
            weight = "—" if child.weight is None else f"{child.weight.percent:g}%"
            lines.append(f"- {name}{_short(child.title)}: {weight}")
    return lines


def _score(occurrence: Occurrence, scores: Scores) -> list[str]:
    name = scores.values.name
    result = scores.result
    if result is None:
        return [f"*No score from `{name}`: {scores.problem}*"]
    head = f"**Score** in period {result.period or '—'} (`{name}`): "
    if occurrence.kind == NODE:
        node = result[occurrence.name] if occurrence.name in result else None
        if node is None:
            return [head + "not scored"]
        return [head + _figure(node, result.locale)]
    uses = [n for n in result if n.kind == "indicator" and n.indicator == occurrence.name]
    if not uses:
        return [head + "not scored"]
    node = uses[0]
    line = head + _figure(node, result.locale)
    if node.value is not None or node.target is not None:
        line += f" — value {numbers.measure(node.value, node.unit, result.locale)}"
        target = node.target
        if target is not None and target.due is not None:
            line += f", due {numbers.date(target.due.due, result.locale)}"
        elif target is not None and target.value is not None and target.direction is not None:
            line += (f", target {target.direction.value} "
                     f"{numbers.measure(target.value, node.unit, result.locale)}")
    return [line]


def _figure(node: NodeResult, locale: str) -> str:
    figure = numbers.percent(node.score, locale, node.places)
    return figure if node.status == "scored" else f"{figure} ({node.status})"
