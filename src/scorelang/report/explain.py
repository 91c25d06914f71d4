"""An Explanation as plain text for a person, or as JSON (format_version 1) for a program.

Text: an indented tree in plan order, one plain sentence a line, in the plan's language
(`speech.say`: English or Italian) with the plan's own titles; every figure rounded by
`rounding.half_up` only (percentages to the plan's places, measured values as written with up
to 4 decimals) and written as the language writes it (62,96 % or 62.96 %, 31/10/2020 or
2020-10-31). JSON: the same content with the numbers unrounded and every key always present,
in English whatever the locale. Nothing here computes a score.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from ..tools.explain import (Computation, Explanation, NDCost, NodeExplanation, RuleDetail, Share,
                             Sum, TargetDetail)
from ..model import Aggregate, Formula, MissingPolicy, Target
from ..engine import numbers
from ..engine.rounding import half_up
from .speech import locale, say, speaking

FORMAT_VERSION = 1
INDENT = "  "
TITLE_WIDTH = 80
MINUS = "\u2212"  # the minus sign, as in docs/language.md: −17.82

_POLICY = {
    MissingPolicy.COUNTS_ZERO: "counts_zero (an N/D child counts 0 but keeps its weight)",
    MissingPolicy.EXCLUDED: "excluded (an N/D child is left out and its siblings' weights "
                            "re-normalised)",
    MissingPolicy.VALUE_ZERO: "value_zero (an N/D value is scored as 0; an N/D child left, a "
                              "deadline not yet due, counts 0 but keeps its weight)",
    MissingPolicy.ERROR: "error (an N/D value stops the scoring; an N/D child left, a deadline "
                         "not yet due, counts 0 but keeps its weight)",
}
_STATUS = {"not_due": "N/D (not yet due)", "missing": "N/D"}
# The kinds of node, as a sentence names them.
KINDS = {"area": "area", "objective": "objective", "group": "group", "indicator": "indicator",
         "node": "node"}


def policy(value: MissingPolicy) -> str:
    return say(_POLICY[value])


def kind(name: str) -> str:
    return say(KINDS[name]) if name in KINDS else name


# ---- numbers --------------------------------------------------------------------------------

def _signed(number: Decimal, grouped: bool = False) -> str:
    text = f"{number:,f}" if grouped else f"{number:f}"
    if locale() == "it":  # 13.000,5: the Italian separators, swapped in one pass
        text = text.translate(str.maketrans(",.", ".,"))
    return text.replace("-", MINUS)


def _number(value: float) -> str:
    """A measured figure as written: up to 4 decimals, no float noise, thousands grouped."""
    return _signed(half_up(value, 4).normalize(), grouped=True)


def _operand(value: float) -> str:
    """A number inside a formula: negative ones in brackets after an operator."""
    text = _number(value)
    return f"({text})" if value < 0 else text


def _weight(percent: float) -> str:
    """A weight as a plan writes it: 33.34 %, 20 %."""
    return f"{_signed(half_up(percent, 2).normalize())} %"


def _percent(percent: float, places: int) -> str:
    return f"{_signed(half_up(percent, places), grouped=True)} %"


def _points(points: float, places: int) -> str:
    return _signed(half_up(points, places))


def _day(value: dt.date | None) -> str:
    return "?" if value is None else numbers.date(value, locale())


def _score(node: NodeExplanation) -> str:
    if node.score is None:
        return say(_STATUS.get(node.status, "N/D"))
    return _percent(node.score, node.places)


def _shorten(text: str) -> str:
    return text if len(text) <= TITLE_WIDTH else text[: TITLE_WIDTH - 1].rstrip() + "…"


def _label(node: NodeExplanation) -> str:
    return f'{kind(node.kind)} {node.id} "{_shorten(node.title)}"'


# ---- text -----------------------------------------------------------------------------------

def context_line(plan_title: str, period: str | None, as_of: dt.date | None) -> str:
    """The line under an explanation's title: the plan, the period, the monitoring date."""
    context = say("Plan: {title}", title=plan_title)
    if period is not None:
        context += say("; period {period}", period=period)
    if as_of is not None:
        context += say("; monitoring date {date}", date=_day(as_of))
    return context


_context = context_line  # the name report.individual imported


