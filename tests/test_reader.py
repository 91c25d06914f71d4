"""Reading rule text: Lark's parse, the builder (`syntax.build`) called as Lark reduces each rule.

What these tests hold: every rule file in the repository reads; spans are where the text is
(lines and columns from 1, the end column inclusive), on LF, CRLF and tab-indented text; the
plan built while parsing is the one built from Lark's tree (every rule file, and generated
plans); a syntax error gets the friendly diagnostic; what the builder raises reaches the
caller as it is. The parser's own cache is `test_parser_cache.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import attrs
from hypothesis import HealthCheck, given, settings

from scorelang import model
from scorelang.diagnostics import Diagnostic, ParseError, Span
from scorelang.syntax import build, parser

from .test_format import plan_text

ROOT = Path(__file__).resolve().parents[1]


def score_files() -> list[Path]:
    # tests/regressions/ holds the fuzzers' crashing inputs: hostile on purpose, and replayed
    # by tests/test_fuzz.py through their readers.
    return sorted(p for folder in ("rules", "examples", "tests", "docs")
                  for p in (ROOT / folder).rglob("*.score")
                  if "regressions" not in p.relative_to(ROOT).parts)


@pytest.mark.parametrize("path", score_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_file_in_the_repository_reads(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name.startswith("syntax-"):  # tests/broken: one syntax error each, by design
        with pytest.raises(ParseError) as caught:
            build.read(text, str(path))
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.code.startswith("SL1") and diagnostic.span is not None
        return
    plan, _ = build.read(text, str(path))
    assert (plan is None) is (path.name == "literal-no-plan.score")


@pytest.mark.parametrize("path", [p for p in score_files() if not p.name.startswith("syntax-")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_plan_built_while_parsing_is_the_plan_of_lark_s_tree(path: Path) -> None:
    # The reading parser keeps every token and drops the grammar's literal ones itself
    # (`parser.named_terminals`); the tree parser lets Lark drop them and propagate positions.
    text = path.read_text(encoding="utf-8")
    assert same_reading(build.read(text, str(path)),
                        build.build(parser.parse(text, str(path)), str(path)))


def same_reading(one: tuple[model.PlanDefinition | None, list[Diagnostic]],
                 other: tuple[model.PlanDefinition | None, list[Diagnostic]]) -> bool:
    """Equal plans and diagnostics, spans included (the model's equality leaves them out)."""
    def fields(plan: model.PlanDefinition | None) -> object:
        return None if plan is None else attrs.asdict(plan)
    return (fields(one[0]), one[1]) == (fields(other[0]), other[1])


@given(plan_text())
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_generated_plans_build_alike_while_parsing_and_from_the_tree(text: str) -> None:
    assert same_reading(build.read(text, "g.score"),
                        build.build(parser.parse(text, "g.score"), "g.score"))


def test_the_modena_plan_reads_whole() -> None:
    path = ROOT / "rules" / "cciaa-modena-2020.score"
    plan, found = build.read(path.read_text(encoding="utf-8"), str(path))
    assert plan is not None and found == []
    assert plan.id == "cciaa_modena_2020" and len(plan.areas) == 3 and plan.indicators


SPANS_TEXT = (
    'plan p "P" {\n'
    '  period H1 "Half" ends 2020-06-30\n'
    '  policy { floor 0% cap 120% }\n'
    '  tag covid "Covid"\n'
    '}\n'
    'indicator a "A" {\n'
    '  target >= 10\n'
    '  tags covid\n'
    '}\n'
    'area "1" "Area" weight 100% {\n'
    '  objective "1.1" "O" weight 100% {\n'
    '    a 100%\n'
    '  }\n'
    '}\n'
    'rule r { when score < 50% and not tagged covid flag low warning "low: {score}" }\n')

# (line, column, end line, end column) of each piece of SPANS_TEXT: the values the builder
# gave before it became a Transformer (reading offsets), pinned.
SPANS = {
    "plan": (1, 1, 5, 1), "period": (2, 3, 2, 34), "policy": (3, 3, 3, 30),
    "tag": (4, 3, 4, 19), "indicator": (6, 1, 9, 1), "target": (7, 3, 7, 14),
    "tag reference": (8, 8, 8, 12), "area": (10, 1, 14, 1), "area weight": (10, 24, 10, 27),
    "objective": (11, 3, 13, 3), "reference": (12, 5, 12, 10),
    "reference weight": (12, 7, 12, 10), "rule": (15, 1, 15, 80),
    "rule message": (15, 65, 15, 78), "tagged": (15, 42, 15, 46), "compare": (15, 15, 15, 25),
}


def spans_of(text: str) -> dict[str, tuple[int, int, int, int]]:
    plan, found = build.read(text, "t.score")
    assert plan is not None and found == []
    indicator, area = plan.indicators[0], plan.areas[0]
    objective = area.children[0]
    assert isinstance(objective, model.Objective)
    reference = objective.children[0]
    assert isinstance(reference, model.Reference) and area.weight is not None
    rule = plan.rules[0]
    condition = rule.condition
    assert isinstance(condition, model.All) and isinstance(condition.conditions[1], model.Not)
    assert indicator.target is not None
    spans: dict[str, Span | None] = {
        "plan": plan.span, "period": plan.periods[0].span, "policy": plan.policy.span,
        "tag": plan.tags[0].span, "indicator": indicator.span, "target": indicator.target.span,
        "tag reference": indicator.tags[0].span, "area": area.span,
        "area weight": area.weight.span, "objective": objective.span,
        "reference": reference.span, "reference weight": reference.weight.span,
        "rule": rule.span, "rule message": rule.message_span,
        "tagged": getattr(condition.conditions[1].condition, "span"),
        "compare": getattr(condition.conditions[0], "span"),
    }
    out = {}
    for name, span in spans.items():
        assert span is not None and span.file == "t.score", name
        out[name] = (span.line, span.column, span.end_line, span.end_column)
    return out


def test_spans_are_the_lines_and_columns_of_the_text_end_inclusive() -> None:
    assert spans_of(SPANS_TEXT) == SPANS


def test_spans_count_a_crlf_line_end_as_one_and_a_tab_as_one_column() -> None:
    assert spans_of(SPANS_TEXT.replace("\n", "\r\n")) == SPANS
    shifted = spans_of("\n\n" + SPANS_TEXT.replace("  ", "\t"))
    assert shifted["plan"] == (3, 1, 7, 1)
    assert shifted["period"] == (4, 2, 4, 33)
    assert shifted["reference weight"] == (14, 5, 14, 8)
    assert shifted["rule message"] == (17, 65, 17, 78)


def covered(text: str, span: Span) -> str:
    """The text a span covers. Lines end at "\\n" only (not at the other line breaks that
    str.splitlines knows, which a comment or a text may hold)."""
    lines = [line + "\n" for line in text.split("\n")]
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1:span.end_column]
    return (lines[span.line - 1][span.column - 1:]
            + "".join(lines[span.line:span.end_line - 1])
            + lines[span.end_line - 1][:span.end_column])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_text())
