"""Numbers are defined (issue 14, "Hostile input"): every number scorelang reads is held to the
documented limits (docs/language.md#numbers), and every figure it writes is a number.

- a rule file's numbers: at most 15 significant digits, 0 or between 10^-15 and 10^15 in size
  (SL120, SL121 at the literal), so that each is exactly the float it reads as;
- a values file's numbers: finite and within ±10^15 (SL322 at the value); `.nan` in a file is
  refused, a program's NaN stays N/D (pandas' and numpy's own), infinities are refused by the
  mapping, the rows and the numpy columns of `evaluate_many` alike;
- rule tests (SL407), published figures (SL504) and what-if figures (SL604) keep the same limits;
- display rounding and formatting never raise, for any float (NaN and infinities included);
- every score of a plan is finite for any values within the limits (ratios over tiny values and
  sums of sums are held at `scoring.HIGHEST`);
- every JSON a command writes parses with a strict parser: no bare NaN or Infinity.
Each bug of the issue has its regression test here, named after it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang import model
from scorelang.cli import main
from scorelang.engine import numbers, rounding, scoring
from scorelang.model import Direction, TargetUsed
from scorelang.report import cells
from scorelang.report.views import Column, Measure, Points, Target

from .conftest import MODENA_PUBLISHED, MODENA_RULES, MODENA_VALUES, ROOT

VALLEVERDE_RULES = ROOT / "rules" / "comune-valleverde-2023.score"
VALLEVERDE_VALUES = ROOT / "examples" / "comune-valleverde-2023" / "monitoraggio-2023-06.yaml"

BIG = "1" + "0" * 400  # the 400-digit target
HOSTILE_LITERALS = {
    # 400 digits are refused as written, before they are read as a number (a number is at
    # most 100 characters long, SL124); shorter ones by their size (SL121).
    BIG: "SL124",
    "1" + "0" * 40: "SL121",
    "1234567890123456": "SL120",  # 16 significant digits: not exactly a float
    "0." + "0" * 400 + "1": "SL124",
    "0." + "0" * 40 + "1": "SL121",  # would read as 0
    "1_000_000_000_000_001": "SL120",
}


def strict_json(text: str) -> Any:
    """json.loads that refuses the bare NaN, Infinity and -Infinity Python's json accepts."""
    def refuse(token: str) -> Any:
        raise ValueError(f"bare {token} in JSON")
    return json.loads(text, parse_constant=refuse)


# ---- rule files ---------------------------------------------------------------------------

PLAN = '''plan p "P" {{
  period Y "Year" ends 2020-12-31
  policy {{ {policy} }}
}}
indicator a "A" {{ target >= 10 {indicator} }}
indicator b "B" {{ target >= 10 }}
area "1" "One" {{ a {weight}% b 50% }}
{extra}'''

# Each place a number is written, with @ where the hostile literal goes.
PLACES = {
    "target": dict(indicator="periodic Y >= @"),
    "weight": dict(weight="@"),
    "floor": dict(policy="floor @%"),
    "cap": dict(policy="cap @%"),
    "periodic target": dict(indicator="periodic Y >= @"),
    "points scale": dict(indicator="points @ { below 50% scores 0 from 50% scores 20 }"),
    "points row": dict(indicator="points 20 { below @% scores 0 from @% scores 20 }"),
    "steps row": dict(indicator="steps { below 50% scores 0% from 50% scores @% }"),
    "limits": dict(indicator="limits minimum 0 maximum @"),
    "baseline": dict(indicator="baseline @ formula progress"),
    "tolerance": dict(indicator="tolerance @"),
    "threshold": dict(indicator="threshold @%"),
    "late linear": dict(indicator="late linear @ days"),
    "display": dict(policy="display @ half_up"),
    "advice rule": dict(extra='rule r { when score > @ flag data warning "m" }'),
    "reward row": dict(extra='reward r "R" { below @% pays 0% from @% pays 100% }'),
    "behaviour scale": dict(extra='behaviours s "S" scale 1 to @ { x "X" 100% }'),
}


