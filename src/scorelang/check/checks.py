"""Model -> diagnostics. Every rule of the language that needs the whole plan lives here.

`check` never raises and never changes the plan: it returns a list of diagnostics, each with a
stable code, so that CI, editors and the API see the same problems.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal

from .. import model
from ..diagnostics import (Diagnostic, Span, closest, did_you_mean, error, in_source_order,
                           meant_hint, renamed, warning)
from ..model import FACTS, FLAGS, PLACEHOLDERS, SEVERITIES, Direction, Formula, placeholders
from ..syntax.parser import reserved_words
from .aggregation import AGGREGATION_CHECKS, rule_of
from .individual import check_individual
from .leaf_rules import leaf_rules
from .tree import placed_nodes

# Units whose figures add up over the year (a half-year target is a share of the annual one).
CUMULATIVE_UNITS = frozenset({"N", "EUR", "€", "h"})

# Weights are printed with two decimals: 33.34 + 33.33 + 33.33 must pass, 99.98 must not.
WEIGHT_TOLERANCE = 0.01


def check(plan: model.PlanDefinition) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for rule in (_duplicate_periods, _duplicate_indicators, _indicator_targets,
                 _periodic_targets, _deadlines, _exact_targets, _tree_references,
                 _duplicate_nodes, _weights, _unused_indicators, _bounds, _bands,
                 _scorecards, _tags, _rules, leaf_rules, *AGGREGATION_CHECKS, check_individual,
                 _missing_rules):
        found.extend(rule(plan))
    return in_source_order(found)


def _duplicates(items: Sequence[tuple[str, Span | None]], what: str, code: str,
                hint: str) -> Iterator[Diagnostic]:
    first: dict[str, Span | None] = {}
    for name, span in items:
        if name in first:
            where = first[name]
            line = f" (first at line {where.line})" if where else ""
            yield error(code, f"duplicate {what} `{name}`{line}", span, hint,
                        related=(where,) if where else ())
        else:
            first[name] = span


def _duplicate_periods(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(p.id, p.span) for p in plan.periods], "period", "SL201",
                           "give each period its own name")


def _duplicate_indicators(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(i.id, i.span) for i in plan.indicators], "indicator", "SL202",
                           "declare an indicator once and reference it wherever it is used")
    reserved = reserved_words()
    for indicator in plan.indicators:
        if indicator.id in reserved:
            yield error("SL215", f"`{indicator.id}` is a keyword of the language and cannot name "
                        "an indicator", indicator.span,
                        f"choose another id, e.g. `{indicator.id}_1` or a descriptive name")


def _indicator_targets(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    periods = [p.id for p in plan.periods]
    for indicator in plan.indicators:
        if indicator.target is None and indicator.deadline is None:
            yield error("SL203", f"indicator `{indicator.id}` has neither a target nor a deadline",
                        indicator.span, "add `target >= N` (or <=, =) or `deadline YYYY-MM-DD`")
        if indicator.target is not None and indicator.deadline is not None:
            yield error("SL203", f"indicator `{indicator.id}` has both a target and a deadline",
                        indicator.deadline.span,
                        "an indicator is either measured against a target or done by a date")
        if indicator.deadline is not None and indicator.periodic_targets:
            yield error("SL203", f"indicator `{indicator.id}` has periodic targets and a deadline",
                        indicator.periodic_targets[0].span,
                        "periodic targets only apply to measured indicators")
        seen: set[str] = set()
        for periodic in indicator.periodic_targets:
            if periodic.period not in periods:
                hint = did_you_mean(periodic.period, periods) or (
                    "declared periods: " + (", ".join(periods) or "none; add `period ...` to the plan"))
                yield error("SL204", f"periodic target for undeclared period `{periodic.period}`",
                            periodic.span, hint)
            if periodic.period in seen:
                yield error("SL204", f"indicator `{indicator.id}` has two periodic targets for "
                            f"`{periodic.period}`", periodic.span, "keep one")
            seen.add(periodic.period)
        formula = indicator.formula or plan.policy.formula
        if formula is Formula.RATIO:
            targets = [indicator.target] if indicator.target else []
            targets += [p.target for p in indicator.periodic_targets]
            for target in targets:
                if target.value == 0 and target.direction is Direction.AT_MOST and not target.tbd:
                    yield error("SL205", f"indicator `{indicator.id}`: a target of 0 cannot be "
                                "scored with the ratio formula (division by zero)", target.span,
                                "use `formula deviation` for this indicator, or a non-zero target")


def _periodic_targets(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    for indicator in plan.indicators:
        annual = indicator.target
        if annual is None:
            continue
        for periodic in indicator.periodic_targets:
            target = periodic.target
            if target.direction is not annual.direction:
                yield error("SL216", f"indicator `{indicator.id}`: periodic target "
                            f"`{target.direction.value}` points the other way from the annual "
                            f"`{annual.direction.value}`", periodic.span,
                            f"write the periodic target with `{annual.direction.value}` too")
                continue
            stricter = (target.value > annual.value if annual.direction is Direction.AT_LEAST
                        else target.value < annual.value)
            if indicator.unit in CUMULATIVE_UNITS and stricter and not (target.tbd or annual.tbd):
                yield warning("SL217", f"indicator `{indicator.id}` is cumulative "
                              f"({indicator.unit}) but its {periodic.period} target "
                              f"{target.value:g} is stricter than the annual {annual.value:g}",
                              periodic.span, "a part of the year usually asks for a share of the "
                              "annual target (e.g. half by June)")


def _deadlines(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    if not plan.periods:
        return
    last = max(plan.periods, key=lambda p: p.ends)
    for indicator in plan.indicators:
        deadline = indicator.deadline
        if deadline is not None and deadline.due > last.ends:
            yield warning("SL218", f"indicator `{indicator.id}` is due {deadline.due.isoformat()}, "
                          f"after the plan's last period `{last.id}` ends "
                          f"({last.ends.isoformat()})", deadline.span,
                          "it will be N/D (not due) in every monitoring of this plan")


def _exact_targets(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    # `= 6 N` is almost always "reach 6", scored in proportion; only a yes/no target (= 1, or
    # = 0: "zero incidents") is naturally met exactly. A tolerance says the margin: no warning.
    for indicator in plan.indicators:
        if (indicator.tolerance or plan.policy.tolerance) is not None:
            continue
        targets = [indicator.target] if indicator.target else []
        targets += [p.target for p in indicator.periodic_targets]
        for target in targets:
            if target.direction is Direction.EQUAL and not target.tbd \
                    and target.value not in (0, 1):
                unit = f" {indicator.unit}" if indicator.unit else ""
                yield warning("SL219", f"indicator `{indicator.id}` has an `=` target of "
                              f"{target.value:g}{unit}: only exactly {target.value:g} scores, "
                              "anything else scores 0 % (write `>=` or `<=`, or give a "
                              "`tolerance`)", target.span,
                              "use `>=` or `<=` unless the exact figure is really required")


def _missing_rules(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    for indicator in plan.indicators:
        targets = [indicator.target] if indicator.target else []
        targets += [p.target for p in indicator.periodic_targets]
        tbd = [target for target in targets if target.tbd]
        rule = indicator.missing_target or plan.policy.missing_target
        if tbd and rule is None:
            yield error("SL261", f"indicator `{indicator.id}` has a target still to be decided "
                        "(`tbd`), and nothing says how to score it", tbd[0].span,
                        "add `missing_target skip` (left out, siblings re-weighted), "
                        "`missing_target previous` (the previous monitoring's score) or "
                        "`missing_target limit` (its `limits minimum` as the target) to the "
                        "indicator or to the policy")
        if tbd and rule is model.MissingTarget.LIMIT and indicator.limits is None:
            said = "its" if indicator.missing_target is not None else "the policy's"
            yield error("SL263", f"indicator `{indicator.id}` has a target still to be decided "
                        f"(`tbd`) under {said} `missing_target limit`, but no `limits` to "
                        "take the minimum of", tbd[0].span,
                        "declare `limits minimum M maximum X` on the indicator (M then stands "
                        "in as the target), or give it `missing_target skip` or "
                        "`missing_target previous`")
        if indicator.missing_target is not None and not tbd:
            yield warning("SL262", f"indicator `{indicator.id}` sets `missing_target` but has "
                          "no `tbd` target: the line does nothing", indicator.span,
                          "remove it, or write the target still to be decided as `tbd`")
        if indicator.deadline is not None and indicator.missing is not None:
            yield error("SL260", f"indicator `{indicator.id}` has a deadline: `missing "
                        f"{indicator.missing.value}` has no N/D value to act on",
                        indicator.span, "a deadline not done is scored by its `late` rule "
                        "(0 % once due): remove the `missing` line")


# "Did you mean" compares a name with every declared one: for the first unknown names only,
# or a file of N unknown names among N declared ones would cost N × N comparisons.
SUGGESTED = 100


def _tree_references(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    declared = [i.id for i in plan.indicators]
    known = set(declared)
    suggested = 0
    for placed in placed_nodes(plan):
        node = placed.node
        if isinstance(node, model.Reference) and node.indicator not in known:
            suggested += 1
            # One search for a close name serves the hint and the editor's fix, and only for
            # the first SUGGESTED unknown names: each search costs every declared name.
            meant = closest(node.indicator, declared) if suggested <= SUGGESTED else None
            if node.indicator in reserved_words():
                hint = (f"`{node.indicator}` is a keyword, not an indicator: a weight goes in the "
                        'header, `objective "10" "Title" weight 25% {`')
            else:
                hint = meant_hint(meant) or \
                    f"declare it: indicator {node.indicator} \"Title\" {{ target >= ... }}"
            fix = None if node.span is None else renamed(node.span, node.indicator, meant)
            yield error("SL206", f"unknown indicator `{node.indicator}`", node.span, hint, fix)


def _duplicate_nodes(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    first: dict[str, model.Placed] = {}
    for placed in placed_nodes(plan):
        seen = first.setdefault(placed.id, placed)
        if seen is placed:
            continue
        where = f" (first at line {seen.node.span.line})" if seen.node.span else ""
        node = placed.node
        if isinstance(node, model.Reference):
            hint = "an indicator is used at most once under the same parent: merge the two weights"
        elif isinstance(node, model.Group):
            hint = "two groups under one parent need different titles"
        elif isinstance(node, model.Link):
            hint = "a node is linked at most once under the same parent: merge the two weights"
        else:
            hint = "codes of areas and objectives are unique in the whole plan"
        yield error("SL207", f"duplicate node `{placed.id}`{where}", node.span, hint,
                    related=(seen.node.span,) if seen.node.span else ())


def _weights(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    areas_weighted = [a for a in plan.areas if a.weight is not None]
    if areas_weighted and len(areas_weighted) != len(plan.areas):
        for area in plan.areas:
            if area.weight is None:
                yield error("SL208", f"area `{area.code}` has no weight but other areas do",
                            area.span, "weigh every area (the plan score is their weighted sum) "
                            "or none (no overall score)")
    # Under `aggregate sum` weights are the components' own, not shares: no sum to check.
    if areas_weighted and len(areas_weighted) == len(plan.areas) \
            and plan.policy.aggregate is not model.Aggregate.SUM:
        yield from _sibling_sum(plan.areas, "the areas", plan.span)
    for placed in placed_nodes(plan):
        node = placed.node
        if isinstance(node, (model.Reference, model.Link)):
            continue
        if not node.children:
            yield error("SL209", f"`{placed.id}` has nothing under it", node.span,
                        "add indicators or objectives, or remove it")
            continue
        for child in node.children:
            if not isinstance(child, (model.Reference, model.Link)) and child.weight is None:
                child_id = model.node_id(child, placed.id)
                yield error("SL208", f"`{child_id}` has no weight", child.span,
                            "write its share of the parent, e.g. `weight 50%`")
        if rule_of(node, plan) is model.Aggregate.SUM:
            yield from _sibling_sum(node.children, "", node.span, shares=False)
        else:
            yield from _sibling_sum(node.children, f"the children of `{placed.id}`", node.span)
        weights = [c.weight.percent for c in node.children if c.weight is not None]
        if weights and all(w == 0 for w in weights):
            yield warning("SL211", f"every child of `{placed.id}` weighs 0 %", node.span,
                          f"so `{placed.id}` is N/D in every report: give its children their "
                          "real weights")


def _sibling_sum(children: Sequence[model.Area | model.Node | model.ScorecardItem], what: str,
                 span: Span | None, shares: bool = True) -> Iterator[Diagnostic]:
    weights = [c.weight for c in children if c.weight is not None]
    for weight in weights:
        if weight.percent < 0:
            yield error("SL210", f"negative weight {weight.percent:g}%", weight.span,
                        "weights are shares of the parent, from 0% to 100%")
    if not shares or len(weights) != len(children) or all(w.percent == 0 for w in weights):
        return  # a missing weight is SL208; all-zero weights are SL211; `sum` has no shares
    # Summed as the decimals they were written as: 33.34 + 33.33 + 33.33 is 100 here, where
    # binary floats make it 99.99999999999999, and 99.99 is within the tolerance exactly.
    exact = sum((Decimal(repr(w.percent)) for w in weights), Decimal(0))
    if abs(exact - 100) > Decimal(repr(WEIGHT_TOLERANCE)):
        total = float(exact)
        difference = total - 100.0
        yield error("SL212", f"weights of {what} sum to {total:.2f} %, expected 100 % "
                    f"({difference:+.2f} %)", span,
                    "sibling weights are shares of their parent and must add up to 100%")


def _unused_indicators(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    used = Counter(p.node.indicator for p in placed_nodes(plan)
                   if isinstance(p.node, model.Reference))
    used.update(item.indicator for card in plan.scorecards for item in card.items
                if item.indicator is not None)
    used.update(part.ref for card in plan.scorecards for component in card.components
                for part in component.parts if part.kind == "indicator" and part.ref)
    for indicator in plan.indicators:
        if indicator.id not in used:
            yield warning("SL213", f"indicator `{indicator.id}` is declared but never used",
                          indicator.span, "reference it in the tree with a weight, or remove it")


def _bounds(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    pairs = [("the plan", plan.policy.floor, plan.policy.cap, plan.policy.span)]
    for indicator in plan.indicators:
        if indicator.floor is not None or indicator.cap is not None:
            floor = plan.policy.floor if indicator.floor is None else indicator.floor
            cap = plan.policy.cap if indicator.cap is None else indicator.cap
            pairs.append((f"indicator `{indicator.id}`", floor, cap, indicator.span))
    for what, floor, cap, span in pairs:
        if floor > cap:
            yield error("SL214", f"{what}: floor {floor * 100:g}% is above cap {cap * 100:g}%",
                        span, "the floor is the lowest achievement, the cap the highest")


def _bands(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(b.id, b.span) for b in plan.bands], "band", "SL220",
                           "give each band its own name")
    for previous, band in zip(plan.bands, plan.bands[1:]):
        if band.lower <= previous.lower:
            yield error("SL220", f"band `{band.id}` starts at {band.lower * 100:g}%, not above "
                        f"`{previous.id}` ({previous.lower * 100:g}%)", band.span,
                        "list bands from the lowest to the highest, each starting higher")
    if plan.bands and min(b.lower for b in plan.bands) > plan.policy.floor:
        lowest = min(plan.bands, key=lambda b: b.lower)
        yield warning("SL221", f"scores below {lowest.lower * 100:g}% fall in no band",
                      lowest.span, "let the lowest band start at the floor, e.g. `from 0%`")


def _scorecards(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(c.id, c.span) for c in plan.scorecards], "scorecard", "SL222",
                           "give each scorecard its own name")
    declared = [i.id for i in plan.indicators]
    nodes = [p.id for p in placed_nodes(plan)]
    for card in plan.scorecards:
        if not card.items and not card.components:
            yield error("SL209", f"scorecard `{card.id}` has nothing in it", card.span,
                        "list its indicators and objectives with their weights")
            continue
        for item in card.items:
            if item.indicator is not None and item.indicator not in declared:
                yield error("SL206", f"unknown indicator `{item.indicator}`", item.span,
                            did_you_mean(item.indicator, declared))
            if item.node is not None and item.node not in nodes:
                yield error("SL223", f"scorecard `{card.id}` names `{item.node}`, which is not "
                            "in the tree", item.span,
                            did_you_mean(item.node, nodes) or "use the code of an objective")
        names = [(item.indicator or item.node or "", item.span) for item in card.items]
        yield from _duplicates(names, f"entry of scorecard `{card.id}`", "SL207",
                               "list each indicator or objective once")
        if not card.components:  # a card of components: check.individual
            yield from _sibling_sum(card.items, f"scorecard `{card.id}`", card.span)


def _tags(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(t.id, t.span) for t in plan.tags], "tag", "SL229",
                           "declare each tag once in the plan block")
    declared = [t.id for t in plan.tags]
    uses = [ref for i in plan.indicators for ref in i.tags]
    uses += [ref for p in placed_nodes(plan)
             if not isinstance(p.node, (model.Reference, model.Link)) for ref in p.node.tags]
    for ref in uses:
        if ref.name not in declared:
            meant = closest(ref.name, declared)  # one search for the hint and the fix
            fix = None if ref.span is None else renamed(ref.span, ref.name, meant)
            yield error("SL224", f"unknown tag `{ref.name}`", ref.span,
                        meant_hint(meant) or f'declare it in the plan block: tag {ref.name} "Title"', fix)


def _rules(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(r.id, r.span) for r in plan.rules], "rule", "SL229",
                           "give each rule its own name")
    open_values = {"band": [b.id for b in plan.bands], "period": [p.id for p in plan.periods],
                   "unit": sorted({i.unit for i in plan.indicators if i.unit}),
                   "indicator": [i.id for i in plan.indicators]}
    for rule in plan.rules:
        yield from _condition(rule.condition, plan, open_values)
        if rule.severity not in SEVERITIES:
            yield error("SL230", f"unknown severity `{rule.severity}` in rule `{rule.id}`",
                        rule.span, did_you_mean(rule.severity, SEVERITIES)
                        or "one of: " + ", ".join(SEVERITIES))
        for name in placeholders(rule.message):
            if name not in PLACEHOLDERS:
                yield error("SL228", f"unknown placeholder `{{{name}}}` in the message of rule "
                            f"`{rule.id}`", rule.message_span,
                            did_you_mean(name, PLACEHOLDERS)
                            or "placeholders: " + ", ".join(sorted(PLACEHOLDERS)))


def _condition(condition: model.Condition, plan: model.PlanDefinition,
               open_values: dict[str, list[str]]) -> Iterator[Diagnostic]:
    if isinstance(condition, (model.Not,)):
        yield from _condition(condition.condition, plan, open_values)
    elif isinstance(condition, (model.All, model.AnyOf)):
        for part in condition.conditions:
            yield from _condition(part, plan, open_values)
    elif isinstance(condition, model.Tagged):
        declared = [t.id for t in plan.tags]
        if condition.tag not in declared:
            yield error("SL224", f"unknown tag `{condition.tag}`", condition.span,
                        did_you_mean(condition.tag, declared) or "declare it in the plan block")
    elif isinstance(condition, model.Flagged):
        if condition.flag not in FLAGS:
            yield error("SL226", f"unknown flag `{condition.flag}`", condition.span,
                        did_you_mean(condition.flag, FLAGS) or "flags: " + ", ".join(FLAGS))
    else:
        yield from _comparison(condition, open_values)


# The history facts: figures of last year's actual (docs/advice.md, "History"); and the
# figures a reader may try to set them against, which a condition cannot name on its right.
_HISTORY = ("previous", "trend", "stretch")
_FIGURES = ("target", "value", "raw", "score", *_HISTORY)


def _against_history(compare: model.Compare) -> Diagnostic | None:
    """SL255: a history fact set against another figure (`target <= previous`): a comparison
    has a fact on the left and a value on the right; `stretch` and `trend` are the
    comparisons with last year's actual, made once."""
    left, right = compare.left, compare.right
    names = [o.name for o in (left, right) if isinstance(o, model.Symbol)]
    if len(names) != 2 or not set(names) & set(_HISTORY) or not set(names) <= set(_FIGURES):
        return None
    return error("SL255", f"`{names[0]} {compare.operator} {names[1]}` compares two figures; "
                 "a condition compares a fact with a value", compare.span,
                 "the target against last year's actual is `stretch` (`stretch <= 0`: a "
                 "target at or below it), the value against it is `trend` (`trend < 0`)")


