"""Neutralisation and overrides: monitoring-time facts in the values file (issue 19, part C).

A neutralised indicator is taken out of every parent, its siblings re-weighted in proportion,
whatever the missing policy; an override sets a node's score, which its parents read."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang import ValuesError

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

ENGINES = ["python"] + (["numpy"] if np is not None else [])
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PLAN = """\
plan turismo "Promozione del territorio 2020" {
  period H1 "Monitoraggio intermedio" ends 2020-06-30
  policy {
    missing counts_zero
  }
}

indicator turisti_variazione "Variazione dei turisti rispetto al 2019" {
  unit %
  target >= 5%
}

indicator eventi_realizzati "Eventi di promozione realizzati" {
  unit N
  target >= 20
}

indicator tempestivita_pagamenti "Indicatore di tempestività dei pagamenti" {
  unit giorni
  target <= 0
}

area "1" "Territorio" weight 100% {
  objective "201" "Attrattività turistica" weight 60% {
    turisti_variazione 50%
    eventi_realizzati 50%
  }
  objective "202" "Pagamenti" weight 40% {
    tempestivita_pagamenti 100%
  }
}
"""

VALUES = """\
plan: turismo
period: H1
as_of: 2020-06-30
values:
  turisti_variazione: -60
  eventi_realizzati: 15
  tempestivita_pagamenti: 12
neutralised:
  turisti_variazione:
    reason: "Attività resa impossibile dall'emergenza COVID-19"
    act: "Delibera di Giunta n. 45 del 15/06/2020"
overrides:
  tempestivita_pagamenti:
    score: 100
    reason: "Ritardo dovuto al nodo PagoPA: dato rettificato dall'OIV"
    by: OIV