def explain_text(explanation: Explanation, locale: str | None = None) -> str:
    """The explanation in `locale` (default: the plan's)."""
    with speaking(locale or explanation.locale):
        return _explain_text(explanation)


def _explain_text(explanation: Explanation) -> str:
    node = explanation.node
    places = node.places
    lines = [say("How {node} came to {score}", node=node.id, score=_score(node)),
             _context(explanation.plan_title, explanation.period, explanation.as_of),
             say("N/D policy: {policy}", policy=policy(explanation.policy)),
             _in_parent(explanation)]
    for cost in explanation.nd_costs:
        lines.append(say("What N/D costs {node}: {cost}", node=node.id, cost=_cost(cost, places)))
    lines.append("")
    _node_lines(node, 0, lines, root=True)
    if explanation.depth is not None and _has_collapsed(node):
        lines += ["", say("Nodes listed without details are below the depth limit ({depth}); a "
                          "larger depth explains them too.", depth=explanation.depth)]
    return "\n".join(lines) + "\n"


def _has_collapsed(node: NodeExplanation) -> bool:
    return not node.expanded or any(_has_collapsed(child) for child in node.children)


def _the_plan() -> str:
    return say("the plan")


def _in_parent(explanation: Explanation) -> str:
    node, parent, share = explanation.node, explanation.parent, explanation.node.share
    if parent is None:
        if node.kind == "plan":
            return say("In its parent: none, {node} is the plan's total, the root of the tree",
                       node=node.id)
        return say("In its parent: {node} is a top-level area without a weight", node=node.id)
    total = parent.kind == "plan"  # the plan's total, the root node
    where = (say("the plan ({score})", score=_optional(parent.score, node.places)) if total
             else f'{kind(parent.kind)} {parent.id} "{_shorten(parent.title)}" '
                  f"({_optional(parent.score, node.places)})")
    return say("In its parent: weight {weight} of {where}; ", weight=_weight(share.weight or 0.0),
               where=where) + _share(node, share, _the_plan() if total else parent.id or _the_plan(),
                                     long=True)


def _optional(score: float | None, places: int) -> str:
    return "N/D" if score is None else _percent(score, places)


# How a node that adds no points counts in its parent (tools.explain.TREATMENTS).
_TREATMENTS = {
    "zero_weight": "shown, not counted",
    "nd_counts_zero": "counts 0 but keeps its weight",
    "nd_excluded": "left out; siblings re-normalised",
    "compared": "compared with its siblings, not summed",
    "neutralised": "neutralised: left out, siblings re-weighted",
    "no_target": "target to be decided: left out, siblings re-weighted",
}


def _share(node: NodeExplanation, share: Share, parent: str, long: bool = False) -> str:
    """How the node counts in its parent; `long` writes the product out."""
    said = _TREATMENTS.get(share.treatment)
    if said is not None:
        return say(said)
    if share.treatment == "unweighted" or share.contribution is None:
        return say("not weighted")
    points = say("{points} points of {parent}", points=_points(share.contribution, node.places),
                 parent=parent)
    if not long:
        return points
    return say("contributes {weights} × {score} = {points}", weights=_weights(share),
               score=_score(node), points=points)


def _weights(share: Share) -> str:
    """The weight as written, and as re-normalised when the N/D policy re-normalised it."""
    text = _weight(share.weight or 0.0)
    if share.counted_weight is not None and share.counted_weight != share.weight:
        text += say(" (re-normalised to {weight})", weight=_weight(share.counted_weight))
    return text


def _head(node: NodeExplanation, root: bool) -> str:
    head = f"{_label(node)}: {_score(node)}"
    if root:
        return head
    if node.share.weight is not None:
        head += say(", weight {weights}", weights=_weights(node.share))
    return f"{head} → {_share(node, node.share, node.parent or _the_plan())}"


def _node_lines(node: NodeExplanation, level: int, lines: list[str], root: bool = False) -> None:
    pad = INDENT * level
    lines.append(pad + _head(node, root))
    detail = pad + INDENT
    lines.extend(detail + line for line in _adjustment_lines(node))
    lines.extend(detail + line for line in _note_lines(node))
    if node.computation is not None:
        lines.extend(detail + line for line in _computation_lines(node, node.computation))
    if node.sum is not None:
        lines.extend(detail + line for line in _sum_lines(node, node.sum))
    if node.link is not None:
        lines.append(detail + say("linked: the figure of {link}, scored where it is defined "
                                  "(explain {link} for its computation)", link=node.link))
    if node.rounded is not None and node.score is not None and node.share.weight is not None:
        lines.append(detail + say("rounded to {places} places before {parent} reads it "
                                  "(rollup rounded)", places=node.rounded,
                                  parent=node.parent or _the_plan()))
    for child in node.children:
        _node_lines(child, level + 1, lines)


