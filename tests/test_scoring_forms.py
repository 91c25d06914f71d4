"""Each scoring rule's scalar and array forms agree (engine/scoring.py), and the compiler's
choice of kind is the one the methodology says.

The scalar forms score one evaluation, the array forms `evaluate_many`'s columns, and the
evaluator's hot loop inlines the deviation kinds: random inputs here hold all three together,
so that a fast path can never drift from the readable one.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorelang.engine import scoring
from scorelang.engine.scoring import Aggregation, LeafKind, Missing
from scorelang.model import Direction, Formula, LateKind, LateRule, MissingPolicy

np = pytest.importorskip("numpy")

# Limits and progress need their rule's figures: tests/test_properties_leaf.py holds their forms.
MEASURED = [kind for kind in LeafKind if not kind.is_deadline and not kind.needs_rule]
DEADLINES = [kind for kind in LeafKind if kind.is_deadline]
ZERO_TARGET = {LeafKind.AT_LEAST_ZERO, LeafKind.AT_MOST_ZERO}

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
target_values = st.one_of(finite, st.sampled_from([1.0, -18.0, 0.3, 100.0, 1e-3]))


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b or math.isclose(a, b, rel_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(MEASURED), target=target_values,
       values=st.lists(st.one_of(finite, st.just(math.nan)), min_size=1, max_size=8),
       near=st.floats(-3e-9, 3e-9))
def test_every_measured_kind_scores_a_column_as_it_scores_each_value(kind, target, values, near):
    if kind in ZERO_TARGET:
        target = 0.0
    elif target == 0:
        target = 1.0
    values = values + [target * (1 + near), target + near]  # within a hair of the target
    column = scoring.achievement_array(kind, target, np.array(values))
    for value, got in zip(values, column.tolist()):
        expected = math.nan if math.isnan(value) else scoring.achievement(kind, target, value)
        assert same(got, expected), (kind, target, value)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from([LeafKind.AT_LEAST_DEVIATION, LeafKind.AT_MOST_DEVIATION]),
       target=target_values, value=finite)
def test_the_evaluators_inlined_deviation_is_the_deviation_kind(kind, target, value):
    if target == 0:
        target = 1.0
    width = scoring.deviation_width(kind, target)
    assert width is not None
    if abs(value - target) > scoring.apart(target):
        assert not scoring.equal(value, target)
        assert 1.0 + (value - target) / width == scoring.achievement(kind, target, value)


def test_only_the_deviation_kinds_have_an_inlined_form():
    assert {kind for kind in LeafKind if scoring.deviation_width(kind, 5.0) is not None} == \
        {LeafKind.AT_LEAST_DEVIATION, LeafKind.AT_MOST_DEVIATION}


late_rules = st.one_of(st.just(LateRule(LateKind.ZERO)),
                       st.floats(0, 1).map(lambda share: LateRule(LateKind.FIXED, share=share)),
                       st.integers(1, 120).map(lambda days: LateRule(LateKind.LINEAR, days=days)))


@settings(max_examples=300, deadline=None)
@given(late=late_rules, done=st.lists(st.one_of(st.none(), st.integers(-60, 200)), min_size=1,
                                      max_size=8),
       as_of=st.one_of(st.none(), st.integers(-30, 200)))
def test_every_deadline_kind_scores_a_column_as_it_scores_each_completion(late, done, as_of):
    due = dt.date(2020, 10, 31)
    monitoring = None if as_of is None else due + dt.timedelta(days=as_of)
    kind = scoring.leaf_kind(None, None, Formula.DEVIATION, late)
    days = np.array([math.nan if d is None else float((due + dt.timedelta(days=d)).toordinal())
                     for d in done])
    column, pending = scoring.deadline_array(kind, due, days, monitoring, late)
    for offset, got, not_due in zip(done, column.tolist(), pending.tolist()):
        completed = None if offset is None else due + dt.timedelta(days=offset)
        expected = scoring.deadline_achievement(due, completed, monitoring, late)
        if isinstance(expected, Missing):
            assert math.isnan(got) and not_due and expected is scoring.NOT_DUE
        else:
            assert got == pytest.approx(expected, abs=1e-15) and not not_due


scores = st.one_of(st.floats(0, 1.5), st.sampled_from([scoring.NOT_REPORTED, scoring.NOT_DUE]))


@settings(max_examples=300, deadline=None)
@given(aggregation=st.sampled_from(list(Aggregation)),
       children=st.lists(st.tuples(st.sampled_from([0.0, 0.1, 0.25, 0.3334, 0.5, 1.0]), scores),
                         min_size=1, max_size=6))
def test_every_aggregation_scores_columns_as_it_scores_each_parent(aggregation, children):
    expected = scoring.aggregate(children, aggregation)
    weighted = [(w, s) for w, s in children if w > 0]
    filled = np.array([[0.0 if isinstance(s, Missing) else s] for _, s in weighted]).reshape(-1, 1)
    present = np.array([[not isinstance(s, Missing)] for _, s in weighted]).reshape(-1, 1)
    not_due = np.array([[s is scoring.NOT_DUE] for _, s in weighted]).reshape(-1, 1)
    score, mask, pending = scoring.aggregate_array(
        aggregation, [w for w, _ in weighted], sum(w for w, _ in weighted), filled, present,
        not_due)
    if isinstance(expected, Missing):
        assert math.isnan(score[0]) and not mask[0]
        if weighted:
            assert bool(pending[0]) == (expected is scoring.NOT_DUE)
    else:
        assert score[0] == pytest.approx(expected, rel=1e-12) and mask[0]


@pytest.mark.parametrize(("direction", "target", "formula", "kind"), [
    (Direction.AT_LEAST, 300.0, Formula.DEVIATION, LeafKind.AT_LEAST_DEVIATION),
    (Direction.AT_MOST, -18.0, Formula.DEVIATION, LeafKind.AT_MOST_DEVIATION),
    (Direction.AT_LEAST, 300.0, Formula.RATIO, LeafKind.AT_LEAST_RATIO),
    (Direction.AT_MOST, 30.0, Formula.RATIO, LeafKind.AT_MOST_RATIO),
    (Direction.EQUAL, 6.0, Formula.RATIO, LeafKind.EXACTLY),
    (Direction.AT_LEAST, 0.0, Formula.RATIO, LeafKind.AT_LEAST_ZERO),
    (Direction.AT_MOST, 0.0, Formula.DEVIATION, LeafKind.AT_MOST_ZERO),
])
def test_the_kind_of_a_measured_target_follows_its_direction_and_formula(direction, target,
                                                                         formula, kind):
    assert scoring.leaf_kind(direction, target, formula, LateRule(LateKind.ZERO)) is kind


@pytest.mark.parametrize(("late", "kind"), [
    (LateRule(LateKind.ZERO), LeafKind.DEADLINE_LATE_ZERO),
    (LateRule(LateKind.FIXED, share=0.5), LeafKind.DEADLINE_LATE_FIXED),
    (LateRule(LateKind.LINEAR, days=30), LeafKind.DEADLINE_LATE_LINEAR),
])
def test_a_deadline_is_scored_by_its_late_rule(late, kind):
    assert scoring.leaf_kind(None, None, Formula.DEVIATION, late) is kind


def test_the_missing_policy_names_its_aggregation():
    assert scoring.aggregation_of(MissingPolicy.COUNTS_ZERO) is Aggregation.WEIGHTED_COUNTS_ZERO
    assert scoring.aggregation_of(MissingPolicy.EXCLUDED) is Aggregation.WEIGHTED_EXCLUDED


def test_the_compiler_picks_each_indicators_kind(modena_plan):
    program = modena_plan.program("H1")
    kinds = {leaf.indicator.id: leaf.kind for leaf in program.leaves}
    assert kinds["tempestivita_pagamenti"] is LeafKind.AT_MOST_DEVIATION  # <= -18 days
    assert kinds["export_provinciale"] is LeafKind.AT_LEAST_DEVIATION
    assert kinds["report_costi"] is LeafKind.DEADLINE_LATE_ZERO
    assert program.aggregation is Aggregation.WEIGHTED_COUNTS_ZERO
