"""Issue 19, part B: how branches combine their children — `aggregate weighted|sum|minimum|
all_reached|share_reached` (policy and per node), `rollup unrounded|rounded`.

The figures are worked out by hand in the comments (docs/language.md §5.4 shows the same).
"""

from __future__ import annotations

import json
import math
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.api import check_text
from scorelang.engine import scoring
from scorelang.engine.rounding import half_up
from scorelang.engine.scoring import Aggregation, Missing
from scorelang.model import Aggregate, MissingPolicy
from scorelang.report.explain import explain_json, explain_text
from scorelang.report.json import to_json
from scorelang.syntax.format import format_text
from scorelang.tools.explain import explain

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT

# 301's three indicators in the June monitoring: partecipanti 660 against >= 600 (110 %, capped
# at 100 %), tempi_pagamento 33 days against <= 30 (1 − 3/30 = 90 %), imprese 150 against
# >= 200 (75 %).
PLAN = """\
plan demo "Piano demo 2020" {{
  period H1 "Monitoraggio intermedio" ends 2020-06-30
  policy {{
{policy}
  }}
}}

indicator partecipanti "Partecipanti alle iniziative" {{ unit N target >= 600 }}
indicator tempi_pagamento "Tempi medi di pagamento" {{ unit gg target <= 30 }}
indicator imprese "Imprese raggiunte" {{ unit N target >= 200 }}

area "1" "Competitività delle imprese" weight 100% {{
  objective "301" "Internazionalizzazione" weight 100% {{
{aggregate}
    partecipanti 50%
    tempi_pagamento 30%
    imprese 20%
  }}
}}
"""
JUNE = {"partecipanti": 660, "tempi_pagamento": 33, "imprese": 150}


def plan_of(aggregate: str = "", policy: str = "") -> scorelang.Plan:
    return scorelang.loads(PLAN.format(aggregate=f"    aggregate {aggregate}" if aggregate else "",
                                       policy=policy))


def every_engine(plan: scorelang.Plan, values: dict[str, object], node: str) -> list[float | None]:
    """The node's percent score from evaluate, both batch engines and the JSON report."""
    result = plan.evaluate(values)
    report = {n["id"]: n for n in json.loads(to_json(result))["nodes"]}
    return [result[node].score,
            plan.evaluate_many([values], engine="numpy").score(0, node),
            plan.evaluate_many([values], engine="python").score(0, node),
            report[node]["score"]]


# ---- the five aggregations, by hand ----------------------------------------------------------

@pytest.mark.parametrize(("aggregate", "expected"), [
    ("weighted", 92.0),  # 0.5 × 100 + 0.3 × 90 + 0.2 × 75
    ("minimum", 75.0),  # the worst: imprese
    ("all_reached", 0.0),  # only partecipanti reached 100 %
    ("share_reached", 50.0),  # partecipanti's 50 % of the weight reached
    ("sum", 92.0),  # weights summing to 100 %: the weighted mean itself
])
def test_an_objective_scores_its_indicators_by_its_aggregation(aggregate, expected):
    for figure in every_engine(plan_of(aggregate), JUNE, "301"):
        assert figure == pytest.approx(expected, abs=1e-9)


def test_sum_adds_components_with_their_own_weights_without_re_normalising():
    # 40 % × 100 % + 20 % × 75 % = 55 %: the weights are the components' own, summing to 60 %.
    text = PLAN.format(aggregate="    aggregate sum", policy="").replace(
        "    partecipanti 50%\n    tempi_pagamento 30%\n    imprese 20%",
        "    partecipanti 40%\n    imprese 20%").replace(
        'indicator tempi_pagamento "Tempi medi di pagamento" { unit gg target <= 30 }\n', "")
    assert check_text(text) == []  # SL212 says nothing under sum
    values = {"partecipanti": 660, "imprese": 150}
    for figure in every_engine(scorelang.loads(text), values, "301"):
        assert figure == pytest.approx(55.0)


def test_the_policy_aggregation_is_every_branchs_and_the_plan_totals():
    plan = plan_of(policy="    aggregate minimum")
    result = plan.evaluate(JUNE)
    assert result["301"].score == pytest.approx(75.0)
    assert result["1"].score == pytest.approx(75.0)
    assert result.score == pytest.approx(75.0)
    assert plan.evaluate_many([JUNE], engine="numpy").plan_score(0) == pytest.approx(75.0)
    assert plan.evaluate_many([JUNE], engine="python").plan_score(0) == pytest.approx(75.0)


