"""A Pygments lexer for rule files, so that docs and any Sphinx or MkDocs site colour
```scorelang blocks.

Pygments is optional (the `highlight` extra): only this module imports it, and nothing in the
package imports this module; Pygments finds it through the `pygments.lexers` entry point in
pyproject.toml. The token patterns and the reserved words are `words.patterns()`, read from the
grammar when this module is imported, so the lexer never drifts from the language; this module
only says which Pygments token each kind is. A character the language cannot read comes out as
`Token.Error`, as Lark's lexer would stop at it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups
from pygments.token import (Comment, Keyword, Literal, Name, Number, Operator, Punctuation,
                            String, Whitespace, _TokenType)

from . import words

# The Pygments token of each kind of `words.patterns()`; a kind with groups gets a list, one
# token per group (a list, because a Pygments token type is itself a tuple).
TOKENS: dict[str, _TokenType | list[_TokenType]] = {
    "comment": Comment.Single,
    "string": String.Double,
    "date": Literal.Date,
    "number": [Number, Number],
    "percent": Number,
    "declared": [Keyword.Declaration, Whitespace, Name.Class],
    "declaration": Keyword.Declaration,
    "logic": Operator.Word,
    "keyword": Keyword,
    "name": Name,
    "operator": Operator,
    "brace": Punctuation,
    "paren": Punctuation,
    "comma": Punctuation,
}


def _rule(pattern: words.Pattern) -> tuple[str, Any]:
    token = TOKENS[pattern.kind]
    if isinstance(token, list):
        return pattern.regex, bygroups(*token)  # type: ignore[no-untyped-call]
    return pattern.regex, token


class ScorelangLexer(RegexLexer):
    """Rule files of scorelang (`*.score`)."""

    name = "scorelang"
    aliases: ClassVar[list[str]] = ["scorelang"]
    filenames: ClassVar[list[str]] = ["*.score"]
    mimetypes: ClassVar[list[str]] = ["text/x-scorelang"]

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": [(r"\s+", Whitespace)] + [_rule(p) for p in words.patterns()],
    }
