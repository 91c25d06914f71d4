"""`scorelang check` starts fast: what a new process imports, checked without timing anything.

A check answered from the compiled-plan cache needs the cache and the diagnostics only; the
parser (Lark), the values reader (PyYAML), the report tables (tabulate), the plan model and
numpy are for other commands, and each costs a new process tens of milliseconds to import.
Timings live in benchmarks/run.py; these tests pin the imports that make them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import scorelang
from scorelang import api, report
from scorelang.check import cache
from scorelang.report import views

from .conftest import MODENA_RULES, ROOT

HEAVY = {"lark", "yaml", "tabulate", "numpy", "openpyxl", "scorelang.model",
         "scorelang.syntax.parser", "scorelang.syntax.build", "scorelang.check.checks", "scorelang.engine.result",
         "scorelang.engine.values", "scorelang.report.table"}


def imported_by(code: str, cache_dir: Path | None = None) -> set[str]:
    """The modules a new interpreter imports to run `code`, beyond those it starts with."""
    script = "import json, sys\nbefore = set(sys.modules)\n" + textwrap.dedent(code) + \
        "\nprint(json.dumps(sorted(set(sys.modules) - before)))\n"
    env = {k: v for k, v in os.environ.items() if k != "SCORELANG_CACHE"}
    if cache_dir is not None:
        env["SCORELANG_CACHE_DIR"] = str(cache_dir)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(path))
    monkeypatch.delenv("SCORELANG_CACHE", raising=False)
    return path


def test_import_scorelang_loads_no_engine():
    assert imported_by("import scorelang") & HEAVY == set()


def test_check_on_a_warm_cache_loads_neither_parser_nor_model_nor_yaml_nor_tables(tmp_path):
    run_check = """
        from scorelang import cli
        assert cli.main(["check", "rules"]) == 0
    """
    cold = imported_by(run_check, tmp_path)  # parses, builds the model, fills the cache
    assert "scorelang.model" in cold
    warm = imported_by(run_check, tmp_path)
    assert warm & HEAVY == set()
    # A clean plan: nothing to decode or report, and no other command's module.
    assert warm & {"scorelang.check.codec", "scorelang.report.diagnostics", "scorelang.cli.goal",
                   "scorelang.cli.sheets", "scorelang.report.speech"} == set()
    # Nor the diagnostics' attrs classes, whose import (attrs with it) was a third of the
    # start: the exceptions every command catches live apart, in errors.py.
    assert warm & {"attrs", "attr", "scorelang.diagnostics"} == set()
    assert "scorelang.errors" in warm


def test_a_warm_check_of_a_plan_with_problems_reports_them_as_a_cold_one(tmp_path):
    plan = tmp_path / "bad.score"
    plan.write_text(MODENA_RULES.read_text(encoding="utf-8").replace("weight 33.34%", "weight 30%",
                                                                      1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SCORELANG_CACHE"}
    env["SCORELANG_CACHE_DIR"] = str(tmp_path / "cache")
    runs = [subprocess.run([sys.executable, "-m", "scorelang", "check", str(plan)],
                           capture_output=True, text=True, cwd=ROOT, env=env) for _ in range(2)]
    cold, warm = runs
    assert cold.returncode == warm.returncode == 1
    assert "error[SL" in cold.stderr and warm.stderr == cold.stderr
    run_check = f"""
        from scorelang import cli
        assert cli.main(["check", {str(plan)!r}]) == 1
    """
    imported = imported_by(run_check, tmp_path / "cache")
    assert imported & HEAVY == set()
    assert "scorelang.report.diagnostics" in imported


def test_public_names_import_from_the_package_as_before():
    from scorelang import (CheckError, Diagnostic, Plan, Result, Values, diagnose, load,
                           load_values, loads, render)

    assert [CheckError, Diagnostic, Plan, Result, Values, diagnose, load, load_values, loads,
            render] == [scorelang.CheckError, scorelang.Diagnostic, scorelang.Plan,
                        scorelang.Result, scorelang.Values, scorelang.diagnose, scorelang.load,
                        scorelang.load_values, scorelang.loads, scorelang.render]
    assert api.Plan is Plan and api.load_values is load_values
    assert load(MODENA_RULES).id == "cciaa_modena_2020"
    for name in scorelang.__all__:
        assert getattr(scorelang, name) is not None, name
    assert set(scorelang.__all__) <= set(dir(scorelang))
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    for name in report.__all__:
        assert getattr(report, name) is not None, name


def test_the_exceptions_are_the_same_classes_under_each_name_they_have():
    from scorelang import diagnostics, errors, files

    for name in ("ScorelangError", "ParseError", "CheckError", "ValuesError"):
        assert getattr(diagnostics, name) is getattr(errors, name) is getattr(scorelang, name)
    assert issubclass(files.InputError, diagnostics.ScorelangError)


def test_submodules_stay_reachable_as_attributes_of_the_package():
    code = """
        import scorelang
        assert scorelang.model.PlanDefinition.__name__ == "PlanDefinition"
        assert scorelang.report.views.BUILDERS
        try:
            scorelang.no_such_thing
        except AttributeError:
            pass
        else:
            raise AssertionError("no_such_thing")
    """
    assert "scorelang.model" in imported_by(code)


def test_the_views_the_command_line_offers_are_the_views_there_are():
    assert tuple(views.BUILDERS) == report.VIEWS


def test_check_text_gives_the_diagnostics_of_diagnose_from_text_and_from_the_cache(folder):
    text = MODENA_RULES.read_text(encoding="utf-8")
    text = text.replace("weight 33.34%", "weight 30%", 1)
    compiled = api.check_text(text, "bad.score")
    assert compiled and any(d.is_error for d in compiled)
    assert cache.load_diagnostics(text, "bad.score") == compiled
    again = api.check_text(text, "bad.score")
    assert [d.to_dict() for d in again] == [d.to_dict() for d in compiled]
    assert [d.to_dict() for d in scorelang.diagnose(text, "bad.score")[1]] == \
        [d.to_dict() for d in compiled]


def test_a_syntax_error_is_a_diagnostic_and_never_cached(folder):
    found = api.check_text("plan x {", "broken.score")
    assert [d.code for d in found] and all(d.is_error for d in found)
    assert cache.load_diagnostics("plan x {", "broken.score") is None


@pytest.mark.parametrize("entry", [
    '{"diagnostics": []}',  # no plan: damaged
    '{"plan": {}, "diagnostics": [{"@": "Plan", "id": "x"}]}',  # a model class: not allowed
    '{"plan": {}, "diagnostics": [{"@": "os.system"}]}',
    '{"plan": {}, "diagnostics": "SL203"}',
    '[]',
    'not json',
])
def test_a_damaged_entry_gives_no_diagnostics_and_check_compiles_again(folder, entry):
    text = MODENA_RULES.read_text(encoding="utf-8")
    expected = api.check_text(text, "x.score")
    (path,) = folder.glob("*.json")
    path.write_text(entry, encoding="utf-8")
    assert cache.load_diagnostics(text, "x.score") is None
    assert api.check_text(text, "x.score") == expected