"""


@pytest.fixture(scope="module")
def turismo() -> scorelang.Plan:
    return scorelang.loads(PLAN, "turismo.score")


@pytest.fixture(scope="module")
def monitoring(turismo) -> scorelang.Result:
    return turismo.evaluate(scorelang.loads_values(VALUES, "monitoraggio.yaml"))


def test_neutralised_tourists_leave_the_events_alone_in_their_objective(monitoring):
    node = monitoring["201/turisti_variazione"]
    assert node.status == "neutralised" and node.score is None
    assert node.neutralised == {"reason": "Attività resa impossibile dall'emergenza COVID-19",
                                "act": "Delibera di Giunta n. 45 del 15/06/2020"}
    # 15 of 20 events: 75 %, now the whole of objective 201 (not 37.5 % as under counts_zero).
    assert monitoring["201"].score == pytest.approx(75.0)


def test_overridden_payments_score_100_and_their_parents_read_it(monitoring):
    node = monitoring["202/tempestivita_pagamenti"]
    assert node.score == 100.0 and "overridden" in node.flags
    assert node.override == {"score": 100.0, "computed": 0.0, "by": "OIV",
                             "reason": "Ritardo dovuto al nodo PagoPA: dato rettificato dall'OIV"}
    assert monitoring["202"].score == 100.0
    # 60 % × 75 % + 40 % × 100 % = 85 %.
    assert monitoring["1"].score == pytest.approx(85.0)


def test_the_json_report_carries_the_neutralisation_and_the_override(monitoring):
    nodes = {n["id"]: n for n in json.loads(scorelang.render(monitoring, "json"))["nodes"]}
    assert nodes["201/turisti_variazione"]["neutralised"]["act"].startswith("Delibera")
    assert nodes["201/turisti_variazione"]["status"] == "neutralised"
    assert nodes["202/tempestivita_pagamenti"]["override"]["computed"] == 0.0


def test_an_objective_can_be_overridden_by_its_node_id(turismo):
    result = turismo.evaluate({"turisti_variazione": 2, "eventi_realizzati": 15,
                               "tempestivita_pagamenti": 0},
                              overrides={"201": {"score": 90, "reason": "rettifica OIV"}})
    assert result["201"].score == 90.0
    assert result["201"].override["computed"] == pytest.approx((40.0 + 75.0) / 2)
    assert result["1"].score == pytest.approx(0.6 * 90 + 0.4 * 100)


def test_every_child_neutralised_neutralises_the_parent_too(turismo):
    gone = {"reason": "COVID-19", "act": "Delibera n. 45"}
    result = turismo.evaluate({"turisti_variazione": 2, "eventi_realizzati": 15,
                               "tempestivita_pagamenti": 3},
                              neutralised={"turisti_variazione": gone, "eventi_realizzati": gone})
    assert result["201"].status == "neutralised"
    assert result["1"].score == result["202"].score


@pytest.mark.parametrize("entry, words", [
    ({"act": "Delibera n. 45"}, "has no reason"),
    ({"reason": "COVID-19"}, "without the act"),
    ({"reason": " ", "act": "Delibera n. 45"}, "has no reason"),
])
def test_a_neutralisation_needs_its_reason_and_act_sl317(turismo, entry, words):
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate({"eventi_realizzati": 15}, neutralised={"turisti_variazione": entry})
    assert caught.value.diagnostics[0].code == "SL317"
    assert words in caught.value.diagnostics[0].message


def test_an_override_needs_a_reason_and_a_percent_sl317(turismo):
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate({"eventi_realizzati": 15},
                         overrides={"eventi_realizzati": {"score": "tutto"}})
    assert {d.code for d in caught.value.diagnostics} == {"SL317"}
    assert len(caught.value.diagnostics) == 2


def test_an_unknown_id_is_named_with_a_did_you_mean_sl318(turismo):
    text = VALUES.replace("  turisti_variazione:\n    reason", "  turisti_variaz:\n    reason")
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate(scorelang.loads_values(text, "monitoraggio.yaml"))
    found = caught.value.diagnostics[0]
    assert found.code == "SL318" and "turisti_variazione" in (found.hint or "")
    assert found.span is not None and found.span.line == 9


def test_neutralised_and_overridden_at_once_is_sl319(turismo):
    with pytest.raises(ValuesError) as caught:
        turismo.evaluate({"eventi_realizzati": 15},
                         neutralised={"eventi_realizzati": {"reason": "x", "act": "y"}},
                         overrides={"eventi_realizzati": {"score": 50, "reason": "z"}})
    assert caught.value.diagnostics[0].code == "SL319"


def test_api_neutralisations_add_to_the_values_files(turismo):
    values = scorelang.loads_values(VALUES, "monitoraggio.yaml")
    result = turismo.evaluate(values, neutralised={"eventi_realizzati": {
        "reason": "Sospensione degli eventi", "act": "DPCM 8/3/2020"}})
    assert result["201"].status == "neutralised"
    assert result["1"].score == 100.0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_batch_neutralises_and_overrides_every_scenario(turismo, engine):
    values = scorelang.loads_values(VALUES, "monitoraggio.yaml")
    rows = [dict(values.values), {**values.values, "eventi_realizzati": None}]
    batch = turismo.evaluate_many(rows, engine=engine, neutralised=values.neutralised,
                                  overrides=values.overrides)
    for number, row in enumerate(rows):
        alone = turismo.evaluate(row, neutralised=values.neutralised, overrides=values.overrides)
        for node in alone:
            assert batch.status(number, node.id) == node.status
            got = batch.score(number, node.id)
            assert (got is None) == (node.score is None)
            if got is not None:
                assert got == pytest.approx(node.score, rel=1e-12, abs=1e-12)
        assert batch.plan_score(number) == pytest.approx(alone.score, rel=1e-12)


# ---- properties ----------------------------------------------------------------------------

def _text(objectives: list[tuple[str, float, list[tuple[str, float]]]], missing: str) -> str:
    """A plan of one area: objectives (code, weight, [(indicator, weight)]) with weights written
    to nine decimals (the check allows 0.01 of rounding in a sum of 100 %)."""
    names = sorted({name for _, _, refs in objectives for name, _ in refs})
    lines = ['plan p "P" {', '  period H1 "H1" ends 2020-06-30',
             f"  policy {{\n    missing {missing}\n  }}", "}", ""]
    for name in names:
        lines += [f'indicator {name} "{name}" {{', "  unit N", "  target >= 10", "}", ""]
    lines.append('area "1" "Area" weight 100% {')
    for code, weight, refs in objectives:
        lines.append(f'  objective "{code}" "O" weight {weight:.9f}% {{')
        lines += [f"    {name} {w:.9f}%" for name, w in refs]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _in_proportion(weights: list[float]) -> list[float]:
    return [100.0 * w / sum(weights) for w in weights]


@st.composite
def plans(draw):
    """Objectives of 1–3 indicators each, values, and which indicators to neutralise."""
    count = draw(st.integers(1, 3))
    objectives = []
    number = 0
    for _ in range(count):
        refs = []
        for _ in range(draw(st.integers(1, 3))):
            refs.append((f"i{number}", draw(st.integers(1, 9))))
            number += 1
        objectives.append((f"O{len(objectives) + 1}", draw(st.integers(1, 9)), refs))
    names = [name for _, _, refs in objectives for name, _ in refs]
    values = {name: draw(st.one_of(st.none(), st.floats(0, 30))) for name in names}
    gone = draw(st.sets(st.sampled_from(names), min_size=1, max_size=len(names)))
    missing = draw(st.sampled_from(["counts_zero", "excluded"]))
    return objectives, values, gone, missing


@FAST
@given(plans())
def test_neutralising_equals_dropping_the_indicator_and_reweighting_its_siblings(drawn):
    objectives, values, gone, missing = drawn
    kept = [(c, w, [(n, v) for n, v in refs if n not in gone]) for c, w, refs in objectives]
    kept = [(c, w, refs) for c, w, refs in kept if refs]
    assume(kept)  # something left to score
    full = scorelang.loads(_text(_norm(objectives), missing), "full.score")
    dropped = scorelang.loads(_text(_norm(kept), missing), "dropped.score")
    reason = {"reason": "fuori dal controllo dell'ente", "act": "Delibera n. 1"}
    neutralised = full.evaluate(values, neutralised=dict.fromkeys(gone, reason))
    plain = dropped.evaluate({n: v for n, v in values.items() if n not in gone})
    assert neutralised.score == pytest.approx(plain.score, rel=1e-9, abs=1e-9) \
        if plain.score is not None else neutralised.score is None
    for node in plain:
        other = neutralised[node.id]
        assert (other.score is None) == (node.score is None)
        if node.score is not None:
            assert other.score == pytest.approx(node.score, rel=1e-9, abs=1e-9)
    for name in gone:
        for node in neutralised:
            if node.indicator == name:
                assert node.status == "neutralised"


def _norm(objectives):
    """Weights in proportion, summing to 100 % at every level."""
    top = _in_proportion([w for _, w, _ in objectives])
    return [(c, t, list(zip([n for n, _ in refs], _in_proportion([w for _, w in refs]))))
            for t, (c, _, refs) in zip(top, objectives)]


@FAST
@given(plans(), st.dictionaries(st.sampled_from(["i0", "i1", "1"]),
                                st.floats(0, 150).map(lambda x: round(x, 3)), max_size=2))
def test_neutralised_and_overridden_score_the_same_alone_and_in_a_batch(drawn, given_scores):
    objectives, values, gone, missing = drawn
    plan = scorelang.loads(_text(_norm(objectives), missing), "p.score")
    known = {name for _, _, refs in objectives for name, _ in refs} | {"1"}
    overrides = {k: {"score": v, "reason": "OIV"} for k, v in given_scores.items()
                 if k in known and k not in gone}
    neutralised = dict.fromkeys(gone, {"reason": "r", "act": "a"})
    alone = plan.evaluate(values, neutralised=neutralised, overrides=overrides)
    rows = [values, {k: None for k in values}]
    alone_too = plan.evaluate(rows[1], neutralised=neutralised, overrides=overrides)
    for engine in ENGINES:
        batch = plan.evaluate_many(rows, engine=engine, neutralised=neutralised,
                                   overrides=overrides)
        for number, result in enumerate((alone, alone_too)):
            for node in result:
                assert batch.status(number, node.id) == node.status
                got = batch.score(number, node.id)
                assert (got is None) == (node.score is None)
                if got is not None:
                    assert got == pytest.approx(node.score, rel=1e-12, abs=1e-12)


# ---- every report, explain, verify and advice --------------------------------------------------

@pytest.mark.parametrize("format", ["table", "markdown", "csv"])
def test_every_text_report_shows_the_status_and_the_reason(monitoring, format):
    for view in ("tree", "indicators"):
        text = scorelang.render(monitoring, format, view=view)
        assert "Delibera di Giunta n. 45 del 15/06/2020" in text
        assert "Ritardo dovuto al nodo PagoPA" in text and "overridden by OIV" in text
    assert "neutralised" in scorelang.render(monitoring, format, view="tree")


def test_the_italian_table_says_neutralizzato_and_rettificato(monitoring):
    text = scorelang.render(monitoring, "table", view="tree", locale="it")
    assert "neutralizzato" in text and "rettificato da OIV (calcolato 0,00 %)" in text


def test_a_plan_with_no_neutralisation_has_no_extra_column(turismo):
    result = turismo.evaluate({"turisti_variazione": 2, "eventi_realizzati": 15,
                               "tempestivita_pagamenti": 0})
    assert "Neutralised" not in scorelang.render(result, "table", view="tree")


def test_the_html_page_shows_the_reasons(monitoring):
    page = scorelang.render(monitoring, "html")
    assert "Delibera di Giunta n. 45 del 15/06/2020" in page and 'data-status="neutralised"' in page
    assert "overridden by OIV" in page


def test_the_workbook_comments_the_status_with_the_reason(monitoring):
    pytest.importorskip("openpyxl")
    import io

    import openpyxl

    from scorelang.report.xlsx import to_xlsx_bytes
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(monitoring)))
    comments = [cell.comment.text for row in book["Tree"].iter_rows() for cell in row
                if cell.comment is not None]
    assert any("Delibera di Giunta n. 45" in text for text in comments)
    assert any("overridden by OIV" in text for text in comments)


def test_explain_names_the_neutralisation_and_the_override(turismo, monitoring):
    from scorelang.report.explain import explain_text
    from scorelang.tools.explain import explain
    text = explain_text(explain(turismo, monitoring, "1"))
    assert "neutralised by Delibera di Giunta n. 45 del 15/06/2020: left out, siblings " \
        "re-weighted" in text
    assert "overridden by OIV to 100.00 % (the rules give 0.00 %)" in text
    assert "Σ weights of the children not left out = (50 % × 75.00 %) / 50 % = 75.00 %" in text


def test_explain_of_a_value_taken_as_zero_says_so():
    from scorelang.report.explain import explain_text
    from scorelang.tools.explain import explain
    plan = scorelang.loads(PLAN.replace("  target <= 0\n", "  target <= 10\n  missing value_zero\n"),
                           "vz.score")
    result = plan.evaluate({"turisti_variazione": 6, "eventi_realizzati": 20})
    text = explain_text(explain(plan, result, "202"))
    assert "taken as 0 (`missing value_zero`)" in text
    assert "1 − (0 − 10) / 10 = 200.00 %" in text


def test_verify_reads_published_figures_in_the_light_of_the_values_file(turismo, monitoring):
    from scorelang.tools.verify import loads_published, verify
    published = loads_published('plan: turismo\nperiod: H1\nscores:\n'
                                '  "201/turisti_variazione": "N/D"\n'
                                '  "202/tempestivita_pagamenti": "0,00%"\n'
                                '  "201": "75,00%"\n', "pubblicati.yaml")
    checks = {c.entry.ref: c for c in verify(turismo, monitoring, published,
                                              scorelang.loads_values(VALUES)).checks}
    assert checks["201/turisti_variazione"].reconciles
    assert "neutralised by Delibera" in (checks["201/turisti_variazione"].note or "")
    payments = checks["202/tempestivita_pagamenti"]
    assert payments.outcome == "differs"
    assert "before the override" in (payments.note or "")
    assert checks["201"].reconciles


def test_advice_rules_may_name_the_neutralised_status_and_the_overridden_flag():
    text = PLAN + """
