"""`verify`: every published figure against the rules, at the decimals it was printed with.

The Modena figures are the document's (examples/cciaa-modena-2020/pubblicati-2020-06.yaml); the
tolerance cases use a one-indicator plan whose score is an exact decimal chosen by hand, so the
boundary is decided by decimal arithmetic, not by binary noise.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import yaml

import scorelang
from scorelang.diagnostics import Diagnostic
from scorelang.engine.rounding import half_up
from scorelang.report.verify import verify_json, verify_text
from scorelang.tools.verify import (OUTCOMES, Check, PublishedError, Verification, load_published,
                              loads_published, parse_figure, settled, verify)

from .conftest import MODENA_PUBLISHED, MODENA_VALUES, ROOT

# ---- Modena ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def modena(modena_plan, modena_result) -> Verification:
    published = load_published(MODENA_PUBLISHED)
    return verify(modena_plan, modena_result, published, scorelang.load_values(MODENA_VALUES))


def test_every_figure_printed_in_the_modena_file_is_checked(modena):
    printed = yaml.safe_load(MODENA_PUBLISHED.read_text(encoding="utf-8"))
    # A summary row prints two figures: the objective's score and its weight.
    expected = len(printed["scores"]) + len(printed["values"]) + 2 * len(printed["summary"])
    assert expected == 140 + 73 + 2 * 10
    assert len(modena.checks) == expected
    kinds = [check.entry.kind for check in modena.checks]
    assert kinds.count("score") == 140 and kinds.count("value") == 73
    assert kinds.count("summary_score") == kinds.count("weight") == 10


def test_modena_area_1_is_the_one_figure_the_rules_do_not_reproduce(modena):
    # 62.955674… × 33.34 % + 97.5 × 33.33 % + 53.835443… × 33.33 % = 71.429525… -> 71,43 %.
    (area_1,) = modena.discrepancies
    assert (area_1.entry.kind, area_1.entry.ref, area_1.entry.figure.text) == ("score", "1",
                                                                               "73,43%")
    assert area_1.outcome == "differs"
    assert area_1.shown == Decimal("71.43")
    assert area_1.difference is not None
    assert half_up(float(area_1.difference), 2) == Decimal("-2.00")
    assert modena.reconciled == len(modena.checks) - 1
    assert modena.exit_code == 1


def test_modena_area_1_explanation_is_its_sum_and_its_three_objectives(modena):
    (area_1,) = modena.discrepancies
    explanation = area_1.explanation
    assert explanation is not None and explanation.depth == 0
    assert [(c.id, c.share.weight) for c in explanation.node.children] == [
        ("301", 33.34), ("401", 33.33), ("402", 33.33)]


def test_c2_4_01_reconciles_because_the_value_is_recorded_as_implied(modena, modena_result):
    # Printed 6,41 %; recorded 6.413, which its printed achievement 64,13 % implies.
    (value,) = [c for c in modena.checks if c.entry.kind == "value"
                and c.entry.ref == "c2_4_01_evasione_verbali"]
    assert value.entry.figure.text == "6,41 %" and value.recomputed == 6.413
    assert value.reconciles  # |6.413 − 6.41| = 0.003 ≤ 0.005
    assert modena_result["701.C2.1/c2_4_01_evasione_verbali"].score == pytest.approx(64.13)


def test_c2_4_01_recorded_as_printed_would_break_four_printed_figures(modena_plan):
    # With 6.41: 64,10 % (printed 64,13), 701.C2.1 44,66 (44,67), 701 81,004… (81,01, twice).
    values = scorelang.load_values(MODENA_VALUES)
    as_printed = scorelang.Values({**values.values, "c2_4_01_evasione_verbali": 6.41},
                                  values.plan, values.period, values.as_of)
    result = modena_plan.evaluate(as_printed)
    found = verify(modena_plan, result, load_published(MODENA_PUBLISHED),
                   as_printed)
    assert [(c.entry.kind, c.entry.ref) for c in found.discrepancies] == [
        ("score", "1"), ("score", "701"), ("score", "701.C2.1"),
        ("score", "701.C2.1/c2_4_01_evasione_verbali"), ("summary_score", "701")]


def test_modena_text_shows_the_slip_and_its_explanation(modena):
    text = verify_text(modena, "en")
    assert text.startswith("Published figures: ")
    assert "Plan: Piano della performance 2020 — CCIAA Modena (cciaa_modena_2020); period H1; " \
           "monitoring date 2020-06-30" in text
    assert ("233 figures checked (140 scores, 73 values, 10 summary scores, 10 summary weights): "
            "232 reconcile, 1 does not") in text
    assert '1. score of area 1 "Competitività delle imprese"' in text
    assert "printed:    73,43%  (2 decimals: reconciles within ±0,005)" in text
    assert "recomputed: 71,43 %  (unrounded 71,429525364)" in text
    assert "difference: -2,00 points (recomputed − printed)" in text
    assert "sum: Σ weight × score = 33.34 % × 62.96 % + 33.33 % × 97.50 % + 33.33 % × 53.84 % " \
           "= 71.43 %" in text
    for line in ('objective 301 "Internazionalizzazione": 62.96 %, weight 33.34 %',
                 'objective 401 "Digitalizzazione, sviluppo e qualificazione aziendale dei '
                 'prodotti": 97.50 %, weight 33.33 %',
                 'objective 402 "Orientamento al lavoro": 53.84 %, weight 33.33 %'):
        assert line in text
    assert text.endswith("1 of 233 published figures does not reconcile with the rules.\n")


def test_modena_json_lists_every_figure_and_the_discrepancy_with_its_explanation(modena):
    data = json.loads(verify_json(modena))
    assert data["format_version"] == 2
    assert data["plan"] == {"id": "cciaa_modena_2020",
                            "title": "Piano della performance 2020 — CCIAA Modena"}
    assert (data["period"], data["as_of"], data["locale"]) == ("H1", "2020-06-30", "it")
    assert data["counts"] == {"checked": 233, "reconciled": 232, "discrepancies": 1}
    assert data["exit_code"] == 1
    assert len(data["figures"]) == 233
    assert {figure["outcome"] for figure in data["figures"]} <= set(OUTCOMES)
    first = data["figures"][0]
    assert set(first) == {"kind", "ref", "subject", "title", "outcome", "printed", "recomputed",
                          "recomputed_shown", "difference", "note", "location"}
    assert set(first["printed"]) == {"text", "number", "date", "places", "unit", "tolerance"}
    (slip,) = data["discrepancies"]
    assert slip["ref"] == "1" and slip["outcome"] == "differs"
    assert slip["printed"] == {"text": "73,43%", "number": 73.43, "date": None, "places": 2,
                               "unit": "%", "tolerance": 0.005}
    assert slip["recomputed"] == pytest.approx(71.4295253636)
    assert slip["recomputed_shown"] == "71.43"
    assert slip["difference"] == pytest.approx(-2.000474636)
    assert slip["location"] == {"file": str(MODENA_PUBLISHED), "line": 14, "column": 8}
    node = slip["explanation"]["node"]
    assert node["id"] == "1"
    assert [(c["id"], c["share"]["weight"]) for c in node["children"]] == [
        ("301", 33.34), ("401", 33.33), ("402", 33.33)]


def test_modena_summary_weights_are_the_plans(modena):
    weights = {c.entry.ref: c for c in modena.checks if c.entry.kind == "weight"}
    assert weights["301"].entry.figure.text == "33,34%" and weights["301"].reconciles
    assert all(check.reconciles for check in weights.values())


# ---- a one-indicator plan, for exact cases ---------------------------------------------------

PLAN = """
plan p "Piano di prova" {{
  period H1 "Primo semestre" ends 2020-06-30
}}
indicator x "Partecipanti" {{ unit N target >= {target} }}
indicator y "Tempo medio" {{ unit gg target <= 4 }}
area "1" "Area" {{
  objective "100" "Primo" weight 40% {{
    x 100%
  }}
  objective "200" "Secondo" weight 60% {{
    y 100%
  }}
}}
"""


def run(published: str, x: float | None = 100.0, target: int = 200,
        y: float | None = 2.0) -> Verification:
    plan = scorelang.loads(PLAN.format(target=target))
    values = scorelang.Values({"x": x, "y": y}, "p", "H1")
    result = plan.evaluate(values)
    return verify(plan, result, loads_published(published, "pub.yaml"), values)


def score_check(printed: str, x: float, target: int) -> Check:
    (check,) = run(f'scores:\n  "100/x": "{printed}"\n', x, target).checks
    return check


# Each recomputed score is an exact decimal (x / target) whose float is not: the float for
# 4.40755/7 is 62.964999999999996, so a float comparison would refuse "62,97%" although
# 62.965 lies exactly half a unit from it. verify compares the settled decimal 62.965.
@pytest.mark.parametrize("x, target, exact, printed, reconciles", [
    # 2 decimals: ±0.005
    (4.40755, 7, "62.965", "62,96%", True),
    (4.40755, 7, "62.965", "62,97%", True),
    (4.407557, 7, "62.9651", "62,96%", False),
    (4.407557, 7, "62.9651", "62,97%", True),
    (4.407543, 7, "62.9649", "62,97%", False),
    # 1 decimal: ±0.05
    (51.7725, 117, "44.25", "44,2%", True),
    (51.7725, 117, "44.25", "44,3%", True),
    (51.772617, 117, "44.2501", "44,2%", False),
    (51.772383, 117, "44.2499", "44,3%", False),
    # 0 decimals ("100,%"): ±0.5
    (4.975, 5, "99.5", "100,%", True),
    (4.975, 5, "99.5", "99,%", True),
    (4.974995, 5, "99.4999", "100,%", False),
    (4.975005, 5, "99.5001", "99,%", False),
])
def test_a_score_reconciles_within_half_a_unit_of_its_last_printed_decimal_inclusive(
        x, target, exact, printed, reconciles):
    check = score_check(printed, x, target)
    assert isinstance(check.recomputed, float)
    assert settled(check.recomputed) == Decimal(exact)
    assert Decimal(check.recomputed) != Decimal(exact)  # the float is not the decimal
    assert check.reconciles is reconciles
    assert check.outcome == ("reconciles" if reconciles else "differs")


def test_the_boundary_cases_are_ones_a_float_comparison_gets_wrong():
    # Why the settled decimal: compared as floats, each of these exact ties falls outside.
    for x, target, printed in ((4.40755, 7, "62,97%"), (51.7725, 117, "44,2%"),
                               (4.975, 5, "100,%")):
        check = score_check(printed, x, target)
        figure = check.entry.figure
        assert isinstance(check.recomputed, float) and figure.number is not None
        assert abs(check.recomputed - float(figure.number)) > float(figure.tolerance)
        assert check.reconciles


def test_tolerance_is_half_a_unit_of_the_last_printed_decimal():
    assert parse_figure("62,96%").tolerance == Decimal("0.005")
    assert parse_figure("44,2%").tolerance == Decimal("0.05")
    assert parse_figure("100,%").tolerance == Decimal("0.5")
    assert parse_figure("143 N.").tolerance == Decimal("0.5")


@pytest.mark.parametrize("printed, x, outcome", [
    ("N/D", None, "reconciles"),
    ("N/D", 100.0, "printed_nd"),
    ("50,00%", None, "recomputed_nd"),
    ("50,00%", 100.0, "reconciles"),
])
def test_nd_reconciles_only_with_nd(printed, x, outcome):
    (check,) = run(f'scores:\n  "100/x": "{printed}"\n', x).checks
    assert check.outcome == outcome


def test_a_value_recorded_more_precisely_than_printed_reconciles():
    published = 'values:\n  x: "6,41 N."\n  y: "6,4 gg"\n'
    x, y = run(published, x=6.413, y=6.413).checks
    assert x.reconciles and y.reconciles  # 0.003 ≤ 0.005; 0.013 ≤ 0.05
    assert run('values:\n  x: "6,41 N."\n', x=6.415).checks[0].reconciles  # on the boundary
    beyond = run('values:\n  x: "6,41 N."\n', x=6.4151).checks[0]
    assert beyond.outcome == "differs"
    assert beyond.explanation is not None and beyond.explanation.node.id == "100/x"


@pytest.mark.parametrize("printed, x, outcome", [
    ("N/D", None, "reconciles"),
    ("N/D", 143.0, "printed_nd"),
    ("143 N.", None, "recomputed_nd"),
])
def test_a_value_printed_nd_reconciles_only_with_no_value(printed, x, outcome):
    (check,) = run(f'values:\n  x: "{printed}"\n', x=x).checks
    assert check.outcome == outcome


def test_summary_weights_are_compared_with_the_plans_weights():
    checks = run('summary:\n  "100": ["50,00%", "40,00%"]\n  "200": ["100,00%", "45,00%"]\n',
                 x=100.0, y=2.0).checks
    assert [(c.entry.kind, c.entry.ref, c.outcome) for c in checks] == [
        ("summary_score", "100", "reconciles"), ("weight", "100", "reconciles"),
        ("summary_score", "200", "reconciles"), ("weight", "200", "differs")]
    wrong = checks[-1]
    assert wrong.recomputed == 60.0 and wrong.difference == Decimal("15.00")
    # A weight's explanation is its parent's sum, where every sibling weight is written out.
    assert wrong.explanation is not None and wrong.explanation.node.id == "1"


def test_everything_reconciles_gives_exit_code_0_and_a_closing_line():
    verification = run('scores:\n  "100/x": "50,00%"\n  "1": "80,%"\n')
    assert verification.exit_code == 0 and not verification.discrepancies
    text = verify_text(verification, "en")
    assert "2 figures checked (2 scores): 2 reconcile, 0 do not" in text
    assert text.endswith("All 2 published figures reconcile with the rules.\n")


def test_plain_numbers_keep_their_written_decimals():
    verification = run('scores:\n  "100/x": 50.00\n  "1": 80\n')
    assert [c.entry.figure.places for c in verification.checks] == [2, 0]
    assert verification.exit_code == 0


def test_locale_en_reads_points_as_decimals_and_commas_as_thousands():
    (check,) = run('locale: en\nvalues:\n  x: "1,234.5 N."\n', x=1234.5).checks
    assert check.entry.figure.number == Decimal("1234.5") and check.reconciles


# ---- reading printed figures ----------------------------------------------------------------

@pytest.mark.parametrize("text, number, places, unit", [
    ("62,96%", "62.96", 2, "%"),
    ("100,%", "100", 0, "%"),
    ("100,0%", "100.0", 1, "%"),
    ("3.111.720.000,00 €", "3111720000.00", 2, "€"),
    ("-1.527,97 %", "-1527.97", 2, "%"),
    ("−17,82 gg", "-17.82", 2, "gg"),
    ("3.283 N.", "3283", 0, "N."),
    ("0,65 N.", "0.65", 2, "N."),
    ("45", "45", 0, None),
])
def test_printed_figures_are_read_as_the_document_writes_them(text, number, places, unit):
    figure = parse_figure(text)
    assert (figure.number, figure.places, figure.unit) == (Decimal(number), places, unit)


def test_nd_and_dates_are_read():
    assert parse_figure("N/D").missing
    assert parse_figure("31/10/2020").date is not None
    assert str(parse_figure("2020-10-31").date) == "2020-10-31"


@pytest.mark.parametrize("text", ["62.96%", "1.5", "62,9,6", "abc", "1.2345,6"])
def test_text_that_is_not_an_italian_figure_is_refused(text):
    with pytest.raises(ValueError):
        parse_figure(text)


# ---- bad published files --------------------------------------------------------------------

def problems(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(PublishedError) as info:
        run(text)
    return [(d.code, d.span.line, d.span.column) if d.span else (d.code, 0, 0)
            for d in info.value.diagnostics]


def first(text: str) -> Diagnostic:
    with pytest.raises(PublishedError) as info:
        run(text)
    return info.value.diagnostics[0]


def test_yaml_that_cannot_be_parsed_is_sl501_with_its_position():
    assert problems('plan: p\nscores:\n  "100/x": "50,00%\n') == [("SL501", 4, 1)]
    # A line indented one space too far: YAML stops where the stray mapping starts.
    assert problems('scores:\n  "100/x": "50,00%"\n   "1": "80%"\n') == [("SL501", 3, 4)]


def test_a_file_of_the_wrong_shape_is_sl501():
    assert problems("- 1\n- 2\n") == [("SL501", 1, 1)]
    assert problems("scores: [1, 2]\nsumary: {}\n") == [("SL501", 1, 9), ("SL501", 2, 1)]
    assert first("scores: {}\nsumary: {}\n").hint == "did you mean `summary`?"
    assert problems('summary:\n  "100": ["50,00%"]\n') == [("SL501", 2, 10)]
    assert problems('scores:\n  "100/x": "50%"\n  "100/x": "50%"\n') == [("SL501", 3, 3)]
    assert problems("locale: fr\nscores: {}\n") == [("SL501", 1, 9)]


def test_a_figure_that_cannot_be_read_is_sl502_at_the_figure():
    text = 'scores:\n  "100/x": "50.5%"\n  "1": "abc"\n  "200":\n  "200/y": "4 gg"\n'
    assert problems(text) == [("SL502", 2, 12), ("SL502", 3, 8), ("SL502", 4, 9),
                              ("SL502", 5, 12)]
    assert "decimal separator is a comma" in (first(text).hint or "")
    assert problems("values:\n  x: 2020-06-31\n  y: true\n") == [("SL502", 2, 6),
                                                               ("SL502", 3, 6)]


def test_an_unknown_node_is_sl503_with_did_you_mean_at_its_name():
    text = 'plan: p\nscores:\n  "100/x": "50,00%"\n  "100/xx": "50,00%"\n'
    diagnostic = first(text)
    assert diagnostic.code == "SL503"
    assert diagnostic.message == "unknown node `100/xx` in plan `p`"
    assert diagnostic.span is not None and (diagnostic.span.line, diagnostic.span.column) == (4, 3)
    assert diagnostic.hint == "did you mean `100/x`?"


def test_an_unknown_indicator_and_a_summary_row_of_an_unknown_node_are_sl503():
    text = 'values:\n  xx: "1 N."\nsummary:\n  "300": ["50%", "40%"]\n'
    assert problems(text) == [("SL503", 2, 3), ("SL503", 4, 3)]  # the row named once
    assert first('values:\n  yy: "1 gg"\n').hint == "did you mean `y`?"
    assert "each use: 100/x" in (first('scores:\n  x: "50%"\n').hint or "")


def test_figures_of_another_plan_or_period_are_refused():
    assert problems("plan: q\nperiod: Y\nscores: {}\n") == [("SL503", 1, 7), ("SL503", 2, 9)]


# ---- text of other discrepancies ------------------------------------------------------------

def test_text_of_an_nd_printed_score_shows_the_figure_at_the_plans_decimals():
    # 6.4151 / 200 = 3.20755 %: printed N/D, the rules give 3,21 %.
    text = verify_text(run('scores:\n  "100/x": "N/D"\n', x=6.4151), "en")
    assert "1 figure checked (1 score): 0 reconcile, 1 does not" in text
    assert "recomputed: 3,21 %  (unrounded 3,20755)" in text
    assert "difference: printed N/D, the rules give a figure" in text
    assert "formula: >= : value / target = 6.4151 / 200 = 3.21 %" in text


def test_text_of_a_value_shows_the_recorded_figure_and_its_use():
    text = verify_text(run('values:\n  x: "6,41 N."\n', x=6.4151), "en")
    assert '1. value of indicator x "Partecipanti"' in text
    assert "   at pub.yaml:2:6" in text
    assert "recomputed: 6,42 N.  (recorded 6,4151 N.)" in text
    assert "difference: +0,01 N. (recomputed − printed)" in text
    assert "How 100/x came to 3.21 %" in text


def test_a_weight_printed_for_an_area_without_one_does_not_reconcile():
    # x 100 against >= 200: 50 %; y 2 gg against <= 4: 100 %; area 40 % × 50 + 60 % × 100 = 80.
    (score, weight) = run('summary:\n  "1": ["80,00%", "100,00%"]\n').checks
    assert score.reconciles
    assert weight.outcome == "recomputed_nd"
    assert weight.note == "the plan gives this node no weight"


# ---- docs/verify.md shows what verify prints today ------------------------------------------

def test_docs_modena_output_is_what_verify_prints(modena_plan, modena_result, monkeypatch):
    doc = (ROOT / "docs" / "verify.md").read_text(encoding="utf-8")
    (body,) = re.findall(r"<!-- verify: modena -->\n```text\n(.*?)```", doc, re.DOTALL)
    command, _, shown = body.partition("\n")
    assert command == ("$ scorelang verify rules/cciaa-modena-2020.score --values "
                       "examples/cciaa-modena-2020/monitoraggio-2020-06.yaml --reported "
                       "examples/cciaa-modena-2020/pubblicati-2020-06.yaml")
    monkeypatch.chdir(ROOT)  # the output names the file as the command line gives it
    published = load_published("examples/cciaa-modena-2020/pubblicati-2020-06.yaml")
    found = verify(modena_plan, modena_result, published, scorelang.load_values(MODENA_VALUES))
    assert shown == verify_text(found)


def test_another_period_is_named_with_what_to_do():
    assert first("period: Y\nscores: {}\n").hint == "declared periods: H1"
    assert first("period: h1\nscores: {}\n").hint == "did you mean `H1`?"


DEADLINE_PLAN = """
plan p "Piano di prova" {
  period H1 "Primo semestre" ends 2020-06-30
}
indicator d "Report" { deadline 2020-06-20 }
area "1" "Area" {
  objective "100" "Primo" weight 100% {
    d 100%
  }
}
"""


@pytest.mark.parametrize("printed, outcome", [
    ("15/06/2020", "reconciles"), ("2020-06-15", "reconciles"), ("16/06/2020", "differs"),
    ("N/D", "printed_nd"),
])
def test_a_completion_date_is_compared_as_a_date(printed, outcome):
    plan = scorelang.loads(DEADLINE_PLAN)
    values = scorelang.Values({"d": dt.date(2020, 6, 15)}, "p", "H1", dt.date(2020, 6, 30))
    published = loads_published(f'values:\n  d: "{printed}"\nscores:\n  "100/d": "100,0%"\n')
    value, score = verify(plan, plan.evaluate(values), published, values).checks
    assert value.outcome == outcome and score.reconciles
