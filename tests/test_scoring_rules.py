"""Each scoring rule and policy on its own, through the language and the API."""

from __future__ import annotations

import datetime as dt

import pytest

import scorelang
from scorelang.model import Direction, Formula, LateKind, LateRule
from scorelang.engine.scoring import NOT_DUE, deadline_achievement, raw_achievement


def plan_text(indicators: str, leaves: str, policy: str = "", extra_periods: str = "") -> str:
    return f"""
plan p "Test plan" {{
  period H1 "Primo semestre" ends 2020-06-30
  period Y "Anno" ends 2020-12-31
  {extra_periods}
  policy {{ {policy} }}
}}
{indicators}
area "1" "Area" {{
  objective "100" "Obiettivo" weight 100% {{
    {leaves}
  }}
}}
"""


def score_of(text: str, values: dict, node: str = "100", period: str | None = "H1",
             as_of: dt.date | None = None) -> float | None:
    plan = scorelang.loads(text)
    return plan.evaluate(values, period=period, as_of=as_of)[node].score


def single(target: str, value, policy: str = "", extra: str = "", period: str | None = "H1",
           as_of: dt.date | None = None) -> float | None:
    text = plan_text(f'indicator x "X" {{ {target} {extra} }}', "x 100%", policy)
    return score_of(text, {"x": value}, "100/x", period, as_of)


# ---- directions ---------------------------------------------------------------------------
def test_higher_is_better_is_value_over_target():
    assert single("target >= 300", 143) == pytest.approx(47.6666666, abs=1e-5)


def test_higher_is_better_percent_target():
    assert single("target >= 22%", 16) == pytest.approx(72.7272727, abs=1e-5)


def test_higher_is_better_is_capped_at_100():
    assert single("target >= 15", 143) == 100.0


def test_higher_is_better_keeps_the_raw_achievement_above_the_cap():
    plan = scorelang.loads(plan_text('indicator x "X" { target >= 15 }', "x 100%"))
    node = plan.evaluate({"x": 143}, period="H1")["100/x"]
    assert node.raw == pytest.approx(953.333333, abs=1e-5)
    assert node.score == 100.0


def test_higher_is_better_with_target_zero_is_reached_by_any_non_negative_value():
    assert single("target >= 0", 14) == 100.0
    assert single("target >= 0", 0) == 100.0
    assert single("target >= 0", -1) == 0.0


def test_lower_is_better_is_a_distance_from_the_target():
    assert single("target <= 4.60", 2.26) == 100.0
    assert single("target <= 4", 5) == pytest.approx(75.0)


def test_lower_is_better_with_negative_target_is_not_a_ratio():
    # -17.82 days against <= -18: 1 - 0.18/18 = 99 %; t/v would wrongly give 101 % -> 100 %.
    assert single("target <= -18", -17.82) == pytest.approx(99.0)


def test_equal_target_is_reached_or_not():
    assert single("target = 0", 0) == 100.0
    assert single("target = 0", 36782) == 0.0
    assert single("target = 5", 5.0) == 100.0


def test_floor_stops_achievement_at_zero():
    assert single("target >= 5%", -1527.97) == 0.0


def test_floor_and_cap_are_declared_per_plan():
    assert single("target >= 100", 130, policy="floor 0% cap 120%") == pytest.approx(120.0)
    assert single("target >= 100", 10, policy="floor 20% cap 100%") == pytest.approx(20.0)


def test_floor_and_cap_can_be_overridden_per_indicator():
    assert single("target >= 100", 130, extra="cap 110%") == pytest.approx(110.0)
    assert single("target >= 100", 10, extra="floor 50%") == pytest.approx(50.0)


# ---- formulas -------------------------------------------------------------------------------
def test_ratio_formula_for_lower_is_better_with_positive_target():
    assert single("target <= 4", 5, extra="formula ratio") == pytest.approx(80.0)


def test_ratio_formula_for_lower_is_better_with_negative_target():
    # both negative: v / t
    assert single("target <= -18", -9, extra="formula ratio") == pytest.approx(50.0)


def test_ratio_formula_can_be_the_plan_default():
    assert single("target <= 4", 5, policy="formula ratio") == pytest.approx(80.0)


def test_ratio_formula_raw_values_for_mixed_signs_are_reached_or_not():
    assert raw_achievement(Direction.AT_MOST, 4, -1, Formula.RATIO) == 1.0
    assert raw_achievement(Direction.AT_MOST, -4, 1, Formula.RATIO) == 0.0


# ---- periods --------------------------------------------------------------------------------
def test_periodic_target_replaces_annual_only_in_its_period():
    target = "target >= 600 periodic H1 >= 300"
    assert single(target, 150, period="H1") == pytest.approx(50.0)
    assert single(target, 150, period="Y") == pytest.approx(25.0)


# ---- deadlines ------------------------------------------------------------------------------
def test_deadline_not_yet_due_is_not_scored():
    text = plan_text('indicator d "D" { deadline 2020-10-31 }', "d 100%")
    result = scorelang.loads(text).evaluate({"d": None}, period="H1")
    assert result["100/d"].score is None
    assert result["100/d"].status == "not_due"
    assert result["100"].status == "not_due"


def test_deadline_met_scores_100_and_missed_scores_0():
    text = plan_text('indicator d "D" { deadline 2020-10-31 }', "d 100%")
    plan = scorelang.loads(text)
    assert plan.evaluate({"d": dt.date(2020, 10, 31)}, period="Y")["100/d"].score == 100.0
    assert plan.evaluate({"d": None}, period="Y")["100/d"].score == 0.0


