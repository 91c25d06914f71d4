"""Targets still to be decided: `target >= tbd` with `missing_target skip|previous`
(issue 19, part C). `limit` is in tests/test_missing_target_limit.py."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

import scorelang
from scorelang import ValuesError
from scorelang.syntax.format import format_text

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

ENGINES = ["python"] + (["numpy"] if np is not None else [])

PLAN = """\
plan turismo "Promozione del territorio 2020" {
  period H1 "Monitoraggio intermedio" ends 2020-06-30
  period Y "Consuntivo" ends 2020-12-31
  policy {
    missing_target skip
  }
}

indicator presenze_turistiche "Presenze turistiche" {
  unit N
  target >= tbd
}

indicator eventi_realizzati "Eventi di promozione realizzati" {
  unit N
  target >= 20
  periodic H1 >= tbd
  missing_target previous
}

indicator tempestivita_pagamenti "Indicatore di tempestività dei pagamenti" {
  unit giorni
  target <= 0
}

area "1" "Territorio" weight 100% {
  objective "201" "Attrattività turistica" weight 60% {
    presenze_turistiche 50%
    eventi_realizzati 50%
  }
  objective "202" "Pagamenti" weight 40% {
    tempestivita_pagamenti 100%
  }
}
"""

VALUES = {"presenze_turistiche": 1000, "eventi_realizzati": 15, "tempestivita_pagamenti": -3}
PREVIOUS = {"eventi_realizzati": 80}


@pytest.fixture(scope="module")
def turismo() -> scorelang.Plan:
    return scorelang.loads(PLAN, "turismo.score")


def test_a_tbd_target_under_skip_is_left_out_and_its_sibling_reweighted(turismo):
    result = turismo.evaluate(VALUES, "H1", previous=PREVIOUS)
    node = result["201/presenze_turistiche"]
    assert node.status == "no_target" and node.score is None and node.raw is None
    assert node.target.value is None
    # eventi_realizzati takes June's previous score, 80 %, and is now the whole of 201.
    assert result["201/eventi_realizzati"].score == 80.0
    assert "previous_score" in result["201/eventi_realizzati"].flags
    assert result["201"].score == pytest.approx(80.0)
    # 0.6 × 80 + 0.4 × 100 = 88 %.
    assert result["1"].score == pytest.approx(88.0)


def test_the_year_end_uses_the_annual_figure_where_only_june_was_tbd(turismo):
    result = turismo.evaluate(VALUES, "Y", previous=PREVIOUS)
    assert result["201/eventi_realizzati"].score == pytest.approx(75.0)  # 15 / 20
    assert "previous_score" not in result["201/eventi_realizzati"].flags
    assert result["201"].score == pytest.approx(75.0)


def test_skip_scores_exactly_as_neutralising_the_indicator(turismo):
    skipped = turismo.evaluate(VALUES, "Y")
    plain = scorelang.loads(PLAN.replace("  target >= tbd\n", "  target >= 2000\n")
                            .replace("    missing_target skip\n", "    missing counts_zero\n"),
                            "plain.score")
    gone = plain.evaluate(VALUES, "Y", neutralised={"presenze_turistiche": {
        "reason": "r", "act": "a"}})
    for node in skipped:
        assert node.score == gone[node.id].score


def test_previous_reads_the_values_file(turismo):
    text = ("plan: turismo\nperiod: H1\nas_of: 2020-06-30\nvalues:\n  presenze_turistiche: 1000\n"
            "  eventi_realizzati: 15\n  tempestivita_pagamenti: -3\nprevious:\n"
            "  eventi_realizzati: 62.5\n")
    result = turismo.evaluate(scorelang.loads_values(text, "monitoraggio.yaml"))
    assert result["201"].score == pytest.approx(62.5)


def test_previous_without_a_score_is_sl320(turismo):
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate(VALUES, "H1")
    assert [d.code for d in caught.value.diagnostics] == ["SL320"]


def test_a_previous_score_that_is_not_a_percent_is_sl321():
    text = "values:\n  a: 1\nprevious:\n  a: \"62,5%\"\n"
    with pytest.raises(ValuesError) as caught:
        scorelang.loads_values(text, "v.yaml")
    assert caught.value.diagnostics[0].code == "SL321"
    assert caught.value.diagnostics[0].span.line == 4


def test_a_previous_score_for_an_unknown_indicator_is_sl318(turismo):
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate(VALUES, "H1", previous={**PREVIOUS, "eventi_realizati": 50})
    assert caught.value.diagnostics[0].code == "SL318"
    assert "eventi_realizzati" in caught.value.diagnostics[0].hint


def test_tbd_without_a_rule_is_sl261_and_a_rule_without_tbd_is_sl262():
    bare = PLAN.replace("    missing_target skip\n", "    missing counts_zero\n")
    assert "SL261" in [d.code for d in scorelang.diagnose(bare, "x.score")[1]]
    needless = PLAN.replace("  target <= 0\n", "  target <= 0\n  missing_target skip\n")
    assert "SL262" in [d.code for d in scorelang.diagnose(needless, "x.score")[1]]


def test_limit_without_limits_is_sl263():
    # `missing_target limit` needs the indicator's `limits minimum` (tests/test_missing_target_limit.py).
    text = PLAN.replace("    missing_target skip\n", "    missing_target limit\n")
    found = scorelang.diagnose(text, "x.score")[1]
    assert [d.code for d in found if d.is_error] == ["SL263"]


def test_tbd_is_a_reserved_word():
    text = PLAN.replace("presenze_turistiche", "tbd")
    assert "SL215" in [d.code for d in scorelang.diagnose(text, "x.score")[1]]


def test_fmt_keeps_tbd_targets_and_the_rule():
    once = format_text(PLAN)
    assert "  target >= tbd\n" in once and "  periodic H1 >= tbd\n" in once
    assert "    missing_target skip\n" in once and "  missing_target previous\n" in once
    assert format_text(once) == once


@pytest.mark.parametrize("engine", ENGINES)
def test_tbd_targets_score_the_same_alone_and_in_a_batch(turismo, engine):
    rows = [VALUES, {**VALUES, "eventi_realizzati": None, "tempestivita_pagamenti": 4}]
    batch = turismo.evaluate_many(rows, "H1", engine=engine, previous=PREVIOUS)
    assert batch.engine == engine
    for number, row in enumerate(rows):
        alone = turismo.evaluate(row, "H1", previous=PREVIOUS)
        for node in alone:
            assert batch.status(number, node.id) == node.status
            assert batch.score(number, node.id) == node.score


def test_reports_write_the_target_as_tbd_and_the_status(turismo):
    result = turismo.evaluate(VALUES, "H1", previous=PREVIOUS)
    table = scorelang.render(result, "table", view="tree")
    assert ">= tbd" in table and "no_target" in table
    assert "target da definire" in scorelang.render(result, "table", view="tree", locale="it")
    assert "≥ tbd" in scorelang.render(result, "html")
    document = json.loads(scorelang.render(result, "json"))
    schema = json.loads(resources.files("scorelang").joinpath(
        "schemas/score.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


def test_explain_names_the_rule_for_the_tbd_target(turismo):
    from scorelang.report.explain import explain_text
    from scorelang.tools.explain import explain
    result = turismo.evaluate(VALUES, "H1", previous=PREVIOUS)
    text = explain_text(explain(turismo, result, "201"))
    assert "target to be decided: 201/presenze_turistiche is left out" in text
    assert "`missing_target previous`: the previous monitoring's score, 80.00 %" in text


def test_rule_tests_and_advice_may_name_the_no_target_status(turismo):
    text = PLAN + """