def _adjustment_lines(node: NodeExplanation) -> list[str]:
    """A neutralisation or an override, as the values file gives it."""
    if node.neutralised is not None:
        return [say("neutralised by {act}: left out, siblings re-weighted ({reason})",
                    act=node.neutralised["act"], reason=node.neutralised["reason"])]
    given = node.override
    if given is None:
        return []
    by = say(" by {who}", who=given["by"]) if given.get("by") else ""
    return [say("overridden{by} to {score} (the rules give {computed}): {reason}", by=by,
                score=_percent(given["score"], node.places),
                computed=_optional(given["computed"], node.places), reason=given["reason"])]


def _note_lines(node: NodeExplanation) -> list[str]:
    """The values file's note and data source, as written; a line break in the note goes on
    an indented line of its own, so that it cannot pass for a line of the explanation."""
    if node.note is None:
        return []
    lines: list[str] = []
    for key, word in (("note", "note"), ("source", "source")):
        text = node.note.get(key)
        if text:
            first, *rest = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            lines.append(f"{word}: {first}")
            lines.extend(f"{INDENT}{line}" for line in rest)
    return lines


def _computed(node: NodeExplanation) -> str:
    """The node's score as the rules give it: before an override."""
    if node.override is not None:
        return _optional(node.override["computed"], node.places)
    return _score(node)


def _target(target: TargetDetail) -> str:
    if target.due is not None:
        return say("done by {date} (deadline)", date=_day(target.due))
    if target.value is None:
        return say("{direction} tbd — to be decided",
                   direction=target.direction.value if target.direction else "")
    text = _written(target.direction.value if target.direction else "", target.value, target.unit)
    if target.source == "limit":
        return say("{text} — target to be decided: the minimum limit {limit} stands in "
                   "(`missing_target limit`)", text=text, limit=_number(target.value or 0.0))
    if target.source == "periodic":
        text += say(" — periodic target for {period} replaces the annual {annual}",
                    period=target.period, annual=_annual(target.replaces, target.unit)
                    if target.replaces else say("one"))
    elif target.period is not None:
        text += say(" — annual target (no periodic target for {period})", period=target.period)
    else:
        text += say(" — annual target")
    return text


def _written(direction: str, value: float | None, unit: str | None) -> str:
    text = f"{direction} {_number(value or 0.0)}"
    return f"{text} {unit}" if unit else text


def _annual(target: Target, unit: str | None) -> str:
    return _written(target.direction.value, target.value, unit)


def _value(computation: Computation) -> str:
    value = computation.value
    if isinstance(value, dt.date):
        return say("done {date}", date=_day(value))
    if value is None and computation.value_zero:
        return say("N/D (not reported), taken as 0 (`missing value_zero`)")
    if value is None:
        return say("not done") if computation.target.due is not None \
            else say("N/D (not reported)")
    unit = computation.target.unit
    return f"{_number(value)} {unit}" if unit else _number(value)


