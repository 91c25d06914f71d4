"""Text -> Lark tree: the one parser of rule files. Syntax errors become diagnostics.

Lark builds the LALR(1) parser from `grammar.lark` once per process, or loads it from its own
cache (a pickle) in the private per-user cache directory, under a name that covers the grammar
text and Lark's version: an edited grammar, or another Lark, never reads an old parser.

This module knows the grammar and Lark, nothing about what the plan means (that is `build`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from typing import Any, NamedTuple
from collections.abc import Iterable, Iterator
from importlib import resources

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from ..diagnostics import Diagnostic, Fix, ParseError, Span, closest, did_you_mean, error
from ..files import cache_directory

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

# How the parser is built; part of the cache file's name, so that changing them never loads a
# parser built another way (Lark checks too, but would then overwrite the file in turn).
_OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": True,
                            "maybe_placeholders": False}
# The reading parser (`reading_parser`): the same grammar, building the plan while it parses.
# Every token stays in the children its rules' methods get (a node's span runs from its first
# keyword to its closing brace), and no position is propagated: the builder reads them off the
# tokens, for the nodes it keeps.
_READING_OPTIONS: dict[str, Any] = {**_OPTIONS, "propagate_positions": False,
                                    "keep_all_tokens": True}


def grammar_text() -> str:
    return resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")


def _cache_file(grammar: str, options: dict[str, Any] = _OPTIONS) -> str | bool:
    """Where Lark keeps the parser it built for `grammar`, or False: no cache.

    Lark's cache is a pickle, which runs code when loaded: it lives only in the private cache
    directory (never Lark's default, a file in the shared temporary folder).
    """
    folder = cache_directory()
    if folder is None:
        return False
    digest = hashlib.sha256("\0".join([
        lark.__version__, "%d.%d" % sys.version_info[:2], repr(sorted(options.items())),
        grammar]).encode("utf-8")).hexdigest()
    return str(folder / f"lark-{digest}.pickle")


# The limits of rule text (docs/language.md, "Limits"). Real plans nest 3 or 4 blocks deep
# (plan > policy > steps; area > objective > group) and a condition a few brackets: 64 leaves
# room for any of them, and keeps every later stage (the builder, the formatter, the checks,
# the compiler, the reports, the cache's JSON), each of which walks the tree recursively, far
# below Python's recursion limit (tests/test_limits.py runs the deepest plan allowed through
# every command). Titles and descriptions are a line of a printed plan: 10 000 characters is
# pages of them, and a longer text is a mistake or an attack. Names and numbers are shorter still.
MAX_NESTING = 64
MAX_TEXT = 10_000
MAX_NAME = 200
MAX_NUMBER = 100
# Token type -> its code, what it is called, its longest, and the characters around it (quotes).
_MAX_TOKEN = {"STRING": ("SL123", "a text", MAX_TEXT, 2),
              "NAME": ("SL124", "a name", MAX_NAME, 0),
              "NUMBER": ("SL124", "a number", MAX_NUMBER, 0)}


class LimitExceeded(Exception):
    """Raised by `_Limits` from inside Lark's parse, turned into a diagnostic by `parse`."""

    def __init__(self, token: Token, code: str, message: str, hint: str):
        super().__init__(message)
        self.token, self.code, self.message, self.hint = token, code, message, hint


class _Limits(PostLex):
    """Lark's post-lexer hook, between the lexer and the LALR parser: it sees each token as it
    is read and stops the parse at the first one past a limit, before anything is built.

    Lark's parser keeps its stack in a list, but a tree 10 000 levels deep would crash every
    stage after it that recurses; and the parse stops at the 65th level, not after reading a
    100 000-level file. Nesting counts the open `{` and `(`, and each `not` until its operand
    ends (at the `and`, `or`, `)` or `flag` that follows it at its own level): `not not x` is
    two levels, as it is in the tree.
    """

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        negations = [0]  # per open bracket: the `not`s whose operand has not ended yet
        depth = 0  # open brackets plus every such `not`
        for token in stream:
            kind = token.type
            if kind in ("LBRACE", "LPAR", "NOT"):
                depth += 1
                if depth > MAX_NESTING:
                    what = "`not`" if kind == "NOT" else f"'{token}'"
                    raise LimitExceeded(
                        token, "SL122", f"{what} opens level {depth}: blocks and conditions "
                        f"nest at most {MAX_NESTING} levels deep",
                        "flatten the tree (a group of groups of one child each adds nothing), "
                        "or the condition (`not not x` is `x`); docs/language.md, Limits")
                if kind == "NOT":
                    negations[-1] += 1
                else:
                    negations.append(0)
            elif kind in ("RBRACE", "RPAR"):
                if len(negations) > 1:  # an unmatched one is the parser's to report
                    depth -= negations.pop() + 1
            elif kind in ("AND", "OR", "FLAG"):
                depth -= negations[-1]
                negations[-1] = 0
            elif kind in _MAX_TOKEN:
                code, what, most, around = _MAX_TOKEN[kind]
                if len(token) - around > most:
                    raise LimitExceeded(
                        token, code, f"{what} of {len(token) - around:,} characters is longer "
                        f"than the {most:,} allowed", f"{what} may be at most {most:,} characters long "
                        "(docs/language.md, Limits)")
            yield token


def _lark(options: dict[str, Any], transformer: object = None) -> Lark:
    """Lark's parser of the grammar, built with `options` (or loaded from the cache)."""
    text = grammar_text()
    cache = _cache_file(text, options)
    # The post-lexer and the transformer are code, not tables: Lark keeps them out of the
    # cached parser (and so out of the cache file's name).
    try:
        # Lark already survives a cache file it cannot read (damaged, truncated, of another
        # grammar or version): it builds the parser and writes the file anew.
        parser = Lark(text, cache=cache, postlex=_Limits(), transformer=transformer, **options)
    except Exception:
        if cache is False:
            raise  # the grammar itself is wrong: no cache to blame
        # Whatever else the cache file raises (writing it, Lark catches only OSError): the
        # cache only saves time, so build without it.
        parser = Lark(text, cache=False, postlex=_Limits(), transformer=transformer, **options)
    _READY.append(parser)
    return parser


# The parsers of the grammar this process has made, of either kind: what only needs the
# grammar's terminals (`reserved_words`) asks the first, rather than loading the other.
_READY: list[Lark] = []


@functools.lru_cache(maxsize=1)
def grammar_parser() -> Lark:
    """The parser of rule files to Lark's tree (for the formatter, the language server and the
    syntax errors' diagnostics), built (or loaded from the cache) on first use."""
    return _lark(_OPTIONS)


@functools.lru_cache(maxsize=1)
def reading_parser(transformer: object) -> Lark:
    """The parser that builds the plan as it parses (`build.read`): Lark's LALR parser with
    `transformer`'s methods called at each reduction (Lark's inline transformer), so that no
    tree is kept. Its rules' methods get every token (keywords and braces too), for the spans.
    A syntax error it meets is reported through `parse`, so that its diagnostic is the one
    `grammar_parser` gives."""
    return _lark(_READING_OPTIONS, transformer)


@functools.lru_cache(maxsize=1)
def named_terminals() -> frozenset[str]:
    """The token types the grammar names (NAME, STRING, DIRECTION ...): those Lark keeps in its
    tree. Every other token is text a rule writes literally ("indicator", "{"), which Lark leaves
    out of the tree and the reading parser out of the children its methods get
    (tests/test_reader.py holds the two parsers' plans equal on every rule file)."""
    text = grammar_text()
    named = set(re.findall(r"^([A-Z][A-Z0-9_]*)(?:\.\d+)?\s*:", text, re.MULTILINE))
    named.update(re.findall(r"^%import\s+\w+\.(\w+)", text, re.MULTILINE))
    return frozenset(named)


@functools.lru_cache(maxsize=1)
def reserved_words() -> frozenset[str]:
    """The words the language spells out (plan, indicator, objective, weight, ...): the
    grammar's keyword terminals, those a NAME would match if they were not keywords."""
    # Both parsers have the grammar's terminals: the checks, after the reading parser, do not
    # load the tree parser for them (about 50 ms in a new process).
    parser = _READY[0] if _READY else grammar_parser()
    name = re.compile(parser.get_terminal("NAME").pattern.to_regexp())
    return frozenset(terminal.pattern.value for terminal in parser.terminals
                     if terminal.pattern.type == "str" and name.fullmatch(terminal.pattern.value))


def parse(text: str, filename: str = "<string>") -> Tree[Token]:
    """Parse rule text; raise ParseError carrying one diagnostic with the position."""
    try:
        return grammar_parser().parse(text)
    except UnexpectedInput as exc:
        raise ParseError([syntax_diagnostic(exc, text, filename)]) from None
    except LimitExceeded as exc:
        token = exc.token
        line, column = token.line or 1, token.column or 1
        end_line = token.end_line or line
        end_column = (token.end_column - 1) if token.end_column else column
        span = Span(filename, line, column, end_line, end_column)
        raise ParseError([error(exc.code, exc.message, span, exc.hint)]) from None


# Lines a tree block may hold besides its children, left out of "expected ..." hints: the hint
# names what usually comes next (a child, a nested block, the closing brace), and these
# optional lines, valid anywhere in the block, would only lengthen it.
_UNLISTED = frozenset({"AGGREGATE", "LINK"})


def _describe_expected(expected: Iterable[str]) -> str:
    names = []
    for name in sorted(expected):
        if name in _UNLISTED:
            continue
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


# Common mistakes, recognised by the parser state they leave Lark in (match_examples):
# each label lists small texts that fail the way a real file with that mistake fails.
_PLAN = 'plan p "P" { }\n'
_MISTAKES: dict[str, list[str]] = {
    "missing_percent": [
        _PLAN + 'area "1" "A" { objective "1" "O" weight 100% { a 50 } }',
        _PLAN + 'area "1" "A" { objective "1" "O" weight 100% { a 50 b 50% } }',
        _PLAN + 'area "1" "A" { objective "1" "O" weight 100 { } }',
        'plan p "P" { policy { floor 0 } }',
    ],
    "missing_brace": [
        _PLAN + 'indicator a "A" { target >= 1\nindicator b "B" { target >= 1 }',
        _PLAN + 'indicator a "A" { target >= 1\narea "1" "A" { }',
        _PLAN + 'area "1" "A" { objective "1" "O" weight 100% { a 100%\narea "2" "B" { }',
        _PLAN + 'area "1" "A" { objective "1" "O" weight 100% { a 100% }\narea "2" "B" { }',
        _PLAN + 'area "1" "A" { group "G" weight 100% { a 100%\narea "2" "B" { }',
        'plan p "P" { period H1 "H" ends 2020-06-30\nindicator a "A" { target >= 1 }',
        'plan p "P" { policy { floor 0%\n}\nindicator a "A" { target >= 1 }',
    ],
    "word_instead_of_reference": [
        _PLAN + 'area "1" "A" { objectiv "1" "O" weight 100% { } }',
        _PLAN + 'area "1" "A" { objective "1" "O" weight 100% { grup "G" weight 100% { } } }',
    ],
    "unknown_statement": [
        _PLAN + 'indicator a "A" { targt >= 1 }',
        'plan p "P" { polcy { } }',
        'plan p "P" { policy { flor 0% } }',
        _PLAN + 'indicatr a "A" { }',
        _PLAN + 'indicator a "A" { target >= 1 }\nindicatr b "B" { }',
        _PLAN + 'area "1" "A" { }\nindicatr b "B" { }',
        'plna p "P" { }',
    ],
    "missing_direction": [
        _PLAN + 'indicator a "A" { target 1 }',
        'plan p "P" { period H1 "H" ends 2020-06-30 }\nindicator a "A" { periodic H1 1 }',
    ],
    # Rows of score tables (issue 19), last: after a '%' the LALR state is shared by every
    # context, so these labels are only taken inside a `steps` or `points` block
    # (`_table_row_mistake` confirms on the text), and never before the labels above.
    "table_range_dash": [
        _PLAN + 'indicator a "A" { target >= 1 points 20 { 76% - 90% scores 15 } }',
        _PLAN + 'indicator a "A" { target >= 1 points 20 { 76%-90% scores 15 } }',
        _PLAN + 'indicator a "A" { target >= 1 points 20 { 76% to 90% scores 15 - 18 } }',
        'plan p "P" { policy { steps { 70% - 90% scores 50% } } }',
        'plan p "P" { policy { steps { 70%-90% scores 50% } } }',
    ],
    "table_score": [
        _PLAN + 'indicator a "A" { target >= 1 steps { from 90% score 100% } }',
        _PLAN + 'indicator a "A" { target >= 1 steps { below 90% score 0% } }',
        _PLAN + 'indicator a "A" { target >= 1 steps { 70% to 90% score 50% } }',
        'plan p "P" { policy { steps { from 90% score 100% } } }',
    ],
    "points_without_maximum": [
        _PLAN + 'indicator a "A" { target >= 1 points { from 90% scores 20 } }',
        'plan p "P" { policy { points { from 90% scores 20 } } }',
    ],
}

_ITALIAN_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_LAST_NUMBER = re.compile(r"(-?\d[\d_]*(?:\.\d[\d_]*)?)\s*$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=1)
def _mistakes_by_state() -> dict[tuple[int, str], str]:
    """(LALR state, unexpected token type) of each example mistake -> its label."""
    table: dict[tuple[int, str], str] = {}
    for label, examples in _MISTAKES.items():
        for example in examples:
            try:
                grammar_parser().parse(example)
            except UnexpectedInput as exc:
                key = _state_key(exc)
                if key is not None:
                    table.setdefault(key, label)
    return table


def _state_key(exc: UnexpectedInput) -> tuple[int, str] | None:
    """The LALR state an error left the parser in, and what it met there: a token's type, or
    the character the lexer could not read."""
    state = getattr(exc, "state", None)
    position = getattr(state, "position", None)
    if not isinstance(position, int):
        return None
    if isinstance(exc, UnexpectedToken):
        return position, exc.token.type
    if isinstance(exc, UnexpectedCharacters):
        return position, f"char {exc.char!r}"
    return None


def _classify(exc: UnexpectedInput) -> str | None:
    """The label of the common mistake this error looks like, or None.

    Lark's match_examples compares whole parser states, stack depth included, so a mistake
    nested one level deeper than its example would not match; when it finds nothing, the same
    examples are matched on the LALR state and the unexpected token alone.
    """
    def attempt(text: str) -> Tree[Token]:
        return grammar_parser().parse(text)

    if getattr(exc, "state", None) is None:
        return None
    try:
        label = exc.match_examples(attempt, _MISTAKES, use_accepts=True)
    except TypeError:
        # Lark formats a debug message eagerly with `%d` of a ParserState when two examples
        # reach the same state with different accepts (lark/exceptions.py, match_examples):
        # that case has no single answer anyway, so the state's own label decides, below.
        label = None
    if label is not None:
        return str(label)
    key = _state_key(exc)
    return None if key is None else _mistakes_by_state().get(key)


def _word_before(text: str, position: int) -> tuple[str, int] | None:
    """The last word before `position` on the same line, with its offset."""
    line_start = text.rfind("\n", 0, position) + 1
    found = list(_WORD.finditer(text, line_start, position))
    return (found[-1].group(0), found[-1].start()) if found else None


class _Mistake(NamedTuple):
    code: str
    message: str
    hint: str
    start: int | None = None  # offsets of the mistaken text when it is not the unexpected token
    end: int | None = None
    fix: str | None = None  # what replaces the mistaken text (start:end), when that is certain


# Lines of issue 19's aggregations that belong to one kind of block: where each goes.
_PLACED_LINES = {
    "aggregate": ("`aggregate` goes in the policy or inside an area, objective or group",
                  "an indicator is scored, not aggregated: write `aggregate NAME` in the block "
                  "that combines it, or in `policy { ... }` for the whole plan"),
    "rollup": ("`rollup` is set for the whole plan",
               "move `rollup rounded` (or `rollup unrounded`) into the plan's `policy { ... }`"),
    "link": ("`link` goes inside an area, objective or group",
             'write `link "CODE" 30%` among the children of the block that counts the node'),
}


def _out_of_place(exc: UnexpectedInput, text: str, position: int) -> _Mistake | None:
    """`aggregate`, `rollup` or `link` written where the grammar has no place for it."""
    if not isinstance(exc, UnexpectedToken):
        return None
    word, start = str(exc.token), position
    if word in _PLACED_LINES and word.upper() not in exc.expected:
        message, hint = _PLACED_LINES[word]
        return _Mistake("SL254", message, hint, start, start + len(word))
    # Inside a tree block `rollup rounded` reads as the use of an indicator named `rollup`,
    # and fails on `rounded` where the weight should be.
    before = _word_before(text, position)
    if before is not None and before[0] == "rollup" and set(exc.expected) == {"NUMBER"}:
        message, hint = _PLACED_LINES["rollup"]
        return _Mistake("SL254", message, hint, before[1], before[1] + len("rollup"))
    return None


def _friendly(exc: UnexpectedInput, text: str, position: int) -> _Mistake | None:
    """A named message for a mistake people often make, or None."""
    placed = _out_of_place(exc, text, position)
    if placed is not None:
        return placed
    rest = text[position:position + 12]
    if rest.startswith(",") and text[position - 1:position].isdigit() and rest[1:2].isdigit():
        number = re.match(r"\d[\d_]*,\d+", text[_number_start(text, position):])
        written = number.group(0) if number else "33,34"
        return _Mistake("SL112", "decimals are written with a point",
                        f"write {written.replace(',', '.')}, not {written} "
                        "(and no thousands separators)")
    date = _ITALIAN_DATE.match(rest)
    if date:
        day, month, year = date.groups()
        return _Mistake("SL113", "dates are written year-month-day",
                        f"write {year}-{int(month):02d}-{int(day):02d} (YYYY-MM-DD), "
                        f"not {date.group(0)}", position, position + len(date.group(0)))
    if text[max(position - 1, 0):position + 1] in ("=>", "=<"):
        swapped = ">=" if text[position] == ">" else "<="
        return _Mistake("SL115", f"`{text[position - 1:position + 1]}` is not a direction",
                        f"write `{swapped}`", position - 1, position + 1, swapped)
    if rest[:1] in (">", "<") and rest[1:2] != "=":
        return _Mistake("SL115", f"`{rest[0]}` alone is not a direction",
                        "write `>=` (at least), `<=` (at most) or `=`")
    label = _classify(exc)
    token = getattr(exc, "token", None)
    if label is None or label in _TABLE_LABELS:
        row = _table_row_mistake(text, position)
        if row is not None:
            return row
    if label == "missing_percent":
        number = _LAST_NUMBER.search(text, 0, position)
        written = number.group(1) if number else "the number"
        start, end = (number.start(1), number.end(1)) if number else (None, None)
        try:
            value = float(written.replace("_", ""))
        except ValueError:
            value = -1.0
        if 0 < value < 1 and "." in written:
            return _Mistake("SL111", f"weight {written} has no '%'",
                            f"weights are percentages: if {written} means {value * 100:g} %, "
                            f"write {value * 100:g}%", start, end, f"{value * 100:g}%")
        return _Mistake("SL110", f"{written} needs a '%'",
                        f"weights and bounds are percentages: write {written}%", start, end,
                        f"{written}%")
    if label == "missing_brace":
        word, start = str(token) if token is not None else "this", None
        if token is not None and token.type == "STRING":
            # `area "2"` inside a block reads as a reference to an indicator named `area`.
            before = _word_before(text, position)
            if before:
                word, start = before
        return _Mistake("SL117", f"`{word}` cannot start here: a block above is not closed",
                        "add the missing '}' before this line", start,
                        None if start is None else start + len(word))
    if label in ("word_instead_of_reference", "unknown_statement"):
        found: tuple[str, int] | None = (str(token), position) \
            if label == "unknown_statement" and token is not None else _word_before(text, position)
        if found:
            meant = closest(found[0], reserved_words())
            if meant:
                return _Mistake("SL114", f"unknown word `{found[0]}`", f"did you mean `{meant}`?",
                                found[1], found[1] + len(found[0]), meant)
        if label == "word_instead_of_reference":
            return _Mistake("SL103", "unexpected text after a name",
                            "an indicator is used as `name 25%`; objectives and groups start "
                            "with `objective` or `group`")
        return None
    if label == "missing_direction":
        return _Mistake("SL118", "a target needs a direction", "write `>=` (higher is better), "
                        "`<=` (lower is better) or `=` before the number, e.g. `target >= 300`")
    return None


_TABLE_LABELS = frozenset({"table_range_dash", "table_score", "points_without_maximum"})
# The opening of a score table, up to its '{' (`points` with or without its maximum).
_TABLE_OPEN = re.compile(r"\b(steps|points)\b[^{}\n]*\{")
_ROW_DASH = re.compile(r"(-?\d[\d_.]*)\s*(%?)\s*[-–—]\s*(\d[\d_.]*)\s*(%?)")
_TABLE_HELP = ("rows read `below 76% scores 0`, `76% to 90% scores 15 to 18`, "
               "`from 90% scores 20` (docs/language.md §5.6)")


def _in_table(text: str, position: int) -> bool:
    """Whether `position` is inside a `steps { ... }` or `points N { ... }` block."""
    opened = None
    for opened in _TABLE_OPEN.finditer(text, 0, position):
        pass
    return opened is not None and "}" not in text[opened.end():position]


def _table_row_mistake(text: str, position: int) -> _Mistake | None:
    """Rows of score tables as printed SMVPs write them, named: `76% - 90%` (a dash for `to`),
    `score` for `scores`, and `points { ... }` without the scale's maximum."""
    before = text[text.rfind("\n", 0, position) + 1:position]
    if re.search(r"\bpoints\s*$", before) and text[position:position + 1] == "{":
        return _Mistake("SL103", "a points table needs its maximum",
                        "write the top of the scale after `points`, e.g. `points 20 { ... }`: "
                        "rows score from 0 to it, and the indicator's score is points / maximum")
    if re.search(r"\bpoints\s+\d[\d_.]*\s*$", before) and text[position:position + 1] == "%":
        return _Mistake("SL103", "a points table's maximum is a number of points, without '%'",
                        "write e.g. `points 20 { ... }`; the rows' bounds are achievements in "
                        "percent, their scores points without '%'", position, position + 1)
    if not _in_table(text, position):
        return None
    line_end = text.find("\n", position)
    line = text[text.rfind("\n", 0, position) + 1:len(text) if line_end < 0 else line_end]
    line_start = text.rfind("\n", 0, position) + 1
    for dash in _ROW_DASH.finditer(line):
        start, end = line_start + dash.start(), line_start + dash.end()
        if start <= position <= end:
            low, low_pc, high, high_pc = dash.groups()
            written = f"`{low}{low_pc} to {high}{high_pc}`"
            if "scores" in line[:dash.start()]:
                why = f"write {written}: the score runs linearly from the first to the second"
            else:
                why = (f"write {written}: the row runs from the first achievement up to, not "
                       "including, the second")
            return _Mistake("SL103", "a range in a score table is written with `to`, not '-'",
                            f"{why}; {_TABLE_HELP}", start, end)
    word = _WORD.match(text, position)
    if word is not None and word.group(0) != "scores" \
            and did_you_mean(word.group(0), ["scores"]) is not None:
        return _Mistake("SL114", f"unknown word `{word.group(0)}`",
                        "did you mean `scores`? " + _TABLE_HELP, word.start(), word.end(), "scores")
    return None


# What the search for an unclosed block reads: braces, and the texts and comments that may
# hold braces which are not the language's.
_BRACE_OR_SKIPPED = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[{}]')
# Words that open a block: a line starting with one, indented no deeper than a block still
# open above it, belongs after that block's closing brace.
_BLOCK_WORDS = frozenset({"plan", "indicator", "area", "objective", "group", "scorecard",
                          "behaviours", "role", "reward", "rule", "policy", "component",
                          "period", "band", "tag"})


class _Block(NamedTuple):
    """A `{` of the text: where its line starts, its line number and indentation, and where
    its matching `}` is (None: still open where the parse stopped)."""

    line_start: int
    line: int
    indent: int
    closed_at: int | None


def _indent(text: str, line_start: int) -> int:
    return len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))


