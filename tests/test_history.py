"""Earlier years' actuals (`history:` in a values file, an indicator's `baseline`) and the advice
facts that read them: `previous`, `stretch`, `trend` (docs/advice.md §3, *History*).

Figures are computed by hand next to each test. The Modena tests pin docs/advice.md §6.7: the
seed gives no 2019 actual, so the under-estimated-target rule flags nothing on the June
monitoring; the one Modena test with a history uses a figure made up for the test (labelled so),
never one the example carries.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scorelang
from scorelang import ValuesError, model
from scorelang.engine.history import Actual, history_facts

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT

PLAN = """
plan demo "Demo" {
  period H1 "Giugno" ends 2020-06-30
  period Y "Anno" ends 2020-12-31
  policy { locale it }
}
indicator a "Partecipanti" { unit N target >= 600 periodic H1 >= 300 }
indicator b "Tempi" { unit gg target <= 6 }
indicator c "Export" { unit N target >= 100 baseline 90 }
indicator d "Report" { deadline 2020-10-31 }
area "1" "Uno" {
  objective "11" "Undici" weight 100% { a 40% b 30% c 20% d 10% }
}
rule sotto "Target sottostimato" {
  when kind == indicator and stretch <= 0
  flag target warning "{previous} | {stretch}"
}
rule calo "In calo" {
  when trend < 0
  flag trend info "{value} | {previous} | {trend}"
}
"""

VALUES = """
plan: demo
period: Y
as_of: 2020-12-31
values: {a: 480, b: 4, c: 95, d: 2020-09-30}
"""


def _result(history: str = "", plan: str = PLAN):
    values = scorelang.loads_values(VALUES + history, "v.yaml")
    return scorelang.loads(plan, "p.score").evaluate(values)


def _messages(result) -> dict[tuple[str, str], str]:
    return {(f.node, f.rule): f.message for f in result.findings}


def test_previous_stretch_and_trend_by_hand():
    result = _result("history:\n  2018: {a: 400}\n  2019: {a: 600, b: 3.92}\n")
    assert _messages(result) == {
        # a: >= 600 against 600 -> stretch 0 (at last year's actual); value 480 ->
        # (480 - 600) / 600 = -20 %
        ("11/a", "sotto"): "600 N. | +0,00 %",
        ("11/a", "calo"): "480 N. | 600 N. | -20,00 %",
        # b: <= 6 against 3.92: (6 - 3.92) / 3.92 = 53.06 % worse, so -53.06 towards better;
        # value 4: (4 - 3.92) / 3.92 = 2.04 % worse -> -2.04
        ("11/b", "sotto"): "3,92 gg | -53,06 %",
        ("11/b", "calo"): "4 gg | 3,92 gg | -2,04 %",
        # c: baseline 90, target 100 -> +11.11; value 95 -> +5.56: neither rule fires
    }


def test_the_baseline_is_last_years_actual_without_a_history():
    plan = PLAN.replace("baseline 90", "baseline 120")
    # c: >= 100 against 120 -> (100 - 120) / 120 = -16.67 %; value 95 -> -20.83 %
    assert _messages(_result(plan=plan)) == {("11/c", "sotto"): "120 N. | -16,67 %",
                                             ("11/c", "calo"): "95 N. | 120 N. | -20,83 %"}


def test_no_history_no_baseline_no_finding_and_no_score_moves():
    plain = _result(plan=PLAN.replace(" baseline 90", ""))
    assert plain.findings == ()
    with_history = _result("history:\n  2019: {a: 9000, b: 1}\n")
    assert [n.score for n in with_history] == [n.score for n in plain]


def test_the_latest_year_with_a_figure_wins():
    result = _result("history:\n  2019: {a: null}\n  2017: {a: 700}\n  2018: {a: 650}\n")
    # 2019 is N/D for a: the latest figure is 2018's 650 -> (600 - 650) / 650 = -7.69 %
    assert _messages(result)[("11/a", "sotto")] == "650 N. | -7,69 %"


def test_stretch_reads_the_annual_target_in_a_half_year_monitoring():
    values = scorelang.loads_values(VALUES.replace("period: Y", "period: H1").replace(
        "2020-12-31", "2020-06-30").replace("d: 2020-09-30", "d: null")
        + "history:\n  2019: {a: 550}\n", "v.yaml")
    result = scorelang.loads(PLAN, "p.score").evaluate(values)
    # the periodic 300 is below 550, the annual 600 is not: (600 - 550) / 550 = +9.09 %
    assert ("11/a", "sotto") not in _messages(result)


@pytest.mark.parametrize("history,code", [
    ("history: [2019]\n", "SL343"),
    ("history:\n  2019: 512\n", "SL343"),
    ("history:\n  ultimo: {a: 1}\n", "SL344"),
    ("history:\n  2020: {a: 1}\n", "SL344"),
    ("history:\n  2019: {a: molti}\n", "SL345"),
    ("history:\n  2019: {a: 2019-12-31}\n", "SL345"),
    ("history:\n  2019: {a: .inf}\n", "SL322"),
])
def test_values_file_history_problems(history, code):
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values(VALUES + history, "v.yaml")
    (problem,) = info.value.diagnostics
    assert problem.code == code and problem.span is not None and problem.hint


@pytest.mark.parametrize("history,code", [
    ("history:\n  2019: {partecipanti: 1}\n", "SL346"),
    ("history:\n  2019: {d: 3}\n", "SL347"),
])
def test_history_against_the_plan(history, code):
    with pytest.raises(ValuesError) as info:
        _result(history)
    assert [d.code for d in info.value.diagnostics] == [code]


def test_history_and_baseline_disagreeing_is_a_warning_and_the_history_wins():
    result = _result("history:\n  2019: {c: 100}\n")
    assert [d.code for d in result.diagnostics] == ["SL348"]
    # c: >= 100 against the history's 100 -> stretch 0: flagged (the baseline 90 would not)
    assert _messages(result)[("11/c", "sotto")] == "100 N. | +0,00 %"


def test_history_from_a_program():
    values = scorelang.Values.from_mapping({"a": 480, "b": 4, "c": 95, "d": None},
                                           history={2019: {"a": 600}}, period="Y")
    result = scorelang.loads(PLAN, "p.score").evaluate(values)
    assert ("11/a", "sotto") in _messages(result)
    with pytest.raises(ValuesError):
        scorelang.Values.from_mapping({}, history={"l'anno scorso": {"a": 1}})


@pytest.mark.parametrize("when", ["target <= previous", "previous >= target",
                                  "value < previous", "stretch < trend"])
def test_sl255_two_figures_compared(when):
    plan = PLAN.replace("when kind == indicator and stretch <= 0", f"when {when}")
    _, found = scorelang.diagnose(plan, "p.score")
    assert [d.code for d in found] == ["SL255"]
    assert "stretch" in (found[0].hint or "")


@given(st.sampled_from([model.Direction.AT_LEAST, model.Direction.AT_MOST]),
       st.integers(1, 10**6), st.integers(-10**6, 10**6).filter(lambda p: p != 0))
def test_stretch_is_not_positive_exactly_when_the_target_is_no_better_than_last_year(
        direction, target, previous):
    indicator = model.Indicator("x", "X", target=model.Target(direction, float(target)))
    stretch = history_facts(indicator, None, {"x": Actual(float(previous))})["stretch"]
    assert stretch is not None
    no_better = target <= previous if direction is model.Direction.AT_LEAST \
        else target >= previous
    assert (stretch <= 0) == no_better
    # in percent of last year's actual: back to the target
    sign = 1 if direction is model.Direction.AT_LEAST else -1
    assert previous + sign * stretch * abs(previous) / 100 == pytest.approx(target)


# ---- Modena (docs/advice.md §6.7) ------------------------------------------------------------
MARKED = ("partecipanti_internaz", "certificati_origine_tempi", "assessment_maturita_digitale",
          "partecipanti_sviluppo_impresa", "controlli_autocertificazioni",
          "soggetti_contrasto_criminalita", "controlli_dsan_altri_uffici",
          "tempi_avvio_mediazioni", "tempi_avvio_sovraindebitamento")


def test_modena_the_example_carries_no_2019_figure_and_the_rule_flags_nothing(modena_result):
    assert scorelang.load_values(MODENA_VALUES).history == {}
    assert not [f for f in modena_result.findings if f.rule == "target_sotto_consuntivo"]
    assert len(modena_result.findings) == 90  # docs/advice.md §6.4, unchanged


def test_modena_agreement_table_lists_the_nine_marked_indicators_as_undecidable():
    text = (ROOT / "docs" / "advice.md").read_text(encoding="utf-8")
    table = text[text.index("### 6.7"):]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(MARKED)
    assert all("| none | not flagged | undecidable: no 2019 figure." in row for row in rows)


def test_modena_the_rule_decides_once_a_2019_figure_is_given(modena_plan):
    # A made-up figure, for the test only (the seed gives none): 600 participants in 2019
    # against the 2020 target >= 600 -> stretch 0: flagged on both of its rows.
    values = scorelang.load_values(MODENA_VALUES)
    result = modena_plan.evaluate(values.__class__.from_mapping(
        dict(values.values), plan=values.plan, period=values.period, as_of=values.as_of,
        history={2019: {"partecipanti_internaz": 600}}))
    flagged = sorted(f.node for f in result.findings if f.rule == "target_sotto_consuntivo")
    assert flagged == ["301.D1.1/partecipanti_internaz", "301/indicatori/partecipanti_internaz"]
    assert [n.score for n in result] == [n.score for n in modena_plan.evaluate(values)]


def test_modena_rules_still_check_clean():
    assert scorelang.diagnose(MODENA_RULES.read_text(encoding="utf-8"), str(MODENA_RULES))[1] \
        == []