rule fuori_piano "Indicatore neutralizzato" {
  when status == neutralised
  flag neutralizzazioni info "{id} neutralizzato"
}

rule rettificato "Grado rettificato" {
  when flagged overridden
  flag rettifiche warning "{id} rettificato"
}
"""
    plan = scorelang.loads(text, "advice.score")
    result = plan.evaluate(scorelang.loads_values(VALUES))
    found = {(f.rule, f.node) for f in result.findings}
    assert ("fuori_piano", "201/turisti_variazione") in found
    assert ("rettificato", "202/tempestivita_pagamenti") in found


def test_without_the_values_files_decisions_the_rules_alone_give_22_50(turismo):
    values = scorelang.loads_values(VALUES)
    result = turismo.evaluate(dict(values.values))
    assert result["201"].score == pytest.approx(37.5)
    assert result["202"].score == 0.0
    assert result["1"].score == pytest.approx(22.5)


def test_a_rule_test_may_expect_the_neutralised_status_and_the_overridden_flag(tmp_path):
    from scorelang.tools import ruletest
    (tmp_path / "turismo.score").write_text(PLAN, encoding="utf-8")
    (tmp_path / "giugno.yaml").write_text(VALUES, encoding="utf-8")
    (tmp_path / "turismo.test.yaml").write_text(
        "rules: turismo.score\n"
        "tests:\n"
        "  - name: giugno con neutralizzazione e rettifica\n"
        "    values: giugno.yaml\n"
        "    expect:\n"
        "      \"201/turisti_variazione\": {score: N/D, status: neutralised}\n"
        "      \"202/tempestivita_pagamenti\": {score: 100, flags: [overridden]}\n"
        "      \"1\": 85\n", encoding="utf-8")
    report = ruletest.run_paths([str(tmp_path / "turismo.test.yaml")])
    assert report.exit_code == 0 and (report.passed, report.failed) == (3, 0)


def test_the_json_report_and_the_values_file_fit_their_schemas(monitoring):
    from importlib import resources

    import jsonschema
    import yaml

    def schema(name):
        return json.loads(resources.files("scorelang").joinpath(f"schemas/{name}")
                          .read_text(encoding="utf-8"))

    jsonschema.validate(json.loads(scorelang.render(monitoring, "json")),
                        schema("score.schema.json"))
    document = yaml.safe_load(VALUES)
    document["as_of"] = str(document["as_of"])
    document["previous"] = {"eventi_realizzati": 62.5}
    jsonschema.validate(document, schema("values.schema.json"))
    del document["neutralised"]["turisti_variazione"]["act"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema("values.schema.json"))