def _blocks(text: str, position: int) -> list[_Block]:
    """Every block opened before `position`, in the order opened, paired with its `}` by
    counting, as the parser paired them."""
    opened: list[tuple[int, int]] = []  # (offset of the '{', index in found)
    found: list[_Block] = []
    for match in _BRACE_OR_SKIPPED.finditer(text, 0, position):
        if match.group(0) == "{":
            start = text.rfind("\n", 0, match.start()) + 1
            opened.append((match.start(), len(found)))
            found.append(_Block(start, text.count("\n", 0, start) + 1, _indent(text, start),
                                None))
        elif match.group(0) == "}" and opened:
            _, index = opened.pop()
            found[index] = found[index]._replace(closed_at=match.start())
    return found


def _misplaced_line(text: str, block: _Block, position: int) -> tuple[int, str] | None:
    """The first line inside `block` that starts a block and is indented no deeper than the
    block's own opening line: (its offset, its first word). The layout says the block should
    have closed before it, whatever the braces counted."""
    end = block.closed_at if block.closed_at is not None else position
    start = text.find("\n", block.line_start)
    indented = False  # a file written flat says nothing by its layout
    while 0 <= start < end:
        start += 1
        line_end = text.find("\n", start)
        line = text[start:len(text) if line_end < 0 else line_end]
        word = _WORD.match(line.lstrip(" \t"))
        if word is not None and start <= end:
            if _indent(text, start) > block.indent:
                indented = True
            elif indented and word.group(0) in _BLOCK_WORDS:
                return start + _indent(text, start), word.group(0)
        start = line_end
    return None