def _computation_lines(node: NodeExplanation, computation: Computation) -> list[str]:
    lines = [say("target: {target}", target=_target(computation.target)),
             say("value: {value}", value=_value(computation))]
    if node.neutralised is not None:
        return lines  # out of the plan: no score to work out
    if computation.target.value is None and computation.target.due is None:
        if node.status == "no_target":
            lines.append(say("`missing_target skip`: no target yet, left out of every parent"))
        else:
            lines.append(say("`missing_target previous`: the previous monitoring's score, "
                             "{score}", score=_score(node)))
        return lines
    lines.append(say("formula: {formula}", formula=_formula(computation, node.places)))
    raw, places = computation.raw, node.places
    rule = computation.rule
    if rule is not None and rule.baseline is not None and computation.method != "progress":
        lines.append(say("baseline: last year's {baseline} (information only)",
                         baseline=_number(rule.baseline)))
    if rule is not None and rule.curve is not None and raw is not None:
        lines.append(say("rule: {rule}", rule=_curve_line(rule, raw, places)))
        raw = rule.curved  # floor and cap bound the curve's score
        label = say("the rule's score")
    else:
        label = say("raw")
    if raw is not None:
        shown = _percent(raw, places)
        if computation.bound == "capped":
            lines.append(say("{label} {raw}, capped at {cap} → {score}", label=label, raw=shown,
                             cap=_weight(computation.cap), score=_computed(node)))
        elif computation.bound == "floored":
            lines.append(say("{label} {raw}, floored at {floor} → {score}", label=label,
                             raw=shown, floor=_weight(computation.floor), score=_computed(node)))
        else:
            lines.append(say("{label} {raw}, within floor {floor} and cap {cap} → {score}",
                             label=label, raw=shown, floor=_weight(computation.floor),
                             cap=_weight(computation.cap), score=_computed(node)))
    return lines


def _curve_line(rule: RuleDetail, raw: float, places: int) -> str:
    """How a threshold or a score table turned the raw achievement into the score."""
    achieved = say("{raw} of target", raw=_percent(raw, places))
    curved = _percent(rule.curved or 0.0, places)
    th = _weight(rule.threshold or 0.0)
    if rule.curve == "threshold_below":
        return say("{achieved}: below the {threshold} threshold, {score}", achieved=achieved,
                   threshold=th, score=curved)
    if rule.curve == "threshold":
        return say("{achieved}: from the {threshold} threshold, the achievement itself: {score}",
                   achieved=achieved, threshold=th, score=curved)
    if rule.curve == "threshold_rescaled":
        return say("{achieved}: from the {threshold} threshold, rescaled ({raw} − {threshold}) "
                   "/ (100 % − {threshold}) = {score}", achieved=achieved, threshold=th,
                   raw=_percent(raw, places), score=curved)
    assert rule.row is not None
    lower, upper, start, end = rule.row
    where = (say("below {upper}", upper=_weight(upper or 0.0)) if lower is None else
             say("from {lower}", lower=_weight(lower)) if upper is None else
             f"{_weight(lower)}–{_weight(upper)}")
    if rule.curve == "steps":
        scores = _weight(start) if end is None else \
            say("{start} to {end}", start=_weight(start), end=_weight(end))
        return say("{achieved}: {where} scores {scores}", achieved=achieved, where=where,
                   scores=scores) + ("" if end is None else f": {curved}")
    scores = _number(start) if end is None else \
        say("{start} to {end}", start=_number(start), end=_number(end))
    return say("{achieved}: {where} scores {scores}: {points} of {maximum} points ({score})",
               achieved=achieved, where=where, scores=scores,
               points=_number(round(rule.points or 0.0, 2)),
               maximum=_number(rule.points_max or 0.0), score=curved)


def _rule_formula(c: Computation, raw: str) -> str | None:
    """The formula line of the leaf rules that replace the kind's formula, or None."""
    rule, t = c.rule, c.target
    if rule is None or not isinstance(c.value, float | int) or t.value is None:
        return None
    v = c.value
    if c.method == "within_tolerance":
        return say("within the {tolerance} tolerance of the target ({value} against "
                   "{direction} {target}): reached → {raw}", tolerance=rule.tolerance_written,
                   value=_number(v), direction=t.direction.value if t.direction else "",
                   target=_number(t.value), raw=raw)
    if c.method == "progress" and rule.baseline is not None:
        return say("progress from last year's {baseline} to the target {target}: ({value} − "
                   "{base}) / ({goal} − {base}) = {raw}", baseline=_number(rule.baseline),
                   target=_number(t.value), value=_operand(v), base=_operand(rule.baseline),
                   goal=_operand(t.value), raw=raw)
    if c.method == "limits" and rule.limits:
        knots = sorted(rule.limits, key=lambda k: k[1])
        if knots[0][2] > knots[-1][2]:  # lower is better: read from the best end
            knots = knots[::-1]
            inside = [(a, b) for a, b in zip(knots, knots[1:]) if b[1] <= v <= a[1]]
        else:
            inside = [(a, b) for a, b in zip(knots, knots[1:]) if a[1] <= v <= b[1]]
        if inside:
            (n0, x0, _), (n1, x1, _) = inside[0]
            return say("limits: between {one} {x0} and {other} {x1}: {raw}", one=n0,
                       x0=_number(x0), other=n1, x1=_number(x1), raw=raw)
        ends = sorted(rule.limits, key=lambda k: k[2])
        low, high = ends[0], ends[-1]
        end = low if c.raw is not None and c.raw <= low[2] else high
        return say("limits: beyond the {limit} {value}: {raw}", limit=end[0],
                   value=_number(end[1]), raw=raw)
    return None


