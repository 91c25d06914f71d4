"""The highlighters of rule files read what the language reads.

Two highlighters colour rule files: the Pygments lexer (docs, Sphinx, MkDocs) and the TextMate
grammar of the VS Code extension (editors/vscode/), run here by a real TextMate engine on
Oniguruma, the regex library of VS Code's own. Over every rule text the project ships (rules/,
tests/broken/, the ```scorelang blocks of docs/ and the README) each must agree with Lark's
lexer, the language's own: where Lark reads every character, the highlighter shows no error
token; where Lark stops at a character, the highlighter's first error is that character.

An error token is, for Pygments, `Token.Error`; for TextMate, a non-blank character that gets
no scope but the root's, or the grammar's catch-all `invalid.illegal.scorelang`.

The TextMate grammar is written by editors/vscode/generate.py from `scorelang.syntax.words`;
it must be the file that script writes, and its keywords exactly the grammar's reserved words.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from lark.exceptions import UnexpectedCharacters
from pygments.token import Error
from textmate_grammar.parsers.base import LanguageParser

from scorelang.syntax.parser import LimitExceeded, grammar_parser, reserved_words
from scorelang.syntax.pygments_lexer import ScorelangLexer

ROOT = Path(__file__).resolve().parents[1]
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = VSCODE / "syntaxes" / "scorelang.tmLanguage.json"
ILLEGAL = "invalid.illegal.scorelang"

sys.path.insert(0, str(VSCODE))
generate = importlib.import_module("generate")


def _fenced_blocks(path: Path) -> list[tuple[str, str]]:
    """(where, text) of each ```scorelang block of a markdown file."""
    found, lines, start = [], None, 0
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if lines is None and line.strip() == "```scorelang":
            lines, start = [], number
        elif lines is not None and line.strip() == "```":
            found.append((f"{path.relative_to(ROOT)}:{start}", "\n".join(lines) + "\n"))
            lines = None
        elif lines is not None:
            lines.append(line)
    return found


def _texts() -> list[tuple[str, str]]:
    # tests/regressions/ holds the fuzzers' hostile inputs (replayed by tests/test_fuzz.py),
    # not rule text anyone edits.
    files = sorted(ROOT.glob("rules/*.score")) + sorted(
        path for path in ROOT.glob("tests/**/*.score") if "regressions" not in path.parts)
    texts = [(str(path.relative_to(ROOT)), path.read_text("utf-8")) for path in files]
    for page in sorted(ROOT.glob("docs/**/*.md")) + [ROOT / "README.md"]:
        texts += _fenced_blocks(page)
    return texts


TEXTS = _texts()


def lark_stops_at(text: str) -> int | None:
    """The offset of the first character Lark's lexer cannot read, or None: it reads all."""
    try:
        for _ in grammar_parser().lex(text):
            pass
    except UnexpectedCharacters as exc:
        return exc.pos_in_stream
    except LimitExceeded:
        # Past a limit of rule text (docs/diagnostics.md's SL122–SL124 examples): made of
        # tokens the language reads, only too deep or too long, so no character is an error.
        return None
    return None


def pygments_errors(text: str) -> list[int]:
    """The offsets of Pygments' error tokens."""
    return [at for at, token, _ in ScorelangLexer().get_tokens_unprocessed(text)
            if token in Error]


@functools.lru_cache(maxsize=1)
def textmate() -> LanguageParser:
    return LanguageParser(json.loads(GRAMMAR.read_text("utf-8")))


def textmate_errors(text: str) -> list[int]:
    """The offsets of TextMate's error tokens: a catch-all match, or a non-blank character that
    no rule of the grammar named."""
    if not text.strip():
        return []  # the engine fails on a text with no token at all (an IndexError)
    # ... and on a last line that ends in blanks: every file this test reads ends a line
    text = text if text.endswith("\n") else text + "\n"
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    errors = []
    for (line, column), token, scopes in textmate().parse_string(text).flatten():
        if ILLEGAL in scopes or (token.strip() and scopes == [generate.SCOPE]):
            errors.append(line_starts[line] + column + len(token) - len(token.lstrip()))
    return errors


