"""What-if re-modulation: change the plan or the values, re-score, and say what moved.

Operations are those the OIV proposes: drop an indicator or an objective (its siblings'
weights re-aligned in proportion, so they sum to 100 % again), set a target or a periodic
target, set a weight (siblings re-aligned, or kept as written), set a measured value. Plan
changes are made as edits of the rule TEXT at the spans the parser recorded, so the
re-modulated plan keeps every comment; it is then formatted and checked like any rule file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import attrs
import yaml

from .. import model
from ..api import Plan, diagnose, loads
from ..diagnostics import Diagnostic, ScorelangError, Span, did_you_mean, error
from ..files import read_text
from ..syntax.format import format_text
from ..engine import scoring
from ..engine.result import Finding, Result
from ..engine.values import Value, Values
from ..engine.yamlsource import node_span, read_yaml


class WhatIfError(ScorelangError):
    """An operation that cannot be applied (unknown node, weights that no longer sum)."""


@attrs.frozen
class Drop:
    target: str  # a node id (objective code, group or indicator use) or an indicator id


@attrs.frozen
class SetTarget:
    indicator: str
    target: str  # ">= 300", "<= -18", or a number keeping the direction
    period: str | None = None  # a periodic target for this period


@attrs.frozen
class SetWeight:
    node: str
    percent: float
    keep_others: bool = False  # True: siblings keep their weights (the sum must still be 100)


@attrs.frozen
class SetValue:
    indicator: str
    value: Value


Operation = Drop | SetTarget | SetWeight | SetValue


@attrs.frozen
class Change:
    node: str
    title: str
    before: float | None
    after: float | None
    status_before: str
    status_after: str


@attrs.frozen
class WhatIf:
    operations: tuple[Operation, ...]
    before: Result
    after: Result
    text: str  # the re-modulated rule file, formatted
    changes: tuple[Change, ...]
    new_findings: tuple[Finding, ...]
    removed: tuple[str, ...]  # nodes that no longer exist
    # Entries of the values file for indicators the re-modulated plan no longer declares
    # (dropped): the values file as it stands no longer scores the written plan (SL307).
    unused: tuple[str, ...] = ()
    values: Values | None = None  # the values scored, for where those entries are

    def unused_entries(self) -> list[tuple[str, Span | None]]:
        """Each value that no longer applies, with where the values file gives it."""
        spans = self.values.spans if self.values is not None else {}
        return [(name, spans.get(name)) for name in self.unused]


# ---- text edits -----------------------------------------------------------------------------
@attrs.frozen
class _Edit:
    start: int
    end: int  # exclusive
    text: str


def _offsets(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _range(span: Span, starts: list[int]) -> tuple[int, int]:
    return starts[span.line - 1] + span.column - 1, starts[span.end_line - 1] + span.end_column


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a range to whole lines when nothing else stands on them (no orphan blank lines)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    before, after = text[line_start:start], text[end:line_end]
    after_code = after.split("#", 1)[0]
    if not before.strip() and not after_code.strip():
        return line_start, line_end
    return start, end


def _percent_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return f"{text}%"


def realigned(weights: Sequence[float], total: float = 100.0) -> list[Decimal]:
    """Weights scaled to `total` keeping their ratios, in hundredths summing exactly to it.

    Largest remainders get the last hundredths, as a person would fix 33.33 + 33.33 + 33.33.
    """
    if not weights:  # an only child: nothing to re-align
        return []
    current = sum(weights)
    if current == 0:
        share = Decimal(str(total)) / len(weights)
        exact = [share for _ in weights]
    else:
        exact = [Decimal(repr(w)) * Decimal(repr(total)) / Decimal(repr(current)) for w in weights]
    cents = [int((x * 100).to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
    missing = int((Decimal(repr(total)) * 100).quantize(Decimal(1), ROUND_HALF_UP)) - sum(cents)
    order = sorted(range(len(exact)), key=lambda i: exact[i] * 100 - cents[i], reverse=True)
    for i in order[:max(missing, 0)]:
        cents[i] += 1
    return [Decimal(c) / 100 for c in cents]


def _siblings(plan: model.PlanDefinition, node_id: str) -> tuple[model.Placed, list[model.Placed]]:
    # Areas are siblings too: their parent is the plan total (None here), and weighted areas
    # re-align like any other children.
    placed = {p.id: p for p in model.walk(plan)}
    target = placed[node_id]
    return target, [p for p in placed.values() if p.parent == target.parent and p.id != node_id]


def _weight_edits(siblings: Sequence[model.Placed], total: float, starts: list[int]) -> list[_Edit]:
    weights = [p.node.weight.percent if p.node.weight else 0.0 for p in siblings]
    new = realigned(weights, total)
    edits = []
    for placed, weight in zip(siblings, new):
        span = placed.node.weight.span if placed.node.weight else None
        if span is None:
            continue
        start, end = _range(span, starts)
        edits.append(_Edit(start, end, _percent_text(weight)))
    return edits


def _node_ids(plan: model.PlanDefinition, target: str) -> list[str]:
    """Node ids an operation names: itself, or every use of an indicator id."""
    placed = [p for p in model.walk(plan)]
    if any(p.id == target for p in placed):
        return [target]
    return [p.id for p in placed if isinstance(p.node, model.Reference)
            and p.node.indicator == target]


def _unknown(what: str, target: str, plan: model.PlanDefinition) -> WhatIfError:
    names = [p.id for p in model.walk(plan)] + [i.id for i in plan.indicators]
    return WhatIfError([error("SL601", f"cannot {what} `{target}`: no such node or indicator",
                              None, did_you_mean(target, names)
                              or "use a node id as in the score report, or an indicator id")])


def _drop(plan: model.PlanDefinition, text: str, operation: Drop) -> list[_Edit]:
    starts = _offsets(text)
    ids = _node_ids(plan, operation.target)
    if not ids:
        raise _unknown("drop", operation.target, plan)
    edits: list[_Edit] = []
    for node_id in ids:
        target, siblings = _siblings(plan, node_id)
        if target.node.span is None:
            continue
        start, end = _whole_lines(text, *_range(target.node.span, starts))
        edits.append(_Edit(start, end, ""))
        if siblings:
            edits += _weight_edits(siblings, 100.0, starts)
    indicator = plan.indicator(operation.target)
    if indicator is None and len(ids) == 1:
        # The last use of an indicator dropped by its node id: the indicator goes too.
        dropped = {p.id: p for p in model.walk(plan)}[ids[0]].node
        if isinstance(dropped, model.Reference):
            uses = [p for p in model.walk(plan) if isinstance(p.node, model.Reference)
                    and p.node.indicator == dropped.indicator]
            if len(uses) == 1:
                indicator = plan.indicator(dropped.indicator)
    if indicator is not None and indicator.span is not None:
        # The indicator is dropped from the plan, not only from the tree: its declaration and
        # its lines in the managers' scorecards go too, their other entries re-aligned.
        start, end = _whole_lines(text, *_range(indicator.span, starts))
        edits.append(_Edit(start, end, ""))
        for card in plan.scorecards:
            gone = [item for item in card.items if item.indicator == indicator.id]
            kept = [item for item in card.items if item.indicator != indicator.id]
            for item in gone:
                if item.span is not None:
                    edits.append(_Edit(*_whole_lines(text, *_range(item.span, starts)), ""))
            if gone and kept:
                new = realigned([item.weight.percent for item in kept])
                for item, weight in zip(kept, new):
                    if item.weight.span is not None:
                        edits.append(_Edit(*_range(item.weight.span, starts),
                                           _percent_text(weight)))
            edits += _component_edits(card, indicator.id, text, starts)
    return edits


def _component_edits(card: model.Scorecard, indicator: str, text: str,
                     starts: list[int]) -> list[_Edit]:
    """The dropped indicator's parts in a card's components go too, the other weighted parts
    re-aligned; a component left empty stays, for `check` to report (SL286)."""
    edits = []
    for component in card.components:
        gone = [p for p in component.parts if p.kind == "indicator" and p.ref == indicator]
        kept = [p for p in component.parts if p not in gone]
        for part in gone:
            if part.span is not None:
                edits.append(_Edit(*_whole_lines(text, *_range(part.span, starts)), ""))
        weighted = [p for p in kept if p.weight is not None]
        if gone and weighted:
            new = realigned([p.weight.percent for p in weighted if p.weight is not None])
            for part, weight in zip(weighted, new):
                if part.weight is not None and part.weight.span is not None:
                    edits.append(_Edit(*_range(part.weight.span, starts), _percent_text(weight)))
    return edits


def _set_weight(plan: model.PlanDefinition, text: str, operation: SetWeight) -> list[_Edit]:
    starts = _offsets(text)
    if operation.node not in {p.id for p in model.walk(plan)}:
        raise _unknown("set the weight of", operation.node, plan)
    target, siblings = _siblings(plan, operation.node)
    weight = target.node.weight
    if weight is None or weight.span is None:
        raise WhatIfError([error("SL602", f"`{operation.node}` has no weight to set", None,
                                 "areas without weights cannot be re-weighted")])
    start, end = _range(weight.span, starts)
    new = Decimal(repr(operation.percent)).quantize(Decimal("0.01"))
    edits = [_Edit(start, end, _percent_text(new))]
    if not operation.keep_others:
        edits += _weight_edits(siblings, 100.0 - float(new), starts)
    return edits


def _target_text(indicator: model.Indicator, written: str, period: str | None) -> str:
    written = written.strip()
    current = indicator.target.direction.value if indicator.target else ">="
    if written[:2] in (">=", "<=") or written[:1] == "=":
        line = written
    else:
        line = f"{current} {written}"
    return f"periodic {period} {line}" if period else f"target {line}"


def _set_target(plan: model.PlanDefinition, text: str, operation: SetTarget) -> list[_Edit]:
    starts = _offsets(text)
    indicator = plan.indicator(operation.indicator)
    if indicator is None or indicator.span is None:
        raise _unknown("set the target of", operation.indicator, plan)
    if indicator.target is None:
        raise WhatIfError([error("SL602", f"`{indicator.id}` has a deadline, not a target", None,
                                 "edit the deadline in the rule file")])
    problems = _target_problems(operation)
    if problems:
        raise WhatIfError(problems)
    line = _target_text(indicator, operation.target, operation.period)
    if operation.period is None:
        span = indicator.target.span
    else:
        periodic = indicator.periodic_target(operation.period)
        span = periodic.span if periodic else None
    if span is not None:
        start, end = _range(span, starts)
        return [_Edit(start, end, line)]
    # No periodic target for this period yet: add one right after the annual target.
    assert indicator.target.span is not None
    _, end = _range(indicator.target.span, starts)
    return [_Edit(end, end, f"\n  {line}")]


def _apply(text: str, edits: Sequence[_Edit]) -> str:
    """The text with every edit made, in one pass: cutting and gluing the whole text once per
    edit cost edits × length (dropping an area re-weights every other area: quadratic). An
    edit inside a range already replaced (a weight on a line that goes) is left out."""
    pieces: list[str] = []
    done = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.end <= done and edit.start < done:
            continue
        pieces += [text[done:max(edit.start, done)], edit.text]
        done = max(done, edit.end)
    pieces.append(text[done:])
    return "".join(pieces)


# A target as the rule file writes it: a direction, then `tbd` or a number of the language.
_TARGET = re.compile(r"\s*(>=|<=|=)?\s*(?P<figure>\S*)\s*")
_NUMBER = re.compile(r"-?\d[\d_]*(\.\d[\d_]*)?")  # syntax/grammar.lark's NUMBER
_LIMITS_HINT = "a figure of a plan has " + model.LIMITS_TEXT + " (docs/language.md#numbers)"


def _figure_problems(operations: Sequence[Operation]) -> list[Diagnostic]:
    """SL604 for every figure an operation would put into the plan or the values beyond the
    limits of a number (NaN, an infinity, 10^400), before anything is edited or scored."""
    found: list[Diagnostic] = []
    for operation in operations:
        if isinstance(operation, SetTarget):
            # judged where the target is set, after the checks that need the plan (SL602)
            found += [d for d in _target_problems(operation) if d.code == "SL604"]
        elif isinstance(operation, SetWeight):
            problem = model.number_problem(operation.percent)
            if problem is None:  # the weight as it would be written in the rule file
                figure = _percent_text(Decimal(repr(operation.percent)).quantize(Decimal("0.01")))
                limit = model.literal_problem(figure.rstrip("%"))
                problem = None if limit is None else f"as written, {limit[1]}"
            if problem is not None:
                found.append(error("SL604", f"the weight set for `{operation.node}` "
                                   f"{problem}", None, _LIMITS_HINT))
        elif isinstance(operation, SetValue) and isinstance(operation.value, float):
            problem = model.number_problem(operation.value)
            if problem is not None:
                found.append(error("SL604", f"the value set for `{operation.indicator}` "
                                   f"{problem}", None, "a measured value is a finite number "
                                   "within ±10^15; write N/D for no value"))
    return found


def _target_problems(operation: SetTarget) -> list[Diagnostic]:
    """SL604 for a target beyond the limits of a number (NaN, an infinity, 10^400); SL603 for
    one not written as the rule file writes a target (`>= 1e5`)."""
    written = _TARGET.fullmatch(operation.target)
    figure = written.group("figure") if written is not None else operation.target
    if figure == "tbd" or not figure:
        return []  # the plan's own check judges it
    if _NUMBER.fullmatch(figure):
        limit = model.literal_problem(figure)
        return [] if limit is None else [error(
            "SL604", f"the target set for `{operation.indicator}`: {limit[1]}", None,
            _LIMITS_HINT)]
    try:
        problem = model.number_problem(float(figure.replace("_", "")))
    except ValueError:
        problem = None
    if problem is not None:
        return [error("SL604", f"the target set for `{operation.indicator}` {problem}", None,
                      _LIMITS_HINT)]
    return [error("SL603", f"cannot read the target `{operation.target}` set for "
                  f"`{operation.indicator}`", None,
                  "write it as the rule file does: `>= 6500`, `<= 30.5`, `= 1` or `>= tbd`")]


def remodulate(text: str, filename: str, operations: Sequence[Operation]) -> str:
    """The rule text with every plan operation applied, one after the other, formatted."""
    problems = _figure_problems(operations)
    if problems:
        raise WhatIfError(problems)
    for operation in operations:
        if isinstance(operation, SetValue):
            continue
        # Between steps the plan may not add up yet (two --keep-weights changes that sum to
        # 100 % only together): read it without judging; the result is checked at the end.
        plan, found = diagnose(text, filename)
        if plan is None:
            raise WhatIfError(found)
        if isinstance(operation, Drop):
            edits = _drop(plan, text, operation)
        elif isinstance(operation, SetWeight):
            edits = _set_weight(plan, text, operation)
        else:
            edits = _set_target(plan, text, operation)
        text = _apply(text, edits)
    text = format_text(text, filename)
    loads(text, filename)  # the re-modulated plan must be a valid plan
    return text


def whatif(text: str, filename: str, values: Values, operations: Sequence[Operation],
           period: str | None = None, as_of: dt.date | None = None) -> WhatIf:
    """Score the plan as written and as re-modulated; list what changed."""
    problems = _figure_problems(operations)
    if problems:
        raise WhatIfError(problems)
    before = loads(text, filename).evaluate(values, period=period, as_of=as_of)
    new_text = remodulate(text, filename, operations)
    changed_values: dict[str, Any] = dict(values.values)
    definition = loads(text, filename).definition
    for operation in operations:
        if isinstance(operation, SetValue):
            if definition.indicator(operation.indicator) is None:
                raise _unknown("set the value of", operation.indicator, definition)
            changed_values[operation.indicator] = operation.value
    after_plan: Plan = loads(new_text, filename)
    declared = {i.id for i in after_plan.definition.indicators}
    kept = {k: v for k, v in changed_values.items() if k in declared}
    # The monitoring's decisions and previous scores about what was dropped go with it.
    known = declared | {placed.id for placed in model.walk(after_plan.definition)}
    after = after_plan.evaluate(attrs.evolve(
        values, values=kept,
        neutralised={k: v for k, v in values.neutralised.items() if k in known},
        overrides={k: v for k, v in values.overrides.items() if k in known},
        previous={k: v for k, v in values.previous.items() if k in declared}),
        period=period, as_of=as_of)
    changes = []
    for node in before:
        if node.id not in after:
            continue
        new = after[node.id]
        if _differs(node.score, new.score) or node.status != new.status:
            changes.append(Change(node.id, node.title, node.score, new.score, node.status,
                                  new.status))
    cards_after = {card.id: card for card in after.scorecards}
    for card in before.scorecards:
        new_card = cards_after.get(card.id)
        if new_card is not None and (_differs(card.score, new_card.score)
                                     or card.status != new_card.status):
            changes.append(Change(f"scorecard:{card.id}", card.title, card.score,
                                  new_card.score, card.status, new_card.status))
        if new_card is not None and card.reward is not None and \
                _differs(card.reward_share, new_card.reward_share):
            # the share of the bonus a re-modulation moves (the reward bands' outcome)
            changes.append(Change(f"reward:{card.id}", card.reward_title or card.title,
                                  card.reward_share, new_card.reward_share, card.status,
                                  new_card.status))
    old = {(f.node, f.rule) for f in before.findings}
    return WhatIf(tuple(operations), before, after, new_text, tuple(changes),
                  tuple(f for f in after.findings if (f.node, f.rule) not in old),
                  tuple(n.id for n in before if n.id not in after),
                  tuple(name for name in changed_values if name not in declared), values)


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not scoring.equal(a, b)  # the scoring's own "the same figure"


# ---- operations written by people -------------------------------------------------------------
def parse_operations(drops: Sequence[str] = (), targets: Sequence[str] = (),
                     weights: Sequence[str] = (), values: Sequence[str] = (),
                     keep_weights: bool = False) -> list[Operation]:
    """Operations from command-line forms: `x`, `x=>= 300` / `x@H1=150`, `301=40`, `x=12.5`."""
    out: list[Operation] = [Drop(d) for d in drops]
    problems: list[Diagnostic] = []
    for text in targets:
        name, _, target = text.partition("=")
        if not target:
            problems.append(_bad(text, "--set-target INDICATOR=TARGET, e.g. export=>=6000 or "
                                 "export@H1=3000"))
            continue
        indicator, _, period = name.partition("@")
        out.append(SetTarget(indicator.strip(), target, period.strip() or None))
    for text in weights:
        name, _, percent = text.partition("=")
        try:
            out.append(SetWeight(name.strip(), float(percent.rstrip("% ")), keep_weights))
        except ValueError:
            problems.append(_bad(text, "--set-weight NODE=PERCENT, e.g. 701.C2.7=30"))
    for text in values:
        name, _, value = text.partition("=")
        try:
            out.append(SetValue(name.strip(), _value(value)))
        except ValueError:
            problems.append(_bad(text, "--set-value INDICATOR=VALUE: a number, a date "
                                 "(YYYY-MM-DD) or N/D"))
    if problems:
        raise WhatIfError(problems)
    return out


def _value(text: str) -> Value:
    text = text.strip()
    if text.upper() in ("N/D", "NULL", ""):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return float(text.replace("_", ""))


def _bad(text: str, hint: str) -> Diagnostic:
    return error("SL603", f"cannot read the operation `{text}`", None, hint)


def load_operations(path: Path) -> list[Operation]:
    """Operations from a YAML file (`--ops`), read like every YAML file of scorelang
    (`yamlsource.read_yaml`: positions, bounded aliases and depth); SL603 with file:line:col."""
    text = read_text(path, "operations file")
    source = str(path)
    document = read_yaml(text, source, "SL603", "operations are a YAML list: "
                         "`- drop: regolamento_ocri`", WhatIfError)
    if document.unreadable:
        raise WhatIfError([error("SL603", f"{source}: a value cannot be read",
                                 Span.point(source, 1, 1), "see docs/whatif.md")])
    root = document.root
    spans = [node_span(source, item) for item in root.value] \
        if isinstance(root, yaml.SequenceNode) else None
    return operations_from(document.data, source,
                           spans, node_span(source, root) if root is not None else None)


def operations_from(data: Any, source: str, spans: Sequence[Span] | None = None,
                    where: Span | None = None) -> list[Operation]:
    """Operations from a YAML list: `- drop: x`, `- set_target: {indicator: x, target: ">= 3"}`,
    `- set_weight: {node: "301", percent: 40}`, `- set_value: {indicator: x, value: 12}`.
    `spans` (each item's) and `where` (the document's) place the mistakes when known."""
    if not isinstance(data, list):
        raise WhatIfError([error("SL603", f"{source}: operations are a YAML list", where,
                                 "e.g. `- drop: regolamento_ocri`")])
    out: list[Operation] = []
    for index, item in enumerate(data):
        span = spans[index] if spans is not None and index < len(spans) else None
        if not isinstance(item, Mapping) or len(item) != 1:
            raise WhatIfError([error("SL603", f"{source}: each operation is one `name: ...`",
                                     span, "drop, set_target, set_weight or set_value")])
        ((kind, body),) = item.items()
        try:
            if kind == "drop":
                out.append(Drop(str(body)))
            elif kind == "set_target":
                out.append(SetTarget(str(body["indicator"]), str(body["target"]),
                                     body.get("period")))
            elif kind == "set_weight":
                out.append(SetWeight(str(body["node"]), float(body["percent"]),
                                     bool(body.get("keep_others", False))))
            elif kind == "set_value":
                raw = body.get("value")
                out.append(SetValue(str(body["indicator"]),
                                    raw if raw is None or isinstance(raw, dt.date) else float(raw)))
            else:
                raise KeyError(kind)
        # OverflowError: float() of an integer beyond a double (400 digits), which the limits
        # (SL604) would refuse anyway; here it cannot even be read.
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise WhatIfError([error("SL603", f"{source}: cannot read operation `{kind}` "
                                     f"({exc})", span, "see docs/whatif.md")]) from None
    return out