def plan_text(place: str, literal: str) -> tuple[str, int, int]:
    """The plan with `literal` at `place`, and the line and column of its first use."""
    fields = {"policy": "", "indicator": "", "weight": "50", "extra": ""}
    fields.update(PLACES[place])
    text = PLAN.format(**fields)
    before = text[:text.index("@")]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return text.replace("@", literal), line, column


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("literal", HOSTILE_LITERALS)
def test_a_number_beyond_the_limits_is_a_diagnostic_at_the_literal(place, literal):
    text, line, column = plan_text(place, literal)
    _, found = scorelang.diagnose(text, "p.score")
    at = [(d.code, d.span.line, d.span.column) for d in found if d.code in ("SL120", "SL121", "SL124")]
    assert (HOSTILE_LITERALS[literal], line, column) in at, found
    with pytest.raises(scorelang.ScorelangError):
        scorelang.loads(text, "p.score")


def test_regression_a_400_digit_target_no_longer_passes_check_nor_scores_nan(tmp_path, capsys):
    rules = tmp_path / "big.score"
    rules.write_text(PLAN.format(policy="", indicator="", weight="50", extra="")
                     .replace("target >= 10 }", f"target >= {BIG} }}", 1), encoding="utf-8")
    assert main(["check", str(rules)]) == 1
    assert "error[SL124]" in capsys.readouterr().err
    (tmp_path / "v.yaml").write_text("period: Y\nvalues:\n  a: 5\n  b: 5\n", encoding="utf-8")
    code = main(["score", str(rules), "--values", str(tmp_path / "v.yaml"), "--format", "json"])
    out = capsys.readouterr()
    assert code != 0 and "NaN" not in out.out and "SL124" in out.err


@pytest.mark.parametrize("literal, problem", [
    ("1_000_000_000_000_000", None), ("-1_000_000_000_000_000", None),
    ("999_999_999_999_999", None), ("123456789.012345", None), ("0.000000000000001", None),
    ("0", None), ("0.000", None), ("-0", None), ("100.50000000000000000", None),
    ("1_000_000_000_000_000.1", "SL120"), ("1_000_000_000_000_010", "SL121"),
    ("10_000_000_000_000_000", "SL121"), ("0.0000000000000001", "SL121"),
    ("0.1234567890123456", "SL120"), ("-1234567890123456", "SL120"),
])
def test_the_limits_of_a_literal_at_their_boundaries(literal, problem):
    found = model.literal_problem(literal)
    assert (found[0] if found else None) == problem


@given(st.integers(1, 10 ** model.DIGITS - 1), st.integers(-29, 15), st.booleans())
def test_every_literal_within_the_limits_is_exactly_the_float_it_reads_as(digits, shift,
                                                                            negative):
    # The reason for the 15 digits: the float of such a figure gives the figure back (repr,
    # and so the display rounding, reads it as written).
    exact = Decimal(digits).scaleb(shift)
    text = ("-" if negative else "") + f"{exact:f}"
    if model.literal_problem(text) is not None:
        return  # beyond the size limits: refused, nothing to hold
    assert Decimal(repr(float(text))) == Decimal(text)


# ---- values -------------------------------------------------------------------------------

SMALL_PLAN = PLAN.format(policy="", indicator="", weight="50", extra="")


@pytest.mark.parametrize("written", [".inf", "-.inf", ".nan", ".NaN", "1e60", "1e308", "-1e308",
                                     '"inf"', '"nan"', "1e16", "10" + "0" * 20])
def test_regression_a_values_file_with_a_value_beyond_the_limits_is_sl322_at_the_value(written):
    text = f"period: Y\nvalues:\n  a: 5\n  b: {written}\n"
    with pytest.raises(scorelang.ValuesError) as raised:
        scorelang.loads_values(text, "v.yaml")
    (found,) = raised.value.diagnostics
    assert (found.code, found.span.line, found.span.column) == ("SL322", 4, 6)


def test_regression_reports_of_a_value_far_above_its_target_now_stop_at_sl322(tmp_path, capsys):
    # 1e60 against >= 10 crashed in the display rounding (decimal.InvalidOperation).
    (tmp_path / "p.score").write_text(SMALL_PLAN, encoding="utf-8")
    (tmp_path / "v.yaml").write_text("period: Y\nvalues:\n  a: 5\n  b: 1e60\n", encoding="utf-8")
    code = main(["score", str(tmp_path / "p.score"), "--values", str(tmp_path / "v.yaml")])
    assert code == 1 and "error[SL322]" in capsys.readouterr().err


