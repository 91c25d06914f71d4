"""Issue 18, point 1: the plan's total is a node of the Result, the root of its tree.

A plan whose areas are weighted has a total; the Result holds it as its first node (id the
plan's, kind "plan", the parent of the areas), and every consumer reads it through the same
node API as any other node: whatif's changes, compare's rows, rule tests, the JSON, the xlsx.
A plan without weighted areas (Modena) has no total and no such node.
"""

from __future__ import annotations

import io
import json
import textwrap
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

import scorelang
from scorelang.engine.values import Values
from scorelang.report import views
from scorelang.tools.ruletest import run_paths
from scorelang.tools.whatif import Drop, whatif

PLAN = textwrap.dedent("""\
    plan ufficio "Ufficio di prova" {
      period Y "Anno" ends 2024-12-31
    }
    indicator pratiche "Pratiche evase" { unit N target >= 100 }
    indicator tempi "Tempi medi" { unit gg target <= 30 }
    indicator reclami "Reclami evasi" { unit N target >= 10 }
    area "1" "Servizi" weight 60% {
      objective "1.1" "Pratiche" weight 100% {
        pratiche 50%
        reclami 50%
      }
    }
    area "2" "Tempi" weight 40% {
      objective "2.1" "Tempi" weight 100% {
        tempi 100%
      }
    }
    """)
VALUES = {"pratiche": 80, "tempi": 30, "reclami": 4}


@pytest.fixture(scope="module")
def plan() -> scorelang.Plan:
    return scorelang.loads(PLAN, "ufficio.score")


@pytest.fixture(scope="module")
def result(plan):
    return plan.evaluate(Values.from_mapping(VALUES))


def test_the_total_is_the_root_node(result):
    total = result.nodes[0]
    assert (total.id, total.kind, total.parent, total.depth) == ("ufficio", "plan", None, 0)
    assert result["ufficio"] is total and total.score == pytest.approx(result.score)
    # 60 % × (50 % × 80 % + 50 % × 40 %) + 40 % × 100 %
    assert total.score == pytest.approx(76.0)
    assert [n.id for n in result.children("ufficio")] == ["1", "2"]
    assert all(n.depth == result["1"].depth + 1 for n in result.children("1"))
    assert result.area_depth == 1 and [a.id for a in result.areas()] == ["1", "2"]


def test_a_plan_without_a_total_has_no_such_node(modena_result):
    assert modena_result.score is None and modena_result.plan_id not in modena_result
    assert modena_result.area_depth == 0
    assert all(node.kind != "plan" for node in modena_result)


def test_whatif_lists_the_total_among_the_scores_that_change():
    outcome = whatif(PLAN, "ufficio.score", Values.from_mapping(VALUES), [Drop("reclami")])
    moved = {change.node: change for change in outcome.changes}
    assert "ufficio" in moved
    assert moved["ufficio"].before == pytest.approx(76.0)
    assert moved["ufficio"].after == pytest.approx(60 * 0.8 + 40.0)


def test_compare_shows_the_total_for_every_period(plan):
    earlier = plan.evaluate(Values.from_mapping({"pratiche": 50, "tempi": 30, "reclami": 10}))
    later = plan.evaluate(Values.from_mapping(VALUES))
    rows = {row["id"]: row for row in views.comparison([earlier, later], ["H1", "Y"]).rows}
    assert rows["ufficio"]["score_0"] == pytest.approx(earlier.score)
    assert rows["ufficio"]["score_1"] == pytest.approx(later.score)
    # A depth limit counts levels from the areas down, as before the total was a node.
    shallow = views.comparison([earlier, later], ["H1", "Y"], depth=1).rows
    assert [row["id"] for row in shallow] == ["ufficio", "1", "2"]


def _rule_test(tmp_path: Path, expect: str, rules: str = PLAN) -> object:
    (tmp_path / "ufficio.score").write_text(rules, encoding="utf-8")
    (tmp_path / "ufficio.test.yaml").write_text(textwrap.dedent(f"""\
        rules: ufficio.score
        tests:
          - name: anno
            values: {{pratiche: 80, tempi: 30, reclami: 4}}
            expect:
              {expect}
        """), encoding="utf-8")
    return run_paths([str(tmp_path / "ufficio.test.yaml")])


@pytest.mark.parametrize("key", ["plan", "ufficio"])
def test_a_rule_test_pins_the_total(tmp_path, key):
    assert _rule_test(tmp_path, f"{key}: 76.00").exit_code == 0
    failing = _rule_test(tmp_path, f"{key}: 69.21")
    assert failing.failed == 1


def test_a_rule_test_cannot_pin_the_total_of_a_plan_without_one(tmp_path):
    unweighted = PLAN.replace(" weight 60%", "").replace(" weight 40%", "")
    report = _rule_test(tmp_path, "plan: 76.00", unweighted)
    (suite,) = report.suites
    (problem,) = suite.errors
    assert problem.code == "SL403" and "has no total" in problem.message


def test_the_json_carries_the_total_and_fits_its_schema(result):
    document = json.loads(json.dumps(result.to_dict()))
    schema = json.loads(resources.files("scorelang").joinpath(
        "schemas/score.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    first = document["nodes"][0]
    assert (first["id"], first["kind"], first["parent"]) == ("ufficio", "plan", None)
    assert first["score"] == document["plan"]["score"]
    assert document["nodes"][1]["parent"] == "ufficio"


def test_the_workbook_has_the_total_in_its_summary_and_tree(result):
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result)))
    summary, tree = book.worksheets[0], next(s for s in book.worksheets
                                             if s.cell(2, 8).value == "ufficio")
    assert summary.cell(2, 1).value == "Ufficio di prova"
    assert summary.cell(2, 3).value == pytest.approx(0.76)
    assert tree.cell(2, 1).value == "Ufficio di prova"


def test_explain_explains_the_total(plan, result):
    from scorelang.tools.explain import explain

    explanation = explain(plan, result, "ufficio")
    assert explanation.node.kind == "plan" and explanation.parent is None
    assert [child.id for child in explanation.node.children] == ["1", "2"]
    area = explain(plan, result, "1")
    assert area.parent is not None and area.parent.id == "ufficio"


def test_the_tree_and_summary_views_show_the_total_first(result):
    assert views.tree(result).rows[0]["id"] == "ufficio"
    summary = views.summary(result).rows
    assert summary[0]["area"] == "Ufficio di prova"
    assert [row["id"] for row in summary] == ["ufficio", "1", "1.1", "2", "2.1"]
