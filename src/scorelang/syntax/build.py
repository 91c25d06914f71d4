"""Rule text -> model. Reads positions into spans and literal text into typed values.

The builder's methods are called once per grammar rule, with the rule's position and its kept
children, by the fast reader (`lalr`) or, when that declines a text, on Lark's parse tree
(which also reports the syntax error).

Problems that only need one token to see (an impossible date, an unknown policy keyword) are
reported here as diagnostics; problems that need the whole plan (unknown names, weights) are
`check`'s job. This module never raises for bad input: it returns diagnostics.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import lalr, model
from ..diagnostics import Diagnostic, Span, did_you_mean, error, warning
from ..lalr import Lines, Position, Token
from ..model import Direction, Formula, LateKind, LateRule, MissingPolicy

if TYPE_CHECKING:
    from lark import Tree
    from lark import Token as LarkToken


def _span(filename: str, lines: Lines, position: Position | None) -> Span:
    start, end = position or (0, 1)
    line, column, end_line, end_column = lines.locate_span(start, end)
    # The end column counts one past the last character (as Lark's); spans are inclusive.
    end_column -= 1
    if end_line == line:
        end_column = max(end_column, column)
    return Span(filename, line, column, end_line, max(end_column, 1))


class Statement(NamedTuple):
    """One line of a policy or indicator block: `floor 0%`, `target >= 300`, ..."""

    key: str
    value: Any
    span: Span


# Settings that only make sense for the whole plan.
PLAN_ONLY = {"missing": "the missing-data policy", "display_places": "display rounding",
             "locale": "the report locale"}
LOCALES = ("en", "it")


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


class _Builder:
    """One method per grammar rule (or alias): (position, kept children) -> model piece."""

    def __init__(self, filename: str, text: str):
        self.filename = filename
        self.lines = Lines(text)
        self.diagnostics: list[Diagnostic] = []

    def callback(self, rule: str) -> lalr.Callback | None:
        """The method for a grammar rule; None for `?rule`s that only pass a child up."""
        method: lalr.Callback | None = getattr(self, rule, None)
        return method

    def span(self, item: Position | Token | None) -> Span:
        return _span(self.filename, self.lines,
                     item.position if isinstance(item, Token) else item)

    def date(self, token: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(token))
        except ValueError:
            self.diagnostics.append(error(
                "SL104", f"{token} is not a valid date", self.span(token),
                "dates are written YYYY-MM-DD with a real month and day, e.g. 2020-10-31"))
            return dt.date(1, 1, 1)

    def choice(self, token: Token, enum: Any, what: str) -> Any:
        try:
            return enum(str(token))
        except ValueError:
            names = [member.value for member in enum]
            hint = did_you_mean(str(token), names) or "one of: " + ", ".join(names)
            self.diagnostics.append(error(
                "SL105", f"unknown {what} `{token}`", self.span(token), hint))
            return next(iter(enum))

    # ---- small pieces ------------------------------------------------------------------
    def percent(self, meta: Position, children: list[Token]) -> tuple[float, Span]:
        return number(children[0]), self.span(meta)

    def quantity(self, meta: Position, children: list[Token]) -> tuple[float, bool]:
        token = str(children[0])
        whole, _, decimals = token.partition(".")
        if decimals == "000" and not whole.lstrip("-").startswith("0"):
            # Italian documents print 2.000 for two thousand; here the point is a decimal mark.
            self.diagnostics.append(warning(
                "SL119", f"{token} reads as {whole} (the point is the decimal mark)",
                self.span(children[0]),
                f"for {whole} thousand write {whole}_000; for {whole} write {whole}"))
        return number(children[0]), len(children) > 1

    def weight(self, meta: Position, children: list[Any]) -> model.Weight:
        # The span is the figure itself (`25%`), as for indicator uses: re-weighting edits it.
        value, span = children[0]
        return model.Weight(value, span)

    def unit_name(self, meta: Position, children: list[Token]) -> str:
        token = children[0]
        return unquote(token) if token.type == "STRING" else str(token)

    def unit(self, meta: Position, children: list[str]) -> Statement:
        return Statement("unit", children[0], self.span(meta))

    # ---- settings ------------------------------------------------------------------------
    def floor(self, meta: Position, children: list[Any]) -> Statement:
        return Statement("floor", children[0][0] / 100.0, self.span(meta))

    def cap(self, meta: Position, children: list[Any]) -> Statement:
        return Statement("cap", children[0][0] / 100.0, self.span(meta))

    def missing(self, meta: Position, children: list[Token]) -> Statement:
        return Statement("missing", self.choice(children[0], MissingPolicy, "missing-data policy"), self.span(meta))

    def display(self, meta: Position, children: list[Token]) -> Statement:
        places_token, rounding = children
        if str(rounding) != "half_up":
            self.diagnostics.append(error(
                "SL105", f"unknown rounding `{rounding}`", self.span(rounding),
                "scorelang displays figures rounded half-up: write `display 2 half_up`"))
        places = number(places_token)
        if places != int(places) or not 0 <= places <= 6:
            self.diagnostics.append(error(
                "SL105", f"display places must be a whole number from 0 to 6, not {places_token}",
                self.span(places_token), "write e.g. `display 2 half_up`"))
            places = 2
        return Statement("display_places", int(places), self.span(meta))

    def formula(self, meta: Position, children: list[Token]) -> Statement:
        return Statement("formula", self.choice(children[0], Formula, "formula"), self.span(meta))

    def locale(self, meta: Position, children: list[Token]) -> Statement:
        name = str(children[0])
        if name not in LOCALES:
            self.diagnostics.append(error(
                "SL105", f"unknown locale `{name}`", self.span(children[0]),
                "scorelang writes numbers for `it` (62,96 %) or `en` (62.96%)"))
            name = "en"
        return Statement("locale", name, self.span(meta))

    def late(self, meta: Position, children: list[Any]) -> Statement:
        return Statement("late", children[0], self.span(meta))

    def late_named(self, meta: Position, children: list[Token]) -> LateRule:
        if str(children[0]) != "zero":
            self.diagnostics.append(error(
                "SL105", f"unknown late-completion rule `{children[0]}`", self.span(children[0]),
                "write `late zero`, `late 50%` or `late linear 30 days`"))
        return LateRule(LateKind.ZERO, span=self.span(meta))

    def late_fixed(self, meta: Position, children: list[Any]) -> LateRule:
        value, _ = children[0]
        return LateRule(LateKind.FIXED, share=value / 100.0, span=self.span(meta))

    def late_linear(self, meta: Position, children: list[Token]) -> LateRule:
        keyword, days, unit = children
        days_value = number(days)
        if str(keyword) != "linear" or str(unit) != "days" or days_value != int(days_value) \
                or days_value <= 0:
            self.diagnostics.append(error(
                "SL105", "a linear late-completion rule reads `late linear N days`",
                self.span(meta), "N is a whole number of days greater than 0, e.g. `late linear 30 days`"))
            days_value = 1
        return LateRule(LateKind.LINEAR, days=int(days_value), span=self.span(meta))

    # ---- plan header -----------------------------------------------------------------------
    def period(self, meta: Position, children: list[Token]) -> model.Period:
        name = children[0]
        title = unquote(children[1]) if len(children) == 3 else str(name)
        return model.Period(str(name), title, self.date(children[-1]), self.span(meta))

    def policy(self, meta: Position, children: list[Statement]) -> model.Policy:
        settings = self.settings(children, "the policy")
        return model.Policy(span=self.span(meta), **settings)

    def settings(self, statements: list[Statement], owner: str) -> dict[str, Any]:
        """Settings by key; a key given twice is reported (the last one is kept)."""
        out: dict[str, Any] = {}
        for statement in statements:
            if statement.key in out:
                self.diagnostics.append(error(
                    "SL107", f"{owner} sets `{statement.key.replace('_places', '')}` twice",
                    statement.span, "keep one line for each setting"))
            out[statement.key] = statement.value
        return out

    def band(self, meta: Position, children: list[Any]) -> model.Band:
        name, *texts, (lower, _) = children
        title = unquote(texts[0]) if len(texts) == 2 else str(name)
        return model.Band(str(name), title, unquote(texts[-1]), lower / 100.0, self.span(meta))

    def plan(self, meta: Position, children: list[Any]) -> dict[str, Any]:
        name, title, *items = children
        periods = tuple(item for item in items if isinstance(item, model.Period))
        bands = tuple(item for item in items if isinstance(item, model.Band))
        tags = tuple(item for item in items if isinstance(item, model.Tag))
        policies = [item for item in items if isinstance(item, model.Policy)]
        for extra in policies[1:]:
            self.diagnostics.append(error(
                "SL106", "the plan has more than one policy block", extra.span,
                "put every policy setting in a single `policy { ... }` block"))
        return {
            "id": str(name),
            "title": unquote(title),
            "periods": periods,
            "bands": bands,
            "tags": tags,
            "policy": policies[0] if policies else model.Policy(),
            "span": self.span(meta),
        }

    # ---- indicators ---------------------------------------------------------------------------
    def description(self, meta: Position, children: list[Token]) -> Statement:
        return Statement("description", unquote(children[0]), self.span(meta))

    def target(self, meta: Position, children: list[Any]) -> Statement:
        direction, (value, percent) = children
        return Statement("target", model.Target(Direction(str(direction)), value, percent, self.span(meta)), self.span(meta))

    def periodic(self, meta: Position, children: list[Any]) -> Statement:
        period, direction, (value, percent) = children
        target = model.Target(Direction(str(direction)), value, percent, self.span(meta))
        return Statement("periodic", model.PeriodicTarget(str(period), target, self.span(meta)), self.span(meta))

    def deadline(self, meta: Position, children: list[Token]) -> Statement:
        return Statement("deadline", model.Deadline(self.date(children[0]), self.span(meta)), self.span(meta))

    def indicator(self, meta: Position, children: list[Any]) -> model.Indicator:
        name, title, *statements = children
        periodic = tuple(st.value for st in statements if st.key == "periodic")
        own: list[Statement] = []
        for statement in statements:
            if statement.key in PLAN_ONLY:
                self.diagnostics.append(error(
                    "SL109", f"{PLAN_ONLY[statement.key]} is set for the whole plan, not for "
                    f"indicator `{name}`", statement.span,
                    "move this line to the plan's `policy { ... }` block"))
            elif statement.key != "periodic":
                own.append(statement)
        fields = self.settings(own, f"indicator `{name}`")
        if "tags" in fields:
            fields["tags"] = tuple(fields["tags"])
        if "target" in fields and fields["target"].percent and "unit" not in fields:
            fields["unit"] = "%"
        return model.Indicator(str(name), unquote(title), periodic_targets=periodic,
                               span=self.span(meta), **fields)

    # ---- tree ---------------------------------------------------------------------------------
    def reference(self, meta: Position, children: list[Any]) -> model.Reference:
        name, (value, span) = children
        return model.Reference(str(name), model.Weight(value, span), self.span(meta))

    def _branch_parts(self, children: list[Any]
                      ) -> tuple[model.Weight | None, tuple[Any, ...], tuple[model.TagRef, ...]]:
        weight = None
        nodes = []
        tags: list[model.TagRef] = []
        for child in children:
            if isinstance(child, model.Weight):
                weight = child
            elif isinstance(child, Statement):  # `tags a, b` inside the block
                tags.extend(child.value)
            else:
                nodes.append(child)
        return weight, tuple(nodes), tuple(tags)

    def group(self, meta: Position, children: list[Any]) -> model.Group:
        title, *rest = children
        weight, nodes, tags = self._branch_parts(rest)
        return model.Group(unquote(title), weight, nodes, tags, self.span(meta))

    def objective(self, meta: Position, children: list[Any]) -> model.Objective:
        code, title, *rest = children
        weight, nodes, tags = self._branch_parts(rest)
        return model.Objective(unquote(code), unquote(title), weight, nodes, tags,
                               self.span(meta))

    def area(self, meta: Position, children: list[Any]) -> model.Area:
        code, title, *rest = children
        weight, nodes, tags = self._branch_parts(rest)
        return model.Area(unquote(code), unquote(title), weight, nodes, tags, self.span(meta))

    # ---- tags and advice rules ------------------------------------------------------------------
    def tags(self, meta: Position, children: list[Token]) -> Statement:
        refs = tuple(model.TagRef(str(name), self.span(name)) for name in children)
        return Statement("tags", refs, self.span(meta))

    def tag(self, meta: Position, children: list[Token]) -> model.Tag:
        name, *title = children
        return model.Tag(str(name), unquote(title[0]) if title else str(name), self.span(meta))

    def symbol(self, meta: Position, children: list[Token]) -> model.Symbol:
        return model.Symbol(str(children[0]), self.span(meta))

    def literal(self, meta: Position, children: list[Token]) -> model.Literal:
        return model.Literal(number(children[0]), len(children) > 1, self.span(meta))

    def text(self, meta: Position, children: list[Token]) -> model.Text:
        return model.Text(unquote(children[0]), self.span(meta))

    def compare(self, meta: Position, children: list[Any]) -> model.Compare:
        left, operator, right = children
        return model.Compare(left, str(operator), right, self.span(meta))

    def tagged(self, meta: Position, children: list[Token]) -> model.Tagged:
        return model.Tagged(str(children[0]), self.span(children[0]))

    def flagged(self, meta: Position, children: list[Token]) -> model.Flagged:
        return model.Flagged(str(children[0]), self.span(children[0]))

    def negate(self, meta: Position, children: list[Any]) -> model.Not:
        return model.Not(children[0])

    def both(self, meta: Position, children: list[Any]) -> model.All:
        return model.All(tuple(children))

    def either(self, meta: Position, children: list[Any]) -> model.AnyOf:
        return model.AnyOf(tuple(children))

    def rule(self, meta: Position, children: list[Any]) -> model.Rule:
        name, *rest = children
        title = unquote(rest.pop(0)) if isinstance(rest[0], Token) and rest[0].type == "STRING" \
            else str(name)
        condition, category, severity, message = rest
        return model.Rule(str(name), title, condition, str(category), str(severity),
                          unquote(message), self.span(meta), self.span(message))

    def card_indicator(self, meta: Position, children: list[Any]) -> model.ScorecardItem:
        name, (value, span), *label = children
        return model.ScorecardItem(model.Weight(value, span), indicator=str(name),
                                   label=unquote(label[0]) if label else None,
                                   span=self.span(meta))

    def card_node(self, meta: Position, children: list[Any]) -> model.ScorecardItem:
        code, (value, span), *label = children
        return model.ScorecardItem(model.Weight(value, span), node=unquote(code),
                                   label=unquote(label[0]) if label else None,
                                   span=self.span(meta))

    def scorecard(self, meta: Position, children: list[Any]) -> model.Scorecard:
        name, title, *items = children
        return model.Scorecard(str(name), unquote(title), tuple(items), self.span(meta))

    def start(self, meta: Position, children: list[Any]) -> list[Any]:
        return children


def read(text: str, filename: str = "<string>") -> tuple[model.Plan | None, list[Diagnostic]]:
    """Turn rule text into a Plan; return it with the diagnostics found on the way.

    Raises ParseError (from Lark, with the friendly diagnostic) when the text has a syntax error.
    The plan is None only when the file has no `plan` block (nothing to attach the tree to).
    """
    builder = _Builder(filename, text)
    items = lalr.read(text, builder.callback)
    if items is None:
        # Not a sentence the fast reader accepts: Lark parses it, and raises the syntax error
        # (it would build the same tree from anything the reader accepts).
        from .parser import parse
        return build(parse(text, filename), text, filename)
    return _plan(items, builder.diagnostics, filename)


def build(tree: Tree[LarkToken], text: str, filename: str = "<string>"
          ) -> tuple[model.Plan | None, list[Diagnostic]]:
    """The same as `read`, from Lark's parse tree of `text`."""
    builder = _Builder(filename, text)
    return _plan(_walk(tree, builder), builder.diagnostics, filename)


