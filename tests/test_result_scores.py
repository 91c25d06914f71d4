"""`Result.scores()` and `Result.statuses()` (issue 15): every node's score and status read
from the evaluation's slots, without building NodeResult objects, are exactly what the nodes
say, in the same (tree) order, for every kind of plan and monitoring."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.engine.result import Result

from .conftest import MODENA_RULES, MODENA_VALUES, bench_plans
from .test_rules_together import NEUTRAL, _rows, _when, adjustments, loaded, plans

ROOT = Path(__file__).resolve().parents[1]


def _as_nodes_say(result: Result) -> None:
    # Read from the slots first, before any node is built; then from the built nodes.
    scores, statuses = result.scores(), result.statuses()
    nodes = list(result)
    assert list(scores) == list(statuses) == [node.id for node in nodes]
    assert scores == {node.id: node.score for node in nodes}
    assert statuses == {node.id: node.status for node in nodes}
    assert all((scores[node.id] is None) == (node.status != "scored") for node in nodes)
    # Read again once the nodes exist: the same, and a new dict each time.
    assert result.scores() == scores and result.scores() is not scores
    assert result.statuses() == statuses


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(plans())
def test_scores_and_statuses_are_the_nodes_on_mixed_plans(drawn) -> None:
    _, plan = loaded(drawn)
    extra = adjustments(drawn)  # neutralisations, overrides, previous scores
    for row in _rows(drawn)[:3]:
        try:
            result = plan.evaluate(row, **_when(drawn), **extra)
        except scorelang.ValuesError:
            continue  # `missing error` refusing a scenario: nothing to read
        _as_nodes_say(result)


def test_scores_of_the_modena_monitoring() -> None:
    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    _as_nodes_say(result)
    # The figures the reports publish (tests/test_modena.py holds them to the documents).
    assert result.scores()["301"] == result["301"].score


@pytest.mark.parametrize("name", ["monitoraggio-2023-06.yaml", "consuntivo-2023.yaml"])
def test_scores_of_the_valleverde_monitorings(name: str) -> None:
    plan = scorelang.load(ROOT / "rules" / "comune-valleverde-2023.score")
    _as_nodes_say(plan.evaluate(scorelang.load_values(
        ROOT / "examples" / "comune-valleverde-2023" / name)))


def test_scores_of_a_result_made_of_nodes_or_unpickled() -> None:
    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    copied = pickle.loads(pickle.dumps(result))  # its nodes are a plain tuple now
    assert isinstance(copied._nodes, tuple)
    assert copied.scores() == result.scores()
    assert copied.statuses() == result.statuses()
    _as_nodes_say(copied)


def test_scores_of_a_plan_with_one_node_and_of_n_d() -> None:
    plan = scorelang.loads('plan p "P" { }\nindicator a "A" { target >= 10 }\n'
                           'area "1" "One" { a 100% }\n')
    result = plan.evaluate({"a": None})
    assert result.scores() == {"1": None, "1/a": None}
    assert result.statuses() == {"1": "missing", "1/a": "missing"}
    assert plan.evaluate({"a": 8.0}).scores() == {"1": 80.0, "1/a": 80.0}


def test_a_findings_dict_is_attrs_asdict_and_to_dict_groups_them_by_node() -> None:
    import attrs

    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    assert result.findings
    for finding in result.findings:
        assert list(finding.to_dict().items()) == list(attrs.asdict(finding).items())
    out = result.to_dict()
    assert out["findings"] == [f.to_dict() for f in result.findings]
    for node, written in zip(result, out["nodes"]):
        assert written["findings"] == [f.to_dict() for f in result.findings_of(node.id)]
        assert list(written)[-1] == "findings"


def test_regression_findings_of_and_children_read_the_plan_once_not_once_per_node() -> None:
    # Asked node by node, as the tree view (`score --format html`, markdown...) asks
    # findings_of and the summary sheet children, each read every finding or node again:
    # quadratic in the plan's size. Now each is indexed on first use; the answers are those
    # of a plain filter, in the same order.
    import attrs

    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    findings = result.findings
    assert findings
    reads = 0

    class Counted:
        def __init__(self, finding: object) -> None:
            self.finding = finding

        @property
        def node(self) -> str:
            nonlocal reads
            reads += 1
            return self.finding.node  # type: ignore[attr-defined, no-any-return]

    counted = attrs.evolve(result, findings=tuple(Counted(f) for f in findings))
    for node in counted:
        assert [c.finding for c in counted.findings_of(node.id)] == \
            [f for f in findings if f.node == node.id]
    assert reads == len(findings)  # one pass, not one per node (140 nodes)
    for parent in [None] + [node.id for node in result]:
        assert result.children(parent) == [n for n in result.nodes if n.parent == parent]
    mine = result.children(None)
    mine.clear()  # the caller's list: the next call is whole
    assert result.children(None) == [n for n in result.nodes if n.parent is None]


def test_advice_prepared_once_per_plan_and_let_go_with_it() -> None:
    import gc

    from scorelang.engine import advice

    text = MODENA_RULES.read_text(encoding="utf-8")
    values = scorelang.load_values(MODENA_VALUES)
    first = scorelang.loads(text, str(MODENA_RULES))
    findings = first.evaluate(values).findings
    assert findings and first.evaluate(values).findings == findings
    assert advice._PREPARED[id(first.definition)][1] is advice._prepared(first.definition)
    # Another plan of the same text has its own entry and the same findings.
    second = scorelang.loads(text, str(MODENA_RULES))
    assert second.evaluate(values).findings == findings
    key = id(second.definition)
    assert key in advice._PREPARED
    del second
    gc.collect()
    assert key not in advice._PREPARED


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                 st.integers(-2 ** 60, 2 ** 60).map(float),
                 st.sampled_from([0.0, -0.0, 100.0, -100.0, 120.0, 2.0 ** 53, -(2.0 ** 53),
                                  1e23, 1e300, 50.0])),
       st.integers(0, 12))
def test_shown_is_str_of_half_up(value: float, places: int) -> None:
    from scorelang.engine.rounding import half_up, shown

    assert shown(value, places) == str(half_up(value, places))


def test_numpy_engine_says_no_target_for_a_total_over_a_neutralised_and_a_skipped_area() -> None:
    """Regression (found by the mixed-plans property test): when every area is left out, one
    neutralised and one whose indicator's target is `tbd` under `skip`, the plan's total is
    `no_target` as `evaluate` says (scoring.aggregate: no_target if any child is); the numpy
    engine said `neutralised`, asking whether every area was skipped."""
    from .test_rules_together import _agree, _every_engine

    plan = scorelang.loads(
        'plan mixed "M" {\n  period H1 "H1" ends 2020-06-30\n  policy { missing_target skip }\n}\n'
        'indicator i0 "I0" { target = tbd }\n'
        'area "A1" "A" weight 50% { i0 100% }\narea "A2" "B" weight 50% { i0 100% }\n')
    found = _every_engine(plan, {"i0": None}, neutralised={"A1": NEUTRAL})
    _agree(found)
    assert found["mixed"][0][1] == "no_target" and found["A1"][0][1] == "neutralised"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_node_of_a_realistic_plan_read_quickly_is_the_general_one(seed: int) -> None:
    """The benchmark's generated plans (benchmarks/plans.py: every formula, tolerances,
    thresholds, steps and points tables, deadlines met, late, missed and not due, N/D): each
    node read by the quick paths is the node `general` builds, and scores()/statuses() agree."""
    from scorelang.engine.evaluate import _Nodes

    plans = bench_plans()
    generated = plans.generate(150, seed)
    plan = scorelang.loads(generated.text, "generated.score")
    result = plan.evaluate(generated.values, period=plans.PERIOD, as_of=plans.AS_OF)
    nodes = result._nodes
    assert isinstance(nodes, _Nodes)
    for position in range(len(nodes.index)):
        quick, general = nodes.build(position), nodes.general(position)
        assert quick == general and quick.flags == general.flags, position
    _as_nodes_say(result)