def test_a_nodes_own_aggregation_overrides_the_policys():
    plan = plan_of("weighted", policy="    aggregate minimum")
    result = plan.evaluate(JUNE)
    assert result["301"].score == pytest.approx(92.0)
    assert result["301"].aggregation is None  # the weighted mean is not named
    assert plan_of("minimum").evaluate(JUNE)["301"].aggregation == "minimum"


# ---- N/D by the missing policy -------------------------------------------------------------

@pytest.mark.parametrize(("missing", "aggregate", "expected"), [
    # imprese N/D. counts_zero: it counts 0 with its weight.
    ("counts_zero", "minimum", 0.0),
    ("counts_zero", "all_reached", 0.0),
    ("counts_zero", "share_reached", 50.0),  # 50 / (50 + 30 + 20)
    ("counts_zero", "sum", 77.0),  # 0.5 × 100 + 0.3 × 90
    # excluded: left out.
    ("excluded", "minimum", 90.0),
    ("excluded", "all_reached", 0.0),
    ("excluded", "share_reached", 62.5),  # 50 / (50 + 30)
    ("excluded", "sum", 77.0),
])
def test_an_nd_child_counts_by_the_missing_policy(missing, aggregate, expected):
    plan = plan_of(aggregate, policy=f"    missing {missing}")
    values = dict(JUNE, imprese=None)
    for figure in every_engine(plan, values, "301"):
        assert figure == pytest.approx(expected)


def test_all_reached_is_reached_when_every_counted_child_reached_100_percent():
    values = {"partecipanti": 600, "tempi_pagamento": 30, "imprese": None}
    assert plan_of("all_reached", "    missing excluded").evaluate(values)["301"].score == 100.0
    assert plan_of("all_reached").evaluate(values)["301"].score == 0.0


@pytest.mark.parametrize("aggregate", [a.value for a in Aggregate])
def test_a_node_whose_children_are_all_nd_is_nd_under_every_aggregation(aggregate):
    plan = plan_of(aggregate)
    values = dict.fromkeys(JUNE)
    result = plan.evaluate(values)
    assert result["301"].score is None and result["301"].status == "missing"
    assert plan.evaluate_many([values], engine="numpy").score(0, "301") is None
    assert plan.evaluate_many([values], engine="python").status(0, "301") == "missing"


# ---- the plain path stays Modena's --------------------------------------------------------

def test_a_plan_without_the_new_settings_keeps_the_evaluators_inlined_path(modena_plan):
    layout = modena_plan.program("H1").layout
    assert layout.weighted_only and layout.rounded is None
    assert not plan_of("minimum").program("H1").layout.weighted_only
    assert not plan_of(policy="    rollup rounded").program("H1").layout.weighted_only


# ---- rollup rounded --------------------------------------------------------------------------

def modena_rounded() -> scorelang.Plan:
    text = MODENA_RULES.read_text("utf-8").replace("    locale it\n",
                                                   "    locale it\n    rollup rounded\n")
    return scorelang.loads(text)


def test_rounded_rollup_reads_each_level_as_displayed():
    # 601 "Indicatori": 0.5 × 100 + 0.25 × 24.06 + 0.25 × 35.50 = 64.89 (the indicators'
    # 24.056… and 35.497… rounded first); 601 = 0.5 × 64.89 + 0.5 × 50 = 57.445 → 57.45,
    # where Modena's unrounded rollup gives 57.444… → 57.44.
    result = modena_rounded().evaluate(scorelang.load_values(MODENA_VALUES))
    assert result["601/indicatori/presenze_turisti_stranieri"].score == pytest.approx(24.06)
    assert result["601/indicatori"].score == pytest.approx(64.89)
    assert result["601"].display == "57.45"
    assert result["3"].display == "75.48"  # 75.47 unrounded


def test_rounded_rollup_equals_rounding_every_level_by_hand():
    plan = modena_rounded()
    values = scorelang.load_values(MODENA_VALUES)
    result = plan.evaluate(values)
    program = plan.program("H1")
    by_hand: dict[int, scoring.Score] = {}
    for index in program.post_order:
        node = program.nodes[index]
        if node.leaf is not None:
            leaf = program.leaves[node.leaf]
            score = scoring.leaf_score(leaf.kind, leaf.target.value or 0.0, leaf.due, leaf.late,
                                       leaf.floor, leaf.cap, values.values.get(leaf.indicator.id),
                                       result.as_of)[1]
        else:
            score = scoring.aggregate([(program.nodes[c].weight or 0.0, by_hand[c])
                                       for c in node.children], program.aggregation)
        if not isinstance(score, Missing):
            score = float(half_up(score * 100.0, 2)) / 100.0
        by_hand[index] = score
    for index, node in enumerate(program.nodes):
        expected = by_hand[index]
        got = result[node.id].score
        assert (got is None) == isinstance(expected, Missing), node.id
        if got is not None:
            assert got == pytest.approx(expected * 100.0, abs=1e-9), node.id
    rows = [dict(values.values)]
    for engine in ("numpy", "python"):
        batch = plan.evaluate_many(rows, period="H1", as_of=result.as_of, engine=engine)
        for node in program.nodes:
            assert batch.score(0, node.id) == pytest.approx(result[node.id].score, abs=1e-9)


