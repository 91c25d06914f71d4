"""The fast evaluator and the batch evaluator agree with the plain composition of scoring.py.

`evaluate` scores on flat tables and builds node objects lazily; `evaluate_many` scores many
scenarios at once (numpy) or one by one (pure Python). Each must give, for every node, what the
step-by-step composition of `leaf_score` and `scoring.aggregate` gives: the scalar path exactly,
the numpy path within 1e-12.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scorelang
from scorelang.engine import scoring
from scorelang.engine.compile import Program
from scorelang.engine.evaluate import leaf_score
from scorelang.engine.result import Result
from scorelang.engine.scoring import Missing
from tests.test_properties import FAST, render, scenarios

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "cciaa-modena-2020.score"
VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"

try:
    import numpy as np
except ImportError:  # the pure-Python engine is still tested
    np = None  # type: ignore[assignment]

ENGINES = ["python"] + (["numpy"] if np is not None else [])


def step_by_step(plan: scorelang.Plan, values: scorelang.Values, period: str | None,
                 as_of: dt.date | None) -> dict[str, tuple[str, float | None]]:
    """Node id -> (status, percent score), the way the evaluator was first written."""
    program, scores = scores_step_by_step(plan, values, period, as_of)
    found = {step.id: (s.status, None) if isinstance(s, Missing) else ("scored", s * 100.0)
             for step, s in zip(program.nodes, scores)}
    if all(program.nodes[r].weight is not None for r in program.roots):
        # The plan's total is a node too, the root: issue 18.
        total = scoring.aggregate([(program.nodes[r].weight or 0.0, scores[r])
                                   for r in program.roots], program.aggregation)
        found[plan.definition.id] = (total.status, None) if isinstance(total, Missing) \
            else ("scored", total * 100.0)
    return found


def plan_score_step_by_step(plan: scorelang.Plan, values: scorelang.Values, period: str | None,
                            as_of: dt.date | None) -> float | None:
    """The plan's percent score, aggregated over the areas as scoring.aggregate does."""
    program, scores = scores_step_by_step(plan, values, period, as_of)
    if not all(program.nodes[r].weight is not None for r in program.roots):
        return None
    total = scoring.aggregate([(program.nodes[r].weight or 0.0, scores[r])
                               for r in program.roots], program.aggregation)
    return None if isinstance(total, Missing) else total * 100.0


def scores_step_by_step(plan: scorelang.Plan, values: scorelang.Values, period: str | None,
                        as_of: dt.date | None) -> tuple[Program, list[scoring.Score]]:
    program = plan.program(period or plan.default_period())
    if as_of is None:
        as_of = values.as_of or (program.period.ends if program.period else None)
    leaves = [leaf_score(leaf, values.values.get(leaf.indicator.id), as_of)
              for leaf in program.leaves]
    scores: list[scoring.Score] = [scoring.NOT_REPORTED] * len(program.nodes)
    for index in program.post_order:
        step = program.nodes[index]
        if step.leaf is not None:
            scores[index] = leaves[step.leaf][1]
        else:
            scores[index] = scoring.aggregate(
                [(program.nodes[c].weight or 0.0, scores[c]) for c in step.children],
                program.aggregation)
    return program, scores


def perturbed(values: scorelang.Values, count: int, seed: int = 6) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        row: dict[str, object] = {}
        for name, value in values.values.items():
            if isinstance(value, float):
                row[name] = None if rng.random() < 0.05 else value * rng.uniform(0.5, 1.5)
            else:
                row[name] = value
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def modena() -> tuple[scorelang.Plan, scorelang.Values]:
    return scorelang.load(RULES), scorelang.load_values(VALUES)


# ---------------------------------------------------------------------------------------------
# The scalar fast path


@FAST
@given(scenarios())
def test_fast_evaluate_equals_the_step_by_step_composition_exactly(scenario):
    plan = scorelang.loads(render(scenario.spec))
    values = scorelang.Values.from_mapping(scenario.values)
    result = plan.evaluate(values, period=scenario.period, as_of=scenario.as_of)
    expected = step_by_step(plan, values, scenario.period, scenario.as_of)
    assert {n.id: (n.status, n.score) for n in result} == expected
    assert result.score == plan_score_step_by_step(plan, values, scenario.period, scenario.as_of)


ZERO_WEIGHT_BRANCH = """\
plan t "T" {{
  period Y "Year" ends 2020-12-31
  policy {{
    missing {missing}
  }}
}}
indicator a "A" {{ target >= 10 }}
indicator b "B" {{ target >= 10 }}
indicator c "C" {{ target >= 10 }}
area "1" "Area" weight 100% {{
  objective "1.1" "O" weight 100% {{
    objective "1.1.1" "All 0 %" weight 0% {{
      b 0%
    }}
    a 60%
    objective "1.1.2" "Weighted" weight 40% {{
      c 100%
    }}
  }}
}}
"""


