"""The command line end to end, in a new process as users run it."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scorelang", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_score_prints_the_scored_tree_as_a_table_in_the_plans_locale():
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Piano della performance 2020")
    assert "periodo H1, al 30/06/2020" in lines[0]
    row = next(line for line in lines if line.strip().startswith("301 Internazionalizzazione"))
    assert "33,34 %" in row and "62,96 %" in row and "Parziale" in row
    row = next(line for line in lines if "studenti_alternanza_finanziate" in line)
    assert "32,13 %" in row and ">= 800 N." in row and "257 N." in row
    row = next(line for line in lines if "export_provinciale" in line)
    assert ">= 6.500.000.000,00 € (periodico H1)" in row and "3.111.720.000,00 €" in row
    row = next(line for line in lines if line.strip().startswith("802.A1.2"))
    assert "N/D" in row and "non scaduto" in row


def test_score_in_english_with_locale_en():
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--locale", "en")
    row = next(line for line in done.stdout.splitlines()
               if line.strip().startswith("301 Internazionalizzazione"))
    assert "33.34%" in row and "62.96%" in row
    row = next(line for line in done.stdout.splitlines() if line.strip().startswith("802.A1.2"))
    assert "not_due" in row


def test_score_json_is_the_machine_contract():
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["format_version"] == 2
    assert data["period"] == "H1" and data["as_of"] == "2020-06-30"
    nodes = {node["id"]: node for node in data["nodes"]}
    assert nodes["301"]["parent"] == "1" and nodes["301"]["kind"] == "objective"
    assert abs(nodes["301"]["score"] - 62.955674825) < 1e-6  # unrounded
    leaf = nodes["301/indicatori/export_provinciale"]
    assert leaf["target_used"] == {"source": "periodic", "direction": ">=",
                                   "value": 6500000000.0, "period": "H1"}
    assert leaf["value"] == 3111720000.0 and abs(leaf["raw"] - 47.8726153846) < 1e-6
    assert nodes["802.A1.2"]["score"] is None and nodes["802.A1.2"]["status"] == "not_due"
    deadline = nodes["802.A1.2/report_costi"]
    assert deadline["target_used"] == {"source": "deadline", "deadline": "2020-10-31"}


def test_score_with_another_period_uses_annual_targets():
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--format", "json",
               "--period", "Y", "--as-of", "2020-12-31")
    nodes = {node["id"]: node for node in json.loads(done.stdout)["nodes"]}
    assert nodes["301/indicatori/export_provinciale"]["target_used"]["source"] == "annual"
    assert nodes["802.A1.2"]["score"] == 0.0  # the deadline has passed, not done


def test_check_passes_on_the_modena_rules():
    done = run("check", "rules/")
    assert done.returncode == 0, done.stderr
    assert "0 error(s)" in done.stderr


def test_check_reports_file_line_column_and_exits_1(tmp_path):
    bad = tmp_path / "bad.score"
    bad.write_text('plan p "P" { period H1 "H1" ends 2020-06-30 }\n'
                   'indicator a "A" { target >= 10 }\n'
                   'area "1" "A" {\n  objective "10" "O" weight 100% { a 60% b 40% }\n}\n',
                   encoding="utf-8")
    done = run("check", str(bad))
    assert done.returncode == 1
    assert f"{bad}:4:42: error[SL206]: unknown indicator `b`" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_strict_fails_on_warnings(tmp_path):
    plan = tmp_path / "p.score"
    plan.write_text('plan p "P" { period H1 "H1" ends 2020-06-30 }\n'
                    'indicator a "A" { target >= 10 }\nindicator unused "U" { target >= 1 }\n'
                    'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n', encoding="utf-8")
    assert run("check", str(plan)).returncode == 0
    done = run("check", "--strict", str(plan))
    assert done.returncode == 1 and "SL213" in done.stderr


def test_missing_or_unreadable_files_exit_2_without_traceback(tmp_path):
    done = run("check", str(tmp_path / "nope.score"))
    assert done.returncode == 2 and "not found" in done.stderr and "Traceback" not in done.stderr
    latin1 = tmp_path / "latin1.score"
    latin1.write_bytes('plan p "Attività" {}'.encode("latin-1"))
    done = run("check", str(latin1))
    assert done.returncode == 2 and "not UTF-8" in done.stderr and "Traceback" not in done.stderr
    done = run("score", str(MODENA_RULES), "--values", str(tmp_path / "none.yaml"))
    assert done.returncode == 2 and "values file not found" in done.stderr


def test_bad_values_file_exits_1_naming_file_line_and_column(tmp_path):
    values = tmp_path / "v.yaml"
    values.write_text("plan: cciaa_modena_2020\nperiod: H1\nvalues:\n  export_provinciali: 1\n",
                      encoding="utf-8")
    done = run("score", str(MODENA_RULES), "--values", str(values))
    assert done.returncode == 1
    assert f"{values}:4:3: error[SL307]: unknown indicator `export_provinciali`" in done.stderr
    assert "did you mean `export_provinciale`?" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_usage_exits_2():
    assert run("score", str(MODENA_RULES)).returncode == 2  # --values is required
    assert run("nonsense").returncode == 2



def _broken(tmp_path):
    path = tmp_path / "plan.score"
    path.write_text('plan p "P" { period H1 "H1" ends 2020-06-30 }\n'
                    'indicator a "A" { unit N target >= 10 periodic H1 >= 20 }\n'
                    'area "1" "A" {\n  objective "10" "O" weight 100% { a 60% b 40% }\n}\n',
                    encoding="utf-8")
    return path


def test_check_json_lists_every_diagnostic_with_its_span(tmp_path):
    path = _broken(tmp_path)
    done = run("check", "--format", "json", str(path))
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["format_version"] == 1
    assert [(d["code"], d["severity"], d["span"]["line"], d["span"]["column"])
            for d in data["diagnostics"]] == [("SL217", "warning", 2, 39), ("SL206", "error", 4, 42)]


def test_check_github_prints_workflow_commands(tmp_path):
    path = _broken(tmp_path)
    lines = run("check", "--format", "github", str(path)).stdout.splitlines()
    assert lines[0].startswith(f"::warning file={path},line=2,col=39,endLine=2,endColumn=55,"
                               "title=SL217 ")
    assert lines[1].startswith(f"::error file={path},line=4,col=42,")
    assert lines[1].endswith("::unknown indicator `b`%0Ahint: declare it: indicator b "
                             '"Title" { target >= ... }')


def test_check_sarif_is_sarif_2_1_0_with_rules_and_regions(tmp_path):
    path = _broken(tmp_path)
    sarif = json.loads(run("check", "--format", "sarif", str(path)).stdout)
    assert sarif["version"] == "2.1.0"
    (run_,) = sarif["runs"]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["SL206", "SL217"]
    error = next(r for r in run_["results"] if r["ruleId"] == "SL206")
    assert error["level"] == "error"
    assert run_["tool"]["driver"]["rules"][error["ruleIndex"]]["id"] == "SL206"
    region = error["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 42, "endLine": 4, "endColumn": 47}
    # Outside the folder scorelang ran in (%SRCROOT%): an absolute file URI.
    assert error["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": path.as_uri()}


def test_check_recurses_into_directories(tmp_path):
    (tmp_path / "sub").mkdir()
    _broken(tmp_path / "sub")
    (tmp_path / "notes.txt").write_text("not a rule file", encoding="utf-8")
    done = run("check", str(tmp_path))
    assert done.returncode == 1 and "1 file(s) checked" in done.stderr


UNFORMATTED = ('plan p "P" { period H1 "H1" ends 2020-06-30 }  # the plan\n'
               'indicator a "A" { target >= 13000000000 }\nindicator bb "B" { target >= 1 }\n'
               'area "1" "A" { objective "10" "O" weight 100% { a 60 %  bb 40% } }\n')


def test_fmt_check_lists_files_that_would_change_and_changes_nothing(tmp_path):
    path = tmp_path / "p.score"
    path.write_text(UNFORMATTED, encoding="utf-8")
    done = run("fmt", "--check", str(tmp_path))
    assert done.returncode == 1 and f"would reformat {path}" in done.stderr
    assert path.read_text(encoding="utf-8") == UNFORMATTED


def test_fmt_diff_prints_a_unified_diff(tmp_path):
    path = tmp_path / "p.score"
    path.write_text(UNFORMATTED, encoding="utf-8")
    done = run("fmt", "--diff", str(path))
    assert done.returncode == 1
    assert f"--- {path}" in done.stdout and "+  target >= 13_000_000_000" in done.stdout


def test_fmt_rewrites_in_place_and_is_then_clean(tmp_path):
    path = tmp_path / "p.score"
    path.write_text(UNFORMATTED, encoding="utf-8")
    assert run("fmt", str(path)).returncode == 0
    text = path.read_text(encoding="utf-8")
    assert "    a  60%\n    bb 40%\n" in text and "}  # the plan" in text
    assert run("fmt", "--check", str(path)).returncode == 0
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_fmt_refuses_broken_files_with_a_diagnostic(tmp_path):
    path = tmp_path / "p.score"
    path.write_text('plan p "P" { ', encoding="utf-8")
    done = run("fmt", str(path))
    assert done.returncode == 1 and "error[SL102]" in done.stderr
    assert path.read_text(encoding="utf-8") == 'plan p "P" { '


def test_score_writes_html_and_xlsx_reports(tmp_path):
    page = tmp_path / "report.html"
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--format", "html",
               "-o", str(page))
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Quadro riepilogativo" in text
    book = tmp_path / "report.xlsx"
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--format", "xlsx",
               "-o", str(book))
    assert done.returncode == 0, done.stderr
    assert book.read_bytes()[:2] == b"PK"  # a zip container, as every xlsx
    done = run("score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--format", "xlsx")
    assert done.returncode == 2 and "-o FILE.xlsx" in done.stderr