def _formula(c: Computation, places: int) -> str:
    """The branch of the scoring rule that applied, written out with the numbers."""
    raw = "" if c.raw is None else _percent(c.raw, places)
    ruled = _rule_formula(c, raw)
    if ruled is not None:
        return ruled
    t = c.target
    if c.method.startswith("deadline"):
        due = _day(t.due)
        as_of = _day(c.as_of) if c.as_of else say("none")
        done = _day(c.value) if isinstance(c.value, dt.date) else ""
        if c.method == "deadline_not_due":
            return say("deadline: due {due}, not done, monitoring date {as_of} → not yet due "
                       "(N/D)", due=due, as_of=as_of)
        if c.method == "deadline_missed":
            return say("deadline: due {due}, not done, monitoring date {as_of} is after it → "
                       "missed: {raw}", due=due, as_of=as_of, raw=raw)
        if c.method == "deadline_on_time":
            return say("deadline: due {due}, done {done} → on time: {raw}", due=due, done=done,
                       raw=raw)
        late = say("deadline: due {due}, done {done}, {days} days late → late rule: ", due=due,
                   done=done, days=c.days_late)
        if c.late == "linear":
            return late + say("linear over {days} days, max(0, 1 − {late} / {days}) = {raw}",
                              days=c.late_days, late=c.days_late, raw=raw)
        if c.late == "fixed":
            return late + say("a fixed {share} → {raw}", share=_weight(c.late_share), raw=raw)
        return late + say("zero → {raw}", raw=raw)
    if c.method == "not_reported":
        return say("no value reported → N/D")
    v = 0.0 if c.value_zero else c.value
    assert t.direction is not None and t.value is not None and isinstance(v, float | int)
    goal, sign = t.value, t.direction.value
    reached = c.raw is not None and c.raw >= 100.0
    if c.method == "exact":
        relation = f"{_number(v)} {'=' if reached else '≠'} {_number(goal)}"
        state = say("reached") if reached else say("not reached")
        return f"= : {state} ({relation}) → {raw}"
    if c.method in ("target_zero", "signs_differ"):
        why = (say("target 0") if c.method == "target_zero"
               else say("ratio with value and target of opposite signs, or value 0"))
        relation = f"{_number(v)} {sign} {_number(goal)}"
        state = say("reached ({relation})", relation=relation) if reached \
            else say("not reached ({relation} is false)", relation=relation)
        return f"{sign} : {why}: {state} → {raw}"
    if c.method == "value_over_target":
        # The deviation 1 + (v − t)/|t| with a positive target is v/t: say it that way.
        name = say("ratio value / target") if c.formula is Formula.RATIO \
            else say("value / target")
        return f"{sign} : {name} = {_number(v)} / {_number(goal)} = {raw}"
    if c.method == "target_over_value":
        return say("{sign} : ratio target / value = {goal} / {value} = {raw}", sign=sign,
                   goal=_number(goal), value=_number(v), raw=raw)
    if c.method in ("gap_at_least", "gap_at_most"):
        op = "+" if c.method == "gap_at_least" else "−"
        return say("{sign} : gap in points, 1 {op} (value − target) / 100 = 1 {op} "
                   "({value} − {goal}) / 100 = {raw}", sign=sign, op=op, value=_number(v),
                   goal=_operand(goal), raw=raw)
    op = "+" if c.method == "deviation_at_least" else "−"
    return say("{sign} : 1 {op} (value − target) / |target| = 1 {op} ({value} − {goal}) / "
               "{size} = {raw}", sign=sign, op=op, value=_number(v), goal=_operand(goal),
               size=_number(abs(goal)), raw=raw)


