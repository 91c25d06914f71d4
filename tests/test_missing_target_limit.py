"""`missing_target limit`: while a target is `tbd`, the indicator's `limits minimum` stands in
as the target (issue 19). Scored as if the target were written as the minimum, by every engine;
named by the reports, the JSON report and `explain`; SL263 without limits."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.report.explain import explain_text
from scorelang.syntax.format import format_text
from scorelang.tools.explain import explain

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

ENGINES = ["python"] + (["numpy"] if np is not None else [])

PLAN = """\
plan qualita "Qualità dei servizi 2020" {
  period H1 "Monitoraggio intermedio" ends 2020-06-30
  period Y "Consuntivo" ends 2020-12-31
  policy {
    missing_target limit
  }
}

indicator customer_satisfaction "Soddisfazione degli utenti" {
  unit %
  target >= tbd
  limits minimum 80 maximum 95
  cap 200%
}

indicator tempi_rilascio "Tempi medi di rilascio dei certificati" {
  unit giorni
  target <= 10
  periodic H1 <= tbd
  limits minimum 20 maximum 5
  cap 200%
}

area "1" "Servizi" weight 100% {
  objective "301" "Qualità" weight 100% {
    customer_satisfaction 50%
    tempi_rilascio 50%
  }
}
"""

VALUES = {"customer_satisfaction": 88, "tempi_rilascio": 15}


@pytest.fixture(scope="module")
def qualita() -> scorelang.Plan:
    return scorelang.loads(PLAN, "qualita.score")


def test_the_minimum_limit_stands_in_as_the_target(qualita):
    result = qualita.evaluate(VALUES, "H1")
    # 1 + (88 − 80)/80 = 110 %; lower is better: 1 − (15 − 20)/20 = 125 %
    assert result["301/customer_satisfaction"].score == pytest.approx(110.0)
    assert result["301/tempi_rilascio"].score == pytest.approx(125.0)
    assert result["1"].score == pytest.approx(117.5)
    used = result["301/customer_satisfaction"].target
    assert (used.source, used.direction.value, used.value) == ("limit", ">=", 80.0)


def test_a_decided_target_brings_the_limits_scale_back(qualita):
    # At year end tempi_rilascio has its annual `<= 10`: 15 days is halfway from 20 to 10.
    result = qualita.evaluate(VALUES, "Y")
    assert result["301/tempi_rilascio"].score == pytest.approx(50.0)
    assert result["301/tempi_rilascio"].target.source == "annual"
    assert result["301/customer_satisfaction"].score == pytest.approx(110.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_scores_the_limit_alike(qualita, engine):
    rows = [VALUES, {"customer_satisfaction": 60, "tempi_rilascio": None},
            {"customer_satisfaction": 99, "tempi_rilascio": 3}]
    batch = qualita.evaluate_many(rows, "H1", engine=engine)
    assert batch.engine == engine
    for number, row in enumerate(rows):
        alone = qualita.evaluate(row, "H1")
        for node in alone:
            assert batch.status(number, node.id) == node.status
            assert batch.score(number, node.id) == pytest.approx(node.score, abs=1e-12)


def test_limit_without_limits_is_sl263_wherever_the_rule_is_said():
    bare = PLAN.replace("  limits minimum 80 maximum 95\n", "")
    errors = [d for d in scorelang.diagnose(bare, "x.score")[1] if d.is_error]
    assert [d.code for d in errors] == ["SL263"]
    assert "the policy's `missing_target limit`" in errors[0].message
    own = bare.replace("    missing_target limit\n", "    missing_target skip\n").replace(
        "  target >= tbd\n", "  target >= tbd\n  missing_target limit\n")
    errors = [d for d in scorelang.diagnose(own, "x.score")[1] if d.is_error]
    assert [d.code for d in errors] == ["SL263"]
    assert "its `missing_target limit`" in errors[0].message
    # An indicator's own rule replaces the policy's: no limits needed under its `skip`.
    skipping = bare.replace("  target >= tbd\n", "  target >= tbd\n  missing_target skip\n")
    assert not [d for d in scorelang.diagnose(skipping, "x.score")[1] if d.is_error]


def test_the_limits_order_is_not_held_against_a_tbd_target():
    # A `tbd` target has no figure yet: SL244 orders the limits against the decided ones only.
    found = scorelang.diagnose(PLAN, "x.score")[1]
    assert not [d for d in found if d.is_error]


def test_reports_name_the_limit(qualita):
    result = qualita.evaluate(VALUES, "H1")
    table = scorelang.render(result, "table", view="tree")
    assert "<= 20 giorni (minimum limit, target tbd)" in table
    italian = scorelang.render(result, "table", view="tree", locale="it")
    assert "(limite minimo, target da definire)" in italian
    assert "minimum limit, target tbd" in scorelang.render(result, "html")
    document = json.loads(scorelang.render(result, "json"))
    schema = json.loads(resources.files("scorelang").joinpath(
        "schemas/score.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    nodes = {node["id"]: node for node in document["nodes"]}
    assert nodes["301/customer_satisfaction"]["target_used"] == {
        "source": "limit", "direction": ">=", "value": 80.0}
    assert nodes["301/tempi_rilascio"]["target_used"] == {
        "source": "limit", "direction": "<=", "value": 20.0, "period": "H1"}


def test_explain_says_the_minimum_limit_stands_in(qualita):
    result = qualita.evaluate(VALUES, "H1")
    text = explain_text(explain(qualita, result, "301/customer_satisfaction"))
    assert "target to be decided: the minimum limit 80 stands in (`missing_target limit`)" in text
    assert "110.00 %" in text


def test_fmt_keeps_the_limit_rule():
    once = format_text(PLAN)
    assert "    missing_target limit\n" in once
    assert format_text(once) == once


# ---- the property: `limit` scores as the target written as the minimum -----------------------

@st.composite
def limited(draw):
    direction = draw(st.sampled_from([">=", "<="]))
    minimum = draw(st.integers(1, 500))
    spread = draw(st.integers(1, 500))
    maximum = minimum + spread if direction == ">=" else max(minimum - spread, 0)
    formula = draw(st.sampled_from(["deviation", "ratio", "gap"]))
    extra = draw(st.sampled_from(["", "  threshold 60%\n", "  threshold 60% rescaled\n",
                                  "  tolerance 5%\n", "  floor 10%\n"]))
    cap = draw(st.sampled_from([100, 120, 200]))
    values = draw(st.lists(st.one_of(st.none(), st.floats(0, 1200, allow_nan=False, allow_subnormal=False)),
                           min_size=1, max_size=4))
    other = draw(st.floats(0, 200, allow_nan=False))
    return direction, minimum, maximum, formula, extra, cap, values, other


def _plan(direction: str, target: str, body: str) -> str:
    return f"""\
