"""`score --format json` written node by node (issue 15): the text is `json.dumps` of
`Result.to_dict()`, indented by two, to the byte, for every kind of plan and monitoring, read
whole or in passes, and whatever the titles hold."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import scorelang
from scorelang.engine import result as result_module
from scorelang.report.json import to_json

from .conftest import MODENA_RULES, MODENA_VALUES
from .test_rules_together import _rows, _when, adjustments, loaded, plans

ROOT = Path(__file__).resolve().parents[1]


def _whole(result: scorelang.Result) -> str:
    """The JSON as it was written before: the whole dict, dumped at once."""
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(plans())
def test_the_json_is_the_whole_dumped_on_mixed_plans(drawn) -> None:
    _, plan = loaded(drawn)
    extra = adjustments(drawn)  # neutralisations, overrides, previous scores
    for row in _rows(drawn)[:2]:
        try:
            result = plan.evaluate(row, **_when(drawn), **extra)
        except scorelang.ValuesError:
            continue  # `missing error` refusing a scenario: nothing to write
        assert to_json(result) == _whole(result)


@pytest.mark.parametrize("rules, values", [
    (MODENA_RULES, MODENA_VALUES),
    (ROOT / "rules" / "comune-valleverde-2023.score",
     ROOT / "examples" / "comune-valleverde-2023" / "consuntivo-2023.yaml"),
])
@pytest.mark.parametrize("passes", [False, True])
def test_the_json_of_the_bundled_plans_is_the_whole_dumped(
        rules: Path, values: Path, passes: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    def scored() -> scorelang.Result:
        return scorelang.load(rules).evaluate(scorelang.load_values(values))
    expected = _whole(scored())
    if passes:  # read as a Result over the kept size is, seven nodes at a time
        monkeypatch.setattr(result_module, "KEPT_UP_TO", 10)
        monkeypatch.setattr(result_module, "PASS", 7)
    result = scored()
    assert result.findings or result.scorecards  # the lists around the nodes are not empty
    assert to_json(result) == expected


def test_a_title_that_looks_like_the_nodes_key_and_a_result_without_nodes() -> None:
    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    tricky = attrs.evolve(result, plan_title='x\n  "nodes": [],\n y "nodes": [],')
    assert to_json(tricky) == _whole(tricky)
    empty = attrs.evolve(result, nodes=(), plan_title='"nodes": [],')
    assert json.loads(to_json(empty))["nodes"] == []
    assert to_json(empty) == _whole(empty)