def _sum_lines(node: NodeExplanation, total: Sum) -> list[str]:
    places = node.places
    by_id = {child.id: child for child in node.children}
    lines: list[str] = []
    if total.outcome == "no_weight":
        lines.append(say("every child weighs 0 % → N/D"))
    elif total.outcome == "all_nd":
        lines.append(say("all weighted children N/D → N/D"))
    elif total.outcome == "neutralised":
        lines.append(say("every weighted child left out (neutralised, or its target to be "
                         "decided) → left out of its parent too"))
    elif total.aggregation is not Aggregate.WEIGHTED and total.aggregation is not Aggregate.SUM:
        lines.append(_rule_line(node, total))
    else:
        terms = []
        for child in node.children:
            weight = child.share.weight or 0.0
            if weight <= 0 or child.id in total.neutralised or (
                    child.score is None and total.policy is MissingPolicy.EXCLUDED):
                continue
            score = "0 (N/D)" if child.score is None else _percent(child.score, places)
            terms.append(f"{_weight(weight)} × {score}")
        written = " + ".join(terms)
        fields = dict(terms=written, counted=_weight(total.counted_weight),
                      score=_computed(node))
        if total.aggregation is Aggregate.SUM:
            lines.append(say("sum of weighted scores (aggregate sum, no division): Σ weight × "
                             "score = {terms} = {score}", **fields))
        elif total.neutralised:
            lines.append(say("sum: (Σ weight × score) / Σ weights of the children not left out "
                             "= ({terms}) / {counted} = {score}", **fields))
        elif total.policy is MissingPolicy.EXCLUDED and total.nd:
            lines.append(say("sum: (Σ weight × score) / Σ weights of the scored children = "
                             "({terms}) / {counted} = {score}", **fields))
        else:
            lines.append(say("sum: Σ weight × score = {terms} = {score}", **fields))
    for child_id in total.nd:
        child = by_id[child_id]
        treated = (say("left out; siblings re-normalised")
                   if total.policy is MissingPolicy.EXCLUDED
                   else say("counts 0 but keeps its {weight} weight",
                            weight=_weight(child.share.weight or 0.0)))
        lines.append(say("N/D: {child} is {score}: {treated}", child=child_id,
                         score=_score(child), treated=treated))
    for child_id in total.neutralised:
        why = say("target to be decided") if by_id[child_id].status == "no_target" \
            else say("neutralised")
        lines.append(say("{why}: {child} is left out; siblings re-weighted in proportion",
                         why=why, child=child_id))
    for child_id in total.zero_weight:
        lines.append(say("weight 0 %: {child} is shown, not counted", child=child_id))
    lines.extend(say("cost of N/D: {cost}", cost=_cost(cost, places)) for cost in total.costs)
    return lines


def _rule_line(node: NodeExplanation, total: Sum) -> str:
    """minimum, all_reached and share_reached, named and written out with their figures."""
    count = len(total.counted)
    children = say("{count} child", count=count) if count == 1 \
        else say("{count} children", count=count)
    if total.aggregation is Aggregate.MINIMUM:
        return say("minimum: the worst of {children}: {score} ({worst})", children=children,
                   score=_score(node), worst=total.worst)
    reached = len(total.reached)
    if total.aggregation is Aggregate.ALL_REACHED:
        verdict = say("all reached 100 %") if reached == count else say("not all reached 100 %")
        return say("all_reached: {reached} of {children} reached 100 %: {verdict} → {score}",
                   reached=reached, children=children, verdict=verdict, score=_score(node))
    return say("share_reached: {reached} of {children} reached 100 %, by weight: {score}",
               reached=reached, children=children, score=_score(node))


def _cost(cost: NDCost, places: int) -> str:
    before = "N/D" if cost.current is None else _percent(cost.current, places)
    return say("if {node} had scored 100 %, {on} would be {would} instead of {before} (the "
               "most it could add: {points} points)", node=cost.node, on=cost.on,
               would=_percent(cost.would_be, places), before=before,
               points=_plus(cost.points, places))


def _plus(points: float, places: int) -> str:
    text = _points(points, places)
    return text if text.startswith(MINUS) else f"+{text}"


# ---- JSON -----------------------------------------------------------------------------------

