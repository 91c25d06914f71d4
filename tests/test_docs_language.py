"""docs/language.md covers the whole language (issue 18, point 5).

Every keyword of the grammar (read from grammar.lark through `reserved_words`, never listed by
hand) is written in the page as code, and every ```scorelang block of the page parses. A block
that is only the inside of a block (an objective of an area, the settings of an indicator) says
so with a marker line right before its fence, `<!-- fragment: area -->` or
`<!-- fragment: indicator -->`: it is parsed wrapped in that block, and must not parse alone
(a marker on a whole file would hide that the file is wrong).
"""

from __future__ import annotations

import re

import pytest

from scorelang.diagnostics import ParseError
from scorelang.syntax.parser import parse, reserved_words

from .conftest import ROOT

PAGE = ROOT / "docs" / "language.md"
WRAPPERS = {
    "area": 'area "0" "Ambito" {{\n{}\n}}\n',
    "indicator": 'indicator esempio "Esempio" {{\n{}\n}}\n',
}
_BLOCK = re.compile(r"((?:<!--[^\n]*-->\n)*)```scorelang\n(.*?)```", re.S)
_FRAGMENT = re.compile(r"<!-- fragment: (\w+) -->")


def blocks(text: str) -> list[tuple[int, str | None, str]]:
    """(line, fragment kind or None, code) of each ```scorelang block."""
    found = []
    for match in _BLOCK.finditer(text):
        marker = _FRAGMENT.search(match.group(1))
        line = text.count("\n", 0, match.start(2))
        found.append((line, marker.group(1) if marker else None, match.group(2)))
    return found


def _parses(code: str) -> bool:
    try:
        parse(code, "language.md")
    except ParseError:
        return False
    return True


def test_every_keyword_of_the_grammar_is_documented():
    text = PAGE.read_text(encoding="utf-8")
    spans = " ".join(re.findall(r"`([^`\n]+)`", text))
    code = spans + " ".join(code for _, _, code in blocks(text))
    words = set(re.findall(r"[A-Za-z_]\w*", code))
    assert sorted(reserved_words() - words) == []


@pytest.mark.parametrize("line,fragment,code", blocks(PAGE.read_text(encoding="utf-8")),
                         ids=lambda value: str(value) if isinstance(value, int) else None)
def test_every_scorelang_block_parses(line, fragment, code):
    if fragment is None:
        assert _parses(code), f"docs/language.md:{line}: the block does not parse"
        return
    assert fragment in WRAPPERS, f"docs/language.md:{line}: unknown fragment kind {fragment}"
    assert _parses(WRAPPERS[fragment].format(code)), \
        f"docs/language.md:{line}: the {fragment} fragment does not parse inside its block"
    assert not _parses(code), \
        f"docs/language.md:{line}: a whole file marked as a fragment: drop the marker"


def test_the_checker_catches_what_it_should():
    # The page's tests are only as good as their reading of it: a broken block and an
    # undocumented keyword are seen.
    page = 'x\n\n<!-- fragment: area -->\n```scorelang\nobjective "1" "O" { a 100% }\n```\n' \
        '```scorelang\nplan p "P" {\n```\n'
    (first, second) = blocks(page)
    assert first[1] == "area" and _parses(WRAPPERS["area"].format(first[2]))
    assert second[1] is None and not _parses(second[2])
