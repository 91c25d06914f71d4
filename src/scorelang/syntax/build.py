"""Rule text -> plan model, as Lark parses. Reads positions into spans and literal text into typed values.

The builder has one method per grammar rule (or alias), called bottom-up with the node's span
and its kept children. `read` is the whole front end's first stage: Lark's LALR parser calls
the methods as it reduces each rule (Lark's inline transformer, `parser.reading_parser`), so
the plan is built while the text is read and no parse tree is kept (a syntax error becomes
ParseError, see `parser`). `build` does the same from a tree Lark has already built.

Problems that only need one token to see (an impossible date, an unknown policy keyword) are
reported here as diagnostics; problems that need the whole plan (unknown names, weights) are
`check`'s job. This module never raises for bad input: it returns diagnostics.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from typing import Any, NamedTuple

from lark import Token, Tree
from lark.exceptions import UnexpectedInput
from lark.tree import Meta

from .. import model
from ..diagnostics import Diagnostic, Span, closest, did_you_mean, error, renamed, warning
from ..model import Direction, Formula, LateKind, LateRule, MissingPolicy


class Statement(NamedTuple):
    """One line of a policy or indicator block: `floor 0%`, `target >= 300`, ..."""

    key: str
    value: Any
    span: Span


# Settings that only make sense for the whole plan.
PLAN_ONLY = {"missing": "the missing-data policy", "display_places": "display rounding",
             "locale": "the report locale"}
LOCALES = ("en", "it")
# How a setting is written, where its key differs: both table forms set the one score table.
_SETTING_WORDS = {"display_places": "display", "table": "steps` or `points"}


def unquote(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    out = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def number(token: str) -> float:
    return float(token.replace("_", ""))


_LIMIT_HINT = ("a number in a rule file has " + model.LIMITS_TEXT + " (docs/language.md#numbers)"
               ": write the figure in a larger or smaller unit, or round it")


def _positions_span(filename: str, line: int | None, column: int | None, end_line: int | None,
                    end_column: int | None) -> Span:
    """The span from a first token's start to a last token's end, as Lark counts them."""
    if line is None or column is None or end_line is None or end_column is None:
        return Span.point(filename, 1, 1)
    # Lark's end column counts one past the last character; spans are inclusive.
    end_column -= 1
    if end_line == line and end_column < column:
        end_column = column
    return Span(filename, line, column, end_line, end_column if end_column > 1 else 1)


class _Builder:
    """One method per grammar rule (or alias): (span, kept children) -> model piece.

    Every public method is a rule's, so the helpers' names start with an underscore, as do the
    builder's own fields: a grammar rule can never be called that (Lark inlines rules whose
    names start with one), so no rule can reach them by mistake.
    """

    def __init__(self, filename: str):
        self._filename = filename
        self._diagnostics: list[Diagnostic] = []
        # Each indicator id and each figure as one object, however often the plan writes it:
        # every use of an indicator names it, and a plan writes a few weights over and over
        # (at 1,000,000 indicators a string per use and a float per figure were 90 MiB).
        self._names: dict[str, str] = {}
        self._figures: dict[float, float] = {}

    def _name(self, token: Token) -> str:
        """An indicator id as the plan keeps it: the one string of that id (see __init__)."""
        name = str(token)
        return self._names.setdefault(name, name)

    def _span(self, where: Span | Token) -> Span:
        if isinstance(where, Span):  # a rule's own span, as its method got it
            return where
        return _positions_span(self._filename, where.line, where.column, where.end_line,
                               where.end_column)

    def _date(self, token: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(token))
        except ValueError:
            self._diagnostics.append(error(
                "SL104", f"{token} is not a valid date", self._span(token),
                "dates are written YYYY-MM-DD with a real month and day, e.g. 2020-10-31"))
            return dt.date(1, 1, 1)

    def _number(self, token: Token) -> float:
        """A NUMBER token's value; SL120/SL121 when it is beyond the documented limits (the
        plan then has an error and is never scored; the checks still read the figure, or 0
        for one past the float's range, so that they never meet an infinity)."""
        value = number(token)
        problem = model.literal_problem(str(token))
        if problem is not None:
            code, message = problem
            self._diagnostics.append(error(code, message, self._span(token), _LIMIT_HINT))
            return value if math.isfinite(value) else 0.0
        # Zero not shared: 0.0 and -0.0 are equal keys (see __init__).
        return self._figures.setdefault(value, value) if value else value

    def _choice(self, token: Token, enum: Any, what: str) -> Any:
        try:
            return enum(str(token))
        except ValueError:
            names = [member.value for member in enum]
            hint = did_you_mean(str(token), names) or "one of: " + ", ".join(names)
            span = self._span(token)
            self._diagnostics.append(error(
                "SL105", f"unknown {what} `{token}`", span, hint,
                renamed(span, str(token), closest(str(token), names))))
            return next(iter(enum))

    # ---- small pieces ------------------------------------------------------------------
    def percent(self, meta: Span, children: list[Token]) -> tuple[float, Span]:
        return self._number(children[0]), self._span(meta)

    def quantity(self, meta: Span, children: list[Token]) -> tuple[float, bool]:
        token = str(children[0])
        whole, _, decimals = token.partition(".")
        if decimals == "000" and not whole.lstrip("-").startswith("0"):
            # Italian documents print 2.000 for two thousand; here the point is a decimal mark.
            self._diagnostics.append(warning(
                "SL119", f"{token} reads as {whole} (the point is the decimal mark)",
                self._span(children[0]),
                f"for {whole} thousand write {whole}_000; for {whole} write {whole}"))
        return self._number(children[0]), len(children) > 1

    def weight(self, meta: Span, children: list[Any]) -> model.Weight:
        # The span is the figure itself (`25%`), as for indicator uses: re-weighting edits it.
        value, span = children[0]
        return model.Weight(value, span)

    def unit_name(self, meta: Span, children: list[Token]) -> str:
        token = children[0]
        return unquote(token) if token.type == "STRING" else str(token)

    def unit(self, meta: Span, children: list[str]) -> Statement:
        return Statement("unit", children[0], self._span(meta))

    # ---- settings ------------------------------------------------------------------------
    def floor(self, meta: Span, children: list[Any]) -> Statement:
        return Statement("floor", children[0][0] / 100.0, self._span(meta))

    def cap(self, meta: Span, children: list[Any]) -> Statement:
        return Statement("cap", children[0][0] / 100.0, self._span(meta))

    def missing(self, meta: Span, children: list[Token]) -> Statement:
        return Statement("missing", self._choice(children[0], MissingPolicy, "missing-data policy"), self._span(meta))

    def display(self, meta: Span, children: list[Token]) -> Statement:
        places_token, rounding = children
        if str(rounding) != "half_up":
            self._diagnostics.append(error(
                "SL105", f"unknown rounding `{rounding}`", self._span(rounding),
                "scorelang displays figures rounded half-up: write `display 2 half_up`"))
        places = self._number(places_token)
        if places != int(places) or not 0 <= places <= 6:
            self._diagnostics.append(error(
                "SL105", f"display places must be a whole number from 0 to 6, not {places_token}",
                self._span(places_token), "write e.g. `display 2 half_up`"))
            places = 2
        return Statement("display_places", int(places), self._span(meta))

    def formula(self, meta: Span, children: list[Token]) -> Statement:
        return Statement("formula", self._choice(children[0], Formula, "formula"), self._span(meta))

    def locale(self, meta: Span, children: list[Token]) -> Statement:
        name = str(children[0])
        if name not in LOCALES:
            self._diagnostics.append(error(
                "SL105", f"unknown locale `{name}`", self._span(children[0]),
                "scorelang writes numbers for `it` (62,96 %) or `en` (62.96%)"))
            name = "en"
        return Statement("locale", name, self._span(meta))

    # ---- leaf rules (issue 19): tolerance, threshold, score tables, limits, baseline -------
    def tolerance(self, meta: Span, children: list[Any]) -> Statement:
        value, relative = children[0]
        return Statement("tolerance", model.Tolerance(value, relative, self._span(meta)),
                         self._span(meta))

    def threshold(self, meta: Span, children: list[Any]) -> Statement:
        (value, _), *rescaled = children
        return Statement("threshold", model.Threshold(value / 100.0, bool(rescaled),
                                                      self._span(meta)), self._span(meta))

    def steps(self, meta: Span, children: list[model.RangeRow]) -> Statement:
        return Statement("table", model.ScoreTable(tuple(children), None, self._span(meta)),
                         self._span(meta))

    def points(self, meta: Span, children: list[Any]) -> Statement:
        maximum, *rows = children
        return Statement("table", model.ScoreTable(tuple(rows), self._number(maximum),
                                                   self._span(meta)), self._span(meta))

    def row_scores(self, meta: Span, children: list[tuple[float, bool]]) -> list[tuple[float, bool]]:
        return children

    def _row(self, meta: Span, lower: tuple[float, bool] | None,
             upper: tuple[float, bool] | None, scores: list[tuple[float, bool]]) -> model.RangeRow:
        bounds = [bound for bound in (lower, upper) if bound is not None]
        return model.RangeRow(
            None if lower is None else lower[0] / 100.0, None if upper is None else upper[0] / 100.0,
            scores[0][0], scores[1][0] if len(scores) > 1 else None,
            all(percent for _, percent in bounds), all(percent for _, percent in scores),
            self._span(meta))

    def row_below(self, meta: Span, children: list[Any]) -> model.RangeRow:
        return self._row(meta, None, children[0], children[1])

    def row_range(self, meta: Span, children: list[Any]) -> model.RangeRow:
        return self._row(meta, children[0], children[1], children[2])

    def row_from(self, meta: Span, children: list[Any]) -> model.RangeRow:
        return self._row(meta, children[0], None, children[1])

    def limits(self, meta: Span, children: list[tuple[float, bool]]) -> Statement:
        minimum, maximum, *excellent = (value for value, _ in children)
        return Statement("limits", model.Limits(minimum, maximum,
                                                excellent[0] if excellent else None,
                                                self._span(meta)), self._span(meta))

    def baseline(self, meta: Span, children: list[tuple[float, bool]]) -> Statement:
        return Statement("baseline", model.Baseline(children[0][0], self._span(meta)),
                         self._span(meta))

    def aggregate(self, meta: Span, children: list[Token]) -> Statement:
        rule = self._choice(children[0], model.Aggregate, "aggregation")
        return Statement("aggregate", model.AggregateSetting(rule, self._span(meta)),
                         self._span(meta))

    def rollup(self, meta: Span, children: list[Token]) -> Statement:
        return Statement("rollup", self._choice(children[0], model.Rollup, "rollup"),
                         self._span(meta))

    def late(self, meta: Span, children: list[Any]) -> Statement:
        return Statement("late", children[0], self._span(meta))

    def late_named(self, meta: Span, children: list[Token]) -> LateRule:
        if str(children[0]) != "zero":
            self._diagnostics.append(error(
                "SL105", f"unknown late-completion rule `{children[0]}`", self._span(children[0]),
                "write `late zero`, `late 50%` or `late linear 30 days`"))
        return LateRule(LateKind.ZERO, span=self._span(meta))

    def late_fixed(self, meta: Span, children: list[Any]) -> LateRule:
        value, _ = children[0]
        return LateRule(LateKind.FIXED, share=value / 100.0, span=self._span(meta))

    def late_linear(self, meta: Span, children: list[Token]) -> LateRule:
        keyword, days, unit = children
        days_value = self._number(days)
        if str(keyword) != "linear" or str(unit) != "days" or days_value != int(days_value) \
                or days_value <= 0:
            self._diagnostics.append(error(
                "SL105", "a linear late-completion rule reads `late linear N days`",
                self._span(meta), "N is a whole number of days greater than 0, e.g. `late linear 30 days`"))
            days_value = 1
        return LateRule(LateKind.LINEAR, days=int(days_value), span=self._span(meta))

    # ---- plan header -----------------------------------------------------------------------
    def period(self, meta: Span, children: list[Token]) -> model.Period:
        name = children[0]
        title = unquote(children[1]) if len(children) == 3 else str(name)
        return model.Period(str(name), title, self._date(children[-1]), self._span(meta))

    def policy(self, meta: Span, children: list[Statement]) -> model.Policy:
        settings = self._settings(children, "the policy")
        if "aggregate" in settings:
            settings["aggregate"] = settings["aggregate"].rule
        return model.Policy(span=self._span(meta), **settings)

    def _settings(self, statements: list[Statement], owner: str) -> dict[str, Any]:
        """Settings by key; a key given twice is reported (the last one is kept)."""
        out: dict[str, Any] = {}
        for statement in statements:
            if statement.key in out:
                self._diagnostics.append(error(
                    "SL107", f"{owner} sets `{_SETTING_WORDS.get(statement.key, statement.key)}` "
                    "twice",
                    statement.span, "keep one line for each setting"))
            out[statement.key] = statement.value
        return out

    def band(self, meta: Span, children: list[Any]) -> model.Band:
        name, *texts, (lower, _) = children
        title = unquote(texts[0]) if len(texts) == 2 else str(name)
        return model.Band(str(name), title, unquote(texts[-1]), lower / 100.0, self._span(meta))

    def plan(self, meta: Span, children: list[Any]) -> dict[str, Any]:
        name, title, *items = children
        periods = tuple(item for item in items if isinstance(item, model.Period))
        bands = tuple(item for item in items if isinstance(item, model.Band))
        tags = tuple(item for item in items if isinstance(item, model.Tag))
        policies = [item for item in items if isinstance(item, model.Policy)]
        for extra in policies[1:]:
            self._diagnostics.append(error(
                "SL106", "the plan has more than one policy block", extra.span,
                "put every policy setting in a single `policy { ... }` block"))
        return {
            "id": str(name),
            "title": unquote(title),
            "periods": periods,
            "bands": bands,
            "tags": tags,
            "policy": policies[0] if policies else model.Policy(),
            "span": self._span(meta),
        }

    # ---- indicators ---------------------------------------------------------------------------
    def description(self, meta: Span, children: list[Token]) -> Statement:
        return Statement("description", unquote(children[0]), self._span(meta))

    def target(self, meta: Span, children: list[Any]) -> Statement:
        direction, (value, percent) = children
        return Statement("target", model.Target(Direction(str(direction)), value, percent, self._span(meta)), self._span(meta))

    def target_tbd(self, meta: Span, children: list[Any]) -> Statement:
        target = model.Target(Direction(str(children[0])), 0.0, False, self._span(meta), tbd=True)
        return Statement("target", target, self._span(meta))

    def periodic_tbd(self, meta: Span, children: list[Any]) -> Statement:
        period, direction = children
        target = model.Target(Direction(str(direction)), 0.0, False, self._span(meta), tbd=True)
        return Statement("periodic", model.PeriodicTarget(str(period), target, self._span(meta)),
                         self._span(meta))

    def missing_target(self, meta: Span, children: list[Token]) -> Statement:
        return Statement("missing_target", self._choice(children[0], model.MissingTarget,
                                                        "missing-target rule"), self._span(meta))

    def periodic(self, meta: Span, children: list[Any]) -> Statement:
        period, direction, (value, percent) = children
        target = model.Target(Direction(str(direction)), value, percent, self._span(meta))
        return Statement("periodic", model.PeriodicTarget(str(period), target, self._span(meta)), self._span(meta))

    def deadline(self, meta: Span, children: list[Token]) -> Statement:
        return Statement("deadline", model.Deadline(self._date(children[0]), self._span(meta)), self._span(meta))

    def indicator(self, meta: Span, children: list[Any]) -> model.Indicator:
        name, title, *statements = children
        periodic = tuple(st.value for st in statements if st.key == "periodic")
        own: list[Statement] = []
        for statement in statements:
            if statement.key == "missing" and statement.value.for_the_value:
                own.append(statement)  # value_zero and error are the indicator's own rules
            elif statement.key in PLAN_ONLY:
                self._diagnostics.append(error(
                    "SL109", f"{PLAN_ONLY[statement.key]} is set for the whole plan, not for "
                    f"indicator `{name}`", statement.span,
                    "move this line to the plan's `policy { ... }` block"))
            elif statement.key != "periodic":
                own.append(statement)
        fields = self._settings(own, f"indicator `{name}`")
        if "tags" in fields:
            fields["tags"] = tuple(fields["tags"])
        if "target" in fields and fields["target"].percent and "unit" not in fields:
            fields["unit"] = "%"
        return model.Indicator(self._name(name), unquote(title), periodic_targets=periodic,
                               span=self._span(meta), **fields)

    # ---- tree ---------------------------------------------------------------------------------
    def reference(self, meta: Span, children: list[Any]) -> model.Reference:
        name, (value, span) = children
        return model.Reference(self._name(name), model.Weight(value, span), self._span(meta))

    def link(self, meta: Span, children: list[Any]) -> model.Link:
        code, (value, span) = children
        return model.Link(unquote(code), model.Weight(value, span), self._span(meta))

    def _branch_parts(self, children: list[Any]
                      ) -> tuple[model.Weight | None, tuple[Any, ...], tuple[model.TagRef, ...],
                                 model.AggregateSetting | None]:
        weight = None
        nodes = []
        tags: list[model.TagRef] = []
        aggregate: model.AggregateSetting | None = None
        for child in children:
            if isinstance(child, model.Weight):
                weight = child
            elif isinstance(child, Statement) and child.key == "aggregate":
                if aggregate is not None:
                    self._diagnostics.append(error(
                        "SL107", "the block sets `aggregate` twice", child.span,
                        "keep one `aggregate` line for each area, objective or group"))
                aggregate = child.value
            elif isinstance(child, Statement):  # `tags a, b` inside the block
                tags.extend(child.value)
            else:
                nodes.append(child)
        return weight, tuple(nodes), tuple(tags), aggregate

    def group(self, meta: Span, children: list[Any]) -> model.Group:
        title, *rest = children
        weight, nodes, tags, aggregate = self._branch_parts(rest)
        return model.Group(unquote(title), weight, nodes, tags, self._span(meta), aggregate)

    def objective(self, meta: Span, children: list[Any]) -> model.Objective:
        code, title, *rest = children
        weight, nodes, tags, aggregate = self._branch_parts(rest)
        return model.Objective(unquote(code), unquote(title), weight, nodes, tags,
                               self._span(meta), aggregate)

    def area(self, meta: Span, children: list[Any]) -> model.Area:
        code, title, *rest = children
        weight, nodes, tags, aggregate = self._branch_parts(rest)
        return model.Area(unquote(code), unquote(title), weight, nodes, tags, self._span(meta),
                          aggregate)

    # ---- tags and advice rules ------------------------------------------------------------------
    def tags(self, meta: Span, children: list[Token]) -> Statement:
        refs = tuple(model.TagRef(str(name), self._span(name)) for name in children)
        return Statement("tags", refs, self._span(meta))

    def tag(self, meta: Span, children: list[Token]) -> model.Tag:
        name, *title = children
        return model.Tag(str(name), unquote(title[0]) if title else str(name), self._span(meta))

    def symbol(self, meta: Span, children: list[Token]) -> model.Symbol:
        return model.Symbol(str(children[0]), self._span(meta))

    def literal(self, meta: Span, children: list[Token]) -> model.Literal:
        return model.Literal(self._number(children[0]), len(children) > 1, self._span(meta))

    def text(self, meta: Span, children: list[Token]) -> model.Text:
        return model.Text(unquote(children[0]), self._span(meta))

    def compare(self, meta: Span, children: list[Any]) -> model.Compare:
        left, operator, right = children
        return model.Compare(left, str(operator), right, self._span(meta))

    def tagged(self, meta: Span, children: list[Token]) -> model.Tagged:
        return model.Tagged(str(children[0]), self._span(children[0]))

    def flagged(self, meta: Span, children: list[Token]) -> model.Flagged:
        return model.Flagged(str(children[0]), self._span(children[0]))

    def negate(self, meta: Span, children: list[Any]) -> model.Not:
        return model.Not(children[0])

    def both(self, meta: Span, children: list[Any]) -> model.All:
        return model.All(tuple(children))

    def either(self, meta: Span, children: list[Any]) -> model.AnyOf:
        return model.AnyOf(tuple(children))

    def rule(self, meta: Span, children: list[Any]) -> model.AdviceRule:
        name, *rest = children
        title = unquote(rest.pop(0)) if isinstance(rest[0], Token) and rest[0].type == "STRING" \
            else str(name)
        condition, category, severity, message = rest
        return model.AdviceRule(str(name), title, condition, str(category), str(severity),
                          unquote(message), self._span(meta), self._span(message))

    def card_indicator(self, meta: Span, children: list[Any]) -> model.ScorecardItem:
        name, (value, span), *label = children
        return model.ScorecardItem(model.Weight(value, span), indicator=str(name),
                                   label=unquote(label[0]) if label else None,
                                   span=self._span(meta))

    def card_node(self, meta: Span, children: list[Any]) -> model.ScorecardItem:
        code, (value, span), *label = children
        return model.ScorecardItem(model.Weight(value, span), node=unquote(code),
                                   label=unquote(label[0]) if label else None,
                                   span=self._span(meta))

    def card_role(self, meta: Span, children: list[Any]) -> tuple[str, Span]:
        return str(children[0]), self._span(children[0])

    def card_reward(self, meta: Span, children: list[Any]) -> tuple[str, str, Span]:
        return "reward", str(children[0]), self._span(children[0])

    def _part(self, meta: Span, kind: str, ref: str | None, rest: list[Any]) -> model.Part:
        weight = next((model.Weight(v, s) for v, s in (r for r in rest if isinstance(r, tuple))),
                      None)
        label = next((unquote(r) for r in rest if isinstance(r, Token)), None)
        return model.Part(kind, ref, weight, label, self._span(meta))

    def part_plan(self, meta: Span, children: list[Any]) -> model.Part:
        return self._part(meta, "plan", None, children)

    def part_indicator(self, meta: Span, children: list[Any]) -> model.Part:
        return self._part(meta, "indicator", str(children[0]), children[1:])

    def part_node(self, meta: Span, children: list[Any]) -> model.Part:
        return self._part(meta, "node", unquote(children[0]), children[1:])

    def part_behaviours(self, meta: Span, children: list[Any]) -> model.Part:
        return self._part(meta, "behaviours", str(children[0]), children[1:])

    def component(self, meta: Span, children: list[Any]) -> model.Component:
        name, title, *rest = children
        weight = None
        if rest and isinstance(rest[0], tuple):
            value, span = rest.pop(0)
            weight = model.Weight(value, span)
        return model.Component(str(name), unquote(title), weight, tuple(rest), self._span(meta))

    def scorecard(self, meta: Span, children: list[Any]) -> model.Scorecard:
        name, title, *items = children
        role = role_span = None
        if items and isinstance(items[0], tuple) and len(items[0]) == 2:
            role, role_span = items.pop(0)
        rewards = [item for item in items if isinstance(item, tuple)]
        reward, reward_span = (rewards[0][1], rewards[0][2]) if rewards else (None, None)
        for extra in rewards[1:]:
            self._diagnostics.append(error("SL283", f"scorecard `{name}` names a second reward "
                                           f"mapping `{extra[1]}`", extra[2],
                                           "a scorecard is paid by one reward mapping"))
        return model.Scorecard(
            str(name), unquote(title),
            tuple(i for i in items if isinstance(i, model.ScorecardItem)), self._span(meta),
            tuple(i for i in items if isinstance(i, model.Component)), role, reward,
            role_span, reward_span)

    def scale_step(self, meta: Span, children: list[Any]) -> float:
        return self._number(children[0])

    def behaviour(self, meta: Span, children: list[Any]) -> model.Behaviour:
        name, title, (value, span) = children
        return model.Behaviour(str(name), unquote(title), model.Weight(value, span),
                               self._span(meta))

    def behaviours(self, meta: Span, children: list[Any]) -> model.BehaviourSet:
        name, title, low, high, *rest = children
        step = rest.pop(0) if rest and isinstance(rest[0], float) else None
        return model.BehaviourSet(str(name), unquote(title), self._number(low),
                                  self._number(high), step,
                                  tuple(rest), self._span(meta))

    def role_weight(self, meta: Span, children: list[Any]) -> model.RoleWeight:
        name, (value, span) = children
        return model.RoleWeight(str(name), model.Weight(value, span), self._span(meta))

    def role_reward(self, meta: Span, children: list[Any]) -> tuple[str, Span]:
        return str(children[0]), self._span(children[0])

    def role(self, meta: Span, children: list[Any]) -> model.Role:
        name, *rest = children
        title = unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else str(name)
        rewards = [item for item in rest if isinstance(item, tuple)]
        for extra in rewards[1:]:
            self._diagnostics.append(error("SL283", f"role `{name}` names a second reward "
                                           f"mapping `{extra[0]}`", extra[1],
                                           "a role is paid by one reward mapping"))
        return model.Role(str(name), title,
                          tuple(i for i in rest if isinstance(i, model.RoleWeight)),
                          rewards[0][0] if rewards else None, self._span(meta),
                          rewards[0][1] if rewards else None)

    def pays_below(self, meta: Span, children: list[Any]) -> model.RangeRow:
        (upper, _), (pays, _) = children
        return model.RangeRow(None, upper / 100.0, pays / 100.0, None, span=self._span(meta))

    def pays_from(self, meta: Span, children: list[Any]) -> model.RangeRow:
        (lower, _), (pays, _) = children
        return model.RangeRow(lower / 100.0, None, pays / 100.0, None, span=self._span(meta))

    def pays_between(self, meta: Span, children: list[Any]) -> model.RangeRow:
        (lower, _), (upper, _), (pays, _), *more = children
        pays_to = more[0][0] / 100.0 if more else None
        return model.RangeRow(lower / 100.0, upper / 100.0, pays / 100.0, pays_to,
                              span=self._span(meta))

    def reward(self, meta: Span, children: list[Any]) -> model.Reward:
        name, title, *rows = children
        return model.Reward(str(name), unquote(title), tuple(rows), self._span(meta))

    def start(self, meta: Span, children: list[Any]) -> list[Any]:
        return children


