"""The leaf rules of issue 19 (tolerance, thresholds, gap, score tables, limits, progress),
each through the language and every engine, with figures worked out by hand."""

from __future__ import annotations

import math

import pytest

import scorelang
from scorelang.engine import scoring
from scorelang.report.explain import explain_json, explain_text
from scorelang.tools.explain import explain

from .test_scoring_rules import plan_text


def _plan(indicator: str, policy: str = "") -> scorelang.Plan:
    return scorelang.loads(plan_text(f'indicator x "X" {{ {indicator} }}', "x 100%", policy))


def scored(indicator: str, value: float, policy: str = "") -> float | None:
    """The indicator's score from evaluate, checked equal to both batch engines' and the JSON
    report's (every engine gives the same figure)."""
    plan = _plan(indicator, policy)
    result = plan.evaluate({"x": value}, period="H1")
    score = result["100/x"].score
    for engine in ("numpy", "python"):
        batch = plan.evaluate_many([{"x": value}], period="H1", engine=engine)
        other = batch.score(0, "100/x")
        assert (other is None) == (score is None)
        if score is not None:
            assert other == pytest.approx(score, abs=1e-9), engine
    return score


def raw_of(indicator: str, value: float, policy: str = "") -> float | None:
    return _plan(indicator, policy).evaluate({"x": value}, period="H1")["100/x"].raw


STEPS = "unit N target >= 100 steps { below 70% scores 0% 70% to 90% scores 50% from 90% scores 100% }"
POINTS = ("unit N target >= 100 points 20 { below 76% scores 0 76% to 90% scores 15 to 18 "
          "90% to 100% scores 19 to 20 from 100% scores 20 }")
PROGRESS = "unit N target >= 1500 baseline 1200 formula progress"


# ---- tolerance ------------------------------------------------------------------------------
def test_within_a_5_percent_tolerance_575_of_600_counts_as_reached():
    assert scored("unit N target >= 600 tolerance 5%", 575) == 100.0
    assert scored("unit N target >= 600 tolerance 5%", 570) == 100.0  # exactly 5 % short


def test_outside_the_tolerance_the_formula_scores_as_before():
    assert scored("unit N target >= 600 tolerance 5%", 540) == pytest.approx(90.0)


def test_tolerance_keeps_an_over_achievement_its_own_figure():
    assert raw_of("unit N target >= 600 tolerance 5% cap 120%", 615) == pytest.approx(102.5)


def test_exact_target_with_tolerance_scores_reached_within_the_margin():
    indicator = "unit N target = 6 tolerance 1"
    assert scored(indicator, 5) == 100.0
    assert scored(indicator, 7) == 100.0
    assert scored(indicator, 4.5) == 0.0


def test_lower_is_better_tolerance_forgives_a_small_overshoot():
    assert scored("unit gg target <= 30 tolerance 2", 32) == 100.0
    assert scored("unit gg target <= 30 tolerance 2", 33) == pytest.approx(90.0)


def test_policy_tolerance_applies_unless_the_indicator_sets_its_own():
    assert scored("unit N target >= 100", 98, policy="tolerance 2%") == 100.0
    assert scored("unit N target >= 100 tolerance 1%", 98, policy="tolerance 2%") == 98.0


def test_tolerance_is_named_by_explain():
    plan = _plan("unit N target >= 600 tolerance 5%")
    result = plan.evaluate({"x": 575}, period="H1")
    explained = explain(plan, result, "100/x")
    computation = explained.node.computation
    assert computation is not None and computation.method == "within_tolerance"
    assert "within the 5% tolerance of the target (575 against >= 600): reached → 100.00 %" \
        in explain_text(explained)


@pytest.mark.parametrize("indicator, value, says", [
    ("unit N target >= 100 threshold 60%", 57.5,
     "57.50 % of target: below the 60 % threshold, 0.00 %"),
    (STEPS, 82, "82.00 % of target: 70 %–90 % scores 50 %"),
    (POINTS, 85, "85.00 % of target: 76 %–90 % scores 15 to 18: 16.93 of 20 points (84.64 %)"),
    ("unit N target >= 100 limits minimum 80 maximum 120 cap 200%", 90,
     "limits: between minimum 80 and target 100: 50.00 %"),
    (PROGRESS, 1400, "progress from last year's 1,200 to the target 1,500: (1,400 − 1,200) / "
     "(1,500 − 1,200) = 66.67 %"),
    ("unit % target >= 22% formula gap", 16,
     "1 + (value − target) / 100 = 1 + (16 − 22) / 100 = 94.00 %"),
])
def test_explain_names_the_rule_applied(indicator, value, says):
    plan = _plan(indicator)
    explained = explain(plan, plan.evaluate({"x": value}, period="H1"), "100/x")
    assert says in explain_text(explained)
    assert explain_json(explained)