# ---- the language: parse, fmt, check --------------------------------------------------------

def test_fmt_keeps_aggregate_and_rollup_lines_and_their_comments():
    source = PLAN.format(aggregate="    aggregate share_reached  # objectives reached",
                         policy="    rollup   rounded # GZOOM\n    aggregate minimum")
    once = format_text(source)
    assert "    aggregate share_reached  # objectives reached\n" in once
    assert "    rollup rounded  # GZOOM\n    aggregate minimum\n" in once
    assert format_text(once) == once
    assert scorelang.loads(once).definition == scorelang.loads(source).definition


def test_an_unknown_aggregation_is_named_with_did_you_mean():
    (found,) = check_text(PLAN.format(aggregate="    aggregate minimun", policy=""))
    assert found.code == "SL105" and "unknown aggregation `minimun`" in found.message
    assert found.hint == "did you mean `minimum`?"


def test_an_aggregation_given_twice_in_a_block_is_reported():
    text = PLAN.format(aggregate="    aggregate minimum\n    aggregate sum", policy="")
    assert [d.code for d in check_text(text)] == ["SL107"]


def test_an_unknown_rollup_is_reported():
    (found,) = check_text(PLAN.format(aggregate="", policy="    rollup round"))
    assert found.code == "SL105" and found.hint == "did you mean `rounded`?"


def test_sibling_weights_are_still_shares_under_minimum():
    text = PLAN.format(aggregate="    aggregate minimum", policy="").replace("imprese 20%",
                                                                          "imprese 10%")
    assert [d.code for d in check_text(text)] == ["SL212"]


def test_the_areas_weights_are_not_shares_under_a_plan_wide_sum():
    # Area 1 weighs 50 %: a share of nothing, under a plan total that is a plain sum.
    text = PLAN.format(aggregate="", policy="    aggregate sum").replace(
        'area "1" "Competitività delle imprese" weight 100%',
        'area "1" "Competitività delle imprese" weight 50%')
    assert "weight 50%" in text
    assert "SL212" not in [d.code for d in check_text(text)]


def test_reaching_aggregations_warn_under_a_cap_below_100_percent():
    text = PLAN.format(aggregate="    aggregate all_reached", policy="    cap 90%")
    (found,) = check_text(text)
    assert found.code == "SL250" and found.severity == "warning"
    assert (found.span.line, found.span.column) == (14, 5)
    assert check_text(text.replace("cap 90%", "cap 120%")) == []


# ---- explain and JSON ----------------------------------------------------------------------

def explained(plan: scorelang.Plan, values: dict[str, object], node: str = "301") -> str:
    return explain_text(explain(plan, plan.evaluate(values), node))


def test_explain_names_the_aggregation_applied():
    assert "minimum: the worst of 3 children: 75.00 % (301/imprese)" in explained(
        plan_of("minimum"), JUNE)
    assert "share_reached: 1 of 3 children reached 100 %, by weight: 50.00 %" in explained(
        plan_of("share_reached"), JUNE)
    assert "all_reached: 1 of 3 children reached 100 %: not all reached 100 % → 0.00 %" in \
        explained(plan_of("all_reached"), JUNE)
    assert "sum of weighted scores (aggregate sum, no division)" in explained(plan_of("sum"), JUNE)
    text = explained(plan_of("minimum"), JUNE)
    assert "indicator 301/imprese \"Imprese raggiunte\": 75.00 %, weight 20 % → compared with " \
           "its siblings, not summed" in text


def test_explain_says_each_figure_is_rounded_before_its_parent_reads_it():
    plan = modena_rounded()
    result = plan.evaluate(scorelang.load_values(MODENA_VALUES))
    text = explain_text(explain(plan, result, "601", depth=0), "en")  # Modena: locale it
    assert "rounded to 2 places before 601 reads it (rollup rounded)" in text
    data = json.loads(explain_json(explain(plan, result, "601", depth=0)))
    assert data["node"]["rounded"] == 2