class _Built:
    """What a rule's method made, with the positions of the rule's first and last tokens (the
    names a Token gives them), for the span of the rule that contains it."""

    __slots__ = ("value", "line", "column", "end_line", "end_column")

    def __init__(self, value: Any, line: int | None, column: int | None, end_line: int | None,
                 end_column: int | None):
        self.value, self.line, self.column = value, line, column
        self.end_line, self.end_column = end_line, end_column


class _Reductions:
    """The reading parser's inline transformer: for each grammar rule (by its name or alias),
    the function Lark calls with the rule's children when it reduces it.

    Each takes the span from the first child's start to the last one's end (keywords and braces
    included: the reading parser keeps every token), drops the tokens the grammar writes
    literally, and calls the builder's method of the rule. One parser serves every read, so
    the builder of the read under way is set on `builder`, one read at a time (`_READING`).
    """

    def __init__(self) -> None:
        self.builder: _Builder | None = None
        self.named = frozenset[str]()
        for name in dir(_Builder):
            if not name.startswith("_"):
                setattr(self, name, self._reduction(name))

    def __getattr__(self, name: str) -> Any:
        # Lark asks for every rule (and terminal) by name. A rule without a method of its
        # own is one the grammar inlines (`?test: ... | "(" condition ")"`): Lark passes a
        # lone child on by itself, but with the brackets kept it comes here.
        if name[:1].islower():
            return self._passing(name)
        raise AttributeError(name)

    def _kept(self, children: list[Any]) -> list[Any]:
        named = self.named
        return [child.value if child.__class__ is _Built else child for child in children
                if child.__class__ is _Built or child.type in named]

    def _reduction(self, name: str) -> Any:
        def reduce(children: list[Any]) -> _Built:
            builder = self.builder
            assert builder is not None
            if not children:  # only an empty file's `start`
                return _Built(getattr(builder, name)(Span.point(builder._filename, 1, 1), []),
                              None, None, None, None)
            first, last = children[0], children[-1]
            line, column, end_line, end_column = \
                first.line, first.column, last.end_line, last.end_column
            span = _positions_span(builder._filename, line, column, end_line, end_column)
            return _Built(getattr(builder, name)(span, self._kept(children)),
                          line, column, end_line, end_column)
        return reduce

    def _passing(self, name: str) -> Any:
        def reduce(children: list[Any]) -> _Built:
            kept = self._kept(children)
            if len(kept) != 1:
                raise LookupError(f"the builder has no method for grammar rule `{name}`")
            first, last = children[0], children[-1]
            return _Built(kept[0], first.line, first.column, last.end_line, last.end_column)
        return reduce