def test_the_corpus_is_what_the_project_ships():
    where = [name for name, _ in TEXTS]
    assert "rules/cciaa-modena-2020.score" in where
    assert any(name.startswith("tests/broken/") for name in where)
    assert sum(name.startswith("docs/language.md:") for name in where) >= 10
    assert sum(name.startswith("docs/diagnostics.md:") for name in where) > 100
    # the corpus holds texts Lark stops in, so the other half of the agreement is tested too
    assert any(lark_stops_at(text) is not None for _, text in TEXTS)


@pytest.mark.parametrize("highlighter", [pygments_errors, textmate_errors],
                         ids=["pygments", "textmate"])
def test_every_shipped_rule_text_is_highlighted_as_lark_reads_it(highlighter):
    wrong = []
    for name, text in TEXTS:
        stops = lark_stops_at(text)
        errors = highlighter(text)
        if (errors[0] if errors else None) != stops:
            wrong.append(f"{name}: Lark stops at {stops}, the highlighter's errors at {errors}")
    assert not wrong, "\n".join(wrong)


# Pieces of rule text, right and wrong, for random texts.
_PIECES = ["plan", "indicator", "target", "tbd", "and", "rescaled", "x_1", "Área", "ends",
           '"text"', '"esc\\"aped"', '"', "\\", "2020-06-30", "2020/06/30", "2020-6-30", "12",
           "-3.5", "1_000", "3,92", "1.", "%", ">=", "<=", "=", "==", "!=", ">", "<", "!", "{",
           "}", "(", ")", ",", "-", ".", "# note", "\t", " ", "\n", "'", "planning", "_"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12))
@pytest.mark.parametrize("highlighter", [pygments_errors, textmate_errors],
                         ids=["pygments", "textmate"])
def test_any_text_is_highlighted_as_lark_reads_it(highlighter, pieces):
    text = "".join(pieces)
    errors = highlighter(text)
    assert (errors[0] if errors else None) == lark_stops_at(text), repr(text)


def test_the_textmate_grammar_is_the_one_the_script_writes():
    assert GRAMMAR.read_text("utf-8") == generate.text(), \
        "run `PYTHONPATH=src python3 editors/vscode/generate.py`"
    assert generate.main(["--check"]) == 0


def test_the_textmate_grammar_colours_exactly_the_reserved_words():
    repository = json.loads(GRAMMAR.read_text("utf-8"))["repository"]
    coloured: list[str] = []
    for kind in ("declaration", "logic", "keyword"):
        alternatives = re.fullmatch(r"\\b\(\?:(.*)\)\\b", repository[kind]["match"])
        assert alternatives, repository[kind]["match"]
        coloured += alternatives[1].split("|")
    assert sorted(coloured) == sorted(reserved_words())


def test_the_declared_name_is_scoped_as_an_entity():
    tokens = textmate().parse_string('indicator export "Export" { target >= 25% }\n').flatten()
    scopes = {token: scopes[-1] for _, token, scopes in tokens if token.strip()}
    assert scopes["indicator"] == "storage.type.scorelang"
    assert scopes["export"] == "entity.name.type.scorelang"
    assert scopes["target"] == "keyword.other.scorelang"
    assert scopes["%"] == "keyword.other.unit.percent.scorelang"


def test_pygments_finds_the_lexer_through_the_entry_point_pyproject_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    target = project["entry-points"]["pygments.lexers"]["scorelang"]
    module, _, name = target.partition(":")
    assert getattr(importlib.import_module(module), name) is ScorelangLexer
    assert "pygments>=2.15" in project["optional-dependencies"]["highlight"]
    assert ScorelangLexer.aliases == ["scorelang"] and ScorelangLexer.filenames == ["*.score"]


def test_the_lexer_names_the_tokens_readers_see():
    tokens = [(str(token), value) for token, value in ScorelangLexer().get_tokens(
        'indicator x "X" { deadline 2020-11-30 target >= 12.5% } # why\n')
        if value.strip()]
    assert tokens == [
        ("Token.Keyword.Declaration", "indicator"), ("Token.Name.Class", "x"),
        ("Token.Literal.String.Double", '"X"'), ("Token.Punctuation", "{"),
        ("Token.Keyword", "deadline"), ("Token.Literal.Date", "2020-11-30"),
        ("Token.Keyword", "target"), ("Token.Operator", ">="),
        ("Token.Literal.Number", "12.5"), ("Token.Literal.Number", "%"),
        ("Token.Punctuation", "}"),
        ("Token.Comment.Single", "# why")]