def test_deadline_completed_late_follows_the_plan_rule():
    due = dt.date(2020, 10, 31)
    late = dt.date(2020, 11, 15)
    assert deadline_achievement(due, late, dt.date(2020, 12, 31), LateRule(LateKind.ZERO)) == 0.0
    assert deadline_achievement(due, late, dt.date(2020, 12, 31),
                                LateRule(LateKind.FIXED, share=0.5)) == 0.5
    assert deadline_achievement(due, late, dt.date(2020, 12, 31),
                                LateRule(LateKind.LINEAR, days=30)) == pytest.approx(0.5)
    assert deadline_achievement(due, None, dt.date(2020, 6, 30), LateRule(LateKind.ZERO)) is NOT_DUE


def test_late_rule_is_declared_in_the_language():
    text = plan_text('indicator d "D" { deadline 2020-10-31 late linear 30 days }', "d 100%",
                     policy="late 50%")
    plan = scorelang.loads(text)
    assert plan.evaluate({"d": dt.date(2020, 11, 15)}, period="Y")["100/d"].score == pytest.approx(50.0)
    text = plan_text('indicator d "D" { deadline 2020-10-31 }', "d 100%", policy="late 40%")
    plan = scorelang.loads(text)
    assert plan.evaluate({"d": dt.date(2020, 12, 1)}, period="Y")["100/d"].score == pytest.approx(40.0)


# ---- aggregation and the missing-data policy -------------------------------------------------
INDICATORS = """
indicator a "A" { target >= 100 }
indicator b "B" { target >= 100 }
indicator c "C" { target >= 100 }
"""


def test_counts_zero_keeps_the_weight_of_missing_values():
    text = plan_text(INDICATORS, "a 50% b 25% c 25%", policy="missing counts_zero")
    assert score_of(text, {"a": 100, "b": None, "c": 50}) == pytest.approx(62.5)


def test_excluded_drops_missing_values_and_renormalises():
    text = plan_text(INDICATORS, "a 50% b 25% c 25%", policy="missing excluded")
    assert score_of(text, {"a": 100, "b": None, "c": 50}) == pytest.approx((50 * 100 + 25 * 50) / 75)


def test_parent_of_only_missing_children_is_missing():
    text = plan_text(INDICATORS, "a 50% b 50% c 0%")
    plan = scorelang.loads(text)
    result = plan.evaluate({"a": None, "b": None, "c": 100}, period="H1")
    assert result["100"].score is None
    assert result["100"].status == "missing"
    assert result["1"].score is None


def test_zero_weight_child_is_scored_but_not_counted():
    text = plan_text(INDICATORS, "a 50% b 50% c 0%")
    result = scorelang.loads(text).evaluate({"a": 100, "b": 0, "c": 100}, period="H1")
    assert result["100/c"].score == 100.0
    assert result["100"].score == pytest.approx(50.0)


def test_indicator_without_a_values_entry_is_missing_with_a_warning():
    text = plan_text(INDICATORS, "a 50% b 50% c 0%")
    result = scorelang.loads(text).evaluate({"a": 100, "b": 100}, period="H1")
    assert result["100/c"].status == "missing"
    assert [d.code for d in result.diagnostics] == ["SL310"]
    assert "`c`" in result.diagnostics[0].message


def test_weighted_areas_give_a_plan_score():
    text = """
plan p "P" { period Y "Y" ends 2020-12-31 }
indicator a "A" { target >= 100 }
indicator b "B" { target >= 100 }
area "1" "One" weight 25% { a 100% }
area "2" "Two" weight 75% { b 100% }
"""
    result = scorelang.loads(text).evaluate({"a": 100, "b": 50})
    assert result.score == pytest.approx(62.5)


def test_unweighted_areas_give_no_plan_score(modena_result):
    assert modena_result.score is None


# ---- flags: how a figure came about ------------------------------------------------------
def test_flags_say_when_a_score_was_capped_floored_or_used_a_periodic_target(modena_result):
    assert "capped" in modena_result["701/indicatori/controlli_autocertificazioni"].flags
    assert "periodic_target" in modena_result["701/indicatori/controlli_autocertificazioni"].flags
    assert modena_result["601.D3.1a/variazione_turisti_motor_valley"].flags == ("floored",)
    assert modena_result["601.D3.1a/presenze_fiere"].flags == ("zero_weight",)
    assert modena_result["402/indicatori/studenti_orientamento_alternanza"].flags == ()


def test_flags_say_when_a_deadline_was_missed_or_met_late():
    text = plan_text('indicator d "D" { deadline 2020-10-31 late 50% }', "d 100%")
    plan = scorelang.loads(text)
    assert plan.evaluate({"d": None}, period="Y")["100/d"].flags == ("missed",)
    assert plan.evaluate({"d": dt.date(2020, 11, 2)}, period="Y")["100/d"].flags == ("late",)
    assert plan.evaluate({"d": dt.date(2020, 10, 2)}, period="Y")["100/d"].flags == ()


def test_weights_summing_to_100_01_never_push_a_parent_above_100_percent():
    text = plan_text(INDICATORS, "a 33.34% b 33.34% c 33.33%")
    result = scorelang.loads(text).evaluate({"a": 100, "b": 100, "c": 100}, period="H1")
    assert result["100"].score == pytest.approx(100.0, abs=1e-12)
    assert result["100"].display == "100.00"


def test_huge_figures_can_still_be_displayed():
    from scorelang.engine.rounding import half_up
    assert str(half_up(1e20, 2)) == "100000000000000000000.00"
