"""Text -> Lark tree. The parser is built once and cached; syntax errors become diagnostics.

This module knows the grammar and Lark, nothing about what the plan means.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic, ParseError, Span, error

# Names people read in "expected ..." messages instead of Lark's terminal names.
_TOKEN_NAMES = {
    "NAME": "a name",
    "STRING": 'a quoted text ("...")',
    "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "DIRECTION": "a direction (>=, <=, =)",
    "PERCENT_SIGN": "'%'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def grammar_parser() -> Lark:
    text = resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(text, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@functools.lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """The words the language reserves (plan, indicator, objective, weight, ...)."""
    found = set()
    for terminal in grammar_parser().terminals:
        value = getattr(terminal.pattern, "value", "")
        if terminal.pattern.type == "str" and value.isalpha():
            found.add(value)
    return frozenset(found)


def parse(text: str, filename: str = "<string>") -> Tree[Token]:
    """Parse rule text; raise ParseError carrying one diagnostic with the position."""
    try:
        return grammar_parser().parse(text)
    except UnexpectedInput as exc:
        raise ParseError([syntax_diagnostic(exc, text, filename)]) from None


def _describe_expected(expected: Iterable[str]) -> str:
    names = []
    for name in sorted(expected):
        if name in _TOKEN_NAMES:
            names.append(_TOKEN_NAMES[name])
        else:
            # Anonymous keyword terminals: Lark names them after the keyword (e.g. "OBJECTIVE").
            pattern = grammar_parser().get_terminal(name).pattern
            names.append(f"'{pattern.value}'")
    names = sorted(set(names))
    if len(names) > 8:
        names = names[:8] + ["..."]
    return ", ".join(names)


def syntax_diagnostic(exc: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        message = f"unexpected character {char!r}"
        hint = None
        if char == ",":
            hint = "decimals are written with a point: 33.34%, not 33,34%"
        elif char == '"':
            hint = "a text is not closed: add the closing double quote on the same line"
        span = Span.point(filename, line, column)
        return error("SL101", message, span, hint)
    if isinstance(exc, UnexpectedEOF):
        lines = text.splitlines() or [""]
        last = len(lines)
        span = Span.point(filename, last, len(lines[-1]) + 1)
        expected = _describe_expected(exc.expected)
        return error("SL102", "the file ends too early", span,
                     f"expected {expected}; is a closing '}}' missing?")
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    if token.type == "$END":
        lines = text.splitlines() or [""]
        span = Span.point(filename, len(lines), len(lines[-1]) + 1)
        return error("SL102", "the file ends too early", span,
                     f"expected {_describe_expected(exc.expected)}; is a closing '}}' missing?")
    value = str(token)
    span = Span(filename, line, column, token.end_line or line,
                (token.end_column - 1) if token.end_column else column)
    return error("SL103", f"unexpected {value!r}",
                 span, f"expected {_describe_expected(exc.expected)}")