def test_spans_cover_the_text_of_what_they_name(text: str) -> None:
    plan, _ = build.read(text, "t.score")
    assert plan is not None and plan.span is not None
    # Blanks and comments may stand between any two tokens: the words are matched, not the gaps.
    assert re.match(r"plan\b", covered(text, plan.span)) and covered(text, plan.span)[-1] == "}"
    for indicator in plan.indicators:
        assert indicator.span is not None
        written = covered(text, indicator.span)
        assert re.match(rf"indicator\b.*?\b{indicator.id}\b", written, re.S), written
        assert written.endswith("}")
    for node in model.walk(plan):
        item = node.node
        if isinstance(item, model.Reference):
            assert item.span is not None and item.weight.span is not None
            assert covered(text, item.span).startswith(item.indicator)
            assert covered(text, item.weight.span).endswith("%")


def test_a_syntax_error_gets_the_friendly_diagnostic() -> None:
    text = 'plan p "P" { }\nindicator a "A" { target 5 }\n'
    with pytest.raises(ParseError) as caught:
        build.read(text, "t.score")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == ("SL118", "a target needs a direction")
    assert diagnostic.span == Span("t.score", 2, 26, 2, 26)


def test_what_a_rule_method_raises_reaches_the_caller_unwrapped(monkeypatch) -> None:
    # Lark's Transformer would wrap it in VisitError; the inline builder's methods are
    # Lark's callbacks, whose exceptions it passes on; the tree's builder calls them itself.
    def broken(self: object, meta: object, children: object) -> None:
        raise ArithmeticError("the builder's own bug")

    monkeypatch.setattr(build._Builder, "percent", broken)
    text = 'plan p "P" { policy { floor 0% } }'
    with pytest.raises(ArithmeticError, match="the builder's own bug"):
        build.read(text, "t.score")
    with pytest.raises(ArithmeticError, match="the builder's own bug"):
        build.build(parser.parse(text, "t.score"), "t.score")


def test_a_grammar_rule_the_builder_does_not_know_is_named() -> None:
    tree = parser.parse('plan p "P" { }', "t.score")
    tree.children[0].data = "no_such_rule"  # type: ignore[union-attr]
    with pytest.raises(LookupError, match="no method for grammar rule `no_such_rule`"):
        build.build(tree, "t.score")
