"""`explain`: how a figure came about, checked against numbers computed by hand.

The arithmetic in the comments is done on paper from the Modena June 2020 monitoring
(rules/cciaa-modena-2020.score, examples/cciaa-modena-2020/monitoraggio-2020-06.yaml), not
with scorelang; the assertions compare the explanation with it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import scorelang
from scorelang.diagnostics import ScorelangError
from scorelang.tools.explain import METHODS, TREATMENTS, Explanation, NodeExplanation, explain
from scorelang.report.explain import explain_json, explain_text
from scorelang.engine.rounding import half_up


def find(node: NodeExplanation, node_id: str) -> NodeExplanation:
    if node.id == node_id:
        return node
    for child in node.children:
        try:
            return find(child, node_id)
        except KeyError:
            pass
    raise KeyError(node_id)


def shown(value: float | None) -> Decimal | None:
    return None if value is None else half_up(value, 2)


@pytest.fixture(scope="module")
def explained_802(modena_plan, modena_result) -> Explanation:
    return explain(modena_plan, modena_result, "802")


@pytest.fixture(scope="module")
def text_802(explained_802) -> str:
    return explain_text(explained_802, "en")


# ---- 802: an objective with an N/D operational objective ------------------------------------

def test_802_A1_2_is_nd_because_its_only_indicator_is_a_deadline_not_yet_due(explained_802,
                                                                              text_802):
    objective = find(explained_802.node, "802.A1.2")
    assert objective.score is None and objective.status == "not_due"
    assert objective.sum is not None and objective.sum.outcome == "all_nd"
    assert objective.sum.nd == ("802.A1.2/report_costi",)
    (leaf,) = objective.children
    assert leaf.computation is not None
    assert leaf.computation.method == "deadline_not_due"
    assert leaf.computation.target.due == dt.date(2020, 10, 31)
    assert leaf.computation.as_of == dt.date(2020, 6, 30)
    assert leaf.computation.raw is None
    assert ("formula: deadline: due 2020-10-31, not done, monitoring date 2020-06-30 → "
            "not yet due (N/D)") in text_802
    assert "all weighted children N/D → N/D" in text_802


def test_nd_objective_counts_zero_but_keeps_its_weight_and_what_it_costs(explained_802, text_802):
    # 802/obiettivi_operativi, five objectives at 20 %:
    #   802.A1.1 100; 802.A1.2 N/D -> 0; 802.A1.3 25 (100, 0, N/D, N/D at 25 % each);
    #   802.B3.1 (92.73/94 = 98.6489… + 99.00)/2 = 98.8245…; 802.C1.1 100
    #   0.2 × (100 + 0 + 25 + 98.8245 + 100) = 64.7649 -> 64.76 %
    # Had 802.A1.2 scored 100 %: + 0.2 × 100 = +20 points -> 84.76 %.
    group = find(explained_802.node, "802/obiettivi_operativi")
    assert shown(group.score) == Decimal("64.76")
    nd = find(group, "802.A1.2")
    assert nd.share.treatment == "nd_counts_zero"
    assert nd.share.weight == 20.0 and nd.share.contribution == 0.0
    assert group.sum is not None and group.sum.nd == ("802.A1.2",)
    (cost,) = group.sum.costs
    assert (cost.node, cost.on) == ("802.A1.2", "802/obiettivi_operativi")
    assert cost.points == pytest.approx(20.0)
    assert shown(cost.would_be) == Decimal("84.76")
    assert ("cost of N/D: if 802.A1.2 had scored 100 %, 802/obiettivi_operativi would be "
            "84.76 % instead of 64.76 % (the most it could add: +20.00 points)") in text_802
    assert "N/D: 802.A1.2 is N/D (not yet due): counts 0 but keeps its 20 % weight" in text_802
    # On 802 itself the group weighs 50 %: 0.5 × 20 = 10 points at most, 82.21 -> 92.21.
    first = explained_802.nd_costs[0]
    assert (first.node, first.on) == ("802.A1.2", "802")
    assert first.points == pytest.approx(10.0)
    assert shown(first.would_be) == Decimal("92.21")


def test_802_is_the_weighted_sum_of_its_two_groups(explained_802, text_802):
    # 802/indicatori: 0.15 × 98.6489 (b3_2_02) + 0.15 × 100 + 0.15 × 100 + 4 × 0.05 × 100
    #   + 0.20 × 100 + 0.15 × 99 = 14.7973 + 30 + 20 + 20 + 14.85 = 99.6473 -> 99.65 %
    # 802 = 0.5 × 99.6473 + 0.5 × 64.7649 = 49.8237 + 32.3824 = 82.2061 -> 82.21 %
    node = explained_802.node
    assert shown(node.score) == Decimal("82.21")
    indicatori, obiettivi = node.children
    assert shown(indicatori.score) == Decimal("99.65")
    assert shown(indicatori.share.contribution) == Decimal("49.82")
    assert shown(obiettivi.share.contribution) == Decimal("32.38")
    assert "sum: Σ weight × score = 50 % × 99.65 % + 50 % × 64.76 % = 82.21 %" in text_802
    assert text_802.startswith("How 802 came to 82.21 %\n")
    # 802 in area 3: 0.3333 × 82.2061 = 27.3993 -> 27.40 points.
    assert explained_802.parent is not None and explained_802.parent.id == "3"
    assert shown(node.share.contribution) == Decimal("27.40")
    assert "contributes 33.33 % × 82.21 % = 27.40 points of 3" in text_802


# ---- leaves ---------------------------------------------------------------------------------

def test_periodic_target_replaces_annual_in_june_monitoring(modena_plan, modena_result):
    # 143 participants against the periodic H1 target >= 300 (annual >= 600):
    # 143 / 300 = 0.476666… -> 47.67 %; weight 90 %: 0.9 × 47.6667 = 42.90 points.
    explained = explain(modena_plan, modena_result, "301/indicatori/partecipanti_internaz")
    node = explained.node
    assert node.computation is not None
    target = node.computation.target
    assert (target.source, target.value, target.period) == ("periodic", 300.0, "H1")
    assert target.replaces is not None and target.replaces.value == 600.0
    assert node.computation.method == "value_over_target"
    assert shown(node.computation.raw) == Decimal("47.67")
    assert shown(node.share.contribution) == Decimal("42.90")
    text = explain_text(explained, "en")
    assert "target: >= 300 N — periodic target for H1 replaces the annual >= 600 N" in text
    assert "formula: >= : value / target = 143 / 300 = 47.67 %" in text
    assert "contributes 90 % × 47.67 % = 42.90 points of 301/indicatori" in text


def test_annual_target_says_there_is_no_periodic_one(explained_802, text_802):
    leaf = find(explained_802.node, "802/indicatori/b3_2_02_pagamenti_30gg")
    assert leaf.computation is not None and leaf.computation.target.source == "annual"
    assert "target: >= 94 % — annual target (no periodic target for H1)" in text_802


def test_negative_at_most_target_is_a_distance_not_a_ratio(modena_plan, modena_result):
    # -17.82 days against <= -18: 1 − (−17.82 − (−18)) / 18 = 1 − 0.18 / 18 = 0.99 -> 99.00 %
    # (the ratio −18 / −17.82 would say 101 %); weight 15 %: 0.15 × 99 = 14.85 points.
    explained = explain(modena_plan, modena_result, "802/indicatori/tempestivita_pagamenti")
    node = explained.node
    assert node.computation is not None
    assert node.computation.method == "deviation_at_most"
    assert node.computation.raw == pytest.approx(99.0)
    assert node.share.contribution == pytest.approx(14.85)
    text = explain_text(explained, "en")
    assert ("formula: <= : 1 − (value − target) / |target| = 1 − (−17.82 − (−18)) / 18 "
            "= 99.00 %") in text
    assert "raw 99.00 %, within floor 0 % and cap 100 % → 99.00 %" in text
    assert "= 14.85 points of 802/indicatori" in text


def test_raw_above_the_cap_is_capped(modena_plan, modena_result):
    # 3 283 controls against the periodic >= 3 000: 3283 / 3000 = 1.094333… -> raw 109.43 %,
    # capped at 100 %; weight 40 % -> 40.00 points.
    explained = explain(modena_plan, modena_result, "701/indicatori/controlli_autocertificazioni")
    node = explained.node
    assert node.computation is not None and node.computation.bound == "capped"
    assert shown(node.computation.raw) == Decimal("109.43")
    assert node.score == 100.0 and node.share.contribution == pytest.approx(40.0)
    text = explain_text(explained, "en")
    assert "formula: >= : value / target = 3,283 / 3,000 = 109.43 %" in text
    assert "raw 109.43 %, capped at 100 % → 100.00 %" in text


def test_negative_value_is_floored_at_zero(modena_plan, modena_result):
    # −1 527.97 % against >= 5 %: −1527.97 / 5 = −305.594 -> raw −30 559.40 %, floored at 0 %.
    explained = explain(modena_plan, modena_result, "601.D3.1a/variazione_turisti_motor_valley")
    node = explained.node
    assert node.computation is not None and node.computation.bound == "floored"
    assert shown(node.computation.raw) == Decimal("-30559.40")
    assert node.score == 0.0
    text = explain_text(explained, "en")
    assert "raw −30,559.40 %, floored at 0 % → 0.00 %" in text


def test_zero_weight_indicator_is_shown_not_counted(modena_plan, modena_result):
    # presenze_fiere: 36 782 against = 0, not reached -> 0 %; weight 0 % in 601.D3.1a.
    # 601.D3.1a = 0.5 × N/D (counts 0) + 0.5 × 0 (Motor Valley, floored) = 0.00 %.
    explained = explain(modena_plan, modena_result, "601.D3.1a")
    zero = find(explained.node, "601.D3.1a/presenze_fiere")
    assert zero.share.treatment == "zero_weight" and zero.share.contribution is None
    assert zero.computation is not None and zero.computation.method == "exact"
    assert explained.node.sum is not None
    assert explained.node.sum.zero_weight == ("601.D3.1a/presenze_fiere",)
    text = explain_text(explained, "en")
    assert "weight 0 %: 601.D3.1a/presenze_fiere is shown, not counted" in text
    assert "formula: = : not reached (36,782 ≠ 0) → 0.00 %" in text
    assert ': 0.00 %, weight 0 % → shown, not counted' in text
    # The N/D indicator of the same objective: no value at all.
    assert "formula: no value reported → N/D" in text


def test_display_is_half_up_not_round_half_even(modena_plan, modena_result):
    # 402 "Indicatori" is 70.125 % exactly: shown 70.13 (Python's round gives 70.12).
    text = explain_text(explain(modena_plan, modena_result, "402/indicatori", depth=0), "en")
    assert text.startswith("How 402/indicatori came to 70.13 %\n")


# ---- depth, JSON, errors --------------------------------------------------------------------

def test_depth_limits_the_levels_explained_in_full(modena_plan, modena_result):
    explained = explain(modena_plan, modena_result, "3", depth=0)
    assert [child.id for child in explained.node.children] == ["801", "802", "803"]
    assert all(not child.expanded and child.children == () for child in explained.node.children)
    text = explain_text(explained, "en")
    assert "below the depth limit (0)" in text
    assert len(text.splitlines()) < 30
    full = explain(modena_plan, modena_result, "3")
    assert len(explain_text(full, "en").splitlines()) > 100


def test_json_keeps_unrounded_numbers_and_stable_keys(explained_802):
    data = json.loads(explain_json(explained_802))
    assert data["format_version"] == 1
    assert list(data) == ["format_version", "plan", "period", "as_of", "missing_policy", "depth",
                          "parent", "nd_costs", "node"]
    assert data["period"] == "H1" and data["as_of"] == "2020-06-30"
    node = data["node"]
    assert list(node) == ["id", "kind", "title", "indicator", "parent", "score", "display",
                          "status", "share", "expanded", "computation", "sum", "children"]
    assert node["score"] == pytest.approx(82.2061170212766) and node["display"] == "82.21"
    leaf = node["children"][0]["children"][-1]
    assert leaf["id"] == "802/indicatori/tempestivita_pagamenti"
    computation = leaf["computation"]
    assert computation["method"] == "deviation_at_most"
    assert computation["target"] == {"source": "annual", "direction": "<=", "value": -18.0,
                                     "unit": "gg", "period": "H1", "replaces": None, "due": None}
    assert leaf["share"] == {"weight": 15.0, "counted_weight": 15.0,
                             "contribution": pytest.approx(14.85), "treatment": "counted"}
    nd = node["children"][1]["children"][1]
    assert nd["id"] == "802.A1.2" and nd["score"] is None and nd["display"] == "N/D"
    assert nd["sum"]["outcome"] == "all_nd"
    report_costi = nd["children"][0]["computation"]
    assert report_costi["target"]["due"] == "2020-10-31" and report_costi["formula"] is None
    costs = node["children"][1]["sum"]["costs"]
    assert costs[0]["node"] == "802.A1.2" and costs[0]["points"] == pytest.approx(20.0)


def test_unknown_node_is_an_error_with_did_you_mean(modena_plan, modena_result):
    with pytest.raises(ScorelangError) as caught:
        explain(modena_plan, modena_result, "802.A1.22")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "SL314"
    assert "unknown node `802.A1.22`" in diagnostic.message
    assert diagnostic.hint == "did you mean `802.A1.2`?"


def test_an_indicator_id_points_to_its_uses(modena_plan, modena_result):
    with pytest.raises(ScorelangError) as caught:
        explain(modena_plan, modena_result, "tempestivita_pagamenti")
    hint = caught.value.diagnostics[0].hint or ""
    assert "`802/indicatori/tempestivita_pagamenti`" in hint
    assert "`802.B3.1/tempestivita_pagamenti`" in hint


def test_explanation_is_immutable(explained_802):
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        explained_802.node.score = 100.0  # type: ignore[misc]


# ---- every node: the explanation agrees with the evaluator ----------------------------------

def test_every_modena_node_explains_and_its_terms_add_up(modena_plan, modena_result):
    for result_node in modena_result:
        explained = explain(modena_plan, modena_result, result_node.id, depth=0)
        node = explained.node
        assert node.score == result_node.score  # taken from the result, never recomputed
        assert node.share.treatment in TREATMENTS
        if node.computation is not None:
            assert node.computation.method in METHODS
            assert node.computation.raw == result_node.raw
        if node.sum is not None and node.sum.outcome == "sum":
            added = sum(c.share.contribution or 0.0 for c in node.children)
            assert added == pytest.approx(node.score)
        assert explain_text(explained, "en")


# ---- a plan with the other rules: excluded, ratio, late rules, weighted areas ----------------

OTHER_RULES = """
plan mini "Mini" {
  period Y "Consuntivo" ends 2020-12-31
  policy { missing excluded late linear 30 days }
}
indicator a "A" { unit N target >= 10 }
indicator b "B" { unit N target >= 0 }
indicator c "C" { unit gg target >= -20 }
indicator e "E" { unit gg target <= 4 formula ratio }
indicator f "F" { deadline 2020-10-31 }
indicator g "G" { deadline 2020-10-31 late 50% }
indicator h "H" { deadline 2020-10-31 }
indicator i "I" { deadline 2020-10-31 }
indicator k "K" { unit N target >= 10 }
area "1" "Uno" weight 60% {
  objective "O1" "Obiettivo uno" weight 100% {
    a 20%
    b 10%
    c 10%
    e 10%
    f 20%
    g 10%
    h 10%
    k 10%
  }
}
area "2" "Due" weight 40% {
  objective "O2" "Obiettivo due" weight 100% {
    i 100%
  }
}
"""


@pytest.fixture(scope="module")
def other():
    plan = scorelang.loads(OTHER_RULES)
    result = plan.evaluate({"a": 5, "b": 3, "c": -25, "e": 2, "f": dt.date(2020, 11, 15),
                            "g": dt.date(2020, 12, 1), "h": None, "i": dt.date(2020, 10, 1),
                            "k": None})
    return plan, result


def test_excluded_policy_renormalises_the_scored_siblings(other):
    # a 5/10 = 50; b target 0 reached = 100; c 1 + (−25 + 20)/20 = 75; e ratio 4/2 = 200 -> 100;
    # f 15 days late, linear 30: 1 − 15/30 = 50; g late, fixed 50 %; h missed 0; k N/D left out.
    # O1 = (0.2×50 + 0.1×100 + 0.1×75 + 0.1×100 + 0.2×50 + 0.1×50 + 0.1×0) / 0.9
    #    = (10 + 10 + 7.5 + 10 + 10 + 5 + 0) / 0.9 = 52.5 / 0.9 = 58.33 %
    # Had k scored 100 %: (52.5 + 10) / 1.0 = 62.50 %.
    plan, result = other
    explained = explain(plan, result, "O1")
    node = explained.node
    assert shown(node.score) == Decimal("58.33")
    a = find(node, "O1/a")
    assert a.share.counted_weight == pytest.approx(20 / 0.9)  # 22.22 %
    assert find(node, "O1/k").share.treatment == "nd_excluded"
    assert node.sum is not None
    (cost,) = node.sum.costs
    assert shown(cost.would_be) == Decimal("62.50")
    text = explain_text(explained, "en")
    assert "O1/k is N/D: left out; siblings re-normalised" in text
    assert "/ 90 % = 58.33 %" in text
    assert "weight 20 % (re-normalised to 22.22 %) → 11.11 points of O1" in text


def test_target_zero_negative_target_and_ratio_are_written_out(other):
    plan, result = other
    text = explain_text(explain(plan, result, "O1"), "en")
    assert "formula: >= : target 0: reached (3 >= 0) → 100.00 %" in text
    assert ("formula: >= : 1 + (value − target) / |target| = 1 + (−25 − (−20)) / 20 "
            "= 75.00 %") in text
    assert "formula: <= : ratio target / value = 4 / 2 = 200.00 %" in text


def test_deadlines_done_late_missed_and_on_time(other):
    plan, result = other
    text = explain_text(explain(plan, result, "1"), "en")
    assert ("deadline: due 2020-10-31, done 2020-11-15, 15 days late → late rule: linear over "
            "30 days, max(0, 1 − 15 / 30) = 50.00 %") in text
    assert "done 2020-12-01, 31 days late → late rule: a fixed 50 % → 50.00 %" in text
    assert ("deadline: due 2020-10-31, not done, monitoring date 2020-12-31 is after it → "
            "missed: 0.00 %") in text
    text = explain_text(explain(plan, result, "O2/i"), "en")
    assert "deadline: due 2020-10-31, done 2020-10-01 → on time: 100.00 %" in text


def test_weighted_area_contributes_to_the_plan(other):
    # plan = 0.6 × 58.33 + 0.4 × 100 = 35.00 + 40 = 75.00 %
    plan, result = other
    explained = explain(plan, result, "1", depth=0)
    assert explained.parent is not None and explained.parent.kind == "plan"
    assert shown(explained.parent.score) == Decimal("75.00")
    assert shown(explained.node.share.contribution) == Decimal("35.00")
    assert "In its parent: weight 60 % of the plan (75.00 %)" in explain_text(explained, "en")


# ---- docs/explain.md shows what the functions print today ----------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "explain.md"
MARKED_BLOCK = re.compile(
    r"<!-- (explain|explain-json): (\S+)(?: depth (\d+))? -->\n```\w+\n(.*?)```", re.DOTALL)


def test_docs_samples_are_what_explain_prints(modena_plan, modena_result):
    blocks = MARKED_BLOCK.findall(DOCS.read_text(encoding="utf-8"))
    assert len(blocks) == 3
    for kind, node_id, depth, body in blocks:
        explained = explain(modena_plan, modena_result, node_id,
                            int(depth) if depth else None)
        if kind == "explain":
            command, _, shown_text = body.partition("\n")
            assert command.startswith("$ scorelang explain ") and command.endswith(node_id)
            assert shown_text == explain_text(explained)
        else:
            assert body == explain_json(explained)
