"""Property tests for the leaf rules of issue 19: the curves are monotone and within their
bounds, tables are continuous where their stretches join, limits and progress run the right
way, and every form agrees: scalar == array == evaluate == evaluate_many (both engines)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.engine import scoring
from scorelang.engine.scoring import Curve, CurveKind, LeafKind, LeafRule, Stretch
from scorelang.model import Direction
from scorelang.report.json import to_json
from scorelang.syntax.format import format_text

from .test_scoring_forms import same

np = pytest.importorskip("numpy")

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
achievements = st.floats(-2.0, 4.0, allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw, points: bool, monotone: bool = True, continuous: bool = False) -> Curve:
    """A score table: 2 to 5 rows, bounds ascending from 10 % to 150 %, scores rising when
    `monotone`, each row starting where the previous ended when `continuous`."""
    count = draw(st.integers(2, 5))
    bounds = sorted(draw(st.lists(st.integers(10, 150), min_size=count - 1,
                                  max_size=count - 1, unique=True)))
    maximum = float(draw(st.integers(1, 100))) if points else 1.0
    levels = sorted(draw(st.lists(st.floats(0, maximum), min_size=2 * count,
                                  max_size=2 * count)))
    if not monotone:
        levels = draw(st.permutations(levels))
    edges = [-math.inf] + [b / 100 for b in bounds] + [math.inf]
    stretches = []
    for i in range(count):
        start = levels[2 * i]
        end = levels[2 * i + 1] if 0 < i < count - 1 else start
        if continuous and stretches:
            start = stretches[-1].end
            if i == count - 1:
                end = start
            elif end < start:
                end = start
        stretches.append(Stretch(edges[i], edges[i + 1], start, end))
    return Curve(CurveKind.POINTS if points else CurveKind.STEPS, stretches=tuple(stretches),
                 maximum=maximum)


thresholds = st.builds(lambda kind, th: Curve(kind, threshold=th / 100),
                       st.sampled_from([CurveKind.THRESHOLD, CurveKind.RESCALED]),
                       st.integers(1, 99))
curves = st.one_of(thresholds, tables(points=False), tables(points=True), st.none())


# ---- the curves ------------------------------------------------------------------------------
@FAST
@given(curve=curves, a=achievements, b=achievements)
def test_every_curve_is_monotone(curve, a, b):
    low, high = sorted((a, b))
    assert scoring.curved(curve, low) <= scoring.curved(curve, high) + 1e-12


@FAST
@given(curve=st.one_of(tables(points=False), tables(points=True)), raw=achievements)
def test_a_table_scores_within_its_scale(curve, raw):
    assert -1e-12 <= scoring.curved(curve, raw) <= 1.0 + 1e-12


@FAST
@given(curve=thresholds, raw=achievements)
def test_a_threshold_gives_zero_below_and_never_more_than_the_achievement_above(curve, raw):
    score = scoring.curved(curve, raw)
    if raw < curve.threshold - 1e-12:
        assert score == 0.0
    else:
        assert 0.0 <= score
        if curve.kind is CurveKind.THRESHOLD:
            assert score == raw
        else:  # rescaled: the threshold 0, the target 1
            assert score == pytest.approx((raw - curve.threshold) / (1 - curve.threshold))


@FAST
@given(curve=st.one_of(tables(points=False, continuous=True),
                       tables(points=True, continuous=True)))
def test_a_continuous_table_has_no_jump_where_its_stretches_join(curve):
    for stretch in curve.stretches[1:]:
        at = scoring.curved(curve, stretch.lower)
        before = scoring.curved(curve, stretch.lower - 1e-9)
        assert at == pytest.approx(before, abs=1e-6)


@FAST
@given(curve=curves, raws=st.lists(st.one_of(achievements, st.just(math.nan)), min_size=1,
                                   max_size=8))
def test_the_curve_scores_a_column_as_it_scores_each_achievement(curve, raws):
    column = scoring.curved_array(curve, np.array(raws))
    for raw, got in zip(raws, column.tolist()):
        expected = math.nan if math.isnan(raw) else scoring.curved(curve, raw)
        assert same(got, expected), (curve, raw)


# ---- limits and progress ---------------------------------------------------------------------
@st.composite
def limits(draw):
    direction = draw(st.sampled_from([Direction.AT_LEAST, Direction.AT_MOST]))
    figures = sorted(draw(st.lists(st.integers(-1000, 1000), min_size=4, max_size=4,
                                   unique=True)))
    if direction is Direction.AT_MOST:
        figures.reverse()
    minimum, target, maximum, excellent = map(float, figures)
    if draw(st.booleans()):
        excellent = None
    return direction, target, scoring.limit_knots(direction, target, minimum, maximum,
                                                  excellent)


@FAST
@given(case=limits(), a=finite, b=finite)
def test_limits_run_the_way_the_direction_says_within_0_and_the_top(case, a, b):
    direction, target, knots = case
    rule = LeafRule(knots=knots)
    low, high = sorted((a, b))
    at_low = scoring.ruled_achievement(rule, LeafKind.LIMITS, target, low)
    at_high = scoring.ruled_achievement(rule, LeafKind.LIMITS, target, high)
    top = max(k[1] for k in knots)
    assert 0.0 <= at_low <= top and 0.0 <= at_high <= top
    if direction is Direction.AT_LEAST:
        assert at_low <= at_high + 1e-12
    else:
        assert at_low >= at_high - 1e-12
    assert scoring.ruled_achievement(rule, LeafKind.LIMITS, target, target) == 1.0


@FAST
@given(baseline=st.integers(-1000, 1000), target=st.integers(-1000, 1000), value=finite)
def test_progress_scores_the_baseline_0_and_the_target_1(baseline, target, value):
    if baseline == target:
        target += 1
    rule = LeafRule(baseline=float(baseline))
    assert scoring.ruled_achievement(rule, LeafKind.PROGRESS, target, baseline) == 0.0
    assert scoring.ruled_achievement(rule, LeafKind.PROGRESS, target, target) == 1.0
    got = scoring.ruled_achievement(rule, LeafKind.PROGRESS, target, value)
    assert got == pytest.approx((value - baseline) / (target - baseline))


# ---- tolerance --------------------------------------------------------------------------------
MEASURED = [kind for kind in LeafKind if not kind.is_deadline and not kind.needs_rule
            and kind not in (LeafKind.AT_LEAST_ZERO, LeafKind.AT_MOST_ZERO)]


@FAST
@given(kind=st.sampled_from(MEASURED), target=st.floats(1, 1000), share=st.floats(0, 0.99),
       tolerance=st.floats(0.001, 0.2))
def test_within_the_tolerance_the_value_is_reached(kind, target, share, tolerance):
    width = tolerance * target
    value = target + share * width * (-1 if kind.value.startswith("at_least") else 1)
    rule = LeafRule(tolerance=width)
    assert scoring.ruled_achievement(rule, kind, target, value) >= 1.0


# ---- every form agrees --------------------------------------------------------------------------
@st.composite
def rules(draw):
    kind = draw(st.sampled_from(MEASURED + [LeafKind.LIMITS, LeafKind.PROGRESS]))
    target = float(draw(st.integers(1, 1000)))
    knots: tuple[tuple[float, float], ...] = ()
    baseline = 0.0
    if kind is LeafKind.LIMITS:
        knots = scoring.limit_knots(Direction.AT_LEAST, target, target * 0.8, target * 1.2,
                                    None)
    if kind is LeafKind.PROGRESS:
        baseline = target * draw(st.sampled_from([0.5, 0.8, 1.25]))
    tolerance = draw(st.sampled_from([0.0, 0.05 * target, 1.0]))
    return kind, target, LeafRule(tolerance, draw(curves), knots, baseline)


@FAST
@given(case=rules(), values=st.lists(st.one_of(finite, st.just(math.nan)), min_size=1,
                                     max_size=8), floor=st.sampled_from([0.0, 0.2]),
       cap=st.sampled_from([1.0, 1.5, 3.0]))
def test_ruled_score_scalar_form_is_the_array_form(case, values, floor, cap):
    kind, target, rule = case
    values = values + [target, target * 0.97, target * 1.03]
    column = scoring.ruled_score_array(rule, kind, target, np.array(values), floor, cap)
    for value, got in zip(values, column.tolist()):
        expected = math.nan if math.isnan(value) else scoring.ruled_score(
            rule, kind, target, value, floor, cap)
        assert same(got, expected), (kind, rule, value)
        if not math.isnan(value):
            assert floor <= expected <= cap


RULED_PLAN = """
plan p "Regole" {
  period H1 "Primo semestre" ends 2020-06-30
  policy { tolerance 1% }
}
indicator tol "Tolleranza" { unit N target >= 600 tolerance 5% }
indicator eq "Uguale" { unit N target = 6 tolerance 1 }
indicator soglia "Soglia" { unit N target >= 100 threshold 60% }
indicator riscalata "Soglia riscalata" { unit N target >= 100 threshold 60% rescaled cap 120% }
indicator divario "Divario" { unit % target >= 22% formula gap }
indicator fasce "Fasce" {
  unit N target >= 100
  steps { below 70% scores 0% 70% to 90% scores 50% from 90% scores 100% }
}
indicator punti "Punti" {
  unit N target >= 100
  points 20 {
    below 76% scores 0
    76% to 90% scores 15 to 18
    90% to 100% scores 19 to 20
    from 100% scores 20
  }
}
indicator limiti "Limiti" { unit gg target <= 30 limits minimum 40 maximum 20 excellent 15 cap 300% }
indicator progresso "Progresso" { unit N target >= 1500 baseline 1200 formula progress }
indicator semplice "Semplice" { unit N target >= 50 }
area "1" "Area" {
  objective "100" "Obiettivo" weight 100% {
    tol 10%
    eq 10%
    soglia 10%
    riscalata 10%
    divario 10%
    fasce 10%
    punti 10%
    limiti 10%
    progresso 10%
    semplice 10%
  }
}
"""
NAMES = ["tol", "eq", "soglia", "riscalata", "divario", "fasce", "punti", "limiti",
         "progresso", "semplice"]
_PLAN = scorelang.loads(RULED_PLAN)


@SLOW
@given(rows=st.lists(st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.integers(0, 2000).map(float)) for name in NAMES}),
    min_size=1, max_size=4))
def test_evaluate_and_both_batch_engines_agree_on_the_leaf_rules(rows):
    engines = {engine: _PLAN.evaluate_many(rows, period="H1", engine=engine)
               for engine in ("numpy", "python")}
    for number, row in enumerate(rows):
        result = _PLAN.evaluate(row, period="H1")
        reported = {node["id"]: node["score"] for node in json.loads(to_json(result))["nodes"]}
        for node in result.nodes:
            assert reported[node.id] == node.score
            for batch in engines.values():
                other = batch.score(number, node.id)
                assert (other is None) == (node.score is None)
                if other is not None:
                    assert other == pytest.approx(node.score, abs=1e-9)


def test_fmt_is_idempotent_and_keeps_comments_on_the_leaf_rules():
    text = RULED_PLAN.replace("tolerance 5% }", "tolerance 5%  # cinque per cento\n}")
    once = format_text(text)
    assert format_text(once) == once
    assert "# cinque per cento" in once
    assert scorelang.loads(once).definition == _PLAN.definition


def test_parse_of_format_reads_the_same_plan_for_every_rule():
    once = format_text(RULED_PLAN)
    again = scorelang.loads(once).definition
    for name in NAMES:
        assert again.indicator(name) == _PLAN.definition.indicator(name)



def test_a_report_with_a_points_table_fits_the_score_schema():
    from .test_schemas import valid

    result = _PLAN.evaluate({name: 85.0 for name in NAMES} | {"punti": None}, period="H1")
    assert valid(json.loads(json.dumps(result.to_dict())), "score")
    result = _PLAN.evaluate({name: 85.0 for name in NAMES}, period="H1")
    document = json.loads(json.dumps(result.to_dict()))
    (points,) = [n for n in document["nodes"] if n["id"] == "100/punti"]
    assert points["points_max"] == 20.0 and points["points"] == pytest.approx(15 + 27 / 14)
    assert valid(document, "score")


def test_fmt_keeps_comments_inside_a_score_table_and_regroups_nothing_else():
    text = """plan p "P" { period H1 "Primo" ends 2020-06-30 }
indicator x "X" {
  target >= 100
  # la tabella del decreto, corretta
  points 20 {
    below 76% scores 0      # sotto soglia
    76% to 90% scores 15 to 18
    # refuso corretto: 90, non 91
    90% to 100% scores 19 to 20
    from 100% scores 20
  }
  limits minimum 80 maximum 1200 excellent 1300
}
area "1" "A" { objective "10" "O" weight 100% { x 100% } }
"""
    once = format_text(text)
    assert format_text(once) == once
    assert "    below 76% scores 0  # sotto soglia\n" in once
    assert "    # refuso corretto: 90, non 91\n    90% to 100% scores 19 to 20\n" in once
    assert "  limits minimum 80 maximum 1_200 excellent 1_300\n" in once
    assert scorelang.loads(once).definition == scorelang.loads(text).definition
