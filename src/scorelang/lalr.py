"""Rule text -> builder calls, in one pass: a small LALR driver over Lark's tables (`tables`).

The fast road from text to model. It lexes and parses exactly as Lark would (the same
automaton, Lark's contextual lexing, the same tree shaping: `?rule` inlining, aliases, filtered
punctuation, spliced repetitions), but calls the builder at each reduction instead of building
a tree, and never imports Lark. It gives up, returning None, at the first thing it does not
accept; the caller then parses with Lark, whose error is the diagnostic (`parser.py`). So a
text is either read here exactly as Lark reads it, or read by Lark.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from .tables import END, Rule, Tables, load

# (start, end): offsets of the first character and one past the last, as Lark's start_pos and
# end_pos; `Lines` turns them into lines and columns when a span is wanted.
Position = tuple[int, int]

Callback = Callable[[Position | None, list[Any]], Any]


class Token(str):
    """A kept token: its text, its terminal name (NAME, STRING, ...) and its position."""

    type: str
    position: Position

    def __new__(cls, text: str, kind: str, position: Position) -> Token:
        token = str.__new__(cls, text)
        token.type = kind
        token.position = position
        return token


class _Lexer:
    """The terminals of one grammar compiled for lexing: one pattern trying them all in Lark's
    order, and, for a token that pattern reads differently from Lark, the pattern of Lark's own
    lexer for the parser state at hand."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.regex = dict(tables.terminals)
        folded = {keyword for words in tables.keywords.values() for keyword in words.values()}
        # One match per token: the blanks and comments before it, then the token (or nothing,
        # at the end of the text). No terminal of the language starts like a blank or a
        # comment, so skipping them first reads the text as Lark's lexer does.
        skip = "|".join(f"(?:{self.regex[name]})" for name in sorted(tables.ignore))
        tokens = self._alternatives([name for name, _ in tables.terminals
                                     if name not in folded and name not in tables.ignore])
        self.match = re.compile(f"(?:{skip})*(?:{tokens})?").match
        self.by_state: dict[int, Callable[[str, int], re.Match[str] | None]] = {}

    def _alternatives(self, names: Sequence[str]) -> str:
        return "|".join(f"(?P<{name}>{self.regex[name]})" for name in names)

    def contextual(self, text: str, offset: int, state: int) -> tuple[str, int] | None:
        """(terminal, end) that Lark's lexer for `state` finds at `offset`, or None.

        Lark builds one lexer per parser state from the terminals the state accepts (in lexing
        order, the first that matches wins); a regex terminal's match that spells a keyword the
        state accepts becomes that keyword, and such keywords are not tried on their own.
        """
        tables = self.tables
        accepted = tables.states[state]
        match = self.by_state.get(state)
        if match is None:
            folded = {keyword for regex_terminal, words in tables.keywords.items()
                      if regex_terminal in accepted for keyword in words.values()}
            match = re.compile(self._alternatives([
                name for name, _ in tables.terminals
                if (name in accepted or name in tables.ignore) and name not in folded])).match
            self.by_state[state] = match
        found = match(text, offset)
        if found is None or found.lastgroup is None or found.lastgroup in tables.ignore:
            return None
        name = found.lastgroup
        keyword = tables.keywords.get(name, {}).get(found.group())
        return (keyword if keyword in accepted else name), found.end()


@functools.lru_cache(maxsize=1)
def _lexer() -> _Lexer:
    return _Lexer(load())


def _callback_for(rule: Rule, callback: Callable[[str], Callback | None]) -> Callback | None:
    if rule.callback is None:
        return None  # a repetition
    found = callback(rule.callback)
    if found is None and not rule.expand_single:
        raise LookupError(f"the builder has no method for grammar rule `{rule.callback}`")
    return found


