"""`missing value_zero` and `missing error`: the rules for an indicator's N/D value itself,
plan-wide or per indicator, on every engine (issue 19, part C)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
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
plan sportello "Sportello unico 2020" {
  period H1 "Monitoraggio intermedio" ends 2020-06-30
}

indicator pratiche_evase "Pratiche evase" {
  unit N
  target >= 600
}

indicator reclami "Reclami ricevuti" {
  unit N
  target <= 20
  missing value_zero
}

indicator tempi_pagamento "Tempi medi di pagamento" {
  unit giorni
  target <= 30
  missing error
}

area "1" "Servizi alle imprese" weight 100% {
  objective "101" "Sportello efficiente" weight 100% {
    pratiche_evase 50%
    reclami 30%
    tempi_pagamento 20%
  }
}
"""


@pytest.fixture(scope="module")
def sportello() -> scorelang.Plan:
    return scorelang.loads(PLAN, "sportello.score")


def scores(result: scorelang.Result) -> dict[str, float | None]:
    return {node.id: node.score for node in result}


def test_no_complaints_reported_under_value_zero_scores_as_zero_complaints(sportello):
    result = sportello.evaluate({"pratiche_evase": 450, "reclami": None, "tempi_pagamento": 30})
    node = result["101/reclami"]
    # 0 complaints against <= 20: 1 − (0 − 20)/20 = 200 %, capped at 100 %.
    assert node.status == "scored" and node.score == 100.0 and node.raw == 200.0
    assert "value_zero" in node.flags and node.value is None
    # 450/600 = 75 % weighs 50 %; 100 % weighs 30 % + 20 %: 87.5 %.
    assert result["101"].score == pytest.approx(87.5)


def test_an_absent_value_under_value_zero_is_scored_as_zero_with_a_warning(sportello):
    result = sportello.evaluate({"pratiche_evase": 450, "tempi_pagamento": 30})
    assert result["101/reclami"].score == 100.0
    assert any(d.code == "SL310" and "scored as 0" in d.message for d in result.diagnostics)


def test_payment_times_not_reported_under_missing_error_refuse_to_score(sportello):
    with pytest.raises(ValuesError) as caught:
        sportello.evaluate({"pratiche_evase": 450, "reclami": 3, "tempi_pagamento": None})
    assert [d.code for d in caught.value.diagnostics] == ["SL316"]
    assert "tempi_pagamento" in caught.value.diagnostics[0].message


def test_missing_error_names_the_line_of_the_values_file(sportello):
    text = ("plan: sportello\nperiod: H1\nas_of: 2020-06-30\nvalues:\n  pratiche_evase: 450\n"
            "  reclami: 3\n  tempi_pagamento: null\n")
    values = scorelang.loads_values(text, "monitoraggio.yaml")
    with pytest.raises(ValuesError) as caught:
        sportello.evaluate(values)
    span = caught.value.diagnostics[0].span
    assert span is not None and (span.file, span.line) == ("monitoraggio.yaml", 7)


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_error_refuses_a_batch_too(sportello, engine):
    with pytest.raises(ValuesError) as caught:
        sportello.evaluate_many([{"pratiche_evase": 450, "reclami": 3, "tempi_pagamento": 31},
                                 {"pratiche_evase": 450, "reclami": 3}], engine=engine)
    assert {d.code for d in caught.value.diagnostics} == {"SL316"}


def test_plan_wide_value_zero_takes_every_nd_of_a_measured_indicator_as_zero():
    text = PLAN.replace("  missing error\n", "").replace("  missing value_zero\n", "")
    text = text.replace("ends 2020-06-30\n", "ends 2020-06-30\n  policy {\n    missing value_zero\n  }\n")
    plan = scorelang.loads(text, "wide.score")
    result = plan.evaluate({"pratiche_evase": None, "reclami": None, "tempi_pagamento": None})
    assert result["101/pratiche_evase"].score == 0.0  # 0 of 600
    assert result["101/reclami"].score == 100.0  # 0 complaints: capped 200 %
    assert result["101/tempi_pagamento"].score == 100.0  # 0 days
    assert result["101"].score == pytest.approx(50.0)