def explain_json(explanation: Explanation) -> str:
    return json.dumps(explanation_dict(explanation), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def explanation_dict(explanation: Explanation) -> dict[str, Any]:
    parent = explanation.parent
    return {
        "format_version": FORMAT_VERSION,
        "plan": {"id": explanation.plan_id, "title": explanation.plan_title},
        "period": explanation.period,
        "as_of": _date(explanation.as_of),
        "missing_policy": explanation.policy.value,
        "depth": explanation.depth,
        "parent": None if parent is None else {
            "id": parent.id, "kind": parent.kind, "title": parent.title, "score": parent.score},
        "nd_costs": [_cost_dict(cost) for cost in explanation.nd_costs],
        "node": _node_dict(explanation.node),
    }


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _cost_dict(cost: NDCost) -> dict[str, Any]:
    return {"node": cost.node, "status": cost.status, "on": cost.on, "current": cost.current,
            "would_be": cost.would_be, "points": cost.points}


def _node_dict(node: NodeExplanation) -> dict[str, Any]:
    share = node.share
    out: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "title": node.title,
        "indicator": node.indicator,
        "parent": node.parent,
        "score": node.score,
        "display": "N/D" if node.score is None else str(half_up(node.score, node.places)),
        "status": node.status,
        "share": {"weight": share.weight, "counted_weight": share.counted_weight,
                  "contribution": share.contribution, "treatment": share.treatment},
        "expanded": node.expanded,
        "computation": None if node.computation is None else _computation_dict(node.computation),
        "sum": None if node.sum is None else _sum_dict(node.sum),
        "children": [_node_dict(child) for child in node.children],
        **({} if node.neutralised is None else {"neutralised": dict(node.neutralised)}),
        **({} if node.override is None else {"override": dict(node.override)}),
        **({} if node.note is None else {"note": {"note": node.note.get("note"),
                                                  "source": node.note.get("source")}}),
    }
    if node.rounded is not None:  # `rollup rounded` only, as `aggregation` in a sum
        out["rounded"] = node.rounded
    if node.link is not None:  # `link` uses only
        out["link"] = node.link
    return out


def _computation_dict(c: Computation) -> dict[str, Any]:
    t = c.target
    value = c.value.isoformat() if isinstance(c.value, dt.date) else c.value
    return {
        "method": c.method,
        "formula": None if c.formula is None else c.formula.value,
        "target": {
            "source": t.source,
            "direction": t.direction.value if t.direction else None,
            "value": t.value,
            "unit": t.unit,
            "period": t.period,
            "replaces": None if t.replaces is None else {
                "direction": t.replaces.direction.value, "value": t.replaces.value},
            "due": _date(t.due),
        },
        "value": value,
        "raw": c.raw,
        "floor": c.floor,
        "cap": c.cap,
        "bound": c.bound,
        "as_of": _date(c.as_of),
        "late": {"rule": c.late, "share": c.late_share, "days": c.late_days},
        "days_late": c.days_late,
        "rule": None if c.rule is None else _rule_dict(c.rule),
        **({"value_zero": True} if c.value_zero else {}),
    }


def _rule_dict(rule: RuleDetail) -> dict[str, Any]:
    return {
        "tolerance": rule.tolerance,
        "curve": rule.curve,
        "threshold": rule.threshold,
        "row": None if rule.row is None else {"from": rule.row[0], "up_to": rule.row[1],
                                              "score": rule.row[2], "score_to": rule.row[3]},
        "curved": rule.curved,
        "points": rule.points,
        "points_max": rule.points_max,
        "limits": [{"name": n, "value": v, "achievement": a} for n, v, a in rule.limits],
        "baseline": rule.baseline,
    }


def _sum_dict(total: Sum) -> dict[str, Any]:
    out: dict[str, Any] = {
        "policy": total.policy.value,
        "outcome": total.outcome,
        "counted_weight": total.counted_weight,
        "nd": list(total.nd),
        "zero_weight": list(total.zero_weight),
        "costs": [_cost_dict(cost) for cost in total.costs],
        **({"neutralised": list(total.neutralised)} if total.neutralised else {}),
    }
    # Only under another aggregation than the weighted mean, so that the keys of a plan that
    # uses none stay those of format_version 1 as first published.
    if total.aggregation is not Aggregate.WEIGHTED:
        out.update(aggregation=total.aggregation.value, counted=list(total.counted),
                   reached=list(total.reached), worst=total.worst)
    return out


__all__ = ["FORMAT_VERSION", "explain_json", "explain_text", "explanation_dict"]
