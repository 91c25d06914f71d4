"""The language's words and tokens as a highlighter sees them, read from the grammar.

Every editor and documentation highlighter of scorelang (the Pygments lexer beside this module,
the TextMate grammar that `editors/vscode/generate.py` writes) colours the same words the same
way: this module is where they are decided, once. The reserved words come from the grammar
(`parser.reserved_words`), so a keyword added to `grammar.lark` is highlighted everywhere
without being listed again; the groups below only say which of them open a declaration and
which join conditions, and `groups()` fails if the grammar no longer has one of them.

`patterns()` are the grammar's own terminals (`COMMENT`, `STRING`, `DATE`, `NUMBER`, `NAME`,
`DIRECTION`, `COMPARE`, the punctuation) in the order a highlighter tries them, written in the
regex dialect that Python's `re` and Oniguruma (TextMate's engine) read alike: on a line, both
highlighters cut a rule file into the tokens Lark's lexer would.
"""

from __future__ import annotations

from typing import NamedTuple

from .parser import reserved_words

# Words that open a declaration: the name after them (if a NAME) is what they declare.
DECLARATIONS = ("plan", "period", "band", "policy", "tag", "indicator", "area", "objective",
                "group", "link", "scorecard", "component", "behaviours", "role", "reward",
                "rule")
# Words that join the conditions of an advice rule.
LOGIC = ("and", "or", "not")

# The grammar's terminals (grammar.lark), as highlighters match them.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_NUMBER = r"-?\d[\d_]*(?:\.\d[\d_]*)?"


class Groups(NamedTuple):
    """The reserved words by role, each sorted; together exactly `parser.reserved_words()`."""

    declarations: tuple[str, ...]
    logic: tuple[str, ...]
    keywords: tuple[str, ...]  # every other reserved word: settings, table rows, ...


class Pattern(NamedTuple):
    """One kind of token and the regex that finds it; `patterns()` tries them in order."""

    kind: str
    regex: str


def groups() -> Groups:
    """The grammar's reserved words, grouped for highlighting."""
    reserved = reserved_words()
    named = set(DECLARATIONS) | set(LOGIC)
    gone = sorted(named - reserved)
    if gone:  # a word dropped from the grammar must not stay coloured as a keyword
        raise LookupError("no longer reserved by grammar.lark: " + ", ".join(gone))
    return Groups(tuple(sorted(DECLARATIONS)), tuple(sorted(LOGIC)),
                  tuple(sorted(reserved - named)))


def _alternatives(names: tuple[str, ...]) -> str:
    return r"\b(?:%s)\b" % "|".join(names)


def patterns() -> tuple[Pattern, ...]:
    """The token kinds of a rule file, in the order a highlighter tries them at each place
    (whitespace aside: it separates tokens and is no token of its own). Whatever none of them
    matches is a character the language cannot read.

    Kinds whose regex has groups: `number` (1 the number, 2 an optional %), `declared` (1 the
    declaring word, 2 the space, 3 the name declared: `indicator export_provinciale`)."""
    words = groups()
    return (
        Pattern("comment", r"#[^\n]*"),
        Pattern("string", r'"(?:[^"\\\n]|\\.)*"'),
        Pattern("date", r"\d{4}-\d{2}-\d{2}"),  # DATE comes before NUMBER (priority 2)
        Pattern("number", rf"({_NUMBER})(%?)"),
        Pattern("percent", r"%"),  # `unit %`
        Pattern("declared", rf"\b({'|'.join(words.declarations)})([ \t]+)({_NAME})"),
        Pattern("declaration", _alternatives(words.declarations)),
        Pattern("logic", _alternatives(words.logic)),
        Pattern("keyword", _alternatives(words.keywords)),
        Pattern("name", _NAME),
        # DIRECTION (>=, <=, =) and COMPARE (==, !=, >=, <=, >, <), longest first
        Pattern("operator", r"==|!=|>=|<=|=|>|<"),
        Pattern("brace", r"[{}]"),
        Pattern("paren", r"[()]"),
        Pattern("comma", r","),
    )
