"""Issue 18, point 7: two slips of a values file, named where they are with what to do.

SL306: a values file copied from last year's keeps last year's `plan:` line; the error points
at that line and suggests this plan's id. SL350: a figure written `-` (as printed tables do)
is named, not left to YAML's "sequence entries are not allowed here".
"""

from __future__ import annotations

import pytest

import scorelang
from scorelang.diagnostics import ValuesError

from .conftest import MODENA_VALUES


def test_values_for_another_plan_name_the_plan_line(tmp_path, modena_plan):
    copied = MODENA_VALUES.read_text(encoding="utf-8").replace(
        "plan: cciaa_modena_2020", "plan: cciaa_modena_2019")
    (tmp_path / "valori.yaml").write_text(copied, encoding="utf-8")
    with pytest.raises(ValuesError) as info:
        modena_plan.evaluate(scorelang.load_values(tmp_path / "valori.yaml"))
    (problem,) = [d for d in info.value.diagnostics if d.code == "SL306"]
    line = copied.splitlines().index("plan: cciaa_modena_2019") + 1
    assert problem.span is not None and problem.span.line == line
    assert str(tmp_path / "valori.yaml") in problem.message and f"line {line}" in problem.message
    assert "write `plan: cciaa_modena_2020` on that line" in problem.hint


@pytest.mark.parametrize("written", ["-", "-   # non disponibile"])
def test_a_dash_as_a_value_is_named(written):
    text = f"plan: p\nvalues:\n  a: 1\n  tempi: {written}\n"
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values(text, "valori.yaml")
    (problem,) = info.value.diagnostics
    assert problem.code == "SL350" and (problem.span.line, problem.span.column) == (4, 10)
    assert "null" in problem.hint


def test_other_yaml_mistakes_keep_their_code():
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values("plan: p\nvalues:\n  a: [1\n", "valori.yaml")
    assert [d.code for d in info.value.diagnostics] == ["SL301"]