def test_values_at_the_limits_are_read():
    values = scorelang.loads_values("values:\n  a: 1e15\n  b: -1e15\n  c: 5e-324\n  d: null\n")
    assert values.values == {"a": 1e15, "b": -1e15, "c": 5e-324, "d": None}


@pytest.mark.parametrize("given", [math.inf, -math.inf, 1e16, -1e300, 10 ** 20])
def test_regression_the_api_refuses_an_infinite_or_huge_value(given):
    plan = scorelang.loads(SMALL_PLAN)
    with pytest.raises(scorelang.ValuesError) as raised:
        plan.evaluate({"a": given, "b": 5})
    assert [d.code for d in raised.value.diagnostics] == ["SL322"]


@pytest.mark.parametrize("engine", ["python", "numpy"])
@pytest.mark.parametrize("given", [math.inf, -math.inf, 1e16])
def test_regression_evaluate_many_refuses_them_in_rows_and_columns(engine, given):
    pytest.importorskip("numpy")
    plan = scorelang.loads(SMALL_PLAN)
    rows = [{"a": 5.0, "b": 5.0}, {"a": given, "b": 5.0}]
    columns = {"a": [5.0, given], "b": [5.0, 5.0]}
    for scenarios in (rows, columns):
        with pytest.raises(scorelang.ValuesError) as raised:
            plan.evaluate_many(scenarios, engine=engine)
        assert [d.code for d in raised.value.diagnostics] == ["SL322"]


@pytest.mark.parametrize("engine", ["python", "numpy"])
def test_a_programs_nan_stays_nd_alone_and_in_a_batch(engine):
    # The documented contract of the API (docs/embedding.md): NaN is pandas' N/D.
    np = pytest.importorskip("numpy")
    plan = scorelang.loads(SMALL_PLAN)
    alone = plan.evaluate({"a": math.nan, "b": 5.0})
    assert alone["1/a"].status == "missing"
    batch = plan.evaluate_many({"a": np.array([math.nan]), "b": np.array([5.0])}, engine=engine)
    assert batch.status(0, "1/a") == "missing" and batch.score(0, "1") == alone["1"].score


def test_overrides_previous_scores_and_ratings_beyond_the_limits_are_sl322():
    with pytest.raises(scorelang.ValuesError) as raised:
        scorelang.Values.from_mapping(
            {}, overrides={"a": {"score": 1e20, "reason": "r"}}, previous={"b": 1e16},
            behaviours={"p": {"x": 1e30}})
    assert sorted(d.code for d in raised.value.diagnostics) == ["SL322"] * 3


# ---- display rounding and formatting: total ----------------------------------------------

any_float = st.floats(allow_nan=True, allow_infinity=True)
places = st.integers(0, 6)
UNITS = [None, "EUR", "%", "N", "gg", "h", "km"]


@given(any_float, places, st.sampled_from(numbers.LOCALES), st.sampled_from(UNITS))
def test_every_formatting_function_is_total(value, digits, locale, unit):
    rounded = rounding.half_up(value, digits)
    assert isinstance(rounded, Decimal)
    if math.isfinite(value):
        # exactly the half-up rounding of the decimal the float stands for (settled at 9)
        assert abs(rounded - Decimal(repr(value))) <= Decimal("0.5").scaleb(-digits) \
            + Decimal(1).scaleb(-9)
    rounding.percent(value, digits)
    for text in (numbers.decimal_text(rounded, locale), numbers.decimal_text(rounded, locale, 2),
                 numbers.percent(value, locale, digits), numbers.measure(value, unit, locale),
                 numbers.points_of(value, value, locale, digits),
                 numbers.points(value, locale, digits)):
        assert isinstance(text, str) and text
    assert ("NaN" in numbers.percent(value, locale)) == math.isnan(value)


@given(any_float, any_float, places, st.sampled_from(numbers.LOCALES))
def test_every_cell_kind_is_total(value, other, digits, locale):
    row = {"percent": value, "weight": value, "points": value,
           "scale_points": Points(value, other), "measure": Measure(value, "EUR"),
           "reward_band": (value, other),
           "target": Target(TargetUsed("annual", Direction.AT_LEAST, value), "%")}
    for kind in row:
        assert isinstance(cells.cell(Column(kind, kind, kind, kind=kind), row, locale, digits,
                                     ()), str)
    assert isinstance(cells.reward_band_text((None, value), locale), str)
    assert isinstance(cells.reward_band_text((value, None), locale), str)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324,
                                   1.7976931348623157e308])