def _opening(text: str, block: _Block) -> str:
    """How a person names a block: its line up to the '{' (`objective "10" "O" weight 50%`)."""
    line = text[block.line_start:].split("\n", 1)[0]
    head = " ".join(line.split("{", 1)[0].split())
    return head if len(head) <= 60 else head[:59] + "…"


def _unclosed_block(text: str, position: int) -> _Mistake | None:
    """The block whose `}` is missing, named at the line that opened it: the parser meets the
    mistake later (at the next `area`, or after a later `}` closed the wrong block), but the
    indentation of the lines says where the block should have ended. Without such a line, the
    innermost block still open where the parse stopped. None when no block is open."""
    blocks = _blocks(text, position)
    still_open = [block for block in blocks if block.closed_at is None]
    if not still_open:
        return None
    misplaced = [(found, block) for block in blocks
                 if (found := _misplaced_line(text, block, position)) is not None]
    if misplaced:
        # The earliest line out of place; of the blocks it is inside, the innermost.
        (offset, _), block = min(misplaced, key=lambda pair: (pair[0][0], -pair[1].line_start))
        before = text.count("\n", 0, offset) + 1
        word = _opening(text, _Block(offset, before, 0, None))
        others = [other for (where, _), other in misplaced
                  if where == offset and other is not block]
        also = "".join(f"; `{_opening(text, other)}` (line {other.line}) needs its '}}' there "
                       "too" for other in reversed(others))
        hint = f"close it with '}}' before line {before} (`{word}`), where its body ends{also}"
    else:
        block = still_open[-1]
        hint = "add its closing '}' where its body ends"
        if position < len(text):
            hint += f", before line {text.count(chr(10), 0, position) + 1} at the latest"
    name = _opening(text, block)
    start = block.line_start + block.indent
    return _Mistake("SL117", f"`{name}` (line {block.line}) is not closed", hint,
                    start, start + len(name))