def test_explain_json_names_the_aggregation_and_its_children():
    data = json.loads(explain_json(explain(plan_of("minimum"), plan_of("minimum").evaluate(JUNE),
                                           "301")))
    total = data["node"]["sum"]
    assert total["aggregation"] == "minimum" and total["worst"] == "301/imprese"
    assert total["reached"] == ["301/partecipanti"]


def test_the_json_report_names_a_branchs_aggregation_and_fits_the_schema():
    document = json.loads(to_json(plan_of("all_reached").evaluate(JUNE)))
    nodes = {n["id"]: n for n in document["nodes"]}
    assert nodes["301"]["aggregation"] == "all_reached" and "aggregation" not in nodes["1"]
    schema = json.loads((ROOT / "src" / "scorelang" / "schemas" / "score.schema.json")
                        .read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_the_explain_cost_of_an_nd_child_follows_the_nodes_aggregation():
    # Under minimum with counts_zero, imprese N/D makes 301 0 %; had it scored 100 %, 301 would
    # be the worst of 100, 90, 100: 90 %.
    plan = plan_of("minimum")
    result = plan.evaluate(dict(JUNE, imprese=None))
    (cost,) = explain(plan, result, "301").nd_costs
    assert cost.current == 0.0 and cost.would_be == pytest.approx(90.0)


# ---- properties of the math -----------------------------------------------------------------

weights = st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5, 1.0])
scores = st.floats(0.0, 1.5, allow_nan=False)
children = st.lists(st.tuples(weights, scores), min_size=1, max_size=8).filter(
    lambda pairs: any(w > 0 for w, _ in pairs))
policies = st.sampled_from(list(MissingPolicy))


def by(rule: Aggregate, policy: MissingPolicy = MissingPolicy.COUNTS_ZERO) -> Aggregation:
    return scoring.aggregation_of(policy, rule)


@settings(max_examples=300, deadline=None)
@given(children=children)
def test_the_minimum_is_at_most_the_weighted_mean_and_that_at_most_the_best(children):
    weighted = [s for w, s in children if w > 0]
    low = scoring.aggregate(children, by(Aggregate.MINIMUM))
    mean = scoring.aggregate(children, by(Aggregate.WEIGHTED))
    assert low == min(weighted)
    assert low <= mean + 1e-12 and mean <= max(weighted) + 1e-12


@settings(max_examples=300, deadline=None)
@given(children=children, policy=policies)
def test_all_reached_is_0_or_1_and_share_reached_within_0_and_1(children, policy):
    assert scoring.aggregate(children, by(Aggregate.ALL_REACHED, policy)) in (0.0, 1.0)
    share = scoring.aggregate(children, by(Aggregate.SHARE_REACHED, policy))
    assert 0.0 <= share <= 1.0 + 1e-12