# ---- thresholds ------------------------------------------------------------------------------
def test_below_the_60_percent_threshold_the_indicator_scores_zero():
    assert scored("unit N target >= 100 threshold 60%", 57.5) == 0.0


def test_from_the_threshold_the_achievement_itself():
    assert scored("unit N target >= 100 threshold 60%", 60) == pytest.approx(60.0)
    assert scored("unit N target >= 100 threshold 60%", 82) == pytest.approx(82.0)


def test_rescaled_threshold_gives_0_at_the_threshold_and_100_at_the_target():
    indicator = "unit N target >= 100 threshold 60% rescaled"
    assert scored(indicator, 60) == pytest.approx(0.0)
    assert scored(indicator, 80) == pytest.approx(50.0)
    assert scored(indicator, 100) == pytest.approx(100.0)
    assert scored(indicator + " cap 150%", 110) == pytest.approx(125.0)


def test_policy_threshold_applies_to_every_measured_indicator():
    assert scored("unit N target >= 100", 50, policy="threshold 60%") == 0.0


# ---- gap in percentage points ---------------------------------------------------------------
def test_gap_formula_16_percent_against_22_scores_94():
    assert scored("unit % target >= 22% formula gap", 16) == pytest.approx(94.0)


def test_gap_formula_lower_is_better():
    assert scored("unit % target <= 5% formula gap", 8) == pytest.approx(97.0)


def test_gap_formula_works_with_a_zero_target():
    assert scored("unit % target <= 0% formula gap", 3) == pytest.approx(97.0)


# ---- score tables ----------------------------------------------------------------------------
def test_steps_82_percent_of_target_scores_50():
    assert scored(STEPS, 82) == 50.0


def test_steps_ranges_run_up_to_not_including_the_next_row():
    assert scored(STEPS, 69.99) == 0.0
    assert scored(STEPS, 70) == 50.0
    assert scored(STEPS, 90) == 100.0


def test_points_85_percent_scores_16_93_of_20():
    # 15 + (85 − 76) × (18 − 15) / (90 − 76) = 15 + 27/14 = 16.9286 points of 20: 84.64 %.
    assert scored(POINTS, 85) == pytest.approx(100 * (15 + 27 / 14) / 20)


def test_points_the_reports_carry_points_and_points_max():
    plan = _plan(POINTS)
    node = plan.evaluate({"x": 95}, period="H1")["100/x"]
    # 19 + (95 − 90) × 1 / 10 = 19.5 points of 20: 97.5 %.
    assert node.score == pytest.approx(97.5)
    assert node.points == pytest.approx(19.5)
    assert node.points_max == 20.0


def test_points_below_the_table_score_zero_and_above_it_the_maximum():
    assert scored(POINTS, 70) == 0.0
    assert scored(POINTS, 130) == 100.0


# ---- limits ----------------------------------------------------------------------------------
LIMITS = "unit N target >= 100 limits minimum 80 maximum 120 excellent 130 cap 300%"


def test_limits_between_minimum_and_target():
    assert scored(LIMITS, 90) == pytest.approx(50.0)


def test_limits_above_the_target_climb_to_200_and_300():
    assert scored(LIMITS, 110) == pytest.approx(150.0)
    assert scored(LIMITS, 125) == pytest.approx(250.0)
    assert scored(LIMITS, 140) == pytest.approx(300.0)


def test_limits_below_the_minimum_score_zero():
    assert scored(LIMITS, 70) == 0.0


def test_limits_mirrored_when_lower_is_better():
    indicator = "unit gg target <= 30 limits minimum 40 maximum 20 cap 200%"
    assert scored(indicator, 35) == pytest.approx(50.0)
    assert scored(indicator, 25) == pytest.approx(150.0)
    assert scored(indicator, 45) == 0.0
    assert scored(indicator, 10) == pytest.approx(200.0)


# ---- progress from a baseline ------------------------------------------------------------------
def test_progress_from_last_years_1200_to_the_target_1500():
    assert scored(PROGRESS, 1400) == pytest.approx(200 / 3)
    assert scored(PROGRESS, 1200) == 0.0
    assert scored(PROGRESS, 1500) == 100.0


def test_progress_below_last_year_is_floored():
    assert raw_of(PROGRESS, 1100) == pytest.approx(-100 / 3)
    assert scored(PROGRESS, 1100) == 0.0


def test_progress_lower_is_better():
    assert scored("unit gg target <= 30 baseline 40 formula progress", 35) == pytest.approx(50.0)


def test_baseline_alone_is_information_only():
    assert scored("unit N target >= 1500 baseline 1200", 1400) == pytest.approx(1400 / 15)


# ---- the order: tolerance, formula, curve, floor and cap ---------------------------------------
def test_tolerance_comes_before_the_curve():
    # 96 is within 5 % of 100: reached, 100 %; rescaled from 60 %: still 100 %.
    assert scored("unit N target >= 100 tolerance 5% threshold 60% rescaled", 96) == 100.0
    # 90 is not: 90 %, rescaled (0.9 − 0.6)/0.4 = 75 %.
    assert scored("unit N target >= 100 tolerance 5% threshold 60% rescaled", 90) == \
        pytest.approx(75.0)


