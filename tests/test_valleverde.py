"""The Valleverde 2023 example (docs/valleverde-2023.md): every rule of the field in one plan.

Its rule-test file pins each figure computed by hand; here the same monitoring must come out
alike from every engine and from the JSON report, the plan must be clean and in canonical form,
and the values files must fit their schema.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
import yaml

import scorelang
from scorelang.syntax.format import format_text
from scorelang.tools.ruletest import run_paths

from .conftest import ROOT

RULES = ROOT / "rules" / "comune-valleverde-2023.score"
TESTS = ROOT / "rules" / "comune-valleverde-2023.test.yaml"
EXAMPLE = ROOT / "examples" / "comune-valleverde-2023"
YEAR_END = EXAMPLE / "consuntivo-2023.yaml"
JUNE = EXAMPLE / "monitoraggio-2023-06.yaml"


@pytest.fixture(scope="module")
def plan() -> scorelang.Plan:
    return scorelang.load(RULES)


def test_the_plan_is_clean_and_in_canonical_form():
    text = RULES.read_text(encoding="utf-8")
    assert scorelang.diagnose(text, str(RULES))[1] == []
    assert format_text(text, str(RULES)) == text


def test_every_pinned_figure_holds():
    outcome = run_paths([str(TESTS)])
    assert [suite.errors for suite in outcome.suites] == [()]
    assert outcome.failed == 0 and outcome.passed >= 40


def test_the_plan_total_is_the_rounded_areas_weighted(plan):
    result = plan.evaluate(scorelang.load_values(YEAR_END))
    # 0.4 × 66.95 + 0.3 × 64 + 0.3 × 52, each area read as printed (rollup rounded)
    assert result.score == pytest.approx(61.58, abs=1e-9)
    assert result["1.3/eventi_culturali"].status == "neutralised"
    assert result["3.2/benessere_organizzativo"].status == "no_target"
    assert "overridden" in result["3.2/manutenzione_strade"].flags


@pytest.mark.parametrize("values_file", [JUNE, YEAR_END], ids=["june", "year_end"])
@pytest.mark.parametrize("engine", ["numpy", "python"])
def test_every_engine_scores_the_monitoring_alike(plan, values_file, engine):
    pytest.importorskip("numpy")
    loaded = scorelang.load_values(values_file)
    result = plan.evaluate(loaded)
    document = yaml.safe_load(values_file.read_text(encoding="utf-8"))
    batch = plan.evaluate_many([document["values"]], period=document["period"],
                               as_of=loaded.as_of, engine=engine,
                               neutralised=document.get("neutralised"),
                               overrides=document.get("overrides"),
                               previous=document.get("previous"))
    for node in result:
        got = batch.score(0, node.id)
        if node.score is None:
            assert got is None, node.id
        else:
            assert got == pytest.approx(node.score, abs=1e-9), node.id
        assert batch.status(0, node.id) == node.status, node.id
    if result.score is None:
        assert batch.plan_score(0) is None
    else:
        assert batch.plan_score(0) == pytest.approx(result.score, abs=1e-9)


def _schema(name: str) -> dict[str, Any]:
    text = resources.files("scorelang").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.mark.parametrize("values_file", [JUNE, YEAR_END], ids=["june", "year_end"])
def test_the_values_files_and_the_json_report_fit_their_schemas(plan, values_file):
    document = yaml.safe_load(values_file.read_text(encoding="utf-8"))
    # YAML reads the dates as dates; the schema describes the JSON text of the same document.
    jsonschema.validate(json.loads(json.dumps(document, default=str)), _schema("values"))
    report = json.loads(scorelang.render(plan.evaluate(scorelang.load_values(values_file)),
                                         "json"))
    jsonschema.validate(report, _schema("score"))
    by_id = {node["id"]: node for node in report["nodes"]}
    if values_file is YEAR_END:
        assert by_id["1.3/ispezioni_mense"]["points"] == pytest.approx(17.285714285714285)
        assert by_id["1.3/ispezioni_mense"]["points_max"] == 20
        assert by_id["1.3/eventi_culturali"]["neutralised"]["act"].startswith("Delibera")
        assert by_id["3.2/manutenzione_strade"]["override"]["computed"] == pytest.approx(40)
        assert by_id["2.1/1.1"]["link"] == "1.1"
        assert by_id["3.1"]["aggregation"] == "all_reached"


def test_the_html_footer_says_how_the_plan_rolls_up(plan, modena_result):
    # Regression: the footer said "every computation uses the unrounded figures" under
    # `rollup rounded` too.
    page = scorelang.render(plan.evaluate(scorelang.load_values(YEAR_END)), "html")
    assert "rollup rounded" in page and "non arrotondati" not in page
    assert "rollup rounded" not in scorelang.render(modena_result, "html", locale="it")
    assert "non arrotondati" in scorelang.render(modena_result, "html", locale="it")


def test_a_linked_objective_is_marked_in_the_html_tree(plan):
    page = scorelang.render(plan.evaluate(scorelang.load_values(YEAR_END)), "html")
    row = page[page.index('data-node-id="2.1/1.1"'):]
    assert "(link)" in row[:row.index("</tr>")]
