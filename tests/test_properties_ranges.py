"""Score tables and reward bands are one rule, ranges of a figure (scoring.piecewise, checked by
check.ranges): given the same rows, a steps table, a points table and a reward mapping give the
same function, scalar and array, and the same rows check clean, or not, in both."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorelang.api import check_text
from scorelang.engine import scoring
from scorelang.engine.scoring import Curve, CurveKind, Stretch

np = pytest.importorskip("numpy")

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

figures = st.floats(-0.5, 2.0, allow_nan=False, allow_infinity=False)

# (lower, upper, start, end) in percent, as a plan writes them: None for `below` / `from` and
# for a fixed value.
Row = tuple[int | None, int | None, int, int | None]


@st.composite
def rows_written(draw: st.DrawFn, mistakes: bool = False) -> list[Row]:
    """`below A` first, `from B` last, ranges between, values 0-100 %; with `mistakes`, now
    and then a gap, an overlap or a falling value."""
    bounds = sorted(set(draw(st.lists(st.integers(1, 150), min_size=1, max_size=5))))
    value = st.integers(0, 100)
    rows: list[Row] = [(None, bounds[0], draw(value), None)]
    for lower, upper in zip(bounds, bounds[1:]):
        if mistakes:
            lower += draw(st.sampled_from([0, 0, 0, 1, -1]))
        rows.append((lower, upper, draw(value), draw(st.one_of(st.none(), value))))
    rows.append((bounds[-1], None, draw(value), None))
    return rows


def as_reward(rows: list[Row]) -> list[scoring.WrittenRow]:
    return [(_fraction(lo), _fraction(up), start / 100, None if end is None else end / 100)
            for lo, up, start, end in rows]


def as_curve(rows: list[Row], points: float | None) -> Curve:
    """The rows as a steps table (values in percent) or a points table out of `points`."""
    def written(percent: int) -> float:  # a steps table's in percent, a points table's in points
        return float(percent) if points is None else percent * points / 100

    scale = 100.0 if points is None else 1.0  # as compile reads them
    stretches = tuple(Stretch.written(_fraction(lo), _fraction(up), written(start),
                                      None if end is None else written(end), scale)
                      for lo, up, start, end in rows)
    if points is None:
        return Curve(CurveKind.STEPS, stretches=stretches)
    return Curve(CurveKind.POINTS, stretches=stretches, maximum=points)


def _fraction(percent: int | None) -> float | None:
    return None if percent is None else percent / 100


@FAST
@given(rows=rows_written(), points=st.sampled_from([None, 20.0, 100.0, 7.0]), figure=figures)
def test_a_reward_mapping_pays_what_a_table_of_the_same_rows_scores(rows, points, figure):
    share = scoring.reward_share(figure, as_reward(rows))
    assert isinstance(share, float)
    assert scoring.curved(as_curve(rows, points), figure) == pytest.approx(share, abs=1e-12)


@FAST
@given(rows=rows_written(), points=st.sampled_from([None, 20.0]),
       column=st.lists(st.one_of(figures, st.just(math.nan)), min_size=1, max_size=10))
def test_a_reward_mapping_and_a_table_of_the_same_rows_agree_on_a_column(rows, points, column):
    shares = scoring.reward_share_array(np.array(column), as_reward(rows))
    scores = scoring.curved_array(as_curve(rows, points), np.array(column))
    assert np.allclose(shares, scores, rtol=0, atol=1e-12, equal_nan=True)
    for figure, share in zip(column, shares.tolist()):
        expected = math.nan if math.isnan(figure) else scoring.reward_share(figure, as_reward(rows))
        assert share == pytest.approx(expected, abs=1e-12, nan_ok=True)


@FAST
@given(rows=rows_written(), figure=figures)
def test_a_figure_falls_in_the_same_row_of_a_table_and_of_a_reward_mapping(rows, figure):
    reward_row = scoring.stretch_of(scoring.stretches(as_reward(rows)), figure)
    table_row = scoring.stretch_of(as_curve(rows, None).stretches, figure)
    assert reward_row is not None and table_row is not None
    assert (reward_row.lower, reward_row.upper) == (table_row.lower, table_row.upper)


# ---- the one check ------------------------------------------------------------------------

TABLE_PLAN = """plan demo "Piano demo 2020" {{
  period H1 "Monitoraggio intermedio" ends 2020-06-30
}}

indicator pratiche "Pratiche evase" {{
  unit N
  target >= 600
  steps {{
    {rows}
  }}
}}

area "1" "Competitività delle imprese" {{
  objective "301" "Qualità dei servizi" weight 100% {{
    pratiche 100%
  }}
}}
"""

REWARD_PLAN = """plan demo "Piano demo 2020" {{
  period Y "Valutazione annuale" ends 2020-12-31
}}

indicator partecipanti "Partecipanti alle iniziative" {{ unit N target >= 600 }}

area "1" "Competitività delle imprese" weight 100% {{
  objective "301" "Internazionalizzazione" weight 100% {{ partecipanti 100% }}
}}

reward risultato "Retribuzione di risultato" {{
  {rows}
}}

scorecard dirigente_1 "Dirigente Area 1" {{
  component ente "Performance dell'Ente" 100% {{ plan }}
  reward risultato
}}
"""


def _text(rows: list[Row], verb: str) -> str:
    lines = []
    for lower, upper, start, end in rows:
        value = f"{start}%" if end is None else f"{start}% to {end}%"
        if lower is None:
            lines.append(f"below {upper}% {verb} {value}")
        elif upper is None:
            lines.append(f"from {lower}% {verb} {value}")
        else:
            lines.append(f"{lower}% to {upper}% {verb} {value}")
    return "\n    ".join(lines)


# Each table code and the reward code for the same mistake.
SAME_MISTAKE = {"SL238": "SL281", "SL239": "SL282", "SL240": "SL282", "SL243": "SL285"}


@SLOW
@given(rows=rows_written(mistakes=True))
def test_the_same_rows_have_the_same_mistakes_as_a_table_and_as_a_reward_mapping(rows):
    table = check_text(TABLE_PLAN.format(rows=_text(rows, "scores")))
    reward = check_text(REWARD_PLAN.format(rows=_text(rows, "pays")))
    table_codes = sorted(SAME_MISTAKE[d.code] for d in table if d.code in SAME_MISTAKE)
    reward_codes = sorted(d.code for d in reward if d.code in SAME_MISTAKE.values())
    # A table warns once for a falling score (SL243), a reward mapping at every row (SL285).
    assert [c for c in table_codes if c != "SL285"] == [c for c in reward_codes if c != "SL285"]
    assert ("SL285" in table_codes) == ("SL285" in reward_codes)
    assert [(d.span.line if d.span else 0) for d in table if d.code in ("SL239", "SL240")] == \
        [(d.span.line - 3 if d.span else 0) for d in reward if d.code == "SL282"]