@settings(max_examples=300, deadline=None)
@given(children=children)
def test_the_sum_is_the_weighted_mean_times_the_sum_of_the_weights(children):
    total = sum(w for w, _ in children if w > 0)
    assert scoring.aggregate(children, by(Aggregate.SUM)) == pytest.approx(
        scoring.aggregate(children, by(Aggregate.WEIGHTED)) * total, rel=1e-12, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(children=children, rule=st.sampled_from(list(Aggregate)), policy=policies,
       data=st.data())
def test_the_order_of_the_children_does_not_matter(children, rule, policy, data):
    shuffled = data.draw(st.permutations(children))
    assert scoring.aggregate(shuffled, by(rule, policy)) == pytest.approx(
        scoring.aggregate(children, by(rule, policy)), rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(children=st.lists(st.tuples(weights.filter(lambda w: w > 0),
                                   st.one_of(scores, st.just(scoring.NOT_REPORTED))),
                         min_size=1, max_size=6),
       rule=st.sampled_from(list(Aggregate)))
def test_all_reached_is_share_reached_of_100_percent(children, rule):
    share = scoring.aggregate(children, by(Aggregate.SHARE_REACHED))
    every = scoring.aggregate(children, by(Aggregate.ALL_REACHED))
    if isinstance(share, Missing):
        assert isinstance(every, Missing)
    else:
        assert (every == 1.0) == (share >= scoring.REACHED)


values = st.fixed_dictionaries({
    "partecipanti": st.one_of(st.none(), st.integers(0, 1200)),
    "tempi_pagamento": st.one_of(st.none(), st.integers(0, 90)),
    "imprese": st.one_of(st.none(), st.integers(0, 400)),
})


@settings(max_examples=40, deadline=None)
@given(rule=st.sampled_from(list(Aggregate)), outer=st.sampled_from(list(Aggregate)),
       missing=st.sampled_from(["counts_zero", "excluded"]),
       rollup=st.sampled_from(["unrounded", "rounded"]),
       rows=st.lists(values, min_size=1, max_size=4))
def test_evaluate_and_both_batch_engines_agree(rule, outer, missing, rollup, rows):
    plan = plan_of(rule.value, f"    missing {missing}\n    aggregate {outer.value}\n"
                               f"    rollup {rollup}")
    numpy_batch = plan.evaluate_many(rows, engine="numpy")
    python_batch = plan.evaluate_many(rows, engine="python")
    for number, row in enumerate(rows):
        result = plan.evaluate(row)
        for node in result:
            expected = node.score
            for batch in (numpy_batch, python_batch):
                got = batch.score(number, node.id)
                assert (got is None) == (expected is None), node.id
                if got is not None:
                    assert got == pytest.approx(expected, rel=1e-12, abs=1e-9), node.id
                assert batch.status(number, node.id) == node.status
        plan_total = numpy_batch.plan_score(number)
        assert (plan_total is None) == (result.score is None)
        if plan_total is not None:
            assert math.isclose(plan_total, result.score, rel_tol=1e-12, abs_tol=1e-9)



# ---- a reference: every node by hand, level by level ----------------------------------------

def by_hand(plan: scorelang.Plan, values: dict[str, object], period: str = "H1"
            ) -> dict[str, float | None]:
    """Every node's percent score the slow, obvious way: leaves by scoring.leaf_score, then in
    scoring order each branch by its own aggregation, a link as the node it reads, each figure
    rounded half-up first under `rollup rounded`."""
    program = plan.program(period)
    as_of = program.period.ends if program.period else None
    places = plan.definition.policy.display_places
    rounded = plan.definition.policy.rollup.value == "rounded"
    found: dict[int, scoring.Score] = {}
    for index in program.post_order:
        node = program.nodes[index]
        if node.link is not None:
            found[index] = found[node.link]
            continue
        if node.leaf is not None:
            leaf = program.leaves[node.leaf]
            value = values.get(leaf.indicator.id)
            score = scoring.leaf_score(leaf.kind, leaf.target.value or 0.0, leaf.due,
                                       leaf.late, leaf.floor, leaf.cap,
                                       None if value is None else float(value), as_of)[1]
        else:
            score = scoring.aggregate([(program.nodes[c].weight or 0.0, found[c])
                                       for c in node.children], node.aggregation)
        if rounded and not isinstance(score, Missing):
            score = float(half_up(score * 100.0, places)) / 100.0
        found[index] = score
    return {program.nodes[i].id: None if isinstance(s, Missing) else s * 100.0
            for i, s in found.items()}


@settings(max_examples=40, deadline=None)
@given(rule=st.sampled_from(list(Aggregate)), missing=st.sampled_from(["counts_zero", "excluded"]),
       row=values)
def test_rounded_rollup_equals_the_reference_rounding_each_level(rule, missing, row):
    plan = plan_of(rule.value, f"    missing {missing}\n    rollup rounded")
    result = plan.evaluate(row)
    for node_id, expected in by_hand(plan, row).items():
        got = result[node_id].score
        assert (got is None) == (expected is None), node_id
        if got is not None:
            assert got == pytest.approx(expected, abs=1e-9), node_id
            assert got == pytest.approx(float(half_up(got, 2)), abs=1e-9)  # its display figure


# ---- a line out of place is named, not a bare syntax error -----------------------------------

@pytest.mark.parametrize(("edit", "where", "message"), [
    (("{ unit N target >= 200 }", "{ unit N target >= 200 aggregate minimum }"), (10, 62),
     "`aggregate` goes in the policy or inside an area, objective or group"),
    (("    partecipanti 50%\n", "    rollup rounded\n    partecipanti 50%\n"), (15, 5),
     "`rollup` is set for the whole plan"),
    (("  policy {\n", '  policy {\n    link "301" 30%\n'), (4, 5),
     "`link` goes inside an area, objective or group"),
])
def test_aggregate_rollup_and_link_out_of_place_say_where_they_go(edit, where, message):
    text = PLAN.format(aggregate="", policy="").replace(*edit)
    (found,) = check_text(text)
    assert found.code == "SL254" and found.message == message
    assert (found.span.line, found.span.column) == where