def test_regression_display_rounding_of_extreme_floats(value):
    # 1e308 (and every figure past 10^50) raised decimal.InvalidOperation in the rounding.
    shown = rounding.half_up(value, 2)
    if math.isfinite(value):
        exact = Decimal(repr(value)).quantize(Decimal("0.01"), context=Context(prec=400))
        assert shown == exact
        assert numbers.percent(value, "en").replace(",", "") == f"{exact:f}%"
    else:
        assert not shown.is_finite()
        assert numbers.percent(value, "it") in ("NaN %", "∞ %", "-∞ %")


# ---- scores stay finite ----------------------------------------------------------------------

def test_regression_a_ratio_over_a_tiny_value_and_a_sum_of_sums_stay_finite():
    np = pytest.importorskip("numpy")
    # A target of 10^15 over a value of 5e-324 overflowed to infinity.
    kind = scoring.LeafKind.AT_MOST_RATIO
    assert scoring.achievement(kind, 1e15, 5e-324) == scoring.HIGHEST
    assert scoring.achievement_array(kind, 1e15, np.array([5e-324, 2e15]))[0] == scoring.HIGHEST
    big = [(1e13, 1e300), (1e13, 1e300)]
    sums = scoring.aggregation_of(model.MissingPolicy.COUNTS_ZERO, model.Aggregate.SUM)
    assert scoring.aggregate(big, sums) == scoring.HIGHEST
    array, _, _ = scoring.aggregate_array(sums, [1e13, 1e13], 2e13, np.array([[1e300], [-1e300]]),
                                          np.array([[True], [True]]), None)
    assert math.isfinite(array[0])


def test_regression_a_sum_overflowing_both_ways_is_the_same_finite_figure_scalar_and_batch():
    # 10^13 × 10^300 − 10^13 × 10^300 was inf − inf: NaN from `aggregate`, and from
    # `aggregate_array` NaN or HIGHEST by the BLAS kernel (fused multiply-add or not), so this
    # file's test above passed on one machine and failed on another. Each product is now
    # bounded to ±HIGHEST before the sum, both ways.
    np = pytest.importorskip("numpy")
    sums = scoring.aggregation_of(model.MissingPolicy.COUNTS_ZERO, model.Aggregate.SUM)
    cases = [[1e300, -1e300], [1e300, -1e300, 3.0], [-1e300, 1e300, 1e300], [0.5, 0.25, 2.0]]
    for scores in cases:
        weights = [1e13] * len(scores)
        scalar = scoring.aggregate(list(zip(weights, scores)), sums)
        column = np.array([[score, 0.25] for score in scores])
        array, _, _ = scoring.aggregate_array(sums, weights, sum(weights), column,
                                              np.ones_like(column, dtype=bool), None)
        assert math.isfinite(scalar) and scalar == array[0], scores
    assert scoring.aggregate([(1e13, 1e300), (1e13, -1e300), (1.0, 3.0)], sums) == 3.0
    assert scoring.aggregate([(1e13, -1e300), (1e13, 1e300), (1e13, 1e300)], sums) \
        == scoring.HIGHEST
    # a finite sum is summed as before: in order, then bounded
    assert scoring.aggregate([(1e13, 0.5), (1e13, 0.25)], sums) == 1e13 * 0.5 + 1e13 * 0.25


def test_a_value_of_10_15_against_a_target_of_10_minus_15_scores_finitely():
    text = PLAN.format(policy="cap 1_000_000_000_000_000%", indicator="", weight="50",
                       extra="").replace("target >= 10 }", "target >= 0.000000000000001 }", 1)
    plan = scorelang.loads(text)
    for formula in ("", "formula ratio"):
        ruled = scorelang.loads(text.replace("policy { ", f"policy {{ {formula} ", 1))
        for a in (1e15, -1e15, 5e-324):
            result = ruled.evaluate({"a": a, "b": 5e-324})
            assert all(n.score is None or math.isfinite(n.score) for n in result)
            assert math.isfinite(result["1/a"].raw)
    assert plan.evaluate({"a": 1e15, "b": 1})["1/a"].score == 1e15  # capped at 10^13 (10^15 %)