plan p "P" {{
  period Y "Consuntivo" ends 2020-12-31
}}

indicator a "A" {{
  unit N
  target {direction} {target}
{body}}}

indicator b "B" {{
  unit N
  target >= 100
}}

area "1" "Uno" weight 100% {{
  objective "101" "O" weight 100% {{
    a 60%
    b 40%
  }}
}}
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limited())
def test_scoring_under_limit_equals_writing_the_minimum_as_the_target(drawn):
    direction, minimum, maximum, formula, extra, cap, values, other = drawn
    rules = f"  formula {formula}\n{extra}  cap {cap}%\n"
    limit = scorelang.loads(_plan(direction, "tbd", rules + f"  limits minimum {minimum} "
                                  f"maximum {maximum}\n  missing_target limit\n"), "limit.score")
    written = scorelang.loads(_plan(direction, str(minimum), rules), "written.score")
    rows = [{"a": value, "b": other} for value in values]
    for row in rows:
        expected = written.evaluate(row)
        got = limit.evaluate(row)
        for node in expected:
            assert got[node.id].score == node.score
            assert got[node.id].raw == node.raw
            assert got[node.id].status == node.status
    for engine in ENGINES:
        batch = limit.evaluate_many(rows, engine=engine)
        for number, row in enumerate(rows):
            for node in written.evaluate(row):
                score = batch.score(number, node.id)
                assert (score is None) == (node.score is None)
                if score is not None:
                    assert score == pytest.approx(node.score, rel=1e-12, abs=1e-12)