@pytest.mark.parametrize("missing", ["counts_zero", "excluded"])
@pytest.mark.parametrize("c", [4.0, None])
def test_a_branch_whose_children_all_weigh_0_is_scored_as_scoring_says(missing, c):
    # Such a branch has no child for the evaluator's flat loop to close it: compile fills it.
    plan = scorelang.loads(ZERO_WEIGHT_BRANCH.format(missing=missing))
    values = scorelang.Values.from_mapping({"a": 5.0, "b": 30.0, "c": c})
    result = plan.evaluate(values)
    assert {n.id: (n.status, n.score) for n in result} == step_by_step(plan, values, "Y", None)
    assert result.score == plan_score_step_by_step(plan, values, "Y", None)
    assert result["1.1.1"].status == "missing" and result["1.1.1/b"].score == 100.0


def test_values_near_the_target_take_scorings_equality_not_the_formula(modena):
    plan, values = modena
    target = 13_000_000_000.0  # export_provinciale, annual (`>=`)
    for value in (target, target * (1 + 5e-10), target * (1 - 5e-10), target * (1 + 2e-9),
                  math.inf, -math.inf, math.nan):
        changed = attrs.evolve(values, values=dict(values.values, export_provinciale=value),
                               period="Y")
        result = plan.evaluate(changed)
        # NaN is N/D (values._number), even in a Values made by hand as here.
        reference = attrs.evolve(changed, values=dict(
            changed.values, export_provinciale=None if math.isnan(value) else value))
        expected = step_by_step(plan, reference, "Y", None)
        assert {n.id: (n.status, n.score) for n in result} == expected, value


@FAST
@given(relative=st.floats(-3e-9, 3e-9), absolute=st.floats(-3e-9, 3e-9))
def test_every_target_hit_within_a_hair_scores_as_scoring_says(modena, relative, absolute):
    # The fast path decides "not equal" with one comparison against compile.threshold; values
    # this close to their targets straddle that threshold and scoring's own math.isclose.
    plan, values = modena
    program = plan.program(values.period)
    near = {rule.indicator.id: rule.target.value * (1 + relative) + absolute
            for rule in program.leaves if rule.target.value is not None}
    changed = attrs.evolve(values, values=dict(values.values, **near))
    result = plan.evaluate(changed)
    assert {n.id: (n.status, n.score) for n in result} == \
        step_by_step(plan, changed, values.period, None)
    for rule in program.leaves:
        raw = leaf_score(rule, changed.values.get(rule.indicator.id), result.as_of)[0]
        for node in result:
            if node.indicator == rule.indicator.id:
                assert node.raw == (None if raw is None else raw * 100.0), rule.indicator.id


def test_a_lazily_built_result_equals_one_built_from_its_nodes(modena):
    plan, values = modena
    lazy = plan.evaluate(values)
    eager = Result(lazy.plan_id, lazy.plan_title, lazy.period, lazy.as_of, tuple(lazy.nodes),
                   lazy.score, lazy.diagnostics, tuple(lazy.scorecards), lazy.bands,
                   lazy.locale, tuple(lazy.findings))
    fresh = plan.evaluate(values)
    assert fresh == eager and hash(fresh) == hash(eager)
    assert repr(fresh) == repr(eager)
    assert fresh.to_dict() == eager.to_dict()
    assert fresh["301"] == eager["301"] and "301" in fresh and "nope" not in fresh
    assert len(fresh) == len(eager) and [n.id for n in fresh] == [n.id for n in eager]
    assert attrs.evolve(fresh, locale="en").nodes == eager.nodes
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fresh.score = 1.0  # type: ignore[misc]


def test_a_result_pickles_and_copies_as_the_figures_it_stands_for(modena):
    import copy
    import pickle
    plan, values = modena
    result = plan.evaluate(values)
    for again in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result), copy.copy(result)):
        assert again == result and again.to_dict() == result.to_dict()
        assert again["301"].display == "62.96"


def test_reading_one_node_builds_that_node_only(modena):
    plan, values = modena
    result = plan.evaluate(values)
    assert result["301"].display == "62.96"
    assert len(result._nodes._built) == 1  # the what-if loop reads one figure: one object


# ---------------------------------------------------------------------------------------------
# Many scenarios


@pytest.mark.parametrize("engine", ENGINES)
def test_every_scenario_of_a_batch_scores_as_it_does_alone(modena, engine):
    plan, values = modena
    rows = perturbed(values, 300)
    batch = plan.evaluate_many(rows, period=values.period, as_of=values.as_of, engine=engine)
    assert batch.engine == engine and len(batch) == len(rows)
    for i, row in enumerate(rows):
        result = plan.evaluate(row, period=values.period, as_of=values.as_of)
        for node in result:  # the plan's total too, by its id
            assert batch.status(i, node.id) == node.status
            score = batch.score(i, node.id)
            if node.score is None:
                assert score is None
            else:
                assert score is not None and abs(score - node.score) <= 1e-12 * max(1, abs(node.score))
        if result.score is None:
            assert batch.plan_score(i) is None
        else:
            assert abs(batch.plan_score(i) - result.score) <= 1e-12 * max(1, abs(result.score))