def read(text: str, callback: Callable[[str], Callback | None]) -> Any | None:
    """Parse `text`, calling `callback(name)(position, children)` at each reduction as Lark's
    Transformer would call method `name`; the value of the start rule, or None when the text is
    not a sentence of the grammar (Lark then says why)."""
    tables = load()
    lexer = _lexer()
    match = lexer.match
    states, kept = tables.states, tables.kept
    name_keywords = tables.keywords.get("NAME", {})
    rules = [(rule.origin, rule.size, _callback_for(rule, callback), rule.expand_single,
              rule.keep, shape, rule.callback) for rule, shape in zip(tables.rules, _shapes())]
    end_state = tables.end
    state = tables.start
    state_stack = [state]
    values: list[Any] = []
    positions: list[Position | None] = []
    position: Position | None
    offset, length = 0, len(text)
    while True:
        actions = states[state]
        found = match(text, offset) if offset < length else None
        kind = found.lastgroup if found is not None else None
        if kind is not None:
            start, stop = found.span(kind)  # type: ignore[union-attr]
            if kind == "NAME":
                keyword = name_keywords.get(text[start:stop])
                if keyword is not None and keyword in actions:
                    kind = keyword
            if kind not in actions:
                guess = lexer.contextual(text, start, state)
                if guess is None:
                    return None
                kind, stop = guess
            position = (start, stop)
            value: Any = Token(text[start:stop], kind, position) if kind in kept else None
            offset = stop
        elif found is not None and found.end() < length:
            return None  # a character no terminal starts with
        else:
            kind, value, position = END, None, None
        # Feed the token: reduce while the state says so, then shift (Lark's ParserState).
        while True:
            action = actions.get(kind)
            if action is None:
                return None
            if action >= 0:
                state = action
                state_stack.append(state)
                values.append(value)
                positions.append(position)
                break
            origin, size, build, expand_single, keep, pick, rule_name = rules[~action]
            if pick is _PASS:
                # `?rule: child`: the child stays on the stack as it is, under the rule's state.
                state = states[state_stack[-2]][origin]
                state_stack[-1] = state
                actions = states[state]
                continue
            if pick is _APPEND:
                # `repetition: repetition item`: the item joins the list already on the stack.
                item, item_position = values.pop(), positions.pop()
                del state_stack[-2:]
                values[-1].append(item)
                first = positions[-1]
                assert first is not None and item_position is not None
                positions[-1] = (first[0], item_position[1])
                state = states[state_stack[-1]][origin]
                state_stack.append(state)
                actions = states[state]
                continue
            if size:
                popped = values[-size:]
                popped_positions = positions[-size:]
                del state_stack[-size:], values[-size:], positions[-size:]
                first, last = popped_positions[0], popped_positions[-1]
                # Lark's propagate_positions: from the first child with a position to the last
                # (only an empty repetition has none).
                reduced: Position | None = (first[0], last[1]) \
                    if first is not None and last is not None else _cover(popped_positions)
            else:
                popped, popped_positions, reduced = [], [], None
            if pick is _ALL:
                children = popped
            elif pick is not None:
                children = [popped[index] for index in pick]
            else:
                children = []
                for index, splice in keep:
                    if splice:
                        children.extend(popped[index])
                    else:
                        children.append(popped[index])
            if expand_single and len(children) == 1:
                # `?rule` with one child: the child itself, where it stands (never a spliced
                # one: `tables.generate` refuses grammars where it could be).
                result = children[0]
                reduced = popped_positions[keep[0][0]]
            elif build is not None:
                result = build(reduced, children)
            elif rule_name is None:
                result = children  # a repetition: spliced into the rule that uses it
            else:
                raise LookupError(f"the builder has no method for grammar rule `{rule_name}`")
            state = states[state_stack[-1]][origin]
            state_stack.append(state)
            values.append(result)
            positions.append(reduced)
            if kind == END and state == end_state:
                return values[-1]
            actions = states[state]


_PASS: Any = "pass"  # a `?rule` with one child that passes it up
_APPEND: Any = "append"  # a repetition growing by one kept item
_ALL: Any = "all"  # every popped child is kept


@functools.lru_cache(maxsize=1)
def _shapes() -> tuple[Any, ...]:
    return tuple(_shape(rule) for rule in load().rules)


def _shape(rule: Rule) -> Any:
    """How a reduction picks its children from what it pops: _PASS, _APPEND, _ALL, the
    indices of those kept, or None when some are spliced (the general case)."""
    indices = [index for index, _ in rule.keep]
    if rule.expand_single and rule.size == 1 and rule.keep == ((0, False),):
        return _PASS
    if rule.callback is None and rule.size == 2 and rule.keep == ((0, True), (1, False)):
        return _APPEND
    if any(splice for _, splice in rule.keep):
        return None
    if indices == list(range(rule.size)):
        return _ALL
    return tuple(indices)


def _cover(positions: Sequence[Position | None]) -> Position | None:
    """From the first child with a position to the last (Lark's propagate_positions)."""
    placed = [position for position in positions if position is not None]
    return (placed[0][0], placed[-1][1]) if placed else None


class Lines:
    """Offsets in a text -> (line, column), both from 1, as Lark counts them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def locate(self, offset: int) -> tuple[int, int]:
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def locate_span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of offsets start and end."""
        starts = self._line_starts()
        line = bisect.bisect_right(starts, start)
        line_start = starts[line - 1]
        if line == len(starts) or end < starts[line]:  # most spans end on the line they start
            return line, start - line_start + 1, line, end - line_start + 1
        return (line, start - line_start + 1, *self.locate(end))

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [found.end() for found in re.finditer("\n", self.text)]
        return self._starts
