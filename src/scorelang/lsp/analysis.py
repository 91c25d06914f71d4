"""One open document read once per edit: its plan (when it builds), its diagnostics, and the
index of its names — where each indicator, period, tag and node code is declared and used.

Everything comes from `api.diagnose`, the path `scorelang check` takes: the same parser, the
same checks, the same diagnostics. The model's spans cover whole statements (`export 10%`,
`periodic H1 >= 3`, an `indicator` block); the index narrows each to the name it holds, the
first occurrence of that word from the statement's start (a statement's name comes before any
text that could repeat it). Nothing here speaks the protocol: places are 0-based lines and
characters (code points), ends exclusive, which the server turns into the client's units.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

import attrs

from .. import api, model
from ..diagnostics import Diagnostic, Span

INDICATOR, PERIOD, TAG, NODE = "indicator", "period", "tag", "node"


@attrs.frozen(order=True)
class Place:
    """A region of the document: 0-based line and character, the end exclusive."""

    line: int
    start: int
    end_line: int
    end: int

    @classmethod
    def of(cls, span: Span) -> Place:
        """A diagnostic's or the model's span (1-based, end inclusive) as a place."""
        return cls(span.line - 1, span.column - 1, span.end_line - 1, span.end_column)

    def holds(self, line: int, character: int) -> bool:
        """Whether the cursor at (line, character) touches the place: a cursor right after
        the last character of a name is still on it, as editors place it after typing."""
        return (self.line, self.start) <= (line, character) <= (self.end_line, self.end)

    def meets(self, other: Place) -> bool:
        return (self.line, self.start) <= (other.end_line, other.end) and \
            (other.line, other.start) <= (self.end_line, self.end)


@attrs.frozen
class Occurrence:
    """A name at one place: an indicator id, a period, a tag or the code of an area or
    objective, where it is declared or where it is used."""

    kind: str
    name: str
    place: Place
    declaration: bool


class Text:
    """The document's text with its line starts, to find names inside statements."""

    def __init__(self, text: str):
        self.text = text
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, line: int, character: int) -> int:
        """The offset of a 0-based position."""
        if line >= len(self._starts):
            return len(self.text)
        return min(self._starts[line] + character, len(self.text))

    def place(self, start: int, end: int) -> Place:
        line = bisect.bisect_right(self._starts, start) - 1
        end_line = bisect.bisect_right(self._starts, end) - 1
        return Place(line, start - self._starts[line], end_line, end - self._starts[end_line])

    def line(self, line: int) -> str:
        lines = self.text.split("\n")
        return lines[line] if 0 <= line < len(lines) else ""

    def find(self, span: Span | None, name: str, quoted: bool = False) -> Place | None:
        """Where `name` is first written from the start of `span` (inside quotes when it is a
        node code), or None."""
        if span is None:
            return None
        start = self.offset(span.line - 1, span.column - 1)
        stop = self.offset(span.end_line - 1, span.end_column)
        if quoted:
            pattern = re.compile('"' + re.escape(name) + '"')
            found = pattern.search(self.text, start, stop)
            return None if found is None else self.place(found.start() + 1, found.end() - 1)
        pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])")
        found = pattern.search(self.text, start, stop)
        return None if found is None else self.place(found.start(), found.end())


class Index:
    """Every occurrence of a name in the document, in document order."""

    def __init__(self, occurrences: Sequence[Occurrence] = ()):
        self.occurrences = tuple(sorted(occurrences, key=lambda o: o.place))

    def at(self, line: int, character: int) -> Occurrence | None:
        for occurrence in self.occurrences:
            if occurrence.place.holds(line, character):
                return occurrence
        return None

    def of(self, kind: str, name: str) -> list[Occurrence]:
        """Every occurrence of one name, its declaration included."""
        return [o for o in self.occurrences if o.kind == kind and o.name == name]

    def declaration(self, kind: str, name: str) -> Occurrence | None:
        return next((o for o in self.of(kind, name) if o.declaration), None)


@attrs.frozen
class Analysis:
    """What the server knows of one version of a document."""

    text: str
    filename: str
    plan: model.PlanDefinition | None
    diagnostics: tuple[Diagnostic, ...]
    index: Index = attrs.field(eq=False)

    @property
    def source(self) -> Text:
        return Text(self.text)


def analyse(text: str, filename: str) -> Analysis:
    """Check the text as `scorelang check` would, and index the plan when it builds. The
    outcome is not kept in the cache: an editor checks the text of every pause in typing."""
    plan, found = api.diagnose(text, filename, keep=False)
    index = Index(list(_occurrences(plan, Text(text)))) if plan is not None else Index()
    return Analysis(text, filename, plan, tuple(found), index)


def _occurrences(plan: model.PlanDefinition, text: Text) -> Iterator[Occurrence]:
    def at(kind: str, name: str, span: Span | None, declaration: bool,
           quoted: bool = False) -> Iterator[Occurrence]:
        place = text.find(span, name, quoted)
        if place is not None:
            yield Occurrence(kind, name, place, declaration)

    for period in plan.periods:
        yield from at(PERIOD, period.id, period.span, True)
    for tag in plan.tags:
        yield from at(TAG, tag.id, tag.span, True)
    for indicator in plan.indicators:
        yield from at(INDICATOR, indicator.id, indicator.span, True)
        for periodic in indicator.periodic_targets:
            yield from at(PERIOD, periodic.period, periodic.span, False)
        for ref in indicator.tags:
            yield from at(TAG, ref.name, ref.span, False)
    for placed in model.walk(plan):
        node = placed.node
        if isinstance(node, model.Reference):
            yield from at(INDICATOR, node.indicator, node.span, False)
        elif isinstance(node, model.Link):
            yield from at(NODE, node.code, node.span, False, quoted=True)
        else:
            if isinstance(node, (model.Area, model.Objective)):
                yield from at(NODE, node.code, node.span, True, quoted=True)
            for ref in node.tags:
                yield from at(TAG, ref.name, ref.span, False)
    for card in plan.scorecards:
        for item in card.items:
            if item.indicator is not None:
                yield from at(INDICATOR, item.indicator, item.span, False)
            if item.node is not None:
                yield from at(NODE, item.node, item.span, False, quoted=True)
        for component in card.components:
            for part in component.parts:
                if part.kind == "indicator" and part.ref is not None:
                    yield from at(INDICATOR, part.ref, part.span, False)
                elif part.kind == "node" and part.ref is not None:
                    yield from at(NODE, part.ref, part.span, False, quoted=True)
    for rule in plan.rules:
        for tagged in _tagged(rule.condition):
            yield from at(TAG, tagged.tag, tagged.span, False)


def _tagged(condition: model.Condition) -> Iterator[model.Tagged]:
    if isinstance(condition, model.Tagged):
        yield condition
    elif isinstance(condition, model.Not):
        yield from _tagged(condition.condition)
    elif isinstance(condition, (model.All, model.AnyOf)):
        for inner in condition.conditions:
            yield from _tagged(inner)
