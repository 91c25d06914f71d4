"""Individual evaluation: behaviours rated on a scale, scorecards of weighted components (by
role), and reward bands — through the language, the values file and the API, figures pinned."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelang
from scorelang import ValuesError
from scorelang.api import check_text
from scorelang.engine import scoring
from scorelang.engine.values import loads_values
from scorelang.syntax.format import format_text
from scorelang.syntax.parser import reserved_words

PLAN = '''
plan camera "Camera di commercio 2021" {
  period Y "Valutazione annuale" ends 2021-12-31
}

indicator welfare "Azioni di welfare aziendale" { unit N target >= 4 }
indicator ocri "Regolamento OCRI adottato" { unit N target >= 1 }

area "1" "Competitività dell'Ente" weight 100% {
  objective "803" "Trasparenza e legalità" weight 100% {
    welfare 50%
    objective "803.A1.2" "Prevenzione della corruzione" weight 50% { ocri 100% }
  }
}

behaviours dirigenti "Comportamenti organizzativi dei dirigenti" scale 1 to 5 {
  problem_solving "Capacità di problem solving" 25%
  leadership "Capacità di guida e motivazione dei collaboratori" 25%
  differenziazione "Capacità di differenziare le valutazioni" 50%
}

role dirigente "Dirigenti" {
  ente 30%
  area 30%
  obiettivi 20%
  comportamenti 20%
  reward retribuzione_risultato
}

reward retribuzione_risultato "Retribuzione di risultato" {
  below 60% pays 0%
  60% to 95% pays 60% to 100%
  from 95% pays 100%
}

scorecard dirigente_area_1 "Dirigente Area 1" role dirigente {
  component ente "Performance organizzativa dell'Ente" { plan }
  component area "Performance dell'Area" { objective "803" }
  component obiettivi "Obiettivi individuali" {
    welfare 50%
    objective "803.A1.2" 50%
  }
  component comportamenti "Comportamenti" { behaviours dirigenti }
}

scorecard dirigente_area_2 "Dirigente Area 2" {
  component ente "Performance organizzativa dell'Ente" 40% { plan }
  component comportamenti "Comportamenti" 60% { behaviours dirigenti }
  reward retribuzione_risultato
}
'''

VALUES = '''plan: camera
period: Y
as_of: 2021-12-31
values:
  welfare: 3
  ocri: 1
behaviours:
  dirigente_area_1: {problem_solving: 4, leadership: 5, differenziazione: 3}
  dirigente_area_2: {problem_solving: 2, leadership: 3, differenziazione: 2}
'''


@pytest.fixture(scope="module")
def plan() -> scorelang.Plan:
    return scorelang.loads(PLAN, "camera.score")


def card(result: scorelang.Result, card_id: str) -> scorelang.ScorecardResult:
    return next(c for c in result.scorecards if c.id == card_id)


def test_the_plan_checks_clean() -> None:
    assert check_text(PLAN) == []


def test_a_rating_of_4_on_a_1_to_5_scale_scores_80_percent() -> None:
    assert scoring.behaviour_score(4, 5) == pytest.approx(0.80)
    assert scoring.behaviour_score(1, 5) == pytest.approx(0.20)


def test_behaviours_score_the_weighted_mean_of_their_ratings(plan: scorelang.Plan) -> None:
    result = plan.evaluate(loads_values(VALUES, "v.yaml"))
    behaviours = card(result, "dirigente_area_1").components[3].parts[0]
    # 25 % x 80 + 25 % x 100 + 50 % x 60 = 20 + 25 + 30 = 75 %
    assert behaviours.score == pytest.approx(75.0)
    assert [r.rating for r in behaviours.ratings] == [4, 5, 3]
    assert [r.score for r in behaviours.ratings] == pytest.approx([80, 100, 60])


def test_manager_final_score_combines_body_area_objectives_and_behaviours(
        plan: scorelang.Plan) -> None:
    result = plan.evaluate(loads_values(VALUES, "v.yaml"))
    manager = card(result, "dirigente_area_1")
    # welfare 3 of 4 = 75 %, ocri reached = 100 %: 803 = 87.5 %, the plan total = 87.5 %.
    # components (weights from role `dirigente`): ente 87.5, area 87.5, obiettivi 87.5,
    # comportamenti 75: 0.3 x 87.5 + 0.3 x 87.5 + 0.2 x 87.5 + 0.2 x 75 = 85 %.
    assert [c.weight for c in manager.components] == [30, 30, 20, 20]
    assert [c.score for c in manager.components] == pytest.approx([87.5, 87.5, 87.5, 75])
    assert manager.score == pytest.approx(85.0)
    assert manager.display == "85.00"
    assert manager.role == "dirigente"


def test_reward_band_pays_in_proportion_between_60_and_95(plan: scorelang.Plan) -> None:
    manager = card(plan.evaluate(loads_values(VALUES, "v.yaml")), "dirigente_area_1")
    # 85 % lies in 60 %-95 %, paid 60 %-100 %: 60 + (85 - 60) / 35 x 40 = 88.571... %
    assert manager.reward == "retribuzione_risultato"
    assert manager.reward_band == "60% to 95%"
    assert manager.reward_share == pytest.approx(60 + 25 / 35 * 40)
    assert manager.reward_display == "88.57"


def test_a_final_score_below_60_earns_no_reward(plan: scorelang.Plan) -> None:
    other = card(plan.evaluate(loads_values(VALUES, "v.yaml")), "dirigente_area_2")
    # behaviours 0.25 x 40 + 0.25 x 60 + 0.5 x 40 = 45 %; 0.4 x 87.5 + 0.6 x 45 = 62 %
    assert other.score == pytest.approx(62.0)
    assert other.reward_share == pytest.approx(60 + 2 / 35 * 40)
    low = card(plan.evaluate({"welfare": 0, "ocri": 0}, behaviours={
        "dirigente_area_2": {"problem_solving": 1, "leadership": 1, "differenziazione": 1}}),
        "dirigente_area_2")
    # plan total 0; behaviours 20 %: 0.6 x 20 = 12 %
    assert low.score == pytest.approx(12.0)
    assert low.reward_band == "below 60%" and low.reward_share == 0.0


def test_ratings_given_through_the_api_match_the_values_file(plan: scorelang.Plan) -> None:
    from_file = plan.evaluate(loads_values(VALUES, "v.yaml"))
    from_api = plan.evaluate({"welfare": 3, "ocri": 1}, "Y", behaviours={
        "dirigente_area_1": {"problem_solving": 4, "leadership": 5, "differenziazione": 3},
        "dirigente_area_2": {"problem_solving": 2, "leadership": 3, "differenziazione": 2}})
    assert [c.to_dict() for c in from_file.scorecards] == \
        [c.to_dict() for c in from_api.scorecards]
    # and ratings given beside a loaded values file replace its own
    replaced = plan.evaluate(loads_values(VALUES, "v.yaml"), behaviours={
        "dirigente_area_1": {"problem_solving": 5, "leadership": 5, "differenziazione": 5}})
    assert card(replaced, "dirigente_area_1").components[3].score == pytest.approx(100.0)


def test_a_missing_rating_counts_zero_under_the_default_policy(plan: scorelang.Plan) -> None:
    result = plan.evaluate({"welfare": 3, "ocri": 1}, "Y", behaviours={
        "dirigente_area_1": {"problem_solving": 4, "leadership": 5, "differenziazione": None}})
    behaviours = card(result, "dirigente_area_1").components[3]
    assert behaviours.score == pytest.approx(45.0)  # 20 + 25 + 0
    assert any(d.code == "SL335" and "dirigente_area_2" in d.message for d in result.diagnostics)


def test_excluded_policy_reweights_the_rated_behaviours() -> None:
    text = PLAN.replace('ends 2021-12-31\n}', 'ends 2021-12-31\n  policy { missing excluded }\n}')
    result = scorelang.loads(text).evaluate({"welfare": 3, "ocri": 1}, "Y", behaviours={
        "dirigente_area_1": {"problem_solving": 4, "leadership": 5, "differenziazione": None}})
    assert card(result, "dirigente_area_1").components[3].score == pytest.approx(90.0)


@pytest.mark.parametrize("ratings, code", [
    ("{problem_solving: 6, leadership: 5, differenziazione: 3}", "SL332"),
    ("{problem_solving: 3.5, leadership: 5, differenziazione: 3}", "SL333"),
    ("{problem_solving: 4, leadersip: 5, differenziazione: 3}", "SL331"),
    ("{problem_solving: buono, leadership: 5, differenziazione: 3}", "SL334"),
])
def test_bad_ratings_are_errors_with_file_line_and_column(plan: scorelang.Plan, ratings: str,
                                                           code: str) -> None:
    text = VALUES.replace("{problem_solving: 4, leadership: 5, differenziazione: 3}", ratings)
    with pytest.raises(ValuesError) as raised:
        plan.evaluate(loads_values(text, "monitoraggio.yaml"))
    [problem] = raised.value.diagnostics
    assert problem.code == code
    assert problem.span is not None and problem.span.file == "monitoraggio.yaml"
    assert problem.span.line == 8


def test_an_unknown_person_is_named_with_a_suggestion(plan: scorelang.Plan) -> None:
    with pytest.raises(ValuesError) as raised:
        plan.evaluate(loads_values(VALUES.replace("dirigente_area_1:", "dirigente_area1:"),
                                   "v.yaml"))
    [problem] = raised.value.diagnostics
    assert problem.code == "SL330" and "dirigente_area_1" in (problem.hint or "")
    assert problem.span is not None and (problem.span.line, problem.span.column) == (8, 3)


def test_half_steps_are_accepted_when_the_scale_declares_them() -> None:
    text = PLAN.replace("scale 1 to 5 {", "scale 1 to 5 step 0.5 {")
    result = scorelang.loads(text).evaluate({"welfare": 3, "ocri": 1}, "Y", behaviours={
        "dirigente_area_1": {"problem_solving": 3.5, "leadership": 5, "differenziazione": 3}})
    # 0.25 x 70 + 0.25 x 100 + 0.5 x 60 = 72.5 %
    assert card(result, "dirigente_area_1").components[3].score == pytest.approx(72.5)


def test_flat_scorecards_score_as_before_and_carry_no_new_json_keys() -> None:
    text = PLAN + '''
scorecard segretario "Segretario Generale" {
  welfare 50%
  objective "803.A1.2" 50%
}
'''
    result = scorelang.loads(text).evaluate(loads_values(VALUES, "v.yaml"))
    flat = card(result, "segretario").to_dict()
    assert flat["score"] == pytest.approx(87.5)
    assert set(flat) == {"id", "title", "score", "display", "status", "band", "entries"}


def test_json_report_carries_components_ratings_and_reward(plan: scorelang.Plan) -> None:
    result = plan.evaluate(loads_values(VALUES, "v.yaml"))
    data = json.loads(json.dumps(result.to_dict()))
    manager = data["scorecards"][0]
    assert manager["reward"]["share"] == pytest.approx(88.5714285714)
    assert manager["components"][3]["parts"][0]["ratings"][0] == {
        "id": "problem_solving", "title": "Capacità di problem solving", "weight": 25.0,
        "rating": 4.0, "score": 80.0}


def test_fmt_is_idempotent_keeps_comments_and_the_plan() -> None:
    text = PLAN.replace("  leadership \"", "  # rated by the OIV\n  leadership \"") \
        .replace("{ plan }", "{ plan }  # the plan total")
    once = format_text(text)
    assert format_text(once) == once
    assert "# rated by the OIV" in once and "# the plan total" in once
    assert "  60% to 95% pays 60% to 100%" in once
    assert 'scorecard dirigente_area_1 "Dirigente Area 1" role dirigente {' in once
    assert scorelang.loads(once).definition == scorelang.loads(text).definition


def test_new_keywords_are_reserved() -> None:
    assert {"behaviours", "role", "reward", "component", "pays", "below", "scale",
            "step", "to"} <= reserved_words()


@pytest.mark.parametrize("change, code", [
    (("from 95% pays 100%", "from 96% pays 100%"), "SL282"),
    (("  from 95% pays 100%\n", ""), "SL281"),
    (("below 60% pays 0%", "below 60% pays 10%\n  50% to 60% pays 0%"), "SL282"),
    (("from 95% pays 100%", "from 95% pays 90%"), "SL285"),
    (("obiettivi 20%", "obiettivi 25%"), "SL276"),
    (("{ behaviours dirigenti }", "{ behaviours dirigente }"), "SL273"),
    (('role dirigente {\n  component', 'role dirigenti {\n  component'), "SL274"),
    (("comportamenti 20%\n  reward", "reward"), "SL275"),
    (("reward retribuzione_risultato\n}\n\nreward", "reward retribuzione\n}\n\nreward"),
     "SL280"),
])
def test_plan_mistakes_are_named(change: tuple[str, str], code: str) -> None:
    old, new = change
    assert old in PLAN
    found = check_text(PLAN.replace(old, new, 1))
    assert code in {d.code for d in found}, found


# ---- properties -------------------------------------------------------------------------------

@st.composite
def reward_tables(draw: st.DrawFn) -> list[scoring.RewardRow]:
    """Valid, monotone reward tables: ascending bounds, non-decreasing payments in 0-1."""
    bounds = sorted(set(draw(st.lists(st.integers(1, 119), min_size=1, max_size=5))))
    pays = sorted(draw(st.lists(st.integers(0, 100), min_size=2 * len(bounds) + 1,
                                max_size=2 * len(bounds) + 1)))
    rows: list[scoring.RewardRow] = [(None, bounds[0] / 100, pays[0] / 100, None)]
    for index, (lower, upper) in enumerate(zip(bounds, bounds[1:])):
        linear = draw(st.booleans())
        start, end = pays[2 * index + 1] / 100, pays[2 * index + 2] / 100
        rows.append((lower / 100, upper / 100, start, end if linear else None))
    rows.append((bounds[-1] / 100, None, pays[-1] / 100, None))
    return rows


@settings(max_examples=200, deadline=None)
@given(reward_tables(), st.floats(-0.5, 2.0), st.floats(-0.5, 2.0))
def test_reward_share_is_monotone_and_within_0_and_100_percent(
        rows: list[scoring.RewardRow], a: float, b: float) -> None:
    low, high = sorted((a, b))
    paid_low, paid_high = scoring.reward_share(low, rows), scoring.reward_share(high, rows)
    assert isinstance(paid_low, float) and isinstance(paid_high, float)
    assert 0.0 <= paid_low <= 1.0 and 0.0 <= paid_high <= 1.0
    assert paid_low <= paid_high + 1e-12


@settings(max_examples=100, deadline=None)
@given(reward_tables(), st.lists(st.floats(-0.5, 2.0), min_size=1, max_size=20))
def test_reward_share_array_form_agrees_with_the_scalar_form(
        rows: list[scoring.RewardRow], scores: list[float]) -> None:
    np = pytest.importorskip("numpy")
    shares = scoring.reward_share_array(np.array(scores), rows)
    assert list(shares) == pytest.approx([scoring.reward_share(s, rows) for s in scores])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 20), st.integers(1, 20), st.data())
def test_behaviour_conversion_is_within_0_and_100_percent(low: int, span: int,
                                                         data: st.DataObject) -> None:
    high = low + span
    rating = data.draw(st.integers(low, high))
    score = scoring.behaviour_score(rating, high)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(rating / high)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=3, max_size=3), st.integers(0, 8),
       st.integers(0, 2), st.integers(10, 90))
def test_a_component_scores_within_the_min_and_max_of_its_parts(
        ratings: list[int], welfare: int, ocri: int, split: int) -> None:
    text = PLAN.replace("    welfare 50%\n    objective \"803.A1.2\" 50%",
                        f"    welfare {split}%\n    objective \"803.A1.2\" {100 - split}%")
    result = scorelang.loads(text).evaluate({"welfare": welfare, "ocri": ocri}, "Y", behaviours={
        "dirigente_area_1": dict(zip(("problem_solving", "leadership", "differenziazione"),
                                     ratings))})
    manager = card(result, "dirigente_area_1")
    for component in manager.components:
        parts = [p.score for p in component.parts]
        assert component.score is not None and all(p is not None for p in parts)
        assert min(parts) - 1e-9 <= component.score <= max(parts) + 1e-9  # type: ignore
        for part in component.parts:
            ratings_scores = [r.score for r in part.ratings]
            if ratings_scores:
                assert part.score is not None
                assert min(ratings_scores) - 1e-9 <= part.score  # type: ignore[operator]
                assert part.score <= max(ratings_scores) + 1e-9  # type: ignore[operator]
    scores = [c.score for c in manager.components]
    assert manager.score is not None
    assert min(scores) - 1e-9 <= manager.score <= max(scores) + 1e-9  # type: ignore



def test_the_json_report_and_the_values_file_fit_their_schemas(plan: scorelang.Plan) -> None:
    import yaml

    from .test_schemas import as_json, valid
    result = plan.evaluate(loads_values(VALUES, "v.yaml"))
    assert valid(as_json(result.to_dict()), "score")
    assert valid(as_json(yaml.safe_load(VALUES)), "values")
    bad = yaml.safe_load(VALUES)
    bad["behaviours"]["dirigente_area_1"]["leadership"] = [5]
    assert not valid(as_json(bad), "values")


# ---- reports ----------------------------------------------------------------------------------

def test_scorecards_view_shows_components_ratings_and_reward(plan: scorelang.Plan) -> None:
    from scorelang.report.views import scorecards
    view = scorecards(plan.evaluate(loads_values(VALUES, "v.yaml")))
    assert [c.key for c in view.columns][-3:] == ["rating", "reward_band", "reward"]
    rows = {row["id"]: row for row in view.rows}
    assert rows["dirigente_area_1"]["reward"] == pytest.approx(88.5714285714)
    assert rows["dirigente_area_1"]["reward_band"] == (60.0, 95.0)
    assert rows["dirigente_area_1/comportamenti"]["weight"] == 20.0
    assert rows["dirigente_area_1/problem_solving"]["rating"].value == 4.0
    assert rows["dirigente_area_1/problem_solving"]["depth"] == 3


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_text_reports_print_the_breakdown_and_the_reward(plan: scorelang.Plan, fmt: str) -> None:
    from scorelang.report import render
    text = render(plan.evaluate(loads_values(VALUES, "v.yaml")), fmt, view="scorecards")
    assert "88.57" in text and "60% to 95%" in text
    assert "problem_solving" in text and "Comportamenti" in text
    if fmt != "csv":
        assert "4 / 5" in text


def test_italian_table_names_the_reward_band(plan: scorelang.Plan) -> None:
    from scorelang.report import render
    text = render(plan.evaluate(loads_values(VALUES, "v.yaml")), "table", view="scorecards",
                  locale="it")
    assert "Quota premio" in text and "88,57 %" in text and "da 60 % a 95 %" in text


def test_html_report_shows_each_component_and_the_reward(plan: scorelang.Plan) -> None:
    from scorelang.report.html import to_html
    page = to_html(plan.evaluate(loads_values(VALUES, "v.yaml")))
    assert 'data-reward="retribuzione_risultato"' in page and "88.57%" in page
    assert 'data-component="comportamenti"' in page and 'data-behaviour="leadership"' in page


def test_xlsx_scorecards_sheet_has_ratings_and_reward(plan: scorelang.Plan, tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx
    path = tmp_path / "report.xlsx"
    to_xlsx(plan.evaluate(loads_values(VALUES, "v.yaml")), path)
    sheet = openpyxl.load_workbook(path)["Scorecards"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Reward band", "Reward")
    total = rows[1]
    assert total[2] == "dirigente_area_1" and total[-1] == pytest.approx(0.885714285714)
    ratings = [row for row in rows if row[3] == "behaviour"]
    assert [row[8] for row in ratings[:3]] == [4, 5, 3]


def test_whatif_dropping_an_indicator_drops_its_component_part_and_moves_the_reward() -> None:
    from scorelang.tools.whatif import Drop, whatif
    outcome = whatif(PLAN, "camera.score", loads_values(VALUES, "v.yaml"), [Drop("welfare")])
    assert "welfare" not in outcome.text.split("component obiettivi", 1)[1].split("}", 1)[0]
    manager = card(outcome.after, "dirigente_area_1")
    # without welfare: 803 = 803.A1.2 = 100 %, plan total 100 %; obiettivi = 100 %;
    # 0.3 x 100 + 0.3 x 100 + 0.2 x 100 + 0.2 x 75 = 95 %: from 95 % the whole bonus
    assert manager.score == pytest.approx(95.0)
    assert manager.reward_share == pytest.approx(100.0)
    changed = {change.node for change in outcome.changes}
    assert {"scorecard:dirigente_area_1", "reward:dirigente_area_1"} <= changed


def test_rule_tests_pin_final_scores_components_and_rewards(tmp_path) -> None:
    from scorelang.tools import ruletest
    (tmp_path / "camera.score").write_text(PLAN, encoding="utf-8")
    (tmp_path / "camera.yaml").write_text(VALUES, encoding="utf-8")
    (tmp_path / "camera.test.yaml").write_text('''rules: camera.score
tests:
  - name: valutazione annuale
    values: camera.yaml
    expect:
      "scorecard:dirigente_area_1": 85.00
      "scorecard:dirigente_area_1/comportamenti": 75
      "reward:dirigente_area_1": 88.57
  - name: ratings given in the case
    values: {welfare: 3, ocri: 1}
    period: Y
    behaviours:
      dirigente_area_1: {problem_solving: 5, leadership: 5, differenziazione: 5}
    expect:
      "scorecard:dirigente_area_1": 90
      "reward:dirigente_area_1": 94.29
      "reward:dirigente_area_2": {score: 0, status: scored}
''', encoding="utf-8")
    report = ruletest.run_paths([str(tmp_path / "camera.test.yaml")])
    assert (report.passed, report.failed, report.errors) == (6, 0, 0)


def test_a_rule_test_naming_an_unknown_reward_is_sl403(tmp_path) -> None:
    from scorelang.tools import ruletest
    (tmp_path / "camera.score").write_text(PLAN, encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text('''rules: camera.score
tests:
  - values: {welfare: 3, ocri: 1}
    expect:
      "reward:dirigente_area3": 0
''', encoding="utf-8")
    report = ruletest.run_paths([str(tmp_path / "t.test.yaml")])
    [suite] = report.suites
    assert [d.code for d in suite.errors] == ["SL403"]
    assert "reward:dirigente_area_1" in (suite.errors[0].hint or "") or \
        "reward:dirigente_area_2" in (suite.errors[0].hint or "")


def test_explain_a_scorecard_writes_out_each_weighted_mean_and_the_reward(
        plan: scorelang.Plan) -> None:
    from scorelang.report.individual import explain_scorecard_json, explain_scorecard_text
    from scorelang.tools.individual import explain_scorecard
    explanation = explain_scorecard(plan, plan.evaluate(loads_values(VALUES, "v.yaml")),
                                    "scorecard:dirigente_area_1")
    text = explain_scorecard_text(explanation)
    assert "came to 85.00 %" in text
    assert "= 26.25 + 26.25 + 17.50 + 15.00 points" in text
    assert "problem_solving 25 %: rated 4 of 5 = 80.00 %" in text
    assert "60 % + (85.00 % − 60 %) / (95 % − 60 %) × (100 % − 60 %) = 88.57 % of the bonus" \
        in text
    data = json.loads(explain_scorecard_json(explanation))
    assert data["reward"]["share"] == pytest.approx(88.5714285714)
    assert data["divisors"][""] == pytest.approx(100.0)


def test_explain_shows_an_nd_rating_left_out_under_excluded() -> None:
    from scorelang.report.individual import explain_scorecard_text
    from scorelang.tools.individual import explain_scorecard
    excluded = scorelang.loads(PLAN.replace('ends 2021-12-31\n}',
                                            'ends 2021-12-31\n  policy { missing excluded }\n}'))
    result = excluded.evaluate({"welfare": 3, "ocri": 1}, "Y", behaviours={
        "dirigente_area_1": {"problem_solving": 4, "leadership": None, "differenziazione": 3}})
    text = explain_scorecard_text(explain_scorecard(excluded, result, "dirigente_area_1"))
    # (25 % x 80 + 50 % x 60) / 75 % = 50 / 0.75 = 66.67 %
    assert "[leadership: N/D, left out]" in text and "÷ 75 % counted = 66.67 %" in text


def test_explain_an_unknown_scorecard_is_sl314_with_a_suggestion(plan: scorelang.Plan) -> None:
    from scorelang.tools.individual import explain_scorecard
    with pytest.raises(scorelang.ScorelangError) as raised:
        explain_scorecard(plan, plan.evaluate(loads_values(VALUES, "v.yaml")),
                          "scorecard:dirigente_area_3")
    [problem] = raised.value.diagnostics
    assert problem.code == "SL314" and "dirigente_area_" in (problem.hint or "")


@st.composite
def reward_texts(draw: st.DrawFn) -> tuple[str, list[scoring.RewardRow]]:
    """Reward tables as a plan writes them, some with mistakes (gaps, overlaps, a missing end)."""
    bounds = sorted(draw(st.lists(st.integers(1, 119), min_size=1, max_size=4)))
    lines = [f"below {bounds[0]}% pays 0%"]
    rows: list[scoring.RewardRow] = [(None, bounds[0] / 100, 0.0, None)]
    for lower, upper in zip(bounds, bounds[1:]):
        lower += draw(st.sampled_from([0, 0, 0, 1, -1]))  # now and then a gap or an overlap
        lines.append(f"{lower}% to {upper}% pays 50% to 60%")
        rows.append((lower / 100, upper / 100, 0.5, 0.6))
    if draw(st.booleans()) or len(bounds) == 1:
        lines.append(f"from {bounds[-1]}% pays 100%")
        rows.append((bounds[-1] / 100, None, 1.0, None))
    return "\n  ".join(lines), rows


@settings(max_examples=80, deadline=None)
@given(reward_texts(), st.lists(st.floats(-0.5, 2.0), min_size=1, max_size=10))
def test_a_reward_table_that_checks_clean_pays_every_score(
        table: tuple[str, list[scoring.RewardRow]], scores: list[float]) -> None:
    text, rows = table
    plan_text = PLAN.split("reward retribuzione_risultato \"Retribuzione")[0] + \
        'reward retribuzione_risultato "R" {\n  ' + text + '\n}\n' + \
        PLAN.split("from 95% pays 100%\n}\n", 1)[1]
    errors = [d for d in check_text(plan_text) if d.is_error]
    if not errors:
        for score in scores:
            assert isinstance(scoring.reward_share(score, rows), float)
    else:
        assert {d.code for d in errors} <= {"SL281", "SL282"}


def test_a_reward_mapping_no_card_names_is_a_warning() -> None:
    text = PLAN.replace("  reward retribuzione_risultato\n}\n\nreward", "}\n\nreward") \
        .replace("  reward retribuzione_risultato\n}\n", "}\n")
    found = check_text(text)
    assert [(d.code, d.is_error) for d in found] == [("SL287", False)]