def _number_start(text: str, position: int) -> int:
    start = position
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "_"):
        start -= 1
    return start


def _offset_span(filename: str, text: str, start: int, end: int) -> Span:
    """A span from character offsets (end exclusive) on one line."""
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(filename, line, column, line, column + max(end - start, 1) - 1)


def syntax_diagnostic(exc: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    position = getattr(exc, "pos_in_stream", None) or 0
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        position = exc.token.start_pos or position
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.splitlines() or [""]
        span = Span.point(filename, len(lines), len(lines[-1]) + 1)
        expected = _describe_expected(exc.expected)
        unclosed = _unclosed_block(text, len(text))
        if unclosed is not None and unclosed.hint.startswith("close"):
            # A block closed too early by layout, not just the last one left open.
            return error(unclosed.code, unclosed.message,
                         _offset_span(filename, text, unclosed.start or 0, unclosed.end or 0),
                         unclosed.hint)
        missing = "is a closing '}' missing?" if unclosed is None else \
            f"{unclosed.message[:-len(' is not closed')]} is not closed: add its '}}'"
        return error("SL102", "the file ends too early", span, f"expected {expected}; {missing}")
    if isinstance(exc, UnexpectedCharacters):
        span = Span.point(filename, line, column)
    else:
        assert isinstance(exc, UnexpectedToken)
        token = exc.token
        span = Span(filename, line, column, token.end_line or line,
                    (token.end_column - 1) if token.end_column else column)
    mistake = _friendly(exc, text, position)
    if mistake is not None and mistake.code == "SL117":
        # Met where the next block starts; named where the unclosed one opened.
        mistake = _unclosed_block(text, position) or mistake
    if mistake is not None:
        fix = None
        if mistake.start is not None and mistake.end is not None:
            span = _offset_span(filename, text, mistake.start, mistake.end)
            fix = None if mistake.fix is None else Fix(span, mistake.fix)
        return error(mistake.code, mistake.message, span, mistake.hint, fix)
    if isinstance(exc, UnexpectedCharacters):
        char = text[position] if position < len(text) else ""
        if char == '"':
            return error("SL116", "a text is not closed", span,
                         "add the closing double quote on the same line (texts cannot span lines)")
        return error("SL101", f"unexpected character {char!r}", span,
                     "remove it, or check the line against docs/language.md")
    assert isinstance(exc, UnexpectedToken)
    return error("SL103", f"unexpected {str(exc.token)!r}",
                 span, f"expected {_describe_expected(exc.expected)}")
