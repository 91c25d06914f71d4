"""No input makes scorelang crash: a fixed slice of the fuzzers of tests/fuzz/, and every
crash they ever found replayed (docs/reliability.md, promise 6).

The volume run (`python3 -m tests.fuzz`, 100 000 inputs in CI) and the coverage-guided run
(`python3 -m tests.fuzz.coverage`) live outside the test suite; here each reader gets a few
dozen inputs of a fixed seed (the same on every run, CI or not), rule texts drawn from the
grammar by hypothesis, and each file under tests/regressions/ goes through its reader again.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang import ScorelangError
from scorelang.check.codes import CODES

from .fuzz import harness
from .fuzz.grammar import rule_texts
from .fuzz.readers import READERS, REGRESSIONS

# Regressions known and not yet fixed (a strict xfail each, with who fixes it): a fix makes it
# XPASS, failing the suite until its line here is removed. The key is the regression's reader
# folder and file name, without `.meta.json`; their signatures are tolerated by the slice below
# for the same time, and no longer. Every crash the fuzzers found so far is fixed: it is empty.
KNOWN: dict[str, str] = {}


def _name(path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.meta.json')}"


_KNOWN_SIGNATURES = {meta["signature"] for path, meta in harness.regressions()
                     if _name(path) in KNOWN}

# The slice: inputs per reader, fixed seed. Every reader's draw and run, the CLI's commands
# included, in a few seconds.
SLICE = {"grammar": 40, "rules": 40, "values": 25, "published": 10, "ruletest": 5, "ops": 8,
         "cache": 25, "cli": 20, "values_csv": 25, "values_xlsx": 10}
SEED = 14


@pytest.mark.parametrize("reader", sorted(SLICE))
def test_fixed_slice_of_every_reader(reader):
    chosen = READERS[reader]
    workspace = harness.workspace()
    crashes = []
    for index in range(SLICE[reader]):
        rng = random.Random(f"{SEED}/{reader}/{index}")
        data, context, _ = chosen.draw(rng, workspace)
        found = harness.run_one(reader, data, context)
        if found is not None and found.signature not in _KNOWN_SIGNATURES:
            crashes.append(f"input {index}: {found.signature}\n{found.traceback}")
    assert not crashes, "\n\n".join(crashes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_texts())
def test_rule_texts_from_the_grammar_give_only_diagnostics(text):
    found = harness.run_one("rules", text.encode("utf-8"), {"values_seed": len(text)})
    assert found is None or found.signature in _KNOWN_SIGNATURES, \
        found.traceback if found else None


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_only_diagnostics(text):
    _, found = scorelang.diagnose(text, "fuzz.score")
    assert all(d.code in CODES and d.message for d in found)
    try:
        scorelang.loads(text, "fuzz.score").evaluate({})
    except ScorelangError as exc:
        assert exc.diagnostics


def _replays() -> list[object]:
    cases = []
    for path, _ in harness.regressions():
        name = _name(path)
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[name])] if name in KNOWN else []
        cases.append(pytest.param(path, id=name, marks=marks))
    return cases


@pytest.mark.parametrize("meta", _replays())
def test_regression_replays_without_a_crash(meta):
    found = harness.replay(meta)
    assert found is None, found.traceback


def test_every_regression_names_its_reader_and_input():
    for path, meta in harness.regressions():
        assert meta["reader"] in READERS, path
        assert (path.parent / meta["input"]).is_file(), path
        assert path.parent.name == meta["reader"], path
    assert set(KNOWN) <= {_name(p) for p, _ in harness.regressions()}


# ---- bugs the fuzzers found, fixed here: one test each ------------------------------------------
def test_a_link_under_a_duplicated_code_is_checked_in_bounded_time():
    # Found by the grammar reader: objective X inside objective X made X its own parent, and
    # the check for a link to a node already below the linking one walked up for ever.
    text = """plan p "P" { period H1 ends 2020-06-30 }
indicator a "A" { target >= 1 }
area "1" "One" weight 100% {
  objective "X" "Outer" weight 50% {
    objective "X" "Inner" weight 100% {
      objective "Y" "Deep" weight 100% { a 100% }
    }
  }
  objective "Z" "Other" weight 50% { link "Y" 100% }
}
"""
    with harness.time_limit(10):
        _, found = scorelang.diagnose(text, "dup.score")
    assert "SL207" in {d.code for d in found}