@FAST
@given(scenarios())
def test_random_plans_score_the_same_one_by_one_and_in_a_batch(scenario):
    plan = scorelang.loads(render(scenario.spec))
    result = plan.evaluate(dict(scenario.values), period=scenario.period, as_of=scenario.as_of)
    for engine in ENGINES:
        batch = plan.evaluate_many([scenario.values, scenario.values], period=scenario.period,
                                   as_of=result.as_of, engine=engine)
        for node in result:  # the plan's total too, by its id
            assert batch.status(1, node.id) == node.status, (engine, node.id)
            score = batch.score(1, node.id)
            if node.score is None:
                assert score is None, (engine, node.id)
            else:
                assert score is not None and abs(score - node.score) <= 1e-12 * max(1, abs(node.score))


@pytest.mark.parametrize("engine", ENGINES)
def test_nan_in_a_row_is_nd_alone_and_in_a_batch(modena, engine):
    plan, values = modena
    with_nan = dict(perturbed(values, 1)[0], export_provinciale=math.nan)
    with_none = dict(with_nan, export_provinciale=None)
    alone = plan.evaluate(with_nan, period="H1", as_of=values.as_of)
    assert alone == plan.evaluate(with_none, period="H1", as_of=values.as_of)
    assert {n.status for n in alone if n.indicator == "export_provinciale"} == {"missing"}
    batch = plan.evaluate_many([with_nan], period="H1", as_of=values.as_of, engine=engine)
    for node in alone:
        assert batch.status(0, node.id) == node.status
        assert (batch.score(0, node.id) is None) == (node.score is None)


@pytest.mark.skipif(np is None, reason="numpy is not installed")
def test_a_columnar_batch_with_nan_for_nd_equals_the_same_rows(modena):
    plan, values = modena
    rows = perturbed(values, 50)
    rows[7] = dict(rows[7], report_costi=dt.date(2020, 6, 1))  # one deadline met
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    deadlines = {i.id for i in plan.definition.indicators if i.deadline is not None}
    for name, column in columns.items():
        if name in deadlines:  # datetime64, NaT for not done
            columns[name] = np.array(["NaT" if v is None else v for v in column],
                                     dtype="datetime64[D]")
        else:
            columns[name] = np.array([math.nan if v is None else v for v in column])
    by_columns = plan.evaluate_many(columns, period="H1")
    by_rows = plan.evaluate_many(rows, period="H1", engine="python")
    for node_id in by_rows.node_ids:
        a, b = by_columns.column(node_id), by_rows.column(node_id)
        assert [x is None for x in a] == [x is None for x in b]
        assert all(x is None or abs(x - y) <= 1e-12 * max(1, abs(y)) for x, y in zip(a, b))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_value_in_a_batch_is_a_values_error(modena, engine):
    plan, values = modena
    rows = perturbed(values, 3)
    rows[2] = dict(rows[2], export_provinciale="tre miliardi")
    with pytest.raises(scorelang.ValuesError) as raised:
        plan.evaluate_many(rows, period="H1", engine=engine)
    assert "export_provinciale" in str(raised.value.diagnostics[0].message)
    rows[2] = dict(rows[1], export_provincale=1.0)
    with pytest.raises(scorelang.ValuesError) as raised:
        plan.evaluate_many(rows, period="H1", engine=engine)
    assert raised.value.diagnostics[0].code == "SL307"


def test_texts_and_booleans_in_a_batch_are_judged_as_in_one_evaluation(modena):
    plan, values = modena
    rows = perturbed(values, 2)
    rows[0] = dict(rows[0], export_provinciale="3111720000")
    batch = plan.evaluate_many(rows, period="H1")
    alone = plan.evaluate(rows[0], period="H1")
    assert batch.score(0, "301") == pytest.approx(alone["301"].score, abs=1e-12)
    rows[1] = dict(rows[1], export_provinciale=True)
    with pytest.raises(scorelang.ValuesError):
        plan.evaluate_many(rows, period="H1")


def test_the_numpy_engine_without_numpy_says_how_to_get_it(modena, monkeypatch):
    from scorelang.engine import batch
    monkeypatch.setattr(batch, "np", None)
    plan, values = modena
    with pytest.raises(ImportError, match=r"scorelang\[numpy\]"):
        plan.evaluate_many([dict(values.values)], period="H1", engine="numpy")
    assert plan.evaluate_many([dict(values.values)], period="H1").engine == "python"