EDGES = [0.0, 5e-324, -5e-324, 1e-15, -1e-15, 1e15, -1e15, 1e-300, 0.5, -0.5]
in_range = st.one_of(st.sampled_from(EDGES), st.floats(-1e15, 1e15, allow_nan=False))


def _numeric(plan: scorelang.Plan) -> list[str]:
    return [i.id for i in plan.definition.indicators if i.deadline is None]


@pytest.fixture(scope="module")
def plans():
    return {"modena": (scorelang.load(MODENA_RULES), scorelang.load_values(MODENA_VALUES)),
            "valleverde": (scorelang.load(VALLEVERDE_RULES),
                           scorelang.load_values(VALLEVERDE_VALUES))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["modena", "valleverde"]), data=st.data())
def test_every_score_is_finite_for_any_values_within_the_limits(plans, which, data):
    plan, values = plans[which]
    # Modena's N/D counts 0; some of Valleverde's indicators refuse N/D (`missing error`).
    values_of = st.one_of(in_range, st.none()) if which == "modena" else in_range
    drawn = {name: data.draw(values_of, label=name) for name in _numeric(plan)}
    changed = dict(values.values, **drawn)
    result = plan.evaluate(changed, period=values.period, as_of=values.as_of)
    for node in result:
        assert node.score is None or math.isfinite(node.score), node.id
        assert node.raw is None or math.isfinite(node.raw), node.id
    for card in result.scorecards:
        assert card.score is None or math.isfinite(card.score), card.id
    strict_json(scorelang.report.to_json(result))
    batch = plan.evaluate_many([changed], period=values.period, as_of=values.as_of)
    for node in result:
        score = batch.score(0, node.id)
        assert score is None or math.isfinite(score)


# ---- every JSON a command writes is strict JSON ------------------------------------------

