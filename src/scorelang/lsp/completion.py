"""What may be written at the cursor, asked of the grammar itself.

The text before the cursor is fed to scorelang's own LALR parser (Lark's interactive parser,
the parser `check` uses), which says which terminals it accepts next: the keywords among
them are offered as they are; where it accepts a name, the word before the cursor and the
block the cursor is in say which names — indicator ids in the tree and in scorecards, periods
after `periodic`, tags after `tags` and `tagged`, the values of a setting after its keyword.
The names come from the plan (the last one that built, while the text being typed does not
parse). Nothing here speaks the protocol: the server turns candidates into items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import attrs
from lark import Token
from lark.exceptions import LarkError

from .. import model
from ..syntax.build import LOCALES
from ..syntax.parser import grammar_parser, reserved_words
from .analysis import INDICATOR, NODE, PERIOD, TAG, Place

KEYWORD, VALUE, FLAG, ROLE, REWARD, BEHAVIOURS = "keyword", "value", "flag", "role", "reward", \
    "behaviours"

# The values a setting's keyword takes, from the model's own enumerations.
_SETTING_VALUES: dict[str, tuple[str, ...]] = {
    "FORMULA": tuple(f.value for f in model.Formula),
    "MISSING": tuple(m.value for m in model.MissingPolicy),
    "MISSING_TARGET": tuple(m.value for m in model.MissingTarget),
    "AGGREGATE": tuple(a.value for a in model.Aggregate),
    "ROLLUP": tuple(r.value for r in model.Rollup),
    "LOCALE": LOCALES,
    "LATE": ("zero", "linear"),
}
_DIRECTIONS = tuple(d.value for d in model.Direction)
# Blocks whose lines may start with an indicator id (`export 10%`).
_USES_INDICATORS = {"AREA", "OBJECTIVE", "GROUP", "SCORECARD", "COMPONENT"}
# The keywords that open a block with `{`.
_BLOCKS = {"PLAN", "POLICY", "INDICATOR", "AREA", "OBJECTIVE", "GROUP", "SCORECARD",
           "COMPONENT", "BEHAVIOURS", "ROLE", "REWARD", "RULE", "STEPS", "POINTS"}
_WORD_BEFORE = re.compile(r"[A-Za-z0-9_]*\Z")


@attrs.frozen
class Candidate:
    label: str
    kind: str  # INDICATOR, PERIOD, TAG, NODE, KEYWORD, VALUE, FLAG, ROLE, REWARD, BEHAVIOURS
    detail: str | None = None
    # When the candidate replaces more than the word at the cursor (a quoted node code).
    replace: Place | None = None
    text: str | None = None


@attrs.frozen
class _Context:
    """Where the cursor is, as the parser sees the text before it."""

    accepts: frozenset[str]
    last: str | None  # the type of the last token before the cursor
    before_last: str | None
    block: str | None  # the keyword of the innermost open block


def candidates(text: str, line: int, character: int,
               plan: model.PlanDefinition | None) -> list[Candidate]:
    lines = text.split("\n")
    current = lines[line][:character] if line < len(lines) else ""
    offset = sum(len(x) + 1 for x in lines[:line]) + len(current)
    quote = _open_quote(current)
    if quote is None and _in_comment(current):
        return []
    cut = offset - (len(current) - quote) if quote is not None else \
        offset - len(_WORD_BEFORE.search(current).group(0))  # type: ignore[union-attr]
    context = _context(text[:cut])
    if quote is not None:
        if context is None or "STRING" not in context.accepts:
            return []
        return list(_quoted(context, plan, Place(line, quote, line, _string_end(lines[line],
                                                                                character))))
    if context is None:  # the text before does not parse: offer every word
        return [*_keywords(sorted(reserved_words())), *_names(INDICATOR, plan)]
    return list(_unquoted(context, plan))


def _open_quote(line: str) -> int | None:
    """The column of the quote that opens a text still open at the end of `line`, if any."""
    opened = None
    escaped = False
    for column, char in enumerate(line):
        if opened is not None and char == "\\" and not escaped:
            escaped = True
            continue
        if char == '"' and not escaped:
            opened = column if opened is None else None
        elif char == "#" and opened is None:
            return None
        escaped = False
    return opened


def _in_comment(line: str) -> bool:
    inside = False
    for char in line:
        if char == '"':
            inside = not inside
        elif char == "#" and not inside:
            return True
    return False


def _string_end(line: str, character: int) -> int:
    """Past the closing quote an editor may have added right after the cursor."""
    rest = line[character:]
    word = re.match(r'[^"\s]*"', rest)
    return character + (word.end() if word else 0)


def _context(before: str) -> _Context | None:
    try:
        interactive = grammar_parser().parse_interactive(before)
        tokens = list(interactive.iter_parse())
        # Lark leaves `accepts` unannotated: it returns the names of the terminals.
        accepts = frozenset(interactive.accepts())  # type: ignore[no-untyped-call]
    except LarkError:
        return None
    return _Context(accepts, tokens[-1].type if tokens else None,
                    tokens[-2].type if len(tokens) > 1 else None,
                    _open_block(interactive.parser_state.value_stack))


def _open_block(stack: Iterable[object]) -> str | None:
    """The keyword of the innermost block still open: blocks closed before are either reduced
    to one tree or end with their '}' still on the stack."""
    depth = 0
    opened = False
    for value in reversed(list(stack)):
        if not isinstance(value, Token):
            continue
        if not opened:
            if value.type == "RBRACE":
                depth += 1
            elif value.type == "LBRACE":
                if depth == 0:
                    opened = True
                else:
                    depth -= 1
        elif value.type in _BLOCKS:
            return value.type
    return None


def _unquoted(context: _Context, plan: model.PlanDefinition | None) -> Iterator[Candidate]:
    last = context.last
    if "NAME" in context.accepts:
        if last == "PERIODIC":
            yield from _names(PERIOD, plan)
            return
        if last in ("TAGS", "COMMA", "TAGGED"):
            yield from _names(TAG, plan)
            return
        if last == "FLAGGED":
            yield from (Candidate(flag, FLAG) for flag in model.FLAGS)
            return
        if last in _SETTING_VALUES:
            yield from (Candidate(value, VALUE) for value in _SETTING_VALUES[last])
            return
        if last == "NUMBER" and context.before_last == "DISPLAY":
            yield Candidate("half_up", VALUE)
            return
        # `role` after a scorecard's title names its role; at the top it declares one.
        if last == "ROLE" and context.before_last == "STRING":
            yield from (Candidate(r.id, ROLE, r.title) for r in (plan.roles if plan else ()))
            return
        if last == "REWARD" and context.block in ("SCORECARD", "ROLE"):
            yield from (Candidate(r.id, REWARD, r.title) for r in (plan.rewards if plan else ()))
            return
        if last == "BEHAVIOURS" and context.block == "COMPONENT":
            yield from (Candidate(b.id, BEHAVIOURS, b.title) for b in (plan.behaviours if plan
                                                                      else ()))
            return
        if context.block in _USES_INDICATORS:
            yield from _names(INDICATOR, plan)
    if "DIRECTION" in context.accepts:
        yield from (Candidate(direction, VALUE) for direction in _DIRECTIONS)
    words = {str(grammar_parser().get_terminal(t).pattern.value) for t in context.accepts
             if grammar_parser().get_terminal(t).pattern.type == "str"}
    yield from _keywords(sorted(words & reserved_words()))


def _quoted(context: _Context, plan: model.PlanDefinition | None,
            replace: Place) -> Iterator[Candidate]:
    """Node codes, in quotes, where a `link` or a scorecard's `objective` names one."""
    if context.last == "LINK" or (context.last == "OBJECTIVE"
                                  and context.block in ("SCORECARD", "COMPONENT")):
        for candidate in _names(NODE, plan):
            yield attrs.evolve(candidate, replace=replace, text=f'"{candidate.label}"')


def _keywords(words: Iterable[str]) -> Iterator[Candidate]:
    return (Candidate(word, KEYWORD) for word in words)


def _names(kind: str, plan: model.PlanDefinition | None) -> Iterator[Candidate]:
    if plan is None:
        return
    if kind == INDICATOR:
        yield from (Candidate(i.id, kind, i.title) for i in plan.indicators)
    elif kind == PERIOD:
        yield from (Candidate(p.id, kind, p.title) for p in plan.periods)
    elif kind == TAG:
        yield from (Candidate(t.id, kind, t.title) for t in plan.tags)
    elif kind == NODE:
        for placed in model.walk(plan):
            if isinstance(placed.node, (model.Area, model.Objective)):
                yield Candidate(placed.node.code, kind, placed.node.title)