rule da_definire "Target da definire" {
  when status == no_target
  flag target info "{id}: target da definire"
}
"""
    plan = scorelang.loads(text, "advice.score")
    result = plan.evaluate(VALUES, "H1", previous=PREVIOUS)
    assert [(f.rule, f.node) for f in result.findings] == [
        ("da_definire", "201/presenze_turistiche")]


def test_verify_reads_a_printed_figure_for_a_tbd_target_as_out_of_the_plan(turismo):
    from scorelang.tools.verify import loads_published, verify
    result = turismo.evaluate(VALUES, "H1", previous=PREVIOUS)
    published = loads_published('plan: turismo\nperiod: H1\nscores:\n'
                                '  "201/presenze_turistiche": "45,00%"\n'
                                '  "1": "88,00%"\n', "pubblicati.yaml")
    checks = verify(turismo, result, published, scorelang.Values.from_mapping(VALUES)).checks
    assert all(check.reconciles for check in checks)
    assert "still to be decided" in (checks[0].note or "")


@pytest.mark.parametrize("engine", ENGINES)
def test_every_child_without_a_target_leaves_the_parent_without_one_in_a_batch_too(engine):
    text = PLAN.replace("  missing_target previous\n", "  missing_target skip\n")
    plan = scorelang.loads(text, "all_tbd.score")
    rows = [VALUES, {**VALUES, "presenze_turistiche": None}]
    batch = plan.evaluate_many(rows, "H1", engine=engine)
    codes = batch.status_codes
    for number, row in enumerate(rows):
        alone = plan.evaluate(row, "H1")
        assert alone["201"].status == "no_target"
        assert alone["1"].score == pytest.approx(100.0)
        for position, node in enumerate(alone):
            assert batch.status(number, node.id) == node.status
            assert batch.score(number, node.id) == node.score
            from scorelang.engine.batch import STATUS
            assert STATUS[int(codes[number][position])] == node.status


@pytest.mark.parametrize("engine", ENGINES)
def test_a_batch_without_the_previous_score_is_sl320(turismo, engine):
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate_many([VALUES], "H1", engine=engine)
    assert [d.code for d in caught.value.diagnostics] == ["SL320"]


# ---- properties ----------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402

from .test_neutralisation import _norm, _text, plans  # noqa: E402


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_skipping_tbd_targets_scores_exactly_as_neutralising_those_indicators(drawn):
    objectives, values, gone, missing = drawn
    text = _text(_norm(objectives), missing)
    neutral = scorelang.loads(text, "targets.score")
    tbd = text.replace(f"    missing {missing}\n", f"    missing {missing}\n    missing_target skip\n")
    for name in gone:
        tbd = tbd.replace(f'indicator {name} "{name}" {{\n  unit N\n  target >= 10\n',
                          f'indicator {name} "{name}" {{\n  unit N\n  target >= tbd\n')
    skipping = scorelang.loads(tbd, "tbd.score")
    reason = {"reason": "r", "act": "a"}
    expected = neutral.evaluate(values, neutralised=dict.fromkeys(gone, reason))
    got = skipping.evaluate(values)
    assert got.score == expected.score
    for node in expected:
        assert got[node.id].score == node.score
        assert got[node.id].status == node.status.replace("neutralised", "no_target")
    for engine in ENGINES:
        batch = skipping.evaluate_many([values], engine=engine)
        for node in got:
            assert batch.status(0, node.id) == node.status
            score = batch.score(0, node.id)
            assert (score is None) == (node.score is None)
            if score is not None:
                assert score == pytest.approx(node.score, rel=1e-12, abs=1e-12)


def test_a_tbd_target_scored_only_in_a_scorecard_is_left_out_there():
    text = PLAN + """
indicator visite_sito "Visite al sito turistico" {
  unit N
  target >= tbd
}

scorecard dirigente "Dirigente del turismo" {
  visite_sito 50%
  eventi_realizzati 50%
}
"""
    plan = scorelang.loads(text, "card.score")
    result = plan.evaluate({**VALUES, "visite_sito": 5}, "Y")
    (card,) = result.scorecards
    assert [entry.status for entry in card.entries] == ["no_target", "scored"]
    assert card.score == pytest.approx(75.0)  # the events alone: 15 / 20


def test_missing_error_does_not_refuse_a_tbd_target_that_scores_no_value(turismo):
    plan = scorelang.loads(PLAN.replace("  target >= tbd\n", "  target >= tbd\n  missing error\n"),
                           "strict.score")
    result = plan.evaluate({**VALUES, "presenze_turistiche": None}, "H1", previous=PREVIOUS)
    assert result["201/presenze_turistiche"].status == "no_target"