def hostile_values(path: Path) -> Path:
    """Modena's values, each number replaced by an extreme one within the limits."""
    data = yaml.safe_load(MODENA_VALUES.read_text(encoding="utf-8"))
    extremes = [1e15, -1e15, 5e-324, 1e-300, 0.0, 1e-15]
    for index, (name, value) in enumerate(sorted(data["values"].items())):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            data["values"][name] = extremes[index % len(extremes)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def json_commands(rules: Path, values: Path, tests: Path, published: Path) -> list[list[str]]:
    r, v = str(rules), str(values)
    commands = [["score", r, "--values", v, "--format", "json", "--view", view]
                for view in scorelang.report.VIEWS]
    commands += [
        ["advise", r, "--values", v, "--format", "json"],
        ["explain", r, "301", "--values", v, "--format", "json"],
        ["explain", r, "1", "--values", v, "--format", "json", "--depth", "5"],
        ["verify", r, "--values", v, "--reported", str(published), "--format", "json"],
        ["whatif", r, "--values", v, "--set-value", "export_provinciale=1e15",
         "--set-weight", "301=50", "--format", "json"],
        ["compare", r, "--values", str(MODENA_VALUES), "--values", v, "--format", "json"],
        ["test", str(tests), "--format", "json"],
        ["check", r, "--format", "json"],
        ["check", r, "--format", "sarif"],
    ]
    return commands


def test_every_json_output_is_strict_json_on_modena_and_on_hostile_values(tmp_path, capsys):
    hostile = hostile_values(tmp_path / "hostile.yaml")
    suite = tmp_path / "hostile.test.yaml"
    (tmp_path / "plan.score").write_text(MODENA_RULES.read_text(encoding="utf-8"), encoding="utf-8")
    suite.write_text("rules: plan.score\ntests:\n  - name: extremes\n"
                     f"    values: {hostile.name}\n    expect:\n      \"1\": 1e15\n"
                     f"      \"301\": {{score: -1e15, tolerance: 1e15}}\n", encoding="utf-8")
    big = tmp_path / "big.score"
    big.write_text(MODENA_RULES.read_text(encoding="utf-8").replace(
        "target >= 13_000_000_000", f"target >= {BIG}", 1), encoding="utf-8")
    runs = json_commands(MODENA_RULES, MODENA_VALUES, ROOT / "rules", MODENA_PUBLISHED)
    runs += json_commands(MODENA_RULES, hostile, suite, MODENA_PUBLISHED)
    runs += [["check", str(big), "--format", "json"], ["check", str(big), "--format", "sarif"]]
    for argv in runs:
        code = main(argv)
        out = capsys.readouterr()
        assert code in (0, 1), (argv, out.err[-2000:])
        document = strict_json(out.out)
        assert document, argv
    # the hostile rule file is refused, at the literal
    main(["check", str(big), "--format", "json"])
    assert "SL124" in capsys.readouterr().out  # 400 digits: refused as written


# ---- rule tests, published figures, what-if ------------------------------------------------

def test_regression_nan_in_a_rule_tests_expectation_is_sl407(tmp_path):
    from scorelang.tools import ruletest

    # Rule tests name files inside their own project tree (SL013): copies beside the test.
    (tmp_path / "plan.score").write_text(MODENA_RULES.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "values.yaml").write_text(MODENA_VALUES.read_text(encoding="utf-8"),
                                          encoding="utf-8")
    suite = tmp_path / "t.test.yaml"
    suite.write_text("rules: plan.score\ntests:\n  - name: hostile\n"
                     "    values: values.yaml\n    tolerance: .inf\n    expect:\n"
                     "      \"1\": .nan\n      \"301\": {score: .inf}\n"
                     "      \"401\": 100000000000000000000\n      \"402\": 62.5\n",
                     encoding="utf-8")
    with pytest.raises(ruletest.RuleTestError) as raised:
        ruletest.load_suite(suite)
    assert [(d.code, d.span.line) for d in raised.value.diagnostics] == [
        ("SL407", 5), ("SL407", 7), ("SL407", 8), ("SL407", 9)]


def test_regression_a_29_digit_published_figure_is_sl504(tmp_path, capsys):
    text = MODENA_PUBLISHED.read_text(encoding="utf-8")
    for figure in ('"12345678901234567890123456789"', "12345678901234567890123456789.5",
                   '"1.000.000.000.000.000.000,00 €"'):
        published = tmp_path / "p.yaml"
        published.write_text(text.replace('"301": "62,96%"', f'"301": {figure}', 1),
                             encoding="utf-8")
        code = main(["verify", str(MODENA_RULES), "--values", str(MODENA_VALUES),
                     "--reported", str(published)])
        err = capsys.readouterr().err
        assert code != 0 and "error[SL504]" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["--set-weight", "301=nan"], ["--set-weight", "301=inf"], ["--set-weight", "301=1e300"],
    ["--set-value", "export_provinciale=inf"], ["--set-value", "export_provinciale=nan"],
    ["--set-value", "export_provinciale=1e16"], ["--set-target", "export_provinciale=>= inf"],
    ["--set-target", "export_provinciale=>=1e400"],
    ["--set-target", f"export_provinciale=>= {BIG}"],
])
def test_regression_whatif_figures_beyond_the_limits_are_sl604(argv, capsys):
    code = main(["whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES), *argv])
    err = capsys.readouterr().err
    assert code != 0 and "error[SL604]" in err and "Traceback" not in err


@pytest.mark.parametrize("operation", [
    "- set_weight: {node: \"301\", percent: .nan}", "- set_weight: {node: \"301\", percent: .inf}",
    "- set_value: {indicator: export_provinciale, value: .inf}",
    "- set_value: {indicator: export_provinciale, value: .nan}",
    "- set_target: {indicator: export_provinciale, target: \">= inf\"}",
    "- set_target: {indicator: export_provinciale, target: .inf}",
])
def test_regression_whatif_ops_files_keep_the_same_limits(operation, tmp_path, capsys):
    ops = tmp_path / "ops.yaml"
    ops.write_text(operation + "\n", encoding="utf-8")
    code = main(["whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--ops", str(ops)])
    err = capsys.readouterr().err
    assert code != 0 and "error[SL604]" in err and "Traceback" not in err


def test_a_whatif_target_the_language_cannot_write_is_sl603(capsys):
    code = main(["whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES),
                 "--set-target", "export_provinciale=>= 1e5"])
    assert code != 0 and "error[SL603]" in capsys.readouterr().err
