"""Write the TextMate grammar of rule files (syntaxes/scorelang.tmLanguage.json) from the grammar.

The grammar's words and tokens are `scorelang.syntax.words.patterns()`, the same the Pygments
lexer uses; this script only says which TextMate scope each kind of token gets. Run it after
changing grammar.lark (tests/test_highlight.py fails until the file is written anew):

    PYTHONPATH=src python3 editors/vscode/generate.py

`--check` exits 1, writing nothing, when the file on disk is not what the script would write.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scorelang.syntax import words

OUTPUT = Path(__file__).resolve().parent / "syntaxes" / "scorelang.tmLanguage.json"
SCOPE = "source.scorelang"

# The scope of each kind of token (a kind with groups: the scope of the whole match, then one
# per group); scope names follow TextMate's conventions, which every colour theme styles.
SCOPES: dict[str, str | list[str]] = {
    "comment": "comment.line.number-sign",
    "string": "string.quoted.double",
    "date": "constant.numeric.date",
    "number": ["constant.numeric", "constant.numeric.value", "keyword.other.unit.percent"],
    "percent": "keyword.other.unit.percent",
    "declared": ["meta.declaration", "storage.type", "", "entity.name.type"],
    "declaration": "storage.type",
    "logic": "keyword.operator.logical",
    "keyword": "keyword.other",
    "name": "variable.other",
    "operator": "keyword.operator.comparison",
    "brace": "punctuation.section.block",
    "paren": "punctuation.section.parens",
    "comma": "punctuation.separator.comma",
}
# Whatever no pattern matches is a character the language cannot read (Lark stops at it).
ILLEGAL = "invalid.illegal"


def _scoped(name: str) -> str:
    return f"{name}.scorelang"


def _rule(pattern: words.Pattern) -> dict[str, Any]:
    scope = SCOPES[pattern.kind]
    if isinstance(scope, str):
        return {"name": _scoped(scope), "match": pattern.regex}
    whole, *groups = scope
    return {"name": _scoped(whole), "match": pattern.regex,
            "captures": {str(i): {"name": _scoped(group)}
                         for i, group in enumerate(groups, start=1) if group}}


def grammar() -> dict[str, Any]:
    """The TextMate grammar, as VS Code (and any TextMate engine) reads it."""
    rules = {pattern.kind: _rule(pattern) for pattern in words.patterns()}
    rules["illegal"] = {"name": _scoped(ILLEGAL), "match": r"\S"}
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/"
                   "tmlanguage.json",
        "name": "scorelang",
        "scopeName": SCOPE,
        "fileTypes": ["score"],
        "comment": "Written by editors/vscode/generate.py from scorelang.syntax.words: "
                   "do not edit by hand.",
        "patterns": [{"include": f"#{kind}"} for kind in rules],
        "repository": rules,
    }


def text() -> str:
    return json.dumps(grammar(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the grammar on disk is not up to date; write nothing")
    args = parser.parse_args(argv)
    wanted = text()
    if args.check:
        current = OUTPUT.read_text("utf-8") if OUTPUT.exists() else ""
        if current != wanted:
            print(f"{OUTPUT} is out of date: run editors/vscode/generate.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(wanted, "utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