_REDUCTIONS = _Reductions()
_READING = threading.Lock()


def read(text: str, filename: str = "<string>") -> tuple[model.PlanDefinition | None, list[Diagnostic]]:
    """Turn rule text into a Plan; return it with the diagnostics found on the way.

    Raises ParseError (with the friendly diagnostic, see `parser`) when the text has a syntax
    error. The plan is None only when the file has no `plan` block (nothing to attach the tree
    to).
    """
    from .parser import LimitExceeded, named_terminals, parse, reading_parser

    builder = _Builder(filename)
    built: _Built | None
    with _READING:
        _REDUCTIONS.named = named_terminals()
        _REDUCTIONS.builder = builder
        try:
            # The collector paused as the plan is built (model.collector_paused: no cycles;
            # with it running, reading cost a quarter more per indicator at 50 000 than at
            # 1 000, most of that the collector walking the growing plan).
            with model.collector_paused():
                built = reading_parser(_REDUCTIONS).parse(text)  # type: ignore[assignment]
        except (UnexpectedInput, LimitExceeded):
            built = None
        finally:
            _REDUCTIONS.builder = None
    if built is None:
        # The tree parser names the mistake (its diagnostic is the one `parse` gives).
        return build(parse(text, filename), filename)
    return _plan(built.value, builder._diagnostics, filename)


