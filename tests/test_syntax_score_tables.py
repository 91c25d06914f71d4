"""Rows of score tables written as printed SMVPs write them get a named syntax error with a
hint (issue 19): `76% - 90%` for `76% to 90%`, `score` for `scores`, `points { ... }` without
the scale's maximum. Codes stay those of their kind: SL103 and SL114 (misspelt keyword)."""

from __future__ import annotations

import pytest

import scorelang

PLAN = """\
plan demo "Piano demo 2020" {
  period Y "Consuntivo" ends 2020-12-31
POLICY}

indicator ore "Ore di formazione" {
  unit h
  target >= 100
TABLE}

area "1" "A" weight 100% {
  objective "301" "O" weight 100% {
    ore 100%
  }
}
"""

POINTS = """\
  points 20 {
    below 76% scores 0
    76% to 90% scores 15 to 18
    90% to 100% scores 19 to 20
    from 100% scores 20
  }
"""

STEPS = """\
  steps {
    below 70% scores 0%
    70% to 90% scores 50%
    from 90% scores 100%
  }
"""


def only(text: str):
    found = scorelang.diagnose(text, "plan.score")[1]
    assert len(found) == 1, found
    return found[0]


def in_indicator(table: str) -> str:
    return PLAN.replace("POLICY", "").replace("TABLE", table)


def in_policy(table: str) -> str:
    return PLAN.replace("POLICY", "  policy {\n" + table.replace("\n  ", "\n    ")
                        .replace("  points", "    points").replace("  steps", "    steps")
                        + "  }\n").replace("TABLE", "")


@pytest.mark.parametrize("where", [in_indicator, in_policy], ids=["indicator", "policy"])
def test_the_tables_as_written_parse(where):
    for table in (POINTS, STEPS):
        assert not [d for d in scorelang.diagnose(where(table), "plan.score")[1] if d.is_error]


@pytest.mark.parametrize("where", [in_indicator, in_policy], ids=["indicator", "policy"])
@pytest.mark.parametrize("row", ["76% - 90%", "76%-90%", "76 % – 90 %"])
def test_a_range_with_a_dash_is_named_with_to(where, row):
    written = POINTS.replace("76% to 90%", row)
    found = only(where(written))
    assert (found.code, found.message) == (
        "SL103", "a range in a score table is written with `to`, not '-'")
    assert found.hint.startswith("write `76% to 90%`: the row runs from the first achievement")
    line = where(written).splitlines()[found.span.line - 1]
    assert line[found.span.column - 1:found.span.end_column].strip() == row.strip()


def test_a_score_range_with_a_dash_is_named_with_to():
    found = only(in_indicator(POINTS.replace("scores 15 to 18", "scores 15 - 18")))
    assert found.code == "SL103" and "with `to`" in found.message
    assert found.hint.startswith("write `15 to 18`: the score runs linearly")


@pytest.mark.parametrize("where", [in_indicator, in_policy], ids=["indicator", "policy"])
@pytest.mark.parametrize("row", ["below 70% score 0%", "70% to 90% score 50%",
                                 "from 90% score 100%", "from 90% scroes 100%"])
def test_score_for_scores_is_a_misspelt_keyword(where, row):
    good = {"below": "below 70% scores 0%", "70%": "70% to 90% scores 50%",
            "from": "from 90% scores 100%"}[row.split()[0]]
    found = only(where(STEPS.replace(good, row)))
    word = row.split()[-2]
    assert (found.code, found.message) == ("SL114", f"unknown word `{word}`")
    assert found.hint.startswith("did you mean `scores`?")
    assert found.span.end_column - found.span.column + 1 == len(word)


@pytest.mark.parametrize("where", [in_indicator, in_policy], ids=["indicator", "policy"])
def test_points_without_the_maximum_is_named(where):
    found = only(where(POINTS.replace("points 20 {", "points {")))
    assert (found.code, found.message) == ("SL103", "a points table needs its maximum")
    assert "`points 20 { ... }`" in found.hint


def test_a_points_maximum_in_percent_is_named():
    found = only(in_indicator(POINTS.replace("points 20 {", "points 20% {")))
    assert found.code == "SL103" and "without '%'" in found.message


def test_outside_a_table_a_dash_and_score_keep_their_old_messages():
    # `score` as an indicator id is fine; a dash after a weight is not a table range.
    text = in_indicator("").replace("    ore 100%\n", "    ore 100% - 5%\n")
    found = only(text)
    assert found.code in ("SL101", "SL103") and "score table" not in found.message
    text = in_indicator("  formula score\n")
    assert "scores" not in (only(text).hint or "")