def _comparison(compare: model.Compare, open_values: dict[str, list[str]]) -> Iterator[Diagnostic]:
    left = compare.left
    mistaken = _against_history(compare)
    if mistaken is not None:
        yield mistaken
        return
    if not isinstance(left, model.Symbol) or left.name not in FACTS:
        name = left.name if isinstance(left, model.Symbol) else None
        what = f"`{name}`" if name else "a value"
        yield error("SL225", f"a condition starts with a fact, not {what}",
                    left.span, (did_you_mean(name, FACTS) if name else None)
                    or "facts: " + ", ".join(FACTS))
        return
    kind, allowed = FACTS[left.name]
    right = compare.right
    if kind == "number":
        if not isinstance(right, model.Literal):
            yield error("SL227", f"`{left.name}` is a number: compare it with a number",
                        right.span, f"e.g. `{left.name} > 120%`")
        return
    if compare.operator not in ("==", "!="):
        yield error("SL227", f"`{left.name}` is compared with == or !=, not {compare.operator}",
                    compare.span, f"e.g. `{left.name} == ...`")
    if isinstance(right, model.Literal):
        yield error("SL227", f"`{left.name}` is a name, not a number", right.span,
                    "write the value as a name or a quoted text")
        return
    value = right.value if isinstance(right, model.Text) else right.name
    choices = list(allowed) if allowed is not None else open_values.get(left.name)
    if choices is not None and value not in choices:
        yield error("SL226", f"`{value}` is not a value of `{left.name}`", right.span,
                    did_you_mean(value, choices) or ("values: " + ", ".join(choices) if choices
                                                     else f"the plan declares no {left.name}"))