def test_value_zero_on_a_deadline_is_an_error_sl260():
    text = PLAN.replace('indicator reclami "Reclami ricevuti" {\n  unit N\n  target <= 20\n',
                        'indicator reclami "Reclami ricevuti" {\n  deadline 2020-12-31\n')
    codes = [d.code for d in scorelang.diagnose(text, "x.score")[1]]
    assert "SL260" in codes


def test_counts_zero_inside_an_indicator_is_still_sl109():
    text = PLAN.replace("  missing value_zero\n", "  missing excluded\n")
    assert "SL109" in [d.code for d in scorelang.diagnose(text, "x.score")[1]]


def test_fmt_keeps_an_indicators_missing_rule():
    from scorelang.syntax.format import format_text
    once = format_text(PLAN)
    assert "  missing value_zero\n" in once and "  missing error\n" in once
    assert format_text(once) == once


# ---- properties ----------------------------------------------------------------------------

def _plan(direction: str, target: int, rule: str) -> str:
    return f"""\
plan p "P" {{
  period H1 "H1" ends 2020-06-30
}}

indicator a "A" {{
  unit N
  target {direction} {target}
  missing {rule}
}}

indicator b "B" {{
  unit N
  target >= 10
}}

area "1" "Area" weight 100% {{
  objective "101" "Obiettivo" weight 100% {{
    a 60%
    b 40%
  }}
}}
"""


@FAST
@given(direction=st.sampled_from([">=", "<="]), target=st.integers(-50, 50).filter(bool),
       b=st.one_of(st.none(), st.floats(-100, 100, allow_nan=False)))
def test_value_zero_scores_exactly_as_the_value_0(direction, target, b):
    plan = scorelang.loads(_plan(direction, target, "value_zero"), "vz.score")
    as_nd = plan.evaluate({"a": None, "b": b})
    as_zero = plan.evaluate({"a": 0, "b": b})
    assert scores(as_nd) == scores(as_zero)
    assert as_nd["101/a"].raw == as_zero["101/a"].raw


@FAST
@given(direction=st.sampled_from([">=", "<="]), target=st.integers(-50, 50).filter(bool),
       rows=st.lists(st.fixed_dictionaries({
           "a": st.one_of(st.none(), st.floats(-100, 100, allow_nan=False)),
           "b": st.one_of(st.none(), st.floats(-100, 100, allow_nan=False))}),
           min_size=1, max_size=4))
def test_value_zero_scores_the_same_alone_and_in_a_batch_on_every_engine(direction, target,
                                                                          rows):
    plan = scorelang.loads(_plan(direction, target, "value_zero"), "vz.score")
    alone = [scores(plan.evaluate(row)) for row in rows]
    for engine in ENGINES:
        batch = plan.evaluate_many(rows, engine=engine)
        for number, expected in enumerate(alone):
            for node_id, score in expected.items():
                got = batch.score(number, node_id)
                assert (got is None) == (score is None)
                if score is not None:
                    assert got == pytest.approx(score, rel=1e-12, abs=1e-12)


def test_value_zero_holds_for_an_indicator_scored_only_in_a_scorecard():
    text = PLAN + """
indicator segnalazioni "Segnalazioni ricevute" {
  unit N
  target <= 10
  missing value_zero
}

scorecard dirigente "Dirigente dello sportello" {
  segnalazioni 50%
  reclami 50%
}
"""
    plan = scorelang.loads(text, "card.score")
    for row in ({"segnalazioni": None}, {}):
        result = plan.evaluate({"pratiche_evase": 450, "reclami": None, "tempi_pagamento": 30,
                                **row})
        (card,) = result.scorecards
        assert [entry.score for entry in card.entries] == [100.0, 100.0]
