"""No input makes scorelang crash: random and mutated text give diagnostics, never a traceback."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang import ScorelangError
from scorelang.cli import main

from .conftest import MODENA_RULES, MODENA_VALUES

MODENA = MODENA_RULES.read_text(encoding="utf-8")
# A slice of the real plan keeps the fuzzing fast and close to what people edit.
SAMPLE = MODENA[: MODENA.index("# ---- 402")] + MODENA[MODENA.index('area "1"'):][:1500]
VALUES = MODENA_VALUES.read_text(encoding="utf-8")

# Characters that matter to the grammar, so mutations reach deep into the parser.
ALPHABET = st.sampled_from(list('{}%"#=<>,.-/_ \n\t0123456789azAZàé') +
                           ["plan", "area", "objective", "group", "weight", "target", "periodic",
                            "deadline", "indicator", "policy", "floor", "cap", "missing"])


@st.composite
def mutated(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        where = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate_line"]))
        if action == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 12)):]
        elif action == "insert":
            text = text[:where] + draw(ALPHABET) + text[where:]
        elif action == "replace":
            text = text[:where] + draw(ALPHABET) + text[where + 1:]
        else:
            lines = text.splitlines(keepends=True)
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            text = "".join(lines)
    return text


def only_diagnostics(text: str) -> None:
    _, found = scorelang.diagnose(text, "fuzz.score")
    for diagnostic in found:
        assert diagnostic.code.startswith("SL") and diagnostic.message
    try:
        plan = scorelang.loads(text, "fuzz.score")
    except ScorelangError as exc:
        assert exc.diagnostics
        return
    plan.evaluate({})  # a plan that loads can be scored, with everything N/D


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SAMPLE))
def test_mutated_rule_text_gives_only_diagnostics(text):
    only_diagnostics(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map(" ".join) | st.text(max_size=200))
def test_random_text_gives_only_diagnostics(text):
    only_diagnostics(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated(VALUES))
def test_mutated_values_file_gives_only_diagnostics(modena_plan, text):
    plan = modena_plan
    try:
        values = scorelang.loads_values(text, "fuzz.yaml")
        plan.evaluate(values)
    except ScorelangError as exc:
        assert exc.diagnostics


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(mutated(SAMPLE))
def test_check_command_never_prints_a_traceback(tmp_path, text):
    path = tmp_path / "fuzz.score"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", str(path)])
    assert code in (0, 1)
    assert "Traceback" not in err.getvalue()