def test_limits_then_steps():
    indicator = ("unit N target >= 100 limits minimum 80 maximum 120 "
                 "steps { below 50% scores 0% from 50% scores 100% }")
    assert scored(indicator, 90) == 100.0
    assert scored(indicator, 89) == 0.0


def test_the_floor_and_cap_bound_the_curves_score_and_flags_say_so():
    plan = _plan("unit N target >= 100 threshold 60% rescaled")
    node = plan.evaluate({"x": 120}, period="H1")["100/x"]
    assert node.score == 100.0 and node.raw == pytest.approx(120.0)
    assert "capped" in node.flags


# ---- the fast path stays Modena's ---------------------------------------------------------------
def test_leaf_rules_never_take_the_evaluators_fast_path():
    plan = scorelang.loads(plan_text(
        'indicator x "X" { target >= 100 tolerance 5% } indicator y "Y" { target >= 100 }',
        "x 50% y 50%"))
    layout = plan.program("H1").layout
    assert math.isinf(layout.apart[0]) and not math.isinf(layout.apart[1])
    assert not layout.plain[0] and layout.plain[1]


def test_methods_list_every_new_case():
    for name in ("within_tolerance", "gap_at_least", "gap_at_most", "limits", "progress"):
        assert name in scoring.METHODS
    assert set(scoring.CURVE_METHODS) == {"threshold_below", "threshold", "threshold_rescaled",
                                          "steps", "points"}


# ---- SL219: an exact target that misleads ----------------------------------------------------
def _warnings(indicator: str, policy: str = "") -> list[str]:
    _, found = scorelang.diagnose(plan_text(f'indicator x "X" {{ {indicator} }}', "x 100%",
                                            policy))
    return [d.code for d in found]


def test_sl219_warns_on_exactly_6_inspections_whatever_the_unit():
    # Regression: SL219 treated unit N as discrete and said nothing on `= 6 N`.
    assert "SL219" in _warnings("unit N target = 6")
    assert "SL219" in _warnings("target = 6")
    assert "SL219" in _warnings("unit % target = 98%")


def test_sl219_is_silent_on_a_yes_no_target_and_on_zero():
    # Regression: SL219 fired on `= 1` with a unit, where an exact target is right.
    assert "SL219" not in _warnings("unit % target = 1")
    assert "SL219" not in _warnings("unit N target = 0")


def test_sl219_is_silent_when_a_tolerance_gives_the_margin():
    assert "SL219" not in _warnings("unit N target = 6 tolerance 1")
    assert "SL219" not in _warnings("unit N target = 6", policy="tolerance 5%")


def test_explain_writes_the_plans_tolerance_as_the_policy_says_it():
    plan = _plan("unit N target >= 600", policy="tolerance 5%")
    explained = explain(plan, plan.evaluate({"x": 575}, period="H1"), "100/x")
    assert "within the 5% tolerance of the target" in explain_text(explained)


def test_a_steps_and_a_points_table_in_one_indicator_is_one_table_too_many():
    _, found = scorelang.diagnose(plan_text(
        'indicator x "X" { target >= 100 steps { below 50% scores 0% from 50% scores 100% } '
        'points 10 { below 50% scores 0 from 50% scores 10 } }', "x 100%"))
    (twice,) = [d for d in found if d.code == "SL107"]
    assert "sets `steps` or `points` twice" in twice.message


def test_the_json_report_shows_the_baseline_beside_the_target():
    plan = _plan("unit N target >= 1500 baseline 1200")
    node = plan.evaluate({"x": 1400}, period="H1").to_dict()
    (found,) = [n for n in node["nodes"] if n["id"] == "100/x"]
    assert found["baseline"] == 1200.0


def test_a_steps_row_scores_an_infinite_ratio_achievement_not_nd():
    # Regression (found by hypothesis): `<= 4` under `formula ratio` with a value of 1e-308 is
    # an achievement of 4 / 1e-308 = inf; the fixed score of the row `from ...` was computed
    # as `start + 0 × inf`, NaN, so the indicator came out N/D instead of 100 %.
    import numpy as np

    from scorelang.engine import scoring

    curve = scoring.Curve(scoring.CurveKind.STEPS, stretches=(
        scoring.Stretch(-math.inf, 0.5, 0.0, 0.0), scoring.Stretch(0.5, math.inf, 1.0, 1.0)))
    rule = scoring.LeafRule(curve=curve)
    kind = scoring.LeafKind.AT_MOST_RATIO
    assert scoring.ruled_score(rule, kind, 4.0, 1e-308, 0.0, 1.0) == 1.0
    assert scoring.ruled_score_array(rule, kind, 4.0, np.array([1e-308]), 0.0, 1.0).tolist() \
        == [1.0]