def build(tree: Tree[Token], filename: str = "<string>"
          ) -> tuple[model.PlanDefinition | None, list[Diagnostic]]:
    """The plan and diagnostics of Lark's parse tree of a rule file (see `read`)."""
    builder = _Builder(filename)

    def made(node: Tree[Token]) -> Any:
        children = [made(child) if isinstance(child, Tree) else child
                    for child in node.children]
        method = None if node.data.startswith("_") else getattr(builder, node.data, None)
        if method is None:
            raise LookupError(f"the builder has no method for grammar rule `{node.data}`")
        return method(_meta_span(filename, node.meta), children)

    return _plan(made(tree), builder._diagnostics, filename)


def _meta_span(filename: str, meta: Meta) -> Span:
    if meta.empty:  # no token under the node (only an empty file's `start`)
        return Span.point(filename, 1, 1)
    return _positions_span(filename, meta.line, meta.column, meta.end_line, meta.end_column)


def _plan(items: list[Any], diagnostics: list[Diagnostic], filename: str
          ) -> tuple[model.PlanDefinition | None, list[Diagnostic]]:
    headers = [item for item in items if isinstance(item, dict)]
    indicators = tuple(item for item in items if isinstance(item, model.Indicator))
    areas = tuple(item for item in items if isinstance(item, model.Area))
    scorecards = tuple(item for item in items if isinstance(item, model.Scorecard))
    rules = tuple(item for item in items if isinstance(item, model.AdviceRule))
    behaviours = tuple(item for item in items if isinstance(item, model.BehaviourSet))
    roles = tuple(item for item in items if isinstance(item, model.Role))
    rewards = tuple(item for item in items if isinstance(item, model.Reward))
    if not headers:
        diagnostics.append(error(
            "SL108", "the file has no `plan` block", Span.point(filename, 1, 1),
            'start the file with `plan my_plan "Title" { period H1 "..." ends 2020-06-30 }`'))
        return None, diagnostics
    for extra in headers[1:]:
        diagnostics.append(error(
            "SL106", "the file has more than one `plan` block", extra["span"],
            "a rule file describes one plan: move the other plan to its own file"))
    plan = model.PlanDefinition(indicators=indicators, areas=areas, scorecards=scorecards, rules=rules,
                      behaviours=behaviours, roles=roles, rewards=rewards, source=filename,
                      **headers[0])
    return plan, diagnostics
