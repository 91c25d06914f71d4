"""The fast reader (`lalr` over `tables`) reads every text exactly as Lark does, or declines it.

Lark stays the grammar's authority: these tests hold the fast reader to Lark's parse of the
same text — the same plan (spans included), the same diagnostics, the same texts accepted —
on every rule file in the repository, the broken corpus, random plans and mutated plans.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from scorelang.syntax import build, parser
from scorelang import lalr, tables
from scorelang.diagnostics import ParseError

from .test_format import plan_text
from .test_fuzz import SAMPLE, mutated

ROOT = Path(__file__).resolve().parents[1]


def by_lark(text: str) -> object:
    try:
        tree = parser.parse(text, "t.score")
    except ParseError as exc:
        return ("syntax error", exc.diagnostics)
    return build.build(tree, text, "t.score")


def by_reader(text: str) -> object:
    try:
        return build.read(text, "t.score")
    except ParseError as exc:
        return ("syntax error", exc.diagnostics)


def declined(text: str) -> bool:
    return lalr.read(text, build._Builder("t.score", text).callback) is None


def assert_same_reading(text: str) -> None:
    assert by_reader(text) == by_lark(text)
    lark_accepts = not (isinstance(by_lark(text), tuple) and by_lark(text)[0] == "syntax error")
    assert declined(text) is not lark_accepts, "the fast reader and Lark disagree on the syntax"


def score_files() -> list[Path]:
    return sorted(p for folder in ("rules", "examples", "tests", "docs")
                  for p in (ROOT / folder).rglob("*.score"))


@pytest.mark.parametrize("path", score_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_file_reads_as_lark_reads_it(path: Path) -> None:
    assert_same_reading(path.read_text(encoding="utf-8"))


def test_the_modena_plan_is_read_without_lark() -> None:
    text = (ROOT / "rules" / "cciaa-modena-2020.score").read_text(encoding="utf-8")
    assert not declined(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_text())
def test_random_plans_read_as_lark_reads_them(text: str) -> None:
    assert_same_reading(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SAMPLE))
@example('plan p "P" { }\nindicator a "A" { target == 5 }')  # `==` is a comparison, not `=`
@example('plan p "P" { }\nindicator weightx "A" { }')
@example('plan p "P" { }\nindicator a "A" { deadline 2020-10-31 target >= 2020-10-31 }')
@example('plan p "P" { }\nindicator tags "A" { tags a, tagsx }')
@example('plan p "P" { }\nrule r { when score >= 5 and not tagged x flag a b "c" }')
@example("")
@example("# only a comment")
@example('plan p "P" { policy { } }  \t\n')
def test_mutated_plans_read_as_lark_reads_them(text: str) -> None:
    assert_same_reading(text)


def test_the_tables_are_those_lark_computes_for_the_grammar() -> None:
    """Changing grammar.lark without `python3 -m scorelang.tables` fails here."""
    stored = (Path(tables.__file__).parent / tables.TABLES_FILE).read_text(encoding="utf-8")
    assert stored == tables.render(tables.generate()), \
        "grammar_tables.json is out of date: run `python3 -m scorelang.tables`"


def test_tables_of_another_grammar_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    tables.load.cache_clear()
    monkeypatch.setattr(tables, "grammar_text", lambda: "start: NAME\n")
    try:
        with pytest.raises(tables.StaleTables, match="python3 -m scorelang.tables"):
            tables.load()
    finally:
        monkeypatch.undo()
        tables.load.cache_clear()
    assert tables.load().grammar_sha256 == tables.grammar_digest(tables.grammar_text())


def test_reading_a_plan_imports_no_lark(tmp_path: Path) -> None:
    script = ("import sys, json, scorelang\n"
              "scorelang.loads(open(sys.argv[1], encoding='utf-8').read(), 'm.score')\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'lark')))\n")
    found = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "rules" / "cciaa-modena-2020.score")],
        capture_output=True, text=True, check=True,
        env={"SCORELANG_CACHE": "off", "PATH": "/usr/bin:/bin"})
    assert json.loads(found.stdout) == []


def test_a_syntax_error_still_gets_larks_friendly_diagnostic() -> None:
    text = 'plan p "P" { }\nindicator a "A" { target 5 }\n'
    with pytest.raises(ParseError) as caught:
        build.read(text, "t.score")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line if diagnostic.span else None) == ("SL118", 2)