def _walk(tree: Tree[LarkToken], builder: _Builder) -> Any:
    """Call the builder on a Lark tree bottom-up, as `lalr.read` calls it while parsing."""
    from lark import Tree

    children = [_walk(child, builder) if isinstance(child, Tree) else
                Token(str(child), child.type, (child.start_pos or 0, child.end_pos or 0))
                for child in tree.children]
    meta = tree.meta
    position = None if meta.empty else (meta.start_pos, meta.end_pos)
    method = builder.callback(str(tree.data))
    if method is None:
        raise LookupError(f"the builder has no method for grammar rule `{tree.data}`")
    return method(position, children)


def _plan(items: list[Any], diagnostics: list[Diagnostic], filename: str
          ) -> tuple[model.Plan | None, list[Diagnostic]]:
    headers = [item for item in items if isinstance(item, dict)]
    indicators = tuple(item for item in items if isinstance(item, model.Indicator))
    areas = tuple(item for item in items if isinstance(item, model.Area))
    scorecards = tuple(item for item in items if isinstance(item, model.Scorecard))
    rules = tuple(item for item in items if isinstance(item, model.Rule))
    if not headers:
        diagnostics.append(error(
            "SL108", "the file has no `plan` block", Span.point(filename, 1, 1),
            'start the file with `plan my_plan "Title" { period H1 "..." ends 2020-06-30 }`'))
        return None, diagnostics
    for extra in headers[1:]:
        diagnostics.append(error(
            "SL106", "the file has more than one `plan` block", extra["span"],
            "a rule file describes one plan: move the other plan to its own file"))
    plan = model.Plan(indicators=indicators, areas=areas, scorecards=scorecards, rules=rules,
                      source=filename,
                      **headers[0])
    return plan, diagnostics
