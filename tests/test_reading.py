"""Reading a Result's nodes (issue 15): the quick reading of plain nodes builds exactly the
NodeResult the general one builds, for every node of every kind of plan and monitoring."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.engine.evaluate import _Nodes

from .conftest import MODENA_RULES, MODENA_VALUES

ROOT = Path(__file__).resolve().parents[1]
VALLEVERDE_RULES = ROOT / "rules" / "comune-valleverde-2023.score"

MIXED = """plan mixed "Mixed" {
  period H1 "Half" ends 2026-06-30
  policy { floor 10% cap 120% }
  band low "Low" colour "#c0392b" from 0%
  band high "High" colour "#2e8b57" from 80%
}
indicator up "Up" { target >= 200 periodic H1 >= 100 }
indicator down "Down" { target <= 50 formula ratio }
indicator same "Same" { target = 7 }
indicator nought "Nought" { target <= 0 }
indicator close "Close" { target >= 600 tolerance 5% }
indicator due "Due" { deadline 2026-03-31 late 50% }
indicator gap "Gap" { target >= 40 formula gap }
area "A" "A" weight 60% {
  objective "O1" "O1" weight 100% { up 30% down 30% same 20% nought 0% close 20% }
}
area "B" "B" weight 40% {
  group "G" weight 100% { due 50% gap 50% up 0% }
}
"""

NUMBER = st.one_of(st.none(), st.floats(-1e6, 1e6), st.sampled_from(
    [math.nan, 0.0, 7.0, 100.0, 50.0, 600.0, 575.0, 40.0, -0.0]))


def _both(result: scorelang.Result) -> None:
    nodes = result._nodes
    assert isinstance(nodes, _Nodes)
    for position in range(len(nodes.index)):
        assert nodes.build(position) == nodes.general(position), position
        assert nodes.build(position).flags == nodes.general(position).flags


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({name: NUMBER for name in
                              ("up", "down", "same", "nought", "close", "gap")}),
       st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 6, 30))))
def test_quick_reading_is_the_general_one(values: dict, done: dt.date | None) -> None:
    plan = scorelang.loads(MIXED)
    given_values: dict[str, object] = dict(values)  # NaN as an embedder passes it: N/D
    given_values["due"] = done
    _both(plan.evaluate(given_values, period="H1", as_of=dt.date(2026, 6, 30)))


@pytest.mark.parametrize("rules", [MODENA_RULES, VALLEVERDE_RULES])
def test_quick_reading_of_the_bundled_plans(rules: Path) -> None:
    plan = scorelang.load(rules)
    if rules == MODENA_RULES:
        _both(plan.evaluate(scorelang.load_values(MODENA_VALUES)))
        return
    folder = ROOT / "examples" / "comune-valleverde-2023"
    for name in ("monitoraggio-2023-06.yaml", "consuntivo-2023.yaml"):
        _both(plan.evaluate(scorelang.load_values(folder / name)))


@pytest.mark.parametrize("raw, taken", [
    (1.5, 1.5), (-1e15, -1e15), (1e15, 1e15), (math.nan, None), (None, None),
    (dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
    (dt.datetime(2026, 3, 1, 12, 0), dt.date(2026, 3, 1)), (3, 3.0), ("12.5", 12.5),
])
def test_values_from_a_mapping_taken_as_checked(raw: object, taken: object) -> None:
    """The quick acceptance of plain floats, dates and nulls (issue 15) takes each value as
    the full check takes it."""
    assert scorelang.Values.from_mapping({"x": raw}).values == {"x": taken}


@pytest.mark.parametrize("raw", [1.0000001e15, -1e16, math.inf, -math.inf, True])
def test_values_from_a_mapping_refused_as_checked(raw: object) -> None:
    with pytest.raises(scorelang.ValuesError):
        scorelang.Values.from_mapping({"x": raw})
