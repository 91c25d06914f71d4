"""The document's outline: the plan (its periods and tags), the indicators, the weighted tree
(areas → objectives → groups → indicator uses and links, each with its weight), the
scorecards and the advice rules — from the plan model, in document order.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from .. import model
from ..diagnostics import Span
from .analysis import Analysis, Place, Text

# What each entry is, named after the protocol's symbol kinds the server maps them to.
PLAN, PERIOD, TAG, INDICATOR, AREA, OBJECTIVE, GROUP, USE, LINK, SCORECARD, RULE, OTHER = (
    "plan", "period", "tag", "indicator", "area", "objective", "group", "use", "link",
    "scorecard", "rule", "other")


@attrs.frozen
class Symbol:
    name: str
    kind: str
    detail: str | None
    place: Place  # the whole statement or block
    selection: Place  # its name, within `place`
    children: tuple[Symbol, ...] = ()


def outline(analysis: Analysis) -> list[Symbol]:
    plan = analysis.plan
    if plan is None:
        return []
    text = analysis.source
    out: list[Symbol] = []
    if plan.span is not None:
        parts = [_symbol(text, p.id, PERIOD, p.title, p.span, p.id) for p in plan.periods]
        parts += [_symbol(text, t.id, TAG, t.title, t.span, t.id) for t in plan.tags]
        header = _symbol(text, plan.id, PLAN, plan.title, plan.span, plan.id,
                         [p for p in parts if p is not None])
        if header is not None:
            out.append(header)
    out += [s for i in plan.indicators
            if (s := _symbol(text, i.id, INDICATOR, i.title, i.span, i.id)) is not None]
    out += [s for area in plan.areas if (s := _node(text, area)) is not None]
    for card in plan.scorecards:
        symbol = _symbol(text, card.id, SCORECARD, card.title, card.span, card.id)
        if symbol is not None:
            out.append(symbol)
    for rule in plan.rules:
        symbol = _symbol(text, rule.id, RULE, rule.title, rule.span, rule.id)
        if symbol is not None:
            out.append(symbol)
    for things in (plan.behaviours, plan.roles, plan.rewards):
        for thing in things:
            symbol = _symbol(text, thing.id, OTHER, thing.title, thing.span, thing.id)
            if symbol is not None:
                out.append(symbol)
    return sorted(out, key=lambda s: s.place)


def _node(text: Text, node: model.Area | model.Node) -> Symbol | None:
    if isinstance(node, model.Reference):
        return _symbol(text, node.indicator, USE, f"{node.weight.percent:g}%", node.span,
                       node.indicator)
    if isinstance(node, model.Link):
        return _symbol(text, f"link {node.code}", LINK, f"{node.weight.percent:g}%", node.span,
                       node.code, quoted=True)
    weight = None if node.weight is None else f"{node.weight.percent:g}%"
    children = [s for child in node.children if (s := _node(text, child)) is not None]
    if isinstance(node, model.Group):
        return _symbol(text, node.title, GROUP, weight, node.span, node.title, children,
                       quoted=True)
    kind = AREA if isinstance(node, model.Area) else OBJECTIVE
    detail = node.title if weight is None else f"{weight} {node.title}"
    return _symbol(text, node.code, kind, detail, node.span, node.code, children, quoted=True)


def _symbol(text: Text, name: str, kind: str, detail: str | None, span: Span | None,
            written: str, children: list[Symbol] | None = None,
            quoted: bool = False) -> Symbol | None:
    if span is None:
        return None
    place = Place.of(span)
    selection = text.find(span, written, quoted) or Place(place.line, place.start, place.line,
                                                          place.start)
    return Symbol(name, kind, detail, place, selection, tuple(children or ()))


def flatten(symbols: list[Symbol]) -> Iterator[Symbol]:
    for symbol in symbols:
        yield symbol
        yield from flatten(list(symbol.children))
